"""Each member or provider file a plan sent, who loaded it, when, and what it changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import DataFileKind, DataLoadStatus
from portal_app.models.base import enum_field, timestamp_field


class DataLoad(SQLModel, table=True):
    """One load of a plan's eligibility or provider file (services/data_loads.py).

    A rejected load changed nothing; ``problems`` keeps the first problems found (where, field,
    problem), ``error_count`` counts them all. ``loaded_by_id`` is empty for the command line.
    """

    __tablename__ = "data_loads"
    __table_args__ = (Index("ix_data_loads_plan_started", "plan_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id")
    kind: DataFileKind = enum_field()
    file_name: str = Field(max_length=255)
    file_format: str = Field(max_length=10)
    status: DataLoadStatus = enum_field(DataLoadStatus.RUNNING, index=True)
    loaded_by_id: int | None = Field(default=None, foreign_key="users.id")
    source: str = Field(default="upload", max_length=20)  # upload or command line
    started_at: datetime = timestamp_field()
    finished_at: datetime | None = timestamp_field(nullable=True)
    records_read: int = Field(default=0)
    new_count: int = Field(default=0)
    changed_count: int = Field(default=0)
    ended_count: int = Field(default=0)
    unchanged_count: int = Field(default=0)
    error_count: int = Field(default=0)
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
