"""PAP device data: the device clouds allowed to send it, each imported file, and its nights.

A file is attached to a member only when its member ID, name and date of birth all match that
member (portal_app.domain.pap_compliance.match_member); otherwise it is held for support with the
reasons and attached to nobody (``member_id`` stays empty).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import enum_field, timestamp_field


class ImportStatus(StrEnum):
    ATTACHED = "attached"  # matched: the nights belong to ``member_id``
    HELD = "held"  # did not match: waiting for support, attached to nobody
    DISMISSED = "dismissed"  # support closed a held file (e.g. the supplier sent a corrected one)


class ImportSource(StrEnum):
    UPLOAD = "upload"  # an ordering office on the upload page
    API = "api"  # a device cloud on POST /api/device-data


class DeviceVendor(SQLModel, table=True):
    """A manufacturer's device cloud with its API key (only the key's SHA-256 is kept)."""

    __tablename__ = "device_vendors"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    key_prefix: str = Field(default="", max_length=12)  # the first characters, to tell keys apart
    active: bool = Field(default=True)
    created_at: datetime = timestamp_field()
    disabled_at: datetime | None = timestamp_field(nullable=True)


class DeviceDataImport(SQLModel, table=True):
    """One device file as received, and where it went."""

    __tablename__ = "device_data_imports"
    __table_args__ = (
        Index("ix_device_data_imports_member_status", "member_id", "status"),
        Index("ix_device_data_imports_status_received", "status", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: ImportStatus = enum_field()
    source: ImportSource = enum_field()
    member_id: int | None = Field(default=None, foreign_key="members.id")
    vendor_id: int | None = Field(default=None, foreign_key="device_vendors.id")
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id")
    practice_id: int | None = Field(default=None, foreign_key="practices.id")
    # The member ID the office typed on the upload page (empty for the API).
    claimed_member_number: str = Field(default="", max_length=40)
    # Who the file says the patient is.
    file_member_number: str = Field(max_length=40)
    file_member_name: str = Field(max_length=200)
    file_birth_date: date
    filename: str = Field(default="", max_length=255)
    source_format: str = Field(max_length=10)  # csv, json
    sha256: str = Field(max_length=64, index=True)
    size_bytes: int
    device_serial: str = Field(default="", max_length=100)
    device_model: str = Field(default="", max_length=100)
    night_count: int
    first_night: date
    last_night: date
    hold_reason: str = Field(default="", max_length=1000)
    received_at: datetime = timestamp_field()
    resolved_by_id: int | None = Field(default=None, foreign_key="users.id")
    resolved_at: datetime | None = timestamp_field(nullable=True)
    resolution_note: str = Field(default="", max_length=1000)


class DeviceNight(SQLModel, table=True):
    """One night of a device file (a therapy day, keyed by the date it starts)."""

    __tablename__ = "device_nights"
    __table_args__ = (UniqueConstraint("import_id", "night", name="uq_device_nights_import_night"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="device_data_imports.id", index=True)
    night: date
    usage_minutes: int
    ahi: float | None = None
    leak: float | None = None
