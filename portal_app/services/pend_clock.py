"""The pend clock: a case pended for information or for a peer-to-peer call waits for the office for
the plan's time (domain/conversation.py), then goes to a physician flagged "no response from the
office". Nothing here ever decides a line: the physician does (seed 001, "No adverse determination
is made until the case has been reviewed by a physician reviewer").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain import conversation as rules
from portal_app.domain.enums import (
    PeerToPeerStatus,
    ReviewQueue,
    TaskFlag,
    TaskStatus,
    Urgency,
)
from portal_app.models import HealthPlan, Order, PeerToPeerAppointment, ReviewTask
from portal_app.models.base import get_existing, id_of
from portal_app.models.orders import service_date_of
from portal_app.services import audit
from portal_app.services.plan_setup import pend_clock_settings

OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED)
# Calls still waiting for someone when the clock runs out: each is recorded as missed.
_WAITING_CALLS = (PeerToPeerStatus.OFFERED, PeerToPeerStatus.PROPOSED, PeerToPeerStatus.REQUESTED)
NO_RESPONSE_NOTE = (
    "No response from the office by {due}: the information was not sent and no peer-to-peer conversation "
    "took place. Sent to a physician reviewer, who decides."
)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def reply_due(session: Session, order: Order, pended_at: datetime) -> datetime:
    """When a case of ``order`` pended now stops waiting for the office, under its plan's setting."""
    plan = get_existing(session, HealthPlan, order.plan_id)
    business_days, urgent_hours = pend_clock_settings(
        session, plan=plan, program=order.program, member_id=order.member_id, on=service_date_of(order)
    )
    return rules.office_reply_due(
        pended_at=pended_at,
        submitted_at=_aware(order.submitted_at),
        urgent=order.urgency == Urgency.URGENT,
        business_days=business_days,
        urgent_hours=urgent_hours,
    )


def start(session: Session, *, order: Order, task: ReviewTask | None, now: datetime) -> datetime | None:
    """The case now waits for the office (the caller commits); keeps an earlier, still running
    deadline. Returns the deadline, None without an open task."""
    if task is None:
        return None
    with session.no_autoflush:  # reading the plan must not write the caller's changes early
        due = _aware(task.office_reply_due) or reply_due(session, order, now)
    task.office_reply_due = due
    session.add(task)
    return due


def office_answered(session: Session, *, order_id: int) -> None:
    """The office answered (information, a document, a call arranged): its case waits no longer.
    The caller commits."""
    for task in session.exec(
        select(ReviewTask).where(
            ReviewTask.order_id == order_id,
            col(ReviewTask.status).in_(OPEN_STATUSES),
            col(ReviewTask.office_reply_due).is_not(None),
        )
    ).all():
        task.office_reply_due = None
        session.add(task)


@dataclass(frozen=True)
class RunOut:
    order_id: int
    task_id: int  # the task now waiting for a physician
    calls_missed: int


def _miss_calls(session: Session, order_id: int, now: datetime) -> int:
    calls = session.exec(
        select(PeerToPeerAppointment).where(PeerToPeerAppointment.order_id == order_id)
    ).all()
    missed = 0
    for call in calls:
        passed = call.status == PeerToPeerStatus.SCHEDULED and (_aware(call.ends_at) or now) <= now
        if call.status in _WAITING_CALLS or passed:
            call.status = PeerToPeerStatus.MISSED
            call.outcome = call.outcome or "Nobody called back before the time to answer ended."
            session.add(call)
            missed += 1
    return missed


def _to_physician(session: Session, task: ReviewTask, order: Order, now: datetime, note: str) -> ReviewTask:
    """The task waiting for a physician, flagged: a nurse task closes and a physician one opens with
    the same kind and due time (as an escalation does)."""
    task.office_reply_due = None
    if task.queue == ReviewQueue.PHYSICIAN:
        task.flag, task.flag_note = TaskFlag.NO_RESPONSE, note[:500]
        session.add(task)
        return task
    task.status, task.closed_at = TaskStatus.DONE, now
    session.add(task)
    physician_task = ReviewTask.for_order(
        order,
        queue=ReviewQueue.PHYSICIAN,
        kind=task.kind,
        reason=note[:2000],
        excluded_reviewer_id=task.excluded_reviewer_id,
        due_at=task.due_at,
        created_at=now,
        flag=TaskFlag.NO_RESPONSE,
        flag_note=note[:500],
        call_back_requested_at=task.call_back_requested_at,
    )
    session.add(physician_task)
    session.flush()
    return physician_task


def run_out(session: Session, *, now: datetime | None = None) -> list[RunOut]:
    """Every open case whose office did not answer in time: calls marked missed, the case handed to a
    physician flagged "no response from the office". Never a decision on a line. Commits."""
    now = now or clock.now()
    due = session.exec(
        select(ReviewTask)
        .where(
            col(ReviewTask.status).in_(OPEN_STATUSES),
            col(ReviewTask.office_reply_due).is_not(None),
            col(ReviewTask.office_reply_due) <= now,
        )
        .order_by(col(ReviewTask.id))
    ).all()
    done: list[RunOut] = []
    for task in due:
        order = get_existing(session, Order, task.order_id)
        deadline = _aware(task.office_reply_due) or now
        note = NO_RESPONSE_NOTE.format(due=deadline.strftime("%Y-%m-%d %H:%M UTC"))
        missed = _miss_calls(session, id_of(order), now)
        waiting = _to_physician(session, task, order, now, note)
        audit.record(
            session,
            action="review.no_response",
            user_id=None,
            record_type="order",
            record_id=id_of(order),
            detail={"task_id": waiting.id, "calls_missed": missed, "deadline": deadline.isoformat()},
        )
        done.append(RunOut(id_of(order), id_of(waiting), missed))
    session.commit()
    return done


__all__ = ["RunOut", "office_answered", "reply_due", "run_out", "start"]
