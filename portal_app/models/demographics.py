"""Provider and site demographic change requests, fax-number confirmation and the fax outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import ChangeRequestStatus, FaxConfirmationStatus, OutboxFaxStatus
from portal_app.models.base import enum_field, timestamp_field


class DemographicChangeRequest(SQLModel, table=True):
    """A request to change a provider's or a site's NPI, tax ID, address, phone or fax.

    ``old_values``/``new_values`` hold the changed columns (the address is four columns), so the
    rows are the history. Approved requests with a future ``effective_date`` are applied on that day.
    """

    __tablename__ = "demographic_change_requests"
    __table_args__ = (CheckConstraint("(provider_id IS NULL) <> (facility_id IS NULL)", name="one_party"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int | None = Field(default=None, foreign_key="providers.id", index=True)
    facility_id: int | None = Field(default=None, foreign_key="facilities.id", index=True)
    field: str = Field(max_length=20)
    old_values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    new_values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    effective_date: date = Field(index=True)
    reason: str = Field(default="", max_length=1000)
    status: ChangeRequestStatus = enum_field(ChangeRequestStatus.PENDING, index=True)
    requested_by_id: int = Field(foreign_key="users.id", index=True)
    requested_at: datetime = timestamp_field()
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = timestamp_field(nullable=True)
    decision_note: str = Field(default="", max_length=1000)
    applied_at: datetime | None = timestamp_field(nullable=True)


class FaxNumber(SQLModel, table=True):
    """A fax number letters with PHI may go to once support has confirmed it.

    ``number`` holds digits only. The office receives a test page without PHI carrying a code
    (only its hash is kept), types the code back, and a support admin confirms.
    """

    __tablename__ = "fax_numbers"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True, index=True)
    status: FaxConfirmationStatus = enum_field(FaxConfirmationStatus.UNCONFIRMED, index=True)
    contact_name: str = Field(default="", max_length=200)
    practice_id: int | None = Field(default=None, foreign_key="practices.id")
    code_hash: str = Field(default="", max_length=128)
    code_sent_at: datetime | None = timestamp_field(nullable=True)
    code_attempts: int = Field(default=0)
    requested_by_id: int | None = Field(default=None, foreign_key="users.id")
    code_entered_at: datetime | None = timestamp_field(nullable=True)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = timestamp_field(nullable=True)
    decision_note: str = Field(default="", max_length=1000)
    created_at: datetime = timestamp_field()


class OutboxFax(SQLModel, table=True):
    """Every fax the portal sends; without a fax gateway this is where faxes stop.

    A fax carrying PHI to a number support has not confirmed is held, with the reason, and released
    when the number is confirmed.
    """

    __tablename__ = "outbox_faxes"

    id: int | None = Field(default=None, primary_key=True)
    to_number: str = Field(max_length=20, index=True)
    subject: str = Field(max_length=200)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    document_id: int | None = Field(default=None, foreign_key="documents.id")
    contains_phi: bool = Field(default=True)
    status: OutboxFaxStatus = enum_field(OutboxFaxStatus.HELD, index=True)
    held_reason: str = Field(default="", max_length=300)
    created_at: datetime = timestamp_field(index=True)
    released_at: datetime | None = timestamp_field(nullable=True)
