"""The append-only audit trail (45 CFR 164.312(b), audit controls)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import AuditOutcome
from portal_app.models.base import enum_field, timestamp_field


class AuditEvent(SQLModel, table=True):
    """Who did what to which record, when and from where."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_record", "record_type", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = timestamp_field(index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    action: str = Field(max_length=80, index=True)
    record_type: str = Field(default="", max_length=40)
    record_id: str = Field(default="", max_length=40)
    outcome: AuditOutcome = enum_field(AuditOutcome.SUCCESS)
    client_address: str = Field(default="", max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
