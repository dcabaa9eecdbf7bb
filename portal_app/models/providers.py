"""Providers (by NPI), facilities (sites of care) and their network status per plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.domain.enums import FacilityType, NetworkStatus
from portal_app.models.base import enum_field, timestamp_field

# Search structures that exist in one database only, so they are not on the SQLModel metadata: revision
# 0025 creates them and services/party_search.py queries them (docs/performance.md, "Searches").
# SQLite: FTS5 trigram tables over the searched text columns, kept in step by triggers.
PROVIDERS_FTS = "providers_fts"
FACILITIES_FTS = "facilities_fts"
PROVIDERS_FTS_COLUMNS = ("last_name", "first_name", "specialty", "city")
FACILITIES_FTS_COLUMNS = ("name", "city", "modalities")
# PostgreSQL: one pg_trgm GIN index per searched column (one index over all four columns is priced as
# a scan of the whole index for each column's condition, so the planner preferred reading the table).
TRGM_INDEXES = tuple(f"ix_providers_{name}_trgm" for name in PROVIDERS_FTS_COLUMNS) + tuple(
    f"ix_facilities_{name}_trgm" for name in FACILITIES_FTS_COLUMNS
)


def outside_metadata(name: str | None) -> bool:
    """Whether a table or index is one of the database-specific search structures above (or an FTS5
    shadow table, ``providers_fts_data`` etc.): schema comparisons leave these out."""
    if not name:
        return False
    return name in TRGM_INDEXES or any(
        name == fts or name.startswith(f"{fts}_") for fts in (PROVIDERS_FTS, FACILITIES_FTS)
    )


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
    postal_code: str = Field(max_length=10, index=True)
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
