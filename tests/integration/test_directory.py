import pytest
from sqlmodel import select

from portal_app.domain.enums import Role
from portal_app.models import HealthPlan
from portal_app.services.authz import Actor
from portal_app.services.demo_data import load_demo_data
from portal_app.services.directory import DirectoryQuery, search_directory

pytestmark = pytest.mark.usefixtures("demo_data")


ANYONE = Actor(user_id=1, role=Role.SERVICING_PROVIDER_STAFF, full_name="x")


def test_search_pages_through_facilities_then_providers(session):
    load_demo_data(session)
    first, total = search_directory(session, actor=ANYONE, query=DirectoryQuery(), page=0, page_size=8)
    second, _ = search_directory(session, actor=ANYONE, query=DirectoryQuery(), page=1, page_size=8)
    third, _ = search_directory(session, actor=ANYONE, query=DirectoryQuery(), page=2, page_size=8)
    assert total == 56  # 16 facilities (6 of them ambulatory surgery centers), 40 providers
    assert [r.kind for r in first] == ["Facility"] * 8
    assert [r.kind for r in second] == ["Facility"] * 8
    assert [r.kind for r in third] == ["Provider"] * 8
    assert {r.npi for r in first}.isdisjoint({r.npi for r in second})
    assert {r.npi for r in second}.isdisjoint({r.npi for r in third})


def test_network_status_per_plan_and_unregistered_sites_without_a_score(session):
    # The order by score and distance is tested in test_site_ranking.py.
    load_demo_data(session)
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    rows, _ = search_directory(
        session,
        actor=ANYONE,
        query=DirectoryQuery(plan_id=plan.id, kind="facility", sort="quality"),
        page_size=20,
    )
    assert {r.network for r in rows} == {"In network", "Out of network"}
    assert "Not registered (no score)" in {r.quality_score for r in rows}


def test_search_by_npi_zip_or_specialty(session):
    load_demo_data(session)
    rows, _ = search_directory(
        session, actor=ANYONE, query=DirectoryQuery(text="Sleep medicine", kind="provider")
    )
    assert rows and all(r.detail == "Sleep medicine" for r in rows)
    one, total = search_directory(session, actor=ANYONE, query=DirectoryQuery(text=rows[0].npi))
    assert total == 1 and one[0].npi == rows[0].npi
