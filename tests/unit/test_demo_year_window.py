"""The demo history's year (services/demo_year.py): the last twelve months, not before 2026, ending
before the day the seed runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal_app.services.demo_year import FIRST_DAY, history_window


def test_in_2026_the_history_runs_from_new_year_to_the_day_before():
    assert history_window(datetime(2026, 12, 4, 9, 30, tzinfo=UTC)) == (
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 12, 4, tzinfo=UTC),
    )
    assert FIRST_DAY.year == 2026


def test_later_it_is_the_last_365_days():
    start, end = history_window(datetime(2027, 8, 20, 15, tzinfo=UTC))
    assert end == datetime(2027, 8, 20, tzinfo=UTC) and start == end - timedelta(days=365)
