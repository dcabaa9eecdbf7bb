"""After submit: reading orders (summary, my orders), verifying, cancelling, adding information.

Every read of an order is audited, and refused reads look the same as missing orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from pydantic import ValidationError
from sqlmodel import Session, col, func, or_, select

from portal_app import clock
from portal_app.domain.enums import (
    AuditOutcome,
    LineDecision,
    NoteVisibility,
    OrderStatus,
    Program,
    Role,
    TaskStatus,
    Urgency,
)
from portal_app.domain.order_numbers import normalize_order_number
from portal_app.domain.programs import get_program
from portal_app.domain.search_text import LIKE_ESCAPE, prefix_pattern
from portal_app.domain.statuses import status_label
from portal_app.models import (
    Determination,
    Document,
    Facility,
    HealthPlan,
    Member,
    Note,
    Order,
    OrderDiagnosis,
    OrderLine,
    Practice,
    Provider,
    ReviewTask,
)
from portal_app.models.base import get_existing, id_of
from portal_app.models.orders import number_of
from portal_app.services import audit, pend_clock, rate_limits
from portal_app.services.authz import REVIEWER_ROLES, Actor, require
from portal_app.services.order_entry import denied_setting_alternatives, details_context

PAGE_SIZE = 20
CANCELLABLE = {OrderStatus.IN_PROGRESS, OrderStatus.AUTHORIZED, OrderStatus.COMPLETED}


class OrderNotFound(LookupError):
    """No such order, or not one this user may see (the two are not told apart)."""


@dataclass(frozen=True)
class OrderLineView:
    line_number: int
    code: str
    description: str
    decision: str
    reason: str
    citation: str
    valid_from: str
    valid_until: str
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class OrderSummary:
    order_id: int
    order_number: str
    status: str
    status_code: str
    program: str
    plan_name: str
    member_name: str
    member_number: str
    member_birth_date: str
    ordering_provider: str
    servicing: str
    letter_address: str
    letter_fax: str
    urgency: str
    urgency_reason: str
    service_start: str
    submitted_at: str
    duplicate_of: str
    cancel_reason: str
    details: tuple[tuple[str, str], ...]
    diagnoses: tuple[str, ...]
    lines: tuple[OrderLineView, ...]
    documents: tuple[tuple[int, str], ...]  # (document id, "name (type, size)")
    notes: tuple[str, ...]
    can_update: bool
    can_cancel: bool
    # A denied hospital setting: the in-network sites that can do the exam instead (order_entry).
    alternate_sites: tuple[str, ...] = ()
    # The listed documents (services/supporting_documents.py): (id, document, whether it was received).
    documents_needed: tuple[tuple[str, str, str], ...] = ()
    added_to_order: str = ""  # a same-day added procedure: the order it was added to


def may_read_order(session: Session, actor: Actor, order: Order) -> bool:
    """Reviewers read every order; office staff read their practice's orders as it allows."""
    if order.status == OrderStatus.DRAFT:
        return order.created_by_id == actor.user_id
    if actor.role in REVIEWER_ROLES:
        return True
    if actor.role != Role.ORDERING_PROVIDER_STAFF or order.practice_id not in actor.practice_ids:
        return False
    if order.created_by_id == actor.user_id:
        return True
    practice = session.get(Practice, order.practice_id)
    return bool(practice and practice.share_orders)


def _readable_order(session: Session, actor: Actor, order_number: str, action: str) -> Order:
    order = session.exec(select(Order).where(Order.order_number == order_number.strip().upper())).first()
    allowed = order is not None and may_read_order(session, actor, order)
    audit.record(
        session,
        action=action if allowed else f"{action}_denied",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order) if order else order_number[:40],
        outcome=AuditOutcome.SUCCESS if allowed else AuditOutcome.DENIED,
        client_address=actor.client_address,
    )
    session.commit()
    if not allowed or order is None:
        raise OrderNotFound(order_number)
    return order


def get_order_summary(session: Session, *, actor: Actor, order_number: str) -> OrderSummary:
    """The order summary, if ``actor`` may read it; every attempt is audited."""
    return _summary(session, actor, _readable_order(session, actor, order_number, "order.read"))


def _party_name(session: Session, order: Order) -> str:
    if order.facility_id:
        return get_existing(session, Facility, order.facility_id).name
    if order.servicing_provider_id:
        provider = get_existing(session, Provider, order.servicing_provider_id)
        return f"{provider.first_name} {provider.last_name}, {provider.specialty}"
    return ""


def _line_view(session: Session, line: OrderLine) -> OrderLineView:
    decision = session.exec(
        select(Determination)
        .where(Determination.order_line_id == line.id)
        .order_by(col(Determination.id).desc())
    ).first()
    criteria = tuple(
        f"{'Met' if c['met'] else 'Not determinable' if c['met'] is None else 'Not met'}: {c['text']} "
        f"({c['citation']})"
        for c in (decision.explanation.get("criteria", []) if decision else [])
    )
    return OrderLineView(
        line.line_number,
        line.code,
        line.description,
        LineDecision(line.decision).label,
        decision.reason if decision else "",
        decision.guideline_citation if decision else "",
        decision.valid_from.isoformat() if decision and decision.valid_from else "",
        decision.valid_until.isoformat() if decision and decision.valid_until else "",
        criteria,
    )


def _summary(session: Session, actor: Actor, order: Order) -> OrderSummary:
    member = session.get(Member, order.member_id)
    plan = get_existing(session, HealthPlan, order.plan_id)
    ordering = session.get(Provider, order.ordering_provider_id) if order.ordering_provider_id else None
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.line_number))
    ).all()
    diagnoses = session.exec(
        select(OrderDiagnosis)
        .where(OrderDiagnosis.order_id == order.id)
        .order_by(col(OrderDiagnosis.sequence))
    ).all()
    documents = session.exec(
        select(Document).where(Document.order_id == order.id).order_by(col(Document.id))
    ).all()
    notes = session.exec(
        select(Note)
        .where(Note.order_id == order.id, Note.visibility == NoteVisibility.PROVIDER)
        .order_by(col(Note.id))
    ).all()
    is_office = actor.role == Role.ORDERING_PROVIDER_STAFF
    return OrderSummary(
        order_id=id_of(order),
        order_number=order.order_number or "",
        status=status_label(order.program, order.status),
        status_code=order.status,
        program=Program(order.program).label,
        plan_name=plan.name,
        member_name=f"{member.first_name} {member.last_name}" if member else "",
        member_number=member.member_number if member else "",
        member_birth_date=member.date_of_birth.isoformat() if member else "",
        ordering_provider=f"{ordering.first_name} {ordering.last_name}" if ordering else "",
        servicing=_party_name(session, order),
        letter_address=order.letter_address,
        letter_fax=order.letter_fax,
        urgency=Urgency(order.urgency).label,
        urgency_reason=order.urgency_reason,
        service_start=order.service_start.isoformat() if order.service_start else "",
        submitted_at=order.submitted_at.strftime("%Y-%m-%d %H:%M UTC") if order.submitted_at else "",
        duplicate_of=order.duplicate_of,
        cancel_reason=order.cancel_reason,
        details=_detail_lines(session, order),
        diagnoses=tuple(f"{d.code} {d.description}" for d in diagnoses),
        lines=tuple(_line_view(session, line) for line in lines),
        documents=tuple(
            (id_of(d), f"{d.filename} ({d.media_type}, {d.size_bytes:,} bytes)") for d in documents
        ),
        notes=tuple(f"{n.created_at.strftime('%Y-%m-%d %H:%M')}: {n.body}" for n in notes),
        can_update=is_office and order.status == OrderStatus.IN_PROGRESS,
        can_cancel=is_office and order.status in CANCELLABLE,
        alternate_sites=denied_setting_alternatives(session, order),
        documents_needed=_documents_needed(session, order),
        added_to_order=_number_of(session, order.added_to_order_id),
    )


def _documents_needed(session: Session, order: Order) -> tuple[tuple[str, str, str], ...]:
    from portal_app.services.supporting_documents import needed_for_order

    return tuple(
        (
            item.document_id,
            item.document,
            f"Received: {', '.join(item.arrived)}" if item.arrived else "Not received",
        )
        for item in needed_for_order(session, order)
    )


def _number_of(session: Session, order_id: int | None) -> str:
    other = session.get(Order, order_id) if order_id else None
    return (other.order_number or "") if other else ""


def _detail_lines(session: Session, order: Order) -> tuple[tuple[str, str], ...]:
    """The program's answers as (label, value), then the program's own summary lines."""
    lines = [
        (str(k).replace("_", " ").capitalize(), _plain(v))
        for k, v in order.details.items()
        if v not in (None, "", [], {})
    ]
    program = get_program(order.program)
    try:
        details = program.details_schema.model_validate(
            order.details, context=details_context(session, order)
        )
    except ValidationError:
        return tuple(lines)  # answers saved under an older schema: shown as they are
    if order.service_start is None:
        return tuple(lines)  # a draft before its date of service: no program lines yet
    return tuple(lines + program.summary_lines(details, order.service_start))


def _plain(value) -> str:
    if isinstance(value, dict):
        return "; ".join(
            f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items() if v not in (None, "", [])
        )
    if isinstance(value, list):
        separator = " | " if any(isinstance(v, dict) for v in value) else ", "
        return separator.join(_plain(v) for v in value)
    return str(value).replace("_", " ")


# --- my orders ---


@dataclass(frozen=True)
class OrderRow:
    order_number: str
    status: str
    program: str
    member_name: str
    member_number: str
    service_start: str
    submitted_on: str


@dataclass(frozen=True)
class OrderFilter:
    order_number: str = ""
    member: str = ""  # member ID or last name
    status: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None


def _visible_orders(session: Session, actor: Actor):
    shared = select(Practice.id).where(
        col(Practice.id).in_(actor.practice_ids), col(Practice.share_orders).is_(True)
    )
    return (
        select(Order, Member)
        .join(Member, col(Member.id) == Order.member_id)
        .where(
            col(Order.order_number).is_not(None),
            col(Order.practice_id).in_(actor.practice_ids),
            or_(Order.created_by_id == actor.user_id, col(Order.practice_id).in_(shared)),
        )
    )


def search_my_orders(
    session: Session, *, actor: Actor, order_filter: OrderFilter, page: int = 0, page_size: int = PAGE_SIZE
) -> tuple[list[OrderRow], int]:
    """The actor's orders (and colleagues' where the practice shares them), newest first, one page."""
    require(session, actor, "order.read_own_practice")
    query = _visible_orders(session, actor)
    if order_filter.order_number.strip():
        query = query.where(
            col(Order.order_number).contains(order_filter.order_number.strip().upper(), autoescape=True)
        )
    if order_filter.member.strip():
        text = order_filter.member.strip()
        query = query.where(
            or_(
                Member.member_number == text.upper(),
                col(Member.last_name).ilike(prefix_pattern(text), escape=LIKE_ESCAPE),
            )
        )
    if order_filter.status in {s.value for s in OrderStatus}:
        query = query.where(Order.status == order_filter.status)
    if order_filter.submitted_from:
        query = query.where(
            col(Order.submitted_at) >= datetime.combine(order_filter.submitted_from, datetime.min.time(), UTC)
        )
    if order_filter.submitted_to:
        query = query.where(
            col(Order.submitted_at) < datetime.combine(order_filter.submitted_to, datetime.max.time(), UTC)
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Order.submitted_at).desc(), col(Order.id).desc())
        .offset(max(page, 0) * page_size)
        .limit(page_size)
    ).all()
    audit.record(
        session,
        action="order.search",
        user_id=actor.user_id,
        client_address=actor.client_address,
        detail={"results": len(rows), "page": page},
    )
    session.commit()
    return [
        OrderRow(
            o.order_number,
            status_label(o.program, o.status),
            Program(o.program).label,
            f"{m.first_name} {m.last_name}",
            m.member_number,
            o.service_start.isoformat() if o.service_start else "",
            o.submitted_at.strftime("%Y-%m-%d") if o.submitted_at else "",
        )
        for o, m in rows
    ], total


# --- servicing providers verify ---


@dataclass(frozen=True)
class Verification:
    found: bool
    order_number: str = ""
    status: str = ""
    procedures: str = ""
    valid: str = ""


def _verifier_tax_ids(session: Session, actor: Actor) -> set[str]:
    if not actor.practice_ids:
        return set()
    return set(session.exec(select(Practice.tax_id).where(col(Practice.id).in_(actor.practice_ids))).all())


def _for_callers_practice(session: Session, actor: Actor, order: Order) -> bool:
    """The order was placed by the caller's practice, or its ordering or servicing provider (or
    servicing facility) bills under one of the caller's practices' tax IDs."""
    if order.practice_id in actor.practice_ids:
        return True
    tax_ids = _verifier_tax_ids(session, actor)
    parties = [
        session.get(Provider, order.ordering_provider_id) if order.ordering_provider_id else None,
        session.get(Provider, order.servicing_provider_id) if order.servicing_provider_id else None,
        session.get(Facility, order.facility_id) if order.facility_id else None,
    ]
    return any(party is not None and party.tax_id in tax_ids for party in parties)


def _servicing_npis(session: Session, order: Order) -> set[str]:
    npis = set()
    if order.servicing_provider_id:
        npis.add(get_existing(session, Provider, order.servicing_provider_id).npi)
    if order.facility_id:
        npis.add(get_existing(session, Facility, order.facility_id).npi)
    return npis


def verify_order(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    member_number: str,
    birth_date: date | None = None,
    servicing_npi: str = "",
) -> Verification:
    """Whether an order exists for this member and is authorized.

    Answered only when order number and member ID match and either the order belongs to the
    caller's practice (it placed the order, or its ordering or servicing provider bills under the
    practice's tax ID), or the caller also gives the member's date of birth and the servicing NPI.
    Anything else answers "not found", the same as a wrong number. Every look-up is audited and
    counted against the verify rate limits.
    """
    require(session, actor, "order.verify")
    rate_limits.hit(
        session,
        limits={"verify_user": actor.user_id, "verify_client": actor.client_address},
        action="order.verify",
        user_id=actor.user_id,
        client_address=actor.client_address,
    )
    number = normalize_order_number(order_number)
    found = session.exec(
        select(Order, Member)
        .join(Member, col(Member.id) == Order.member_id)
        .where(
            Order.order_number == number,
            col(Order.order_number).is_not(None),
            Member.member_number == member_number.strip().upper(),
        )
    ).first()
    order, member = found if found else (None, None)
    basis = ""
    if order is not None:
        assert member is not None  # found together with the order (inner join)
        if _for_callers_practice(session, actor, order):
            basis = "practice"
        elif (
            birth_date is not None
            and member.date_of_birth == birth_date
            and servicing_npi.strip()
            and servicing_npi.strip() in _servicing_npis(session, order)
        ):
            basis = "member_birth_date_and_servicing_npi"
    audit.record(
        session,
        action="order.verify",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order) if order else number[:40],
        client_address=actor.client_address,
        outcome=AuditOutcome.SUCCESS if basis else AuditOutcome.FAILURE,
        detail={"basis": basis or "refused", "with_birth_date_and_npi": bool(birth_date and servicing_npi)},
    )
    session.commit()
    if not basis or order is None:  # a basis is found only for an order
        return Verification(found=False)
    lines = [
        _line_view(session, line)
        for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    ]
    windows = sorted({f"{line.valid_from} to {line.valid_until}" for line in lines if line.valid_from})
    return Verification(
        True,
        number_of(order),
        OrderStatus(order.status).label,
        "; ".join(f"{line.code} {line.description}: {line.decision}" for line in lines),
        ", ".join(windows),
    )


# --- changes after submit ---


def office_order(session: Session, actor: Actor, order_number: str) -> Order:
    require(session, actor, "order.create", record=f"order:{order_number}")
    order = _readable_order(session, actor, order_number, "order.read")
    return order


def cancel_order(
    session: Session, *, actor: Actor, order_number: str, entered_in_error: bool, reason: str
) -> str:
    """Cancel (or mark as entered in error); the record and its history stay. Returns the new status label."""
    order = office_order(session, actor, order_number)
    if order.status not in CANCELLABLE:
        raise ValueError(f"An order that is {OrderStatus(order.status).label.lower()} cannot be cancelled.")
    if not reason.strip():
        raise ValueError("Say why the order is cancelled.")
    order.status = (
        OrderStatus.NOT_REVIEWED_ERROR_ENTRY if entered_in_error else OrderStatus.VOLUNTARILY_CANCELLED
    )
    order.cancel_reason = reason.strip()[:1000]
    order.updated_by_id, order.updated_at = actor.user_id, clock.now()
    session.add(order)
    for task in session.exec(
        select(ReviewTask).where(ReviewTask.order_id == order.id, col(ReviewTask.closed_at).is_(None))
    ).all():
        task.closed_at = clock.now()
        task.status = TaskStatus.DONE
        session.add(task)
    audit.record(
        session,
        action="order.cancelled",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
        detail={"status": order.status},
    )
    session.commit()
    return OrderStatus(order.status).label


def add_clinical_information(session: Session, *, actor: Actor, order_number: str, text: str) -> None:
    """Add clinical information to an order that is still in review."""
    order = office_order(session, actor, order_number)
    if order.status != OrderStatus.IN_PROGRESS:
        raise ValueError("Information can be added only while the order is in review.")
    if not text.strip():
        raise ValueError("Write the clinical information to add.")
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.PROVIDER,
            body=text.strip()[:10000],
        )
    )
    pend_clock.office_answered(session, order_id=id_of(order))  # the case no longer waits for the office
    audit.record(
        session,
        action="order.information_added",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
    )
    session.commit()
