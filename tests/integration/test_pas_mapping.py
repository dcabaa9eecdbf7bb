"""The pure halves of the PAS API: a request Bundle read as wizard inputs, DTR answers shaped for a
program's details, the program told from the request, and an order's state written as a ClaimResponse.
No database; the example Bundles of `pas_bundles/`."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, date, datetime

import pytest
from fhir.resources.R4B.bundle import Bundle

from portal_app.domain.enums import Program
from portal_app.programs.imaging.domain import ImagingDetails
from portal_app.services.pas import vocabulary as v
from portal_app.services.pas.outcomes import PasProblem
from portal_app.services.pas.programs import details_from_answers, named_program, resolve_program
from portal_app.services.pas.requests import (
    parse_inquiry,
    parse_submit,
    questionnaire_answers,
    without_attachment_data,
)
from portal_app.services.pas.responses import Echo, LineView, OrderView, claim_response, response_bundle
from tests.integration import pas_bundles as pb

CREATED = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_an_imaging_bundle_reads_as_the_wizard_asks():
    request = parse_submit(pb.bundle("imaging-approved"))
    assert (request.identifier_system, request.identifier_value) == (
        "urn:trnorg:1901000001",
        "MAPLE-IMG-0001",
    )
    assert (request.member_number, request.patient_family, request.patient_birth_date) == (
        "EVG100000012",
        "Synthwell",
        date(2004, 4, 14),
    )
    assert (request.ordering.npi, request.servicing.npi, request.servicing.resource_type) == (
        "1990000006",
        "2990000038",
        "Organization",
    )
    assert (request.requester.tax_id, request.requester.fax, request.insurer.plan_code) == (
        "90-1000001",
        "555-0102",
        "EVG",
    )
    assert request.diagnoses == ("M54.50",)  # from the Condition the diagnosis points to
    [item] = request.items
    assert (item.sequence, item.code_system, item.code, item.quantity, item.category) == (
        1,
        "CPT",
        "72148",
        1,
        "62",
    )
    assert item.trace_number["value"].endswith("-item-1")
    assert (request.program, request.service_date, request.urgent) == ("imaging", date(2026, 12, 7), False)
    assert request.answers["weeks_conservative_care"] == 8 and request.answers["modality"] == "mri"
    assert request.messages[0][0].startswith("Eight weeks of back pain")
    assert not request.is_update and not request.cancels_everything


def test_the_request_hash_ignores_the_bundle_wrapping_but_not_the_claim():
    raw = pb.bundle("imaging-approved")
    wrapped = copy.deepcopy(raw)
    wrapped["id"], wrapped["timestamp"] = "another", "2026-11-24T00:00:00+00:00"
    pb.claim(wrapped)["meta"] = {"versionId": "2"}
    changed = copy.deepcopy(raw)
    pb.claim(changed)["item"][0]["quantity"] = {"value": 2}
    assert parse_submit(raw).request_hash == parse_submit(wrapped).request_hash
    assert parse_submit(raw).request_hash != parse_submit(changed).request_hash


def test_urgency_comes_from_priority_or_level_of_service_with_its_reason():
    raw = pb.bundle("imaging-approved")
    pb.claim(raw)["extension"] = [
        {
            "url": v.EXT_LEVEL_OF_SERVICE,
            "valueCodeableConcept": {"coding": [{"system": v.X12_LEVEL_OF_SERVICE, "code": "U"}]},
        },
        {"url": v.EXT_URGENCY_REASON, "valueString": "Progressive weakness in the left leg."},
    ]
    request = parse_submit(raw)
    assert request.urgent and request.urgency_reason == "Progressive weakness in the left leg."
    stat = pb.bundle("imaging-approved")
    pb.claim(stat)["priority"]["coding"][0]["code"] = "stat"
    assert parse_submit(stat).urgent and parse_submit(stat).urgency_reason.startswith("Eight weeks")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"certification": "3"}, True),
        ({"status": "cancelled"}, True),
        ({"cancel_items": True}, True),
        ({}, False),
    ],
)
def test_what_an_update_cancels(change, expected):
    raw = pb.update_of(pb.bundle("imaging-approved"))
    claim = pb.claim(raw)
    claim["item"] = copy.deepcopy(pb.claim(pb.bundle("imaging-approved"))["item"])
    if "certification" in change:
        claim["extension"] = [
            {
                "url": v.EXT_CERTIFICATION_TYPE,
                "valueCodeableConcept": {
                    "coding": [{"system": v.X12_CERTIFICATION_TYPE, "code": change["certification"]}]
                },
            }
        ]
    if "status" in change:
        claim["status"] = change["status"]
    if change.get("cancel_items"):
        claim["item"][0]["modifierExtension"] = [{"url": v.EXT_INFO_CANCELLED, "valueBoolean": True}]
    request = parse_submit(raw)
    assert request.is_update and request.related == ("urn:trnorg:1901000001", "MAPLE-IMG-0001")
    assert request.cancels_everything is expected


def test_neither_an_update_nor_a_new_request_is_refused_for_want_of_a_date_or_diagnosis():
    """PAS makes both optional: the service pends the items that need them, asking for them."""
    raw = pb.update_of(pb.bundle("imaging-approved"))
    del pb.claim(raw)["diagnosis"]
    assert parse_submit(raw).is_update
    new = pb.bundle("imaging-approved")
    del pb.claim(new)["diagnosis"]
    pb.claim(new)["item"][0].pop("servicedDate")
    request = parse_submit(new)
    assert (request.diagnoses, request.service_date) == ((), None)


def test_questionnaire_answers_keep_groups_repeats_and_several_answers():
    items = [
        {
            "linkId": "red_flags",
            "answer": [
                {"valueCoding": {"code": "recent_trauma"}},
                {"valueCoding": {"code": "history_of_cancer"}},
            ],
        },
        {
            "linkId": "cardiac",
            "item": [{"linkId": "chest_pain_type", "answer": [{"valueCoding": {"code": "typical"}}]}],
        },
        {"linkId": "drugs", "item": [{"linkId": "component", "answer": [{"valueString": "a"}]}]},
        {"linkId": "drugs", "item": [{"linkId": "component", "answer": [{"valueString": "b"}]}]},
        {"linkId": "unanswered"},
        {"linkId": "weeks", "answer": [{"valueInteger": 3}]},
    ]
    assert questionnaire_answers(items) == {
        "red_flags": ["recent_trauma", "history_of_cancer"],
        "cardiac": {"chest_pain_type": "typical"},
        "drugs": [{"component": "a"}, {"component": "b"}],
        "weeks": 3,
    }


def test_answers_are_shaped_for_the_programs_details_schema():
    answers = {
        "modality": "cardiac_ct",
        "body_part": "heart",
        "clinical_indication": "chest_pain",
        "red_flags": "recent_trauma",
        "site_of_care": "free_standing",
        "not_a_field": 1,
        "cardiac": {
            "chest_pain_type": "atypical",
            "risk_factors": "smoking",
            "prior_tests": {"test": "exercise_ecg", "result": "inconclusive"},
        },
    }
    details = details_from_answers(ImagingDetails, answers)
    assert "not_a_field" not in details
    assert details["red_flags"] == ["recent_trauma"]  # one answer to a list question
    assert details["cardiac"]["risk_factors"] == ["smoking"]
    assert details["cardiac"]["prior_tests"] == [{"test": "exercise_ecg", "result": "inconclusive"}]
    validated = ImagingDetails.model_validate(details, context={"member_age": 60})
    assert validated.cardiac.prior_tests[0].result == "inconclusive"


def test_answers_under_the_served_path_link_ids_map_back_to_the_details():
    """The DTR questionnaire names a nested question by its path (unique linkIds, FHIR que-2)."""
    items = [
        {
            "linkId": "cardiac",
            "item": [
                {"linkId": "cardiac.chest_pain_type", "answer": [{"valueCoding": {"code": "atypical"}}]},
                {
                    "linkId": "cardiac.prior_tests",
                    "item": [
                        {
                            "linkId": "cardiac.prior_tests.test",
                            "answer": [{"valueCoding": {"code": "exercise_ecg"}}],
                        },
                        {
                            "linkId": "cardiac.prior_tests.result",
                            "answer": [{"valueCoding": {"code": "inconclusive"}}],
                        },
                    ],
                },
            ],
        }
    ]
    details = details_from_answers(ImagingDetails, questionnaire_answers(items))
    assert details["cardiac"] == {
        "chest_pain_type": "atypical",
        "prior_tests": [{"test": "exercise_ecg", "result": "inconclusive"}],
    }


def test_the_program_comes_from_the_extension_the_questionnaire_the_service_type_or_the_codes():
    raw = pb.bundle("imaging-approved")
    assert named_program(parse_submit(raw)) == Program.IMAGING  # the questionnaire
    assert named_program(parse_submit(pb.bundle("rehab-visits"))) == Program.REHABILITATION
    assert named_program(parse_submit(pb.bundle("oncology-regimen"))) == Program.MEDICAL_ONCOLOGY
    by_category = copy.deepcopy(raw)
    by_category["entry"] = [
        e for e in by_category["entry"] if e["resource"]["resourceType"] != "QuestionnaireResponse"
    ]
    pb.claim(by_category)["supportingInfo"] = pb.claim(by_category)["supportingInfo"][1:]
    assert named_program(parse_submit(by_category)) == Program.IMAGING  # 62 MRI/CAT scan
    by_code = copy.deepcopy(by_category)
    del pb.claim(by_code)["item"][0]["category"]
    request = parse_submit(by_code)
    assert named_program(request) is None
    assert resolve_program(request, plan_code="EVG", on=date(2026, 12, 7)) == Program.IMAGING  # 72148
    explicit = copy.deepcopy(by_code)
    pb.claim(explicit)["extension"] = [{"url": v.EXT_PROGRAM, "valueCode": "sleep"}]
    assert named_program(parse_submit(explicit)) == Program.SLEEP
    pb.claim(explicit)["extension"][0]["valueCode"] = "dentistry"
    with pytest.raises(PasProblem, match="not a Precert program"):
        named_program(parse_submit(explicit))


def test_attachments_are_decoded_and_kept_only_as_hashes():
    raw = pb.bundle("imaging-pended")
    pdf = b"%PDF-1.4\n%%EOF\n"
    raw["entry"].append(
        {
            "fullUrl": "urn:uuid:doc",
            "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "content": [
                    {
                        "attachment": {
                            "contentType": "application/pdf",
                            "title": "notes.pdf",
                            "data": base64.b64encode(pdf).decode(),
                        }
                    }
                ],
            },
        }
    )
    pb.claim(raw)["supportingInfo"].append(
        {
            "sequence": 9,
            "category": {"coding": [{"code": "additionalInformation"}]},
            "valueReference": {"reference": "urn:uuid:doc"},
        }
    )
    [attachment] = parse_submit(raw).attachments
    assert (attachment.filename, attachment.content) == ("notes.pdf", pdf)
    kept = without_attachment_data(raw)
    assert "data" not in kept["entry"][-1]["resource"]["content"][0]["attachment"]
    assert "data" in raw["entry"][-1]["resource"]["content"][0]["attachment"]  # the original is untouched


def test_an_inquiry_names_the_member_and_the_npis():
    raw = pb.bundle("imaging-approved")
    inquiry = parse_inquiry(raw)
    assert inquiry.member_number == "EVG100000012" and inquiry.plan_code == "EVG"
    assert inquiry.npis == {"1990000006", "2990000038"} and inquiry.codes == {"72148"}


# --- responses ---------------------------------------------------------------------------------


def _view(*lines: LineView, status: str = "authorized") -> OrderView:
    return OrderView(
        order_number="PC20260000001",
        status=status,
        status_label=status.replace("_", " ").capitalize(),
        program="imaging",
        lines=lines,
        member_number="EVG100000012",
        member_family="Synthwell",
        member_given="Sawyer",
        member_birth_date=date(2004, 4, 14),
        member_sex="F",
        plan_code="EVG",
        plan_name="Evergreen",
        practice_name="Maple",
        practice_tax_id="90-1000001",
    )


def _line(number: int, decision: str, **values) -> LineView:
    return LineView(
        line_number=number,
        sequence=number * 10,
        code_system="CPT",
        code=f"7214{number}",
        description="",
        quantity=values.pop("quantity", 1),
        decision=decision,
        **values,
    )


def _actions(response: dict) -> list[str]:
    return [
        next(
            e
            for e in item["adjudication"][0]["extension"][0]["extension"]
            if e["url"] == v.EXT_REVIEW_ACTION_CODE
        )["valueCodeableConcept"]["coding"][0]["code"]
        for item in response["item"]
    ]


@pytest.mark.parametrize(
    ("decisions", "status", "actions", "outcome"),
    [
        (["authorized"], "authorized", ["A1"], "complete"),
        (["notification_only"], "completed", ["A1"], "complete"),
        (["non_authorized"], "non_authorized", ["A3"], "complete"),
        (["pended", "authorized"], "in_progress", ["A4", "A1"], "queued"),
        (["partially_authorized"], "multiple_decisions", ["A6"], "complete"),
        (["cancelled", "pended"], "in_progress", ["C", "A4"], "queued"),
        (["authorized", "pended"], "voluntarily_cancelled", ["C", "C"], "complete"),
    ],
)
def test_line_decisions_map_to_x12_review_actions(decisions, status, actions, outcome):
    lines = [
        _line(
            n,
            decision,
            approved_quantity=1 if decision == "partially_authorized" else None,
            quantity=3 if decision == "partially_authorized" else 1,
        )
        for n, decision in enumerate(decisions, start=1)
    ]
    response = claim_response(_view(*lines, status=status), Echo(), created=CREATED)
    assert _actions(response) == actions and response["outcome"] == outcome
    assert [item["itemSequence"] for item in response["item"]] == [
        10 * n for n in range(1, len(decisions) + 1)
    ]
    assert response["preAuthRef"] == "PC20260000001"


def test_a_partial_approval_carries_the_authorized_version_and_validity():
    line = _line(
        1,
        "partially_authorized",
        quantity=5,
        approved_quantity=3,
        reason="Three visits first.",
        reason_code="rehab.visits",
        valid_from=date(2026, 12, 1),
        valid_until=date(2027, 1, 29),
        decided_on=date(2026, 11, 23),
        citation="Program FAQ",
    )
    other = _line(2, "authorized", valid_from=date(2026, 11, 30), valid_until=date(2027, 1, 28))
    response = claim_response(_view(line, other, status="multiple_decisions"), Echo(), created=CREATED)
    [added] = response["addItem"]
    assert added["itemSequence"] == [10] and added["quantity"] == {"value": 3}
    assert response["preAuthPeriod"] == {"start": "2026-11-30", "end": "2027-01-29"}
    note = response["processNote"][0]["text"]
    assert (
        "Three visits first." in note
        and "Authorized 3 of the 5 units requested." in note
        and "Program FAQ" in note
    )
    review_action = response["item"][0]["adjudication"][0]["extension"][0]["extension"]
    assert {"url": "number", "valueString": "PC20260000001-1"} in review_action
    reason = next(e for e in review_action if e["url"] == "reasonCode")["valueCodeableConcept"]
    assert reason["coding"][0] == {"system": v.CS_REVIEW_REASON, "code": "rehab.visits"}
    bundle = response_bundle(_view(line, other, status="multiple_decisions"), Echo(), created=CREATED)
    Bundle.model_validate(bundle)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
        "ClaimResponse",
        "Patient",
        "Organization",
        "Organization",
    ]
