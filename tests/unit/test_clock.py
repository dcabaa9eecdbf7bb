"""The one clock (portal_app/clock.py): aware UTC, and movable by tests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal_app import clock

MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_now_is_the_system_time_in_utc():
    before = datetime.now(UTC)
    moment, today = clock.now(), clock.today()
    after = datetime.now(UTC)
    assert moment.tzinfo is UTC
    assert before <= moment <= after
    assert today in {before.date(), after.date()}


def test_frozen_at_stops_the_clock_and_gives_it_back():
    with clock.frozen_at(MONDAY_9AM):
        assert clock.now() == MONDAY_9AM
        assert clock.now() == MONDAY_9AM  # time does not pass on its own
        assert clock.today().isoformat() == "2026-11-23"
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_frozen_clock_moves_forward_or_to_a_moment():
    with clock.frozen_at(MONDAY_9AM) as frozen:
        assert frozen.advance(minutes=15, seconds=1) == MONDAY_9AM + timedelta(minutes=15, seconds=1)
        assert (
            frozen.advance(timedelta(days=1)) == clock.now() == datetime(2026, 11, 24, 9, 15, 1, tzinfo=UTC)
        )
        frozen.move_to(datetime(2027, 1, 1, tzinfo=UTC))
        assert clock.today().isoformat() == "2027-01-01"


def test_freezes_nest_and_the_outer_moment_comes_back():
    with clock.frozen_at(MONDAY_9AM):
        with clock.frozen_at(MONDAY_9AM + timedelta(days=7)):
            assert clock.today().isoformat() == "2026-11-30"
        assert clock.now() == MONDAY_9AM


def test_the_clock_is_back_after_an_error_in_the_block():
    with pytest.raises(RuntimeError), clock.frozen_at(MONDAY_9AM):
        raise RuntimeError("boom")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_moments_are_aware_and_kept_in_utc():
    with pytest.raises(ValueError, match="timezone-aware"), clock.frozen_at(datetime(2026, 11, 23, 9, 0)):
        pass
    eastern = timezone(timedelta(hours=-5))
    with clock.frozen_at(datetime(2026, 11, 23, 4, 0, tzinfo=eastern)):
        assert clock.now() == MONDAY_9AM and clock.now().tzinfo is UTC


def test_services_running_in_a_worker_thread_see_the_frozen_clock():
    # States run services with rx.run_in_thread: the frozen moment is process-wide, not per thread.
    seen = []
    with clock.frozen_at(MONDAY_9AM):
        worker = threading.Thread(target=lambda: seen.append(clock.now()))
        worker.start()
        worker.join()
    assert seen == [MONDAY_9AM]
