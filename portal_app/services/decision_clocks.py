"""Decision clocks: the rule a request's coverage follows sets its due time at submission; a
reviewer may extend it where that rule allows, with a reason, and the office and the member get a
notice (letters). The rules are in ``domain/decision_clocks.py`` and its reference data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.decision_clocks import DueTime, due_time, extended_due, extension_problem, plan_choice
from portal_app.domain.enums import NoteVisibility, OrderStatus, TaskStatus, Urgency
from portal_app.models import HealthPlan, Member, Note, Order, OrderClock, ReviewTask
from portal_app.models.base import get_existing, id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require
from portal_app.services.letters import create_notice_letters
from portal_app.services.orders import OrderNotFound

_OPEN = (TaskStatus.OPEN.value, TaskStatus.CLAIMED.value)


class ExtensionRefused(ValueError):
    """The rule does not allow this extension (the message says why)."""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _when(value: datetime) -> str:
    return _aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def rule_for(session: Session, order: Order) -> str:
    """The clock rule the order's coverage follows: the plan's choice for the member's line of business."""
    plan = get_existing(session, HealthPlan, order.plan_id)
    member = session.get(Member, order.member_id) if order.member_id else None
    return plan_choice(plan.code, member.line_of_business if member else "").clock_rule


def start_clock(session: Session, order: Order, submitted_at: datetime) -> DueTime:
    """Store the rule and due time of a request being submitted (in the caller's transaction) and
    return them; the caller puts the due time on the review task."""
    due = due_time(rule_for(session, order), submitted_at, order.urgency == Urgency.URGENT)
    session.add(
        OrderClock(
            order_id=id_of(order),
            rule_id=due.rule_id,
            rule_name=due.rule_name,
            time_frame=due.time_frame,
            due_at=due.due_at,
            extension_days_allowed=due.extension_days,
        )
    )
    return due


@dataclass(frozen=True)
class ClockView:
    """What the case page and the order summary say about the clock."""

    rule: str  # e.g. "CMS-0057-F: Medicare Advantage (7 calendar days)"
    due_at: str
    extension_days_allowed: int
    extended: bool
    extended_due_at: str
    extension_reason: str
    extendable: bool  # the rule allows an extension, none was made, and the case is undecided


def clock_view(session: Session, order_id: int) -> ClockView | None:
    """The clock of an order (None for orders submitted before clocks were stored). Callers check
    that the actor may read the order."""
    stored = session.exec(select(OrderClock).where(OrderClock.order_id == order_id)).first()
    if stored is None:
        return None
    order = session.get(Order, order_id)
    return ClockView(
        rule=f"{stored.rule_name} ({stored.time_frame})",
        due_at=_when(stored.due_at),
        extension_days_allowed=0 if stored.extended_at else stored.extension_days_allowed,
        extended=stored.extended_at is not None,
        extended_due_at=_when(stored.extended_due_at) if stored.extended_due_at else "",
        extension_reason=stored.extension_reason,
        extendable=(
            stored.extended_at is None
            and stored.extension_days_allowed > 0
            and order is not None
            and order.status == OrderStatus.IN_PROGRESS
        ),
    )


def extend_review(session: Session, *, actor: Actor, order_number: str, days: int, reason: str) -> ClockView:
    """Extend an undecided case's decision time by ``days`` calendar days, where its rule allows, once.

    Moves the due time of its open review tasks, writes the extension notice to the ordering provider
    and to the member, adds a note the office sees, and audits. ExtensionRefused says why not."""
    require(session, actor, "review.extend", record=f"order:{order_number}"[:60])
    number = (order_number or "").strip().upper()
    order = session.exec(select(Order).where(Order.order_number == number)).first() if number else None
    if order is None or order.submitted_at is None:
        raise OrderNotFound(order_number)
    stored = session.exec(select(OrderClock).where(OrderClock.order_id == order.id)).first()
    if stored is None:
        raise ExtensionRefused("This request was submitted before decision clocks were kept: no extension.")
    if stored.extended_at is not None:
        raise ExtensionRefused("The decision time of this request has already been extended.")
    if order.status != OrderStatus.IN_PROGRESS:
        raise ExtensionRefused("Only a request still waiting for its decision can be extended.")
    problem = extension_problem(
        stored.rule_id, order.urgency == Urgency.URGENT, _aware(order.submitted_at), days, reason
    )
    if problem:
        raise ExtensionRefused(problem)
    now = clock.now()
    new_due = extended_due(_aware(stored.due_at), days)
    stored.extended_days, stored.extended_due_at = days, new_due
    stored.extension_reason, stored.extended_at, stored.extended_by_id = (
        reason.strip()[:2000],
        now,
        actor.user_id,
    )
    session.add(stored)
    for task in session.exec(
        select(ReviewTask).where(ReviewTask.order_id == order.id, col(ReviewTask.status).in_(_OPEN))
    ).all():
        task.due_at = max(_aware(task.due_at), new_due)
        session.add(task)
    why = reason.strip()
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.PROVIDER,
            body=(
                f"Decision time extended by {days} calendar days, to {_when(new_due)} ({stored.rule_name}). "
                f"Reason: {why}"
            )[:10000],
        )
    )
    create_notice_letters(
        session,
        order_id=id_of(order),
        title="Notice of extension of the decision time",
        file_label="extension",
        provider_paragraphs=(
            f"We need more time to decide this request. Under the rule that applies to this coverage "
            f"({stored.rule_name}), we have extended the time for our decision by {days} calendar days: "
            f"the decision is now due by {_when(new_due)} instead of {_when(stored.due_at)}.",
            f"Why: {why}",
            "If you can send information that helps us decide sooner, add it to the request in the Precert "
            "portal. If you disagree with this extension, contact the health plan.",
        ),
        member_paragraphs=(
            f"Your doctor asked your health plan to approve a service for you. We need more time to decide: "
            f"we will decide by {_when(new_due)}, {days} calendar days later than planned.",
            f"Why: {why}",
            "You have the right to file a grievance with your health plan if you disagree with this "
            "extension. The phone number is on your member ID card.",
        ),
        author_id=actor.user_id,
        today=now.date(),
    )
    audit.record(
        session,
        action="review.extended",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
        detail={"days": days, "rule": stored.rule_id},
    )
    session.commit()
    view = clock_view(session, id_of(order))
    assert view is not None  # stored above
    return view


def case_clock(session: Session, *, actor: Actor, order_number: str) -> ClockView | None:
    """A reviewer's view of a case's clock."""
    require(session, actor, "review.work_queue", record=f"order:{order_number}"[:60])
    number = (order_number or "").strip().upper()
    order = session.exec(select(Order).where(Order.order_number == number)).first() if number else None
    if order is None:
        raise OrderNotFound(order_number)
    return clock_view(session, id_of(order))
