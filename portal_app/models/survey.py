"""The short satisfaction survey offered on the order summary after a request is submitted.

One row per user and calendar month (UTC): the month the survey was offered. It is offered at most
once a month, so the row is created when it is first shown (``asked``) and then answered or
dismissed ("Not now"); the unique constraint keeps two browser tabs from asking twice. The
order's program and plan are copied so that the review dashboard can filter the answers as it
filters requests. See ``portal_app/services/survey.py``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import Program
from portal_app.models.base import enum_field, timestamp_field


class SurveyStatus(StrEnum):
    ASKED = "asked"  # shown, not answered yet
    ANSWERED = "answered"
    DISMISSED = "dismissed"  # "Not now"


class SatisfactionSurvey(SQLModel, table=True):
    """One offer of the survey to one user in one calendar month, and the answer if given."""

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (
        UniqueConstraint("user_id", "period", name="uq_satisfaction_surveys_user_period"),
        # The review dashboard reads the surveys offered in a date range.
        Index("ix_satisfaction_surveys_asked_status", "asked_at", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    period: str = Field(max_length=7)  # the calendar month offered, "YYYY-MM" (UTC)
    order_id: int = Field(foreign_key="orders.id", index=True)  # the order it was offered on
    practice_id: int = Field(foreign_key="practices.id")
    program: Program = enum_field()
    plan_id: int = Field(foreign_key="health_plans.id")
    status: SurveyStatus = enum_field(SurveyStatus.ASKED)
    rating: int | None = None  # the ease rating 1–5 asked before revision 0027; no longer asked
    comment: str = Field(default="", max_length=1000)
    asked_at: datetime = timestamp_field()
    answered_at: datetime | None = timestamp_field(nullable=True)  # when answered or dismissed


class SatisfactionSurveyAnswer(SQLModel, table=True):
    """One answered question of one survey (``domain/survey_questions.QUESTIONS``; all optional)."""

    __tablename__ = "satisfaction_survey_answers"
    __table_args__ = (
        UniqueConstraint("survey_id", "question", name="uq_satisfaction_survey_answers_survey_question"),
    )

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="satisfaction_surveys.id", index=True)
    question: str = Field(max_length=40)  # the question's code
    value: str = Field(max_length=40)  # the chosen answer's value
