"""The PAS API files a Claim whose item names X12 service type 2 (Surgical) as a surgical request, on
SQLite and PostgreSQL. The Claim is the PAS implementation guide's own surgical example
(tests/conformance/pas-examples, a copy of shared/conformance), read as it is and changed in code
only: a demo Evergreen (EVG) member, plan and ordering practice, and a colonoscopy the plan manages."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from portal_app.domain.enums import Program
from tests.conftest import BACKENDS
from tests.integration import pas_bundles as pb
from tests.integration.test_pas_api import _action, _order, _submit, _valid, api, demo, maple, receiver  # noqa: F401

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

SURGICAL_EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "conformance"
    / "pas-examples"
    / "pas-ig"
    / "SurgicalRequestBundleExample.json"
)
MEMBER = "EVG100000012"
COLONOSCOPY = "45378"  # on EVG's surgical list (programs/surgical/reference/surgical_codes.csv)
CPT = "http://www.ama-assn.org/go/cpt"
X12_PROVIDER_CODES = "https://codesystem.x12.org/005010/98"
ANSWERS_URL = "urn:uuid:5a0c1c4e-3f55-4b1e-9a57-2f1d0c0e7a01"


def _resource(raw: dict, resource_type: str, resource_id: str) -> dict:
    return next(
        e["resource"]
        for e in raw["entry"]
        if e["resource"]["resourceType"] == resource_type and e["resource"].get("id") == resource_id
    )


def _answers() -> dict:
    def coding(link_id: str, *codes: str) -> dict:
        return {"linkId": link_id, "answer": [{"valueCoding": {"code": code}} for code in codes]}

    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "https://ehr.example/Questionnaire/colonoscopy-order",
        "status": "completed",
        "subject": {"reference": "Patient/SubscriberExample"},
        "item": [
            coding("procedure", "colonoscopy"),
            coding("site_of_care", "ambulatory_surgery_center"),
            coding("colonoscopy_purpose", "diagnostic"),
            coding("colonoscopy_indications", "rectal_bleeding"),
        ],
    }


def _surgical_claim(session) -> dict:
    """The official surgical example for an EVG member: its parties made the demo's, its coronary
    bypass line a diagnostic colonoscopy two weeks ahead; the item's service type 2 kept."""
    raw = copy.deepcopy(json.loads(SURGICAL_EXAMPLE.read_text()))
    patient = _resource(raw, "Patient", "SubscriberExample")
    patient["identifier"] = [
        {
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB"}]},
            "system": "https://fhir.precert.invalid/sid/member-number",
            "value": MEMBER,
        }
    ]
    _resource(raw, "Organization", "InsurerExample")["identifier"] = [
        {"system": "https://fhir.precert.invalid/sid/health-plan", "value": "EVG"}
    ]
    _resource(raw, "Organization", "UMOExample")["identifier"] = [
        {"system": "urn:oid:2.16.840.1.113883.4.4", "value": pb.MAPLE_TAX_ID}
    ]
    _resource(raw, "Practitioner", "SurgicalPractitionerExample")["identifier"] = [
        {"system": "http://hl7.org/fhir/sid/us-npi", "value": pb.ORDERING_NPI}
    ]
    # The example's PractitionerRole names a Practitioner the Bundle lacks: it names the one it has,
    # and the care team says that it orders (X12 provider code DK, ordering physician).
    _resource(raw, "PractitionerRole", "SurgicalPractitionerRoleExample")["practitioner"] = {
        "reference": "Practitioner/SurgicalPractitionerExample"
    }
    claim = pb.claim(raw)
    claim["careTeam"][0]["role"] = {"coding": [{"system": X12_PROVIDER_CODES, "code": "DK"}]}
    # Where it is performed: the example's Location, made a demo facility of EVG's network (role FA).
    _resource(raw, "Location", "SurgicalLocationExample")["identifier"] = [
        {"system": "http://hl7.org/fhir/sid/us-npi", "value": pb.IMAGING_FACILITY_NPI}
    ]
    claim["careTeam"].append(
        {
            "sequence": 2,
            "provider": {"reference": "Location/SurgicalLocationExample"},
            "role": {"coding": [{"system": X12_PROVIDER_CODES, "code": "FA"}]},
        }
    )
    [item] = claim["item"]
    assert item["category"]["coding"][0] == {
        "system": "https://codesystem.x12.org/005010/1365",
        "code": "2",
        "display": "Surgical",
    }
    item["productOrService"] = {
        "coding": [{"system": CPT, "code": COLONOSCOPY, "display": "Colonoscopy, diagnostic"}]
    }
    item["servicedDate"] = pb.service_date().isoformat()
    # The example's 2020 admission gives way to the item's date; the answers come from the office's
    # questionnaire (linkId = the details field name, programs/surgical/pas.py).
    raw["entry"].append({"fullUrl": ANSWERS_URL, "resource": _answers()})
    claim["supportingInfo"] = [
        {
            "sequence": 1,
            "category": {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes",
                        "code": "additionalInformation",
                    }
                ]
            },
            "valueReference": {"reference": ANSWERS_URL},
        }
    ]
    return pb.for_member(raw, session, MEMBER)


# The fixtures come from test_pas_api (imported above), hence the redefinition ruff sees.
def test_a_claim_naming_service_type_2_becomes_a_surgical_request(
    demo,  # noqa: F811
    api,  # noqa: F811
    maple,  # noqa: F811
):
    response = _valid(_submit(api, maple, _surgical_claim(demo)))
    order = _order(demo, response["preAuthRef"])
    assert order.program == Program.SURGICAL
    assert response["outcome"] == "complete", response.get("processNote")
    [item] = response["item"]
    assert _action(item) == "A1"  # the colonoscopy criterion met from the questionnaire's answers
    assert order.details["procedure"] == "colonoscopy"
