"""The provider and facility directory: search by name, NPI, specialty, city or ZIP (services/
party_search.py), per plan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from portal_app import clock
from portal_app.domain.enums import FacilityType
from portal_app.domain.geo import miles_between
from portal_app.domain.site_ranking import distance_label
from portal_app.models import Facility, HealthPlan, NetworkParticipation, Provider
from portal_app.models.base import id_of
from portal_app.services import rate_limits
from portal_app.services.authz import Actor
from portal_app.services.network import Party, network_labels
from portal_app.services.party_search import facility_filter, provider_filter
from portal_app.services.site_ranking import RankedFacility, nearby, rank_facilities, scores_label

PAGE_SIZE = 20
# "quality": registered facilities by score, then distance from the ZIP given (domain/site_ranking.py).
SORTS = {"name", "city", "quality"}


@dataclass(frozen=True)
class DirectoryRow:
    kind: str
    name: str
    npi: str
    detail: str
    city: str
    postal_code: str
    phone: str
    fax: str
    network: str
    modalities: str
    quality_score: str
    distance: str = ""


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""
    plan_id: int = 0
    kind: str = ""  # "", "provider", "facility"
    sort: str = "name"
    near_zip: str = ""  # distances (and the quality order's tie-break) are measured from this ZIP


def plan_choices(session: Session) -> list[tuple[int, str]]:
    return [(id_of(p), p.name) for p in session.exec(select(HealthPlan).order_by(HealthPlan.name)).all()]


def plan_names(session: Session, *, codes: list[str]) -> dict[str, str]:
    """Plan code -> plan name for the plans among ``codes`` (public: plans carry no member data)."""
    plans = session.exec(select(HealthPlan).where(col(HealthPlan.code).in_(codes))).all()
    return {plan.code: plan.name for plan in plans}


def plan_code(session: Session, *, plan_id: int) -> str:
    """The code of plan ``plan_id`` ("" when there is no such plan)."""
    plan = session.get(HealthPlan, plan_id)
    return plan.code if plan else ""


def _network_labels(session: Session, plan_id: int, party: Party, ids: list[int]) -> dict[int, str]:
    """Party id -> its network status in the plan today (services/network.py); none without a plan."""
    return network_labels(session, plan_id, clock.today(), party, ids) if plan_id else {}


def search_directory(
    session: Session, *, actor: Actor, query: DirectoryQuery, page: int = 0, page_size: int = PAGE_SIZE
) -> tuple[list[DirectoryRow], int]:
    """One page of providers and facilities (facilities first), and how many match in all."""
    # Any signed-in user may look providers up (the directory holds no PHI); searches are counted.
    rate_limits.hit(
        session,
        limits={"search_user": actor.user_id, "search_client": actor.client_address},
        action="directory.search",
        user_id=actor.user_id,
        client_address=actor.client_address,
    )
    text = query.text.strip()[:100]
    providers = select(Provider)
    facilities = select(Facility)
    if text:
        providers, facilities = (
            providers.where(provider_filter(session, text)),
            facilities.where(facility_filter(session, text)),
        )
    if query.plan_id:
        in_plan = select(NetworkParticipation.provider_id).where(
            NetworkParticipation.plan_id == query.plan_id
        )
        providers = providers.where(col(Provider.id).in_(in_plan))
        facilities = facilities.where(
            col(Facility.id).in_(
                select(NetworkParticipation.facility_id).where(NetworkParticipation.plan_id == query.plan_id)
            )
        )
    near_facility, near_provider = (
        nearby(Facility.postal_code, query.near_zip),
        nearby(Provider.postal_code, query.near_zip),
    )
    if near_facility is not None:
        facilities, providers = facilities.where(near_facility), providers.where(near_provider)
    provider_order = {"city": Provider.city}.get(query.sort, Provider.last_name)
    facility_total = (
        session.exec(select(func.count()).select_from(facilities.subquery())).one()
        if query.kind != "provider"
        else 0
    )
    provider_total = (
        session.exec(select(func.count()).select_from(providers.subquery())).one()
        if query.kind != "facility"
        else 0
    )
    offset, rows = max(page, 0) * page_size, list[DirectoryRow]()
    if query.kind != "provider" and offset < facility_total:
        ranked = _facility_page(session, facilities, query, offset, page_size)
        labels = _network_labels(session, query.plan_id, "facility", [id_of(r.facility) for r in ranked])
        rows.extend(_facility_row(query, r, labels.get(id_of(r.facility), "")) for r in ranked)
    remaining = page_size - len(rows)
    if query.kind != "facility" and remaining > 0:
        provider_offset = max(0, offset - facility_total)
        found = session.exec(
            providers.order_by(provider_order, col(Provider.id)).offset(provider_offset).limit(remaining)
        ).all()
        labels = _network_labels(session, query.plan_id, "provider", [id_of(p) for p in found])
        for p in found:
            rows.append(
                DirectoryRow(
                    "Provider",
                    f"{p.first_name} {p.last_name}",
                    p.npi,
                    p.specialty,
                    p.city,
                    p.postal_code,
                    p.phone,
                    p.fax,
                    labels.get(id_of(p), ""),
                    "",
                    "",
                    _distance(query.near_zip, p.postal_code),
                )
            )
    return rows, facility_total + provider_total


def _facility_page(
    session: Session, facilities, query: DirectoryQuery, offset: int, page_size: int
) -> list[RankedFacility]:
    """One page of facilities. The quality order near a ZIP ranks the sites within reach in Python (by
    score, then distance, every one scored for today first); other orders are SQL's."""
    if query.sort == "quality" and nearby(Facility.postal_code, query.near_zip) is not None:
        return rank_facilities(session, session.exec(facilities).all(), near_zip=query.near_zip)[
            offset : offset + page_size
        ]
    order = {
        "city": (Facility.city,),
        "quality": (col(Facility.quality_score).desc().nulls_last(), Facility.name),
    }.get(query.sort, (Facility.name,))
    found = session.exec(facilities.order_by(*order, Facility.id).offset(offset).limit(page_size)).all()
    ranked = {r.facility.id: r for r in rank_facilities(session, found, near_zip=query.near_zip)}
    return [ranked[f.id] for f in found]


def _facility_row(query: DirectoryQuery, ranked: RankedFacility, network: str) -> DirectoryRow:
    f = ranked.facility
    return DirectoryRow(
        "Facility",
        f.name,
        f.npi,
        FacilityType(f.facility_type).label,
        f.city,
        f.postal_code,
        f.phone,
        f.fax,
        network,
        f.modalities.replace(",", ", "),
        scores_label(ranked.scores),
        distance_label(ranked.miles) if query.near_zip else "",
    )


def _distance(near_zip: str, postal_code: str) -> str:
    return distance_label(miles_between(near_zip, postal_code)) if near_zip else ""
