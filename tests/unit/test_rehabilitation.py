"""The rehabilitation program: episode date rule, visit allocation reasons, burn-down.

Rules and their sources:
* episode of care: later requests keep the initial evaluation date; changing it needs a reason;
  chronic, long-term or pediatric episodes running past a year may take a new date (annual
  re-evaluation) without one (program FAQ, shared/seeds/000);
* visit allocation: the FAQ's reasons for a lower allocation (2-4 visits) and the two visits for
  discharge planning and home exercise program when the plan-of-care goals are met
  (shared/seeds/000); full, reduced and discharge-planning visits from rehab_visits.csv;
* MCIDs: ODI 10 points (portal_app/domain/outcome_tools.py, clinical-reference §1.1);
* benefit limit: LKS 30 visits a year per discipline (rehab_plans.csv, synthetic demo plan).
"""

from datetime import date

import pytest

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS, ProgramRequest
from portal_app.domain.rules import Outcome, evaluate
from portal_app.programs.rehabilitation.domain import (
    BASELINE_DOCUMENTED,
    BENEFIT_LIMIT_CAPS,
    BENEFIT_LIMIT_REACHED,
    DISCHARGE_REQUEST,
    DISCIPLINES,
    GOALS_MET,
    INITIAL_EVALUATION,
    ITEM_ENTRY_TOOLS,
    LITTLE_PROGRESS,
    LITTLE_PROGRESS_EXPLAINED,
    NO_BASELINE,
    NO_TOOL_IN_SCOPE,
    NO_UPDATED_SCORE,
    PROGRAM,
    PROGRESS_MEETS_MCID,
    REQUEST_TYPES,
    SCORE_OFF_SCALE,
    TOTAL_ENTRY_TOOLS,
    RehabDetails,
    allocate_visits,
    authorized_visits,
    benefit_limit,
    burn_down,
    code_choices,
    details_errors,
    initial_evaluation_date_problem,
    request_allocation,
    visit_amounts,
)

EPISODE_START = date(2025, 3, 10)
FULL, REDUCED, DISCHARGE_PLANNING = 10, 4, 2


def details(**overrides) -> RehabDetails:
    """A second PT request for low-back pain with an ODI baseline of 40 and an update of 30."""
    data = {
        "discipline": "PT",
        "request_type": "later_treatment",
        "body_region": "low_back",
        "initial_evaluation_date": EPISODE_START,
        "outcome_tool": "ODI",
        "baseline_tool": "ODI",
        "baseline_score": 40,
        "current_score": 30,
    }
    data.update(overrides)
    return RehabDetails.model_validate(data)


def first_request(**overrides) -> RehabDetails:
    base = {"request_type": "first_treatment", "baseline_tool": "", "current_score": None}
    return details(**{**base, **overrides})


# --- Episode of care: the initial evaluation date -------------------------------------------


def test_first_request_of_an_episode_takes_any_date():
    assert initial_evaluation_date_problem(None, date(2026, 1, 5), "", "standard") is None


def test_later_request_keeping_the_date_is_fine():
    assert initial_evaluation_date_problem(EPISODE_START, EPISODE_START, "", "chronic") is None


def test_changing_the_date_needs_a_reason():
    problem = initial_evaluation_date_problem(EPISODE_START, date(2025, 4, 1), "", "standard")
    assert problem and "03/10/2025" in problem and "say why" in problem
    assert initial_evaluation_date_problem(EPISODE_START, date(2025, 4, 1), "  ", "standard")
    reason = "Typo on the first request"
    assert initial_evaluation_date_problem(EPISODE_START, date(2025, 4, 1), reason, "standard") is None


@pytest.mark.parametrize("kind", ["chronic", "long_term", "pediatric"])
def test_annual_reevaluation_needs_no_reason_after_a_year(kind):
    assert initial_evaluation_date_problem(EPISODE_START, date(2026, 3, 10), "", kind) is None
    assert initial_evaluation_date_problem(EPISODE_START, date(2026, 6, 1), "", kind) is None


@pytest.mark.parametrize("kind", ["chronic", "long_term", "pediatric"])
def test_annual_reevaluation_not_before_a_year(kind):
    problem = initial_evaluation_date_problem(EPISODE_START, date(2026, 3, 9), "", kind)
    assert problem and "03/10/2026" in problem


def test_a_short_term_episode_never_changes_date_without_a_reason():
    assert initial_evaluation_date_problem(EPISODE_START, date(2026, 6, 1), "", "standard")


def test_leap_day_episode_reevaluates_from_1_march():
    assert initial_evaluation_date_problem(date(2024, 2, 29), date(2025, 2, 28), "", "pediatric")
    assert initial_evaluation_date_problem(date(2024, 2, 29), date(2025, 3, 1), "", "pediatric") is None


def test_date_in_the_future():
    problem = initial_evaluation_date_problem(None, date(2026, 5, 5), "", "standard", today=date(2026, 5, 4))
    assert problem and "after today" in problem


def test_details_apply_the_episode_rule():
    data = {
        "discipline": "PT",
        "request_type": "later_treatment",
        "body_region": "low_back",
        "initial_evaluation_date": "2025-04-01",
    }
    errors = details_errors(data, previous_initial_evaluation_date=EPISODE_START)
    assert "03/10/2025" in errors["initial_evaluation_date"]
    data["initial_evaluation_date_reason"] = "The first request had the wrong date"
    assert details_errors(data, previous_initial_evaluation_date=EPISODE_START) == {}


def test_details_offer_only_the_tools_in_scope():
    errors = details_errors(
        {
            "discipline": "PT",
            "request_type": "first_treatment",
            "body_region": "knee",
            "initial_evaluation_date": "2026-01-05",
            "outcome_tool": "ODI",
        }
    )
    assert "outcome tool offered" in errors["outcome_tool"]


def test_details_plain_messages():
    errors = details_errors({"discipline": "XX", "request_type": "later", "body_region": "low_back"})
    assert errors["discipline"] == "Choose the therapy discipline from the list."
    assert errors["request_type"] == "Choose the kind of request from the list."
    assert errors["initial_evaluation_date"] == "Please answer this question."


# --- Visit allocation: one test per reason --------------------------------------------------


def test_first_request_without_a_baseline_tool_gets_the_reduced_allocation():
    allocation = allocate_visits(first_request(outcome_tool="", baseline_score=None))
    assert allocation.visits == REDUCED
    assert allocation.reason_codes == [NO_BASELINE]
    assert "baseline" in allocation.reasons[0].text


def test_first_request_tool_without_a_score_counts_as_no_baseline():
    assert allocate_visits(first_request(baseline_score=None)).reason_codes == [NO_BASELINE]


def test_later_request_whose_episode_has_no_baseline():
    allocation = allocate_visits(details(baseline_tool="", baseline_score=None))
    assert allocation.visits == REDUCED
    assert NO_BASELINE in allocation.reason_codes


def test_first_request_with_a_baseline_gets_the_full_allocation():
    allocation = allocate_visits(first_request(baseline_score=40))
    assert allocation.visits == FULL
    assert allocation.reason_codes == [BASELINE_DOCUMENTED]
    assert allocation.is_full


def test_score_not_on_the_tools_scale():
    allocation = allocate_visits(first_request(baseline_score=120))
    assert allocation.visits == REDUCED
    assert allocation.reason_codes == [SCORE_OFF_SCALE]
    assert "0 to 100" in allocation.reasons[0].text


def test_koos_jr_raw_total_instead_of_interval_score_is_off_scale():
    allocation = allocate_visits(first_request(body_region="knee", outcome_tool="KOOS_JR", baseline_score=15))
    assert allocation.reason_codes == [SCORE_OFF_SCALE]
    assert "interval score" in allocation.reasons[0].text


def test_updated_score_off_the_scale():
    allocation = allocate_visits(details(current_score=-5))
    assert allocation.visits == REDUCED
    assert allocation.reason_codes == [SCORE_OFF_SCALE]


def test_no_updated_score():
    allocation = allocate_visits(details(current_score=None))
    assert allocation.visits == REDUCED
    assert allocation.reason_codes == [NO_UPDATED_SCORE]


def test_an_update_from_a_different_tool_is_no_updated_score():
    allocation = allocate_visits(details(outcome_tool="PSFS", current_score=6))
    assert allocation.reason_codes == [NO_UPDATED_SCORE]


def test_little_progress_without_a_mitigating_factor_or_plan_change():
    # The e2e scenario: second PT request for low-back pain, ODI improved by less than 10.
    allocation = allocate_visits(details(baseline_score=40, current_score=34))
    assert allocation.visits == REDUCED
    assert allocation.reason_codes == [LITTLE_PROGRESS]
    assert "6 points" in allocation.reasons[0].text and "10 points" in allocation.reasons[0].text
    assert not allocation.is_full


def test_little_progress_with_a_mitigating_factor_gets_the_full_allocation():
    allocation = allocate_visits(details(current_score=34, mitigating_factors=["illness_or_hospitalization"]))
    assert allocation.visits == FULL
    assert allocation.reason_codes == [LITTLE_PROGRESS_EXPLAINED]


def test_little_progress_with_a_plan_of_care_change_gets_the_full_allocation():
    allocation = allocate_visits(
        details(current_score=34, plan_of_care_changed=True, plan_of_care_change_note="Added aquatic therapy")
    )
    assert allocation.visits == FULL
    assert allocation.reason_codes == [LITTLE_PROGRESS_EXPLAINED]


def test_worsening_counts_as_little_progress():
    allocation = allocate_visits(details(current_score=46))
    assert allocation.reason_codes == [LITTLE_PROGRESS]
    assert "did not improve" in allocation.reasons[0].text


def test_progress_of_at_least_the_mcid_gets_the_full_allocation():
    allocation = allocate_visits(details(baseline_score=40, current_score=30))
    assert allocation.visits == FULL
    assert allocation.reason_codes == [PROGRESS_MEETS_MCID]
    assert allocation.change is not None and allocation.change.improvement == pytest.approx(10)


def test_goals_met_gets_two_visits_for_discharge_planning():
    allocation = allocate_visits(details(functional_goals_met=True, current_score=None))
    assert allocation.visits == DISCHARGE_PLANNING
    assert allocation.reason_codes == [GOALS_MET]
    assert "home exercise program" in allocation.reasons[0].text


def test_benefit_limit_reached():
    allocation = allocate_visits(details(), plan_code="LKS", visits_used_this_year=30)
    assert allocation.visits == 0
    assert allocation.reason_codes[-1] == BENEFIT_LIMIT_REACHED
    assert "30 visits a year" in allocation.reasons[-1].text
    assert allocation.needs_review


def test_benefit_limit_reached_as_stated_by_the_provider():
    allocation = allocate_visits(details(benefit_limit_reached=True))
    assert allocation.visits == 0
    assert BENEFIT_LIMIT_REACHED in allocation.reason_codes


def test_benefit_limit_caps_the_allocation():
    allocation = allocate_visits(details(), plan_code="LKS", visits_used_this_year=27)
    assert allocation.visits == 3
    assert allocation.reason_codes == [PROGRESS_MEETS_MCID, BENEFIT_LIMIT_CAPS]


def test_explicit_limit_overrides_the_plan():
    assert allocate_visits(details(), visits_used_this_year=5, visits_per_year_limit=5).visits == 0
    assert allocate_visits(details(), plan_code="LKS", visits_used_this_year=5).visits == FULL


def test_initial_evaluation_and_discharge_requests():
    evaluation = allocate_visits(details(request_type="initial_evaluation"))
    assert (evaluation.visits, evaluation.reason_codes) == (1, [INITIAL_EVALUATION])
    discharge = allocate_visits(details(request_type="discharge"))
    assert (discharge.visits, discharge.reason_codes) == (DISCHARGE_PLANNING, [DISCHARGE_REQUEST])


def test_speech_therapy_has_no_tool_in_scope_yet():
    allocation = allocate_visits(
        details(discipline="ST", body_region="other", outcome_tool="", baseline_tool="", baseline_score=None)
    )
    assert allocation.visits == FULL
    assert allocation.reason_codes == [NO_TOOL_IN_SCOPE]


def test_visit_table_covers_every_discipline_and_request_type():
    for discipline in DISCIPLINES:
        for request_type in REQUEST_TYPES:
            amounts = visit_amounts("LKS", discipline, request_type)
            assert amounts.reduced <= amounts.full and amounts.source
    # Program FAQ: lower allocations are 2-4 visits; 2 visits for discharge planning.
    assert visit_amounts("", "PT", "later_treatment").reduced in range(2, 5)
    assert visit_amounts("", "PT", "later_treatment").discharge_planning == 2


# --- Burn-down ------------------------------------------------------------------------------


def test_burn_down():
    assert burn_down([10, 4], 6) == (6, 8)
    used, remaining = burn_down([10, 4], 14)
    assert (used, remaining) == (14, 0)
    assert burn_down([10], 12).remaining == 0  # never negative
    assert burn_down([], 0) == (0, 0)


def test_burn_down_rejects_negative_numbers():
    with pytest.raises(ValueError):
        burn_down([10, -1], 0)
    with pytest.raises(ValueError):
        burn_down([10], -1)


# --- Program definition and reference data --------------------------------------------------


def test_program_is_registered():
    assert PROGRAM.code is Program.REHABILITATION
    assert PROGRAM.details_schema is RehabDetails
    assert PROGRAMS[Program.REHABILITATION] is PROGRAM


def test_codes_validity_and_limits():
    assert PROGRAM.has_code_list("LKS", 2026) and PROGRAM.has_code_list("LKS", 2027)
    assert not PROGRAM.has_code_list("EVG", 2026)
    assert PROGRAM.managed_code("LKS", 2026, "97161").category == "pt_evaluation"
    assert {item.code for item in code_choices("LKS", 2026, discipline="ST")} >= {"92507", "92610"}
    assert "92507" not in {item.code for item in code_choices("LKS", 2026, discipline="PT")}
    assert PROGRAM.validity_days("LKS") == 90 and PROGRAM.validity_days("ZZZ") == 90
    assert benefit_limit("LKS", "PT") == 30 and benefit_limit("EVG", "PT") is None


def test_every_reference_row_has_a_source():
    for name in ("rehab_visits.csv", "rehab_plans.csv", "rehab_codes.csv"):
        frame = reference._read_table(name)
        assert (frame["source"].str.strip() != "").all()


def engine_request(rehab: RehabDetails) -> ProgramRequest:
    return ProgramRequest("LKS", date(2026, 5, 4), 52, ("97110",), rehab)


def test_engine_approves_the_full_allocation():
    determination = evaluate(PROGRAM, engine_request(details()))
    assert determination.lines[0].outcome is Outcome.AUTHORIZED


def test_engine_authorizes_a_reduced_allocation_with_its_reason():
    # Program FAQ (shared/seeds/000): the request receives the lower allocation, with the reasons.
    determination = evaluate(PROGRAM, engine_request(details(current_score=34)))
    line = determination.lines[0]
    assert line.outcome is Outcome.AUTHORIZED
    [result] = line.results
    assert result.criterion_id == "rehab.visit_allocation" and result.met is True
    assert result.text.startswith(f"Visits recommended: {REDUCED} (the usual allocation is {FULL}).")
    assert "less than its minimal clinically important difference of 10 points" in result.text
    assert authorized_visits(details(current_score=34), allocate_visits(details(current_score=34))) == REDUCED


def test_engine_sends_a_request_for_more_than_recommended_to_a_nurse():
    rehab = details(current_score=34, visits_requested=12)
    line = evaluate(PROGRAM, engine_request(rehab)).lines[0]
    assert line.outcome is Outcome.PENDED
    assert "rehab.visits_requested" in line.reason
    assert authorized_visits(rehab, allocate_visits(rehab)) is None
    fewer = details(visits_requested=6)
    assert authorized_visits(fewer, allocate_visits(fewer)) == 6


def test_engine_sends_a_request_at_the_benefit_limit_to_a_nurse():
    rehab = details(visits_authorized_this_year=30)
    line = evaluate(PROGRAM, engine_request(rehab)).lines[0]
    assert line.outcome is Outcome.PENDED
    assert line.results[0].criterion_id == "rehab.benefit_limit_reached"
    capped = details(visits_authorized_this_year=27)
    assert authorized_visits(capped, request_allocation(capped, "LKS")) == 3


def test_the_episode_date_on_file_applies_without_a_context():
    data = {
        "discipline": "PT",
        "request_type": "later_treatment",
        "body_region": "low_back",
        "episode_initial_evaluation_date": "2025-03-10",
        "initial_evaluation_date": "2025-04-01",
    }
    assert "03/10/2025" in details_errors(data)["initial_evaluation_date"]
    assert details_errors({**data, "initial_evaluation_date": "2025-03-10"}) == {}


def test_item_answers_are_scored_by_the_portal():
    knee = {
        "discipline": "PT",
        "request_type": "first_treatment",
        "body_region": "knee",
        "initial_evaluation_date": EPISODE_START,
        "outcome_tool": "KOOS_JR",
        "outcome_answers": [2, 2, 1, 3, 2, 2, 3],
        "current_score": 99,
    }
    rehab = RehabDetails.model_validate(knee)
    assert rehab.current_score == pytest.approx(50.012)  # the published example, raw 15
    # On the first treatment request that score is the episode's baseline.
    assert (rehab.baseline_tool, rehab.baseline_score) == ("KOOS_JR", rehab.current_score)
    errors = details_errors({**knee, "outcome_answers": [2, 2, None, 3, 2, 2, 3]})
    assert "1 of its 7 items are blank" in errors["outcome_answers"]


def test_licensed_tools_are_entered_as_totals():
    assert {"ODI", "NDI", "QUICKDASH"} == set(TOTAL_ENTRY_TOOLS)
    assert {"LEFS", "PSFS", "KOOS_JR", "HOOS_JR"} == ITEM_ENTRY_TOOLS
    data = {
        "discipline": "PT",
        "request_type": "later_treatment",
        "body_region": "low_back",
        "initial_evaluation_date": EPISODE_START,
        "outcome_tool": "ODI",
        "outcome_answers": [1] * 10,
    }
    assert "total score" in details_errors(data)["outcome_answers"]


def test_summary_shows_the_change_against_the_mcid():
    lines = dict(PROGRAM.summary_lines(details(current_score=34), date(2026, 5, 4)))
    assert lines["Change from baseline"].startswith("40 to 34: improved by 6 points, which is below")
    assert "total entered by the provider" in lines["Outcome score"]
