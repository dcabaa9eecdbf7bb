"""Medical and radiation oncology requests through the wizard's services: a HER2-positive metastatic
breast regimen dosed within 10 % authorized for cycles 1-6, carboplatin by Calvert with the member's
age and sex, off-pathway and dose-deviation requests pended with their reasons, pembrolizumab alone
for PD-L1 of 50 % or more, the supportive-drug diagnosis rule (a filgrastim request with a non-cancer
primary diagnosis stops and nothing is submitted), and radiation requests by modality."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.domain import dosing
from portal_app.domain.programs import age_on
from portal_app.models import Order, OrderLine, ReviewTask
from portal_app.programs.medical_oncology import domain as onc
from portal_app.programs.radiation_oncology.step_state import modality_codes
from portal_app.services import order_entry as entry
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import get_order_summary
from tests.conftest import BACKENDS
from tests.integration.order_helpers import SERVICE, TODAY, actor_for, draft_order, member_by_number

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

# Summit (SUM) delegates both oncology programs; SUM members are i = 2 mod 4: adults, female, eligible.
MEMBER = "SUM100000002"
HEIGHT, WEIGHT = 165, 70
BSA = dosing.bsa_mosteller(HEIGHT, WEIGHT)  # 1.8 m²
HER2_POSITIVE = {"her2": "positive", "hormone_receptor": "negative"}
PRIMARY_BREAST = "C50.911"


def _thp(**changes) -> dict:
    """THP (CLEOPATRA) for HER2-positive metastatic breast cancer, cycles 1-6, doses as calculated."""
    details = {
        "primary_diagnosis": PRIMARY_BREAST,
        "cancer_type": "breast",
        "setting": "metastatic",
        "line": 1,
        "intent": "palliative",
        "biomarkers": HER2_POSITIVE,
        "regimen_id": "breast_thp",
        "height_cm": HEIGHT,
        "weight_kg": WEIGHT,
        "cycle_length_days": 21,
        "cycle_from": 1,
        "cycle_to": 6,
        "drugs": [
            {
                "component": "docetaxel",
                "drug": "docetaxel",
                "dose_basis": "mg/m2",
                "amount": 75,
                "requested_dose_mg": round(75 * BSA),
                "days": "D1",
            },
            {
                "component": "trastuzumab",
                "drug": "trastuzumab",
                "dose_basis": "mg/kg",
                "amount": 6,
                "requested_dose_mg": 6 * WEIGHT,
                "loading_amount": 8,
                "loading_dose_mg": 8 * WEIGHT,
                "days": "D1",
            },
            {
                "component": "pertuzumab",
                "drug": "pertuzumab",
                "dose_basis": "mg",
                "amount": 420,
                "requested_dose_mg": 420,
                "loading_amount": 840,
                "loading_dose_mg": 840,
                "days": "D1",
            },
        ],
    }
    details.update(changes)
    return details


THP_CODES = ["J9171", "J9355", "J9306"]


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _submitted(session, office, **draft) -> str:
    draft.setdefault("member", MEMBER)
    order_id = draft_order(session, office, **draft)
    result = submit_order(session, actor=office, order_id=order_id, today=TODAY)
    assert result.submitted, result
    return result.order_number


def _lines(summary) -> dict:
    return {line.code: line for line in summary.lines}


def test_her2_positive_metastatic_thp_within_10_percent_is_authorized_for_cycles_1_to_6(demo):
    office = actor_for(demo)
    # The pathway offers THP first for this profile (what the wizard lists before any dosing).
    assert onc.pathway_regimens("breast", "metastatic", 1, HER2_POSITIVE)[0].regimen_id == "breast_thp"
    number = _submitted(
        demo, office, program="medical_oncology", details=_thp(), codes=THP_CODES, diagnoses=[PRIMARY_BREAST]
    )
    summary = get_order_summary(demo, actor=office, order_number=number)
    assert summary.status == "Authorized"
    last_day = SERVICE + timedelta(days=6 * 21 - 1)  # through the last day of cycle 6
    for line in summary.lines:
        assert line.decision == "Authorized", line
        assert (line.valid_from, line.valid_until) == (SERVICE.isoformat(), last_day.isoformat())
    details = dict(summary.details)
    assert details["Cycles requested"].startswith("Cycles 1 to 6 of 21 days")
    # Docetaxel on day 1 of six 21-day cycles; trastuzumab's loading dose counts in cycle 1.
    assert (
        "6 doses" in details["Docetaxel"]
        and (SERVICE + timedelta(days=105)).isoformat() in details["Docetaxel"]
    )
    assert f"{56 + 5 * 42} billing units of J9355" in details["Trastuzumab"]


def test_tchp_with_carboplatin_by_calvert_uses_the_members_age_and_sex(demo):
    office = actor_for(demo)
    member = member_by_number(demo, MEMBER)
    age = age_on(member.date_of_birth, SERVICE)
    crcl = dosing.crcl_cockcroft_gault(age, WEIGHT, 0.9, True)  # the member is female
    carboplatin = {
        "component": "carboplatin",
        "drug": "carboplatin",
        "dose_basis": "auc",
        "amount": 6,
        "requested_dose_mg": round(dosing.carboplatin_calvert_mg(6, crcl)),
        "days": "D1",
    }
    details = _thp(
        setting="neoadjuvant", intent="curative", regimen_id="breast_tchp", serum_creatinine_mg_dl=0.9
    )
    details["drugs"].insert(1, carboplatin)
    number = _submitted(
        demo,
        office,
        program="medical_oncology",
        details=details,
        codes=["J9171", "J9045", "J9355", "J9306"],
        diagnoses=[PRIMARY_BREAST],
    )
    summary = get_order_summary(demo, actor=office, order_number=number)
    assert summary.status == "Authorized"
    assert _lines(summary)["J9045"].valid_until == (SERVICE + timedelta(days=125)).isoformat()


def test_off_pathway_regimen_pends_for_a_nurse_with_the_rationale(demo):
    office = actor_for(demo)
    rationale = "Weekly paclitaxel instead of docetaxel because of grade 3 neuropathy risk in diabetes."
    details = _thp(
        regimen_id="",
        off_pathway_name="Weekly paclitaxel with trastuzumab and pertuzumab",
        off_pathway_rationale=rationale,
    )
    number = _submitted(
        demo, office, program="medical_oncology", details=details, codes=THP_CODES, diagnoses=[PRIMARY_BREAST]
    )
    summary = get_order_summary(demo, actor=office, order_number=number)
    assert summary.status == "In Progress"
    assert {line.decision for line in summary.lines} == {"Pended"}
    assert any(rationale in criterion for criterion in summary.lines[0].criteria)
    order = demo.exec(select(Order).where(Order.order_number == number)).one()
    assert demo.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).first() is not None


def test_a_dose_more_than_10_percent_off_needs_a_reason_and_pends_that_drug(demo):
    office = actor_for(demo)
    details = _thp()
    details["drugs"][0]["requested_dose_mg"] = round(75 * BSA * 1.2)
    order_id, _ = entry.start_draft(
        demo,
        actor=office,
        plan_id=member_by_number(demo, MEMBER).plan_id,
        program="medical_oncology",
        service_date=SERVICE,
        today=TODAY,
    )
    refused = entry.save_program_details(
        demo, actor=office, order_id=order_id, details=details, codes=THP_CODES
    )
    assert "more than 10 %" in refused.errors["drugs"]

    details["drugs"][0]["deviation_reason"] = "Rounded up to the nearest vial for this patient."
    number = _submitted(
        demo, office, program="medical_oncology", details=details, codes=THP_CODES, diagnoses=[PRIMARY_BREAST]
    )
    lines = _lines(get_order_summary(demo, actor=office, order_number=number))
    assert {code: line.decision for code, line in lines.items()} == {
        "J9171": "Pended",
        "J9355": "Authorized",
        "J9306": "Authorized",
    }
    assert any(
        "within 10 %" in criterion and "Rounded up" in criterion for criterion in lines["J9171"].criteria
    )


def test_lung_pd_l1_50_or_more_is_offered_pembrolizumab_alone_and_authorized(demo):
    office = actor_for(demo)
    biomarkers = {
        "histology": "non_squamous",
        "egfr": "negative",
        "alk": "negative",
        "ros1": "negative",
        "pd_l1_tps": "50_or_more",
    }
    offered = onc.pathway_regimens("nsclc", "metastatic", 1, biomarkers)
    assert offered[0].regimen_id == "nsclc_pembrolizumab"
    assert [drug.drug for drug in offered[0].drugs] == ["pembrolizumab"]
    details = {
        "primary_diagnosis": "C34.11",
        "cancer_type": "nsclc",
        "setting": "metastatic",
        "line": 1,
        "intent": "palliative",
        "biomarkers": biomarkers,
        "regimen_id": "nsclc_pembrolizumab",
        "height_cm": HEIGHT,
        "weight_kg": WEIGHT,
        "cycle_length_days": 21,
        "cycle_from": 1,
        "cycle_to": 6,
        "drugs": [
            {
                "component": "pembrolizumab",
                "drug": "pembrolizumab",
                "dose_basis": "mg",
                "amount": 200,
                "requested_dose_mg": 200,
                "days": "D1",
            }
        ],
    }
    number = _submitted(
        demo, office, program="medical_oncology", details=details, codes=["J9271"], diagnoses=["C34.11"]
    )
    [line] = get_order_summary(demo, actor=office, order_number=number).lines
    assert line.decision == "Authorized"


def test_filgrastim_with_a_non_cancer_primary_is_stopped_and_nothing_is_submitted(demo):
    office = actor_for(demo)
    plan_id = member_by_number(demo, MEMBER).plan_id
    order_id, _ = entry.start_draft(
        demo, actor=office, plan_id=plan_id, program="medical_oncology", service_date=SERVICE, today=TODAY
    )
    details = _thp(primary_diagnosis="D70.1", supportive_drugs=["filgrastim"])
    result = entry.save_program_details(
        demo, actor=office, order_id=order_id, details=details, codes=[*THP_CODES, "J1442"]
    )
    message = result.errors["no_request"]
    assert "does not review Filgrastim with the primary diagnosis D70.1" in message
    assert "health plan" in message
    order = demo.get(Order, order_id)
    assert (
        order.details == {} and demo.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all() == []
    )
    assert not submit_order(demo, actor=office, order_id=order_id, today=TODAY).submitted
    assert demo.get(Order, order_id).order_number is None


def test_filgrastim_with_a_cancer_primary_and_a_treatment_related_secondary_is_authorized(demo):
    office = actor_for(demo)
    details = _thp(supportive_drugs=["filgrastim"], secondary_diagnosis="D70.1")
    number = _submitted(
        demo,
        office,
        program="medical_oncology",
        details=details,
        codes=[*THP_CODES, "J1442"],
        diagnoses=[PRIMARY_BREAST, "D70.1"],
    )
    assert (
        _lines(get_order_summary(demo, actor=office, order_number=number))["J1442"].decision == "Authorized"
    )


def _radiation(**changes) -> dict:
    details = {
        "cancer_type": "prostate",
        "treatment_site": "prostate",
        "modality": "imrt",
        "intent": "curative",
        "fractions": 28,
        "total_dose_gy": 70,
    }
    details.update(changes)
    return details


def test_imrt_for_prostate_cancer_is_authorized_on_the_modalitys_codes_for_90_days(demo):
    office = actor_for(demo)
    codes = [item.code for item in modality_codes("SUM", SERVICE.year, "imrt")]
    assert codes and all(code.startswith("77") for code in codes)
    number = _submitted(
        demo, office, program="radiation_oncology", details=_radiation(), codes=codes, diagnoses=["C61"]
    )
    summary = get_order_summary(demo, actor=office, order_number=number)
    assert summary.status == "Authorized" and [line.code for line in summary.lines] == codes
    assert {line.valid_until for line in summary.lines} == {(SERVICE + timedelta(days=89)).isoformat()}


def test_proton_therapy_without_a_listed_indication_pends(demo):
    office = actor_for(demo)
    codes = [item.code for item in modality_codes("SUM", SERVICE.year, "proton")]
    details = _radiation(modality="proton", proton_indication="none")
    number = _submitted(
        demo, office, program="radiation_oncology", details=details, codes=codes, diagnoses=["C61"]
    )
    summary = get_order_summary(demo, actor=office, order_number=number)
    assert summary.status == "In Progress" and {line.decision for line in summary.lines} == {"Pended"}
    assert any("Not met: Proton therapy is for a listed indication" in c for c in summary.lines[0].criteria)
    skull_base = _radiation(
        cancer_type="skull_base",
        treatment_site="head_neck",
        modality="proton",
        proton_indication="skull_base_tumor",
    )
    number = _submitted(
        demo,
        office,
        program="radiation_oncology",
        details=skull_base,
        codes=codes,
        diagnoses=["C41.0"],
        member="SUM100000006",
    )
    assert get_order_summary(demo, actor=office, order_number=number).status == "Authorized"
