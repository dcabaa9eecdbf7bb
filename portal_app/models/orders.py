"""Orders (prior-authorization requests), their lines and diagnoses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import LineDecision, OrderStatus, Program, Urgency
from portal_app.models.base import enum_field, timestamp_field

_order_version = Column("version", Integer, nullable=False, default=1)


class Order(SQLModel, table=True):
    """One request for prior authorization, for one member and one program."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_member_program", "member_id", "program"),
        Index("ix_orders_practice_status", "practice_id", "status"),
        Index("ix_orders_creator_updated", "created_by_id", "updated_at"),
        # The review dashboard reads only this index (see services/outcomes.py).
        Index(
            "ix_orders_submitted_outcome",
            "submitted_at",
            "program",
            "plan_id",
            "urgency",
            "status",
            "initial_outcome",
            "decision_hours",
            "appealed_at",
            "approved_after_appeal",
        ),
        UniqueConstraint("practice_id", "submission_key", name="uq_orders_submission_key"),
    )
    # Optimistic locking: a stale UPDATE raises StaleDataError instead of losing a change.
    __mapper_args__ = {"version_id_col": _order_version}

    id: int | None = Field(default=None, primary_key=True)
    order_number: str | None = Field(default=None, max_length=20, unique=True, index=True)
    program: Program = enum_field()
    plan_id: int = Field(foreign_key="health_plans.id", index=True)
    # Empty only while a draft has not reached the member step.
    member_id: int | None = Field(default=None, foreign_key="members.id")
    practice_id: int = Field(foreign_key="practices.id")
    ordering_provider_id: int | None = Field(default=None, foreign_key="providers.id", index=True)
    servicing_provider_id: int | None = Field(default=None, foreign_key="providers.id", index=True)
    facility_id: int | None = Field(default=None, foreign_key="facilities.id", index=True)
    status: OrderStatus = enum_field(OrderStatus.DRAFT, index=True)
    urgency: Urgency = enum_field(Urgency.STANDARD)
    urgency_reason: str = Field(default="", max_length=2000)
    service_start: date | None = None
    service_end: date | None = None
    # The program's own answers, validated by that program's pydantic schema.
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Client-generated key that makes a repeated submit return the same order.
    submission_key: str | None = Field(default=None, max_length=64)
    submitted_at: datetime | None = timestamp_field(nullable=True)
    # Draft progress and the confirmations the wizard asks for.
    wizard_step: int = Field(default=0)
    member_confirmed: bool = Field(default=False)
    out_of_network_confirmed: bool = Field(default=False)
    letter_address: str = Field(default="", max_length=300)
    letter_fax: str = Field(default="", max_length=32)
    duplicate_of: str = Field(default="", max_length=20)
    # A procedure the rendering provider added on the day of service: the order it was added to.
    added_to_order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    cancel_reason: str = Field(default="", max_length=1000)
    # The request's initial determination as CMS-0057-F counts it, kept up to date by
    # services/outcomes.py whenever a decision or an appeal is recorded: empty while undecided.
    initial_outcome: str = Field(default="", max_length=40)
    initially_decided_at: datetime | None = timestamp_field(nullable=True)
    decision_hours: float | None = None
    appealed_at: datetime | None = timestamp_field(nullable=True)
    approved_after_appeal: bool = Field(default=False)
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = timestamp_field()
    updated_by_id: int = Field(foreign_key="users.id")
    updated_at: datetime = timestamp_field(index=True)
    version: int = Field(default=1, sa_column=_order_version)


def number_of(order: Order) -> str:
    """The order number of a submitted order (only drafts have none): a draft here is a bug."""
    if order.order_number is None:
        raise ValueError(f"order {order.id} is a draft and has no order number")
    return order.order_number


def service_date_of(order: Order) -> date:
    """The date of service of a submitted order (submitting requires one): a draft here is a bug."""
    if order.service_start is None:
        raise ValueError(f"order {order.id} has no date of service yet")
    return order.service_start


class OrderLine(SQLModel, table=True):
    """One requested procedure or drug; each line gets its own decision."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_number", name="uq_order_line_number"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    line_number: int
    code_system: str = Field(max_length=20)  # CPT, HCPCS, NDC
    code: str = Field(max_length=20, index=True)
    description: str = Field(default="", max_length=300)
    quantity: int = Field(default=1)
    laterality: str = Field(default="", max_length=10)
    decision: LineDecision = enum_field(LineDecision.PENDED)


class OrderDiagnosis(SQLModel, table=True):
    """An ICD-10-CM diagnosis of an order; sequence 1 is the primary one."""

    __tablename__ = "order_diagnoses"
    __table_args__ = (UniqueConstraint("order_id", "sequence", name="uq_order_diagnosis_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    sequence: int
    code: str = Field(max_length=10)
    description: str = Field(default="", max_length=300)
