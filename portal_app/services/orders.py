"""Reading orders, with the access rules of each role and an audit entry for every read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app.domain.enums import AuditOutcome, OrderStatus, Program, Role, Urgency
from portal_app.models import HealthPlan, Member, Order, OrderLine, Practice
from portal_app.services import audit
from portal_app.services.authz import REVIEWER_ROLES, Actor


class OrderNotFound(LookupError):
    """No such order, or not one this user may see (the two are not told apart)."""


@dataclass(frozen=True)
class OrderLineView:
    line_number: int
    code: str
    description: str
    decision: str


@dataclass(frozen=True)
class OrderSummary:
    order_number: str
    status: str
    program: str
    plan_name: str
    member_name: str
    member_number: str
    member_birth_date: str
    urgency: str
    service_start: str
    lines: tuple[OrderLineView, ...]


def may_read_order(session: Session, actor: Actor, order: Order) -> bool:
    """Reviewers read every order; office staff read their practice's orders as it allows."""
    if actor.role in REVIEWER_ROLES:
        return True
    if actor.role != Role.ORDERING_PROVIDER_STAFF or order.practice_id not in actor.practice_ids:
        return False
    if order.created_by_id == actor.user_id:
        return True
    practice = session.get(Practice, order.practice_id)
    return bool(practice and practice.share_orders)


def get_order_summary(session: Session, *, actor: Actor, order_number: str) -> OrderSummary:
    """The order summary, if ``actor`` may read it; every attempt is audited."""
    order = session.exec(select(Order).where(Order.order_number == order_number.strip().upper())).first()
    allowed = order is not None and may_read_order(session, actor, order)
    audit.record(
        session,
        action="order.read" if allowed else "order.read_denied",
        user_id=actor.user_id,
        record_type="order",
        record_id=order.id if order else order_number[:40],
        outcome=AuditOutcome.SUCCESS if allowed else AuditOutcome.DENIED,
        client_address=actor.client_address,
    )
    session.commit()
    if not allowed:
        raise OrderNotFound(order_number)
    return _summary(session, order)


def _summary(session: Session, order: Order) -> OrderSummary:
    member = session.get(Member, order.member_id)
    plan = session.get(HealthPlan, order.plan_id)
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_number)).all()
    return OrderSummary(
        order_number=order.order_number,
        status=OrderStatus(order.status).label,
        program=Program(order.program).label,
        plan_name=plan.name,
        member_name=f"{member.first_name} {member.last_name}",
        member_number=member.member_number,
        member_birth_date=member.date_of_birth.isoformat(),
        urgency=Urgency(order.urgency).label,
        service_start=order.service_start.isoformat() if order.service_start else "",
        lines=tuple(
            OrderLineView(line.line_number, line.code, line.description, line.decision) for line in lines
        ),
    )
