"""Business days: U.S. federal holidays, counting forwards and back, the retro-request limit.

Holidays are the legal public holidays of 5 U.S.C. 6103(a). When one falls on a
weekend, federal offices observe it on another day (5 U.S.C. 6103(b), Executive
Order 11582, and OPM's "Federal Holidays" pages): a Saturday holiday is observed
on the Friday before, a Sunday holiday on the Monday after. Juneteenth National
Independence Day was added by Pub. L. 117-17 on 17 June 2021, so it counts from
2021 on (first observed Friday 18 June 2021).

Observed dates belong to the calendar year they fall in: New Year's Day 2028 is a
Saturday and is observed on Friday 31 December 2027, so that Friday is in the 2027
set and the 2028 set has no January date for it (OPM lists it the same way).

Inauguration Day (a holiday only for the Washington, D.C. area, every fourth year)
and one-off closures by executive order are left out on purpose.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

_SATURDAY, _SUNDAY = 5, 6
_MONDAY, _THURSDAY = 0, 3

# A request for a service already performed is accepted only up to 2 business days after it.
# Source: program FAQ (shared/seeds/001): "Retrospective authorization requests may be
# initiated up to 2 business days after the treatment start date"; the same limit applies to
# an additional procedure done on the same day ("no later than two (2) business days after").
RETRO_LIMIT_BUSINESS_DAYS = 2


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (0 = Monday) of the month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    if day.weekday() == _SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == _SUNDAY:
        return day + timedelta(days=1)
    return day


def _legal_holidays(year: int) -> list[date]:
    """The legal public holidays of `year` on their nominal dates (5 U.S.C. 6103(a))."""
    days = [
        date(year, 1, 1),  # New Year's Day
        _nth_weekday(year, 1, _MONDAY, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, _MONDAY, 3),  # Washington's Birthday
        _nth_weekday(year, 5, _MONDAY, -1),  # Memorial Day
        date(year, 7, 4),  # Independence Day
        _nth_weekday(year, 9, _MONDAY, 1),  # Labor Day
        _nth_weekday(year, 10, _MONDAY, 2),  # Columbus Day
        date(year, 11, 11),  # Veterans Day
        _nth_weekday(year, 11, _THURSDAY, 4),  # Thanksgiving Day
        date(year, 12, 25),  # Christmas Day
    ]
    if year >= 2021:
        days.append(date(year, 6, 19))  # Juneteenth National Independence Day
    return days


@lru_cache(maxsize=256)
def us_federal_holidays(year: int) -> frozenset[date]:
    """The observed federal holidays that fall in `year` (weekend holidays moved as OPM does)."""
    observed = {_observed(day) for y in (year, year + 1) for day in _legal_holidays(y)}
    return frozenset(day for day in observed if day.year == year)


def is_business_day(day: date) -> bool:
    """Monday to Friday and not an observed federal holiday."""
    return day.weekday() < _SATURDAY and day not in us_federal_holidays(day.year)


def add_business_days(day: date, count: int) -> date:
    """The date `count` business days after `day` (before it when `count` is negative).

    ``count == 0`` returns `day` itself, whatever day it is; Friday + 1 is the next Monday
    (or Tuesday when that Monday is a holiday).
    """
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    current = day
    while remaining:
        current += step
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_after(performed: date, today: date) -> int:
    """How many business days lie after `performed`, up to and including `today`.

    0 when `today` is on or before `performed`. Performed on a Friday and asked on the
    Tuesday after: Monday and Tuesday, so 2.
    """
    if today <= performed:
        return 0
    count = 0
    current = performed
    while current < today:
        current += timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count


def retro_request_problem(service_date: date, today: date) -> str | None:
    """None when a request for this service date is acceptable today, else a plain message.

    Services today or later are ordinary (prospective) requests. A service already performed
    may be requested up to RETRO_LIMIT_BUSINESS_DAYS business days after its date.
    """
    late_by = business_days_after(service_date, today)
    if late_by <= RETRO_LIMIT_BUSINESS_DAYS:
        return None
    return (
        f"A request for a service that was already performed must reach us within "
        f"{RETRO_LIMIT_BUSINESS_DAYS} business days of the service date. The service on "
        f"{service_date:%B} {service_date.day}, {service_date.year} was {late_by} business days "
        f"ago, so it can no longer be requested here; please contact the health plan."
    )
