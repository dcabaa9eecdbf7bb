"""Reading PAS request Bundles: validation and the mapping to what the wizard asks. Pure.

`parse_submit` turns a `Claim/$submit` Bundle into a `ClaimRequest`: the member, the providers by
NPI, the program, the requested codes and quantities, the diagnoses, urgency and date of service,
the DTR answers (QuestionnaireResponse), documents and free-text messages. `parse_inquiry` does the
same for a `Claim/$inquire` Bundle. Both refuse a Bundle that is not valid FHIR R4 (checked with
the `fhir.resources` models) or that lacks what PAS requires, with a `PasProblem` (HTTP 400) whose
issues name each problem and where it is.

Nothing here touches the database: the service (`portal_app.services.pas.service`) looks the
member, providers and program up and calls the wizard's services with these values.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from portal_app.services.pas import vocabulary as v
from portal_app.services.pas.outcomes import Issue, PasProblem, fhirpath
from portal_app.settings import get_settings

MAX_ISSUES = 20
MAX_ITEMS = 10  # the wizard takes at most 10 codes per request
MAX_QUANTITY = 99_999  # drug billing units over a course run into the thousands


# --- what a request says ---------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """A Practitioner, PractitionerRole (resolved to its practitioner), Organization or Location."""

    full_url: str
    resource_type: str
    npi: str = ""
    tax_id: str = ""
    name: str = ""
    address: str = ""
    fax: str = ""
    plan_code: str = ""  # an insurer Organization naming the Precert plan code


@dataclass(frozen=True)
class RequestedItem:
    sequence: int
    code_system: str  # CPT, HCPCS
    code: str
    quantity: int
    category: str = ""  # X12 1365 service type
    program: str = ""  # the Precert program extension on the item
    trace_number: dict[str, Any] | None = None  # itemTraceNumber (an Identifier), echoed back
    cancelled: bool = False  # modifierExtension infoCancelled (updates)
    change: str = ""  # extension infoChanged: "added" or "changed" (updates)
    certification_type: str = ""
    service_date: date | None = None
    description: str = ""
    coded: bool = True  # False: no CPT or HCPCS code (e.g. an X12 service type), answered per item


@dataclass(frozen=True)
class Attachment:
    """A document sent in a DocumentReference (content.attachment.data)."""

    sequence: int
    filename: str
    content: bytes
    change: str = ""


@dataclass(frozen=True)
class ClaimRequest:
    """Everything a PAS Claim asks for, in the wizard's terms."""

    claim_full_url: str
    identifier_system: str
    identifier_value: str
    request_hash: str
    claim_type: dict[str, Any]
    member_number: str
    patient_family: str
    patient_birth_date: date | None
    insurer: Party | None
    requester: Party | None
    ordering: Party | None
    servicing: Party | None
    urgent: bool
    urgency_reason: str
    service_date: date | None
    diagnoses: tuple[str, ...]
    items: tuple[RequestedItem, ...]
    program: str  # explicit program (extension), or from the questionnaire; "" when unsaid
    questionnaire: str
    answers: dict[str, Any]
    messages: tuple[tuple[str, str], ...]  # (text, change)
    attachments: tuple[Attachment, ...]
    acknowledged: frozenset[str]
    related: tuple[str, str] | None  # (system, value) of the Claim this one updates
    certification_type: str  # claim-level X12 1322 code ("3" cancels)
    cancelled_status: bool  # Claim.status = cancelled
    patient_entry: dict[str, Any] = field(default_factory=dict)
    insurer_entry: dict[str, Any] = field(default_factory=dict)
    requester_entry: dict[str, Any] = field(default_factory=dict)
    # the answers of each program's own questionnaire ("" for a questionnaire of no Precert program),
    # so that a Claim spanning programs gives each order its own program's answers
    program_answers: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def is_update(self) -> bool:
        return self.related is not None

    @property
    def cancels_everything(self) -> bool:
        live = [item for item in self.items if not item.cancelled]
        return (
            self.certification_type == v.CERTIFICATION_CANCEL
            or self.cancelled_status
            or (bool(self.items) and not live)
        )


@dataclass(frozen=True)
class InquiryRequest:
    member_number: str
    patient_birth_date: date | None
    plan_code: str
    npis: frozenset[str]
    identifier: tuple[str, str] | None  # the original Claim's identifier, when the inquiry names it
    codes: frozenset[str]


# --- validation ------------------------------------------------------------------------------


def validate_bundle(raw: Any) -> None:
    """Refuse anything that is not a FHIR R4 Bundle whose first entry is a Claim for prior
    authorization; the `fhir.resources` models check every entry's structure and data types."""
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        raise PasProblem.one(400, "structure", "The request body must be a FHIR Bundle (JSON).")
    entries = raw.get("entry")
    if not isinstance(entries, list) or not entries:
        raise PasProblem.one(
            400, "required", "The Bundle has no entries; the first must be the Claim.", "Bundle.entry"
        )
    from fhir.resources.R4B.bundle import Bundle  # loaded on first use (about 0.2 s)

    try:
        Bundle.model_validate(raw)
    except ValidationError as invalid:
        issues = [
            Issue(
                "structure" if error["type"] in ("extra_forbidden", "missing") else "value",
                _plain_pydantic(error, raw),
                fhirpath(error["loc"]),
            )
            for error in invalid.errors()[:MAX_ISSUES]
        ]
        raise PasProblem(400, issues) from None
    except (KeyError, TypeError, ValueError) as invalid:  # e.g. an unknown resourceType
        raise PasProblem.one(
            400, "structure", f"The Bundle is not valid FHIR R4: {str(invalid)[:200]}."
        ) from None
    first = entries[0].get("resource") or {}
    if first.get("resourceType") != "Claim":
        raise PasProblem.one(
            400, "structure", "The first entry of the Bundle must be the Claim.", "Bundle.entry[0].resource"
        )
    if first.get("use") != "preauthorization":
        raise PasProblem.one(400, "value", "Claim.use must be 'preauthorization'.", "Claim.use")


_VALUE_TYPES = (
    "integer",
    "string",
    "boolean",
    "date",
    "dateTime",
    "decimal",
    "coding",
    "quantity",
    "reference",
)
_KINDS = {str: "the string", int: "the number", float: "the number", bool: "the boolean", list: "an array"}


def _element(error: Mapping[str, Any], raw: dict[str, Any]) -> str:
    """The element an error is about, as Type.path (Condition.clinicalStatus), from its location."""
    location = list(error.get("loc", ()))
    if len(location) >= 3 and location[0] == "entry" and location[2] == "resource":
        entries = raw.get("entry") or []
        number = location[1]
        resource = (
            entries[number].get("resource") if isinstance(number, int) and number < len(entries) else {}
        )
        kind = (resource or {}).get("resourceType", "resource") if isinstance(resource, dict) else "resource"
        location = [kind, *location[3:]]
    else:
        location = ["Bundle", *location]
    return ".".join(
        str(part) for part in location if not isinstance(part, int) and not str(part).startswith("__")
    )


def _plain_pydantic(error: Mapping[str, Any], raw: dict[str, Any]) -> str:
    """What is wrong with one element, naming it: the FHIR data type expected and what was sent."""
    element = _element(error, raw)
    value = error.get("input")
    sent = (
        f"{_KINDS.get(type(value), 'a value')} {json.dumps(value)[:40]}"
        if not isinstance(value, dict)
        else "an object"
    )
    kind = error["type"]
    if kind == "missing":
        return f"{element} is required and missing."
    if kind == "extra_forbidden":
        name = element.rpartition(".")[2]
        hint = f" Did you mean value{name[:1].upper()}{name[1:]}?" if name in _VALUE_TYPES else ""
        return f"{element}: '{name}' is not an element of this FHIR R4 type.{hint}"
    if kind in ("json_invalid", "model_type", "dict_type", "model_attributes_type"):
        return f"{element} must be a JSON object (a FHIR complex type such as CodeableConcept), not {sent}."
    if kind == "list_type":
        return f"{element} repeats in FHIR R4: send a JSON array, not {sent}."
    message = str(error.get("msg", "invalid value")).split("\n")[0].strip().removeprefix("Value error, ")
    return f"{element}: {message} (sent {sent})."


# --- references inside the Bundle ------------------------------------------------------------


class BundleIndex:
    """Find the Bundle entry a reference points to (by fullUrl, or by Type/id)."""

    def __init__(self, raw: dict[str, Any]):
        self.entries: list[dict[str, Any]] = [e for e in raw.get("entry", []) if isinstance(e, dict)]
        self._by_url: dict[str, dict[str, Any]] = {}
        for entry in self.entries:
            resource = entry.get("resource") or {}
            if entry.get("fullUrl"):
                self._by_url[entry["fullUrl"]] = entry
            if resource.get("id"):
                self._by_url.setdefault(f"{resource['resourceType']}/{resource['id']}", entry)

    def entry(self, reference: dict[str, Any] | None) -> dict[str, Any] | None:
        target = (reference or {}).get("reference") if isinstance(reference, dict) else None
        if not target:
            return None
        if target in self._by_url:
            return self._by_url[target]
        for url, entry in self._by_url.items():  # absolute URLs ending in Type/id
            if url.endswith(f"/{target}"):
                return entry
        return None

    def resource(self, reference: dict[str, Any] | None) -> dict[str, Any] | None:
        found = self.entry(reference)
        return found.get("resource") if found else None

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        return [
            e["resource"]
            for e in self.entries
            if (e.get("resource") or {}).get("resourceType") == resource_type
        ]


def _require(
    issues: list[Issue], index: BundleIndex, reference: Any, expression: str, what: str
) -> dict | None:
    if not reference:
        return None
    found = index.resource(reference)
    if found is None:
        issues.append(
            Issue(
                "not-found",
                f"{what} refers to '{reference.get('reference', '')}', which is not in the Bundle.",
                expression,
            )
        )
    return found


# --- small readers ---------------------------------------------------------------------------


def _codings(concept: Any) -> list[dict[str, Any]]:
    return (
        [c for c in (concept or {}).get("coding", []) if isinstance(c, dict)]
        if isinstance(concept, dict)
        else []
    )


def _code(concept: Any, systems: tuple[str, ...] = ()) -> str:
    for coding in _codings(concept):
        if not systems or coding.get("system") in systems:
            return str(coding.get("code") or "").strip()
    return ""


def _extensions(element: Any, url: str, *, modifier: bool = False) -> list[dict[str, Any]]:
    key = "modifierExtension" if modifier else "extension"
    return [e for e in (element or {}).get(key, []) if isinstance(e, dict) and e.get("url") == url]


def _identifier(resource: dict[str, Any] | None, system: str) -> str:
    for identifier in (resource or {}).get("identifier", []):
        if identifier.get("system") == system and identifier.get("value"):
            return str(identifier["value"]).strip()
    return ""


def _typed_identifier(resource: dict[str, Any] | None, type_code: str) -> str:
    for identifier in (resource or {}).get("identifier", []):
        if _code(identifier.get("type"), (v.V2_0203,)) == type_code and identifier.get("value"):
            return str(identifier["value"]).strip()
    return ""


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _name(resource: dict[str, Any]) -> str:
    if isinstance(resource.get("name"), str):
        return resource["name"]
    for name in resource.get("name", []) or []:
        text = name.get("text") or " ".join([*name.get("given", []), name.get("family", "")])
        if text.strip():
            return text.strip()
    return ""


def _address(resource: dict[str, Any]) -> str:
    addresses = resource.get("address") or []
    if isinstance(addresses, dict):
        addresses = [addresses]
    for address in addresses:
        text = address.get("text") or ", ".join(
            part
            for part in [
                " ".join(address.get("line", [])),
                address.get("city", ""),
                " ".join(p for p in (address.get("state", ""), address.get("postalCode", "")) if p),
            ]
            if part
        )
        if text.strip():
            return text.strip()
    return ""


def _fax(resource: dict[str, Any]) -> str:
    for telecom in resource.get("telecom", []) or []:
        if telecom.get("system") == "fax" and telecom.get("value"):
            return str(telecom["value"])
    return ""


def party(index: BundleIndex, reference: Any) -> Party | None:
    """The party a reference names; a PractitionerRole stands for its practitioner (and its NPI)."""
    entry = index.entry(reference)
    if entry is None:
        return None
    resource = entry.get("resource") or {}
    kind = resource.get("resourceType", "")
    if kind == "PractitionerRole":
        practitioner = index.resource(resource.get("practitioner"))
        organization = index.resource(resource.get("organization")) or {}
        if practitioner:
            return Party(
                entry.get("fullUrl", ""),
                "Practitioner",
                _identifier(practitioner, v.NPI),
                _identifier(organization, v.TIN),
                _name(practitioner),
                _address(practitioner) or _address(organization),
                _fax(resource) or _fax(practitioner),
            )
    return Party(
        entry.get("fullUrl", ""),
        kind,
        _identifier(resource, v.NPI),
        _identifier(resource, v.TIN),
        _name(resource),
        _address(resource),
        _fax(resource),
        _identifier(resource, v.SID_PLAN),
    )


# --- DTR answers -----------------------------------------------------------------------------


def questionnaire_answers(items: list[dict[str, Any]]) -> dict[str, Any]:
    """QuestionnaireResponse items as {linkId: value}: one answer gives a value, several a list;
    a group gives a dict of its items, and a group repeated under one linkId a list of dicts."""
    answers: dict[str, Any] = {}
    for item in items or []:
        link = str(item.get("linkId", "")).strip()
        if not link:
            continue
        if item.get("answer"):
            values = [_answer_value(answer) for answer in item["answer"]]
            value: Any = values[0] if len(values) == 1 else values
        elif item.get("item"):
            value = questionnaire_answers(item["item"])
            if link in answers:
                earlier = answers[link]
                answers[link] = (earlier if isinstance(earlier, list) else [earlier]) + [value]
                continue
        else:
            continue
        answers[link] = value
    return answers


def _answer_value(answer: dict[str, Any]) -> Any:
    for key, value in answer.items():
        if key == "valueCoding":
            return value.get("code")
        if key.startswith("value"):
            return value
    return None


# --- $submit ---------------------------------------------------------------------------------


def request_hash(claim: dict[str, Any]) -> str:
    """What makes two submissions of one Claim identifier the same request: the Claim without
    its id, meta and narrative."""
    significant = {k: val for k, val in claim.items() if k not in ("id", "meta", "text")}
    return hashlib.sha256(json.dumps(significant, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def parse_submit(raw: Any) -> ClaimRequest:
    """Validate a `$submit` Bundle and read what it asks for; `PasProblem` (400) lists the gaps.

    Each section is read by its own function below, which returns what it found and the problems
    it saw; the problems are reported together, in the order of the sections."""
    validate_bundle(raw)
    index = BundleIndex(raw)
    claim_entry = index.entries[0]
    claim = claim_entry["resource"]

    identifier, issues = read_identifier(claim)
    patient, found = read_patient(index, claim)
    issues += found
    issues += reference_issues(index, claim.get("provider"), "Claim.provider", "Claim.provider")
    member_number, found = read_member_number(index, claim, patient)
    issues += found
    related, found = read_related(index, claim)
    issues += found
    items, requests_used, found = read_items(index, claim)
    issues += found
    diagnoses, found = read_diagnoses(index, claim)
    issues += found
    info, found = read_supporting_info(index, claim)
    issues += found
    service_date = read_service_date(claim, items, index)
    if related is None:  # a new request must say what, when and why
        issues += new_request_issues(items)
    if issues:
        raise PasProblem(400, issues[:MAX_ISSUES])
    assert identifier is not None  # read_identifier gives an issue when the Claim has none

    parties = read_parties(index, claim, requests_used)
    urgent, urgency_reason = read_urgency(claim, info.messages)
    return ClaimRequest(
        claim_full_url=str(claim_entry.get("fullUrl") or ""),
        identifier_system=str(identifier.get("system") or ""),
        identifier_value=str(identifier["value"])[:100],
        request_hash=request_hash(claim),
        claim_type=claim.get("type") or {"coding": [{"system": v.CLAIM_TYPE, "code": "professional"}]},
        member_number=member_number.upper(),
        patient_family=_family(patient),
        patient_birth_date=_date(patient.get("birthDate")),
        insurer=party(index, claim.get("insurer")),
        requester=parties.requester,
        ordering=parties.ordering,
        servicing=parties.servicing,
        urgent=urgent,
        urgency_reason=urgency_reason,
        service_date=service_date,
        diagnoses=diagnoses,
        items=tuple(sorted(items, key=lambda item: item.sequence)),
        program=read_program(claim, info.questionnaire),
        questionnaire=info.questionnaire,
        answers=info.answers,
        messages=info.messages,
        attachments=info.attachments,
        acknowledged=frozenset(str(e.get("valueCode", "")) for e in _extensions(claim, v.EXT_ACKNOWLEDGED)),
        related=related,
        certification_type=certification_type(claim),
        cancelled_status=claim.get("status") == "cancelled",
        patient_entry=_entry_copy(index.entry(claim.get("patient"))),
        insurer_entry=_entry_copy(index.entry(claim.get("insurer")) or {}),
        requester_entry=_entry_copy(index.entry(claim.get("provider")) or {}),
        program_answers=info.program_answers,
    )


# --- $submit, section by section: each returns what it read and the problems it saw ----------


def reference_issues(index: BundleIndex, reference: Any, expression: str, what: str) -> list[Issue]:
    """A problem when ``reference`` names a resource that is not in the Bundle (none when absent)."""
    issues: list[Issue] = []
    _require(issues, index, reference, expression, what)
    return issues


def read_identifier(claim: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Issue]]:
    """The Claim's business identifier (the first with a value), which makes resubmission safe."""
    identifier = next((i for i in claim.get("identifier", []) if i.get("value")), None)
    if identifier is not None:
        return identifier, []
    return None, [
        Issue(
            "required",
            "The Claim needs a business identifier (Claim.identifier) so that a "
            "repeated submission can be recognised.",
            "Claim.identifier",
        )
    ]


def read_patient(index: BundleIndex, claim: dict[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
    """The Patient the Claim names ({} when absent or not in the Bundle)."""
    issues: list[Issue] = []
    patient = _require(issues, index, claim.get("patient"), "Claim.patient", "Claim.patient") or {}
    return patient, issues


def read_coverage(index: BundleIndex, claim: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Issue]]:
    """The Coverage of Claim.insurance: the focal one, else the first found in the Bundle."""
    issues: list[Issue] = []
    coverage = None
    for number, insurance in enumerate(claim.get("insurance", [])):
        found = _require(
            issues,
            index,
            insurance.get("coverage"),
            f"Claim.insurance[{number}].coverage",
            "Claim.insurance.coverage",
        )
        if found and (coverage is None or insurance.get("focal")):
            coverage = found
    return coverage, issues


def member_number_of(coverage: dict[str, Any] | None, patient: dict[str, Any]) -> str:
    """The member ID: Coverage.subscriberId, else an MB identifier (Coverage, then Patient), else
    the Patient's identifier in Precert's member system; "" when none."""
    return (
        str((coverage or {}).get("subscriberId") or "").strip()
        or _typed_identifier(coverage, "MB")
        or _typed_identifier(patient, "MB")
        or _identifier(patient, v.SID_MEMBER)
    )


def read_member_number(
    index: BundleIndex, claim: dict[str, Any], patient: dict[str, Any]
) -> tuple[str, list[Issue]]:
    """Patient and Coverage -> the member ID the wizard looks the member up by."""
    coverage, issues = read_coverage(index, claim)
    member_number = member_number_of(coverage, patient)
    if not member_number:
        issues.append(
            Issue(
                "required",
                "Give the member ID: Coverage.subscriberId, or an identifier of type MB on the Patient.",
                "Coverage.subscriberId",
            )
        )
    return member_number, issues


def read_related(index: BundleIndex, claim: dict[str, Any]) -> tuple[tuple[str, str] | None, list[Issue]]:
    """(system, value) of the earlier Claim an update names in Claim.related (the last one given)."""
    issues: list[Issue] = []
    related = None
    for number, relation in enumerate(claim.get("related", [])):
        reference = relation.get("claim") or {}
        prior = reference.get("identifier") or {}
        target = index.resource(reference)
        if not prior.get("value") and target:
            prior = next((i for i in target.get("identifier", []) if i.get("value")), {})
        if not prior.get("value"):
            issues.append(
                Issue(
                    "required",
                    "Claim.related.claim must carry the identifier of the earlier Claim.",
                    f"Claim.related[{number}].claim",
                )
            )
        else:
            related = (str(prior.get("system") or ""), str(prior["value"]))
    return related, issues


# --- items -------------------------------------------------------------------------------------


def read_items(
    index: BundleIndex, claim: dict[str, Any]
) -> tuple[list[RequestedItem], list[dict[str, Any]], list[Issue]]:
    """Claim.item as requested items (in the Claim's order), the orders (ServiceRequest,
    MedicationRequest...) they point to, and the problems: per item, then for the whole list."""
    items, requests_used, issues = [], [], []
    for number, element in enumerate(claim.get("item", [])):
        item, requested, found = read_item(index, element, number)
        if requested is not None:
            requests_used.append(requested)
        if item is not None:
            items.append(item)
        issues += found
    return items, requests_used, issues + item_list_issues(items)


def read_item(
    index: BundleIndex, item: dict[str, Any], number: int
) -> tuple[RequestedItem | None, dict[str, Any] | None, list[Issue]]:
    """One Claim.item (the ``number``-th): the item (None when refused), the order its
    requestedService extension points to, and the problems."""
    expression = f"Claim.item[{number}]"
    coding, requested, issues = item_coding(index, item, expression)
    if coding is None and (other := _any_coding(item, requested)) is not None:
        return _uncoded_item(item, number, other), requested, issues
    if coding is None:
        issues.append(
            Issue(
                "required",
                "Name the procedure or drug with a CPT or HCPCS code (item.productOrService).",
                f"{expression}.productOrService",
            )
        )
        return None, requested, issues
    quantity = item_quantity(item)
    if quantity is None:
        issues.append(
            Issue(
                "value",
                f"The quantity must be a whole number from 1 to {MAX_QUANTITY}.",
                f"{expression}.quantity",
            )
        )
        return None, requested, issues
    certification = certification_type(item)
    return (
        RequestedItem(
            sequence=int(item.get("sequence", number + 1)),
            code_system=v.CODE_SYSTEMS[coding["system"]],
            code=str(coding["code"]).strip().upper(),
            quantity=quantity,
            category=_code(item.get("category")),
            program=next((e.get("valueCode", "") for e in _extensions(item, v.EXT_PROGRAM)), ""),
            trace_number=next(
                (e.get("valueIdentifier") for e in _extensions(item, v.EXT_ITEM_TRACE_NUMBER)), None
            ),
            cancelled=item_cancelled(item) or certification == v.CERTIFICATION_CANCEL,
            change=info_changed(item),
            certification_type=certification,
            service_date=item_service_date(item),
            description=str(coding.get("display") or ""),
        ),
        requested,
        issues,
    )


def _any_coding(item: dict[str, Any], requested: dict[str, Any] | None) -> dict[str, Any] | None:
    """The first coding with a code, in any system (an X12 service type...), of the item or its order."""
    concepts = [item.get("productOrService"), (requested or {}).get("code")]
    return next((c for concept in concepts for c in _codings(concept) if c.get("code")), None)


def _uncoded_item(item: dict[str, Any], number: int, coding: dict[str, Any]) -> RequestedItem:
    """An item named by something other than a CPT or HCPCS code: kept, to be answered per item."""
    return RequestedItem(
        sequence=int(item.get("sequence", number + 1)),
        code_system=str(coding.get("system") or "")[:200],
        code=str(coding["code"]).strip()[:40],
        quantity=item_quantity(item) or 1,
        category=_code(item.get("category")),
        trace_number=next(
            (e.get("valueIdentifier") for e in _extensions(item, v.EXT_ITEM_TRACE_NUMBER)), None
        ),
        cancelled=item_cancelled(item),
        change=info_changed(item),
        certification_type=certification_type(item),
        service_date=item_service_date(item),
        description=str(coding.get("display") or ""),
        coded=False,
    )


def item_coding(
    index: BundleIndex, item: dict[str, Any], expression: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[Issue]]:
    """The item's CPT or HCPCS coding: from productOrService, else from the order its
    requestedService extension points to; with that order and the problems of the reference."""
    issues: list[Issue] = []
    codings = [c for c in _codings(item.get("productOrService")) if c.get("code")]
    coding = next((c for c in codings if c.get("system") in v.CODE_SYSTEMS), None)
    requested = None
    for extension in _extensions(item, v.EXT_REQUESTED_SERVICE):
        requested = _require(
            issues,
            index,
            extension.get("valueReference"),
            f"{expression}.extension",
            "The requestedService extension",
        )
    if coding is None and requested is not None:  # the code on the order itself
        concept = requested.get("code") or requested.get("medicationCodeableConcept")
        coding = next((c for c in _codings(concept) if c.get("system") in v.CODE_SYSTEMS), None)
    return coding, requested, issues


def item_quantity(item: dict[str, Any]) -> int | None:
    """item.quantity.value as a whole number from 1 to MAX_QUANTITY (1 when absent); None when not."""
    quantity = item.get("quantity", {}).get("value", 1) if isinstance(item.get("quantity"), dict) else 1
    if isinstance(quantity, float) and quantity.is_integer():
        quantity = int(quantity)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        return None
    return quantity


def item_service_date(item: dict[str, Any]) -> date | None:
    """item.servicedDate, else item.servicedPeriod.start."""
    return _date(item.get("servicedDate")) or _date((item.get("servicedPeriod") or {}).get("start"))


def item_cancelled(item: dict[str, Any]) -> bool:
    """The modifier extension infoCancelled = true (an update cancelling this item)."""
    return any(e.get("valueBoolean") is True for e in _extensions(item, v.EXT_INFO_CANCELLED, modifier=True))


def info_changed(element: dict[str, Any]) -> str:
    """The extension infoChanged on an item or supportingInfo: "added", "changed" or ""."""
    return next((str(e.get("valueCode", "")) for e in _extensions(element, v.EXT_INFO_CHANGED)), "")


def certification_type(element: dict[str, Any]) -> str:
    """The X12 1322 certification type extension on the Claim or an item ("3" cancels); "" if none."""
    return next(
        (_code(e.get("valueCodeableConcept")) for e in _extensions(element, v.EXT_CERTIFICATION_TYPE)), ""
    )


def item_list_issues(items: list[RequestedItem]) -> list[Issue]:
    """At most MAX_ITEMS items, each with its own code."""
    issues = []
    if len(items) > MAX_ITEMS:
        issues.append(Issue("value", f"A request holds at most {MAX_ITEMS} items.", "Claim.item"))
    coded = [item for item in items if item.coded]
    if len({item.code for item in coded}) != len(coded):
        issues.append(
            Issue(
                "value",
                "Each item must request a different code; use item.quantity for more than one unit.",
                "Claim.item",
            )
        )
    return issues


# --- providers, practitioners and organizations ------------------------------------------------


@dataclass(frozen=True)
class Parties:
    requester: Party | None  # Claim.provider
    ordering: Party | None
    servicing: Party | None


_ORDERING_ROLES = ("DK", "DN", "P3", "referring", "ordering")
_SERVICING_ROLES = ("SJ", "FA", "71", "72", "performing", "rendering")


def read_parties(index: BundleIndex, claim: dict[str, Any], requests_used: list[dict[str, Any]]) -> Parties:
    """Who asks, who orders and who performs: the orders' requester and performer (the orders the
    items point to, else every order in the Bundle), then the care team by role; a Practitioner as
    Claim.provider orders when nobody else does."""
    ordering, servicing = parties_from_orders(index, requests_used or list(service_requests(index).values()))
    team_ordering, team_servicing = parties_from_care_team(index, claim)
    requester = party(index, claim.get("provider"))
    ordering = ordering or team_ordering
    if ordering is None and requester is not None and requester.resource_type == "Practitioner":
        ordering = requester
    return Parties(requester, ordering, servicing or team_servicing)


def service_requests(index: BundleIndex) -> dict[str | None, dict[str, Any]]:
    """The orders in the Bundle (ServiceRequest, MedicationRequest, DeviceRequest) by fullUrl."""
    return {
        e.get("fullUrl"): e["resource"]
        for e in index.entries
        if (e.get("resource") or {}).get("resourceType")
        in ("ServiceRequest", "MedicationRequest", "DeviceRequest")
    }


def parties_from_orders(
    index: BundleIndex, orders: list[dict[str, Any]]
) -> tuple[Party | None, Party | None]:
    """(ordering, servicing): the first requester and the first performer found in the Bundle."""
    ordering = servicing = None
    for requested in orders:
        ordering = ordering or party(index, requested.get("requester"))
        performers = requested.get("performer") or []
        for performer in [performers] if isinstance(performers, dict) else performers:  # MedicationRequest
            servicing = servicing or party(index, performer)
    return ordering, servicing


def parties_from_care_team(index: BundleIndex, claim: dict[str, Any]) -> tuple[Party | None, Party | None]:
    """(ordering, servicing) from Claim.careTeam: the first member with an ordering or referring
    role, and the first with a performing or facility role, found in the Bundle."""
    ordering = servicing = None
    for member in claim.get("careTeam", []):
        role = _code(member.get("role"))
        found = party(index, member.get("provider"))
        if found is None:
            continue
        if role in _ORDERING_ROLES and ordering is None:
            ordering = found
        elif role in _SERVICING_ROLES and servicing is None:
            servicing = found
    return ordering, servicing


# --- diagnoses, dates, urgency, program --------------------------------------------------------


def read_diagnoses(index: BundleIndex, claim: dict[str, Any]) -> tuple[tuple[str, ...], list[Issue]]:
    """Claim.diagnosis in sequence order (the first is the primary one) as ICD-10-CM codes, given
    directly or through a Condition in the Bundle."""
    issues: list[Issue] = []
    diagnoses = []
    ordered = sorted(claim.get("diagnosis", []), key=lambda d: d.get("sequence", 0))
    for number, diagnosis in enumerate(ordered):
        concept = diagnosis.get("diagnosisCodeableConcept")
        if concept is None and diagnosis.get("diagnosisReference"):
            condition = (
                _require(
                    issues,
                    index,
                    diagnosis["diagnosisReference"],
                    f"Claim.diagnosis[{number}]",
                    "Claim.diagnosis.diagnosisReference",
                )
                or {}
            )
            concept = condition.get("code")
        code = _code(concept, (v.ICD10CM,)) or _code(concept)
        if code:
            diagnoses.append(code)
    return tuple(diagnoses), issues


def read_service_date(
    claim: dict[str, Any], items: list[RequestedItem], index: BundleIndex | None = None
) -> date | None:
    """The planned date of service: the earliest item date, else the admission dates in
    supportingInfo (PAS category admissionDates), else the period of the Encounter the Claim names
    (the R5 Claim.encounter extension) or of the Bundle's Encounter, else Claim.billablePeriod.start."""
    dates = [item.service_date for item in items if item.service_date]
    if dates:
        return min(dates)
    for info in claim.get("supportingInfo", []):
        if _code(info.get("category"), (v.PAS_TEMP_CODES,)) == "admissionDates":
            found = _date(info.get("timingDate")) or _date((info.get("timingPeriod") or {}).get("start"))
            if found:
                return found
    if index is not None:
        named = [index.resource(e.get("valueReference")) for e in _extensions(claim, v.EXT_CLAIM_ENCOUNTER)]
        for encounter in [e for e in named if e] + index.of_type("Encounter"):
            found = _date((encounter.get("period") or {}).get("start"))
            if found:
                return found
    return _date((claim.get("billablePeriod") or {}).get("start"))


def read_urgency(claim: dict[str, Any], messages: tuple[tuple[str, str], ...]) -> tuple[bool, str]:
    """(urgent, reason): urgent when Claim.priority is stat, the level of service is urgent or
    emergency (X12 1338 U, 03), or a certification type is an immediate appeal (X12 1322 "1");
    the reason from the urgency-reason extension, else the first free-form message, else a sentence
    saying what in the request made it urgent (the reviewer sees it)."""
    levels = {_code(e.get("valueCodeableConcept")) for e in _extensions(claim, v.EXT_LEVEL_OF_SERVICE)}
    certifications = {certification_type(claim)} | {
        certification_type(item) for item in claim.get("item", [])
    }
    stat = _code(claim.get("priority"), (v.PROCESS_PRIORITY,)) == "stat"
    said = [
        said
        for said, present in (
            ("Claim.priority stat", stat),
            ("the X12 level of service urgent", bool(levels & v.URGENT_LEVELS)),
            ("the X12 certification type immediate", bool(certifications & v.URGENT_CERTIFICATIONS)),
        )
        if present
    ]
    reason = next((str(e.get("valueString", "")) for e in _extensions(claim, v.EXT_URGENCY_REASON)), "")
    if said and not reason and messages:
        reason = messages[0][0]
    if said and not reason:
        reason = f"Marked urgent by the ordering provider's system ({', '.join(said)}); no reason was given."
    return bool(said), reason


def read_program(claim: dict[str, Any], questionnaire: str) -> str:
    """The program the Claim names (extension), else the one its DTR questionnaire is for; "" if neither."""
    program = next((e.get("valueCode", "") for e in _extensions(claim, v.EXT_PROGRAM)), "")
    canonical = questionnaire.split("|")[0].rstrip("/")
    if not program and canonical.startswith(f"{v.QUESTIONNAIRE}/"):
        program = canonical.removeprefix(f"{v.QUESTIONNAIRE}/")
    elif not program and canonical.startswith(f"{served_questionnaires()}/"):
        # the form `$questionnaire-package` served ({PUBLIC_URL}/fhir/Questionnaire/<program>)
        program = canonical.removeprefix(f"{served_questionnaires()}/")
    return program


def served_questionnaires() -> str:
    """Where this server's DTR questionnaires live (their canonical URLs start so)."""
    return f"{get_settings().public_url}/fhir/Questionnaire"


def new_request_issues(items: list[RequestedItem]) -> list[Issue]:
    """What a new request (not an update) must say: at least one item. A missing date of service or
    diagnosis is not a refusal: the items that need them are answered pended, asking for them."""
    if items:
        return []
    return [Issue("required", "A request needs at least one item.", "Claim.item")]


# --- supportingInfo: messages, documents and DTR answers ---------------------------------------


@dataclass(frozen=True)
class SupportingInfo:
    messages: tuple[tuple[str, str], ...] = ()  # (text, change)
    attachments: tuple[Attachment, ...] = ()
    questionnaire: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    program_answers: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_supporting_info(index: BundleIndex, claim: dict[str, Any]) -> tuple[SupportingInfo, list[Issue]]:
    """Claim.supportingInfo: free-form messages (valueString), documents (DocumentReference) and
    DTR answers (QuestionnaireResponse); answers not listed there are taken from the Bundle."""
    issues: list[Issue] = []
    messages, attachments, questionnaire, answers = [], [], "", {}
    program_answers: dict[str, dict[str, Any]] = {}
    for number, info in enumerate(claim.get("supportingInfo", [])):
        expression = f"Claim.supportingInfo[{number}]"
        change = info_changed(info)
        if info.get("valueString"):
            messages.append((str(info["valueString"]), change))
            continue
        target = _require(
            issues, index, info.get("valueReference"), f"{expression}.valueReference", "Claim.supportingInfo"
        )
        if target is None:
            continue
        if target.get("resourceType") == "QuestionnaireResponse":
            questionnaire = str(target.get("questionnaire") or "")
            answers.update(questionnaire_answers(target.get("item", [])))
            program_answers.setdefault(read_program({}, questionnaire), {}).update(
                questionnaire_answers(target.get("item", []))
            )
        elif target.get("resourceType") == "DocumentReference":
            found, problems = document_attachments(target, int(info.get("sequence", number + 1)), change)
            attachments += found
            issues += problems
    if not answers:
        questionnaire, answers = bundle_answers(index, questionnaire)
        program_answers = {read_program({}, questionnaire): answers} if answers else {}
    return SupportingInfo(
        tuple(messages), tuple(attachments), questionnaire, answers, program_answers
    ), issues


def document_attachments(
    document: dict[str, Any], sequence: int, change: str
) -> tuple[list[Attachment], list[Issue]]:
    """The documents a DocumentReference carries as data (base64), each as an Attachment."""
    attachments, issues = [], []
    for content_number, content in enumerate(document.get("content", [])):
        attachment = content.get("attachment") or {}
        if not attachment.get("data"):
            continue
        try:
            data = base64.b64decode(attachment["data"], validate=True)
        except (binascii.Error, ValueError):
            issues.append(
                Issue(
                    "value",
                    "The attachment data is not valid base64.",
                    f"DocumentReference.content[{content_number}].attachment.data",
                )
            )
            continue
        filename = str(attachment.get("title") or document.get("description") or "document")
        attachments.append(Attachment(sequence, filename, data, change))
    return attachments, issues


def bundle_answers(index: BundleIndex, questionnaire: str) -> tuple[str, dict[str, Any]]:
    """DTR answers not listed in supportingInfo: the first QuestionnaireResponse in the Bundle that
    has any, with its questionnaire; (``questionnaire``, {}) when there is none."""
    answers: dict[str, Any] = {}
    for response in index.of_type("QuestionnaireResponse"):
        if not answers:
            questionnaire = str(response.get("questionnaire") or "")
            answers.update(questionnaire_answers(response.get("item", [])))
    return questionnaire, answers


def _family(patient: dict[str, Any]) -> str:
    for name in patient.get("name", []) or []:
        if name.get("family"):
            return str(name["family"]).strip()
    return ""


def _entry_copy(entry: dict[str, Any] | None) -> dict[str, Any]:
    if not entry:
        return {}
    return {"fullUrl": entry.get("fullUrl", ""), "resource": copy.deepcopy(entry.get("resource") or {})}


def without_attachment_data(raw: dict[str, Any]) -> dict[str, Any]:
    """A copy of the Bundle to keep: attachment bytes replaced by their SHA-256 (the documents
    themselves are stored as the order's documents)."""
    kept = copy.deepcopy(raw)
    for entry in kept.get("entry", []):
        resource = entry.get("resource") or {}
        if resource.get("resourceType") != "DocumentReference":
            continue
        for content in resource.get("content", []):
            attachment = content.get("attachment") or {}
            if "data" in attachment:
                digest = hashlib.sha256(str(attachment.pop("data")).encode()).hexdigest()
                attachment["hash"] = base64.b64encode(bytes.fromhex(digest)).decode()
    return kept


# --- $inquire --------------------------------------------------------------------------------


def parse_inquiry(raw: Any) -> InquiryRequest:
    """Validate a `$inquire` Bundle: the member ID, the NPIs the inquirer names, and optionally the
    original Claim identifier and the codes asked about."""
    validate_bundle(raw)
    index = BundleIndex(raw)
    claim = index.entries[0]["resource"]
    patient = index.resource(claim.get("patient")) or {}
    coverages = [index.resource(i.get("coverage")) or {} for i in claim.get("insurance", [])]
    member_number = (
        next((str(c.get("subscriberId")).strip() for c in coverages if c.get("subscriberId")), "")
        or _typed_identifier(patient, "MB")
        or _identifier(patient, v.SID_MEMBER)
    )
    if not member_number:
        raise PasProblem.one(
            400,
            "required",
            "An inquiry must give the member ID (Coverage.subscriberId or an "
            "identifier of type MB on the Patient).",
            "Claim.patient",
        )
    npis = set()
    for entry in index.entries:
        resource = entry.get("resource") or {}
        if resource.get("resourceType") in ("Practitioner", "Organization", "Location", "PractitionerRole"):
            npi = _identifier(resource, v.NPI)
            if npi:
                npis.add(npi)
    if not npis:
        raise PasProblem.one(
            400,
            "required",
            "An inquiry must name the ordering or rendering provider's NPI.",
            "Claim.provider",
        )
    identifier = next(
        (
            (str(i.get("system") or ""), str(i["value"]))
            for i in claim.get("identifier", [])
            if i.get("value")
        ),
        None,
    )
    codes = frozenset(
        str(c["code"]).upper()
        for item in claim.get("item", [])
        for c in _codings(item.get("productOrService"))
        if c.get("code") and c.get("system") in v.CODE_SYSTEMS
    )
    insurer = party(index, claim.get("insurer"))
    return InquiryRequest(
        member_number.upper(),
        _date(patient.get("birthDate")),
        insurer.plan_code if insurer else "",
        frozenset(npis),
        identifier,
        codes,
    )


def echo_entries(raw: dict[str, Any]) -> dict[str, Any]:
    """From a kept request Bundle: the Claim's identifier and type, and the Patient, insurer and
    requestor entries a response repeats."""
    index = BundleIndex(raw or {})
    if not index.entries:
        return {}
    claim = index.entries[0].get("resource") or {}
    identifier = next((i for i in claim.get("identifier", []) if i.get("value")), None)
    return {
        "claim_identifier": (str(identifier.get("system") or ""), str(identifier["value"]))
        if identifier
        else None,
        "claim_type": claim.get("type") or {},
        "patient": _entry_copy(index.entry(claim.get("patient"))),
        "insurer": _entry_copy(index.entry(claim.get("insurer"))),
        "requester": _entry_copy(index.entry(claim.get("provider"))),
    }
