"""Continuity of care after a plan change: the office enters an active authorization the member
brings from the previous plan; Precert honours it for the same service and provider for 90 days
(``domain/continuity.py``) with an order number at once, and sends it to a reviewer when the service
or the provider changed. Such requests are counted separately (``order_exemptions`` kind
"transition"; every one is kept in ``transition_authorizations``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.continuity import transition_decision
from portal_app.domain.enums import DecidedBy, LineDecision, OrderStatus, Program, ReviewQueue
from portal_app.domain.order_numbers import new_order_number
from portal_app.models import (
    Determination,
    Member,
    Order,
    OrderExemption,
    OrderLine,
    Practice,
    Provider,
    ReviewTask,
    TransitionAuthorization,
)
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require
from portal_app.services.decision_clocks import start_clock
from portal_app.services.gold_card import TRANSITION
from portal_app.services.outcomes import refresh_outcome


@dataclass(frozen=True)
class TransitionResult:
    order_number: str = ""
    status: str = ""
    message: str = ""
    problems: tuple[str, ...] = ()


def _number(session: Session, year: int) -> str:
    for _ in range(10):
        number = new_order_number(year)
        if session.exec(select(Order.id).where(Order.order_number == number)).first() is None:
            return number
    raise RuntimeError("Could not draw an unused order number")


def enter_transition_authorization(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    member_number: str,
    program: str,
    prior_plan_name: str,
    prior_number: str,
    prior_code: str,
    prior_provider_npi: str,
    prior_valid_from: date,
    prior_valid_until: date,
    requested_code: str,
    servicing_npi: str,
    ordering_npi: str,
    today: date | None = None,
) -> TransitionResult:
    """Enter an active authorization from the member's previous plan as a request of this plan."""
    require(session, actor, "order.create", record="transition")
    today = today or clock.today()
    problems = []
    member = session.exec(
        select(Member).where(Member.plan_id == plan_id, Member.member_number == member_number.strip().upper())
    ).first()
    if (
        member is None
        or member.eligibility_start > today
        or (member.eligibility_end is not None and member.eligibility_end < today)
    ):
        problems.append("No member of this plan with that ID is covered today.")
    if program not in {p.value for p in Program}:
        problems.append("Choose the program.")
    servicing = session.exec(select(Provider).where(Provider.npi == servicing_npi.strip())).first()
    ordering = session.exec(select(Provider).where(Provider.npi == ordering_npi.strip())).first()
    practices = session.exec(select(Practice.tax_id).where(col(Practice.id).in_(actor.practice_ids))).all()
    if ordering is None or ordering.tax_id not in practices:
        problems.append("Enter the NPI of an ordering provider of your practice.")
    if servicing is None:
        problems.append("Enter the NPI of the provider who performs the service.")
    if not (
        prior_plan_name.strip() and prior_number.strip() and prior_code.strip() and requested_code.strip()
    ):
        problems.append(
            "Enter the previous plan, its authorization number, the service code and the code asked."
        )
    if prior_valid_until < prior_valid_from:
        problems.append("The previous authorization ends before it starts.")
    if not actor.practice_ids:
        problems.append("Your account is not linked to a practice.")
    if problems:
        return TransitionResult(problems=tuple(problems))
    assert member is not None and servicing is not None and ordering is not None  # checked above
    decision = transition_decision(
        enrolled_on=member.eligibility_start,
        prior_from=prior_valid_from,
        prior_until=prior_valid_until,
        prior_code=prior_code,
        prior_provider_npi=prior_provider_npi,
        requested_code=requested_code,
        requested_provider_npi=servicing.npi,
        today=today,
    )
    if not (decision.honoured or decision.needs_review):
        return TransitionResult(problems=(decision.reason,))
    now = clock.now()
    order = Order(
        order_number=_number(session, now.year),
        program=Program(program),
        plan_id=plan_id,
        member_id=id_of(member),
        practice_id=actor.practice_ids[0],
        ordering_provider_id=id_of(ordering),
        servicing_provider_id=id_of(servicing),
        status=OrderStatus.AUTHORIZED if decision.honoured else OrderStatus.IN_PROGRESS,
        service_start=max(decision.valid_from or today, today),
        service_end=decision.valid_until,
        submitted_at=now,
        member_confirmed=True,
        wizard_step=8,
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
    )
    session.add(order)
    session.flush()
    line = OrderLine(
        order_id=id_of(order),
        line_number=1,
        code_system="CPT",
        code=requested_code.strip().upper()[:20],
        description=f"Transition of care from {prior_plan_name.strip()}"[:300],
        decision=LineDecision.AUTHORIZED if decision.honoured else LineDecision.PENDED,
    )
    session.add(line)
    session.flush()
    session.add(
        Determination(
            order_line_id=id_of(line),
            decision=line.decision,
            reason_code="transition_of_care",
            reason=decision.reason[:2000],
            decided_by=DecidedBy.RULES_ENGINE,
            valid_from=decision.valid_from if decision.honoured else None,
            valid_until=decision.valid_until if decision.honoured else None,
        )
    )
    session.add(
        TransitionAuthorization(
            order_id=id_of(order),
            prior_plan_name=prior_plan_name.strip()[:200],
            prior_number=prior_number.strip()[:40],
            prior_code=prior_code.strip().upper()[:20],
            prior_provider_npi=prior_provider_npi.strip()[:10],
            prior_valid_from=prior_valid_from,
            prior_valid_until=prior_valid_until,
            honoured=decision.honoured,
            needs_review=decision.needs_review,
            honoured_until=decision.valid_until if decision.honoured else None,
            created_by_id=actor.user_id,
        )
    )
    if decision.honoured:
        session.add(
            OrderExemption(
                order_id=id_of(order),
                kind=TRANSITION,
                detail=f"Transition of care: {prior_plan_name.strip()} authorization {prior_number.strip()}"[
                    :500
                ],
            )
        )
    else:
        session.add(
            ReviewTask.for_order(
                order,
                queue=ReviewQueue.NURSE,
                reason=decision.reason[:2000],
                created_at=now,
                due_at=start_clock(session, order, now).due_at,
            )
        )
    refresh_outcome(session, order)
    audit.record(
        session,
        action="order.transition_entered",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
        detail={"honoured": decision.honoured, "needs_review": decision.needs_review},
    )
    session.commit()
    return TransitionResult(
        order_number=order.order_number or "",
        status=OrderStatus(order.status).label,
        message=decision.reason,
    )


def honoured_until(session: Session, *, order_id: int) -> date | None:
    """The last day a transition authorization is honoured (None when the order is not one)."""
    row = session.exec(
        select(TransitionAuthorization).where(TransitionAuthorization.order_id == order_id)
    ).first()
    return row.honoured_until if row else None
