"""The musculoskeletal program: reference data, validity, notification, frequency limits, criteria.

Expected values and their sources:
* procedures in scope, validity (60 calendar days outpatient, date of service + initial length of
  stay inpatient, 10 business days for pain management), notification-only 62320/62322 with
  G89.11/G89.12/G89.18, no request for emergency-room fractures, trauma and neurological
  conditions: program FAQ (shared/seeds/003);
* business days and the Thanksgiving holiday (26 November 2026): 5 U.S.C. 6103(a);
* 4 epidural sessions per spinal region in a rolling 12 months: CMS LCD L39240 and the
  harmonised MAC ESI LCDs (L33906 ...); 14 days between sessions: eviCore CMM-200 [K];
* bone growth stimulator for a high risk of non-union: CMS NCD 150.2.
"""

from datetime import date, timedelta

import pytest

from portal_app.domain.enums import Program
from portal_app.domain.programs import PriorService, ProgramRequest
from portal_app.domain.rules import Outcome, evaluate
from portal_app.domain.windows import validity_window
from portal_app.programs.musculoskeletal.domain import (
    CATEGORY_LABELS,
    EMERGENCY_LABELS,
    EVALUATORS,
    FINDINGS_BY_CATEGORY,
    IMAGING_FINDING_LABELS,
    NONUNION_RISK_LABELS,
    PROCEDURE_LABELS,
    PROCEDURE_REGIONS,
    PROCEDURES,
    PROCEDURES_BY_CATEGORY,
    PROGRAM,
    SETTING_LABELS,
    SIDE_LABELS,
    SPINE_REGION_LABELS,
    WARNING_SIGN_LABELS,
    WARNING_SIGNS_BY_CATEGORY,
    MskDetails,
    _table,
    code_facts,
    codes_for_procedure,
    criterion_specs,
    details_errors,
    injection_frequency_problems,
    injection_limits,
    inpatient_default_los,
    no_request_needed,
    notification_only,
    procedure_choices,
    validity_end,
)

SERVICE = date(2026, 6, 15)  # a Monday


def details(**changes) -> MskDetails:
    base = {
        "category": "spine",
        "procedure": "lumbar_fusion",
        "setting": "outpatient",
        "levels": 1,
        "weeks_conservative_care": 8,
        "imaging_findings": ["instability"],
    }
    return MskDetails.model_validate(base | changes)


def esi(**changes) -> MskDetails:
    return details(
        **{
            "category": "pain",
            "procedure": "epidural_injection",
            "spine_region": "lumbar",
            "weeks_conservative_care": 6,
            "imaging_findings": ["nerve_compression"],
            **changes,
        }
    )


def request(*codes, answers=None, diagnoses=(), prior=(), service=SERVICE, plan="EVG"):
    return ProgramRequest(
        plan_code=plan,
        service_date=service,
        member_age=58,
        codes=codes,
        details=answers if answers is not None else details(),
        diagnosis_codes=diagnoses,
        prior_services=tuple(prior),
    )


def outcomes(req: ProgramRequest) -> dict[str, Outcome]:
    return {line.code: line.outcome for line in evaluate(PROGRAM, req).lines}


# --- reference data --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["msk_codes.csv", "msk_inpatient_los.csv", "msk_criteria.csv", "msk_injection_limits.csv"]
)
def test_every_reference_row_names_its_source(name):
    frame = _table(name)
    assert len(frame) > 0
    assert (frame["source"].str.strip() != "").all()


def test_codes_file_carries_the_cpt_notice_and_one_label_per_code():
    frame = _table("msk_codes.csv")
    from portal_app import reference

    text = (reference.path_of("msk_codes.csv")).read_text(encoding="utf-8")
    assert "CPT is a registered trademark of the American Medical Association" in text
    assert frame["code"].str.fullmatch(r"\d{5}|[A-Z]\d{4}").all()
    assert frame.groupby("code")["label"].nunique().max() == 1
    assert (frame["notification_only"] == "false").all()  # notification comes from the rule


def test_every_procedure_of_the_faq_has_codes():
    for procedure in PROCEDURES:
        assert codes_for_procedure("EVG", 2026, procedure), procedure


@pytest.mark.parametrize(
    ("plan", "year", "code", "managed"),
    [
        ("EVG", 2026, "22612", True),
        ("EVG", 2026, "64483", True),
        ("EVG", 2027, "28296", True),
        ("RVB", 2027, "27447", True),
        ("RVB", 2027, "28296", False),  # RVB leaves small joint surgery out
        ("RVB", 2026, "27447", False),  # RVB delegates the program from 2027
        ("LKS", 2026, "27447", False),
        ("evg", 2026, " e0748 ", True),  # plan code and code are normalised
    ],
)
def test_managed_codes_per_plan_and_year(plan, year, code, managed):
    assert (PROGRAM.managed_code(plan, year, code) is not None) is managed
    if managed:
        assert not PROGRAM.managed_code(plan, year, code).notification_only


def test_codes_for_procedure_filters():
    lumbar = codes_for_procedure("EVG", 2026, "laminectomy", region="lumbar")
    assert [item.code for item in lumbar] == ["63047", "63048"]
    revisions = codes_for_procedure("EVG", 2026, "hip_arthroplasty", revision=True)
    assert [item.code for item in revisions] == ["27134", "27137", "27138"]
    first_time = codes_for_procedure("EVG", 2026, "hip_arthroplasty", revision=False)
    assert [item.code for item in first_time] == ["27125", "27130"]
    neck_esi = codes_for_procedure("EVG", 2026, "epidural_injection", region="thoracic")
    assert [item.code for item in neck_esi] == ["62320", "62321", "64479", "64480"]


def test_procedure_choices():
    small_joint = [value for value, _ in procedure_choices("small_joint")]
    assert small_joint == list(PROCEDURES_BY_CATEGORY["small_joint"])
    assert procedure_choices("small_joint", plan_code="RVB", year=2027) == []
    assert ("knee_arthroplasty", "Knee replacement") in procedure_choices("joint", plan_code="RVB", year=2027)
    assert len(procedure_choices()) == len(PROCEDURES)


def test_every_choice_has_a_label():
    assert set(PROCEDURE_LABELS) == set(PROCEDURES)
    assert set(CATEGORY_LABELS) == set(PROCEDURES_BY_CATEGORY)
    assert sorted(sum(PROCEDURES_BY_CATEGORY.values(), ())) == sorted(PROCEDURES)
    for labels in (SETTING_LABELS, SIDE_LABELS, SPINE_REGION_LABELS, EMERGENCY_LABELS, NONUNION_RISK_LABELS):
        assert all(label.strip() for label in labels.values())
    for findings in FINDINGS_BY_CATEGORY.values():
        assert set(findings) <= set(IMAGING_FINDING_LABELS)
    for signs in WARNING_SIGNS_BY_CATEGORY.values():
        assert set(signs) <= set(WARNING_SIGN_LABELS)
    for procedure, regions in PROCEDURE_REGIONS.items():
        assert procedure in PROCEDURES and set(regions) <= set(SPINE_REGION_LABELS)


def test_every_criterion_has_a_rule_a_citation_and_known_targets():
    for spec in criterion_specs():
        assert spec.set_id in EVALUATORS
        assert spec.citation and spec.text and spec.source
        assert all(name in PROCEDURES or name in code_facts() for name in spec.applies_to)
    assert set(injection_limits()) == {"epidural_injection", "facet_injection", "facet_rfa"}


# --- validity --------------------------------------------------------------------------------


def test_pain_approval_is_10_business_days_across_thanksgiving():
    # Monday 23 November 2026 is day 1; Thanksgiving (Thursday 26 November) is skipped:
    # 23, 24, 25, 27, 30 November, 1, 2, 3, 4, 7 December -> the 10th business day is 7 December.
    service = date(2026, 11, 23)
    assert validity_end("EVG", service, esi()) == date(2026, 12, 7)
    assert PROGRAM.approval_window("EVG", service, esi()) == (service, date(2026, 12, 7))


def test_pain_approval_in_a_week_without_holiday():
    # Monday 1 June 2026: 1-5 and 8-12 June are the 10 business days.
    assert validity_end("EVG", date(2026, 6, 1), esi()) == date(2026, 6, 12)


def test_pain_approval_from_a_weekend_starts_counting_on_monday():
    # Saturday 21 November 2026: day 1 is Monday 23 November, so the same end as above.
    assert validity_end("EVG", date(2026, 11, 21), esi()) == date(2026, 12, 7)


def test_pain_approval_is_business_days_even_inpatient():
    assert validity_end("EVG", date(2026, 6, 1), esi(setting="inpatient")) == date(2026, 6, 12)


@pytest.mark.parametrize(
    ("plan", "category", "procedure", "los"),
    [
        ("EVG", "spine", "lumbar_fusion", 3),
        ("EVG", "joint", "knee_arthroplasty", 2),
        ("RVB", "spine", "lumbar_fusion", 4),
        ("LKS", "spine", "lumbar_fusion", 2),  # no row: the two-midnight fallback
    ],
)
def test_inpatient_approval_runs_through_the_plan_default_stay(plan, category, procedure, los):
    assert inpatient_default_los(plan, category) == los
    answers = details(category=category, procedure=procedure, setting="inpatient", side="left")
    service = date(2026, 3, 2)
    assert PROGRAM.approval_window(plan, service, answers) == (service, service + timedelta(days=los))


def test_outpatient_surgery_lasts_60_calendar_days():
    service = date(2026, 1, 15)
    end = validity_end("EVG", service, details())
    assert end == date(2026, 3, 15)
    assert end == validity_window(start=service, days=60).end
    assert PROGRAM.validity_days("EVG") == 60
    assert validity_end("EVG", service, None) == end  # details not given: the usual approval


# --- notification only -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "diagnosis", "expected"),
    [
        ("62320", "G89.11", True),
        ("62322", "G89.12", True),
        ("62320", "G89.18", True),
        ("62322", " g8918 ", True),  # written without the dot
        ("62321", "G89.11", False),
        ("62322", "M54.16", False),
        ("62323", "G89.18", False),
        ("62320", "", False),
    ],
)
def test_notification_only(code, diagnosis, expected):
    assert notification_only(code, diagnosis) is expected


def test_notification_only_follows_the_primary_diagnosis_in_the_engine():
    lines = outcomes(request("62322", "62321", answers=esi(), diagnoses=("G89.18", "M54.16")))
    assert lines["62322"] is Outcome.NOTIFICATION_ONLY
    assert lines["62321"] is not Outcome.NOTIFICATION_ONLY
    # The same code with the post-procedural pain code only as a secondary diagnosis is reviewed.
    lines = outcomes(request("62322", answers=esi(), diagnoses=("M54.16", "G89.18")))
    assert lines["62322"] is not Outcome.NOTIFICATION_ONLY


# --- injection frequency ---------------------------------------------------------------------


def sessions(*days_before, code="62323", region=""):
    return [PriorService(code, SERVICE - timedelta(days=days), region) for days in days_before]


def test_fifth_epidural_session_in_12_months_is_flagged():
    problems = injection_frequency_problems("62323", SERVICE, sessions(30, 90, 150, 250))
    assert len(problems) == 1
    assert "session 5" in problems[0] and "at most 4" in problems[0]


def test_fourth_epidural_session_is_allowed():
    assert injection_frequency_problems("62323", SERVICE, sessions(30, 90, 150)) == []


def test_a_session_13_months_ago_is_not_counted():
    thirteen_months_ago = date(2025, 5, 15)
    prior = sessions(30, 90, 150) + [PriorService("64483", thirteen_months_ago)]
    assert injection_frequency_problems("62323", SERVICE, prior) == []


def test_the_same_date_a_year_earlier_is_outside_the_rolling_12_months():
    prior = sessions(30, 90, 150) + [PriorService("62323", date(2025, 6, 15))]
    assert injection_frequency_problems("62323", SERVICE, prior) == []
    prior[-1] = PriorService("62323", date(2025, 6, 16))
    assert len(injection_frequency_problems("62323", SERVICE, prior)) == 1


def test_other_regions_and_other_procedures_are_not_counted():
    neck = sessions(30, 90, 150, 250, code="62321")
    facet = sessions(40, 100, 160, 260, code="64493")
    assert injection_frequency_problems("62323", SERVICE, neck + facet) == []
    assert len(injection_frequency_problems("62321", SERVICE, neck)) == 1


def test_codes_of_one_day_are_one_session():
    prior = sessions(30, 90, 150, code="64483") + sessions(150, code="64484")
    assert injection_frequency_problems("64483", SERVICE, prior) == []


def test_spacing_between_epidural_sessions():
    problems = injection_frequency_problems("62323", SERVICE, sessions(10))
    assert len(problems) == 1 and "at least 14 days apart" in problems[0]
    assert injection_frequency_problems("62323", SERVICE, sessions(14)) == []


def test_radiofrequency_ablation_limit():
    prior = sessions(60, 200, code="64635")
    problems = injection_frequency_problems("64635", SERVICE, prior)
    assert len(problems) == 1 and "at most 2" in problems[0]
    assert injection_frequency_problems("64635", SERVICE, prior[:1]) == []


def test_the_code_region_wins_over_a_recorded_body_region():
    # 62323 is a lower-back code whatever region was recorded with it.
    prior = sessions(30, 90, 150, 250, code="62323", region="cervical")
    assert len(injection_frequency_problems("62322", SERVICE, prior)) == 1
    assert injection_frequency_problems("62320", SERVICE, prior) == []


def test_the_request_region_is_used_only_when_the_code_names_none():
    # Every limited code names its region, so a contradicting request region changes nothing.
    prior = sessions(30, 90, 150, 250)
    assert len(injection_frequency_problems("62323", SERVICE, prior, region="cervical")) == 1


def test_codes_without_a_limit_have_no_problems():
    assert injection_frequency_problems("27447", SERVICE, sessions(1, 2, 3, 4, 5, code="27447")) == []
    assert injection_frequency_problems("99999", SERVICE, ()) == []


def test_a_frequency_problem_sends_the_line_to_a_reviewer():
    assert outcomes(request("62323", answers=esi(), prior=sessions(200)))["62323"] is Outcome.PENDED
    assert (
        outcomes(request("62323", answers=esi(prior_relief_percent=60), prior=sessions(200)))["62323"]
        is Outcome.AUTHORIZED
    )
    line = evaluate(
        PROGRAM, request("62323", answers=esi(prior_relief_percent=60), prior=sessions(30, 90, 150, 250))
    ).lines[0]
    assert line.outcome is Outcome.PENDED
    assert "INJ-FREQ" in line.reason


# --- criteria, line by line -----------------------------------------------------------------


def test_fusion_graft_and_stimulator_are_decided_line_by_line():
    codes = ("22612", "20936", "E0748")
    assert set(outcomes(request(*codes, answers=details(nonunion_risks=["multilevel_fusion"]))).values()) == {
        Outcome.AUTHORIZED
    }
    lines = outcomes(request(*codes, answers=details()))
    assert lines == {"22612": Outcome.AUTHORIZED, "20936": Outcome.AUTHORIZED, "E0748": Outcome.PENDED}


def test_failed_fusion_criteria_do_not_hold_back_the_stimulator():
    answers = details(weeks_conservative_care=2, nonunion_risks=["prior_failed_fusion"])
    lines = outcomes(request("22612", "20936", "E0748", answers=answers))
    assert lines == {"22612": Outcome.PENDED, "20936": Outcome.AUTHORIZED, "E0748": Outcome.AUTHORIZED}


def test_a_bone_graft_without_a_fusion_goes_to_a_reviewer():
    answers = details(procedure="laminectomy", spine_region="lumbar", imaging_findings=["nerve_compression"])
    lines = outcomes(request("63047", "20936", answers=answers))
    assert lines == {"63047": Outcome.AUTHORIZED, "20936": Outcome.PENDED}


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({}, Outcome.AUTHORIZED),
        ({"weeks_conservative_care": 4}, Outcome.PENDED),
        ({"weeks_conservative_care": 4, "warning_signs": ["cauda_equina"]}, Outcome.AUTHORIZED),
        ({"weeks_conservative_care": None}, Outcome.PENDED),
        ({"imaging_findings": ["nerve_compression"]}, Outcome.PENDED),  # compression alone: reviewer
    ],
)
def test_lumbar_fusion_criteria(changes, outcome):
    assert outcomes(request("22612", answers=details(**changes)))["22612"] is outcome


@pytest.mark.parametrize(
    ("weeks", "findings", "outcome"),
    [
        (12, ["advanced_arthritis"], Outcome.AUTHORIZED),
        (8, ["advanced_arthritis"], Outcome.PENDED),  # arthroplasty asks 12 weeks
        (12, [], Outcome.PENDED),
    ],
)
def test_knee_replacement_criteria(weeks, findings, outcome):
    answers = details(
        category="joint",
        procedure="knee_arthroplasty",
        side="right",
        weeks_conservative_care=weeks,
        imaging_findings=findings,
    )
    assert outcomes(request("27447", answers=answers))["27447"] is outcome


@pytest.mark.parametrize(
    ("blocks", "relief", "outcome"),
    [
        (2, 80, Outcome.AUTHORIZED),
        (1, 90, Outcome.PENDED),
        (2, 60, Outcome.PENDED),
        (None, None, Outcome.PENDED),
    ],
)
def test_first_radiofrequency_ablation_needs_two_good_blocks(blocks, relief, outcome):
    answers = esi(
        procedure="facet_rfa",
        imaging_findings=[],
        diagnostic_blocks=blocks,
        diagnostic_block_relief_percent=relief,
    )
    assert outcomes(request("64635", answers=answers))["64635"] is outcome


def test_stimulator_generator_needs_a_good_trial():
    base = {"category": "pain", "procedure": "spinal_cord_stimulator"}
    assert (
        outcomes(request("63685", answers=details(**base, stimulator_trial_relief_percent=60)))["63685"]
        is Outcome.AUTHORIZED
    )
    assert (
        outcomes(request("63685", answers=details(**base, stimulator_trial_relief_percent=30)))["63685"]
        is Outcome.PENDED
    )
    # The lead placement itself has no automatic criterion: a reviewer decides.
    assert outcomes(request("63650", answers=details(**base)))["63650"] is Outcome.PENDED


def test_codes_outside_the_plan_are_not_managed():
    assert (
        outcomes(request("28296", answers=details(), plan="RVB", service=date(2027, 3, 1)))["28296"]
        is Outcome.NOT_MANAGED
    )


def test_the_engine_never_denies_any_line():
    codes = sorted({item.code for item in PROGRAM.managed_codes("EVG", 2026)})
    for answers in (details(), esi(), details(weeks_conservative_care=0, imaging_findings=[])):
        for line in evaluate(PROGRAM, request(*codes, answers=answers, prior=sessions(3, 5, 7, 9))).lines:
            assert line.outcome in {Outcome.AUTHORIZED, Outcome.PENDED, Outcome.NOTIFICATION_ONLY}


# --- emergency room --------------------------------------------------------------------------


@pytest.mark.parametrize("presentation", ["acute_fracture", "trauma", "neurological"])
def test_emergency_room_cases_need_no_request(presentation):
    message = no_request_needed({"emergency_presentation": presentation})
    assert message and message.startswith("No prior authorization is needed")
    assert "emergency room" in message
    assert no_request_needed(details(emergency_presentation=presentation)) == message


@pytest.mark.parametrize(
    "inputs", [{}, {"emergency_presentation": "none"}, {"emergency_presentation": "x"}, None]
)
def test_other_cases_need_a_request(inputs):
    assert no_request_needed(inputs) is None


# --- details validation ----------------------------------------------------------------------


def test_regions_and_levels_are_filled_or_cleared_by_procedure():
    assert details().spine_region == "lumbar"  # a lumbar fusion is in the lumbar spine
    knee = details(
        category="joint", procedure="knee_arthroplasty", side="left", spine_region="lumbar", levels=3
    )
    assert knee.spine_region == "" and knee.levels is None
    assert details(revision="yes").revision is True


@pytest.mark.parametrize(
    ("changes", "field", "message_part"),
    [
        ({"category": "hip"}, "category", "Choose the kind of procedure"),
        ({"procedure": "knee_arthroplasty"}, "procedure", "listed under Spine surgery"),
        ({"setting": "home"}, "setting", "inpatient or outpatient"),
        ({"procedure": "laminectomy"}, "spine_region", "which part of the spine"),
        ({"procedure": "disc_arthroplasty", "spine_region": "thoracic"}, "spine_region", "offered for"),
        ({"levels": 0}, "levels", "at least one level"),
        ({"levels": 30}, "levels", "whole number from 0 to 24"),
        ({"category": "joint", "procedure": "hip_arthroplasty"}, "side", "which side"),
        ({"weeks_conservative_care": "six"}, "weeks_conservative_care", "whole number"),
        ({"imaging_findings": ["xray"]}, "imaging_findings", "imaging findings"),
        ({"prior_relief_percent": 120}, "prior_relief_percent", "from 0 to 100"),
        ({"revision": "maybe"}, "revision", "yes or no"),
        ({"emergency_presentation": "ambulance"}, "emergency_presentation", "emergency room"),
        ({"clinical_notes": "x" * 4001}, "clinical_notes", "4,000 characters"),
    ],
)
def test_plain_validation_messages(changes, field, message_part):
    base = {"category": "spine", "procedure": "lumbar_fusion", "setting": "outpatient"}
    found = details_errors(base | changes)
    assert field in found, found
    assert message_part in found[field]
    assert not any("Input should" in message for message in found.values())


def test_missing_answers_read_plainly():
    assert details_errors({}) == {
        field: "Please answer this question." for field in ("category", "procedure", "setting")
    }
    assert details_errors({"category": "spine", "procedure": "lumbar_fusion", "setting": "outpatient"}) == {}


def test_program_object():
    assert PROGRAM.code is Program.MUSCULOSKELETAL
    assert PROGRAM.details_schema is MskDetails
