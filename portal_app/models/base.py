"""Column helpers shared by the table modules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlmodel import Field, SQLModel

from portal_app import clock

ENUM_LENGTH = 40

# Named constraints let Alembic's batch mode alter SQLite tables and drop
# constraints by name on PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return clock.now()


def timestamp_field(*, nullable: bool = False, index: bool = False) -> Any:
    """A timezone-aware timestamp column; set to now on insert unless nullable."""
    if nullable:
        return Field(default=None, sa_type=DateTime(timezone=True), nullable=True, index=index)
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=index)


def enum_field(default: Any = ..., *, index: bool = False) -> Any:
    """A column holding one value of a domain ``StrEnum`` as plain text."""
    return Field(default=default, sa_type=String(ENUM_LENGTH), max_length=ENUM_LENGTH, index=index)
