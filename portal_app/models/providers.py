"""Providers (by NPI), facilities (sites of care) and their network status per plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import FacilityType, NetworkStatus
from portal_app.models.base import enum_field, timestamp_field


class Provider(SQLModel, table=True):
    """An individual clinician who orders or renders services."""

    __tablename__ = "providers"
    __table_args__ = (Index("ix_providers_name", "last_name", "first_name"),)

    id: int | None = Field(default=None, primary_key=True)
    npi: str = Field(max_length=10, unique=True, index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    specialty: str = Field(max_length=100, index=True)
    address_line: str = Field(max_length=200)
    city: str = Field(max_length=100, index=True)
    state: str = Field(max_length=2)
    postal_code: str = Field(max_length=10)
    phone: str = Field(max_length=32)
    fax: str = Field(max_length=32)
    tax_id: str = Field(max_length=10, index=True)
    created_at: datetime = timestamp_field()


class Facility(SQLModel, table=True):
    """A site of care: hospital outpatient department, free-standing centre, office."""

    __tablename__ = "facilities"

    id: int | None = Field(default=None, primary_key=True)
    npi: str = Field(max_length=10, unique=True, index=True)
    name: str = Field(max_length=200, index=True)
    facility_type: FacilityType = enum_field(index=True)
    address_line: str = Field(max_length=200)
    city: str = Field(max_length=100, index=True)
    state: str = Field(max_length=2)
    postal_code: str = Field(max_length=10, index=True)
    phone: str = Field(max_length=32)
    fax: str = Field(max_length=32)
    tax_id: str = Field(max_length=10, index=True)
    # Imaging sites: the modalities offered (comma-separated values of the imaging program)
    # and a quality score from 0 to 100 (facility registration sets it).
    modalities: str = Field(default="", max_length=300)
    quality_score: int | None = None
    created_at: datetime = timestamp_field()


class NetworkParticipation(SQLModel, table=True):
    """Whether a provider or a facility is in a plan's network."""

    __tablename__ = "network_participations"
    __table_args__ = (
        CheckConstraint(
            "(provider_id IS NULL) <> (facility_id IS NULL)",
            name="one_party",
        ),
        UniqueConstraint("plan_id", "provider_id", name="uq_network_plan_provider"),
        UniqueConstraint("plan_id", "facility_id", name="uq_network_plan_facility"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="health_plans.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="providers.id", index=True)
    facility_id: int | None = Field(default=None, foreign_key="facilities.id", index=True)
    status: NetworkStatus = enum_field()
    effective_from: date
    effective_until: date | None = None
