"""The imaging and cardiology program: reference data, details validation, each criterion.

Expected values and their sources:
* pre-test probabilities: 2019 ESC chronic coronary syndromes guideline (Knuuti et al., Eur
  Heart J 2020;41:407-477), pooled table of Juarez-Orozco et al. 2019; the same cells in the
  R package pretestcad (R/esc_2019_conference_ptp.R) and its examples (35-year-old woman with
  typical chest pain; 75-year-old man with dyspnoea only);
* low back pain: ACR Appropriateness Criteria Low Back Pain (2021), Chou et al. 2007;
* headache: ACR Appropriateness Criteria Headache (2019), variants 1-3;
* cardiac pre-exam questions and site-of-care review: program FAQ (shared/seeds/001);
* validity 30/60 days: program FAQ (shared/seeds/001).
"""

from datetime import date

import pytest
from pydantic import ValidationError

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS, ProgramRequest, age_on, get_program
from portal_app.domain.rules import Outcome, evaluate
from portal_app.programs.imaging import domain as imaging
from portal_app.programs.imaging.domain import (
    BODY_PART_LABELS,
    CARDIAC_MODALITIES,
    CHEST_PAIN_LABELS,
    EVALUATORS,
    INDICATION_LABELS,
    LATERALITY_LABELS,
    MODALITY_BODY_PARTS,
    MODALITY_LABELS,
    PRE_EXAM_MODALITIES,
    PRIOR_RESULT_LABELS,
    PRIOR_TEST_LABELS,
    RED_FLAG_LABELS,
    RED_FLAGS_BY_INDICATION,
    RISK_FACTOR_LABELS,
    SITE_OF_CARE_LABELS,
    ImagingDetails,
    code_choices,
    criterion_specs,
    details_errors,
    needs_cardiac_pre_exam,
    needs_site_of_care_reason,
    pretest_probability,
)

IMAGING = get_program(Program.IMAGING)
SERVICE = date(2026, 5, 4)


# --- registry and small helpers ------------------------------------------------------------


def test_registry():
    assert PROGRAMS[Program.IMAGING] is IMAGING
    assert get_program("imaging") is IMAGING
    assert IMAGING.details_schema is ImagingDetails
    with pytest.raises(KeyError):
        get_program("no_such_program")


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1980, 5, 4), date(2026, 5, 4), 46),  # birthday today
        (date(1980, 5, 5), date(2026, 5, 4), 45),  # birthday tomorrow
        (date(2007, 5, 4), date(2026, 5, 4), 19),
        (date(2007, 5, 5), date(2026, 5, 4), 18),
        (date(2008, 2, 29), date(2027, 2, 28), 18),  # leap-day birthday counts from 1 March
        (date(2008, 2, 29), date(2027, 3, 1), 19),
        (date(2026, 5, 4), date(2026, 5, 4), 0),
    ],
)
def test_age_on(birth, on, age):
    assert age_on(birth, on) == age


def test_age_on_refuses_a_birth_after_the_date():
    with pytest.raises(ValueError):
        age_on(date(2026, 5, 5), date(2026, 5, 4))


# --- reference data --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loader",
    [
        imaging.imaging_codes,
        imaging.imaging_plans,
        imaging.imaging_criteria,
        imaging.imaging_pretest_probability,
    ],
)
def test_every_reference_row_names_its_source(loader):
    frame = loader()
    assert len(frame) > 0
    assert (frame["source"].str.strip() != "").all()


def test_codes_file_carries_the_cpt_notice_and_our_own_labels():
    text = (reference.path_of("imaging_codes.csv")).read_text(encoding="utf-8")
    assert "CPT is a registered trademark of the American Medical Association" in text
    frame = imaging.imaging_codes()
    assert frame["code"].str.fullmatch(r"\d{5}").all()
    assert (frame["label"].str.len() > 5).all()
    for row in frame.to_dict("records"):
        assert row["category"] in MODALITY_LABELS
        assert row["body_part"] in MODALITY_BODY_PARTS[row["category"]], row["code"]
    # One label per code, whatever the plan.
    assert frame.groupby("code")["label"].nunique().max() == 1


@pytest.mark.parametrize(
    ("plan", "year", "code", "expected"),
    [
        ("EVG", 2026, "72148", "managed"),
        ("EVG", 2026, "75571", "notification"),  # calcium score: notification only for EVG
        ("EVG", 2026, "78431", None),  # cardiac PET/CT: EVG adds it in 2027
        ("EVG", 2027, "78431", "managed"),
        ("EVG", 2026, "93306", "managed"),
        ("LKS", 2026, "93306", None),  # LKS has no echocardiography in 2026
        ("LKS", 2027, "93306", "notification"),
        ("LKS", 2027, "93350", "managed"),
        ("LKS", 2027, "93312", None),
        ("LKS", 2026, "75571", None),
        ("RVB", 2026, "93306", "notification"),  # resting TTE notification only for RVB
        ("RVB", 2027, "93312", "managed"),
        ("SUM", 2026, "72148", None),  # SUM does not delegate imaging
        ("evg", 2026, " 72148 ", "managed"),  # plan code and code are normalised
    ],
)
def test_managed_codes_per_plan_and_year(plan, year, code, expected):
    item = IMAGING.managed_code(plan, year, code)
    if expected is None:
        assert item is None
    else:
        assert item is not None and item.notification_only is (expected == "notification")


def test_code_lists_and_choices():
    assert IMAGING.has_code_list("EVG", 2026) and not IMAGING.has_code_list("SUM", 2026)
    assert not IMAGING.has_code_list("EVG", 2028)
    codes = IMAGING.managed_codes("EVG", 2027)
    assert [item.code for item in codes] == sorted(item.code for item in codes)
    lumbar = code_choices("EVG", 2026, modality="mri", body_part="lumbar_spine")
    assert [item.code for item in lumbar] == ["72148", "72149", "72158"]


@pytest.mark.parametrize(("plan", "days"), [("EVG", 30), ("LKS", 30), ("RVB", 60), ("XYZ", 30)])
def test_validity_days(plan, days):
    assert IMAGING.validity_days(plan) == days


def test_every_criteria_set_has_a_rule_and_citation():
    for spec in criterion_specs():
        assert spec.citation and spec.text and spec.source
        assert spec.set_id in EVALUATORS or spec.set_id == "site_of_care"


# --- pre-test probability table: published cells ------------------------------------------


@pytest.mark.parametrize(
    ("age", "sex", "symptom", "expected"),
    [
        (35, "F", "typical", 5),  # pretestcad example; ESC 2019 table
        (75, "M", "dyspnea_only", 32),  # pretestcad example; ESC 2019 table
        (45, "M", "typical", 22),
        (55, "F", "typical", 13),
        (65, "M", "atypical", 26),
        (65, "F", "dyspnea_only", 14),
        (75, "M", "non_anginal", 24),
        (39, "M", "non_anginal", 1),  # band edges: 30-39
        (40, "M", "non_anginal", 3),  # 40-49
        (104, "F", "typical", 27),  # open top band
        (29, "M", "typical", None),  # the table starts at 30
        (55, "U", "typical", None),
        (55, "M", "none", None),
    ],
)
def test_pretest_probability_published_cells(age, sex, symptom, expected):
    assert pretest_probability(age, sex, symptom) == expected


def test_pretest_table_is_complete():
    frame = imaging.imaging_pretest_probability()
    assert len(frame) == 5 * 2 * 4
    assert not frame.duplicated(["age_from", "sex", "symptom"]).any()


# --- helpers for the wizard --------------------------------------------------------------------


@pytest.mark.parametrize("modality", list(MODALITY_LABELS))
@pytest.mark.parametrize("age", list(range(0, 19)))
def test_cardiac_pre_exam_never_under_19(modality, age):
    assert needs_cardiac_pre_exam(modality, age) is False


@pytest.mark.parametrize(
    ("modality", "needed"),
    [
        ("cardiac_ct", True),
        ("cardiac_pet", True),
        ("mpi", True),
        ("stress_echo", True),
        ("tte", False),
        ("tee", False),
        ("muga", False),
        ("cardiac_mri", False),
        ("ct", False),
        ("mri", False),
        ("pet", False),
    ],
)
def test_cardiac_pre_exam_exams_for_adults(modality, needed):
    assert needs_cardiac_pre_exam(modality, 19) is needed
    assert needs_cardiac_pre_exam(modality, 70) is needed


def test_pre_exam_modalities_are_cardiac():
    assert PRE_EXAM_MODALITIES < CARDIAC_MODALITIES


@pytest.mark.parametrize("modality", list(MODALITY_LABELS))
@pytest.mark.parametrize("site", list(SITE_OF_CARE_LABELS))
def test_site_of_care_reason_only_for_hospital_ct_and_mr(modality, site):
    ct_or_mr = modality in {"ct", "cta", "cardiac_ct", "mri", "mra", "mrs", "fmri", "cardiac_mri"}
    assert needs_site_of_care_reason(modality, site) is (ct_or_mr and site == "hospital_outpatient")


def test_every_choice_has_a_label():
    fields = ImagingDetails.model_fields
    from typing import get_args

    assert set(get_args(fields["modality"].annotation)) == set(MODALITY_LABELS) == set(MODALITY_BODY_PARTS)
    assert set(get_args(fields["body_part"].annotation)) == set(BODY_PART_LABELS)
    assert set(get_args(fields["laterality"].annotation)) == set(LATERALITY_LABELS)
    assert set(get_args(fields["clinical_indication"].annotation)) == set(INDICATION_LABELS)
    assert set(get_args(fields["site_of_care"].annotation)) == set(SITE_OF_CARE_LABELS)
    assert len(RED_FLAG_LABELS) == 14 and len(CHEST_PAIN_LABELS) == 5
    assert RISK_FACTOR_LABELS and PRIOR_TEST_LABELS and PRIOR_RESULT_LABELS
    for flags in RED_FLAGS_BY_INDICATION.values():
        assert set(flags) <= set(RED_FLAG_LABELS)
    for parts in MODALITY_BODY_PARTS.values():
        assert set(parts) <= set(BODY_PART_LABELS)


# --- details validation ----------------------------------------------------------------------

PRE_EXAM = {"chest_pain_type": "typical", "risk_factors": [], "prior_tests": []}


def details(age: int = 45, **changes) -> ImagingDetails:
    data = {
        "modality": "mri",
        "body_part": "lumbar_spine",
        "clinical_indication": "low_back_pain",
        "site_of_care": "free_standing",
    }
    data.update(changes)
    return ImagingDetails.model_validate(data, context={"member_age": age})


def errors(age: int = 45, **changes) -> dict[str, str]:
    data = {
        "modality": "mri",
        "body_part": "lumbar_spine",
        "clinical_indication": "low_back_pain",
        "site_of_care": "free_standing",
    }
    data.update(changes)
    return details_errors(data, member_age=age)


def test_an_adult_may_skip_the_pre_exam_questions():
    # Program FAQ (shared/seeds/001): completing the PEQs for cardiac CT/CTA, cardiac PET, MPI and
    # stress echo "is currently voluntary"; they only make the review faster.
    for modality in sorted(PRE_EXAM_MODALITIES):
        assert errors(modality=modality, body_part="heart", clinical_indication="chest_pain") == {}, modality
        skipped = details(45, modality=modality, body_part="heart", clinical_indication="chest_pain")
        assert skipped.cardiac is None, modality


def test_pre_exam_is_cleared_under_19_and_for_other_exams():
    assert details(18, modality="mpi", body_part="heart", cardiac=PRE_EXAM).cardiac is None
    assert details(10, modality="stress_echo", body_part="heart").cardiac is None
    assert details(45, modality="tte", body_part="heart", cardiac=PRE_EXAM).cardiac is None
    assert details(19, modality="mpi", body_part="heart", cardiac=PRE_EXAM).cardiac is not None
    # Invalid answers for a child are ignored rather than reported.
    assert details(12, modality="mpi", body_part="heart", cardiac={"chest_pain_type": "?"}).cardiac is None


def test_without_an_age_the_pre_exam_is_neither_required_nor_cleared():
    data = {
        "modality": "mpi",
        "body_part": "heart",
        "clinical_indication": "chest_pain",
        "site_of_care": "free_standing",
    }
    assert ImagingDetails.model_validate(data).cardiac is None
    assert ImagingDetails.model_validate({**data, "cardiac": PRE_EXAM}).cardiac is not None


@pytest.mark.parametrize(
    ("modality", "body_part", "needs_reason"),
    [
        ("mri", "lumbar_spine", True),
        ("ct", "chest", True),
        ("cta", "chest", True),
        ("cardiac_mri", "heart", True),
        ("pet", "whole_body", False),
        ("tte", "heart", False),
        ("muga", "heart", False),
    ],
)
def test_hospital_site_needs_a_reason_for_ct_and_mr_only(modality, body_part, needs_reason):
    found = errors(
        modality=modality,
        body_part=body_part,
        clinical_indication="other",
        site_of_care="hospital_outpatient",
    )
    assert ("hospital_reason" in found) is needs_reason
    ok = details(
        modality=modality,
        body_part=body_part,
        clinical_indication="other",
        site_of_care="hospital_outpatient",
        hospital_reason="  Needs sedation with anesthesia.  ",
    )
    assert ok.hospital_reason == ("Needs sedation with anesthesia." if needs_reason else "")


def test_reason_is_cleared_away_from_the_hospital():
    assert details(site_of_care="physician_office", hospital_reason="anything").hospital_reason == ""


@pytest.mark.parametrize(
    ("changes", "field", "message_part"),
    [
        ({"modality": "xray"}, "modality", "Choose the kind of exam"),
        ({"body_part": "heart"}, "body_part", "offered for MRI"),
        ({"body_part": "lower_extremity_joint"}, "laterality", "which side"),
        ({"weeks_of_symptoms": -1}, "weeks_of_symptoms", "whole number from 0 to 520"),
        ({"weeks_of_symptoms": "six"}, "weeks_of_symptoms", "whole number"),
        ({"weeks_of_symptoms": 4, "weeks_conservative_care": 6}, "weeks_conservative_care", "longer than"),
        ({"red_flags": ["fever"]}, "red_flags", "warning signs"),
        ({"clinical_notes": "x" * 4001}, "clinical_notes", "4,000 characters"),
        ({"hospital_reason": "y" * 1001, "site_of_care": "hospital_outpatient"}, "hospital_reason", "1,000"),
        ({"site_of_care": "home"}, "site_of_care", "where the exam will be done"),
        ({"clinical_indication": None}, "clinical_indication", "reason for the exam"),
    ],
)
def test_plain_validation_messages(changes, field, message_part):
    found = errors(**changes)
    assert field in found, found
    assert message_part in found[field]
    assert not any("Input should" in message for message in found.values())


def test_missing_answers_read_plainly():
    with pytest.raises(ValidationError):
        ImagingDetails.model_validate({})
    found = details_errors({}, member_age=40)
    assert found == {
        field: "Please answer this question."
        for field in ("modality", "body_part", "clinical_indication", "site_of_care")
    }


def test_laterality_is_kept_for_paired_parts_and_cleared_otherwise():
    knee = details(body_part="lower_extremity_joint", laterality="left", clinical_indication="joint_pain")
    assert knee.laterality == "left"
    assert details(laterality="right").laterality == "not_applicable"


def test_numbers_from_form_fields_and_repeated_flags():
    parsed = details(
        weeks_of_symptoms="8", weeks_conservative_care=" 6 ", red_flags=["recent_trauma", "recent_trauma"]
    )
    assert (parsed.weeks_of_symptoms, parsed.weeks_conservative_care) == (8, 6)
    assert parsed.red_flags == ["recent_trauma"]
    assert details(weeks_of_symptoms="").weeks_of_symptoms is None


# --- criteria, one by one -------------------------------------------------------------------


def decide(codes, found: ImagingDetails, *, age=45, sex="F", plan="EVG", duplicate_of=""):
    req = ProgramRequest(plan, SERVICE, age, tuple(codes), found, member_sex=sex, duplicate_of=duplicate_of)
    return evaluate(IMAGING, req)


def only_line(codes, found, **kwargs):
    (line,) = decide(codes, found, **kwargs).lines
    return line


def met_of(line, criterion_id):
    return next(result.met for result in line.results if result.criterion_id == criterion_id)


# ACR Low Back Pain 2021 / Chou 2007.
@pytest.mark.parametrize(
    ("changes", "met", "outcome"),
    [
        ({"red_flags": ["suspected_cauda_equina"]}, True, Outcome.AUTHORIZED),  # variant 4
        ({"red_flags": ["history_of_cancer"]}, True, Outcome.AUTHORIZED),  # variant 7
        ({"red_flags": ["osteoporosis_or_steroid_use"]}, True, Outcome.AUTHORIZED),  # variant 6
        ({"weeks_of_symptoms": 8, "weeks_conservative_care": 6}, True, Outcome.AUTHORIZED),  # variant 3
        ({"weeks_of_symptoms": 3, "weeks_conservative_care": 2}, False, Outcome.PENDED),  # variant 1
        ({"weeks_of_symptoms": 10, "weeks_conservative_care": 4}, False, Outcome.PENDED),
        ({"weeks_of_symptoms": 3}, False, Outcome.PENDED),  # too short whatever the care
        ({"weeks_of_symptoms": 8}, None, Outcome.PENDED),  # care not stated
        ({}, None, Outcome.PENDED),
        ({"red_flags": ["pregnancy"]}, None, Outcome.PENDED),  # a headache flag does not count here
    ],
)
def test_lumbar_mri_for_low_back_pain(changes, met, outcome):
    for code in ("72148", "72149", "72158"):
        line = only_line([code], details(**changes))
        assert met_of(line, "LBP-1") is met
        assert line.outcome is outcome


# ACR Headache 2019, variants 1-3.
@pytest.mark.parametrize(
    ("code", "age", "flags", "met"),
    [
        ("70551", 40, ["neurologic_deficit"], True),
        ("70553", 40, ["immunosuppression"], True),
        ("70552", 40, ["optic_disc_edema"], True),  # variant 2
        ("70551", 55, ["new_or_worsening_pattern"], True),  # 50 or older with a new pattern
        ("70551", 50, ["new_or_worsening_pattern"], True),
        ("70551", 49, ["new_or_worsening_pattern"], False),
        ("70551", 40, [], False),
        ("70551", 40, ["sudden_severe_onset"], False),  # variant 1: CT first, not MRI
        ("70450", 40, ["sudden_severe_onset"], True),  # ... so CT head is met
        ("70450", 40, [], False),
    ],
)
def test_head_imaging_for_headache(code, age, flags, met):
    body = {
        "modality": "mri" if code.startswith("705") else "ct",
        "body_part": "brain",
        "clinical_indication": "headache",
        "red_flags": flags,
    }
    line = only_line([code], details(age, **body), age=age)
    criterion = "HA-1" if code.startswith("705") else "HA-2"
    assert met_of(line, criterion) is met
    assert line.outcome is (Outcome.AUTHORIZED if met else Outcome.PENDED)


def cardiac(age, pain, risks=(), prior=(), modality="mpi"):
    body_part = "heart"
    return details(
        age,
        modality=modality,
        body_part=body_part,
        clinical_indication="chest_pain",
        cardiac={"chest_pain_type": pain, "risk_factors": list(risks), "prior_tests": list(prior)},
    )


ABNORMAL_ETT = {"test": "exercise_ecg", "result": "abnormal", "months_ago": 6}


# 2019 ESC / 2021 AHA-ACC pre-test probability rules (cells from the published table).
@pytest.mark.parametrize(
    ("age", "sex", "pain", "risks", "prior", "met"),
    [
        (55, "M", "typical", (), (), True),  # 32% > 15%
        (65, "F", "typical", (), (), True),  # 16% > 15%
        (55, "F", "typical", (), (), False),  # 13%, no risk factor
        (55, "F", "typical", ("diabetes",), (), True),  # 13% with a risk factor
        (45, "F", "atypical", ("smoking",), (), True),  # 6% with a risk factor
        (35, "M", "atypical", ("smoking",), (), False),  # 4%: 5% or less
        (45, "F", "non_anginal", ("hypertension",), (), False),  # 2%
        (35, "M", "atypical", (), (ABNORMAL_ETT,), True),  # recent abnormal test
        (35, "M", "atypical", (), ({**ABNORMAL_ETT, "months_ago": 24},), False),  # too old
        (35, "M", "atypical", (), ({**ABNORMAL_ETT, "months_ago": None},), False),  # date unknown
        (35, "M", "atypical", (), ({**ABNORMAL_ETT, "test": "cardiac_catheterization"},), False),
        (55, "M", "none", ("diabetes",), (), False),  # no symptoms
        (55, "U", "typical", (), (), None),  # sex unknown
        (55, "", "typical", (), (), None),
        (25, "M", "typical", (), (), None),  # under 30: no published row
    ],
)
def test_cardiac_imaging_for_chest_pain(age, sex, pain, risks, prior, met):
    for code, modality in (
        ("78452", "mpi"),
        ("93350", "stress_echo"),
        ("75574", "cardiac_ct"),
        ("78492", "cardiac_pet"),
    ):
        line = only_line([code], cardiac(age, pain, risks, prior, modality), age=age, sex=sex)
        assert met_of(line, "CAD-1") is met, code
        assert line.outcome is (Outcome.AUTHORIZED if met else Outcome.PENDED)


def test_cardiac_criteria_without_pre_exam_are_not_determinable():
    child = details(15, modality="mpi", body_part="heart", clinical_indication="chest_pain")
    line = only_line(["78452"], child, age=15, sex="M")
    assert met_of(line, "CAD-1") is None and line.outcome is Outcome.PENDED


@pytest.mark.parametrize("code", ["78452", "75574", "93350"])
def test_an_adults_skipped_pre_exam_pends_and_says_so(code):
    # Voluntary (shared/seeds/001): skipped, the chest-pain criterion cannot be checked, so a nurse
    # reviews the line, and the reason names the skipped questions.
    modality = {"78452": "mpi", "75574": "cardiac_ct", "93350": "stress_echo"}[code]
    skipped = details(55, modality=modality, body_part="heart", clinical_indication="chest_pain")
    line = only_line([code], skipped, age=55, sex="M")
    assert met_of(line, "CAD-1") is None and line.outcome is Outcome.PENDED
    assert "pre-exam questions were skipped" in line.reason and "CAD-1" in line.reason
    # Answered and meeting the criterion, the same exam is approved at once.
    answered = only_line([code], cardiac(55, "typical", modality=modality), age=55, sex="M")
    assert met_of(answered, "CAD-1") is True and answered.outcome is Outcome.AUTHORIZED


def test_a_childs_cardiac_line_without_a_pre_exam_does_not_claim_it_was_skipped():
    child = details(15, modality="mpi", body_part="heart", clinical_indication="chest_pain")
    line = only_line(["78452"], child, age=15, sex="M")
    assert line.outcome is Outcome.PENDED and "skipped" not in line.reason


@pytest.mark.parametrize(
    ("code", "modality", "body_part", "indication", "met", "outcome"),
    [
        ("78815", "pet", "skull_base_to_mid_thigh", "known_cancer", True, Outcome.AUTHORIZED),
        ("78815", "pet", "skull_base_to_mid_thigh", "other", False, Outcome.PENDED),
        ("71260", "ct", "chest", "known_cancer", True, Outcome.AUTHORIZED),
        ("74177", "ct", "abdomen_pelvis", "known_cancer", True, Outcome.AUTHORIZED),
        ("71260", "ct", "chest", "other", None, Outcome.PENDED),  # no criteria set: pend
    ],
)
def test_known_cancer_staging(code, modality, body_part, indication, met, outcome):
    line = only_line([code], details(modality=modality, body_part=body_part, clinical_indication=indication))
    assert line.outcome is outcome
    if met is None:
        assert line.results == () and "no automatic criteria" in line.reason
    else:
        assert met_of(line, "ONC-1" if code.startswith("788") else "ONC-2") is met


def test_hospital_site_for_mr_always_goes_to_a_physician():
    hospital = details(
        red_flags=["suspected_cauda_equina"],
        site_of_care="hospital_outpatient",
        hospital_reason="Patient needs general anesthesia.",
    )
    line = only_line(["72148"], hospital)
    assert met_of(line, "LBP-1") is True and met_of(line, "SOC-1") is None
    assert line.outcome is Outcome.PENDED
    office = details(red_flags=["suspected_cauda_equina"], site_of_care="physician_office")
    assert only_line(["72148"], office).outcome is Outcome.AUTHORIZED
    # A hospital PET is not under site-of-care review.
    pet = details(
        modality="pet",
        body_part="whole_body",
        clinical_indication="known_cancer",
        site_of_care="hospital_outpatient",
    )
    assert only_line(["78816"], pet).outcome is Outcome.AUTHORIZED


def test_a_mixed_request():
    found = details(weeks_of_symptoms=8, weeks_conservative_care=6)
    result = decide(["72148", "93306", "72131", "99999"], found, plan="RVB")
    outcomes = {line.code: line.outcome for line in result.lines}
    assert outcomes == {
        "72148": Outcome.AUTHORIZED,
        "93306": Outcome.NOTIFICATION_ONLY,  # RVB: resting TTE notification only
        "72131": Outcome.PENDED,  # CT lumbar: no criteria set
        "99999": Outcome.NOT_MANAGED,
    }
    assert result.needs_review
    duplicate = decide(["72148"], found, duplicate_of="PC20260000017")
    assert duplicate.lines[0].outcome is Outcome.PENDED
    assert "PC20260000017" in duplicate.lines[0].reason
