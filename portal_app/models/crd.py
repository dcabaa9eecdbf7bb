"""Coverage Requirements Discovery (Da Vinci CRD, a CDS Hooks service): the EHR organisations allowed
to call it, the JWT ids they used, every hook call with its answer (the audited store for disputes),
and the authorizations CRD answered "satisfied" with.

A CRD client is an EHR organisation identified by the ``iss`` of the JWTs it signs; its public keys
are fetched from the JWKS URL registered for it. It may act only for the NPIs registered with it. An
order it gets authorized belongs to the practice of the ordering NPI and is entered by the client's
own service user (role ordering provider staff, disabled: nobody signs in with it). Precert reads
from an EHR's FHIR server only when the call's ``fhirServer`` is one of the base URLs registered for
the client (``fhir_servers``); any other address is never fetched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import timestamp_field


class CrdClient(SQLModel, table=True):
    __tablename__ = "crd_clients"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=255, unique=True, index=True)  # the JWT "iss"
    name: str = Field(max_length=200)
    jwks_url: str = Field(max_length=1000)
    npis: list[str] = Field(default_factory=list, sa_type=JSON)  # who the client may act for
    fhir_servers: list[str] = Field(default_factory=list, sa_type=JSON)  # base URLs Precert may read
    user_id: int = Field(foreign_key="users.id", unique=True)
    active: bool = Field(default=True)
    created_at: datetime = timestamp_field()
    disabled_at: datetime | None = timestamp_field(nullable=True)


class CrdJti(SQLModel, table=True):
    """A hook JWT's ``jti``, kept until the JWT expires so that it cannot be replayed."""

    __tablename__ = "crd_jtis"
    __table_args__ = (UniqueConstraint("crd_client_id", "jti", name="uq_crd_jti"),)

    id: int | None = Field(default=None, primary_key=True)
    crd_client_id: int = Field(foreign_key="crd_clients.id", index=True)
    jti: str = Field(max_length=255)
    expires_at: datetime = timestamp_field(index=True)


class CrdHookCall(SQLModel, table=True):
    """One call to a CDS service and its answer, kept for disputes (holds PHI: read only through the
    audited services, never logged)."""

    __tablename__ = "crd_hook_calls"
    __table_args__ = (Index("ix_crd_hook_calls_client_created", "crd_client_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    crd_client_id: int | None = Field(default=None, foreign_key="crd_clients.id")
    service_id: str = Field(max_length=60)
    hook_instance: str = Field(default="", max_length=100)
    status_code: int
    refusal: str = Field(default="", max_length=300)
    request: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    response: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    order_numbers: list[str] = Field(default_factory=list, sa_type=JSON)
    elapsed_ms: int = Field(default=0)
    created_at: datetime = timestamp_field()


class CrdAuthorization(SQLModel, table=True):
    """An order CRD got authorized, by the EHR's order it answers (so a repeated call for the same
    order returns the same authorization instead of a second one)."""

    __tablename__ = "crd_authorizations"
    __table_args__ = (UniqueConstraint("crd_client_id", "order_key", name="uq_crd_authorization_order"),)

    id: int | None = Field(default=None, primary_key=True)
    crd_client_id: int = Field(foreign_key="crd_clients.id", index=True)
    order_key: str = Field(max_length=64)
    order_id: int = Field(foreign_key="orders.id", index=True)
    created_at: datetime = timestamp_field()
