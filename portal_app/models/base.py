"""Column helpers shared by the table modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import DateTime, String
from sqlmodel import Field, Session, SQLModel

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


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Row) -> int:
    """The primary key of a row that is in the database (loaded, or added and flushed).

    Table models declare ``id: int | None`` because the key is None until the INSERT; code that
    holds a persisted row uses ``id_of(row)`` where it needs an ``int``, so the type checker
    sees an int and a row that was never flushed fails here instead of writing a NULL key.
    """
    if row.id is None:
        raise ValueError(f"this {type(row).__name__} has no id yet: add it and flush the session first")
    return row.id


_Model = TypeVar("_Model", bound=SQLModel)


def get_existing(session: Session, model: type[_Model], key: Any) -> _Model:
    """``session.get`` for a row that must exist: one a non-null foreign key points to, or one
    the caller has just checked or claimed. A missing row is a broken invariant: LookupError."""
    row = session.get(model, key)
    if row is None:
        raise LookupError(f"{model.__name__} {key!r} does not exist")
    return row


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def timestamp_field(*, nullable: bool = False, index: bool = False) -> Any:
    """A timezone-aware timestamp column; set to now on insert unless nullable."""
    if nullable:
        return Field(default=None, sa_type=DateTime(timezone=True), nullable=True, index=index)
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=index)


def enum_field(default: Any = ..., *, index: bool = False) -> Any:
    """A column holding one value of a domain ``StrEnum`` as plain text."""
    return Field(default=default, sa_type=String(ENUM_LENGTH), max_length=ENUM_LENGTH, index=index)
