"""Business-day calendar: federal holidays, counting, and the 2-business-day retro limit.

Expected holiday dates: OPM "Federal Holidays" tables for 2021, 2026 and 2027
(opm.gov/policy-data-oversight/pay-leave/federal-holidays), which apply 5 U.S.C. 6103 and the
weekend rule of Executive Order 11582 (Saturday -> Friday before, Sunday -> Monday after).
The retro limit is from the program FAQ (shared/seeds/001): retrospective requests up to
2 business days after the service date.
"""

from datetime import date

import pytest

from portal_app.domain.calendar import (
    RETRO_LIMIT_BUSINESS_DAYS,
    add_business_days,
    business_days_after,
    is_business_day,
    retro_request_problem,
    us_federal_holidays,
)

D = date


# OPM 2026 table: Jul 4 is a Saturday, observed Friday Jul 3.
HOLIDAYS_2026 = {
    D(2026, 1, 1),
    D(2026, 1, 19),
    D(2026, 2, 16),
    D(2026, 5, 25),
    D(2026, 6, 19),
    D(2026, 7, 3),
    D(2026, 9, 7),
    D(2026, 10, 12),
    D(2026, 11, 11),
    D(2026, 11, 26),
    D(2026, 12, 25),
}
# OPM 2027 table: Juneteenth (Sat) observed Fri Jun 18, Independence Day (Sun) observed Mon Jul 5,
# Christmas (Sat) observed Fri Dec 24, New Year's Day 2028 (Sat) observed Fri Dec 31, 2027.
HOLIDAYS_2027 = {
    D(2027, 1, 1),
    D(2027, 1, 18),
    D(2027, 2, 15),
    D(2027, 5, 31),
    D(2027, 6, 18),
    D(2027, 7, 5),
    D(2027, 9, 6),
    D(2027, 10, 11),
    D(2027, 11, 11),
    D(2027, 11, 25),
    D(2027, 12, 24),
    D(2027, 12, 31),
}


@pytest.mark.parametrize(("year", "expected"), [(2026, HOLIDAYS_2026), (2027, HOLIDAYS_2027)])
def test_observed_holidays_match_opm(year, expected):
    assert us_federal_holidays(year) == frozenset(expected)


@pytest.mark.parametrize(
    ("day", "in_year", "expected"),
    [
        # Juneteenth: Pub. L. 117-17 (17 June 2021); first observed Friday 18 June 2021 (OPM 2021).
        (D(2021, 6, 18), 2021, True),
        (D(2020, 6, 19), 2020, False),  # not yet a holiday in 2020
        # New Year's Day 2022 fell on a Saturday: OPM lists Friday 31 December 2021.
        (D(2021, 12, 31), 2021, True),
        (D(2022, 1, 1), 2022, False),
        # New Year's Day 2023 fell on a Sunday: observed Monday 2 January 2023 (OPM 2023).
        (D(2023, 1, 2), 2023, True),
        # New Year's Day 2028 is a Saturday: observed in 2027, nothing in January 2028.
        (D(2028, 1, 1), 2028, False),
        (D(2027, 12, 31), 2028, False),
    ],
)
def test_weekend_and_juneteenth_rules(day, in_year, expected):
    assert (day in us_federal_holidays(in_year)) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 11, 26), False),  # Thanksgiving
        (D(2026, 11, 27), True),  # the Friday after is a working day for the calendar
        (D(2027, 12, 24), False),  # Christmas observed
        (D(2027, 12, 25), False),  # Saturday
        (D(2027, 12, 31), False),  # New Year's Day 2028 observed
        (D(2026, 6, 19), False),  # Juneteenth
        (D(2026, 3, 7), False),  # Saturday
        (D(2026, 3, 8), False),  # Sunday
        (D(2026, 3, 9), True),  # ordinary Monday
    ],
)
def test_is_business_day(day, expected):
    assert is_business_day(day) is expected


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2026, 3, 6), 1, D(2026, 3, 9)),  # Friday + 1 = Monday
        (D(2026, 3, 7), 1, D(2026, 3, 9)),  # Saturday + 1 = Monday
        (D(2026, 3, 7), 0, D(2026, 3, 7)),  # zero days: the same day, whatever it is
        (D(2026, 11, 25), 1, D(2026, 11, 27)),  # over Thanksgiving
        (D(2026, 11, 25), 2, D(2026, 11, 30)),
        (D(2027, 12, 23), 1, D(2027, 12, 27)),  # over Christmas observed Fri Dec 24
        (D(2027, 12, 30), 1, D(2028, 1, 3)),  # over New Year's Day 2028 observed Fri Dec 31
        (D(2026, 6, 18), 1, D(2026, 6, 22)),  # over Juneteenth (Friday)
        (D(2026, 11, 30), -1, D(2026, 11, 27)),  # backwards
        (D(2027, 12, 27), -1, D(2027, 12, 23)),
    ],
)
def test_add_business_days(start, count, expected):
    assert add_business_days(start, count) == expected


@pytest.mark.parametrize(
    ("performed", "today", "expected"),
    [
        (D(2026, 3, 6), D(2026, 3, 10), 2),  # Friday -> Tuesday (the brief's example)
        (D(2026, 3, 6), D(2026, 3, 8), 0),  # the weekend adds nothing
        (D(2026, 3, 6), D(2026, 3, 6), 0),
        (D(2026, 3, 10), D(2026, 3, 6), 0),  # today before the service
        (D(2026, 11, 25), D(2026, 11, 30), 2),  # Thanksgiving skipped
        (D(2027, 12, 23), D(2027, 12, 28), 2),  # Christmas observed skipped
        (D(2027, 12, 30), D(2028, 1, 4), 2),  # New Year's observed skipped
        (D(2026, 3, 7), D(2026, 3, 10), 2),  # a Saturday service: Monday and Tuesday
    ],
)
def test_business_days_after(performed, today, expected):
    assert business_days_after(performed, today) == expected


def test_business_days_after_agrees_with_add_business_days():
    start = D(2026, 1, 1)
    for offset in range(1, 300):
        assert business_days_after(start, add_business_days(start, offset)) == offset


@pytest.mark.parametrize(
    ("service", "today", "accepted"),
    [
        (D(2026, 5, 4), D(2026, 5, 1), True),  # future service: an ordinary request
        (D(2026, 5, 4), D(2026, 5, 4), True),  # same day
        # Across a weekend: Fri -> Tue is 2 (accepted), Fri -> Wed is 3 (refused).
        (D(2026, 3, 6), D(2026, 3, 10), True),
        (D(2026, 3, 6), D(2026, 3, 11), False),
        # Across Thanksgiving: Wed -> Mon is 2, Wed -> Tue is 3.
        (D(2026, 11, 25), D(2026, 11, 30), True),
        (D(2026, 11, 25), D(2026, 12, 1), False),
        # Across Juneteenth (Fri 19 June 2026): Wed -> Mon is 2, Wed -> Tue is 3.
        (D(2026, 6, 17), D(2026, 6, 22), True),
        (D(2026, 6, 17), D(2026, 6, 23), False),
        # Across Christmas and New Year 2027/28 observed on Fridays.
        (D(2027, 12, 23), D(2027, 12, 28), True),
        (D(2027, 12, 30), D(2028, 1, 4), True),
        (D(2027, 12, 30), D(2028, 1, 5), False),
    ],
)
def test_retro_limit(service, today, accepted):
    problem = retro_request_problem(service, today)
    assert (problem is None) is accepted
    if not accepted:
        assert f"{RETRO_LIMIT_BUSINESS_DAYS} business days" in problem
        assert str(service.year) in problem


def test_retro_limit_is_two():
    assert RETRO_LIMIT_BUSINESS_DAYS == 2
