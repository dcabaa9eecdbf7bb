"""After submit, line by line: cancelling some lines of an order, and changing the units (and the
date of service) of lines still under review.

Cancelling every remaining line cancels the order through `orders.cancel_order`, the function the
portal's "Cancel this order" uses, so there is one way an order gets cancelled. Like the other
services, these check that the actor may change the order (`orders.office_order`: permission,
access, audited read), write the audit trail and commit. The PAS API's updates (Claim/$submit with
related.claim, `services/pas/service.py`) call them with the API client's service user.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.calendar import retro_request_problem
from portal_app.domain.enums import LineDecision, NoteVisibility, OrderStatus, TaskStatus
from portal_app.domain.review import order_status_for
from portal_app.models import Member, Note, Order, OrderLine, ReviewTask
from portal_app.models.base import get_existing, id_of
from portal_app.models.orders import number_of
from portal_app.services import audit
from portal_app.services.authz import Actor
from portal_app.services.order_entry import eligibility_problem
from portal_app.services.orders import cancel_order, office_order
from portal_app.services.outcomes import refresh_outcome

# Orders whose lines may still be cancelled or changed: not drafts, not denied, not closed.
LINES_CHANGEABLE = frozenset(
    {
        OrderStatus.IN_PROGRESS,
        OrderStatus.AUTHORIZED,
        OrderStatus.COMPLETED,
        OrderStatus.MULTIPLE_DECISIONS,
    }
)


class ChangeRefused(ValueError):
    """The change is not allowed (nothing was written); ``about`` is "lines" or "service_date"."""

    def __init__(self, message: str, about: str = "lines"):
        super().__init__(message)
        self.about = about


def cancel_lines(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    line_numbers: Collection[int],
    by: str = "",
    reason: str = "",
    audit_detail: Mapping[str, Any] | None = None,
) -> str:
    """Cancel some lines of an order; the others stand. Cancelling every line not yet cancelled
    cancels the order (`cancel_order`, with ``reason``, by default "Every item cancelled by <by>.").
    ``by`` names who asked, for the note on the order (default: the actor's name). Returns the
    order's new status label; `ChangeRefused` for a denied or closed order, a denied or unknown line."""
    order = office_order(session, actor, order_number)  # permission, access, audited read
    lines = _lines(session, order)
    chosen = _chosen_lines(order, lines, line_numbers)
    by = by or actor.full_name
    cancelled_ids = {line.id for line in chosen}
    if all(line.id in cancelled_ids or line.decision == LineDecision.CANCELLED for line in lines):
        return cancel_order(
            session,
            actor=actor,
            order_number=number_of(order),
            entered_in_error=False,
            reason=reason or f"Every item cancelled by {by}.",
        )
    now = clock.now()
    for line in chosen:
        line.decision = LineDecision.CANCELLED
        session.add(line)
    order.status = order_status_for([line.decision for line in lines])
    order.updated_by_id, order.updated_at = actor.user_id, now
    session.add(order)
    if not any(line.decision == LineDecision.PENDED for line in lines):
        _close_review_tasks(session, order, now)
    numbers = sorted(line.line_number for line in chosen)
    _note(session, actor, order, f"Cancelled by {by}: line {', '.join(map(str, numbers))}.")
    _audit(
        session, actor, "order.lines_cancelled", order, audit_detail, lines=numbers, status=str(order.status)
    )
    session.flush()
    refresh_outcome(session, order)
    session.commit()
    return OrderStatus(order.status).label


def change_lines(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    quantities: Mapping[int, int],
    service_date: date | None = None,
    today: date | None = None,
    by: str = "",
    audit_detail: Mapping[str, Any] | None = None,
) -> None:
    """New units for lines still under review ({line number: units}), and optionally a new date of
    service, which may change only while every line is under review and must suit the member's
    eligibility and the retro limit. ``by`` names who asked, for the note (default: the actor's
    name). `ChangeRefused` when a line is decided or unknown, or the date cannot be taken."""
    order = office_order(session, actor, order_number)  # permission, access, audited read
    lines = _lines(session, order)
    chosen = _chosen_lines(order, lines, quantities)
    for line in chosen:
        if line.decision != LineDecision.PENDED:
            raise ChangeRefused(
                f"Line {line.line_number} has been decided already; only lines still under review "
                "can be changed."
            )
        if quantities[line.line_number] < 1:
            raise ChangeRefused(f"Line {line.line_number}: the units must be a whole number of 1 or more.")
    if service_date and service_date != order.service_start:
        _check_new_service_date(session, order, lines, service_date, today or clock.today())
        order.service_start = service_date
    changed = []
    for line in chosen:
        quantity = quantities[line.line_number]
        if line.quantity != quantity:
            line.quantity = quantity
            session.add(line)
        changed.append(f"line {line.line_number}: {quantity} units")
    order.updated_by_id, order.updated_at = actor.user_id, clock.now()
    session.add(order)
    new_date = f"; date of service {service_date.isoformat()}" if service_date else ""
    _note(session, actor, order, f"Changed by {by or actor.full_name}: {'; '.join(changed)}{new_date}.")
    _audit(
        session,
        actor,
        "order.lines_changed",
        order,
        audit_detail,
        changes=changed,
        service_date=service_date.isoformat() if service_date else "",
    )
    session.commit()


def _lines(session: Session, order: Order) -> list[OrderLine]:
    return list(
        session.exec(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.line_number))
        ).all()
    )


def _chosen_lines(order: Order, lines: list[OrderLine], line_numbers: Collection[int]) -> list[OrderLine]:
    """The order's lines with these numbers, in the order given; refused when the order is closed or
    denied, a number is not one of its lines, or a line was denied."""
    if order.status not in LINES_CHANGEABLE:
        raise ChangeRefused(
            f"The lines of an order that is {OrderStatus(order.status).label.lower()} cannot change."
        )
    if not line_numbers:
        raise ChangeRefused("Name the lines to change.")
    by_number = {line.line_number: line for line in lines}
    chosen = []
    for number in line_numbers:
        line = by_number.get(number)
        if line is None:
            raise ChangeRefused(f"The order has no line {number}.")
        if line.decision == LineDecision.NON_AUTHORIZED:
            raise ChangeRefused(f"Line {number} was denied and cannot change; submit a new request.")
        chosen.append(line)
    return chosen


def _check_new_service_date(
    session: Session, order: Order, lines: list[OrderLine], service_date: date, today: date
) -> None:
    if any(line.decision != LineDecision.PENDED for line in lines):
        raise ChangeRefused(
            "The date of service can change only while every item is under review.", "service_date"
        )
    member = get_existing(session, Member, order.member_id)  # a submitted order has its member
    problem = retro_request_problem(service_date, today) or eligibility_problem(member, service_date)
    if problem:
        raise ChangeRefused(problem, "service_date")


def _close_review_tasks(session: Session, order: Order, now: datetime) -> None:
    for task in session.exec(
        select(ReviewTask).where(ReviewTask.order_id == order.id, col(ReviewTask.closed_at).is_(None))
    ).all():
        task.status, task.closed_at = TaskStatus.DONE, now
        session.add(task)


def _note(session: Session, actor: Actor, order: Order, body: str) -> None:
    session.add(
        Note(order_id=id_of(order), author_id=actor.user_id, visibility=NoteVisibility.PROVIDER, body=body)
    )


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    order: Order,
    extra: Mapping[str, Any] | None,
    **detail: Any,
) -> None:
    audit.record(
        session,
        action=action,
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
        detail={**(extra or {}), **detail},
    )


__all__ = ["LINES_CHANGEABLE", "ChangeRefused", "cancel_lines", "change_lines"]
