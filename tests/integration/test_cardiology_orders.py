"""Cardiology requests through the services, on SQLite and PostgreSQL: the plan's echo routing
(program_routings, services/program_routing.program_for) and ICD decisions under CMS NCD 20.4.

Demo data: Lakeshore (LKS) delegates cardiology from 2026-01-01 and routes echocardiography to it from
2027-01-01 (programs/cardiology/demo.py); Evergreen (EVG) keeps echo in imaging.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from portal_app.domain.enums import Program
from portal_app.models import AuditEvent, HealthPlan, Order, OrderLine, ProgramRouting
from portal_app.services import order_entry as entry
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.program_routing import program_for
from tests.conftest import BACKENDS
from tests.integration.order_helpers import SERVICE, TODAY, draft_order
from tests.integration.order_helpers import actor_for as _actor

LKS_MEMBER, EVG_MEMBER = "LKS100000013", "EVG100000012"
ECHO_SERVICE = date(2027, 1, 4)  # a Monday once Lakeshore routes echo to cardiology
ECHO_IN_IMAGING = {
    "modality": "tte",
    "body_part": "heart",
    "clinical_indication": "other",
    "site_of_care": "free_standing",
}
ECHO_IN_CARDIOLOGY = {"procedure": "tte", "indication": "suspected_heart_failure"}
# CMS NCD 20.4 primary prevention: ischaemic cardiomyopathy, LVEF <= 30%, MI more than 40 days ago,
# shared decision-making documented.
ICD_MEETING_NCD = {
    "procedure": "icd",
    "indication": "icd_primary_prevention",
    "cardiomyopathy": "ischemic",
    "lvef_pct": 25,
    "days_since_mi": 90,
    "nyha_class": "II",
    "findings": ["shared_decision_documented"],
}

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _plan_id(session, code: str) -> int:
    return session.exec(select(HealthPlan).where(HealthPlan.code == code)).one().id


def _imaging_draft(session, actor, member: str) -> int:
    """A complete imaging draft (a lumbar MRI); the tests answer its program step again with an echo,
    the office never saying which program reviews echo."""
    return draft_order(session, actor, member=member, service=ECHO_SERVICE)


def test_an_echo_for_the_plan_that_delegates_echo_to_cardiology_becomes_a_cardiology_request(demo):
    actor = _actor(demo)
    order_id = _imaging_draft(demo, actor, LKS_MEMBER)
    moved = entry.save_program_details(
        demo, actor=actor, order_id=order_id, details=ECHO_IN_IMAGING, codes=["93306"]
    )
    assert moved.errors == {entry.ROUTED: "cardiology"}
    order = demo.get(Order, order_id)
    demo.refresh(order)
    assert order.program == Program.CARDIOLOGY and order.details == {}
    assert demo.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all() == []
    assert demo.exec(select(AuditEvent).where(AuditEvent.action == "order.program_routed")).one()

    saved = entry.save_program_details(
        demo, actor=actor, order_id=order_id, details=ECHO_IN_CARDIOLOGY, codes=["93306"]
    )
    assert saved.ok, saved.errors
    result = submit_order(demo, actor=actor, order_id=order_id, today=TODAY)
    assert result.submitted and result.status == "Authorized"  # ACCF/ASE 2011 echo AUC: suspected HF
    order = demo.exec(select(Order).where(Order.order_number == result.order_number)).one()
    assert order.program == Program.CARDIOLOGY


def test_the_same_echo_for_another_plan_stays_an_imaging_request(demo):
    actor = _actor(demo)
    order_id = _imaging_draft(demo, actor, EVG_MEMBER)
    saved = entry.save_program_details(
        demo, actor=actor, order_id=order_id, details=ECHO_IN_IMAGING, codes=["93306"]
    )
    assert saved.ok, saved.errors
    assert demo.get(Order, order_id).program == Program.IMAGING
    result = submit_order(demo, actor=actor, order_id=order_id, today=TODAY)
    order = demo.exec(select(Order).where(Order.order_number == result.order_number)).one()
    assert result.submitted and order.program == Program.IMAGING


def test_the_routing_is_plan_data_with_dates(demo):
    lakeshore, evergreen = _plan_id(demo, "LKS"), _plan_id(demo, "EVG")

    def routed(plan_id: int, on: date, code: str = "93350") -> Program:
        return program_for(demo, plan_id=plan_id, service_code=code, on_date=on, default=Program.IMAGING)

    assert routed(lakeshore, ECHO_SERVICE) == Program.CARDIOLOGY
    assert routed(lakeshore, SERVICE) == Program.IMAGING  # 2026: before the routing starts
    assert routed(lakeshore, ECHO_SERVICE, code="72148") == Program.IMAGING  # not an echo code
    assert routed(evergreen, ECHO_SERVICE) == Program.IMAGING
    # The plan takes echo back to imaging from July 2027: a new row from that date wins from then on.
    demo.add(
        ProgramRouting(
            plan_id=lakeshore,
            service_group="echocardiography",
            program=Program.IMAGING,
            starts_on=date(2027, 7, 1),
            source="test",
        )
    )
    demo.commit()
    assert routed(lakeshore, date(2027, 6, 30)) == Program.CARDIOLOGY
    assert routed(lakeshore, date(2027, 7, 1)) == Program.IMAGING


def test_an_icd_meeting_ncd_20_4_primary_prevention_is_approved_at_once(demo):
    actor = _actor(demo)
    order_id = draft_order(
        demo,
        actor,
        member=LKS_MEMBER,
        program="cardiology",
        details=ICD_MEETING_NCD,
        code="33249",
        diagnoses=("I25.5",),
    )
    result = submit_order(demo, actor=actor, order_id=order_id, today=TODAY)
    assert result.submitted and result.status == "Authorized"


def test_an_icd_not_meeting_ncd_20_4_pends_for_review(demo):
    actor = _actor(demo)
    too_soon = {**ICD_MEETING_NCD, "days_since_mi": 20, "lvef_pct": 40}  # MI in the past 40 days, LVEF 40%
    order_id = draft_order(
        demo,
        actor,
        member=LKS_MEMBER,
        program="cardiology",
        details=too_soon,
        code="33249",
        diagnoses=("I25.5",),
    )
    result = submit_order(demo, actor=actor, order_id=order_id, today=TODAY)
    assert result.submitted and result.status == "In Progress"
