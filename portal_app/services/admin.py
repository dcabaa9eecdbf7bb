"""Support-admin work: the audit log and the outbox (paged on the server), disabling accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from portal_app import clock
from portal_app.domain.enums import MailKind, UserStatus
from portal_app.domain.search_text import LIKE_ESCAPE, contains_pattern
from portal_app.models import AuditEvent, OutboxEmail, User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require
from portal_app.services.sessions import end_all_sessions

PAGE_SIZE = 25


@dataclass(frozen=True)
class AuditRow:
    occurred_at: str
    user: str
    action: str
    record: str
    outcome: str
    client_address: str


@dataclass(frozen=True)
class AuditFilter:
    user_email: str = ""
    record: str = ""  # "order:123" or just "123"
    date_from: date | None = None
    date_to: date | None = None


def _audit_query(audit_filter: AuditFilter):
    actor_user = aliased(User)
    query = select(AuditEvent, actor_user.email).join(
        actor_user, col(AuditEvent.user_id) == actor_user.id, isouter=True
    )
    if audit_filter.user_email:
        query = query.where(
            func.lower(actor_user.email).like(
                contains_pattern(audit_filter.user_email.strip().lower()), escape=LIKE_ESCAPE
            )
        )
    if audit_filter.record:
        record_type, _, record_id = audit_filter.record.strip().rpartition(":")
        query = query.where(AuditEvent.record_id == record_id)
        if record_type:
            query = query.where(AuditEvent.record_type == record_type)
    if audit_filter.date_from:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(audit_filter.date_from, time.min, UTC))
    if audit_filter.date_to:
        end = datetime.combine(audit_filter.date_to + timedelta(days=1), time.min, UTC)
        query = query.where(AuditEvent.occurred_at < end)
    return query


def search_audit_log(
    session: Session, *, actor: Actor, audit_filter: AuditFilter, page: int = 0, page_size: int = PAGE_SIZE
) -> tuple[list[AuditRow], int]:
    """One page of audit events matching the filter, newest first, and the total count."""
    require(session, actor, "admin.audit_log")
    query = _audit_query(audit_filter)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
        .offset(max(page, 0) * page_size)
        .limit(page_size)
    ).all()
    return [
        AuditRow(
            occurred_at=event.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
            user=email or "(none)",
            action=event.action,
            record=f"{event.record_type}:{event.record_id}" if event.record_type else "",
            outcome=event.outcome,
            client_address=event.client_address,
        )
        for event, email in rows
    ], total


@dataclass(frozen=True)
class OutboxRow:
    """Who was mailed what kind of message, and when: never the subject or the body, which may
    hold a usable link, a code or an order number (issue 17 row 7)."""

    id: int
    created_at: str
    to_address: str
    kind: str
    sent: bool


def _kind_label(kind: str) -> str:
    return MailKind(kind).label if kind in {k.value for k in MailKind} else MailKind.NOTICE.label


def list_outbox(
    session: Session, *, actor: Actor, page: int = 0, page_size: int = PAGE_SIZE
) -> tuple[list[OutboxRow], int]:
    """One page of outgoing mail, newest first, and the total count."""
    require(session, actor, "admin.users")
    total = session.exec(select(func.count()).select_from(OutboxEmail)).one()
    mails = session.exec(
        select(OutboxEmail)
        .order_by(col(OutboxEmail.id).desc())
        .offset(max(page, 0) * page_size)
        .limit(page_size)
    ).all()
    return [
        OutboxRow(
            id=id_of(m),
            created_at=m.created_at.strftime("%Y-%m-%d %H:%M"),
            to_address=m.to_address,
            kind=_kind_label(m.kind),
            sent=m.sent_at is not None,
        )
        for m in mails
    ], total


def disable_user(session: Session, *, actor: Actor, user_id: int, reason: str) -> int:
    """Disable an account and end its open sessions at once; returns how many ended."""
    require(session, actor, "admin.users", record=f"user:{user_id}")
    user = session.get(User, user_id)
    if user is None or user.id == actor.user_id:
        raise ValueError("That account cannot be disabled here.")
    user.status = UserStatus.DISABLED
    user.updated_at = clock.now()
    session.add(user)
    ended = end_all_sessions(session, user_id=id_of(user), reason="account_disabled")
    audit.record(
        session,
        action="user.disabled",
        user_id=actor.user_id,
        record_type="user",
        record_id=id_of(user),
        client_address=actor.client_address,
        detail={"reason": reason.strip()[:200]},
    )
    session.commit()
    return ended
