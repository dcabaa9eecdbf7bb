"""The demo data is complete, realistic in shape, and safe to load twice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from portal_app.domain.enums import FacilityType, NetworkStatus, Role, UserStatus
from portal_app.domain.identifiers import is_valid_npi
from portal_app.models import (
    Facility,
    FacilityCostLevel,
    HealthPlan,
    Member,
    NetworkParticipation,
    PlanProgram,
    Practice,
    PracticeMembership,
    Provider,
    User,
)
from portal_app.services.demo_data import (
    COVERAGE_DEMO_MEMBERS,
    DEMO_ACCOUNTS,
    DEMO_COST_LEVELS,
    MEMBER_COUNT,
    load_demo_data,
)
from portal_app.services.passwords import verify_password
from tests.conftest import BACKENDS

COUNTED = [
    HealthPlan,
    PlanProgram,
    Practice,
    PracticeMembership,
    Provider,
    Facility,
    FacilityCostLevel,
    NetworkParticipation,
    Member,
    User,
]


def _row_counts(session) -> dict[str, int]:
    return {m.__tablename__: session.exec(select(func.count()).select_from(m)).one() for m in COUNTED}


@pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)
def test_loading_twice_leaves_the_same_row_counts(session):
    first = load_demo_data(session)
    counts = _row_counts(session)
    second = load_demo_data(session)
    assert first.added["members"] == MEMBER_COUNT + len(COVERAGE_DEMO_MEMBERS)
    assert second.added == {}
    assert _row_counts(session) == counts


def test_the_demo_has_what_the_features_need(session, demo_data):
    load_demo_data(session)
    counts = _row_counts(session)
    assert counts["health_plans"] >= 3
    assert counts["practices"] == 3
    assert counts["providers"] == 40
    assert counts["facilities"] == 10 + 6  # and one ambulatory surgery center per demo city
    assert counts["facility_cost_levels"] == len(DEMO_COST_LEVELS)
    assert counts["members"] == MEMBER_COUNT + len(COVERAGE_DEMO_MEMBERS)

    programs_by_plan = {}
    for row in session.exec(select(PlanProgram)).all():
        programs_by_plan.setdefault(row.plan_id, set()).add(row.program)
    assert len({frozenset(p) for p in programs_by_plan.values()}) == len(programs_by_plan)

    npis = session.exec(select(Provider.npi)).all() + session.exec(select(Facility.npi)).all()
    assert all(is_valid_npi(npi) for npi in npis)

    statuses = set(session.exec(select(NetworkParticipation.status)).all())
    assert statuses == {NetworkStatus.IN_NETWORK, NetworkStatus.OUT_OF_NETWORK}
    types = set(session.exec(select(Facility.facility_type)).all())
    assert {
        FacilityType.HOSPITAL_OUTPATIENT,
        FacilityType.FREE_STANDING,
        FacilityType.PHYSICIAN_OFFICE,
        FacilityType.AMBULATORY_SURGERY_CENTER,
    } <= types


def test_members_include_a_child_under_19_and_an_ended_eligibility(session, demo_data):
    load_demo_data(session)
    today = date.today()
    births = session.exec(select(Member.date_of_birth)).all()
    assert any((today - born).days < 19 * 365 for born in births)
    assert session.exec(select(Member).where(Member.eligibility_end < today)).first() is not None


def test_one_active_account_per_role_with_the_documented_password(session, demo_data):
    load_demo_data(session)
    users = {u.email: u for u in session.exec(select(User)).all()}
    assert {Role(u.role) for u in users.values()} == set(Role)
    for account in DEMO_ACCOUNTS:
        user = users[account.email]
        assert user.status == UserStatus.ACTIVE
        assert verify_password(user.password_hash, account.password)
