"""The URLs and codes of the Da Vinci PAS guide (STU 2.x) and of the R4 Subscriptions backport,
and Precert's own namespace for what the guides leave to the payer.

PAS: `HL7/davinci-pas` input/fsh/ClaimResponse.fsh, Claim.fsh, Claim-update.fsh, Terminology.fsh.
X12 code lists (306 review actions, 1322 certification types, 1338 levels of service, 1365
service types) are X12 products; only the handful of codes this server reads or writes appear here.
"""

from __future__ import annotations

from portal_app.programs import parts

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition"
EXT_REVIEW_ACTION = f"{PAS}/extension-reviewAction"
EXT_REVIEW_ACTION_CODE = f"{PAS}/extension-reviewActionCode"
EXT_ITEM_PREAUTH_ISSUE_DATE = f"{PAS}/extension-itemPreAuthIssueDate"
EXT_ITEM_PREAUTH_PERIOD = f"{PAS}/extension-itemPreAuthPeriod"
EXT_ITEM_AUTHORIZED_DETAIL = f"{PAS}/extension-itemAuthorizedDetail"
EXT_ITEM_TRACE_NUMBER = f"{PAS}/extension-itemTraceNumber"
EXT_ITEM_REQUESTED_SERVICE_DATE = f"{PAS}/extension-itemRequestedServiceDate"
EXT_CERTIFICATION_TYPE = f"{PAS}/extension-certificationType"
EXT_LEVEL_OF_SERVICE = f"{PAS}/extension-levelOfServiceCode"
EXT_REQUESTED_SERVICE = f"{PAS}/extension-requestedService"
EXT_INFO_CHANGED = f"{PAS}/extension-infoChanged"
EXT_INFO_CANCELLED = f"{PAS}/modifierextension-infoCancelled"
EXT_CLAIM_ENCOUNTER = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Claim.encounter"
PROFILE_RESPONSE_BUNDLE = f"{PAS}/profile-pas-response-bundle"
PROFILE_CLAIM_RESPONSE = f"{PAS}/profile-claimresponse"
PROFILE_INQUIRY_RESPONSE = f"{PAS}/profile-claiminquiryresponse"
PROFILE_INQUIRY_RESPONSE_BUNDLE = f"{PAS}/profile-pas-inquiry-response-bundle"
PAS_VERSION = "2.2.1"  # the PAS STU this server follows; 2.0/2.1 requests are accepted as well

PAS_TEMP_CODES = "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes"
PAS_TOPIC = "http://hl7.org/fhir/us/davinci-pas/SubscriptionTopic/PASSubscriptionTopic"

X12_REVIEW_ACTION = "https://codesystem.x12.org/005010/306"
X12_CERTIFICATION_TYPE = "https://codesystem.x12.org/005010/1322"
X12_LEVEL_OF_SERVICE = "https://codesystem.x12.org/005010/1338"
X12_SERVICE_TYPE = "https://codesystem.x12.org/005010/1365"

# X12 306 (HCR01) as PAS uses it: A1 approved, A2 partial, A3 denied, A4 pended, A6 modified; C
# (cancelled) for requests the provider withdrew.
REVIEW_ACTION_DISPLAY = {
    "A1": "Certified in total",
    "A2": "Certified - partial",
    "A3": "Not certified",
    "A4": "Pended",
    "A6": "Modified",
    "C": "Cancelled",
    "CT": "Contact Payer",
}
CERTIFICATION_CANCEL = "3"  # X12 1322 (UM02): 3 = cancel
URGENT_LEVELS = frozenset({"U", "03"})  # X12 1338 (UM06): U urgent, 03 emergency
URGENT_CERTIFICATIONS = frozenset({"1"})  # X12 1322 (UM02): 1 appeal - immediate

ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"  # identifier types (MB member number)
NPI = "http://hl7.org/fhir/sid/us-npi"
TIN = "urn:oid:2.16.840.1.113883.4.4"  # US federal tax identification number
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
CODE_SYSTEMS = {
    CPT: "CPT",
    HCPCS: "HCPCS",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "HCPCS",
}

BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition"
BACKPORT_FILTER_CRITERIA = f"{BACKPORT}/backport-filter-criteria"
BACKPORT_PAYLOAD_CONTENT = f"{BACKPORT}/backport-payload-content"
BACKPORT_STATUS_PROFILE = f"{BACKPORT}/backport-subscription-status-r4"
BACKPORT_NOTIFICATION_PROFILE = f"{BACKPORT}/backport-subscription-notification-r4"

# Precert's own namespace. `.invalid` (RFC 2606) because Precert publishes no profiles: these
# names only have to be stable and never collide with anyone else's.
PRECERT = "https://fhir.precert.invalid"
EXT_PROGRAM = f"{PRECERT}/StructureDefinition/program"  # valueCode: a program code (imaging...)
EXT_ACKNOWLEDGED = f"{PRECERT}/StructureDefinition/acknowledged"  # valueCode, repeatable
EXT_URGENCY_REASON = f"{PRECERT}/StructureDefinition/urgency-reason"  # valueString
QUESTIONNAIRE = f"{PRECERT}/Questionnaire"  # + "/<program>": the program's DTR questions
CS_PROGRAM = f"{PRECERT}/CodeSystem/program"
CS_REVIEW_REASON = f"{PRECERT}/CodeSystem/review-reason"  # the guideline criterion a decision rests on
SID_ORDER_NUMBER = f"{PRECERT}/sid/order-number"
SID_PLAN = f"{PRECERT}/sid/health-plan"  # insurer Organization.identifier: the plan code (EVG...)
SID_MEMBER = f"{PRECERT}/sid/member-number"

# What the ordering office acknowledges, as the wizard's confirmation boxes do.
ACK_OUT_OF_NETWORK = "out-of-network"
ACK_DUPLICATE = "duplicate"

# X12 1365 service types that name one program without doubt (others: the codes decide), from
# each program package's pas.py (SERVICE_TYPES), e.g. "62" (MRI/CAT scan) -> "imaging".
SERVICE_TYPE_PROGRAMS: dict[str, str] = {
    service_type: program.value
    for program, module in parts("pas").items()
    for service_type in module.SERVICE_TYPES
}

SCOPE_CLAIM_WRITE = "system/Claim.write"
SCOPE_CLAIM_READ = "system/Claim.read"
SCOPE_CLAIM_RESPONSE_READ = "system/ClaimResponse.read"
SCOPE_SUBSCRIPTION_WRITE = "system/Subscription.write"
SCOPE_SUBSCRIPTION_READ = "system/Subscription.read"
SCOPE_QUESTIONNAIRE_READ = "system/Questionnaire.read"  # DTR: $questionnaire-package, $next-question
ALL_SCOPES = (
    SCOPE_CLAIM_WRITE,
    SCOPE_CLAIM_READ,
    SCOPE_CLAIM_RESPONSE_READ,
    SCOPE_SUBSCRIPTION_WRITE,
    SCOPE_SUBSCRIPTION_READ,
    SCOPE_QUESTIONNAIRE_READ,
)
