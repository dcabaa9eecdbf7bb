"""The prior-authorization API (Da Vinci PAS): registered clients, their tokens, the Claims they
submitted and the subscriptions that are told about decisions.

An API client is an EHR or intermediary system bound to one organization (a practice). It acts
through a service user of its own (role: ordering provider staff, never able to sign in), so every
order it enters goes through the same services, permissions and audit trail as the portal's.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import enum_field, timestamp_field


class SubmissionKind(StrEnum):
    """What a `$submit` was: a new request, or an update of an earlier one (related.claim)."""

    INITIAL = "initial"
    UPDATE = "update"


class SubscriptionStatus(StrEnum):
    """FHIR Subscription.status values this server uses."""

    ACTIVE = "active"
    OFF = "off"
    ERROR = "error"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class ApiClient(SQLModel, table=True):
    """A system allowed to call the API with signed JWT assertions (SMART Backend Services)."""

    __tablename__ = "api_clients"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    # The organization the client submits for; it sees only that organization's requests.
    practice_id: int = Field(foreign_key="practices.id", index=True)
    # The service user the client acts as (its Actor); disabled, so nobody can sign in with it.
    user_id: int = Field(foreign_key="users.id", unique=True)
    # The client's public keys (a JWKS); only public parts are stored.
    jwks: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    scopes: str = Field(default="", max_length=300)  # scopes the client may be granted
    # Where subscription notifications may go (URL prefixes vetted when the client is registered).
    notify_url_prefixes: list[str] = Field(default_factory=list, sa_type=JSON)
    # NPIs the organization answers for besides its providers' (e.g. a facility), for $inquire.
    extra_npis: list[str] = Field(default_factory=list, sa_type=JSON)
    active: bool = Field(default=True)
    created_at: datetime = timestamp_field()
    disabled_at: datetime | None = timestamp_field(nullable=True)


class ApiAccessToken(SQLModel, table=True):
    """A short-lived bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_access_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    api_client_id: int = Field(foreign_key="api_clients.id", index=True)
    scope: str = Field(default="", max_length=300)
    issued_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field(index=True)


class ApiAssertionJti(SQLModel, table=True):
    """A client assertion's `jti`, kept until the assertion expires so it cannot be replayed."""

    __tablename__ = "api_assertion_jtis"
    __table_args__ = (UniqueConstraint("api_client_id", "jti", name="uq_api_assertion_jti"),)

    id: int | None = Field(default=None, primary_key=True)
    api_client_id: int = Field(foreign_key="api_clients.id", index=True)
    jti: str = Field(max_length=255)
    expires_at: datetime = timestamp_field(index=True)


class PasSubmission(SQLModel, table=True):
    """One `$submit`: the Claim's business identifier, the order it created or updated, and the
    request (attachments replaced by their hashes) kept for audit and for echoing resources."""

    __tablename__ = "pas_submissions"
    __table_args__ = (
        # A Claim identifier is used once per organization: a repeat returns the first answer.
        UniqueConstraint(
            "practice_id", "identifier_system", "identifier_value", name="uq_pas_submission_identifier"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    api_client_id: int = Field(foreign_key="api_clients.id", index=True)
    practice_id: int = Field(foreign_key="practices.id")
    identifier_system: str = Field(default="", max_length=255)
    identifier_value: str = Field(max_length=100)
    kind: SubmissionKind = enum_field(SubmissionKind.INITIAL)
    # Empty while the submission is being processed (it reserves the identifier first).
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    related_submission_id: int | None = Field(default=None, foreign_key="pas_submissions.id")
    request_hash: str = Field(max_length=64)
    claim_full_url: str = Field(default="", max_length=300)
    request_bundle: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Claim.item.sequence -> order line number, and the item trace numbers to echo.
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = timestamp_field()
    completed_at: datetime | None = timestamp_field(nullable=True)


class PasSubscription(SQLModel, table=True):
    """An R4 (backport) rest-hook subscription to the PAS topic, owned by one client."""

    __tablename__ = "pas_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    api_client_id: int = Field(foreign_key="api_clients.id", index=True)
    status: SubscriptionStatus = enum_field(SubscriptionStatus.ACTIVE)
    endpoint: str = Field(max_length=1000)
    headers: list[str] = Field(default_factory=list, sa_type=JSON)
    content: str = Field(default="full-resource", max_length=20)
    filter_criteria: str = Field(default="", max_length=500)
    reason: str = Field(default="", max_length=500)
    events_sent: int = Field(default=0)  # events since the subscription started
    created_at: datetime = timestamp_field()
    ended_at: datetime | None = timestamp_field(nullable=True)


class PasNotification(SQLModel, table=True):
    """An event waiting to be posted to a subscriber (transactional outbox), retried with backoff."""

    __tablename__ = "pas_notifications"
    __table_args__ = (Index("ix_pas_notifications_status_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="pas_subscriptions.id", index=True)
    order_id: int = Field(foreign_key="orders.id")
    event_number: int
    status: NotificationStatus = enum_field(NotificationStatus.PENDING)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = timestamp_field()
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field()
    delivered_at: datetime | None = timestamp_field(nullable=True)
