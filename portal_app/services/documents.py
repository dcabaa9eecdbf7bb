"""Documents for an order: type checked by content, hashed, stored encrypted under data/uploads/.

An office uploads to its own draft before submitting (the file stays with the draft, which becomes
the order), to an order in review, or to a denied order while a reconsideration or an appeal may
still be asked for (services/supporting_documents.py then sends them to a physician).
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session

from portal_app import clock
from portal_app.domain.documents_needed import document_rows
from portal_app.domain.enums import OrderStatus
from portal_app.domain.file_types import (
    document_problem,
    exchange_problem,
    sniff_exchange_type,
    sniff_media_type,
)
from portal_app.models import Document, Order
from portal_app.models.base import id_of
from portal_app.services import audit, file_store, pend_clock
from portal_app.services.authz import Actor
from portal_app.services.order_entry import editable_draft
from portal_app.services.orders import office_order

# Denied in whole or in part: documents may follow while a further review is still open to the office.
AFTER_DENIAL = frozenset({OrderStatus.NON_AUTHORIZED, OrderStatus.MULTIPLE_DECISIONS})


class DocumentRefused(ValueError):
    """The file was not stored; the message says why."""


def _order_for_upload(session: Session, actor: Actor, order_number: str, draft_id: int) -> Order:
    if draft_id:
        return editable_draft(session, actor, draft_id)  # DraftNotFound for another office's draft
    order = office_order(session, actor, order_number)
    if order.status == OrderStatus.IN_PROGRESS:
        return order
    if order.status in AFTER_DENIAL:
        from portal_app.services.supporting_documents import further_review

        kind, explanation = further_review(session, order, clock.today())
        if kind:
            return order
        raise DocumentRefused(explanation)
    raise DocumentRefused("Documents can be added only while the order is in review or after a denial.")


def store_document(
    session: Session,
    *,
    actor: Actor,
    order_number: str = "",
    filename: str,
    content: bytes,
    exchanged: bool = False,
    draft_id: int = 0,
    needed_document: str = "",
) -> str:
    """Attach a document to an order in review, a denied order, or the office's own draft
    (``draft_id``); returns its SHA-256. ``exchanged``: a document sent by another system (PAS),
    where plain text and C-CDA XML are accepted too. ``needed_document``: the listed document
    (domain/documents_needed.py) this file is, or "" for any other."""
    order = _order_for_upload(session, actor, order_number, draft_id)
    needed = (needed_document or "").strip()
    if needed and needed not in {row.document_id for row in document_rows(order.program)}:
        raise DocumentRefused("Choose one of the listed documents, or upload it as another document.")
    problem = exchange_problem(content) if exchanged else document_problem(content)
    if problem:
        raise DocumentRefused(problem)
    sniffed = sniff_exchange_type(content) if exchanged else sniff_media_type(content[:16])
    assert sniffed is not None, "document_problem/exchange_problem refuse a file of no accepted type"
    media_type, extension = sniffed
    digest = hashlib.sha256(content).hexdigest()
    stored_name, key_id = file_store.store(content, extension=extension)
    session.add(
        Document(
            order_id=id_of(order),
            uploaded_by_id=actor.user_id,
            filename=filename.replace("/", "_")[-255:] or "document",
            media_type=media_type,
            size_bytes=len(content),
            sha256=digest,
            storage_path=stored_name,
            encryption_key_id=key_id,
            needed_document=needed,
        )
    )
    pend_clock.office_answered(session, order_id=id_of(order))  # the case no longer waits for the office
    audit.record(
        session,
        action="order.document_added",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
        detail={"sha256": digest, "needed_document": needed, "draft": bool(draft_id)},
    )
    session.commit()
    return digest
