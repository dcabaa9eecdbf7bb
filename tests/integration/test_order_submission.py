"""Submitting imaging requests through the services: every outcome, duplicates, retro dates, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from portal_app.domain.calendar import add_business_days
from portal_app.domain.enums import OrderStatus
from portal_app.models import Determination, Order, OrderLine, ReviewTask
from portal_app.services import order_entry as entry
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import get_order_summary
from tests.integration.order_helpers import LOW_BACK, SERVICE, TODAY
from tests.integration.order_helpers import actor_for as _actor
from tests.integration.order_helpers import draft_order as _draft
from tests.integration.order_helpers import member_by_number as _member


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def test_a_request_meeting_the_guideline_is_authorized_at_once_with_its_validity(demo):
    actor = _actor(demo)
    result = submit_order(demo, actor=actor, order_id=_draft(demo, actor), today=TODAY)
    assert result.submitted and result.status == "Authorized"
    summary = get_order_summary(demo, actor=actor, order_number=result.order_number)
    [line] = summary.lines
    assert (line.valid_from, line.valid_until) == ("2026-12-07", "2027-01-05")  # 30 days, EVG
    assert any(c.startswith("Met:") for c in line.criteria)
    order = demo.exec(select(Order).where(Order.order_number == result.order_number)).one()
    assert order.initial_outcome == "approved_by_rules" and 0 <= order.decision_hours < 0.01


def test_the_same_request_without_conservative_care_pends_for_a_nurse(demo):
    actor = _actor(demo)
    details = {**LOW_BACK, "weeks_conservative_care": 0, "weeks_of_symptoms": 2}
    result = submit_order(demo, actor=actor, order_id=_draft(demo, actor, details=details), today=TODAY)
    assert result.status == "In Progress"
    order = demo.exec(select(Order).where(Order.order_number == result.order_number)).one()
    task = demo.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).one()
    assert task.queue == "nurse" and task.reason
    assert (task.program, task.urgency, order.initial_outcome) == ("imaging", "standard", "")
    determination = demo.exec(
        select(Determination).join(OrderLine).where(OrderLine.order_id == order.id)
    ).one()
    assert determination.decided_by == "rules_engine"


def test_a_notification_only_code_completes_without_review(demo):
    actor = _actor(demo)
    details = {
        "modality": "cardiac_ct",
        "body_part": "heart",
        "clinical_indication": "chest_pain",
        "site_of_care": "free_standing",
        "cardiac": {"chest_pain_type": "atypical", "risk_factors": ["smoking"], "prior_tests": []},
    }
    result = submit_order(
        demo, actor=actor, order_id=_draft(demo, actor, details=details, code="75571"), today=TODAY
    )
    assert result.status == "Completed"


HEART_EXAM = {
    "modality": "mpi",
    "body_part": "heart",
    "clinical_indication": "chest_pain",
    "site_of_care": "free_standing",
}


def test_an_adults_cardiac_pre_exam_is_voluntary_answered_it_approves_skipped_it_pends(demo):
    # Program FAQ (shared/seeds/001): the pre-exam questions for MPI (and cardiac CT/CTA, cardiac
    # PET, stress echo) are voluntary; completing them makes the order number come sooner. Members
    # aged 76 and 65 (F): typical angina is well above 15% pre-test probability (ESC 2019 table).
    actor = _actor(demo)
    answered = {
        **HEART_EXAM,
        "cardiac": {"chest_pain_type": "typical", "risk_factors": [], "prior_tests": []},
    }
    result = submit_order(
        demo,
        actor=actor,
        order_id=_draft(demo, actor, member="EVG100000020", details=answered, code="78452"),
        today=TODAY,
    )
    [line] = get_order_summary(demo, actor=actor, order_number=result.order_number).lines
    assert result.status == "Authorized", line.reason

    skipped_id = _draft(demo, actor, member="EVG100000024", details=HEART_EXAM, code="78452")
    assert entry.get_draft(demo, actor=actor, order_id=skipped_id).details.get("cardiac") is None
    result = submit_order(demo, actor=actor, order_id=skipped_id, today=TODAY)
    assert result.submitted and result.status == "In Progress"
    order = demo.exec(select(Order).where(Order.order_number == result.order_number)).one()
    task = demo.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).one()
    assert task.queue == "nurse"
    [line] = get_order_summary(demo, actor=actor, order_number=result.order_number).lines
    assert "pre-exam questions were skipped" in line.reason


def test_a_code_the_plan_does_not_manage_is_refused_before_submit(demo):
    actor = _actor(demo)
    plan_id = _member(demo, "EVG100000012").plan_id
    order_id, _ = entry.start_draft(
        demo, actor=actor, plan_id=plan_id, program="imaging", service_date=SERVICE, today=TODAY
    )
    entry.choose_member(
        demo, actor=actor, order_id=order_id, member_id=_member(demo, "EVG100000012").id, confirmed=True
    )
    result = entry.save_program_details(
        demo, actor=actor, order_id=order_id, details=LOW_BACK, codes=["78430"]
    )
    assert "Contact the health plan" in result.errors["codes"]


def test_an_overlapping_request_is_flagged_and_if_submitted_goes_to_a_nurse(demo):
    actor = _actor(demo)
    first = submit_order(demo, actor=actor, order_id=_draft(demo, actor, member="EVG100000016"), today=TODAY)
    second_id = _draft(demo, actor, member="EVG100000016", service=SERVICE + timedelta(days=10))
    notice = submit_order(demo, actor=actor, order_id=second_id, today=TODAY)
    assert not notice.submitted and [d.order_number for d in notice.duplicates] == [first.order_number]
    second = submit_order(demo, actor=actor, order_id=second_id, duplicates_acknowledged=True, today=TODAY)
    assert second.status == "In Progress"
    order = demo.exec(select(Order).where(Order.order_number == second.order_number)).one()
    assert order.duplicate_of == first.order_number


def test_a_service_performed_more_than_two_business_days_ago_is_refused(demo):
    actor = _actor(demo)
    plan_id = _member(demo, "EVG100000012").plan_id
    five_back = add_business_days(TODAY, -5)
    order_id, result = entry.start_draft(
        demo, actor=actor, plan_id=plan_id, program="imaging", service_date=five_back, today=TODAY
    )
    assert order_id is None and "2 business days" in result.errors["service_date"]
    two_back = add_business_days(TODAY, -2)
    order_id, result = entry.start_draft(
        demo, actor=actor, plan_id=plan_id, program="imaging", service_date=two_back, today=TODAY
    )
    assert result.ok


def test_a_repeated_submit_returns_the_first_order(demo):
    actor = _actor(demo)
    order_id = _draft(demo, actor)
    first = submit_order(demo, actor=actor, order_id=order_id, today=TODAY)
    again = submit_order(demo, actor=actor, order_id=order_id, today=TODAY)
    assert again.order_number == first.order_number
    assert (
        demo.exec(select(func.count()).select_from(Order).where(Order.order_number.is_not(None))).one() == 3
    )


def test_another_user_cannot_touch_a_draft(demo):
    order_id = _draft(demo, _actor(demo))
    other = _actor(demo, "ordering2")
    with pytest.raises(entry.DraftNotFound):
        entry.save_diagnoses(demo, actor=other, order_id=order_id, codes=["M54.50"])
    with pytest.raises(entry.DraftNotFound):
        submit_order(demo, actor=other, order_id=order_id, today=TODAY)


def test_the_draft_survives_and_resumes_with_everything_saved(demo):
    actor = _actor(demo)
    order_id = _draft(demo, actor)
    snapshot = entry.get_draft(demo, actor=actor, order_id=order_id)
    assert snapshot.codes == ("72148",) and snapshot.diagnoses[0][0] == "M54.50"
    assert (
        snapshot.details["weeks_conservative_care"] == 8 and snapshot.member.member_number == "EVG100000012"
    )
    assert OrderStatus(demo.get(Order, order_id).status) == OrderStatus.DRAFT
