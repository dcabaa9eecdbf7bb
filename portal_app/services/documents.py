"""Documents for an order: type checked by content, hashed, stored encrypted under data/uploads/."""

from __future__ import annotations

import hashlib

from sqlmodel import Session

from portal_app.domain.enums import OrderStatus
from portal_app.domain.file_types import (
    document_problem,
    exchange_problem,
    sniff_exchange_type,
    sniff_media_type,
)
from portal_app.models import Document
from portal_app.models.base import id_of
from portal_app.services import audit, file_store, pend_clock
from portal_app.services.authz import Actor
from portal_app.services.orders import office_order


class DocumentRefused(ValueError):
    """The file was not stored; the message says why."""


def store_document(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    filename: str,
    content: bytes,
    exchanged: bool = False,
) -> str:
    """Attach a document to an order in review; returns its SHA-256. ``exchanged``: a document sent
    by another system (PAS), where plain text and C-CDA XML are accepted too."""
    order = office_order(session, actor, order_number)
    if order.status != OrderStatus.IN_PROGRESS:
        raise DocumentRefused("Documents can be added only while the order is in review.")
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
        detail={"sha256": digest},
    )
    session.commit()
    return digest
