"""Continuity of care after a plan change: an active authorization from the member's previous plan
is honoured for the same service for a transition period.

Source: the AHIP and BCBSA commitments of 23 June 2025 (shared/domain/prior-auth-standards.md,
sections 1 and 3): from 1 January 2026, when a patient changes plans the new plan honours an active
prior authorization for the same service for 90 days. The number of days is TRANSITION_DAYS.

Pure: no database, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

TRANSITION_DAYS = 90
SOURCE = (
    "AHIP/BCBSA prior-authorization commitments, 23 June 2025: 90-day continuity of care on a plan change"
)


@dataclass(frozen=True)
class TransitionDecision:
    honoured: bool  # approved at once for the window below
    needs_review: bool  # a reviewer looks at it (service or provider changed)
    valid_from: date | None
    valid_until: date | None
    reason: str


def transition_window(enrolled_on: date, prior_from: date, prior_until: date) -> tuple[date, date] | None:
    """The days the new plan honours the prior authorization: from the later of the enrolment in
    the new plan and the prior authorization's start, to the earlier of its end and the last of the
    TRANSITION_DAYS days after enrolment; None when nothing is left."""
    start = max(enrolled_on, prior_from)
    end = min(prior_until, enrolled_on + timedelta(days=TRANSITION_DAYS - 1))
    return (start, end) if start <= end else None


def transition_decision(
    *,
    enrolled_on: date,
    prior_from: date,
    prior_until: date,
    prior_code: str,
    prior_provider_npi: str,
    requested_code: str,
    requested_provider_npi: str,
    today: date,
) -> TransitionDecision:
    """What the new plan does with the prior authorization brought by the office ``today``."""
    window = transition_window(enrolled_on, prior_from, prior_until)
    if window is None or window[1] < today:
        return TransitionDecision(
            False,
            False,
            None,
            None,
            f"The prior authorization is no longer active within the {TRANSITION_DAYS} days after the "
            "member joined this plan: submit a new request.",
        )
    changed = []
    if prior_code.strip().upper() != requested_code.strip().upper():
        changed.append("the service")
    if prior_provider_npi.strip() != requested_provider_npi.strip():
        changed.append("the provider")
    if changed:
        return TransitionDecision(
            False,
            True,
            window[0],
            window[1],
            f"Transition of care: {' and '.join(changed)} changed from the previous plan's authorization, "
            "so a reviewer checks the request.",
        )
    return TransitionDecision(
        True,
        False,
        window[0],
        window[1],
        f"Transition of care: the previous plan's authorization is honoured for the same service for up to "
        f"{TRANSITION_DAYS} days after the member joined this plan ({SOURCE}).",
    )
