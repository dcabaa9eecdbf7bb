"""Whether a provider or a facility is in a plan's network on a date: the one rule every screen and
the PAS API read (the wizard, site-of-care alternatives and PAS on the date of service, the directory
today).

A party is in network on a date when its participation in the plan (one row per plan and party,
loaded from the plan's provider files) says "in network" and covers that date: it started on or
before it and has no end or ends on or after it. A complete provider file ends a missing party's
participation yesterday, and a file may name a participation that starts later: neither counts as in
network on a date outside its dates. The rule is SQL, so a search filters on it in the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, and_, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from portal_app.domain.enums import NetworkStatus
from portal_app.models import NetworkParticipation

Party = Literal["provider", "facility"]

IN_NETWORK = NetworkStatus.IN_NETWORK.label
OUT_OF_NETWORK = NetworkStatus.OUT_OF_NETWORK.label
NOT_CONTRACTED = "Not contracted"


def in_network_on(on: date) -> ColumnElement[bool]:
    """The condition on a ``network_participations`` row: it says "in network" on ``on``."""
    return and_(
        col(NetworkParticipation.status) == NetworkStatus.IN_NETWORK,
        col(NetworkParticipation.effective_from) <= on,
        or_(
            col(NetworkParticipation.effective_until).is_(None),
            col(NetworkParticipation.effective_until) >= on,
        ),
    )


def _party_column(party: Party):
    return col(NetworkParticipation.provider_id if party == "provider" else NetworkParticipation.facility_id)


def in_network_ids(plan_id: int, on: date, party: Party) -> SelectOfScalar:
    """A subquery: the ids of the providers (or facilities) in plan ``plan_id``'s network on ``on``."""
    column = _party_column(party)
    return select(column).where(
        NetworkParticipation.plan_id == plan_id, column.is_not(None), in_network_on(on)
    )


def in_network_among(session: Session, plan_id: int, on: date, party: Party, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` (providers or facilities) in the plan's network on ``on``: one query."""
    wanted = list(ids)
    if not wanted:
        return set()
    column = _party_column(party)
    found = session.exec(in_network_ids(plan_id, on, party).where(column.in_(wanted))).all()
    return {party_id for party_id in found if party_id is not None}


def is_in_network(
    session: Session,
    plan_id: int,
    on: date,
    *,
    provider_id: int | None = None,
    facility_id: int | None = None,
) -> bool:
    """Whether the provider (or else the facility) is in the plan's network on ``on``."""
    if provider_id:
        return provider_id in in_network_among(session, plan_id, on, "provider", [provider_id])
    if facility_id:
        return facility_id in in_network_among(session, plan_id, on, "facility", [facility_id])
    return False


def network_labels(
    session: Session, plan_id: int, on: date, party: Party, ids: Iterable[int]
) -> dict[int, str]:
    """Party id -> "In network" on ``on``, "Out of network" (the plan names the party but not in
    network on that date: out of network, ended or not started yet) or "Not contracted" (not named)."""
    wanted = list(ids)
    if not wanted:
        return {}
    column = _party_column(party)
    named = set(
        session.exec(select(column).where(NetworkParticipation.plan_id == plan_id, column.in_(wanted))).all()
    )
    in_network = in_network_among(session, plan_id, on, party, wanted)
    return {
        party_id: IN_NETWORK
        if party_id in in_network
        else OUT_OF_NETWORK
        if party_id in named
        else NOT_CONTRACTED
        for party_id in wanted
    }
