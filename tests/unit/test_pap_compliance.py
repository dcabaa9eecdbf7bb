"""PAP adherence from device usage: the windows at the edges of the rule.

Rule (CMS NCD 240.4 / LCD L33718 via JCSM 2019;15(2):245 and the CGS PAP supplier FAQ;
clinical-reference §3.3-3.4): at least 4 hours (240 minutes) on at least 70 % of nights, i.e.
21 of 30, in any 30 consecutive nights within the first 3 months. Defined here: the setup night
is night 1, the period is nights 1-90, so a window may start on night 1 to night 61; nights
without data count as zero; the best window is the one with the most qualifying nights, the
earliest on a tie.
"""

from datetime import date, timedelta

import pytest

from portal_app.domain.pap_compliance import ComplianceResult, evaluate

SETUP = date(2026, 1, 10)


def night(number: int) -> date:
    """Night `number`, counting the setup night as night 1."""
    return SETUP + timedelta(days=number - 1)


def usage(nights: range | list[int], minutes: int = 300) -> dict[date, int]:
    return {night(number): minutes for number in nights}


def test_public_fields_come_first():
    result = evaluate({}, SETUP)
    assert isinstance(result, ComplianceResult)
    fields = (result.compliant, result.window_start, result.nights_over_4h, result.percent)
    assert fields == (False, None, 0, 0.0)


def test_setup_night_is_night_one():
    result = evaluate(usage(range(1, 22)), SETUP)
    assert result.compliant
    assert result.window_start == SETUP
    assert result.window_end == SETUP + timedelta(days=29)
    assert result.period_start == SETUP and result.period_end == night(90)


def test_21_nights_comply_and_20_do_not():
    compliant = evaluate(usage(range(1, 22)), SETUP)
    assert (compliant.compliant, compliant.nights_over_4h, compliant.percent) == (True, 21, 70.0)
    short = evaluate(usage(range(1, 21)), SETUP)
    assert (short.compliant, short.nights_over_4h) == (False, 20)
    assert short.percent == pytest.approx(66.67, abs=0.01)


def test_four_hours_exactly_counts_and_a_minute_less_does_not():
    assert evaluate(usage(range(1, 22), minutes=240), SETUP).compliant
    assert not evaluate(usage(range(1, 22), minutes=239), SETUP).compliant


def test_a_window_starting_on_night_61_counts():
    # Night 61 plus nights 71-90: only the window of nights 61-90 holds all 21.
    result = evaluate(usage([61, *range(71, 91)]), SETUP)
    assert result.compliant
    assert result.window_start == night(61)
    assert result.window_end == night(90)


def test_a_window_starting_on_night_62_does_not():
    # Night 62 plus nights 72-91: 21 nights, but night 91 is outside the first 90 nights.
    result = evaluate(usage([62, *range(72, 92)]), SETUP)
    assert not result.compliant
    assert result.nights_over_4h == 20


def test_nights_before_setup_are_ignored():
    before = {SETUP - timedelta(days=offset): 480 for offset in range(1, 11)}
    result = evaluate({**before, **usage(range(1, 12))}, SETUP)
    assert (result.compliant, result.nights_over_4h) == (False, 11)


def test_missing_nights_count_as_zero():
    # 30 nights of data with 10 nights missing: 20 qualifying nights.
    present = [number for number in range(1, 31) if number % 3 != 0]
    sparse = usage(present)
    assert not evaluate(sparse, SETUP).compliant
    with_zeros = {**{night(number): 0 for number in range(1, 31)}, **sparse}
    assert evaluate(with_zeros, SETUP) == evaluate(sparse, SETUP)
    # One more good night in the same 30 makes it.
    assert evaluate({**sparse, night(3): 250}, SETUP).compliant


def test_best_window_is_reported_when_not_compliant():
    # 15 good nights on nights 10-24, then 18 on nights 40-57: the best window holds the 18 and
    # the earliest such window starts on night 28 (nights 28-57).
    result = evaluate({**usage(range(10, 25)), **usage(range(40, 58))}, SETUP)
    assert not result.compliant
    assert result.nights_over_4h == 18
    assert result.window_start == night(28)
    assert result.percent == pytest.approx(60.0)


def test_earliest_window_wins_a_tie():
    result = evaluate(usage(range(1, 31)), SETUP)
    assert result.window_start == SETUP and result.nights_over_4h == 30 and result.percent == 100.0


def test_nights_for_display():
    result = evaluate(usage(range(5, 30)), SETUP)
    assert len(result.nights) == 90
    assert result.nights[0].night == SETUP and result.nights[0].minutes == 0
    assert len(result.window_nights) == 30
    assert sum(item.over_4h for item in result.window_nights) == result.nights_over_4h


def test_a_night_listed_without_data_counts_as_zero():
    assert evaluate({**usage(range(1, 21)), night(21): None}, SETUP).nights_over_4h == 20


@pytest.mark.parametrize("bad", [-1, 1441, 90.5, True, "300"])
def test_usage_must_be_whole_minutes_of_a_day(bad):
    with pytest.raises(ValueError, match="whole minutes"):
        evaluate({SETUP: bad}, SETUP)
