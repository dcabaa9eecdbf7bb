"""Server-side sign-in sessions bound to an HttpOnly cookie.

Signing in creates a session row with a one-time ticket (valid for a minute);
the browser trades the ticket for the cookie at ``/auth/finish``, and only then
is the cookie token made, so it is new at every sign-in. The database keeps the
SHA-256 of the token, never the token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.domain.enums import AuditOutcome, Role, UserStatus
from portal_app.models import AuthSession, PracticeMembership, User
from portal_app.services import audit
from portal_app.services.authz import Actor
from portal_app.settings import get_settings

SESSION_COOKIE = "precert_session"
TICKET_LIFETIME = timedelta(seconds=60)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)  # SQLite hands back naive datetimes


def start_session(session: Session, *, user_id: int, client_address: str = "", user_agent: str = "") -> str:
    """Open a session for a user who has just proved who they are; return its ticket."""
    now = clock.now()
    ticket = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            user_id=user_id,
            ticket_hash=_hash(ticket),
            ticket_expires_at=now + TICKET_LIFETIME,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=get_settings().session_max_seconds),
            client_address=client_address[:64],
            user_agent=user_agent[:300],
        )
    )
    session.commit()
    return ticket


def redeem_ticket(session: Session, *, ticket: str) -> str | None:
    """Trade a fresh one-time ticket for the cookie token; None if unknown, used or stale."""
    row = session.exec(select(AuthSession).where(AuthSession.ticket_hash == _hash(ticket or ""))).first()
    now = clock.now()
    if row is None or row.revoked_at is not None or _utc(row.ticket_expires_at) < now:
        return None
    token = secrets.token_urlsafe(32)
    row.token_hash = _hash(token)
    row.ticket_hash = None
    row.ticket_expires_at = None
    row.last_seen_at = now
    session.add(row)
    session.commit()
    return token


def _live_session(session: Session, token: str, now: datetime) -> tuple[AuthSession, User] | None:
    if not token:
        return None
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None or _utc(row.expires_at) <= now:
        return None
    idle = timedelta(seconds=get_settings().session_idle_seconds)
    if _utc(row.last_seen_at) + idle <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    return row, user


def resolve_actor(
    session: Session, *, token: str, touch: bool = True, client_address: str = ""
) -> Actor | None:
    """The actor behind a cookie token, or None when the session is not live.

    ``touch`` counts this call as activity, which restarts the idle timer.
    """
    now = clock.now()
    live = _live_session(session, token, now)
    if live is None:
        return None
    row, user = live
    if touch:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    practice_ids = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user.id)
    ).all()
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        full_name=user.full_name,
        practice_ids=tuple(sorted(practice_ids)),
        session_id=row.id,
        client_address=client_address,
    )


def seconds_until_idle_logoff(session: Session, *, token: str) -> int | None:
    """Seconds before the session ends for inactivity (or its maximum age); None if over."""
    now = clock.now()
    live = _live_session(session, token, now)
    if live is None:
        return None
    row, _ = live
    idle_end = _utc(row.last_seen_at) + timedelta(seconds=get_settings().session_idle_seconds)
    return int((min(idle_end, _utc(row.expires_at)) - now).total_seconds())


def end_session(session: Session, *, token: str, reason: str, client_address: str = "") -> None:
    """Revoke the session behind ``token`` (sign-out, idle logoff)."""
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _hash(token or ""))).first()
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = clock.now()
    row.revoked_reason = reason
    session.add(row)
    audit.record(
        session,
        action=f"session.{reason}",
        user_id=row.user_id,
        record_type="user",
        record_id=row.user_id,
        client_address=client_address,
    )
    session.commit()


def end_all_sessions(session: Session, *, user_id: int, reason: str) -> int:
    """Revoke every live session of a user (password change, account disabled)."""
    rows = session.exec(
        select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    ).all()
    now = clock.now()
    for row in rows:
        row.revoked_at = now
        row.revoked_reason = reason
        session.add(row)
    audit.record(
        session,
        action="session.revoked_all",
        user_id=user_id,
        record_type="user",
        record_id=user_id,
        outcome=AuditOutcome.SUCCESS,
        detail={"reason": reason, "sessions": len(rows)},
    )
    return len(rows)
