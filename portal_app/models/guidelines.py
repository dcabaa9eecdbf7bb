"""Guideline versions loaded from files (services/guidelines.py): one row per program and version,
and its criteria, each with the published source it comes from. Version 1 of every program is the
criteria its package ships and is not stored."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import timestamp_field


class GuidelineVersionRow(SQLModel, table=True):
    """One version of a program's criteria, in force from `effective_from` until the next one."""

    __tablename__ = "guideline_versions"
    __table_args__ = (
        UniqueConstraint("program", "version", name="uq_guideline_version"),
        UniqueConstraint("program", "effective_from", name="uq_guideline_version_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40, index=True)
    version: int
    effective_from: date
    file_name: str = Field(default="", max_length=255)
    loaded_by_id: int | None = Field(default=None, foreign_key="users.id")
    loaded_at: datetime = timestamp_field()


class GuidelineCriterionRow(SQLModel, table=True):
    """One criterion of a loaded version, as the file gave it (`line`: where in the file)."""

    __tablename__ = "guideline_criteria"
    __table_args__ = (UniqueConstraint("version_id", "criterion_id", name="uq_guideline_criterion"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="guideline_versions.id", index=True)
    criterion_id: str = Field(max_length=40)
    codes: str = Field(default="", max_length=2000)  # space-separated; empty: every code
    text: str = Field(max_length=1000)
    citation: str = Field(max_length=300)
    source: str = Field(max_length=1000)
    line: str = Field(default="", max_length=20)
