"""Users, practices (identified by tax ID) and who belongs to which practice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import Role, UserStatus
from portal_app.models.base import enum_field, timestamp_field


class User(SQLModel, table=True):
    """A person who signs in: provider office staff, reviewers, support."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    full_name: str = Field(max_length=200)
    phone: str = Field(default="", max_length=32)
    fax: str = Field(default="", max_length=32)
    role: Role = enum_field(index=True)
    status: UserStatus = enum_field(UserStatus.PENDING_EMAIL_CONFIRMATION, index=True)
    failed_sign_ins: int = Field(default=0)
    locked_until: datetime | None = timestamp_field(nullable=True)
    email_confirmed_at: datetime | None = timestamp_field(nullable=True)
    approved_at: datetime | None = timestamp_field(nullable=True)
    approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    rejection_reason: str = Field(default="", max_length=1000)
    # Changes whenever the password changes or an e-mailed link is used, which
    # makes every earlier link one-time.
    security_stamp: str = Field(default="", max_length=64)
    password_changed_at: datetime | None = timestamp_field(nullable=True)
    # When the user is e-mailed about notifications (EmailPreference value).
    email_preference: str = Field(default="immediately", max_length=20)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()

    def model_dump(self, **kwargs):
        """Serialise the user, never including the password hash."""
        exclude = set(kwargs.pop("exclude", None) or ()) | {"password_hash"}
        return super().model_dump(exclude=exclude, **kwargs)


class Practice(SQLModel, table=True):
    """A provider practice, known by its federal tax ID (TIN)."""

    __tablename__ = "practices"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    tax_id: str = Field(max_length=10, unique=True, index=True)
    # When true, staff of the practice see each other's orders, not only their own.
    share_orders: bool = Field(default=False)
    created_at: datetime = timestamp_field()


class PracticeMembership(SQLModel, table=True):
    """A user entering or checking orders on behalf of a practice."""

    __tablename__ = "practice_memberships"
    __table_args__ = (UniqueConstraint("user_id", "practice_id", name="uq_membership_user_practice"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    practice_id: int = Field(foreign_key="practices.id", index=True)
    created_at: datetime = timestamp_field()


class RegistrationTaxId(SQLModel, table=True):
    """A tax ID a registrant said they enter orders for; unknown ones are flagged for support."""

    __tablename__ = "registration_tax_ids"
    __table_args__ = (UniqueConstraint("user_id", "tax_id", name="uq_registration_user_tax_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    tax_id: str = Field(max_length=10)
    practice_id: int | None = Field(default=None, foreign_key="practices.id")
    created_at: datetime = timestamp_field()

    @property
    def is_known(self) -> bool:
        return self.practice_id is not None


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    # Set when the ticket is redeemed: the cookie token is made then (rotation at sign-in).
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    # One-time ticket that lets the browser exchange the sign-in for the cookie.
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_expires_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
    last_seen_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field()
    revoked_at: datetime | None = timestamp_field(nullable=True)
    revoked_reason: str = Field(default="", max_length=80)
    client_address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class OutboxEmail(SQLModel, table=True):
    """Every e-mail the portal sends, committed with the change it tells of (a transactional outbox);
    the delivery task (services/mail.py) sends it after the commit. Without SMTP_URL mail stops here."""

    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_due", "sent_at", "failed_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=200)
    # What the message is about (MailKind): the outbox page shows this, never the body.
    kind: str = Field(default="notice", max_length=40)
    # Kept only while no SMTP server has accepted the message (the dev outbox); then emptied.
    body: str = Field(max_length=20000)
    created_at: datetime = timestamp_field(index=True)
    sent_at: datetime | None = timestamp_field(nullable=True)
    # Delivery: tries so far, when the next may run (also the lease of the worker sending it), the
    # last SMTP error, and when the task gave up.
    attempts: int = Field(default=0)
    next_attempt_at: datetime = timestamp_field()
    last_error: str = Field(default="", max_length=500)
    failed_at: datetime | None = timestamp_field(nullable=True)
