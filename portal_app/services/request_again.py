"""Request again: a new draft filled in from an earlier order whose approval runs out.

The office checks each step of the wizard again (the member's eligibility, the providers, the
answers and the diagnoses) before submitting; nothing of the old decision is copied.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from portal_app import clock
from portal_app.domain.enums import OrderStatus, Urgency
from portal_app.models import Determination, Order, OrderDiagnosis, OrderLine
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.orders import office_order

MEMBER_STEP = 1  # the wizard opens on the member, to confirm them again


def _next_start(session: Session, old: Order, today: date) -> date:
    """The day after the old approval ends (today when it has ended already)."""
    ends = session.exec(
        select(func.max(Determination.valid_until))
        .join(OrderLine, col(OrderLine.id) == Determination.order_line_id)
        .where(OrderLine.order_id == old.id)
    ).one()
    return max(today, ends + timedelta(days=1)) if ends is not None else today


def request_again(session: Session, *, actor, order_number: str, today: date | None = None) -> int:
    """A new draft of the caller's, copied from order ``order_number`` (which the caller may read):
    plan, program, member, providers, answers, procedures and diagnoses; returns the draft's id."""
    old = office_order(session, actor, order_number)
    today = today or clock.today()
    draft = Order(
        program=old.program,
        plan_id=old.plan_id,
        member_id=old.member_id,
        practice_id=old.practice_id,
        ordering_provider_id=old.ordering_provider_id,
        servicing_provider_id=old.servicing_provider_id,
        facility_id=old.facility_id,
        status=OrderStatus.DRAFT,
        urgency=Urgency.STANDARD,
        service_start=_next_start(session, old, today),
        details=dict(old.details or {}),
        letter_address=old.letter_address,
        letter_fax=old.letter_fax,
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
        wizard_step=MEMBER_STEP,
    )
    session.add(draft)
    session.flush()
    _copy_lines(session, old, draft)
    audit.record(
        session,
        action="order.requested_again",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(draft),
        client_address=actor.client_address,
        detail={"from": old.order_number},
    )
    session.commit()
    return id_of(draft)


def _copy_lines(session: Session, old: Order, draft: Order) -> None:
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == old.id)).all():
        session.add(
            OrderLine(
                order_id=id_of(draft),
                line_number=line.line_number,
                code_system=line.code_system,
                code=line.code,
                description=line.description,
                quantity=line.quantity,
                laterality=line.laterality,
            )
        )
    for diagnosis in session.exec(select(OrderDiagnosis).where(OrderDiagnosis.order_id == old.id)).all():
        session.add(
            OrderDiagnosis(
                order_id=id_of(draft),
                sequence=diagnosis.sequence,
                code=diagnosis.code,
                description=diagnosis.description,
            )
        )
