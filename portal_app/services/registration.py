"""Registering a new account: details, password, tax IDs; e-mail confirmation; support approval."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, col, func, select

from portal_app import clock, routes
from portal_app.domain.enums import AuditOutcome, NoticeKind, Role, UserStatus
from portal_app.domain.identifiers import normalize_tax_id
from portal_app.domain.password_policy import password_problems
from portal_app.domain.signed_tokens import InvalidToken, read_token, sign_token
from portal_app.models import Practice, PracticeMembership, RegistrationTaxId, User
from portal_app.models.base import id_of
from portal_app.reference import common_passwords
from portal_app.services import audit, rate_limits
from portal_app.services.authz import Actor, require
from portal_app.services.mail import MailKind, send_mail
from portal_app.services.notices import notify_user
from portal_app.services.passwords import hash_password
from portal_app.settings import get_settings

CONFIRM_PURPOSE = "confirm_email"
REGISTRABLE_ROLES = (Role.ORDERING_PROVIDER_STAFF, Role.SERVICING_PROVIDER_STAFF, Role.FACILITY_STAFF)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[\d\s().+-]{7,20}$")
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,64}$")


class RegistrationError(ValueError):
    """The registration cannot be accepted; ``field_errors`` says why, per field."""

    def __init__(self, field_errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in field_errors.items()))
        self.field_errors = field_errors


def new_security_stamp() -> str:
    return secrets.token_hex(16)


# --- validation of each wizard step (the state calls these as the user types) ---


def user_details_errors(*, full_name: str, email: str, phone: str, fax: str, role: str) -> dict[str, str]:
    errors = {}
    if not full_name.strip():
        errors["full_name"] = "Enter your full name."
    if not _EMAIL.match(email.strip()):
        errors["email"] = "Enter an e-mail address like name@practice.org."
    if not _PHONE.match(phone.strip()):
        errors["phone"] = "Enter a phone number of 7 to 20 digits."
    if fax.strip() and not _PHONE.match(fax.strip()):
        errors["fax"] = "Enter a fax number of 7 to 20 digits, or leave it empty."
    if role not in {r.value for r in REGISTRABLE_ROLES}:
        errors["role"] = "Choose whether you order services, provide them or register an imaging facility."
    return errors


def credential_errors(*, username: str, password: str, password_again: str) -> dict[str, str]:
    errors = {}
    if not _USERNAME.match(username):
        errors["username"] = "Use 3 to 64 letters, digits, dots, dashes or underscores."
    problems = password_problems(password, username=username, common=common_passwords())
    if problems:
        errors["password"] = (
            "The password must meet every rule: " + "; ".join(p.lower() for p in problems) + "."
        )
    elif password != password_again:
        errors["password_again"] = "The two passwords differ."
    return errors


def tax_id_errors(tax_ids: list[str]) -> dict[str, str]:
    if not tax_ids:
        return {"tax_ids": "Add the tax ID of at least one practice."}
    bad = [t for t in tax_ids if normalize_tax_id(t) is None]
    if bad:
        return {"tax_ids": f"A tax ID has 9 digits, written 123456789 or 12-3456789: {', '.join(bad)}."}
    return {}


class Registration(BaseModel):
    """Everything the wizard collected; validated again here whatever the page did."""

    full_name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str = Field(max_length=32)
    fax: str = Field(default="", max_length=32)
    role: str
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    password_again: str = Field(max_length=256)
    tax_ids: list[str] = Field(max_length=20)

    @field_validator("email")
    @classmethod
    def _lower_email(cls, value: str) -> str:
        return value.strip().lower()

    def errors(self) -> dict[str, str]:
        return {
            **user_details_errors(
                full_name=self.full_name, email=self.email, phone=self.phone, fax=self.fax, role=self.role
            ),
            **credential_errors(
                username=self.username, password=self.password, password_again=self.password_again
            ),
            **tax_id_errors(self.tax_ids),
        }


@dataclass(frozen=True)
class RegistrationOutcome:
    user_id: int
    email: str
    unknown_tax_ids: tuple[str, ...]


def register(
    session: Session, *, registration: Registration, client_address: str = ""
) -> RegistrationOutcome:
    """Create a pending account and e-mail a one-time confirmation link.

    The answer is the same whether or not the e-mail or username is taken (no account
    enumeration): when one is, nothing is created and the address typed gets an e-mail saying
    so. Limited per client and per e-mail typed (``RateLimited``).
    """
    rate_limits.hit(
        session,
        limits={"registration_client": client_address, "registration_account": registration.email},
        action="registration",
        client_address=client_address,
    )
    errors = registration.errors()
    if errors:
        raise RegistrationError(errors)
    email_taken = session.exec(select(User.id).where(func.lower(User.email) == registration.email)).first()
    username_taken = session.exec(
        select(User.id).where(func.lower(User.username) == registration.username.lower())
    ).first()
    if email_taken is not None or username_taken is not None:
        return _already_registered(session, registration, client_address, email_taken=email_taken is not None)
    user = User(
        email=registration.email,
        username=registration.username,
        password_hash=hash_password(registration.password),
        full_name=registration.full_name.strip(),
        phone=registration.phone.strip(),
        fax=registration.fax.strip(),
        role=Role(registration.role),
        status=UserStatus.PENDING_EMAIL_CONFIRMATION,
        security_stamp=new_security_stamp(),
    )
    session.add(user)
    session.flush()
    unknown = _record_tax_ids(session, user_id=id_of(user), tax_ids=registration.tax_ids)
    _send_confirmation(session, user)
    audit.record(
        session,
        action="registration.submitted",
        user_id=user.id,
        record_type="user",
        record_id=id_of(user),
        client_address=client_address,
        detail={"unknown_tax_ids": list(unknown)},
    )
    session.commit()
    return RegistrationOutcome(user_id=id_of(user), email=user.email, unknown_tax_ids=unknown)


def _already_registered(
    session: Session, registration: Registration, client_address: str, *, email_taken: bool
) -> RegistrationOutcome:
    """Tell the owner of the address typed, by e-mail only, why nothing was created."""
    hash_password(registration.password)  # the same work as a new account, so the same delay
    if email_taken:
        body = (
            "Someone, perhaps you, tried to register a Precert account with this e-mail address, "
            "which already has one. One account serves every program: sign in, or use "
            f'"Forgot password" on {get_settings().public_url}{routes.FORGOT_PASSWORD}.\n\n'
            "If this was not you, you need not do anything.\n"
        )
    else:
        body = (
            "Your Precert registration was not completed: the username you chose is already in use. "
            f"Register again with another username at {get_settings().public_url}{routes.REGISTER}.\n"
        )
    send_mail(
        session,
        to=registration.email,
        subject="Your Precert registration",
        kind=MailKind.REGISTRATION_ATTEMPT,
        body=body,
    )
    audit.record(
        session,
        action="registration.duplicate",
        user_id=None,
        outcome=AuditOutcome.DENIED,
        client_address=client_address,
        detail={"taken": "email" if email_taken else "username"},
    )
    session.commit()
    return RegistrationOutcome(user_id=0, email=registration.email, unknown_tax_ids=())


def _record_tax_ids(session: Session, *, user_id: int, tax_ids: list[str]) -> tuple[str, ...]:
    unknown = []
    normalized = []
    for raw in tax_ids:
        tax_id = normalize_tax_id(raw)
        if tax_id is None:  # the registration form refuses these (tax_id_errors)
            raise ValueError(f"not a tax ID: {raw!r}")
        normalized.append(tax_id)
    for tax_id in dict.fromkeys(normalized):
        practice = session.exec(select(Practice).where(Practice.tax_id == tax_id)).first()
        session.add(
            RegistrationTaxId(user_id=user_id, tax_id=tax_id, practice_id=practice.id if practice else None)
        )
        if practice is None:
            unknown.append(tax_id)
    return tuple(unknown)


def _send_confirmation(session: Session, user: User) -> None:
    settings = get_settings()
    token = sign_token(
        purpose=CONFIRM_PURPOSE, user_id=id_of(user), stamp=user.security_stamp, secret=settings.secret_key
    )
    link = f"{settings.public_url}{routes.CONFIRM_EMAIL}?token={token}"
    send_mail(
        session,
        to=user.email,
        subject="Confirm your e-mail address for Precert",
        kind=MailKind.EMAIL_CONFIRMATION,
        body=(
            f"Hello {user.full_name},\n\n"
            "Thank you for registering with Precert. Open this link within 24 hours to confirm "
            f"your e-mail address:\n\n{link}\n\n"
            "After that, our support team checks your registration and lets you know when you can "
            "sign in. If you did not register, ignore this message.\n"
        ),
    )


def confirm_email(session: Session, *, token: str, client_address: str = "") -> str:
    """Confirm the address behind a link; the account then waits for support. Returns a message."""
    try:
        claims = read_token(token, purpose=CONFIRM_PURPOSE, secret=get_settings().secret_key)
    except InvalidToken as error:
        raise RegistrationError({"token": f"{error} Register again, or ask support for help."}) from error
    user = session.get(User, claims.user_id)
    if (
        user is None
        or user.security_stamp != claims.stamp
        or user.status != UserStatus.PENDING_EMAIL_CONFIRMATION
    ):
        raise RegistrationError({"token": "This link has already been used or is no longer valid."})
    user.status = UserStatus.PENDING_SUPPORT_APPROVAL
    user.email_confirmed_at = clock.now()
    user.security_stamp = new_security_stamp()
    user.updated_at = clock.now()
    session.add(user)
    audit.record(
        session,
        action="registration.email_confirmed",
        user_id=user.id,
        record_type="user",
        record_id=id_of(user),
        client_address=client_address,
    )
    session.commit()
    return "Your e-mail address is confirmed. Our support team will review your registration."


# --- support admin ---


@dataclass(frozen=True)
class PendingRegistration:
    user_id: int
    full_name: str
    email: str
    username: str
    phone: str
    fax: str
    role_label: str
    registered_on: str
    tax_ids: str
    unknown_tax_ids: str


def list_pending(session: Session, *, actor: Actor) -> list[PendingRegistration]:
    """Registrations whose e-mail is confirmed and that wait for support, oldest first."""
    require(session, actor, "admin.registrations")
    users = session.exec(
        select(User).where(User.status == UserStatus.PENDING_SUPPORT_APPROVAL).order_by(col(User.created_at))
    ).all()
    pending = []
    for user in users:
        rows = session.exec(select(RegistrationTaxId).where(RegistrationTaxId.user_id == user.id)).all()
        pending.append(
            PendingRegistration(
                user_id=id_of(user),
                full_name=user.full_name,
                email=user.email,
                username=user.username,
                phone=user.phone,
                fax=user.fax,
                role_label=Role(user.role).label,
                registered_on=user.created_at.strftime("%Y-%m-%d"),
                tax_ids=", ".join(r.tax_id for r in rows),
                unknown_tax_ids=", ".join(r.tax_id for r in rows if not r.is_known),
            )
        )
    return pending


def _pending_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.status != UserStatus.PENDING_SUPPORT_APPROVAL:
        raise RegistrationError({"user": "This registration is not waiting for approval."})
    return user


def approve(session: Session, *, actor: Actor, user_id: int) -> int:
    """Activate the account and link it to the known practices of its tax IDs; returns how many."""
    require(session, actor, "admin.registrations", record=f"user:{user_id}")
    user = _pending_user(session, user_id)
    rows = session.exec(select(RegistrationTaxId).where(RegistrationTaxId.user_id == user.id)).all()
    linked = 0
    for row in rows:
        practice = session.exec(select(Practice).where(Practice.tax_id == row.tax_id)).first()
        if practice is None:
            continue
        row.practice_id = practice.id
        session.add(row)
        session.add(PracticeMembership(user_id=id_of(user), practice_id=id_of(practice)))
        linked += 1
    user.status = UserStatus.ACTIVE
    user.approved_at = clock.now()
    user.approved_by_id = actor.user_id
    user.updated_at = clock.now()
    session.add(user)
    audit.record(
        session,
        action="registration.approved",
        user_id=actor.user_id,
        record_type="user",
        record_id=id_of(user),
        client_address=actor.client_address,
        detail={"practices_linked": linked},
    )
    send_mail(
        session,
        to=user.email,
        subject="Your Precert account is ready",
        kind=MailKind.ACCOUNT_APPROVED,
        body=f"Hello {user.full_name},\n\nYour registration was approved. You can now sign in at "
        f"{get_settings().public_url}{routes.SIGN_IN}.\n",
    )
    # In the portal too; the e-mail above already tells them, whatever their preference.
    notify_user(session, user=user, kind=NoticeKind.REGISTRATION_APPROVED, mail=False)
    session.commit()
    return linked


def reject(session: Session, *, actor: Actor, user_id: int, reason: str) -> None:
    """Refuse a registration with a reason, which the registrant is told."""
    require(session, actor, "admin.registrations", record=f"user:{user_id}")
    reason = reason.strip()
    if not reason:
        raise RegistrationError({"reason": "Give the reason for rejecting the registration."})
    user = _pending_user(session, user_id)
    user.status = UserStatus.DISABLED
    user.rejection_reason = reason[:1000]
    user.updated_at = clock.now()
    session.add(user)
    audit.record(
        session,
        action="registration.rejected",
        user_id=actor.user_id,
        record_type="user",
        record_id=id_of(user),
        client_address=actor.client_address,
        outcome=AuditOutcome.SUCCESS,
        detail={"reason": reason[:200]},
    )
    send_mail(
        session,
        to=user.email,
        subject="Your Precert registration",
        kind=MailKind.REGISTRATION_DECISION,
        body=f"Hello {user.full_name},\n\nWe could not approve your registration: {reason}\n\n"
        "Contact Precert support if you have questions.\n",
    )
    session.commit()
