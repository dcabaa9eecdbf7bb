"""A reviewer withdraws a case that duplicates an earlier request of the same member.

Status "Voluntarily Withdrawn: the case was identified as a duplicate due to it being previously
submitted" (program FAQ, shared/seeds/001); musculoskeletal words the same status "Other Impact"
(shared/seeds/003; `ProgramDefinition.status_wording`). Withdrawn cases are left out of the
CMS-0057-F percentages (services/metrics.py counts them as withdrawn).
"""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app import clock
from portal_app.domain.enums import NoteVisibility, OrderStatus, TaskStatus
from portal_app.domain.statuses import status_label
from portal_app.models import Note, Order
from portal_app.models.base import id_of
from portal_app.services import review
from portal_app.services.authz import Actor
from portal_app.services.review import _aware


def withdraw_duplicate(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    version: int,
    duplicate_of: str = "",
    note: str = "",
) -> str:
    """Withdraw the case as a duplicate of ``duplicate_of`` (default: the duplicate flagged at
    submission). Returns the status as the program words it."""
    case = review._begin(
        session,
        actor,
        permission="review.withdraw_duplicate",
        action="withdraw_duplicate",
        order_number=order_number,
        version=version,
    )
    order = case.order
    number = ((duplicate_of or "").strip() or order.duplicate_of).upper()[:20]
    earlier = session.exec(select(Order).where(Order.order_number == number)).first() if number else None
    if (
        earlier is None
        or earlier.id == order.id
        or earlier.member_id != order.member_id
        or earlier.submitted_at is None
        or order.submitted_at is None
        or _aware(earlier.submitted_at) > _aware(order.submitted_at)
    ):
        review._refuse(
            session,
            actor,
            order,
            "withdraw_duplicate",
            "Give the number of the earlier order of the same member that this case duplicates.",
        )
    now, task = clock.now(), case.task
    assert task is not None  # rules.refusal passed: an open task
    task.status, task.closed_at = TaskStatus.DONE, now
    if task.assignee_id is None:
        task.assignee_id = actor.user_id
    session.add(task)
    order.status = OrderStatus.VOLUNTARILY_WITHDRAWN
    order.duplicate_of = number
    order.cancel_reason = (note or "").strip()[:1000] or f"Duplicate of {number}."
    review._touch(order, actor, now)
    session.add(order)
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.PROVIDER,
            body=f"Withdrawn by the reviewer: this request duplicates order {number}, submitted earlier.",
        )
    )
    review._audit(session, actor, "review.withdrawn_as_duplicate", order.id, duplicate_of=number)
    review._commit(session, actor, id_of(order))
    return status_label(order.program, order.status)


__all__ = ["withdraw_duplicate"]
