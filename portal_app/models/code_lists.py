"""The codes a program manages for a plan, per line of business and year, as loaded versions.

A version is one loaded file (or the program's packaged list, loaded by the seed as version 1); it
applies to dates of service in its ``year`` from ``effective_from`` until a later version of the
same plan, program, line of business and year takes effect. ``line_of_business`` empty: every line
of business of the plan that has no list of its own.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import Program
from portal_app.models.base import ENUM_LENGTH, enum_field, timestamp_field


class CodeListVersion(SQLModel, table=True):
    __tablename__ = "code_list_versions"
    __table_args__ = (
        UniqueConstraint(
            "plan_id", "program", "line_of_business", "year", "version", name="uq_code_list_version"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id", index=True)
    program: Program = enum_field()
    line_of_business: str = Field(default="", max_length=ENUM_LENGTH)
    year: int
    version: int
    effective_from: date
    # SHA-256 of the file's normalised rows: the same file loaded again adds no version.
    content_hash: str = Field(max_length=64)
    code_count: int = 0
    file_name: str = Field(default="", max_length=200)
    loaded_by_id: int | None = Field(default=None, foreign_key="users.id")
    loaded_at: datetime = timestamp_field()


class CodeListEntry(SQLModel, table=True):
    __tablename__ = "code_list_entries"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_code_list_entry_code"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="code_list_versions.id", index=True)
    code: str = Field(max_length=20)
    code_system: str = Field(default="CPT", max_length=20)
    notification_only: bool = False
    description: str = Field(default="", max_length=300)
    source: str = Field(default="", max_length=1000)
