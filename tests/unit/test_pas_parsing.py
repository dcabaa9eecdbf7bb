"""The section readers `parse_submit` is made of: each takes a piece of a PAS request Bundle and
returns what it read and the problems it saw. Small FHIR dicts built here; one example Bundle of
`tests/integration/pas_bundles/` read whole. Element names and codes follow the Da Vinci PAS guide
(STU 2.x, `HL7/davinci-pas` input/fsh/Claim.fsh, Claim-update.fsh) and FHIR R4 Claim."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from portal_app.services.pas import requests as r
from portal_app.services.pas import vocabulary as v
from portal_app.services.pas.outcomes import PasProblem

BUNDLES = Path(__file__).parents[1] / "integration" / "pas_bundles"
PDF = b"%PDF-1.4\n%%EOF\n"


def index_of(*resources: dict[str, Any]) -> r.BundleIndex:
    """A Bundle index whose entries are ``resources``, at urn:uuid:1, urn:uuid:2 ..."""
    return r.BundleIndex(
        {
            "resourceType": "Bundle",
            "entry": [{"fullUrl": f"urn:uuid:{n}", "resource": res} for n, res in enumerate(resources, 1)],
        }
    )


def ref(n: int) -> dict[str, str]:
    return {"reference": f"urn:uuid:{n}"}


def npi(value: str) -> list[dict[str, str]]:
    return [{"system": v.NPI, "value": value}]


def concept(code: str, system: str = "") -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}] if system else [{"code": code}]}


def ext(url: str, **value: Any) -> dict[str, Any]:
    return {"url": url, **value}


def cpt_item(code: str = "70551", sequence: int = 1, **more: Any) -> dict[str, Any]:
    return {"sequence": sequence, "productOrService": concept(code, v.CPT), **more}


def texts(issues) -> list[tuple[str, str]]:
    return [(issue.code, issue.expression) for issue in issues]


# --- identifier, patient, coverage -> member -------------------------------------------------


def test_the_first_identifier_with_a_value_is_the_business_identifier():
    claim = {"identifier": [{"system": "a"}, {"system": "urn:x", "value": "C-1"}]}
    assert r.read_identifier(claim) == ({"system": "urn:x", "value": "C-1"}, [])
    identifier, issues = r.read_identifier({"identifier": [{"system": "a"}]})
    assert identifier is None and texts(issues) == [("required", "Claim.identifier")]


def test_a_patient_not_in_the_bundle_is_a_not_found_problem():
    patient = {"resourceType": "Patient", "birthDate": "2004-04-14"}
    index = index_of(patient)
    assert r.read_patient(index, {"patient": ref(1)}) == (patient, [])
    assert r.read_patient(index, {}) == ({}, [])
    found, issues = r.read_patient(index, {"patient": ref(9)})
    assert found == {} and texts(issues) == [("not-found", "Claim.patient")]
    assert "urn:uuid:9" in issues[0].text


MB = {"type": concept("MB", v.V2_0203), "value": "evg-mb"}


@pytest.mark.parametrize(
    ("coverage", "patient", "expected"),
    [
        ({"subscriberId": " EVG1 "}, {"identifier": [MB]}, "EVG1"),  # subscriberId first
        ({"identifier": [MB]}, {}, "evg-mb"),  # an MB identifier on the Coverage
        (None, {"identifier": [MB]}, "evg-mb"),  # then on the Patient
        (None, {"identifier": [{"system": v.SID_MEMBER, "value": "EVG3"}]}, "EVG3"),  # Precert's system
        ({}, {"identifier": [{"system": "other", "value": "X"}]}, ""),
    ],
)
def test_the_member_id_comes_from_the_coverage_then_the_patient(coverage, patient, expected):
    assert r.member_number_of(coverage, patient) == expected


def test_the_focal_coverage_wins_over_the_first():
    first, focal = (
        {"resourceType": "Coverage", "subscriberId": "A"},
        {"resourceType": "Coverage", "subscriberId": "B"},
    )
    index = index_of(first, focal)
    claim = {"insurance": [{"coverage": ref(1)}, {"coverage": ref(2), "focal": True}]}
    assert r.read_coverage(index, claim) == (focal, [])
    assert r.read_member_number(index, claim, {}) == ("B", [])
    assert r.read_coverage(index, {"insurance": [{"coverage": ref(1)}, {"coverage": ref(2)}]})[0] == first


def test_a_missing_member_id_and_a_dangling_coverage_are_both_reported():
    member, issues = r.read_member_number(index_of(), {"insurance": [{"coverage": ref(4)}]}, {})
    assert member == "" and texts(issues) == [
        ("not-found", "Claim.insurance[0].coverage"),
        ("required", "Coverage.subscriberId"),
    ]


# --- Claim.related (updates) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("related", "expected", "problems"),
    [
        ([], None, []),
        ([{"claim": {"identifier": {"system": "urn:x", "value": "C-1"}}}], ("urn:x", "C-1"), []),
        ([{"claim": {"identifier": {"value": "C-1"}}}], ("", "C-1"), []),
        ([{"claim": ref(1)}], ("urn:x", "C-0"), []),  # the earlier Claim included in the Bundle
        ([{"claim": {}}], None, [("required", "Claim.related[0].claim")]),
        (
            [{"claim": {}}, {"claim": {"identifier": {"value": "C-2"}}}],
            ("", "C-2"),
            [("required", "Claim.related[0].claim")],
        ),
    ],
)
def test_an_update_names_the_earlier_claim_by_its_identifier(related, expected, problems):
    earlier = {"resourceType": "Claim", "identifier": [{"system": "urn:x", "value": "C-0"}]}
    found, issues = r.read_related(index_of(earlier), {"related": related})
    assert found == expected and texts(issues) == problems


# --- items -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (None, 1),  # no quantity: one unit
        ({"value": 12}, 12),
        ({"value": 3.0}, 3),  # a decimal that is whole
        ({}, 1),
        ({"value": r.MAX_QUANTITY}, r.MAX_QUANTITY),
        ({"value": r.MAX_QUANTITY + 1}, None),
        ({"value": 0}, None),
        ({"value": 2.5}, None),
        ({"value": True}, None),
        ({"value": "4"}, None),
        (7, 1),  # not a Quantity: ignored, as before
    ],
)
def test_item_quantity(quantity, expected):
    item = {} if quantity is None else {"quantity": quantity}
    assert r.item_quantity(item) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"servicedDate": "2026-12-01"}, date(2026, 12, 1)),
        ({"servicedPeriod": {"start": "2026-12-02T08:00:00Z"}}, date(2026, 12, 2)),
        ({"servicedDate": "2026-12-01", "servicedPeriod": {"start": "2026-12-02"}}, date(2026, 12, 1)),
        ({"servicedDate": "2026-13-01"}, None),
        ({}, None),
    ],
)
def test_item_service_date(item, expected):
    assert r.item_service_date(item) == expected


def test_item_flags_for_updates():
    cancelled = {"modifierExtension": [ext(v.EXT_INFO_CANCELLED, valueBoolean=True)]}
    assert r.item_cancelled(cancelled) and not r.item_cancelled({})
    assert not r.item_cancelled(
        {"extension": [ext(v.EXT_INFO_CANCELLED, valueBoolean=True)]}
    )  # not a modifier
    assert r.info_changed({"extension": [ext(v.EXT_INFO_CHANGED, valueCode="changed")]}) == "changed"
    assert r.info_changed({}) == ""
    cancel = {"extension": [ext(v.EXT_CERTIFICATION_TYPE, valueCodeableConcept=concept("3"))]}
    assert r.certification_type(cancel) == v.CERTIFICATION_CANCEL and r.certification_type({}) == ""


def test_the_code_comes_from_the_item_else_from_the_order_it_points_to():
    order = {"resourceType": "ServiceRequest", "code": concept("72158", v.CPT)}
    index = index_of(order)
    pointing = {"extension": [ext(v.EXT_REQUESTED_SERVICE, valueReference=ref(1))]}
    coding, requested, issues = r.item_coding(index, pointing, "Claim.item[0]")
    assert (coding["code"], requested, issues) == ("72158", order, [])
    coding, requested, _ = r.item_coding(index, {**cpt_item("70551"), **pointing}, "Claim.item[0]")
    assert coding["code"] == "70551" and requested == order
    snomed = {"productOrService": concept("123", "http://snomed.info/sct")}
    assert r.item_coding(index, snomed, "Claim.item[0]") == (None, None, [])
    dangling = {"extension": [ext(v.EXT_REQUESTED_SERVICE, valueReference=ref(5))]}
    coding, requested, issues = r.item_coding(index, dangling, "Claim.item[3]")
    assert (
        coding is None and requested is None and texts(issues) == [("not-found", "Claim.item[3].extension")]
    )


def test_an_item_reads_as_a_requested_item():
    trace = {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:t"}
    item = cpt_item(
        " j9355 ",
        sequence=2,
        quantity={"value": 4},
        servicedDate="2026-12-01",
        category=concept("78", v.X12_SERVICE_TYPE),
        extension=[
            ext(v.EXT_ITEM_TRACE_NUMBER, valueIdentifier=trace),
            ext(v.EXT_PROGRAM, valueCode="medical_oncology"),
            ext(v.EXT_CERTIFICATION_TYPE, valueCodeableConcept=concept("3")),
        ],
    )
    item["productOrService"]["coding"][0].update(system=v.HCPCS, display="Trastuzumab")
    found, requested, issues = r.read_item(index_of(), item, 0)
    assert requested is None and issues == []
    assert found == r.RequestedItem(
        sequence=2,
        code_system="HCPCS",
        code="J9355",
        quantity=4,
        category="78",
        program="medical_oncology",
        trace_number=trace,
        cancelled=True,  # certification type 3 cancels the item
        change="",
        certification_type="3",
        service_date=date(2026, 12, 1),
        description="Trastuzumab",
    )
    no_sequence, _, _ = r.read_item(index_of(), {"productOrService": concept("70551", v.CPT)}, 4)
    assert no_sequence.sequence == 5  # the position in Claim.item, counted from 1


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ({"sequence": 1}, ("required", "Claim.item[2].productOrService")),
        (cpt_item(quantity={"value": 0}), ("value", "Claim.item[2].quantity")),
    ],
)
def test_a_refused_item_gives_its_problem_and_no_item(item, problem):
    found, _requested, issues = r.read_item(index_of(), item, 2)
    assert found is None and texts(issues) == [problem]


def test_items_in_claim_order_with_the_orders_they_use_and_list_problems_last():
    order = {"resourceType": "ServiceRequest", "code": concept("70551", v.CPT)}
    claim = {
        "item": [
            cpt_item("70553", sequence=2),
            {"sequence": 1, "extension": [ext(v.EXT_REQUESTED_SERVICE, valueReference=ref(1))]},
            {"sequence": 3, "quantity": {"value": -1}, "productOrService": concept("70553", v.CPT)},
            cpt_item("70553", sequence=4),
        ]
    }
    items, used, issues = r.read_items(index_of(order), claim)
    assert [(item.sequence, item.code) for item in items] == [(2, "70553"), (1, "70551"), (4, "70553")]
    assert used == [order]
    assert texts(issues) == [("value", "Claim.item[2].quantity"), ("value", "Claim.item")]


def test_item_list_limits():
    one = r.RequestedItem(1, "CPT", "70551", 1)
    assert r.item_list_issues([one]) == []
    many = [r.RequestedItem(n, "CPT", f"7055{n}", 1) for n in range(r.MAX_ITEMS + 1)]
    assert [i.text for i in r.item_list_issues(many)] == [f"A request holds at most {r.MAX_ITEMS} items."]
    assert "different code" in r.item_list_issues([one, one])[0].text


# --- providers, practitioners and organizations ------------------------------------------------

DOCTOR = {"resourceType": "Practitioner", "identifier": npi("1990000006"), "name": [{"family": "Demoson"}]}
FACILITY = {"resourceType": "Organization", "identifier": npi("2990000038"), "name": "Fairview Imaging"}
OFFICE = {
    "resourceType": "Organization",
    "identifier": [{"system": v.TIN, "value": "90-1000001"}],
    "name": "Maple Street",
    "address": [{"line": ["1 Main St"], "city": "Springfield", "state": "IL", "postalCode": "62701"}],
    "telecom": [{"system": "fax", "value": "555-0100"}],
}
NURSE = {"resourceType": "Practitioner", "identifier": npi("1990000014")}


def test_parties_from_the_orders_the_items_use():
    index = index_of(
        DOCTOR,
        FACILITY,
        OFFICE,
        {"resourceType": "ServiceRequest", "requester": ref(1), "performer": [ref(2)]},
    )
    parties = r.read_parties(index, {"provider": ref(3)}, [index.resource(ref(4))])
    assert (parties.requester.name, parties.requester.tax_id, parties.requester.fax) == (
        "Maple Street",
        "90-1000001",
        "555-0100",
    )
    assert parties.requester.address == "1 Main St, Springfield, IL 62701"
    assert (parties.ordering.npi, parties.servicing.npi) == ("1990000006", "2990000038")


def test_without_items_pointing_to_orders_every_order_in_the_bundle_counts():
    medication = {"resourceType": "MedicationRequest", "requester": ref(1), "performer": ref(2)}
    index = index_of(DOCTOR, FACILITY, medication)
    assert list(r.service_requests(index).values()) == [medication]
    parties = r.read_parties(index, {}, [])
    assert (parties.ordering.npi, parties.servicing.npi) == ("1990000006", "2990000038")


@pytest.mark.parametrize(
    ("roles", "ordering", "servicing"),
    [
        (["DK", "SJ"], "1990000006", "2990000038"),
        (["ordering", "FA"], "1990000006", "2990000038"),
        (["SJ", "DK"], "2990000038", "1990000006"),  # by role, not by position
        (["DK", "DN"], "1990000006", None),  # the first ordering role wins
        (["supervisor", "rendering"], None, "2990000038"),
    ],
)
def test_the_care_team_names_ordering_and_servicing_by_role(roles, ordering, servicing):
    index = index_of(DOCTOR, FACILITY)
    claim = {"careTeam": [{"provider": ref(n), "role": concept(role)} for n, role in enumerate(roles, 1)]}
    found = r.parties_from_care_team(index, claim)
    assert tuple(p.npi if p else None for p in found) == (ordering, servicing)


def test_orders_come_before_the_care_team_and_a_practitioner_requester_orders_last():
    index = index_of(DOCTOR, FACILITY, NURSE, {"resourceType": "ServiceRequest", "requester": ref(3)})
    team = {
        "careTeam": [{"provider": ref(1), "role": concept("DK")}, {"provider": ref(2), "role": concept("SJ")}]
    }
    parties = r.read_parties(index, team, [index.resource(ref(4))])
    assert (parties.ordering.npi, parties.servicing.npi) == ("1990000014", "2990000038")
    alone = r.read_parties(index_of(DOCTOR), {"provider": ref(1)}, [])
    assert alone.requester == alone.ordering and alone.servicing is None
    office = r.read_parties(index_of(OFFICE), {"provider": ref(1)}, [])
    assert office.requester.name == "Maple Street" and office.ordering is None


def test_a_practitioner_role_stands_for_its_practitioner():
    role = {"resourceType": "PractitionerRole", "practitioner": ref(1), "organization": ref(2)}
    found = r.party(index_of(DOCTOR, OFFICE, role), ref(3))
    assert (found.resource_type, found.npi, found.tax_id, found.name) == (
        "Practitioner",
        "1990000006",
        "90-1000001",
        "Demoson",
    )
    assert found.address == "1 Main St, Springfield, IL 62701"  # the organization's, as it has none


# --- diagnoses, dates, urgency, program --------------------------------------------------------


def test_diagnoses_in_sequence_order_directly_or_through_a_condition():
    condition = {"resourceType": "Condition", "code": concept("C50.911", v.ICD10CM)}
    claim = {
        "diagnosis": [
            {"sequence": 2, "diagnosisReference": ref(1)},
            {"sequence": 1, "diagnosisCodeableConcept": concept("M54.16", v.ICD10CM)},
            {"sequence": 3, "diagnosisCodeableConcept": concept("Z00.00")},  # no system: still read
            {"sequence": 4, "diagnosisCodeableConcept": {"text": "no code"}},
        ]
    }
    assert r.read_diagnoses(index_of(condition), claim) == (("M54.16", "C50.911", "Z00.00"), [])
    codes, issues = r.read_diagnoses(index_of(), {"diagnosis": [{"diagnosisReference": ref(7)}]})
    assert codes == () and texts(issues) == [("not-found", "Claim.diagnosis[0]")]


def test_the_icd10_coding_is_preferred():
    both = {
        "coding": [{"system": "http://snomed.info/sct", "code": "1"}, {"system": v.ICD10CM, "code": "M54.5"}]
    }
    assert r.read_diagnoses(index_of(), {"diagnosis": [{"diagnosisCodeableConcept": both}]})[0] == ("M54.5",)


@pytest.mark.parametrize(
    ("dates", "billable", "expected"),
    [
        ([date(2026, 12, 3), date(2026, 12, 1)], None, date(2026, 12, 1)),  # the earliest item date
        ([None], "2026-11-30", date(2026, 11, 30)),  # else Claim.billablePeriod.start
        ([date(2026, 12, 3)], "2026-11-30", date(2026, 12, 3)),
        ([], None, None),
    ],
)
def test_the_service_date(dates, billable, expected):
    items = [r.RequestedItem(n, "CPT", f"7055{n}", 1, service_date=d) for n, d in enumerate(dates)]
    claim = {"billablePeriod": {"start": billable}} if billable else {}
    assert r.read_service_date(claim, items) == expected


STAT = {"priority": concept("stat", v.PROCESS_PRIORITY)}
LEVEL_U = {
    "extension": [ext(v.EXT_LEVEL_OF_SERVICE, valueCodeableConcept=concept("U", v.X12_LEVEL_OF_SERVICE))]
}
REASON = ext(v.EXT_URGENCY_REASON, valueString="Cord compression")


GIVEN_NO_REASON = "Marked urgent by the ordering provider's system ({}); no reason was given."
CERTIFICATION_IMMEDIATE = {
    "url": v.EXT_CERTIFICATION_TYPE,
    "valueCodeableConcept": {"coding": [{"system": v.X12_CERTIFICATION_TYPE, "code": "1"}]},
}


@pytest.mark.parametrize(
    ("claim", "messages", "expected"),
    [
        ({"priority": concept("normal", v.PROCESS_PRIORITY)}, (), (False, "")),
        (STAT, (), (True, GIVEN_NO_REASON.format("Claim.priority stat"))),
        ({**STAT, "extension": [REASON]}, (("Pain", ""),), (True, "Cord compression")),
        (STAT, (("Severe pain", ""), ("More", "")), (True, "Severe pain")),  # the first message
        (LEVEL_U, (), (True, GIVEN_NO_REASON.format("the X12 level of service urgent"))),
        (
            {"item": [{"extension": [CERTIFICATION_IMMEDIATE]}]},
            (),
            (True, GIVEN_NO_REASON.format("the X12 certification type immediate")),
        ),
        ({"priority": concept("stat")}, (), (False, "")),  # priority needs its code system
        ({"extension": [REASON]}, (("Pain", ""),), (False, "Cord compression")),
        ({}, (("Pain", ""),), (False, "")),  # a message is the reason only for urgent requests
    ],
)
def test_urgency_and_its_reason(claim, messages, expected):
    assert r.read_urgency(claim, messages) == expected


@pytest.mark.parametrize(
    ("claim", "questionnaire", "expected"),
    [
        ({"extension": [ext(v.EXT_PROGRAM, valueCode="imaging")]}, f"{v.QUESTIONNAIRE}/sleep", "imaging"),
        ({}, f"{v.QUESTIONNAIRE}/rehabilitation|1.0", "rehabilitation"),
        ({}, "http://example.org/Questionnaire/imaging", ""),
        ({}, "{served}/imaging", "imaging"),  # the canonical `$questionnaire-package` serves
        ({}, "{served}/sleep|1", "sleep"),
        ({}, "", ""),
    ],
)
def test_the_program_named_by_the_claim_or_its_questionnaire(claim, questionnaire, expected):
    questionnaire = questionnaire.replace("{served}", r.served_questionnaires())
    assert r.read_program(claim, questionnaire) == expected


@pytest.mark.parametrize(
    ("items", "expressions"),
    [
        ([r.RequestedItem(1, "CPT", "70551", 1)], []),
        ([], ["Claim.item"]),
        # PAS: date and diagnosis are optional; the items needing them are answered pended, asking.
        ([r.RequestedItem(1, "CPT", "70551", 1, coded=True)], []),
    ],
)
def test_what_a_new_request_must_say(items, expressions):
    issues = r.new_request_issues(items)
    assert [issue.expression for issue in issues] == expressions


# --- supportingInfo ----------------------------------------------------------------------------


def _document(*datas: str, title: str | None = "notes.pdf") -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "description": "Clinical notes",
        "content": [
            {"attachment": {"title": title, "data": data} if title else {"data": data}} for data in datas
        ],
    }


def test_messages_documents_and_answers_from_supporting_info():
    answers = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{v.QUESTIONNAIRE}/imaging",
        "item": [{"linkId": "indication", "answer": [{"valueCoding": {"code": "radiculopathy"}}]}],
    }
    claim = {
        "supportingInfo": [
            {"sequence": 1, "valueString": "Six weeks of PT tried."},
            {"sequence": 2, "valueReference": ref(1)},
            {
                "sequence": 3,
                "valueReference": ref(2),
                "extension": [ext(v.EXT_INFO_CHANGED, valueCode="added")],
            },
            {"sequence": 4, "valueReference": ref(9)},
        ]
    }
    info, issues = r.read_supporting_info(index_of(answers, _document(base64.b64encode(PDF).decode())), claim)
    assert info.messages == (("Six weeks of PT tried.", ""),)
    assert info.attachments == (r.Attachment(3, "notes.pdf", PDF, "added"),)
    assert (info.questionnaire, info.answers) == (
        f"{v.QUESTIONNAIRE}/imaging",
        {"indication": "radiculopathy"},
    )
    assert texts(issues) == [("not-found", "Claim.supportingInfo[3].valueReference")]


def test_answers_not_listed_in_supporting_info_are_taken_from_the_bundle():
    empty = {"resourceType": "QuestionnaireResponse", "questionnaire": "q-empty", "item": []}
    full = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "q-full",
        "item": [{"linkId": "a", "answer": [{"valueInteger": 3}]}],
    }
    later = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "q-later",
        "item": [{"linkId": "b", "answer": [{"valueInteger": 4}]}],
    }
    assert r.bundle_answers(index_of(empty, full, later), "") == ("q-full", {"a": 3})
    assert r.bundle_answers(index_of(), "q-given") == ("q-given", {})
    info, _ = r.read_supporting_info(index_of(full), {})
    assert (info.questionnaire, info.answers) == ("q-full", {"a": 3})


@pytest.mark.parametrize(
    ("datas", "title", "expected", "problems"),
    [
        ([base64.b64encode(PDF).decode()], "scan.pdf", [("scan.pdf", PDF)], []),
        ([base64.b64encode(PDF).decode()], None, [("Clinical notes", PDF)], []),  # the description
        (
            ["not base64!", base64.b64encode(b"x").decode()],
            "a.pdf",
            [("a.pdf", b"x")],
            ["DocumentReference.content[0].attachment.data"],
        ),
        ([""], "a.pdf", [], []),  # no data: nothing to store
    ],
)
def test_document_attachments(datas, title, expected, problems):
    found, issues = r.document_attachments(_document(*datas, title=title), 7, "changed")
    assert [(a.filename, a.content) for a in found] == expected
    assert all((a.sequence, a.change) == (7, "changed") for a in found)
    assert [issue.expression for issue in issues] == problems


# --- parse_submit composes them ----------------------------------------------------------------


def test_parse_submit_reads_an_example_bundle_section_by_section():
    raw = json.loads((BUNDLES / "imaging-pended.json").read_text())
    request = r.parse_submit(raw)
    index = r.BundleIndex(raw)
    claim = raw["entry"][0]["resource"]
    items, used, _ = r.read_items(index, claim)
    parties = r.read_parties(index, claim, used)
    info, _ = r.read_supporting_info(index, claim)
    assert request.items == tuple(sorted(items, key=lambda item: item.sequence))
    assert (request.ordering, request.servicing, request.requester) == (
        parties.ordering,
        parties.servicing,
        parties.requester,
    )
    assert (request.answers, request.messages) == (info.answers, info.messages)
    assert request.diagnoses == r.read_diagnoses(index, claim)[0]
    assert request.service_date == r.read_service_date(claim, items)
    assert (
        request.member_number
        == r.read_member_number(index, claim, r.read_patient(index, claim)[0])[0].upper()
    )


def test_parse_submit_reports_every_section_s_problems_in_order():
    claim = {
        "resourceType": "Claim",
        "status": "active",
        "use": "preauthorization",
        "type": concept("professional", v.CLAIM_TYPE),
        "patient": {"reference": "Patient/missing"},
        "created": "2026-11-23",
        "provider": {"reference": "Organization/missing"},
        "insurer": {"reference": "Organization/missing"},
        "priority": concept("normal", v.PROCESS_PRIORITY),
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/missing"}}],
        "item": [{"sequence": 1, "productOrService": concept("70551", v.CPT), "quantity": {"value": 0}}],
    }
    with pytest.raises(PasProblem) as refused:
        r.parse_submit(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"fullUrl": "urn:uuid:c", "resource": claim}],
            }
        )
    assert refused.value.status == 400
    assert [issue.expression for issue in refused.value.issues] == [
        "Claim.identifier",
        "Claim.patient",
        "Claim.provider",
        "Claim.insurance[0].coverage",
        "Coverage.subscriberId",
        "Claim.item[0].quantity",
        "Claim.item",
    ]


# --- the planned date of service -------------------------------------------------------------

SURGICAL = (
    Path(__file__).parents[1]
    / "conformance"
    / "pas-examples"
    / "pas-ig"
    / "SurgicalRequestBundleExample.json"
)


def _surgical(sources: str) -> dict[str, Any]:
    """The official Surgical example (admission dates in supportingInfo, an Encounter named by the
    R5 Claim.encounter extension, no item date) with one distinct date per source kept in ``sources``
    (item date I, item period P, admission dates A, admission timingDate T, Encounter E, billablePeriod B)."""
    raw = json.loads(SURGICAL.read_text())
    claim = raw["entry"][0]["resource"]
    [item] = claim["item"]
    if "I" in sources:
        item["servicedDate"] = "2027-01-12"
        other = {
            **item,
            "sequence": 2,
            "servicedDate": "2027-01-10",
            "productOrService": concept("27446", v.CPT),
        }
        claim["item"].append(other)  # the earliest item's date is the request's
    elif "P" in sources:
        item["servicedPeriod"] = {"start": "2027-01-20", "end": "2027-01-25"}
    [admission] = claim["supportingInfo"]
    assert admission["category"]["coding"][0]["code"] == "admissionDates"
    if "A" in sources:
        admission["timingPeriod"] = {"start": "2027-02-10", "end": "2027-02-14"}
    elif "T" in sources:
        admission.pop("timingPeriod")
        admission["timingDate"] = "2027-02-11"
    else:
        claim["supportingInfo"] = []
    encounter = next(e["resource"] for e in raw["entry"] if e["resource"]["resourceType"] == "Encounter")
    if "E" in sources:
        encounter["period"] = {"start": "2027-03-10", "end": "2027-03-12"}
    else:
        encounter.pop("period")
    if "B" in sources:
        claim["billablePeriod"] = {"start": "2027-04-10", "end": "2027-04-30"}
    return raw


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ("IAEB", date(2027, 1, 10)),  # item.servicedDate (the earliest item's) before everything else
        ("PAEB", date(2027, 1, 20)),  # item.servicedPeriod.start
        ("AEB", date(2027, 2, 10)),  # supportingInfo admissionDates timingPeriod.start
        ("TEB", date(2027, 2, 11)),  # supportingInfo admissionDates timingDate
        ("EB", date(2027, 3, 10)),  # the Encounter the Claim names (R5 Claim.encounter extension)
        ("B", date(2027, 4, 10)),  # Claim.billablePeriod.start
        ("", None),  # none given: the wizard's date is missing (answered A4, see _missing_for_review)
    ],
    ids=[
        "item-date",
        "item-period",
        "admission-period",
        "admission-date",
        "encounter",
        "billable-period",
        "none",
    ],
)
def test_the_service_date_is_read_from_item_then_admission_then_encounter_then_billable_period(
    sources, expected
):
    request = r.parse_submit(_surgical(sources))
    assert request.service_date == expected


def test_an_encounter_in_the_bundle_gives_the_date_without_the_claim_encounter_extension():
    raw = _surgical("E")
    claim = raw["entry"][0]["resource"]
    claim["extension"] = [e for e in claim["extension"] if not e["url"].endswith("extension-Claim.encounter")]
    assert r.parse_submit(raw).service_date == date(2027, 3, 10)
