"""The cardiology program: reference data, details validation, and every criterion set on worked cases.

Expected values and their sources (the rows of cardiology_criteria.csv cite them too):
* ICDs: CMS NCD 20.4 (2018): secondary prevention after VF arrest or sustained VT; primary prevention
  after an MI more than 40 days ago with LVEF <= 30% (MADIT II), ischaemic cardiomyopathy NYHA II-III
  LVEF <= 35%, non-ischaemic cardiomyopathy >= 3 months NYHA II-III LVEF <= 35%; no CABG/PCI in the past
  3 months, no cardiogenic shock; a documented shared decision-making visit;
* pacemakers: CMS NCD 20.8.3: non-reversible symptomatic bradycardia from sinus node dysfunction or
  second/third-degree AV block;
* CRT: 2022 AHA/ACC/HFSA heart failure guideline: LVEF <= 35%, LBBB, QRS >= 150 ms (class 1) or 120-149
  ms (2a), NYHA II-IV;
* loop recorders: 2017 ACC/AHA/HRS syncope guideline; 2021 AHA/ASA secondary stroke prevention guideline;
* EP study and ablation: 2015 ACC/AHA/HRS SVT, 2023 ACC/AHA/ACCP/HRS AF, 2017 AHA/ACC/HRS VA guidelines;
* catheterisation and PCI: 2012 diagnostic catheterization AUC (Patel 2012), 2023 AHA/ACC chronic coronary
  disease guideline, 2021 ACC/AHA/SCAI revascularization guideline;
* duplex: 2012 and 2013 ACCF/ACR/AIUM peripheral vascular ultrasound AUC (arterial, venous);
* echo: ACCF/ASE 2011 echocardiography AUC; 2013 multimodality AUC (Wolk 2014) for stress echo;
* imaging additions: 2021 AHA/ACC chest pain guideline (FFR-CT), 2023 ACC amyloidosis pathway (PYP).
"""

from __future__ import annotations

from datetime import date

import pytest

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS, ProgramRequest
from portal_app.domain.rules import Outcome, evaluate
from portal_app.domain.service_groups import service_group_of, service_groups
from portal_app.programs.cardiology import domain as cardiology
from portal_app.programs.cardiology import help as cardiology_help
from portal_app.programs.imaging import domain as imaging

CARDIOLOGY = PROGRAMS[Program.CARDIOLOGY]
SERVICE = date(2026, 12, 7)
ECHO_SERVICE = date(2027, 1, 4)  # the demo plan's echo codes are on its cardiology list from 2027

# One code of each procedure on the demo plan's list (cardiology_codes.csv, LKS 2026; echo 2027).
CODE_OF = {
    "diagnostic_cath": "93458",
    "pci": "92928",
    "arterial_duplex": "93880",
    "venous_duplex": "93970",
    "pacemaker": "33208",
    "icd": "33249",
    "crt": "33225",
    "loop_recorder": "33285",
    "ep_ablation": "93653",
    "tte": "93306",
    "tee": "93312",
    "stress_echo": "93350",
}


def decide(procedure: str, indication: str, **answers):
    details = cardiology.CardiologyDetails.model_validate(
        {"procedure": procedure, "indication": indication, **answers}
    )
    on = ECHO_SERVICE if procedure in cardiology.ECHO_PROCEDURES else SERVICE
    request = ProgramRequest("LKS", on, 60, (CODE_OF[procedure],), details, member_sex="M")
    (line,) = evaluate(CARDIOLOGY, request).lines
    return line


# --- reference data -----------------------------------------------------------------------


def test_every_row_has_a_source_and_every_procedure_has_codes_and_criteria():
    for name in (
        "cardiology_codes.csv",
        "cardiology_criteria.csv",
        "cardiology_plans.csv",
        "service_groups.csv",
    ):
        assert all(reference.table(name)["source"].str.strip() != ""), name
    for procedure, code in CODE_OF.items():
        year = ECHO_SERVICE.year if procedure in cardiology.ECHO_PROCEDURES else SERVICE.year
        assert CARDIOLOGY.managed_code("LKS", year, code).category == procedure
        assert any(procedure in spec.procedures for spec in cardiology.criterion_specs()), procedure
    assert not CARDIOLOGY.has_code_list("EVG", 2026)  # only the demo plan that delegates it


def test_the_echo_codes_form_the_routable_group_and_both_programs_know_them():
    assert service_groups() == {"echocardiography"}
    for code in ("93306", "93312", "93350", "93351"):
        assert service_group_of(code) == "echocardiography"
        assert CARDIOLOGY.managed_code("LKS", 2027, code) is not None  # LKS routes echo there from 2027
        assert CARDIOLOGY.managed_code("LKS", 2026, code) is None
        assert PROGRAMS[Program.IMAGING].managed_code("EVG", 2026, code) is not None
    assert service_group_of("33249") is None and service_group_of(" 93306 ") == "echocardiography"


def test_validity_is_60_days_per_the_plan_row():
    assert CARDIOLOGY.validity_days("LKS") == 60  # cardiology_plans.csv; seed 001: 30 or 60 by plan
    assert CARDIOLOGY.approval_window("LKS", SERVICE) == (SERVICE, date(2027, 2, 4))


@pytest.mark.parametrize(
    ("answers", "message_part"),
    [
        ({"procedure": "icd", "indication": "svt"}, "reason offered"),
        ({"procedure": "icd", "indication": "icd_primary_prevention", "lvef_pct": "95"}, "0 to 90"),
        ({"procedure": "crt", "indication": "heart_failure_dyssynchrony", "nyha_class": "V"}, "nyha"),
        ({"procedure": "tte", "indication": "new_murmur", "findings": ["made_up"]}, "findings"),
        ({"procedure": "x", "indication": "other"}, "procedure"),
    ],
)
def test_invalid_answers_are_named_in_plain_words(answers, message_part):
    errors = cardiology.details_errors(answers)
    assert errors and message_part in " ".join(errors.values()).lower()


def test_a_criteria_row_naming_an_unknown_condition_is_refused():
    with pytest.raises(ValueError, match="unknown condition"):
        cardiology._check_condition("X-1", "heart_rate_max", "50")
    with pytest.raises(ValueError, match="unknown condition"):
        cardiology._check_condition("X-1", "findings_any", "not_a_finding")


# --- ICD: CMS NCD 20.4 ------------------------------------------------------------------

PRIMARY = {"findings": ["shared_decision_documented"]}


@pytest.mark.parametrize(
    ("answers", "outcome", "met_id"),
    [
        # MADIT II: prior MI > 40 days, LVEF <= 30%.
        (
            {"cardiomyopathy": "ischemic", "lvef_pct": 30, "days_since_mi": 60, **PRIMARY},
            Outcome.AUTHORIZED,
            "ICD-2",
        ),
        # SCD-HeFT ischaemic: NYHA II-III, LVEF <= 35%.
        (
            {
                "cardiomyopathy": "ischemic",
                "lvef_pct": 35,
                "days_since_mi": 400,
                "nyha_class": "II",
                **PRIMARY,
            },
            Outcome.AUTHORIZED,
            "ICD-3",
        ),
        # Non-ischaemic for 3 months on treatment, NYHA III, LVEF 25%.
        (
            {
                "cardiomyopathy": "nonischemic",
                "lvef_pct": 25,
                "nyha_class": "III",
                "months_cardiomyopathy": 3,
                **PRIMARY,
            },
            Outcome.AUTHORIZED,
            "ICD-4",
        ),
        # MI 30 days ago: inside the 40-day exclusion.
        (
            {"cardiomyopathy": "ischemic", "lvef_pct": 25, "days_since_mi": 30, **PRIMARY},
            Outcome.PENDED,
            None,
        ),
        # MI exactly 40 days ago is still "in the past 40 days".
        (
            {"cardiomyopathy": "ischemic", "lvef_pct": 25, "days_since_mi": 40, **PRIMARY},
            Outcome.PENDED,
            None,
        ),
        # LVEF 33% with NYHA I: neither MADIT II (<= 30) nor SCD-HeFT (NYHA II-III).
        (
            {"cardiomyopathy": "ischemic", "lvef_pct": 33, "days_since_mi": 90, "nyha_class": "I", **PRIMARY},
            Outcome.PENDED,
            None,
        ),
        # Non-ischaemic for 2 months only.
        (
            {
                "cardiomyopathy": "nonischemic",
                "lvef_pct": 25,
                "nyha_class": "II",
                "months_cardiomyopathy": 2,
                **PRIMARY,
            },
            Outcome.PENDED,
            None,
        ),
        # Met, but without the shared decision-making visit.
        ({"cardiomyopathy": "ischemic", "lvef_pct": 25, "days_since_mi": 60}, Outcome.PENDED, "ICD-2"),
        # Met, but PCI in the past 3 months.
        (
            {
                "cardiomyopathy": "ischemic",
                "lvef_pct": 25,
                "days_since_mi": 60,
                "findings": ["shared_decision_documented", "recent_revascularization"],
            },
            Outcome.PENDED,
            "ICD-2",
        ),
        # The ejection fraction not given: cannot be told.
        ({"cardiomyopathy": "ischemic", "days_since_mi": 60, **PRIMARY}, Outcome.PENDED, None),
    ],
)
def test_icd_primary_prevention_follows_ncd_20_4(answers, outcome, met_id):
    line = decide("icd", "icd_primary_prevention", **answers)
    assert line.outcome == outcome
    met = {result.criterion_id for result in line.results if result.met}
    assert (met_id in met) if met_id else not met & {"ICD-2", "ICD-3", "ICD-4"}


def test_icd_secondary_prevention_needs_no_numbers():
    line = decide("icd", "icd_secondary_prevention")
    assert line.outcome == Outcome.AUTHORIZED
    assert [result.criterion_id for result in line.results] == ["ICD-1"]


def test_an_icd_pending_on_missing_numbers_says_it_cannot_be_told():
    line = decide("icd", "icd_primary_prevention", cardiomyopathy="ischemic", **PRIMARY)
    (indication,) = [result for result in line.results if result.criterion_id == "icd_indication"]
    assert indication.met is None and "Determination 20.4" in indication.citation


# --- the other criterion sets, one worked case met and one not --------------------------


@pytest.mark.parametrize(
    ("procedure", "indication", "met_answers", "unmet_answers"),
    [
        # NCD 20.8.3: symptomatic and non-reversible.
        (
            "pacemaker",
            "av_block",
            {"findings": ["symptomatic_bradycardia"]},
            {"findings": ["symptomatic_bradycardia", "reversible_cause"]},
        ),
        ("pacemaker", "sinus_node_dysfunction", {"findings": ["symptomatic_bradycardia"]}, {}),
        # 2022 HF guideline: LBBB with QRS >= 150 (class 1) or 120-149 (2a); narrow QRS not.
        (
            "crt",
            "heart_failure_dyssynchrony",
            {"lvef_pct": 30, "qrs_ms": 130, "nyha_class": "III", "findings": ["lbbb"]},
            {"lvef_pct": 30, "qrs_ms": 110, "nyha_class": "III", "findings": ["lbbb"]},
        ),
        ("loop_recorder", "unexplained_syncope", {"findings": ["monitoring_nondiagnostic"]}, {}),
        ("ep_ablation", "atrial_fibrillation", {"findings": ["antiarrhythmic_failed"]}, {}),
        ("ep_ablation", "ventricular_tachycardia", {"findings": ["icd_shocks"]}, {}),
        (
            "diagnostic_cath",
            "high_risk_stress_test",
            {"stress_result": "high_risk"},
            {"stress_result": "normal"},
        ),
        ("diagnostic_cath", "stable_angina", {"findings": ["refractory_on_medical_therapy"]}, {}),
        (
            "pci",
            "stable_angina",
            {"findings": ["refractory_on_medical_therapy", "significant_stenosis"]},
            {"findings": ["significant_stenosis"]},
        ),
        ("arterial_duplex", "claudication", {"findings": ["abnormal_abi"]}, {}),
        ("venous_duplex", "venous_insufficiency", {"findings": ["planning_venous_intervention"]}, {}),
        # Echo AUC 2011: surveillance of known valve disease at 12 months or more, or with a change.
        ("tte", "known_valve_disease", {"months_since_prior_echo": 12}, {"months_since_prior_echo": 6}),
        ("tte", "known_valve_disease", {"findings": ["change_in_symptoms"]}, {"months_since_prior_echo": 11}),
        # 2013 multimodality AUC: intermediate or high pre-test; low only when the ECG or exercise fails.
        ("stress_echo", "suspected_cad", {"pretest": "intermediate"}, {"pretest": "low"}),
        (
            "stress_echo",
            "suspected_cad",
            {"pretest": "low", "findings": ["unable_to_exercise"]},
            {"pretest": "low"},
        ),
    ],
)
def test_each_criterion_set_on_a_met_and_an_unmet_case(procedure, indication, met_answers, unmet_answers):
    assert decide(procedure, indication, **met_answers).outcome == Outcome.AUTHORIZED
    assert decide(procedure, indication, **unmet_answers).outcome == Outcome.PENDED


@pytest.mark.parametrize(
    ("procedure", "indication"),
    [
        ("pci", "acute_coronary_syndrome"),
        ("diagnostic_cath", "valve_surgery_planning"),
        ("arterial_duplex", "tia_or_stroke"),
        ("arterial_duplex", "carotid_bruit"),
        ("arterial_duplex", "arterial_graft_surveillance"),
        ("venous_duplex", "suspected_dvt"),
        ("loop_recorder", "cryptogenic_stroke"),
        ("ep_ablation", "svt"),
        ("tte", "suspected_heart_failure"),
        ("tte", "new_murmur"),
        ("tee", "suspected_endocarditis"),
        ("tee", "cardioversion_planning"),
    ],
)
def test_reasons_that_are_themselves_the_criterion_approve(procedure, indication):
    assert decide(procedure, indication).outcome == Outcome.AUTHORIZED


def test_a_reason_without_a_written_criterion_goes_to_a_reviewer_never_a_denial():
    line = decide("icd", "other")
    assert line.outcome == Outcome.PENDED and not line.results


def test_the_wizard_asks_only_what_the_criteria_of_the_procedure_name():
    assert cardiology.fields_asked("icd") == {
        "cardiomyopathy",
        "days_since_mi",
        "lvef_pct",
        "months_cardiomyopathy",
        "nyha_class",
    }
    assert cardiology.fields_asked("tee") == frozenset() and cardiology.findings_asked("tee") == ()
    assert cardiology.findings_asked("pacemaker") == ("symptomatic_bradycardia", "reversible_cause")


def test_the_help_checklist_has_a_line_per_criterion_with_its_citation():
    items = cardiology_help.checklist()
    by_source = {item.source.split(",")[0]: item for item in items}
    assert "ICD-2" in by_source and "Determination 20.4" in by_source["ICD-2"].citation
    assert "Ejection fraction (%): at most 30" in by_source["ICD-2"].details
    assert cardiology_help.guide().anchor == "help-cardiology"


# --- imaging additions named in seed 001: FFR-CT and infarct imaging ----------------------


def _imaging_line(code: str, **answers):
    details = imaging.ImagingDetails.model_validate(
        {"body_part": "heart", "site_of_care": "free_standing", **answers}, context={"member_age": 60}
    )
    request = ProgramRequest("EVG", SERVICE, 60, (code,), details, member_sex="F")
    (line,) = evaluate(PROGRAMS[Program.IMAGING], request).lines
    return line


@pytest.mark.parametrize(
    ("prior", "outcome"),
    [
        ({"test": "coronary_cta", "result": "abnormal", "months_ago": 1}, Outcome.AUTHORIZED),
        ({"test": "coronary_cta", "result": "abnormal", "months_ago": 6}, Outcome.PENDED),  # too old
        ({"test": "coronary_cta", "result": "normal", "months_ago": 1}, Outcome.PENDED),
        ({"test": "mpi", "result": "abnormal", "months_ago": 1}, Outcome.PENDED),  # FFR-CT needs a CTA
    ],
)
def test_ffr_ct_follows_a_recent_abnormal_coronary_cta(prior, outcome):
    # 2021 AHA/ACC chest pain guideline (Gulati 2021): FFR-CT for a 40-90% stenosis on coronary CTA.
    cardiac = {"chest_pain_type": "typical", "risk_factors": [], "prior_tests": [prior]}
    line = _imaging_line("75580", modality="cardiac_ct", clinical_indication="chest_pain", cardiac=cardiac)
    assert line.outcome == outcome


def test_infarct_imaging_for_suspected_cardiac_amyloidosis_is_met():
    # 2023 ACC amyloidosis pathway (Kittleson 2023): bone-avid tracer scintigraphy for suspected ATTR-CM.
    met = _imaging_line("78469", modality="infarct", clinical_indication="suspected_cardiac_amyloidosis")
    assert met.outcome == Outcome.AUTHORIZED
    other = _imaging_line("78466", modality="infarct", clinical_indication="other")
    assert other.outcome == Outcome.PENDED
    assert [c.code for c in imaging.code_choices("EVG", 2026, modality="infarct")] == ["78466", "78469"]
