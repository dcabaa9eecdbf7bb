"""Health plans, the programs they delegate, and their members."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import LineOfBusiness, Program, Sex
from portal_app.models.base import ENUM_LENGTH, enum_field, timestamp_field


class HealthPlan(SQLModel, table=True):
    __tablename__ = "health_plans"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True, index=True)
    name: str = Field(max_length=200)
    # Calendar days for a standard (non-urgent) decision; CMS-0057-F sets 7 from 2026.
    standard_review_days: int = Field(default=7)
    created_at: datetime = timestamp_field()


class PlanLineOfBusiness(SQLModel, table=True):
    """A line of business (commercial, Medicare Advantage, ...) a plan offers."""

    __tablename__ = "plan_lines_of_business"

    plan_id: int = Field(foreign_key="health_plans.id", primary_key=True)
    line_of_business: LineOfBusiness = Field(
        primary_key=True, sa_type=String(ENUM_LENGTH), max_length=ENUM_LENGTH
    )


class PlanProgram(SQLModel, table=True):
    """A program a plan has delegated, from a date (and until one, if it ended)."""

    __tablename__ = "plan_programs"
    __table_args__ = (UniqueConstraint("plan_id", "program", "delegated_from", name="uq_plan_program_from"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id", index=True)
    program: Program = enum_field()
    delegated_from: date
    delegated_until: date | None = None


class Member(SQLModel, table=True):
    """A health-plan member; the patient of an order."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("plan_id", "member_number", name="uq_member_plan_number"),
        Index("ix_members_name_dob", "last_name", "first_name", "date_of_birth"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id", index=True)
    member_number: str = Field(max_length=40, index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    date_of_birth: date
    sex: Sex = enum_field()
    line_of_business: LineOfBusiness = enum_field()
    address_line: str = Field(max_length=200)
    city: str = Field(max_length=100)
    state: str = Field(max_length=2)
    postal_code: str = Field(max_length=10)
    phone: str = Field(default="", max_length=32)
    eligibility_start: date
    eligibility_end: date | None = None
    created_at: datetime = timestamp_field()
