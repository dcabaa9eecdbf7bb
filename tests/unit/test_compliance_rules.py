"""Gold-card evaluation, rescission, decision clocks and transition of care: worked examples.

Gold card: Tex. Ins. Code 4201.653(a) ("not less than 90 percent of the preauthorization requests
... for the particular health care service"), 4201.655(a) (rescission in the allowed months, after
a random sample of 5 to 20 claims, notice at least 25 days before it takes effect). Clocks: 42 CFR
422.568(b)/422.572 as amended by CMS-0057-F (7 calendar days standard, 72 hours expedited, MA
extension up to 14 days with notice) and the example state rule for electronic requests (1 / 3
business days), with U.S. federal holidays from domain/calendar.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal_app.domain import gold_card as gc
from portal_app.domain.continuity import TRANSITION_DAYS, transition_decision, transition_window
from portal_app.domain.decision_clocks import (
    due_time,
    extended_due,
    extension_problem,
    plan_choice,
)

TX_2027 = gc.gold_card_rule("TX_4201N", date(2027, 1, 1))
TX_2022 = gc.gold_card_rule("TX_4201N", date(2022, 7, 1))


def _records(provider_id: int, code: str, approved: int, denied: int) -> list[gc.ServiceRecord]:
    return [gc.ServiceRecord(provider_id, code, True)] * approved + [
        gc.ServiceRecord(provider_id, code, False)
    ] * denied


def test_texas_rule_as_amended_in_2025():
    assert TX_2027.threshold_percent == 90
    assert TX_2027.lookback_months == 12 and TX_2022.lookback_months == 6
    assert TX_2027.evaluation_months == {1} and TX_2022.evaluation_months == {1, 7}
    assert TX_2027.rescission_months == {1} and TX_2022.rescission_months == {1, 6}
    assert TX_2027.minimum_requests == 5
    assert TX_2027.rescission_notice_days == 25
    assert gc.lookback_period(TX_2027, date(2027, 1, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert gc.lookback_period(TX_2022, date(2022, 7, 1)) == (date(2022, 1, 1), date(2022, 6, 30))


@pytest.mark.parametrize(
    ("approved", "denied", "outcome"),
    [
        (9, 1, gc.EXEMPT),  # exactly 90 %: "not less than 90 percent"
        (18, 2, gc.EXEMPT),
        (27, 3, gc.EXEMPT),
        (26, 3, gc.NOT_EXEMPT),  # 89.7 %: just below
        (8, 1, gc.NOT_EXEMPT),  # 88.9 %
        (4, 0, gc.TOO_FEW),  # 100 % of 4 requests: fewer than the minimum of 5
        (5, 0, gc.EXEMPT),  # the minimum reached
    ],
)
def test_evaluation_just_above_and_below_ninety_percent(approved, denied, outcome):
    [result] = gc.evaluate(TX_2027, _records(7, "72148", approved, denied))
    assert result.outcome == outcome
    assert (result.requests, result.approved) == (approved + denied, approved)


def test_evaluation_is_per_provider_and_service():
    records = _records(1, "72148", 10, 0) + _records(1, "70553", 5, 5) + _records(2, "72148", 3, 0)
    results = {(r.provider_id, r.service_code): r for r in gc.evaluate(TX_2027, records)}
    assert results[(1, "72148")].outcome == gc.EXEMPT and results[(1, "72148")].percent == 100.0
    assert results[(1, "70553")].outcome == gc.NOT_EXEMPT and results[(1, "70553")].percent == 50.0
    assert results[(2, "72148")].outcome == gc.TOO_FEW


def test_rescission_needs_the_month_the_sample_and_a_low_share():
    # 2 of 10 sampled claims met the criteria (20 %), notice in January 2027: effective 25 days later.
    check = gc.rescission_check(TX_2027, noticed_on=date(2027, 1, 6), sample_size=10, sample_met=2)
    assert check.problem == "" and check.takes_effect_on == date(2027, 1, 31)
    # Since HB 3812 (2025) June is no longer a rescission month; under HB 3459 it was.
    assert (
        "January"
        in gc.rescission_check(TX_2027, noticed_on=date(2027, 6, 3), sample_size=10, sample_met=2).problem
    )
    assert (
        gc.rescission_check(TX_2022, noticed_on=date(2022, 6, 3), sample_size=10, sample_met=2).problem == ""
    )
    # The sample must be 5 to 20 claims.
    assert (
        "5 to 20"
        in gc.rescission_check(TX_2027, noticed_on=date(2027, 1, 6), sample_size=4, sample_met=0).problem
    )
    assert (
        "5 to 20"
        in gc.rescission_check(TX_2027, noticed_on=date(2027, 1, 6), sample_size=21, sample_met=0).problem
    )
    # 9 of 10 met the criteria: 90 %, the exemption stays.
    stays = gc.rescission_check(TX_2027, noticed_on=date(2027, 1, 6), sample_size=10, sample_met=9)
    assert stays.takes_effect_on is None and "stays" in stays.problem


# --- decision clocks: a standard request on Friday 15 January 2027, before Martin Luther King Day
# (Monday 18 January 2027, 5 U.S.C. 6103(a): third Monday of January). ------------------------

FRIDAY = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "urgent", "due"),
    [
        # CMS-0057-F floor and MA / Medicaid: 7 calendar days, holidays included.
        ("CMS_0057F", False, datetime(2027, 1, 22, 10, 0, tzinfo=UTC)),
        ("CMS_0057F_MA", False, datetime(2027, 1, 22, 10, 0, tzinfo=UTC)),
        ("CMS_0057F_MEDICAID", False, datetime(2027, 1, 22, 10, 0, tzinfo=UTC)),
        # Example state rule: 3 business days - Tuesday 19, Wednesday 20, Thursday 21 (Monday is a holiday).
        ("STATE_ELECTRONIC", False, datetime(2027, 1, 21, 10, 0, tzinfo=UTC)),
        # Expedited: 72 hours under CMS-0057-F.
        ("CMS_0057F_MA", True, datetime(2027, 1, 18, 10, 0, tzinfo=UTC)),
        # State rule, expedited: 1 business day is Tuesday 10:00, later than 72 hours (Monday 10:00):
        # the federal floor binds, the earlier wins.
        ("STATE_ELECTRONIC", True, datetime(2027, 1, 18, 10, 0, tzinfo=UTC)),
    ],
)
def test_each_clock_rule_for_a_request_on_a_friday_before_a_holiday(rule, urgent, due):
    assert due_time(rule, FRIDAY, urgent).due_at == due


def test_state_rule_expedited_on_a_monday_is_one_business_day():
    monday = datetime(2027, 1, 25, 9, 0, tzinfo=UTC)
    result = due_time("STATE_ELECTRONIC", monday, True)
    assert result.due_at == datetime(2027, 1, 26, 9, 0, tzinfo=UTC) and result.rule_id == "STATE_ELECTRONIC"


def test_medicare_advantage_extension_up_to_fourteen_days():
    due = due_time("CMS_0057F_MA", FRIDAY, False)
    assert due.extension_days == 14
    assert extension_problem("CMS_0057F_MA", False, FRIDAY, 14, "Waiting for the imaging report") is None
    assert extended_due(due.due_at, 14) == datetime(2027, 2, 5, 10, 0, tzinfo=UTC)
    assert "1 to 14" in (extension_problem("CMS_0057F_MA", False, FRIDAY, 15, "Waiting for the report") or "")
    assert "reason" in (extension_problem("CMS_0057F_MA", False, FRIDAY, 5, "") or "")
    assert "no extension" in (
        extension_problem("STATE_ELECTRONIC", False, FRIDAY, 2, "Waiting for a report") or ""
    )


def test_plan_choices_are_data_with_a_floor():
    assert plan_choice("EVG", "medicare_advantage").clock_rule == "CMS_0057F_MA"
    assert plan_choice("EVG", "commercial_hmo_pos").gold_card_rule == "TX_4201N"
    unknown = plan_choice("NOPE", "commercial_hmo_pos")
    assert unknown.clock_rule == "CMS_0057F" and unknown.gold_card_rule == ""


# --- transition of care ---------------------------------------------------------------------


def test_transition_window_is_ninety_days_from_enrolment():
    assert TRANSITION_DAYS == 90
    assert transition_window(date(2027, 1, 1), date(2026, 11, 1), date(2027, 6, 30)) == (
        date(2027, 1, 1),
        date(2027, 3, 31),
    )
    # The prior authorization ends sooner: its own end.
    assert transition_window(date(2027, 1, 1), date(2026, 11, 1), date(2027, 2, 1)) == (
        date(2027, 1, 1),
        date(2027, 2, 1),
    )


def test_transition_review_only_when_service_or_provider_changed():
    common = dict(
        enrolled_on=date(2027, 1, 1),
        prior_from=date(2026, 12, 1),
        prior_until=date(2027, 5, 31),
        prior_code="97110",
        prior_provider_npi="1990000015",
        today=date(2027, 1, 10),
    )
    same = transition_decision(**common, requested_code="97110", requested_provider_npi="1990000015")
    assert same.honoured and not same.needs_review and same.valid_until == date(2027, 3, 31)
    other = transition_decision(**common, requested_code="97110", requested_provider_npi="1990000023")
    assert other.needs_review and not other.honoured and "provider" in other.reason
    late = transition_decision(
        **{**common, "today": date(2027, 4, 1)}, requested_code="97110", requested_provider_npi="1990000015"
    )
    assert not late.honoured and not late.needs_review
