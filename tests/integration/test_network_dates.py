"""Network status on a date (services/network.py), on SQLite and PostgreSQL: a participation a complete
provider file ends is out of network from the day after the load, and one that starts later is not in
network before it starts, wherever "In network" is shown or checked: the wizard's plans, ordering and
servicing providers and its out-of-network check (which the PAS API runs too) and the site-of-care
alternatives on the date of service, the directory today.

Demo data: Evergreen (EVG) has every demo provider and facility in its network since 2024, most of them
in network; the free-standing imaging centre 3 is in Franklin, near member EVG100000020. The example
provider file's Iris Example (NPI 1980000016) bills under the demo office's tax ID 90-1000001.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import select

from portal_app import clock
from portal_app.domain.enums import DataLoadStatus, FacilityType
from portal_app.models import Facility, HealthPlan, Provider
from portal_app.services import data_loads
from portal_app.services import order_entry as entry
from portal_app.services.demo_data import demo_npi
from portal_app.services.directory import DirectoryQuery, search_directory
from portal_app.services.network import is_in_network
from tests.conftest import BACKENDS
from tests.integration.order_helpers import TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

LOAD_DAY = date(2026, 12, 4)
DAY_BEFORE = date(2026, 12, 3)  # the last day of a participation the load ends
AFTER_LOAD = date(2026, 12, 7)
IRIS_STARTS = date(2027, 1, 4)
FRANKLIN_MEMBER = "EVG100000020"
IRIS_NPI = "1980000016"
HEADER = (
    "npi,kind,first_name,last_name,organization_name,facility_type,specialty,tax_id,address_line,city,"
    "state,postal_code,phone,fax,network,network_start,network_end"
)


def _iris_file(network_start: date) -> bytes:
    iris = (
        f"{IRIS_NPI},practitioner,Iris,Example,,,Orthopedic surgery,90-1000001,100 Demo Way,Springfield,IL,"
        f"62701,217-555-0150,217-555-0151,in,{network_start.isoformat()},"
    )
    return f"{HEADER}\n{iris}\n".encode()


def _load_providers(session, content: bytes, *, complete: bool) -> None:
    with clock.frozen_at(datetime.combine(LOAD_DAY, time(12), tzinfo=UTC)):
        report = data_loads.load_upload(
            session,
            actor=actor_for(session, "support"),
            kind="providers",
            plan_code="EVG",
            file_name="providers.csv",
            content=content,
            complete=complete,
        )
    assert report.status == DataLoadStatus.APPLIED, report.problems


def _evergreen(session) -> int:
    return session.exec(select(HealthPlan.id).where(HealthPlan.code == "EVG")).one()


def _centre_3(session) -> Facility:
    facility = session.exec(select(Facility).where(Facility.npi == demo_npi(3, kind="facility"))).one()
    assert facility.facility_type == FacilityType.FREE_STANDING
    return facility


def _directory_network(session, npi: str, on: date) -> str:
    with clock.frozen_at(datetime.combine(on, time(9), tzinfo=UTC)):
        rows, _ = search_directory(
            session,
            actor=actor_for(session, "ordering"),
            query=DirectoryQuery(text=npi, plan_id=_evergreen(session)),
        )
    (row,) = rows
    return row.network


def _servicing_in_network(session, office, order_id: int, npi: str) -> bool:
    (match,) = entry.search_servicing(session, actor=office, order_id=order_id, query=npi)
    return match.in_network


def _choose_unconfirmed(session, office, order_id: int, kind: str, party_id: int) -> dict[str, str]:
    order = entry.editable_draft(session, office, order_id)
    return entry.choose_providers(
        session,
        actor=office,
        order_id=order_id,
        ordering_provider_id=order.ordering_provider_id,
        servicing_kind=kind,
        servicing_id=party_id,
        out_of_network_confirmed=False,
        letter_address="1 Demo Way",
        letter_fax="555-0100",
    ).errors


def test_a_participation_a_complete_file_ends_is_out_of_network_from_the_day_after(session, demo_data):
    office = actor_for(session)
    on_last_day = draft_order(session, office, member=FRANKLIN_MEMBER, service=DAY_BEFORE)
    after = draft_order(session, office, member=FRANKLIN_MEMBER, service=AFTER_LOAD)
    centre = _centre_3(session)
    before_load = entry.site_of_care_alternatives(session, actor=office, order_id=after)
    assert centre.npi in {site.npi for site in before_load}

    # A complete file naming only Iris (from 2025) ends every other Evergreen participation yesterday.
    _load_providers(session, _iris_file(date(2025, 1, 1)), complete=True)
    plan_id = _evergreen(session)
    assert is_in_network(session, plan_id, DAY_BEFORE, facility_id=centre.id)
    assert not is_in_network(session, plan_id, LOAD_DAY, facility_id=centre.id)

    assert _servicing_in_network(session, office, on_last_day, centre.npi)
    assert not _servicing_in_network(session, office, after, centre.npi)
    assert _choose_unconfirmed(session, office, on_last_day, "facility", centre.id) == {}
    assert "servicing" in _choose_unconfirmed(session, office, after, "facility", centre.id)
    on_last_day_sites = entry.site_of_care_alternatives(session, actor=office, order_id=on_last_day)
    assert centre.npi in {site.npi for site in on_last_day_sites}
    assert entry.site_of_care_alternatives(session, actor=office, order_id=after) == []
    assert entry.get_draft(session, actor=office, order_id=after).servicing is not None

    assert _directory_network(session, centre.npi, DAY_BEFORE) == "In network"
    assert _directory_network(session, centre.npi, LOAD_DAY) == "Out of network"


def test_a_participation_that_starts_later_is_not_in_network_before_it_starts(session, demo_data):
    office = actor_for(session)
    soon = draft_order(session, office, service=AFTER_LOAD)
    later = draft_order(session, office, service=IRIS_STARTS)
    # A complete file naming only Iris, in network from IRIS_STARTS: the office's demo providers end.
    _load_providers(session, _iris_file(IRIS_STARTS), complete=True)
    iris = session.exec(select(Provider).where(Provider.npi == IRIS_NPI)).one()
    evergreen = _evergreen(session)

    def plans_on(on: date) -> set[int]:
        return {plan.plan_id for plan in entry.plans_for(session, actor=office, on=on)}

    assert evergreen in plans_on(DAY_BEFORE)
    assert evergreen not in plans_on(AFTER_LOAD)
    assert evergreen in plans_on(IRIS_STARTS)
    _, refused = entry.start_draft(
        session, actor=office, plan_id=evergreen, program="imaging", service_date=AFTER_LOAD, today=TODAY
    )
    assert "plan" in refused.errors
    started, result = entry.start_draft(
        session, actor=office, plan_id=evergreen, program="imaging", service_date=IRIS_STARTS, today=TODAY
    )
    assert result.ok and started

    def iris_ordering(order_id: int) -> bool:
        offered = entry.ordering_providers(session, actor=office, order_id=order_id)
        return next(p.in_network for p in offered if p.npi == IRIS_NPI)

    assert not iris_ordering(soon) and iris_ordering(later)
    assert not _servicing_in_network(session, office, soon, IRIS_NPI)
    assert _servicing_in_network(session, office, later, IRIS_NPI)
    assert "servicing" in _choose_unconfirmed(session, office, soon, "provider", iris.id)
    assert _choose_unconfirmed(session, office, later, "provider", iris.id) == {}

    assert _directory_network(session, IRIS_NPI, LOAD_DAY) == "Out of network"
    assert _directory_network(session, IRIS_NPI, IRIS_STARTS) == "In network"
