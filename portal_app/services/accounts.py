"""Signing in (password check, failure counting, lockout) and password reset and change, all audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, func, select

from portal_app import clock, routes
from portal_app.domain.enums import AuditOutcome, Role, UserStatus
from portal_app.domain.password_policy import password_problems
from portal_app.domain.signed_tokens import InvalidToken, read_token, sign_token
from portal_app.models import User
from portal_app.models.base import id_of
from portal_app.reference import common_passwords
from portal_app.services import audit, rate_limits
from portal_app.services.authz import Actor
from portal_app.services.mail import MailKind, send_mail
from portal_app.services.passwords import hash_password, verify_password
from portal_app.services.registration import new_security_stamp
from portal_app.services.sessions import end_all_sessions, start_session
from portal_app.settings import get_settings

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


def is_temporarily_locked(user: User, now: datetime | None = None) -> bool:
    """True while a lockout after repeated failed sign-ins lasts."""
    locked_until = _as_utc(user.locked_until)
    return locked_until is not None and locked_until > (now or clock.now())


def authenticate(
    session: Session, *, identifier: str, password: str, client_address: str = ""
) -> SignInResult:
    """Check an email (or username) and password; count failures and lock after five.

    Unknown accounts get the same answers as existing ones, lockout included: failures are also
    counted per typed e-mail or username (rate limit ``sign_in_account``), whether or not an
    account has it, and the client's attempts are limited too (``sign_in_client``).
    """
    identifier = identifier.strip().lower()
    try:
        rate_limits.hit(
            session,
            limits={"sign_in_client": client_address},
            action="sign_in",
            client_address=client_address,
        )
    except rate_limits.RateLimited as refused:
        verify_password(_DUMMY_HASH, password)
        return SignInResult(ok=False, message=refused.message)
    user = session.exec(
        select(User).where((func.lower(User.email) == identifier) | (func.lower(User.username) == identifier))
    ).first()
    now = clock.now()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return _unknown_account(session, identifier, client_address)
    if is_temporarily_locked(user, now):
        verify_password(_DUMMY_HASH, password)
        return _locked(session, id_of(user), client_address)
    if not verify_password(user.password_hash, password):
        return _count_failure(session, user, now, client_address)
    if user.status != UserStatus.ACTIVE:
        audit.record(
            session,
            action="sign_in.failed",
            user_id=user.id,
            outcome=AuditOutcome.DENIED,
            record_type="user",
            record_id=id_of(user),
            client_address=client_address,
            detail={"reason": f"status {user.status}"},
        )
        session.commit()
        return SignInResult(ok=False, message=SIGN_IN_FAILED)
    user.failed_sign_ins = 0
    user.locked_until = None
    session.add(user)
    audit.record(
        session,
        action="sign_in.succeeded",
        user_id=user.id,
        record_type="user",
        record_id=id_of(user),
        client_address=client_address,
    )
    session.commit()
    return SignInResult(ok=True, user_id=user.id, role=Role(user.role), full_name=user.full_name)


def sign_in(
    session: Session,
    *,
    identifier: str,
    password: str,
    client_address: str = "",
    user_agent: str = "",
    browser_binding: str = "",
) -> tuple[SignInResult, str | None]:
    """The sign-in form: ``authenticate``, then on success a session's one-time ticket (else None).

    ``browser_binding`` is the secret of the sign-in cookie of the browser signing in: the ticket is
    redeemed only together with it (``sessions.start_session``).
    """
    result = authenticate(session, identifier=identifier, password=password, client_address=client_address)
    if not result.ok or result.user_id is None:
        return result, None
    ticket = start_session(
        session,
        user_id=result.user_id,
        client_address=client_address,
        user_agent=user_agent,
        browser_binding=browser_binding,
    )
    return result, ticket


def _locked(session: Session, user_id: int | None, client_address: str) -> SignInResult:
    audit.record(
        session,
        action="sign_in.locked",
        user_id=user_id,
        outcome=AuditOutcome.DENIED,
        record_type="user" if user_id else "",
        record_id=user_id or "",
        client_address=client_address,
    )
    session.commit()
    return SignInResult(ok=False, message=ACCOUNT_LOCKED)


def _unknown_account(session: Session, identifier: str, client_address: str) -> SignInResult:
    """Answer as for an account: failures are counted per identifier typed, and the fifth locks
    it for as long as an account's lockout lasts (rate limits sign_in_account, sign_in_lockout)."""
    if rate_limits.spent(session, name="sign_in_lockout", value=identifier) is not None:
        return _locked(session, None, client_address)
    rate_limits.count(session, name="sign_in_account", value=identifier)
    locked = rate_limits.spent(session, name="sign_in_account", value=identifier) is not None
    if locked:
        rate_limits.clear(session, name="sign_in_account", value=identifier)
        rate_limits.count(session, name="sign_in_lockout", value=identifier)
    audit.record(
        session,
        action="sign_in.lockout" if locked else "sign_in.failed",
        user_id=None,
        outcome=AuditOutcome.FAILURE,
        client_address=client_address,
        detail={"reason": "unknown account"},
    )
    session.commit()
    return SignInResult(ok=False, message=ACCOUNT_LOCKED if locked else SIGN_IN_FAILED)


def _count_failure(session: Session, user: User, now: datetime, client_address: str) -> SignInResult:
    user.failed_sign_ins += 1
    locked = user.failed_sign_ins >= MAX_FAILED_SIGN_INS
    if locked:
        user.locked_until = now + LOCKOUT
        user.failed_sign_ins = 0
    session.add(user)
    audit.record(
        session,
        action="sign_in.lockout" if locked else "sign_in.failed",
        user_id=user.id,
        outcome=AuditOutcome.FAILURE,
        record_type="user",
        record_id=id_of(user),
        client_address=client_address,
        detail={"reason": "wrong password"},
    )
    session.commit()
    return SignInResult(ok=False, message=ACCOUNT_LOCKED if locked else SIGN_IN_FAILED)


# --- password reset and change ---

RESET_PURPOSE = "reset_password"


def request_password_reset(session: Session, *, email: str, client_address: str = "") -> None:
    """E-mail a one-time reset link when an active account has this address; silent otherwise.

    Limited per client and per typed address (whether or not an account has it): raises
    ``RateLimited``, the same for every address.
    """
    rate_limits.hit(
        session,
        limits={"password_reset_client": client_address, "password_reset_account": email.strip().lower()},
        action="password_reset",
        client_address=client_address,
    )
    user = session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()
    audit.record(
        session,
        action="password_reset.requested",
        user_id=user.id if user else None,
        client_address=client_address,
        detail={} if user else {"reason": "unknown e-mail"},
    )
    if user is not None and user.status in (UserStatus.ACTIVE, UserStatus.LOCKED):
        send_reset_mail(session, user)
    session.commit()


def send_reset_mail(session: Session, user: User) -> None:
    """Queue the e-mail with a one-time link to choose a new password (the caller commits)."""
    settings = get_settings()
    token = sign_token(
        purpose=RESET_PURPOSE, user_id=id_of(user), stamp=user.security_stamp, secret=settings.secret_key
    )
    send_mail(
        session,
        to=user.email,
        subject="Reset your Precert password",
        kind=MailKind.PASSWORD_RESET,
        body=f"Hello {user.full_name},\n\nOpen this link within 24 hours to choose a new password:\n\n"
        f"{settings.public_url}{routes.RESET_PASSWORD}?token={token}\n\n"
        "If you did not ask for this, ignore this message; your password stays as it is.\n",
    )


class PasswordChangeError(ValueError):
    """The new password was refused; the message says why."""


def _set_password(session: Session, user: User, new_password: str, new_password_again: str) -> None:

    problems = password_problems(new_password, username=user.username, common=common_passwords())
    if problems:
        raise PasswordChangeError(
            "The password must meet every rule: " + "; ".join(p.lower() for p in problems) + "."
        )
    if new_password != new_password_again:
        raise PasswordChangeError("The two passwords differ.")
    now = clock.now()
    user.password_hash = hash_password(new_password)
    user.security_stamp = new_security_stamp()
    user.password_changed_at = now
    user.failed_sign_ins = 0
    user.locked_until = None
    user.updated_at = now
    session.add(user)
    # Signing out everywhere: a changed password ends every open session.
    end_all_sessions(session, user_id=id_of(user), reason="password_changed")


def reset_password(
    session: Session, *, token: str, new_password: str, new_password_again: str, client_address: str = ""
) -> None:
    """Set a new password from an e-mailed link (one-time: the stamp changes)."""

    try:
        claims = read_token(token, purpose=RESET_PURPOSE, secret=get_settings().secret_key)
    except InvalidToken as error:
        raise PasswordChangeError(f"{error} Ask for a new link.") from error
    user = session.get(User, claims.user_id)
    if user is None or user.security_stamp != claims.stamp:
        raise PasswordChangeError("This link has already been used. Ask for a new link.")
    _set_password(session, user, new_password, new_password_again)
    audit.record(
        session,
        action="password_reset.completed",
        user_id=user.id,
        record_type="user",
        record_id=id_of(user),
        client_address=client_address,
    )
    session.commit()


def change_password(
    session: Session, *, actor: Actor, current_password: str, new_password: str, new_password_again: str
) -> None:
    """A signed-in user changes their password; every session of theirs ends."""
    user = session.get(User, actor.user_id)
    if user is None or not verify_password(user.password_hash, current_password):
        audit.record(
            session,
            action="password_change.failed",
            user_id=actor.user_id,
            outcome=AuditOutcome.FAILURE,
            client_address=actor.client_address,
        )
        session.commit()
        raise PasswordChangeError("The current password is not correct.")
    _set_password(session, user, new_password, new_password_again)
    audit.record(
        session,
        action="password_change.completed",
        user_id=user.id,
        record_type="user",
        record_id=id_of(user),
        client_address=actor.client_address,
    )
    session.commit()
