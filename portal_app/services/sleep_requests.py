"""What the sleep wizard step prefills from the portal's records: the member's PAP adherence from
imported device data, their earlier supplies (for the replacement limits) and the plan's grace days;
and the quantity of each supply line once the answers are saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from portal_app.domain.enums import LineDecision, OrderStatus, Program
from portal_app.models import HealthPlan, Order, OrderLine
from portal_app.models.base import get_existing
from portal_app.models.orders import service_date_of
from portal_app.programs.sleep import domain as sleep
from portal_app.services.authz import Actor
from portal_app.services.device_data import MemberCompliance, member_compliance
from portal_app.services.order_entry import editable_draft, refresh_line_quantities

_NOT_SUPPLIED = (LineDecision.NON_AUTHORIZED.value, LineDecision.CANCELLED.value)
_WITHDRAWN = (
    OrderStatus.VOLUNTARILY_CANCELLED.value,
    OrderStatus.NOT_REVIEWED_ERROR_ENTRY.value,
    OrderStatus.VOLUNTARILY_WITHDRAWN.value,
)
MAX_EARLIER_REQUESTS = 200


@dataclass(frozen=True)
class SleepHistory:
    compliance: MemberCompliance | None
    previous_dispenses: tuple[sleep.Dispense, ...]
    grace_days: int


def previous_dispenses(session: Session, order: Order) -> tuple[sleep.Dispense, ...]:
    """The member's earlier supplies: each supply line of their submitted sleep requests that was not
    refused or cancelled, on the request's date of service, with the quantity the request named."""
    rows = session.exec(
        select(Order, OrderLine.code)
        .join(OrderLine, col(OrderLine.order_id) == Order.id)
        .where(
            Order.member_id == order.member_id,
            Order.program == Program.SLEEP,
            Order.id != order.id,
            col(Order.order_number).is_not(None),
            col(Order.service_start).is_not(None),
            col(Order.status).not_in(_WITHDRAWN),
            col(OrderLine.decision).not_in(_NOT_SUPPLIED),
        )
        .order_by(col(Order.service_start).desc())
        .limit(MAX_EARLIER_REQUESTS)
    ).all()
    limits = sleep.supply_limits()
    dispenses = []
    for earlier, code in rows:
        if code not in limits or earlier.details.get("request_kind") != "supplies":
            continue
        quantity = (
            sum(
                int(line.get("quantity") or 1)
                for line in earlier.details.get("supplies") or []
                if isinstance(line, dict) and str(line.get("item", "")).upper() == code
            )
            or 1
        )
        dispenses.append(sleep.Dispense(code, service_date_of(earlier), quantity))
    return tuple(sorted(dispenses, key=lambda dispense: (dispense.dispensed_on, dispense.item)))


def sleep_history(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    setup_date: date | None = None,
) -> SleepHistory:
    """The draft member's adherence (from ``setup_date``, else the one on file), earlier supplies
    and the plan's grace days."""
    order = editable_draft(session, actor, order_id)
    plan = get_existing(session, HealthPlan, order.plan_id)
    if order.member_id is None:
        return SleepHistory(None, (), sleep.supply_grace_days(plan.code))
    return SleepHistory(
        compliance=member_compliance(session, order.member_id, setup_date),
        previous_dispenses=previous_dispenses(session, order),
        grace_days=sleep.supply_grace_days(plan.code),
    )


def apply_supply_quantities(session: Session, *, actor: Actor, order_id: int) -> None:
    """Set each line's quantity again from the saved answers (saving the program step sets them
    through ``sleep.line_quantity``: a supply line its quantity, other lines one)."""
    if editable_draft(session, actor, order_id).program == Program.SLEEP:
        refresh_line_quantities(session, actor=actor, order_id=order_id)
