"""Imaging facility registrations and the quality score each registered modality earns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import FacilityRegistrationStatus
from portal_app.models.base import enum_field, timestamp_field


class FacilityRegistration(SQLModel, table=True):
    """A facility staff member's registration of one imaging site, saved section by section.

    ``sections`` holds each section's answers under its name; ``completed_sections`` lists the
    sections saved without errors. Submitting creates (or, by NPI, links) the ``Facility`` row and
    scores it.
    """

    __tablename__ = "facility_registrations"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    facility_id: int | None = Field(default=None, foreign_key="facilities.id", unique=True)
    status: FacilityRegistrationStatus = enum_field(FacilityRegistrationStatus.DRAFT, index=True)
    sections: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    completed_sections: list[str] = Field(default_factory=list, sa_type=JSON)
    corrections_note: str = Field(default="", max_length=2000)
    corrections_requested_by_id: int | None = Field(default=None, foreign_key="users.id")
    corrections_requested_at: datetime | None = timestamp_field(nullable=True)
    submitted_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class FacilityModalityScore(SQLModel, table=True):
    """The score of one modality of a registered facility as of ``computed_on``.

    ``rescore_on`` is the next day the score changes by itself (an accreditation or a physics
    survey running out); readers rescore rows whose day has come before using them.
    """

    __tablename__ = "facility_modality_scores"
    __table_args__ = (
        UniqueConstraint("facility_id", "modality", name="uq_facility_modality_scores_facility_modality"),
    )

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facilities.id", index=True)
    modality: str = Field(max_length=20)
    score: int
    computed_on: date
    rescore_on: date | None = Field(default=None, index=True)
