"""Facilities' relative cost levels as a plan supplies them (services/cost_levels.py).

A row says where one facility stands on the plan's own cost scale (``$`` to ``$$$$``, or lower,
average, higher than its peers) from ``effective_from`` until ``effective_until`` (empty: until
further notice); ``source`` is where the plan's file says the level comes from. Never a price.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import timestamp_field


class FacilityCostLevel(SQLModel, table=True):
    __tablename__ = "facility_cost_levels"
    __table_args__ = (
        UniqueConstraint("plan_id", "facility_id", "effective_from", name="uq_facility_cost_level_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id", index=True)
    facility_id: int = Field(foreign_key="facilities.id", index=True)
    level: str = Field(max_length=10)  # "$".."$$$$", or "lower", "average", "higher"
    effective_from: date
    effective_until: date | None = None
    source: str = Field(max_length=1000)
    data_load_id: int | None = Field(default=None, foreign_key="data_loads.id")
    updated_at: datetime = timestamp_field()
