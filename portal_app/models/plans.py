"""Health plans, the programs they delegate, and their members."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, UniqueConstraint, func
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
    # The pend clock (domain/conversation.py): how long a case pended for information or a call waits
    # for the office, in business days for a standard request and hours from receipt for an urgent one.
    pend_business_days: int = Field(default=5)
    pend_urgent_hours: int = Field(default=72)
    created_at: datetime = timestamp_field()


class PlanLineOfBusiness(SQLModel, table=True):
    """A line of business (commercial, Medicare Advantage, ...) a plan offers."""

    __tablename__ = "plan_lines_of_business"

    plan_id: int = Field(foreign_key="health_plans.id", primary_key=True)
    line_of_business: LineOfBusiness = Field(
        primary_key=True, sa_type=String(ENUM_LENGTH), max_length=ENUM_LENGTH
    )


class PlanProgram(SQLModel, table=True):
    """A program a plan has delegated, from a date (and until one, if it ended).

    ``line_of_business`` empty: for every line of business of the plan; otherwise for that one only.
    ``validity_days``: how long an approval lasts under this delegation, when the plan sets it
    (programs whose validity follows a rule of their own, e.g. an inpatient stay, have none);
    empty means the program's usual length for the plan. A change of either from a date is a new
    row from that date, the earlier one ending the day before (services/plan_setup.py).
    """

    __tablename__ = "plan_programs"
    __table_args__ = (
        UniqueConstraint(
            "plan_id", "program", "line_of_business", "delegated_from", name="uq_plan_program_line_from"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id", index=True)
    program: Program = enum_field()
    line_of_business: str = Field(default="", max_length=ENUM_LENGTH)
    delegated_from: date
    delegated_until: date | None = None
    validity_days: int | None = None
    # The pend clock under this delegation (business days; hours for an urgent request); empty: the
    # plan's own setting (HealthPlan.pend_business_days / pend_urgent_hours).
    pend_business_days: int | None = None
    pend_urgent_hours: int | None = None


class PlanLetterContact(SQLModel, table=True):
    """Where the plan's letters send members and providers for appeals, from a date on."""

    __tablename__ = "plan_letter_contacts"
    __table_args__ = (UniqueConstraint("plan_id", "effective_from", name="uq_plan_letter_contact_from"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id", index=True)
    effective_from: date
    appeals_address: str = Field(max_length=300)
    phone: str = Field(max_length=32)
    fax: str = Field(default="", max_length=32)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = timestamp_field()


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


# The wizard's member look-up (services/order_entry.search_members) compares exactly this expression,
# so both SQLite and PostgreSQL answer it from the index instead of scanning the plan's members.
Index(
    "ix_members_plan_lower_last_name_dob",
    Member.plan_id,  # type: ignore[arg-type]
    func.lower(Member.last_name),
    Member.date_of_birth,  # type: ignore[arg-type]
)


class ProgramRouting(SQLModel, table=True):
    """Which program a plan's requests for a group of services land in, from a date (and until one).

    E.g. echocardiography: the imaging program by default, the cardiology program for a plan that
    delegates echo to cardiology (shared/seeds/001). ``service_group`` names a group of
    ``portal_app/reference/service_groups.csv``; ``source`` says where the plan's choice comes from.
    Read by ``services/program_routing.program_for``.
    """

    __tablename__ = "program_routings"
    # ``line_of_business`` is "" (never NULL) for the row of every line, so two all-lines rows of
    # the same plan, group and date collide on PostgreSQL as on SQLite.
    __table_args__ = (
        UniqueConstraint(
            "plan_id", "service_group", "line_of_business", "starts_on", name="uq_program_routing_from"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id", index=True)
    service_group: str = Field(max_length=40)
    # One line of business (a LineOfBusiness value), or "" for every line of the plan without a row
    # of its own: the member's line's row wins over the all-lines row.
    line_of_business: str = Field(default="", max_length=ENUM_LENGTH, sa_column_kwargs={"server_default": ""})
    program: Program = enum_field()
    starts_on: date
    ends_on: date | None = None
    source: str = Field(default="", max_length=500)
