"""Signing in: password check, failure counting and lockout, all audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, func, select

from portal_app.domain.enums import AuditOutcome, Role, UserStatus
from portal_app.models import User
from portal_app.services import audit
from portal_app.services.passwords import hash_password, verify_password

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
# Deliberately vague: never reveal whether the account exists.
SIGN_IN_FAILED = "The email or password is not correct, or the account cannot sign in yet."
ACCOUNT_LOCKED = "Too many failed attempts. Try again in 15 minutes or contact support."

# Verifying against a dummy hash keeps the response time the same for unknown emails.
_DUMMY_HASH = hash_password("not-a-real-password-for-timing")


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    message: str = ""
    user_id: int | None = None
    role: Role | None = None
    full_name: str = ""


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)  # SQLite returns naive datetimes


def authenticate(
    session: Session, *, identifier: str, password: str, client_address: str = ""
) -> SignInResult:
    """Check an email (or username) and password; count failures and lock after five."""
    identifier = identifier.strip().lower()
    user = session.exec(
        select(User).where((func.lower(User.email) == identifier) | (func.lower(User.username) == identifier))
    ).first()
    now = datetime.now(UTC)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        audit.record(
            session, action="sign_in.failed", user_id=None, outcome=AuditOutcome.FAILURE,
            client_address=client_address, detail={"reason": "unknown account"},
        )
        session.commit()
        return SignInResult(ok=False, message=SIGN_IN_FAILED)
    locked_until = _as_utc(user.locked_until)
    if locked_until and locked_until > now:
        verify_password(_DUMMY_HASH, password)
        audit.record(
            session, action="sign_in.locked", user_id=user.id, outcome=AuditOutcome.DENIED,
            record_type="user", record_id=user.id, client_address=client_address,
        )
        session.commit()
        return SignInResult(ok=False, message=ACCOUNT_LOCKED)
    if not verify_password(user.password_hash, password):
        return _count_failure(session, user, now, client_address)
    if user.status != UserStatus.ACTIVE:
        audit.record(
            session, action="sign_in.failed", user_id=user.id, outcome=AuditOutcome.DENIED,
            record_type="user", record_id=user.id, client_address=client_address,
            detail={"reason": f"status {user.status}"},
        )
        session.commit()
        return SignInResult(ok=False, message=SIGN_IN_FAILED)
    user.failed_sign_ins = 0
    user.locked_until = None
    session.add(user)
    audit.record(
        session, action="sign_in.succeeded", user_id=user.id, record_type="user",
        record_id=user.id, client_address=client_address,
    )
    session.commit()
    return SignInResult(ok=True, user_id=user.id, role=Role(user.role), full_name=user.full_name)


def _count_failure(session: Session, user: User, now: datetime, client_address: str) -> SignInResult:
    user.failed_sign_ins += 1
    locked = user.failed_sign_ins >= MAX_FAILED_SIGN_INS
    if locked:
        user.locked_until = now + LOCKOUT
        user.failed_sign_ins = 0
    session.add(user)
    audit.record(
        session, action="sign_in.lockout" if locked else "sign_in.failed", user_id=user.id,
        outcome=AuditOutcome.FAILURE, record_type="user", record_id=user.id,
        client_address=client_address, detail={"reason": "wrong password"},
    )
    session.commit()
    return SignInResult(ok=False, message=ACCOUNT_LOCKED if locked else SIGN_IN_FAILED)
