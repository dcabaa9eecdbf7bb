"""A request's initial determination, as the CMS-0057-F public metrics count it.

One request is one order. For each line that needs prior authorization (not notification only),
its initial determination is its first decision other than "pended", in the order decisions were
recorded. The request is decided when every such line has one, at the time of the last of them;
it is denied when any of those first decisions is adverse (denied, or approved for fewer units),
approved after review when a nurse or physician made any of them, else approved at once by the
rules engine. Decisions recorded later (reconsideration, appeal) do not change it; an approval
recorded after an appeal was filed makes the request "approved after appeal".

The services keep these figures on the order as decisions arrive (services/outcomes.py), so the
dashboard reads one index instead of every decision (services/metrics.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from portal_app.domain.enums import DecidedBy, LineDecision

APPROVED_BY_RULES = "approved_by_rules"
APPROVED_AFTER_REVIEW = "approved_after_review"
DENIED = "denied"
NOTIFICATION_ONLY = "notification_only"  # every line is notification only: not a request to count
UNDECIDED = ""

DECIDED_OUTCOMES = (APPROVED_BY_RULES, APPROVED_AFTER_REVIEW, DENIED)

_DECISIONS = frozenset(
    {LineDecision.AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED, LineDecision.NON_AUTHORIZED}
)
_ADVERSE = frozenset({LineDecision.PARTIALLY_AUTHORIZED, LineDecision.NON_AUTHORIZED})
_APPROVING = frozenset({LineDecision.AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED})


@dataclass(frozen=True)
class RecordedDecision:
    """One determination of a line, as stored."""

    decision: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class LineHistory:
    """A line's current decision and every determination recorded for it, in recorded order."""

    current: str
    decisions: Sequence[RecordedDecision]


@dataclass(frozen=True)
class RequestOutcome:
    outcome: str  # one of DECIDED_OUTCOMES, NOTIFICATION_ONLY or UNDECIDED
    decided_at: datetime | None
    hours: float | None  # from submission to the initial determination
    appealed_at: datetime | None
    approved_after_appeal: bool


def _first_decision(line: LineHistory) -> RecordedDecision | None:
    return next((d for d in line.decisions if d.decision in _DECISIONS), None)


def request_outcome(
    submitted_at: datetime,
    lines: Sequence[LineHistory],
    appealed_at: datetime | None,
) -> RequestOutcome:
    """The initial determination of a request submitted at ``submitted_at``; ``appealed_at`` is
    when its first appeal was filed (None when never)."""
    counted = [line for line in lines if line.current != LineDecision.NOTIFICATION_ONLY]
    won = appealed_at is not None and any(
        d.decision in _APPROVING and d.decided_at >= appealed_at for line in counted for d in line.decisions
    )
    if not counted:
        return RequestOutcome(NOTIFICATION_ONLY, None, None, appealed_at, False)
    maybe_firsts = [_first_decision(line) for line in counted]
    firsts = [first for first in maybe_firsts if first is not None]
    if len(firsts) < len(maybe_firsts):
        return RequestOutcome(UNDECIDED, None, None, appealed_at, won)
    decided_at = max(first.decided_at for first in firsts)
    if any(first.decision in _ADVERSE for first in firsts):
        outcome = DENIED
    elif any(first.decided_by != DecidedBy.RULES_ENGINE for first in firsts):
        outcome = APPROVED_AFTER_REVIEW
    else:
        outcome = APPROVED_BY_RULES
    hours = (decided_at - submitted_at).total_seconds() / 3600.0
    return RequestOutcome(outcome, decided_at, hours, appealed_at, won)
