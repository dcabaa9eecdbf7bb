"""The documents that support a request: the list an office sees (in the wizard before submitting,
on the order), which of them arrived (for the reviewer), and documents sent after a denial.

The list comes from the program's documents table (domain/documents_needed.py) for the criteria
the request pends on: for a draft, the rules engine's verdict on the answers so far; for a
submitted order, the verdict stored with the engine's determination of each line.

After a denial the office may upload supporting documents instead of asking for a reconsideration
in words (program FAQs, shared/seeds/002 and 003: "submit documentation in support of your request
through the document upload feature"). Sending them opens a physician's review within the rules
that apply (services/review.py): a reconsideration within 10 calendar days of the denial, after
that a first-level appeal decided by another physician, and nothing once an appeal was decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from portal_app import clock
from portal_app.domain import review as rules
from portal_app.domain.documents_needed import NeededDocument, documents_needed
from portal_app.domain.enums import TaskKind
from portal_app.models import Determination, Document, Order, OrderLine
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services import review as review_service
from portal_app.services.authz import Actor, require
from portal_app.services.order_entry import editable_draft


@dataclass(frozen=True)
class NeededItem:
    """A listed document and the files uploaded as it (empty: not received)."""

    document_id: str
    document: str
    why: str
    arrived: tuple[str, ...]


def _uploads(session: Session, order: Order) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for needed, filename in session.exec(
        select(Document.needed_document, Document.filename)
        .where(Document.order_id == order.id, Document.kind == "upload", Document.needed_document != "")
        .order_by(col(Document.id))
    ).all():
        found.setdefault(needed, []).append(filename)
    return found


def _items(session: Session, order: Order, listed: tuple[NeededDocument, ...]) -> tuple[NeededItem, ...]:
    uploads = _uploads(session, order)
    return tuple(
        NeededItem(d.document_id, d.document, d.why, tuple(uploads.get(d.document_id, ()))) for d in listed
    )


def _engine_criteria(session: Session, order: Order) -> list[dict]:
    """The criteria stored with the rules engine's determination of each line the engine pended."""
    lines = session.exec(select(OrderLine.id).where(OrderLine.order_id == order.id)).all()
    if not lines:
        return []
    first: dict[int, Determination] = {}
    for determination in session.exec(
        select(Determination)
        .where(col(Determination.order_line_id).in_(lines))
        .order_by(col(Determination.id))
    ).all():
        first.setdefault(determination.order_line_id, determination)
    criteria: list[dict] = []
    for determination in first.values():
        if determination.decision == "pended":
            criteria.extend((determination.explanation or {}).get("criteria", []))
    return criteria


def needed_for_order(session: Session, order: Order) -> tuple[NeededItem, ...]:
    """The listed documents of a submitted order and what arrived (the caller checked access)."""
    return _items(session, order, documents_needed(order.program, _engine_criteria(session, order)))


def documents_needed_for_draft(session: Session, *, actor: Actor, draft_id: int) -> tuple[NeededItem, ...]:
    """The documents the office's draft would need, from the rules engine's verdict on its answers so
    far (nothing while the draft cannot be judged yet), and which were uploaded to it."""
    from portal_app.services.order_submission import _evaluate

    order = editable_draft(session, actor, draft_id)
    if order.member_id is None or order.service_start is None:
        return ()
    try:
        determination = _evaluate(session, order, [])
    except (ValueError, LookupError, TypeError):  # answers incomplete or no longer valid
        return ()
    results = [result for line in determination.pended for result in line.results]
    return _items(session, order, documents_needed(order.program, results))


# --- after a denial ---


def further_review(session: Session, order: Order, today: date) -> tuple[str, str]:
    """Which physician review supporting documents would open now ("reconsideration", "appeal" or
    "" when none), and the plain explanation."""
    allowed, explanation = review_service._reconsideration_check(session, order, today)
    if allowed:
        return TaskKind.RECONSIDERATION.value, explanation
    if review_service._open_task(session, id_of(order)) is not None:
        return "", review_service._UNDER_REVIEW
    if review_service._last_denial(session, order) is None:
        return "", "Nothing on this order was denied, so there is nothing to review again."
    if TaskKind.APPEAL in review_service._earlier_kinds(session, order):
        return "", review_service._APPEAL_DECIDED
    return TaskKind.APPEAL.value, (
        "The documents go to a physician reviewer as a first-level appeal, decided by a physician other "
        "than the one who denied."
    )


def _since_denial(session: Session, order: Order) -> list[str]:
    """Names of the files uploaded after the latest adverse decision of the order."""
    denied_at = session.exec(
        select(func.max(Determination.decided_at))
        .join(OrderLine, col(OrderLine.id) == Determination.order_line_id)
        .where(OrderLine.order_id == order.id, col(Determination.decision).in_(tuple(rules.ADVERSE)))
    ).one()
    if denied_at is None:
        return []
    return list(
        session.exec(
            select(Document.filename)
            .where(Document.order_id == order.id, Document.kind == "upload", Document.created_at > denied_at)
            .order_by(col(Document.id))
        ).all()
    )


def documents_review_status(
    session: Session, *, actor: Actor, order_number: str, today: date | None = None
) -> tuple[str, str]:
    """For the office's order page: which review documents sent now would open, and why."""
    require(session, actor, "order.reconsider", record=f"order:{order_number}"[:60])
    order = review_service._office_order(session, actor, order_number)
    return further_review(session, order, today or clock.today())


def send_documents_for_review(
    session: Session, *, actor: Actor, order_number: str, note: str = "", today: date | None = None
) -> str:
    """Send the documents uploaded since the denial to a physician: a reconsideration or an appeal,
    whichever the rules allow now. Returns that kind."""
    require(session, actor, "order.reconsider", record=f"order:{order_number}"[:60])
    order = review_service._office_order(session, actor, order_number)
    today = today or clock.today()
    kind, explanation = further_review(session, order, today)
    if not kind:
        review_service._refuse(session, actor, order, "send_documents", explanation)
    files = _since_denial(session, order)
    if not files:
        review_service._refuse(
            session, actor, order, "send_documents", "Upload the supporting documents first, then send them."
        )
    information = f"Supporting documents sent for review: {', '.join(files)}."
    if (note or "").strip():
        information += f" {note.strip()}"
    if kind == TaskKind.RECONSIDERATION:
        review_service.request_reconsideration(
            session, actor=actor, order_number=order_number, information=information, today=today
        )
    else:
        review_service.file_appeal(session, actor=actor, order_number=order_number, information=information)
    audit.record(
        session,
        action="order.documents_sent_for_review",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
        detail={"kind": kind, "files": len(files)},
    )
    session.commit()
    return kind


__all__ = [
    "NeededItem",
    "documents_needed_for_draft",
    "documents_review_status",
    "further_review",
    "needed_for_order",
    "send_documents_for_review",
]
