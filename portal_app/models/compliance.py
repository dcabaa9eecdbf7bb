"""Payer rules the portal applies: gold-card exemptions, decision clocks, transition of care."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import timestamp_field


class GoldCardEvaluation(SQLModel, table=True):
    """One run of a plan's gold-card evaluation (one per plan, rule set and evaluation month)."""

    __tablename__ = "gold_card_evaluations"
    __table_args__ = (
        UniqueConstraint("plan_id", "rule_set", "period", name="uq_gold_card_evaluation_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id")
    rule_set: str = Field(max_length=40)
    period: str = Field(max_length=7)  # the evaluation month, e.g. "2027-01"
    lookback_from: date
    lookback_to: date
    evaluated: int = Field(default=0)  # provider and service pairs with enough requests
    exempt: int = Field(default=0)
    ran_at: datetime = timestamp_field()


class GoldCardExemption(SQLModel, table=True):
    """A provider's exemption from prior authorization for one service with one plan, with the
    figures it rests on; ``effective_until`` is set when it is rescinded (the notice period's end)."""

    __tablename__ = "gold_card_exemptions"
    __table_args__ = (Index("ix_gold_card_exemptions_lookup", "plan_id", "provider_id", "service_code"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="gold_card_evaluations.id", index=True)
    plan_id: int = Field(foreign_key="health_plans.id")
    provider_id: int = Field(foreign_key="providers.id", index=True)
    service_code: str = Field(max_length=20)
    rule_set: str = Field(max_length=40)
    requests: int
    approved: int
    percent: float
    lookback_from: date
    lookback_to: date
    effective_from: date
    effective_until: date | None = None  # first day it no longer applies
    rescission_noticed_on: date | None = None
    rescission_reason: str = Field(default="", max_length=2000)
    sample_size: int | None = None
    sample_met: int | None = None
    created_at: datetime = timestamp_field()


class OrderExemption(SQLModel, table=True):
    """A request that got its number without review because the provider is exempt (gold card) or
    the member brought an active authorization from a previous plan (transition of care)."""

    __tablename__ = "order_exemptions"
    __table_args__ = (Index("ix_order_exemptions_kind_created", "kind", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", unique=True)
    kind: str = Field(max_length=20)  # "gold_card" or "transition"
    exemption_id: int | None = Field(default=None, foreign_key="gold_card_exemptions.id")
    detail: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field()


class OrderClock(SQLModel, table=True):
    """The decision clock rule a request was given at submission, and its extension if any."""

    __tablename__ = "order_clocks"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", unique=True)
    rule_id: str = Field(max_length=40)
    rule_name: str = Field(max_length=200)
    time_frame: str = Field(max_length=200)
    due_at: datetime = timestamp_field()
    extension_days_allowed: int = Field(default=0)
    extended_days: int = Field(default=0)
    extended_due_at: datetime | None = timestamp_field(nullable=True)
    extension_reason: str = Field(default="", max_length=2000)
    extended_at: datetime | None = timestamp_field(nullable=True, index=True)
    extended_by_id: int | None = Field(default=None, foreign_key="users.id")


class TransitionAuthorization(SQLModel, table=True):
    """An active authorization from the member's previous plan, entered by the office, and the
    request it became in this plan."""

    __tablename__ = "transition_authorizations"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", unique=True)
    prior_plan_name: str = Field(max_length=200)
    prior_number: str = Field(max_length=40)
    prior_code: str = Field(max_length=20)
    prior_provider_npi: str = Field(max_length=10)
    prior_valid_from: date
    prior_valid_until: date
    honoured: bool = Field(default=False)
    needs_review: bool = Field(default=False)
    honoured_until: date | None = None
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = timestamp_field()
