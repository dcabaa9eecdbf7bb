"""A procedure the rendering provider added on the day of an approved one.

Program FAQ (shared/seeds/001): when the radiologist or rendering provider finds during an approved
procedure that another one needing precertification is needed (CT of the abdomen, then of the
pelvis), they go ahead, tell the ordering provider, and ask for an order number for the added
procedure "no later than two (2) business days after the services were rendered", with the clinical
information at hand. Here the rendering provider's staff asks for it from the approved order: a new
order linked to it (``orders.added_to_order_id``) goes to a nurse reviewer, and the ordering office is
told by e-mail (no PHI: the order numbers and a link).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.calendar import retro_request_problem
from portal_app.domain.enums import (
    AuditOutcome,
    DecidedBy,
    LineDecision,
    MailKind,
    NoteVisibility,
    OrderStatus,
    ReviewQueue,
    Urgency,
)
from portal_app.domain.programs import ProgramDefinition
from portal_app.domain.review import decision_due
from portal_app.models import (
    Determination,
    HealthPlan,
    Member,
    Note,
    Order,
    OrderDiagnosis,
    OrderLine,
    ReviewTask,
    User,
)
from portal_app.models.base import get_existing, id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require
from portal_app.services.code_lists import program_for_coverage
from portal_app.services.mail import send_mail
from portal_app.services.order_submission import _next_order_number
from portal_app.services.orders import (
    OrderNotFound,
    _servicing_npis,
    _verifier_tax_ids,
)
from portal_app.services.outcomes import refresh_outcome
from portal_app.settings import get_settings

APPROVED_LINES = (LineDecision.AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED)
REASON = (
    "Added on the day of service by the rendering provider to approved order {order}; a reviewer checks "
    "the clinical information for the added procedure."
)


class AddRefused(ValueError):
    """The added procedure was not recorded; the message says why."""


def _renders(session: Session, actor: Actor, order: Order) -> bool:
    """The actor's practice is the servicing provider or facility of the order (by tax ID)."""
    from portal_app.models import Facility, Provider

    tax_ids = _verifier_tax_ids(session, actor)
    parties = [
        session.get(Provider, order.servicing_provider_id) if order.servicing_provider_id else None,
        session.get(Facility, order.facility_id) if order.facility_id else None,
    ]
    return bool(_servicing_npis(session, order)) and any(
        p is not None and p.tax_id in tax_ids for p in parties
    )


def _original(session: Session, actor: Actor, order_number: str) -> Order:
    number = (order_number or "").strip().upper()[:20]
    order = session.exec(select(Order).where(Order.order_number == number)).first() if number else None
    if order is None or not _renders(session, actor, order):
        audit.record(
            session,
            action="order.add_procedure_denied",
            user_id=actor.user_id,
            record_type="order",
            record_id=id_of(order) if order else number[:40],
            outcome=AuditOutcome.DENIED,
            client_address=actor.client_address,
        )
        session.commit()
        raise OrderNotFound(order_number)
    return order


def _approved_window(session: Session, order: Order) -> tuple[date, date] | None:
    rows = session.exec(
        select(col(Determination.valid_from), col(Determination.valid_until))
        .join(OrderLine, col(OrderLine.id) == Determination.order_line_id)
        .where(
            OrderLine.order_id == order.id,
            col(OrderLine.decision).in_(APPROVED_LINES),
            col(Determination.valid_from).is_not(None),
        )
    ).all()
    windows = [(start, end) for start, end in rows if start and end]
    return (min(w[0] for w in windows), max(w[1] for w in windows)) if windows else None


def _program_on(session: Session, order: Order, plan: HealthPlan, on: date) -> ProgramDefinition:
    """The order's program with the code list in force for the member's line of business on ``on``."""
    member = session.get(Member, order.member_id) if order.member_id else None
    return program_for_coverage(
        session,
        plan=plan,
        program=order.program,
        line_of_business=member.line_of_business if member else "",
        on=on,
    )


def _check(
    session: Session, order: Order, code: str, performed_on: date, information: str, today: date
) -> str:
    """The plain reason the request cannot be taken, or ""."""
    window = _approved_window(session, order)
    if window is None:
        return "A procedure can be added only to an approved order."
    if not window[0] <= performed_on <= window[1] or performed_on > today:
        return "Give the day the approved procedure was performed (within the approval, not in the future)."
    if problem := retro_request_problem(performed_on, today):
        return problem
    plan = get_existing(session, HealthPlan, order.plan_id)
    if (
        _program_on(session, order, plan, performed_on).managed_code(plan.code, performed_on.year, code)
        is None
    ):
        return f"Code {code or '(none)'} is not managed by this program for the member's plan."
    taken = session.exec(select(OrderLine.code).where(OrderLine.order_id == order.id)).all()
    if code in taken:
        return f"Code {code} is already on order {order.order_number}."
    if not information.strip():
        return "Give the clinical information that supports the added procedure."
    return ""


def request_added_procedure(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    code: str,
    performed_on: date,
    clinical_information: str,
    today: date | None = None,
) -> str:
    """Record the added procedure as a new order linked to the approved one, for a nurse's review, and
    tell the ordering office. Returns the new order number."""
    require(session, actor, "order.add_procedure", record=f"order:{order_number}"[:60])
    original = _original(session, actor, order_number)
    code = (code or "").strip().upper()[:20]
    today = today or clock.today()
    if problem := _check(session, original, code, performed_on, clinical_information or "", today):
        raise AddRefused(problem)
    now = clock.now()
    plan = get_existing(session, HealthPlan, original.plan_id)
    managed = _program_on(session, original, plan, performed_on).managed_code(
        plan.code, performed_on.year, code
    )
    assert managed is not None  # _check refused an unmanaged code
    added = Order(
        order_number=_next_order_number(session, now.year),
        program=original.program,
        plan_id=original.plan_id,
        member_id=original.member_id,
        practice_id=original.practice_id,  # the ordering office's request, as the FAQ describes
        ordering_provider_id=original.ordering_provider_id,
        servicing_provider_id=original.servicing_provider_id,
        facility_id=original.facility_id,
        status=OrderStatus.IN_PROGRESS,
        urgency=Urgency.STANDARD,
        service_start=performed_on,
        service_end=performed_on,
        details=dict(original.details or {}),
        submitted_at=now,
        member_confirmed=True,
        out_of_network_confirmed=original.out_of_network_confirmed,
        letter_address=original.letter_address,
        letter_fax=original.letter_fax,
        added_to_order_id=id_of(original),
        wizard_step=8,
        created_by_id=original.created_by_id,  # the ordering office reads it like its own order
        created_at=now,
        updated_by_id=actor.user_id,
        updated_at=now,
    )
    session.add(added)
    session.flush()
    line = OrderLine(
        order_id=id_of(added),
        line_number=1,
        code_system="CPT",
        code=code,
        description=managed.label,
        decision=LineDecision.PENDED,
    )
    session.add(line)
    for diagnosis in session.exec(select(OrderDiagnosis).where(OrderDiagnosis.order_id == original.id)).all():
        session.add(
            OrderDiagnosis(
                order_id=id_of(added),
                sequence=diagnosis.sequence,
                code=diagnosis.code,
                description=diagnosis.description,
            )
        )
    session.flush()
    reason = REASON.format(order=original.order_number)
    session.add(
        Determination(
            order_line_id=id_of(line),
            decision=LineDecision.PENDED,
            reason=reason,
            decided_by=DecidedBy.RULES_ENGINE,
            decided_at=now,
            explanation={"criteria": []},
        )
    )
    session.add(
        Note(
            order_id=id_of(added),
            author_id=actor.user_id,
            visibility=NoteVisibility.PROVIDER,
            body=f"Clinical information from the rendering provider: {clinical_information.strip()}"[:10000],
        )
    )
    session.add(
        ReviewTask.for_order(
            added,
            queue=ReviewQueue.NURSE,
            reason=reason,
            created_at=now,
            due_at=decision_due(now, False, plan.standard_review_days),
        )
    )
    refresh_outcome(session, added)
    _tell_the_office(session, original, added)
    audit.record(
        session,
        action="order.procedure_added",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(added),
        client_address=actor.client_address,
        detail={"added_to_order_id": id_of(original), "code": code},
    )
    session.commit()
    return added.order_number or ""


def _tell_the_office(session: Session, original: Order, added: Order) -> None:
    """E-mail the ordering office: order numbers and a link, no member details."""
    creator = session.get(User, original.created_by_id)
    if creator is None:
        return
    link = f"{get_settings().public_url.rstrip('/')}/orders/{added.order_number}"
    send_mail(
        session,
        to=creator.email,
        subject=f"A procedure was added to order {original.order_number}",
        kind=MailKind.NOTICE,
        body=(
            f"The rendering provider performed an additional procedure on the day of service of order "
            f"{original.order_number} and asked for its authorization: order {added.order_number}.\n\n"
            f"Sign in to the Precert portal to see it: {link}\n"
        ),
    )


__all__ = ["AddRefused", "request_added_procedure"]
