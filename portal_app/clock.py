"""The one clock: every "now" of the portal's services comes from here, so a test can move it.

``now()`` is timezone-aware UTC. In tests::

    with clock.frozen_at(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) as frozen:
        ...  # clock.now() is that moment
        frozen.advance(days=8)
        ...  # and now eight days later

Outside ``frozen_at`` the clock is the system's. Frozen time is process-wide (services run in
worker threads), so it is for tests only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """The current moment, timezone-aware UTC (the frozen moment inside ``frozen_at``)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    """The current date in UTC."""
    return now().date()


class FrozenClock:
    """The handle ``frozen_at`` yields: move the frozen moment on, or to another moment."""

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """Move the clock forward by ``delta`` or ``timedelta(**units)``; returns the new moment."""
        return self.move_to(now() + (delta if delta is not None else timedelta(**units)))

    def move_to(self, moment: datetime) -> datetime:
        global _frozen
        _frozen = _utc(moment)
        return _frozen


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the clock keeps timezone-aware moments; give tzinfo (e.g. UTC)")
    return moment.astimezone(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[FrozenClock]:
    """Stop the clock at ``moment`` (aware) for the ``with`` block; the previous clock comes back after."""
    global _frozen
    previous, _frozen = _frozen, _utc(moment)
    try:
        yield FrozenClock()
    finally:
        _frozen = previous
