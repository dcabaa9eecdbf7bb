"""The "Confirm the member" box carries the member ID and the plan, to cross-check with the ID card
(seed 004: the office confirms the member against the card before requesting)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.models import HealthPlan
from portal_app.services import order_entry
from portal_app.services.demo_data import load_demo_data
from tests.conftest import BACKENDS
from tests.integration.order_helpers import TODAY, actor_for, member_by_number

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)


def test_a_member_found_and_a_resumed_draft_name_the_member_id_and_the_plan(session, demo_data):
    load_demo_data(session)
    office = actor_for(session, "ordering")
    member = member_by_number(session, "EVG100000012")
    plan = session.exec(select(HealthPlan).where(HealthPlan.id == member.plan_id)).one()
    order_id, _ = order_entry.start_draft(
        session,
        actor=office,
        plan_id=plan.id,
        program="imaging",
        service_date=TODAY + timedelta(days=7),
        today=TODAY,
    )

    [found] = order_entry.search_members(
        session, actor=office, order_id=order_id, member_number="EVG100000012"
    )
    assert (found.member_number, found.plan) == ("EVG100000012", plan.name)

    assert order_entry.choose_member(
        session, actor=office, order_id=order_id, member_id=member.id, confirmed=True
    ).ok
    snapshot = order_entry.get_draft(session, actor=office, order_id=order_id)
    assert snapshot.member is not None and snapshot.member.plan == plan.name
