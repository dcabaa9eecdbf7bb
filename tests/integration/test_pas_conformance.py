"""The official Da Vinci PAS 2.2.1 examples (and the HL7 reference implementation's request), replayed
against `$submit` and `$inquire` as a new integrator would send them, unchanged.

Every file under `tests/conformance/pas-examples/` is tested (discovered from the folder, so a file
added later is tested without editing this module): request Bundles are submitted as sent and
must be answered 200 with a ClaimResponse that validates with `fhir.resources` and carries a review
action per item; a Bundle that is not valid FHIR R4 must be a 400 naming its problems; an inquiry
finds the request it names, and an unknown member gives an empty result (PAS 2.2: a Parameters of
0..* Bundles); response examples and definitions must be valid FHIR R4 resources.

The examples' member, insurer, requesting organization and practitioners are loaded into the test
database by the fixture `pas_example_parties`, the way the demo data loads its own (models
through the session), so that "accepted as sent" is tested honestly: nothing in the product knows
about these examples. Variants (mixed programs, added items, urgency, attachment types) are built
in code from the project's own bundles and the examples, never by editing the files.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import date
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.parameters import Parameters
from pydantic import ValidationError
from sqlmodel import select

from portal_app.domain.enums import FacilityType, LineOfBusiness, Sex
from portal_app.models import (
    Document,
    Facility,
    HealthPlan,
    Member,
    Order,
    OrderLine,
    Practice,
    Provider,
    ReviewTask,
)
from tests.conftest import BACKENDS
from tests.integration import pas_bundles as pb
from tests.integration import test_pas_api as pas_api
from tests.integration.test_pas_api import _action, _submit, _valid

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

demo, api = pas_api.demo, pas_api.api  # the same fixtures: demo data, the routes on its database

EXAMPLES = Path(__file__).resolve().parents[1] / "conformance" / "pas-examples"
FILES = sorted(EXAMPLES.rglob("*.json"))
INQUIRE = "/fhir/Claim/$inquire"
EXAMPLE_TAX_ID = "90-2000001"  # given to the examples' requesting organization, which names none


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _claim(raw: dict) -> dict | None:
    entries = raw.get("entry") or [] if raw.get("resourceType") == "Bundle" else []
    first = (entries[0].get("resource") or {}) if entries else {}
    return first if first.get("resourceType") == "Claim" else None


def _is_inquiry(claim: dict) -> bool:
    return any(p.endswith("profile-claim-inquiry") for p in (claim.get("meta") or {}).get("profile", []))


def _valid_r4(raw: dict) -> bool:
    try:
        Bundle.model_validate(raw)
    except (ValidationError, ValueError, KeyError, TypeError):
        return False
    return True


def _by_claim_id(claim_id: str) -> dict:
    """The example request whose Claim has ``claim_id`` (an update names its original so)."""
    for path in FILES:
        raw = _load(path)
        claim = _claim(raw)
        if claim and claim.get("id") == claim_id and not claim.get("related"):
            return raw
    raise AssertionError(f"no example Claim {claim_id}")


def _original_for_inquiry(inquiry: dict) -> dict:
    """The example request the inquiry asks about: same Claim identifier and requested codes."""
    wanted = pb.claim(inquiry)["identifier"][0]
    codes = {c["code"] for i in pb.claim(inquiry)["item"] for c in i["productOrService"]["coding"]}
    for path in FILES:
        raw = _load(path)
        claim = _claim(raw)
        if not claim or _is_inquiry(claim) or claim.get("related") or not _valid_r4(raw):
            continue
        mine = {c["code"] for i in claim["item"] for c in i["productOrService"]["coding"]}
        if claim["identifier"][0] == wanted and mine == codes:
            return raw
    raise AssertionError("no example request for the inquiry")


@pytest.fixture
def pas_example_parties(demo):
    """The examples' Patient/Coverage (member 1122334455 of MARYLAND CAPITAL INSURANCE COMPANY),
    requesting Organization (DR. JOE SMITH CORPORATION, NPI 8189991234) and Practitioner (Susan
    Watson, NPI 1234567893), loaded through the models as the demo data loads its own. The Patient
    gives no birth date; one is made up for the record (the API then confirms by family name)."""
    plan = HealthPlan(code="MCI", name="MARYLAND CAPITAL INSURANCE COMPANY")
    practice = Practice(tax_id=EXAMPLE_TAX_ID, name="DR. JOE SMITH CORPORATION", share_orders=True)
    demo.add_all([plan, practice])
    demo.flush()
    address = {"address_line": "111 1ST STREET", "city": "SAN DIEGO", "state": "CA", "postal_code": "92101"}
    demo.add(
        Member(
            plan_id=plan.id,
            member_number="1122334455",
            first_name="JOE",
            last_name="SMITH",
            date_of_birth=date(1960, 1, 1),
            sex=Sex.MALE,
            line_of_business=LineOfBusiness.COMMERCIAL_HMO_POS,
            eligibility_start=date(2000, 1, 1),
            **address,
        )
    )
    demo.add(
        Provider(
            npi="1234567893",
            first_name="SUSAN",
            last_name="WATSON",
            specialty="Internal medicine",
            phone="4029993456",
            fax="4029993457",
            tax_id=EXAMPLE_TAX_ID,
            **address,
        )
    )
    demo.add(
        Facility(
            npi="8189991234",
            name="DR. JOE SMITH CORPORATION",
            facility_type=FacilityType.PHYSICIAN_OFFICE,
            phone="6195550100",
            fax="6195550101",
            tax_id=EXAMPLE_TAX_ID,
            **address,
        )
    )
    demo.commit()
    return pb.register(demo, tax_id=EXAMPLE_TAX_ID)


def _items_answered(body: dict, claim: dict) -> dict:
    response = _valid(body)
    sequences = sorted(item["sequence"] for item in claim["item"])
    assert sorted(item["itemSequence"] for item in response["item"]) == sequences
    for item in response["item"]:
        assert _action(item) in {"A1", "A3", "A4", "A6", "C", "CT"}
    return response


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_every_example_file(path, pas_example_parties, api, demo):
    client = pas_example_parties
    raw = _load(path)
    claim = _claim(raw)
    if claim is None:  # response examples and the guide's definitions: valid FHIR R4 as published
        if path.suffix == ".json" and raw.get("resourceType") == "Bundle":
            Bundle.model_validate(raw)
        return
    if not _valid_r4(raw):  # the RI's pre-STU 2 bundle: refused, each problem named with its path
        answer = api.post(pb_submit(), json=raw, headers=client.headers(api))
        assert answer.status_code == 400, answer.text
        issues = answer.json()["issue"]
        assert issues and all(issue.get("expression") for issue in issues)
        assert any("clinicalStatus" in issue["diagnostics"] for issue in issues)
        return
    if _is_inquiry(claim):
        original = _original_for_inquiry(raw)
        _submit(api, client, original)
        found = _inquire(api, client, raw)
        assert len(found) == 1
        inquired = found[0]["entry"][0]["resource"]
        assert inquired["request"]["identifier"]["value"] == pb.claim(original)["identifier"][0]["value"]
        assert found[0]["meta"]["profile"][0].endswith("profile-pas-inquiry-response-bundle")
        unknown = copy.deepcopy(raw)
        next(e for e in unknown["entry"] if e["resource"]["resourceType"] == "Coverage")["resource"][
            "subscriberId"
        ] = "9999999999"
        assert _inquire(api, client, unknown) == []
        return
    if claim.get("related"):  # an update: its original first
        original = _by_claim_id(claim["related"][0]["claim"]["reference"].rpartition("/")[2])
        _items_answered(_submit(api, client, original), pb.claim(original))
    _items_answered(_submit(api, client, raw), claim)


def pb_submit() -> str:
    return "/fhir/Claim/$submit"


def _inquire(api, client, raw: dict) -> list[dict]:
    answer = api.post(INQUIRE, json=raw, headers=client.headers(api))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    Parameters.model_validate(body)
    bundles = [p["resource"] for p in body.get("parameter", []) if p["name"] == "return"]
    for one in bundles:
        Bundle.model_validate(one)
    return bundles


# --- variants built in code --------------------------------------------------------------------


def _imaging(session, member: str, **changes) -> dict:
    return pb.for_member(pb.bundle("imaging-approved"), session, member, **changes)


def _add_item(raw: dict, sequence: int, system: str, code: str, **extra) -> None:
    pb.claim(raw)["item"].append(
        {
            "sequence": sequence,
            "productOrService": {"coding": [{"system": system, "code": code}]},
            "servicedDate": pb.claim(raw)["item"][0]["servicedDate"],
            **extra,
        }
    )


def test_a_claim_spanning_programs_is_never_falsely_not_managed(demo, api):
    client = pb.register(demo)
    raw = _imaging(demo, "EVG100000016")
    _add_item(raw, 2, "http://www.ama-assn.org/go/cpt", "20930")
    body = _submit(api, client, raw)
    response = _valid(body)
    notes = " ".join(note["text"] for note in response["processNote"])
    assert "20930 is not managed" not in notes and "not on" not in notes
    actions = {item["itemSequence"]: _action(item) for item in response["item"]}
    assert actions[1] == "A1" and actions[2] in {"A1", "A4"}  # 20930: musculoskeletal, per item


def test_an_update_adding_an_item_reviews_the_new_line(demo, api):
    client = pb.register(demo)
    raw = _imaging(demo, "EVG100000020")
    first = _valid(_submit(api, client, raw))
    update = pb.update_of(raw)
    added = copy.deepcopy(pb.claim(raw)["item"][0])
    added["sequence"] = 2
    added["productOrService"]["coding"][0]["code"] = "20930"
    added.pop("extension", None)
    added["extension"] = [{"url": f"{pb.PAS}/extension-infoChanged", "valueCode": "added"}]
    pb.claim(update)["item"] = [added]
    response = _valid(_submit(api, client, update))
    sequences = {item["itemSequence"]: _action(item) for item in response["item"]}
    assert 1 in sequences and 2 in sequences and sequences[2] in {"A1", "A4"}
    assert response["preAuthRef"] == first["preAuthRef"]


def test_urgency_read_from_the_certification_type_without_a_precert_extension(demo, api):
    client = pb.register(demo)
    raw = _imaging(demo, "EVG100000024")
    claim = pb.claim(raw)
    claim["priority"] = {
        "coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]
    }
    claim["extension"] = [e for e in claim.get("extension", []) if "urgency-reason" not in e["url"]]
    claim["item"][0].setdefault("extension", []).append(
        {
            "url": f"{pb.PAS}/extension-certificationType",
            "valueCodeableConcept": {
                "coding": [{"system": "https://codesystem.x12.org/005010/1322", "code": "1"}]
            },
        }
    )
    response = _valid(_submit(api, client, raw))
    order = demo.exec(select(Order).where(Order.order_number == response["preAuthRef"])).one()
    assert order.urgency == "urgent" and order.urgency_reason  # its free-form message is the reason


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", b"Physical therapy notes: six weeks, no improvement."),
        ("application/xml", b'<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"/>'),
        ("application/pdf", b"%PDF-1.7\n%test\n"),
    ],
)
def test_attachment_types_pas_examples_use_are_kept(demo, api, content_type, data):
    client = pb.register(demo)
    raw = pb.for_member(pb.bundle("imaging-pended"), demo, "EVG100000028")
    raw["entry"].append(
        {
            "fullUrl": "urn:uuid:0d6f0b5e-0000-4000-8000-00000000d0c1",
            "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "content": [
                    {"attachment": {"contentType": content_type, "data": base64.b64encode(data).decode()}}
                ],
            },
        }
    )
    pb.claim(raw).setdefault("supportingInfo", []).append(
        {
            "sequence": 9,
            "category": {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes",
                        "code": "additionalInformation",
                    }
                ]
            },
            "valueReference": {"reference": "urn:uuid:0d6f0b5e-0000-4000-8000-00000000d0c1"},
        }
    )
    response = _valid(_submit(api, client, raw))
    order = demo.exec(select(Order).where(Order.order_number == response["preAuthRef"])).one()
    kept = demo.exec(select(Document).where(Document.order_id == order.id)).all()
    assert kept and kept[-1].media_type in {content_type, "text/xml", "application/xml"}


# --- one order per program, added lines, a missing diagnosis, the date of service ----------------

QUESTIONNAIRE = "https://fhir.precert.invalid/Questionnaire"
CPT, HCPCS = "http://www.ama-assn.org/go/cpt", "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
# The wizard's spine fusion details (tests/integration/test_msk_outpatient_orders.py), with more weeks
# of conservative care than the imaging answers give: each order must keep its own program's answer.
FUSION = {
    "category": "spine",
    "procedure": "lumbar_fusion",
    "setting": "inpatient",
    "levels": 1,
    "weeks_conservative_care": 12,
    "imaging_findings": ["instability"],
}


def _answer(value) -> list[dict]:
    values = value if isinstance(value, list) else [value]
    return [
        {"valueInteger": one}
        if isinstance(one, int)
        else {"valueDate": one.isoformat()}
        if isinstance(one, date)
        else {"valueCoding": {"code": one}}
        for one in values
    ]


def _with_answers(raw: dict, program: str, answers: dict, *, first: bool = False) -> None:
    """A QuestionnaireResponse of ``program``'s DTR form listed in Claim.supportingInfo (first or last)."""
    url = f"urn:uuid:0d6f0b5e-0000-4000-8000-{abs(hash(program)) % 10**12:012d}"
    raw["entry"].append(
        {
            "fullUrl": url,
            "resource": {
                "resourceType": "QuestionnaireResponse",
                "questionnaire": f"{QUESTIONNAIRE}/{program}",
                "status": "completed",
                "item": [{"linkId": link, "answer": _answer(value)} for link, value in answers.items()],
            },
        }
    )
    info = pb.claim(raw).setdefault("supportingInfo", [])
    listed = {
        "sequence": max((i["sequence"] for i in info), default=0) + 1,
        "category": {
            "coding": [
                {
                    "system": f"{pb.PAS.rpartition('/')[0]}/CodeSystem/PASTempCodes",
                    "code": "additionalInformation",
                }
            ]
        },
        "valueReference": {"reference": url},
    }
    info.insert(0, listed) if first else info.append(listed)


def _diagnose(raw: dict, *codes: str) -> None:
    diagnoses = pb.claim(raw).setdefault("diagnosis", [])
    for code in codes:
        diagnoses.append(
            {
                "sequence": len(diagnoses) + 1,
                "diagnosisCodeableConcept": {"coding": [{"system": ICD10, "code": code}]},
            }
        )


def _number(item: dict) -> str:
    """The reviewAction number of a response item: the order number and line that answered it."""
    [adjudication] = item["adjudication"]
    [review_action] = [e for e in adjudication["extension"] if e["url"].endswith("extension-reviewAction")]
    return next(e["valueString"] for e in review_action["extension"] if e["url"] == "number")


def _lines_by_code(session, member_number: str) -> dict[str, tuple[Order, OrderLine]]:
    member = session.exec(select(Member).where(Member.member_number == member_number)).one()
    session.expire_all()
    orders = session.exec(
        select(Order).where(Order.member_id == member.id, Order.order_number.is_not(None))
    ).all()
    return {
        line.code: (order, line)
        for order in orders
        for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    }


@pytest.mark.parametrize("imaging_answers_last", [False, True], ids=["msk-last", "imaging-last"])
def test_a_claim_spanning_imaging_and_musculoskeletal_becomes_one_order_per_program(
    demo, api, imaging_answers_last
):
    """Lumbar MRI + lumbar fusion with bone graft, each program's answers in its own questionnaire:
    two orders, each with its own number, program, lines and answers, each line answered by the
    order of its program (its own preAuthRef-like item number) and each order submitted for review."""
    client = pb.register(demo)
    member = "EVG100000016"
    raw = _imaging(demo, member)
    _add_item(raw, 2, CPT, "22612")
    _add_item(raw, 3, CPT, "20930")
    _diagnose(raw, "M43.16")
    _with_answers(raw, "musculoskeletal", FUSION, first=imaging_answers_last)
    response = _valid(_submit(api, client, raw))
    actions = {item["itemSequence"]: _action(item) for item in response["item"]}
    assert actions == {1: "A1", 2: "A1", 3: "A1"}, response["processNote"]
    lines = _lines_by_code(demo, member)
    imaging, msk = lines["72148"][0], lines["22612"][0]
    assert lines["20930"][0].id == msk.id and imaging.id != msk.id
    assert (imaging.program, msk.program) == ("imaging", "musculoskeletal")
    assert imaging.order_number and msk.order_number and imaging.order_number != msk.order_number
    assert {line.code for _, line in lines.values() if _.id == msk.id} == {"22612", "20930"}
    # each order holds its own program's answers, not the other questionnaire's
    assert imaging.details["modality"] == "mri" and imaging.details["weeks_conservative_care"] == 8
    assert msk.details["procedure"] == "lumbar_fusion" and msk.details["weeks_conservative_care"] == 12
    assert all(order.submitted_at for order in (imaging, msk))
    numbers = {item["itemSequence"]: _number(item) for item in response["item"]}
    assert numbers[1].startswith(f"{imaging.order_number}-")
    assert numbers[2].startswith(f"{msk.order_number}-") and numbers[3].startswith(f"{msk.order_number}-")


def _resource_of(raw: dict, resource_type: str) -> dict:
    return next(e["resource"] for e in raw["entry"] if e["resource"]["resourceType"] == resource_type)


@pytest.mark.parametrize(
    ("bundle", "member", "code", "program"),
    [
        ("rehab-visits", "LKS100000013", "97110", "rehabilitation"),  # Lakeshore: imaging + rehabilitation
        ("oncology-regimen", "RVB100000007", "J9355", "medical_oncology"),  # Riverbend: + medical oncology
    ],
)
def test_rehabilitation_and_oncology_items_beside_imaging_are_answered_by_their_own_programs(
    demo, api, bundle, member, code, program
):
    """The project's therapy-visit (97110) and TCHP regimen (J9355...) bundles, for a member of a plan
    delegating that program and imaging, with a lumbar MRI and its imaging questionnaire added: no
    item is "not managed"; the program's items are on an order of that program and the MRI on an
    imaging order, each with its own number, each item answered with its own order's number."""
    client = pb.register(demo, tax_id=pb.HARBOR_TAX_ID)  # the bundles' requesting organization
    raw = pb.for_member(pb.bundle(bundle), demo, member)
    for resource in (e["resource"] for e in raw["entry"]):  # the insurer: the member's plan
        for identifier in (
            resource.get("identifier", []) if resource["resourceType"] == "Organization" else []
        ):
            if identifier.get("system", "").endswith("/sid/health-plan"):
                identifier["value"] = member[:3]
    for group in _resource_of(raw, "QuestionnaireResponse")["item"]:  # carboplatin is dosed for SUM's
        if (
            group["linkId"] == "drugs"
            and group["item"][0]["answer"][0]["valueCoding"]["code"] == "carboplatin"
        ):
            reason = "AUC 6 dose from the measured clearance, as on the regimen's first cycle."
            group["item"].append({"linkId": "deviation_reason", "answer": [{"valueString": reason}]})
    imaging = _imaging(demo, member)
    mri = copy.deepcopy(pb.claim(imaging)["item"][0])
    mri["sequence"] = len(pb.claim(raw)["item"]) + 1
    mri["extension"] = [e for e in mri["extension"] if "requestedService" not in e["url"]]
    mri["diagnosisSequence"] = [1]
    mri.pop("informationSequence", None)
    mri.pop("careTeamSequence", None)
    pb.claim(raw)["item"].append(mri)
    _with_answers(raw, "imaging", {})
    _resource_of_url(raw, "imaging")["item"] = _resource_of(imaging, "QuestionnaireResponse")["item"]
    response = _valid(_submit(api, client, raw))
    actions = {item["itemSequence"]: _action(item) for item in response["item"]}
    notes = " ".join(note["text"] for note in response["processNote"])
    assert "not managed" not in notes and "CT" not in actions.values(), notes
    lines = _lines_by_code(demo, member)
    assert code in lines and "72148" in lines, notes
    assert lines[code][0].program == program and lines["72148"][0].program == "imaging"
    numbers = {item["itemSequence"]: _number(item) for item in response["item"]}
    for sequence, item in ((i["sequence"], i) for i in pb.claim(raw)["item"]):
        order = lines[item["productOrService"]["coding"][0]["code"]][0]
        assert order.submitted_at and numbers[sequence].startswith(f"{order.order_number}-")
    assert lines[code][0].order_number != lines["72148"][0].order_number
    assert {o.program for o, _ in lines.values()} == {program, "imaging"}
    assert len({o.order_number for o, _ in lines.values()}) == 2


def _resource_of_url(raw: dict, program: str) -> dict:
    return next(
        e["resource"]
        for e in raw["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
        and e["resource"]["questionnaire"].endswith(f"/{program}")
    )


def _fusion(session, member: str) -> dict:
    """The project's imaging bundle turned into a lumbar fusion request (22612) with the wizard's
    spine fusion answers in the musculoskeletal questionnaire."""
    raw = _imaging(session, member)
    item = pb.claim(raw)["item"][0]
    item["productOrService"] = {"coding": [{"system": CPT, "code": "22612"}]}
    item.pop("category")
    questionnaire = _resource_of(raw, "QuestionnaireResponse")
    questionnaire["questionnaire"] = f"{QUESTIONNAIRE}/musculoskeletal"
    questionnaire["item"] = [{"linkId": link, "answer": _answer(value)} for link, value in FUSION.items()]
    pb.claim(raw)["diagnosis"] = []
    _diagnose(raw, "M43.16")
    return raw


def test_an_update_adding_lines_of_the_same_program_enters_and_reviews_them(demo, api):
    """A fusion request (22612, authorized at once), then an update adding the bone graft (20930)
    and a bone growth stimulator (E0748) flagged infoChanged=added: the added lines are entered
    (docs/pas-api.md: as a new order of the request, of the same program, with its own number),
    reviewed by the rules, and the pended ones are in a reviewer's queue; the response answers all
    three items, each with the number of the order holding it, under the request's first number."""
    client = pb.register(demo)
    member = "EVG100000024"
    raw = _fusion(demo, member)
    first = _valid(_submit(api, client, raw))
    assert [_action(item) for item in first["item"]] == ["A1"], first["processNote"]
    update = pb.update_of(raw)
    added = []
    for sequence, (system, code) in enumerate([(CPT, "20930"), (HCPCS, "E0748")], 2):
        line = copy.deepcopy(pb.claim(raw)["item"][0])
        line["sequence"] = sequence
        line["productOrService"] = {"coding": [{"system": system, "code": code}]}
        line["extension"] = [{"url": f"{pb.PAS}/extension-infoChanged", "valueCode": "added"}]
        added.append(line)
    pb.claim(update)["item"] = added
    response = _valid(_submit(api, client, update))
    assert response["preAuthRef"] == first["preAuthRef"]
    actions = {item["itemSequence"]: _action(item) for item in response["item"]}
    # E0748 with no non-union risk waits for a reviewer (as in the wizard). 20930 too: criterion BG-1
    # ("with a spinal fusion in the same request") is judged on the new order alone (see the report).
    assert actions == {1: "A1", 2: "A4", 3: "A4"}, response["processNote"]
    lines = _lines_by_code(demo, member)
    fusion, added_order = lines["22612"][0], lines["20930"][0]
    assert fusion.order_number == first["preAuthRef"] and lines["E0748"][0].id == added_order.id
    assert added_order.program == fusion.program == "musculoskeletal" and added_order.submitted_at
    assert added_order.order_number != fusion.order_number
    assert {lines["20930"][1].decision, lines["E0748"][1].decision} == {"pended"}
    task = demo.exec(select(ReviewTask).where(ReviewTask.order_id == added_order.id)).one()
    assert task.status == "open" and task.program == "musculoskeletal"
    numbers = {item["itemSequence"]: _number(item) for item in response["item"]}
    assert numbers[1].startswith(f"{fusion.order_number}-")
    assert numbers[2].startswith(f"{added_order.order_number}-") and numbers[3].startswith(
        f"{added_order.order_number}-"
    )


def test_a_managed_item_without_a_diagnosis_is_pended_asking_for_one(demo, api):
    """Diagnosis is optional in PAS: the request is answered 200 with the item pended (A4) naming
    the missing diagnosis and how to send it, not refused with a 400; no order is made without it."""
    client = pb.register(demo)
    member = "EVG100000028"
    raw = _imaging(demo, member)
    pb.claim(raw).pop("diagnosis")
    pb.claim(raw)["item"][0].pop("diagnosisSequence", None)
    response = _valid(_submit(api, client, raw))
    [item] = response["item"]
    assert _action(item) == "A4"
    [note] = response["processNote"]
    assert "ICD-10-CM diagnosis (Claim.diagnosis)" in note["text"] and "update" in note["text"]
    assert "date of service" not in note["text"]  # only what is missing is named
    assert _lines_by_code(demo, member) == {}
