"""A plan's set-up on screen (services/plan_setup.py): delegations per line of business with dates,
validity days from a date, letter contacts from a date; each read where it matters and audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import or_, select

from portal_app.models import AuditEvent, HealthPlan, Member, Order, PlanProgram
from portal_app.services import order_entry as entry
from portal_app.services import plan_setup
from portal_app.services.authz import PermissionDenied
from portal_app.services.letters import appeal_terms
from portal_app.services.order_submission import approval_window
from tests.conftest import BACKENDS
from tests.integration.order_helpers import SERVICE, TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)


def _plan(session, code="EVG") -> HealthPlan:
    return session.exec(select(HealthPlan).where(HealthPlan.code == code)).one()


def _imaging(session, plan) -> PlanProgram:
    return session.exec(
        select(PlanProgram).where(PlanProgram.plan_id == plan.id, PlanProgram.program == "imaging")
    ).one()


def _member_of(session, plan, line: str) -> Member:
    return session.exec(
        select(Member).where(
            Member.plan_id == plan.id,
            Member.line_of_business == line,
            Member.eligibility_start <= date(2026, 12, 1),
            or_(Member.eligibility_end.is_(None), Member.eligibility_end >= date(2026, 12, 31)),
        )
    ).first()


def _choose(session, actor, member: Member, service: date):
    order_id, started = entry.start_draft(
        session, actor=actor, plan_id=member.plan_id, program="imaging", service_date=service, today=TODAY
    )
    assert started.ok, started.errors
    return entry.choose_member(session, actor=actor, order_id=order_id, member_id=member.id, confirmed=True)


def test_a_delegation_for_one_line_of_business_takes_effect_on_its_date(session, demo_data):
    support, office = actor_for(session, "support"), actor_for(session, "ordering")
    plan = _plan(session)
    switch = date(2026, 12, 10)
    plan_setup.end_delegation(
        session, actor=support, delegation_id=_imaging(session, plan).id, last_day=switch
    )
    plan_setup.add_delegation(
        session,
        actor=support,
        plan_id=plan.id,
        program="imaging",
        line_of_business="commercial_hmo_pos",
        delegated_from=date(2026, 12, 11),
        delegated_until=None,
        validity_days=None,
    )
    commercial = _member_of(session, plan, "commercial_hmo_pos")
    medicare = session.exec(  # the demo's EVG members are all commercial: one moves to Medicare Advantage
        select(Member).where(
            Member.plan_id == plan.id, Member.id != commercial.id, Member.eligibility_end.is_(None)
        )
    ).first()
    medicare.line_of_business = "medicare_advantage"
    session.add(medicare)
    session.commit()
    assert _choose(session, office, medicare, date(2026, 12, 7)).ok  # before the change
    refused = _choose(session, office, medicare, date(2026, 12, 14))
    assert "does not delegate" in refused.errors["member"]
    assert _choose(session, office, commercial, date(2026, 12, 14)).ok
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.record_type == "plan")).all()
    assert {"plan.program_ended", "plan.program_delegated"} <= set(actions)


def test_validity_days_changed_from_a_date_apply_to_services_from_that_date(session, demo_data):
    support, office = actor_for(session, "support"), actor_for(session, "ordering")
    plan = _plan(session)
    before = session.get(Order, draft_order(session, office, service=SERVICE))
    window = approval_window(session, before)
    assert (window.end - window.start).days + 1 == 30  # the program's usual length for EVG
    plan_setup.change_validity(
        session,
        actor=support,
        delegation_id=_imaging(session, plan).id,
        validity_days=60,
        effective=date(2026, 12, 8),
    )
    assert approval_window(session, before) == window  # service on 12/07: the old length
    later = session.get(Order, draft_order(session, office, service=date(2026, 12, 9)))
    window = approval_window(session, later)
    assert (window.start, (window.end - window.start).days + 1) == (date(2026, 12, 9), 60)


def test_a_program_with_its_own_validity_rule_takes_no_days(session, demo_data):
    support = actor_for(session, "support")
    plan = _plan(session, "SUM")
    for program, days, words in (
        ("musculoskeletal", 90, "rule of their own"),
        ("imaging", 9999, "from 1 to"),
    ):
        with pytest.raises(plan_setup.PlanSetupRefused, match=words):
            plan_setup.add_delegation(
                session,
                actor=support,
                plan_id=plan.id,
                program=program,
                line_of_business="",
                delegated_from=date(2027, 1, 1),
                delegated_until=None,
                validity_days=days,
            )


def test_letters_give_the_contact_in_force_on_their_date(session, demo_data):
    support = actor_for(session, "support")
    plan = _plan(session)
    for effective, phone in ((date(2026, 1, 1), "312-555-0100"), (date(2027, 1, 1), "312-555-0199")):
        plan_setup.add_letter_contact(
            session,
            actor=support,
            plan_id=plan.id,
            effective_from=effective,
            appeals_address="Appeals, PO Box 100, Springfield, IL 62701",
            phone=phone,
            fax="3125550101",
        )
    contact = plan_setup.letter_contact_on(session, plan_id=plan.id, on=date(2026, 12, 4))
    route, _ = appeal_terms(
        "commercial_hmo_pos", plan_name=plan.name, letter_date=date(2026, 12, 4), contact=contact
    )
    assert "PO Box 100" in route and "312-555-0100" in route and "fax 312-555-0101" in route
    assert plan_setup.letter_contact_on(session, plan_id=plan.id, on=date(2027, 1, 2)).phone == "312-555-0199"


def test_plans_are_created_and_lines_in_use_are_kept(session, demo_data):
    support = actor_for(session, "support")
    plan_id = plan_setup.create_plan(
        session, actor=support, code="nwp", name="New Plan (demo)", lines=["medicaid"]
    )
    detail = plan_setup.plan_detail(session, actor=support, plan_id=plan_id, today=TODAY)
    assert (detail.code, detail.lines, detail.delegations) == ("NWP", ("medicaid",), ())
    with pytest.raises(plan_setup.PlanSetupRefused):
        plan_setup.create_plan(session, actor=support, code="NWP", name="Again", lines=["medicaid"])
    evg = _plan(session)
    with pytest.raises(plan_setup.PlanSetupRefused, match="cannot be removed"):
        plan_setup.save_plan(
            session,
            actor=support,
            plan_id=evg.id,
            name=evg.name,
            standard_review_days=7,
            lines=["medicare_advantage"],
        )
    plan_setup.save_plan(
        session,
        actor=support,
        plan_id=plan_id,
        name="New Plan (demo)",
        standard_review_days=5,
        lines=["medicaid", "dual"],
    )
    assert plan_setup.plan_detail(session, actor=support, plan_id=plan_id, today=TODAY).lines == (
        "dual",
        "medicaid",
    )
    with pytest.raises(PermissionDenied):
        plan_setup.list_plans(session, actor=actor_for(session, "nurse"))
