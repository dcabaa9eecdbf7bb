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
from typing import overload

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import AuditOutcome, Role, UserStatus
from portal_app.models import AuthSession, PracticeMembership, User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor
from portal_app.settings import get_settings

SESSION_COOKIE = "precert_session"
# Set by the tab that signs in with a password and checked with its ticket at /auth/finish, so a
# ticket only works in the browser that asked for it (no login CSRF).
SIGN_IN_COOKIE = "precert_sign_in"
TICKET_LIFETIME = timedelta(seconds=60)


def cookie_name(base: str) -> str:
    """``__Host-`` + ``base`` behind HTTPS (Secure, path /, no Domain: no subdomain can set it)."""
    return f"__Host-{base}" if get_settings().uses_https else base


def session_cookie_name() -> str:
    return cookie_name(SESSION_COOKIE)


def sign_in_cookie_name() -> str:
    return cookie_name(SIGN_IN_COOKIE)


def _ticket_hash(ticket: str, browser_binding: str) -> str:
    return _hash(f"{ticket}:{browser_binding}" if browser_binding else ticket)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@overload
def _utc(moment: datetime) -> datetime: ...
@overload
def _utc(moment: None) -> None: ...
def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)  # SQLite hands back naive datetimes


def start_session(
    session: Session,
    *,
    user_id: int,
    client_address: str = "",
    user_agent: str = "",
    browser_binding: str = "",
) -> str:
    """Open a session for a user who has just proved who they are; return its ticket.

    With ``browser_binding`` (the secret of the sign-in cookie of the browser signing in), the
    ticket is redeemed only together with that secret.
    """
    now = clock.now()
    ticket = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            user_id=user_id,
            ticket_hash=_ticket_hash(ticket, browser_binding),
            ticket_expires_at=now + TICKET_LIFETIME,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=get_settings().session_max_seconds),
            client_address=client_address[:64],
            user_agent=user_agent[:300],
        )
    )
    session.commit()
    return ticket


def redeem_ticket(session: Session, *, ticket: str, browser_binding: str = "") -> str | None:
    """Trade a fresh one-time ticket for the cookie token; None if unknown, used, stale or bound
    to another browser (``browser_binding`` must be the one the ticket was made with)."""
    ticket_hash = _ticket_hash(ticket or "", browser_binding)
    row = session.exec(select(AuthSession).where(AuthSession.ticket_hash == ticket_hash)).first()
    now = clock.now()
    if row is None or row.revoked_at is not None:
        return None
    if row.ticket_expires_at is None:  # start_session sets the ticket and its expiry together
        raise ValueError(f"session {row.id} has a ticket without an expiry")
    if _utc(row.ticket_expires_at) < now:
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


def is_session_live(session: Session, *, token: str) -> bool:
    """Whether ``token`` is the cookie of a live session (read only: not counted as activity)."""
    return _live_session(session, token, clock.now()) is not None


ACTIVITY_WRITE_SECONDS = 15


def resolve_actor(
    session: Session, *, token: str, touch: bool = True, client_address: str = ""
) -> Actor | None:
    """The actor behind a cookie token, or None when the session is not live.

    ``touch`` counts this call as activity, which restarts the idle timer. Activity is written at
    most every ``ACTIVITY_WRITE_SECONDS``: a keystroke need not be a database write, and an idle
    logoff measured in minutes stays exact to within those seconds.
    """
    now = clock.now()
    live = _live_session(session, token, now)
    if live is None:
        return None
    row, user = live
    if touch and now - _utc(row.last_seen_at) >= timedelta(seconds=ACTIVITY_WRITE_SECONDS):
        row.last_seen_at = now
        session.add(row)
        session.commit()
    practice_ids = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user.id)
    ).all()
    return Actor(
        user_id=id_of(user),
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
        select(AuthSession).where(AuthSession.user_id == user_id, col(AuthSession.revoked_at).is_(None))
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
