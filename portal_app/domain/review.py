"""Review rules: case status from line decisions, decision due times, the reconsideration
window, and which action a reviewer may take in which state of a case.

Sources (shared/seeds/001 and 003, the program FAQs):

* "No adverse determination is made until the case has been reviewed by a physician
  reviewer" and "A peer-to-peer discussion with one of Carelon's physician reviewers is
  always offered before any adverse determination is made."
* "Urgent requests will receive a response within 72 hours of receipt."; standard requests
  within the plan's number of calendar days (CMS-0057-F: 7 calendar days from 2026).
* "providers may call Carelon within 10 calendar days of a denial decision to request a
  reconsideration. If a reconsideration request does not lead to an approval, or more than
  10 calendar days passed, providers and members can submit 1st level appeals".
* Case statuses (seeds/003, "What do the Case Status notifications indicate?"): In Progress,
  Completed, Authorized, Non-Authorized ("The entire case is denied"), Multiple Decisions
  Rendered ("partial approval, mixed outcome").

Pure: no database, no clock unless one is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal_app.domain.enums import LineDecision, OrderStatus, ReviewQueue, Role, TaskKind

RECONSIDERATION_DAYS = 10
URGENT_HOURS = 72
# Appeals: 30 calendar days for a standard pre-service appeal (42 CFR 422.590(a)(1);
# 29 CFR 2560.503-1(i)(2)(ii) for group health plans), 72 hours when expedited.
APPEAL_STANDARD_DAYS = 30
# How long a peer-to-peer call slot lasts.
PEER_TO_PEER_MINUTES = 30

ADVERSE = frozenset({LineDecision.NON_AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED})
APPROVED = frozenset({LineDecision.AUTHORIZED, LineDecision.NOTIFICATION_ONLY})


# --- reconsideration -------------------------------------------------------------------------


def reconsideration_deadline(denied_on: date) -> date:
    """The last day a reconsideration may be asked for: 10 calendar days after the denial."""
    return denied_on + timedelta(days=RECONSIDERATION_DAYS)


def may_request_reconsideration(denied_on: date, today: date) -> bool:
    """True from the day of the denial up to and including day 10 after it."""
    return denied_on <= today <= reconsideration_deadline(denied_on)


# --- case status -----------------------------------------------------------------------------


def order_status_for(decisions: Iterable[LineDecision | str]) -> OrderStatus:
    """The order's status from its lines' decisions (cancelled lines do not count).

    any pended -> in progress; all authorized or notification only -> authorized (completed
    when every line is notification only); all non-authorized -> non-authorized; any partial
    approval, or authorized lines beside non-authorized ones -> multiple decisions rendered.
    """
    values = [LineDecision(d) for d in decisions]
    if not values:
        raise ValueError("An order has at least one line")
    live = [d for d in values if d != LineDecision.CANCELLED]
    if not live:
        return OrderStatus.VOLUNTARILY_CANCELLED
    if LineDecision.PENDED in live:
        return OrderStatus.IN_PROGRESS
    if LineDecision.PARTIALLY_AUTHORIZED in live:
        return OrderStatus.MULTIPLE_DECISIONS
    if all(d == LineDecision.NOTIFICATION_ONLY for d in live):
        return OrderStatus.COMPLETED
    if all(d in APPROVED for d in live):
        return OrderStatus.AUTHORIZED
    if all(d == LineDecision.NON_AUTHORIZED for d in live):
        return OrderStatus.NON_AUTHORIZED
    return OrderStatus.MULTIPLE_DECISIONS


# --- due times -------------------------------------------------------------------------------


def decision_due(submitted_at: datetime, urgent: bool, standard_days: int) -> datetime:
    """When a decision is due: 72 hours after receipt if urgent, else N calendar days after."""
    if urgent:
        return submitted_at + timedelta(hours=URGENT_HOURS)
    if standard_days < 1:
        raise ValueError("A standard review takes at least one day")
    return submitted_at + timedelta(days=standard_days)


def appeal_due(filed_at: datetime, urgent: bool) -> datetime:
    """When an appeal decision is due: 72 hours if urgent, else 30 calendar days."""
    return decision_due(filed_at, urgent, APPEAL_STANDARD_DAYS)


def time_left(due_at: datetime, now: datetime) -> str:
    """How long until ``due_at``, e.g. "2 d 4 h", "45 min", or "overdue by 3 h"."""
    seconds = int((due_at - now).total_seconds())
    text = _span(abs(seconds))
    return text if seconds >= 0 else f"overdue by {text}"


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h"
    return f"{rest // 60} min" if rest >= 60 or not rest else "1 min"


# --- who may do what, when -------------------------------------------------------------------

ACTIONS: tuple[str, ...] = (
    "claim",
    "approve",
    "request_information",
    "escalate",
    "deny",
    "partially_approve",
    "offer_peer_to_peer",
    "record_peer_to_peer",
    "withdraw_duplicate",
)
# Each action needs the permission named here (portal_app/services/authz.py holds the roles).
ACTION_PERMISSIONS: dict[str, str] = {
    "claim": "review.work_queue",
    "approve": "review.approve",
    "request_information": "review.request_information",
    "escalate": "review.escalate",
    "deny": "review.deny",
    "partially_approve": "review.partially_approve",
    "offer_peer_to_peer": "review.peer_to_peer",
    "record_peer_to_peer": "review.peer_to_peer",
    "withdraw_duplicate": "review.withdraw_duplicate",
}
QUEUE_OF_ROLE: dict[Role, ReviewQueue] = {
    Role.NURSE_REVIEWER: ReviewQueue.NURSE,
    Role.PHYSICIAN_REVIEWER: ReviewQueue.PHYSICIAN,
}

# The messages a reviewer sees when an action is refused.
NO_OPEN_REVIEW = "There is no open review on this case."
OTHER_QUEUE = "This case is in the {queue} queue; a {queue} reviewer works it."
EXCLUDED = "You made the decision under appeal, so another physician decides the appeal."
CLAIMED_BY_OTHER = "{name} has claimed this case."
ALREADY_MINE = "You have already claimed this case."
NOTHING_TO_DECIDE = "No line of this case is waiting for a decision."
NO_PEER_TO_PEER = (
    "A peer-to-peer conversation must be offered to the ordering provider before an adverse "
    "determination. Offer one first."
)
PEER_TO_PEER_PENDING = (
    "A peer-to-peer call is scheduled for {when}. Record its outcome before an adverse determination."
)
NO_PARTIAL_QUANTITY = (
    "No line waiting for a decision asks for more than one unit, so none can be partly approved."
)
NO_CALL_SCHEDULED = "No peer-to-peer call is scheduled on this case."
NOT_A_DUPLICATE = "This request was not flagged as a duplicate of an earlier one when it was submitted."
CALL_ALREADY_SCHEDULED = "A peer-to-peer call is already scheduled for {when}."


@dataclass(frozen=True)
class CaseState:
    """What the rules need to know about a case and the reviewer looking at it."""

    has_open_task: bool
    own_queue: bool = True  # the open task is in the actor's queue (nurse or physician)
    task_queue: str = ""
    excluded: bool = False  # the actor made the decision the open task appeals
    assignee: str = "none"  # "none", "me" or "other"
    assignee_name: str = ""
    lines_awaiting: bool = False
    partial_possible: bool = False  # a line awaiting a decision asks for more than one unit
    peer_to_peer_offered: bool = False
    peer_to_peer_scheduled: str = ""  # when a call is scheduled and its outcome not yet recorded
    possible_duplicate: bool = False  # the request was flagged as a duplicate of an earlier one


def refusal(action: str, case: CaseState) -> str | None:
    """Why ``action`` may not be taken on the case now, or None when it may.

    Roles are not checked here (authz does that); this is the state of the case.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown review action {action!r}")
    if action == "record_peer_to_peer":
        return None if case.peer_to_peer_scheduled else NO_CALL_SCHEDULED
    task_refusal = _task_refusal(case)
    if task_refusal is not None:
        return task_refusal
    if action == "claim":
        return ALREADY_MINE if case.assignee == "me" else None
    if action == "offer_peer_to_peer":
        if case.peer_to_peer_scheduled:
            return CALL_ALREADY_SCHEDULED.format(when=case.peer_to_peer_scheduled)
        return None if case.lines_awaiting else NOTHING_TO_DECIDE
    if action == "request_information":
        return None
    if action == "withdraw_duplicate":
        return None if case.possible_duplicate else NOT_A_DUPLICATE
    if not case.lines_awaiting:
        return NOTHING_TO_DECIDE
    if action in ("deny", "partially_approve"):
        return _adverse_refusal(action, case)
    return None


def _task_refusal(case: CaseState) -> str | None:
    """Why this reviewer may not act on the case's review task at all, or None."""
    if not case.has_open_task:
        return NO_OPEN_REVIEW
    if not case.own_queue:
        return OTHER_QUEUE.format(queue=case.task_queue or "other")
    if case.excluded:
        return EXCLUDED
    if case.assignee == "other":
        return CLAIMED_BY_OTHER.format(name=case.assignee_name or "Another reviewer")
    return None


def _adverse_refusal(action: str, case: CaseState) -> str | None:
    """Why a denial or partial approval may not be recorded yet (peer to peer first), or None."""
    if not case.peer_to_peer_offered:
        return NO_PEER_TO_PEER
    if case.peer_to_peer_scheduled:
        return PEER_TO_PEER_PENDING.format(when=case.peer_to_peer_scheduled)
    if action == "partially_approve" and not case.partial_possible:
        return NO_PARTIAL_QUANTITY
    return None


def available_actions(case: CaseState, permitted: Iterable[str]) -> tuple[str, ...]:
    """The actions, in display order, that a reviewer holding ``permitted`` may take now."""
    held = set(permitted)
    return tuple(a for a in ACTIONS if ACTION_PERMISSIONS[a] in held and refusal(a, case) is None)


__all__ = [
    "ACTIONS",
    "ACTION_PERMISSIONS",
    "ADVERSE",
    "APPEAL_STANDARD_DAYS",
    "APPROVED",
    "PEER_TO_PEER_MINUTES",
    "QUEUE_OF_ROLE",
    "RECONSIDERATION_DAYS",
    "URGENT_HOURS",
    "CaseState",
    "TaskKind",
    "appeal_due",
    "available_actions",
    "decision_due",
    "may_request_reconsideration",
    "order_status_for",
    "reconsideration_deadline",
    "refusal",
    "time_left",
]
