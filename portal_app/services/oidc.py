"""Single sign-on through an OpenID Connect provider, matched to accounts by e-mail.

The provider only proves who someone is. The portal still decides who may sign
in: the person must already have an approved (active) account whose e-mail is
the address the provider vouches for. SSO never creates or approves accounts.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from portal_app.domain.enums import AuditOutcome, UserStatus
from portal_app.models import User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.accounts import is_temporarily_locked
from portal_app.services.sessions import start_session

SUCCEEDED = "sign_in.oidc_succeeded"
FAILED = "sign_in.oidc_failed"


def sign_in_with_oidc(
    session: Session,
    *,
    email: str,
    email_verified: bool,
    client_address: str = "",
    user_agent: str = "",
) -> str | None:
    """Open a session for the active account whose e-mail the provider verified.

    Args:
        session: The database session; this function commits it.
        email: The ``email`` claim of the validated ID token.
        email_verified: The ``email_verified`` claim; an unverified address is refused.
        client_address: The browser's address, for the audit trail and the session.
        user_agent: The browser's User-Agent header, kept with the session.

    Returns:
        The one-time ticket to redeem at ``/auth/finish`` (or directly), or None
        when this provider identity may not sign in. Both outcomes are audited.
    """
    user = _find_user(session, email)
    problem = _refusal(user, email_verified)
    if problem is not None:
        _record_failure(session, user, problem, client_address)
        return None
    assert user is not None  # _refusal refuses an unknown address
    audit.record(
        session,
        action=SUCCEEDED,
        user_id=id_of(user),
        record_type="user",
        record_id=id_of(user),
        client_address=client_address,
    )
    return start_session(session, user_id=id_of(user), client_address=client_address, user_agent=user_agent)


def record_oidc_failure(session: Session, *, reason: str, client_address: str = "") -> None:
    """Audit a single sign-on that failed before any account was matched.

    Args:
        session: The database session; this function commits it.
        reason: Why, in a few words (e.g. ``state mismatch``); never a token or code.
        client_address: The browser's address.
    """
    audit.record(
        session,
        action=FAILED,
        user_id=None,
        outcome=AuditOutcome.FAILURE,
        client_address=client_address,
        detail={"reason": reason[:200]},
    )
    session.commit()


def _find_user(session: Session, email: str) -> User | None:
    address = (email or "").strip().lower()
    if not address:
        return None
    return session.exec(select(User).where(func.lower(User.email) == address)).first()


def _refusal(user: User | None, email_verified: bool) -> str | None:
    """The reason this sign-in is refused, or None when it may go ahead."""
    if email_verified is not True:
        return "email not verified"
    if user is None:
        return "unknown account"
    if user.status != UserStatus.ACTIVE:
        return f"status {user.status}"
    if is_temporarily_locked(user):
        return "locked after failed sign-ins"
    return None


def _record_failure(session: Session, user: User | None, reason: str, client_address: str) -> None:
    audit.record(
        session,
        action=FAILED,
        user_id=user.id if user else None,
        outcome=AuditOutcome.FAILURE if user is None else AuditOutcome.DENIED,
        record_type="user" if user else "",
        record_id=id_of(user) if user else "",
        client_address=client_address,
        detail={"reason": reason},
    )
    session.commit()
