"""Date windows: dates of service and how long an approval stays valid.

An approval is good for a fixed number of calendar days counted from its first day,
that day included (30 or 60 days depending on the plan: program FAQ, shared/seeds/001,
"the original [30 or 60] days"). Both ends of a window are inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DateWindow:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A date window cannot end before it starts")

    def overlaps(self, other: DateWindow) -> bool:
        """True when the two windows share at least one day (touching ends count)."""
        return self.start <= other.end and other.start <= self.end

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        """Number of calendar days in the window, both ends included."""
        return (self.end - self.start).days + 1


def validity_window(*, start: date, days: int) -> DateWindow:
    """`days` calendar days from `start`, inclusive: start .. start + days - 1."""
    if days < 1:
        raise ValueError("A validity period lasts at least one day")
    return DateWindow(start, start + timedelta(days=days - 1))
