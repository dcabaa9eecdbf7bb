"""Determinations, review work, notes and peer-to-peer calls."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import (
    DecidedBy,
    LineDecision,
    NoteVisibility,
    PeerToPeerMode,
    PeerToPeerStatus,
    Program,
    ReviewQueue,
    TaskFlag,
    TaskStatus,
    Urgency,
)
from portal_app.models.base import enum_field, timestamp_field


class Determination(SQLModel, table=True):
    """A decision on one order line, with its reason and the guideline behind it."""

    __tablename__ = "determinations"

    id: int | None = Field(default=None, primary_key=True)
    order_line_id: int = Field(foreign_key="order_lines.id", index=True)
    decision: LineDecision = enum_field()
    reason_code: str = Field(default="", max_length=40)  # the criterion the decision rests on
    reason: str = Field(max_length=2000)
    approved_quantity: int | None = None  # partial approvals: fewer units than asked
    guideline_citation: str = Field(default="", max_length=300)
    # The rules engine's criteria met and not met, kept for reviewers and letters.
    explanation: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # The program's guideline version the rules engine applied (domain/guidelines.py; 1 = packaged);
    # None for decisions made without the engine (gold card, transition of care, demo history).
    guideline_version: int | None = None
    decided_by: DecidedBy = enum_field()
    decided_by_user_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime = timestamp_field()
    valid_from: date | None = None
    valid_until: date | None = None


class ReviewTask(SQLModel, table=True):
    """A case waiting in a nurse or physician queue, ordered by due time."""

    __tablename__ = "review_tasks"
    # The queue page reads tasks in due order through one of these, whatever filter is chosen; the
    # order's program, plan and urgency are copied here (they never change after submission) so
    # that a filtered page needs no join before the LIMIT.
    __table_args__ = (
        Index("ix_review_tasks_queue_status_due", "queue", "status", "due_at"),
        Index("ix_review_tasks_queue_status_program_due", "queue", "status", "program", "due_at"),
        Index("ix_review_tasks_queue_status_urgency_due", "queue", "status", "urgency", "due_at"),
        Index("ix_review_tasks_queue_status_plan_due", "queue", "status", "plan_id", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    queue: ReviewQueue = enum_field()
    program: Program = enum_field()
    plan_id: int = Field(foreign_key="health_plans.id")
    urgency: Urgency = enum_field(Urgency.STANDARD)
    kind: str = Field(default="initial", max_length=20)  # initial, reconsideration, appeal
    status: TaskStatus = enum_field(TaskStatus.OPEN)
    reason: str = Field(default="", max_length=2000)
    assignee_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    # An appeal goes to a physician other than the one who denied.
    excluded_reviewer_id: int | None = Field(default=None, foreign_key="users.id")
    due_at: datetime = timestamp_field()
    created_at: datetime = timestamp_field()
    closed_at: datetime | None = timestamp_field(nullable=True)
    # The pend clock: set while the case waits for the office (information or a call), until when.
    office_reply_due: datetime | None = timestamp_field(nullable=True)
    # Why the task stands out (TaskFlag): no response from the office, a live review asked for.
    flag: TaskFlag = enum_field(TaskFlag.NONE)
    flag_note: str = Field(default="", max_length=500)
    # When the office asked for a live review or a call back when the review is done (dashboard counts).
    live_review_requested_at: datetime | None = timestamp_field(nullable=True)
    call_back_requested_at: datetime | None = timestamp_field(nullable=True)

    @classmethod
    def for_order(cls, order: Any, **fields: Any) -> ReviewTask:
        """A task for ``order``, carrying the order's program, plan and urgency for the queue indexes."""
        return cls(
            order_id=order.id, program=order.program, plan_id=order.plan_id, urgency=order.urgency, **fields
        )


class Note(SQLModel, table=True):
    __tablename__ = "notes"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    visibility: NoteVisibility = enum_field(NoteVisibility.INTERNAL)
    body: str = Field(max_length=10000)
    created_at: datetime = timestamp_field()


class PeerToPeerAppointment(SQLModel, table=True):
    """A call between the ordering physician and a reviewing physician: a time offered by the
    physician, proposed by the office, published by a physician for any order (no order yet), or
    asked for now (immediate: the physician rung must answer by ``respond_by``)."""

    __tablename__ = "peer_to_peer_appointments"
    __table_args__ = (
        Index("ix_p2p_reviewer_start", "reviewer_id", "starts_at"),
        Index("ix_p2p_status_start", "status", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # None only for a time a physician published and no office has taken yet.
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    requested_by_id: int = Field(foreign_key="users.id")
    reviewer_id: int | None = Field(default=None, foreign_key="users.id")
    status: PeerToPeerStatus = enum_field(PeerToPeerStatus.REQUESTED)
    mode: PeerToPeerMode = enum_field(PeerToPeerMode.SCHEDULED)
    starts_at: datetime | None = timestamp_field(nullable=True)
    ends_at: datetime | None = timestamp_field(nullable=True)
    respond_by: datetime | None = timestamp_field(nullable=True)
    callback_phone: str = Field(default="", max_length=32)
    outcome: str = Field(default="", max_length=2000)
    created_at: datetime = timestamp_field()


class ReviewerProfile(SQLModel, table=True):
    """A physician reviewer's specialty and whether they take peer-to-peer calls right now."""

    __tablename__ = "reviewer_profiles"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    specialty: str = Field(default="", max_length=40)  # a Specialty value, "" when none given
    available_now: bool = Field(default=False, index=True)
    updated_at: datetime = timestamp_field()
