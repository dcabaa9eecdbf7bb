"""After a request pends, the office's side of the conversation (issue 18): peer-to-peer on request
(immediate for interventional pain, scheduled for spine and joint surgery), the alerts, the pend
clock run by the upkeep (never a decision), live review and call back; and the refusals."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from portal_app import clock
from portal_app.domain.enums import LineDecision, NoticeKind, PeerToPeerStatus, ReviewQueue, TaskFlag
from portal_app.models import (
    AuditEvent,
    Determination,
    HealthPlan,
    Member,
    Notice,
    Order,
    OrderLine,
    OutboxEmail,
    PeerToPeerAppointment,
    ReviewerProfile,
    ReviewTask,
)
from portal_app.services import conversation, metrics, notices, review
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import OrderNotFound, add_clinical_information
from portal_app.services.review import ActionRefused
from portal_app.services.upkeep import run_review_upkeep
from portal_app.settings import get_settings
from tests.conftest import BACKENDS
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # TODAY, the week of Thanksgiving
EPIDURAL_PENDING = {
    "category": "pain",
    "procedure": "epidural_injection",
    "setting": "outpatient",
    "spine_region": "lumbar",
    "levels": 1,
    "weeks_conservative_care": 0,
    "imaging_findings": [],
}
FUSION_PENDING = {
    "category": "spine",
    "procedure": "lumbar_fusion",
    "setting": "inpatient",
    "levels": 1,
    "weeks_conservative_care": 0,
    "imaging_findings": [],
}


@pytest.fixture
def demo(session, demo_data, monkeypatch, tmp_path):
    """Demo data (the pain physician available now), letters under tmp_path, the clock on TODAY 9:00."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    load_demo_data(session)
    with clock.frozen_at(MONDAY_9AM) as frozen:
        yield session, frozen
    get_settings.cache_clear()


def _submitted(session, office, *, member: str, **draft) -> str:
    result = submit_order(
        session, actor=office, order_id=draft_order(session, office, member=member, **draft), today=TODAY
    )
    assert result.status == "In Progress", result
    return result.order_number


def _epidural(session, office, member="EVG100000012") -> str:
    return _submitted(
        session,
        office,
        member=member,
        program="musculoskeletal",
        details=EPIDURAL_PENDING,
        codes=["62323"],
        diagnoses=["M54.16"],
    )


def _fusion(session, office, member="EVG100000016") -> str:
    return _submitted(
        session,
        office,
        member=member,
        program="musculoskeletal",
        details=FUSION_PENDING,
        codes=["22612"],
        diagnoses=["M43.16"],
    )


def _mri(session, office, member="EVG100000020") -> str:
    return _submitted(session, office, member=member, details=PENDING_LOW_BACK)


def _order(session, number: str) -> Order:
    order = session.exec(select(Order).where(Order.order_number == number)).one()
    session.refresh(order)
    return order


def _calls(session, number: str) -> list[PeerToPeerAppointment]:
    order = _order(session, number)
    calls = session.exec(
        select(PeerToPeerAppointment)
        .where(PeerToPeerAppointment.order_id == order.id)
        .order_by(PeerToPeerAppointment.id)
    ).all()
    for call in calls:
        session.refresh(call)
    return list(calls)


def _open_task(session, number: str) -> ReviewTask:
    order = _order(session, number)
    task = session.exec(
        select(ReviewTask)
        .where(ReviewTask.order_id == order.id, ReviewTask.status.in_(("open", "claimed")))
        .order_by(ReviewTask.id.desc())
    ).first()
    session.refresh(task)
    return task


def _phi_of(session, number: str) -> list[str]:
    member = session.get(Member, _order(session, number).member_id)
    return [member.first_name, member.last_name, member.member_number, member.date_of_birth.isoformat()]


# --- peer-to-peer asked for by the office ------------------------------------------------------


def test_an_epidural_asks_for_an_immediate_call_that_rings_the_available_pain_physician_first(demo):
    db, _ = demo
    office, physician, appeals = actor_for(db), actor_for(db, "physician"), actor_for(db, "appeals")
    number = _epidural(db, office)
    options = conversation.office_call_options(db, actor=office, order_number=number)
    assert options.may_request and options.mode == "immediate" and options.physician_free_now
    # Ada (spine surgery) is made available too: the pain-medicine physician still fits first.
    db.get(ReviewerProfile, appeals.user_id).available_now = True
    db.commit()

    assert (
        conversation.request_peer_to_peer(db, actor=office, order_number=number, callback_phone="555-0142")
        == "rung"
    )
    [call] = _calls(db, number)
    assert (call.status, call.mode, call.reviewer_id) == ("requested", "immediate", physician.user_id)
    assert call.respond_by.replace(tzinfo=UTC) == MONDAY_9AM + timedelta(minutes=15)
    [request] = conversation.call_requests(db, actor=physician)
    assert (request.order_number, request.kind, request.phone) == (number, "Call now", "555-0142")
    assert request.time_left == "15 min to answer"
    assert conversation.call_requests(db, actor=appeals) == []
    # The physician holds the call and records it; the case's review goes on.
    review.record_peer_to_peer_outcome(
        db, actor=physician, appointment_id=call.id, outcome="Discussed; imaging report to follow."
    )
    assert _calls(db, number)[0].status == PeerToPeerStatus.COMPLETED
    # Asked twice while a call is arranged: refused.
    conversation.request_peer_to_peer(db, actor=office, order_number=number, callback_phone="555-0142")
    with pytest.raises(ActionRefused):
        conversation.request_peer_to_peer(db, actor=office, order_number=number, callback_phone="555-0142")


def test_with_no_physician_free_the_immediate_call_falls_back_to_scheduling(demo):
    db, frozen = demo
    office, physician, appeals = actor_for(db), actor_for(db, "physician"), actor_for(db, "appeals")
    number = _epidural(db, office)
    conversation.set_available_now(db, actor=physician, available=False)
    assert not conversation.office_call_options(db, actor=office, order_number=number).physician_free_now
    with pytest.raises(ActionRefused, match="No physician reviewer is free"):
        conversation.request_peer_to_peer(db, actor=office, order_number=number, callback_phone="555-0142")
    times = [MONDAY_9AM + timedelta(days=1, hours=h) for h in (0, 2)]
    assert (
        conversation.request_peer_to_peer(
            db, actor=office, order_number=number, callback_phone="555-0142", proposed_times=times
        )
        == "proposed"
    )
    proposed = conversation.call_requests(db, actor=appeals)
    assert [r.kind for r in proposed] == ["Proposed time", "Proposed time"]
    conversation.accept_proposed_time(db, actor=appeals, appointment_id=proposed[1].appointment_id)
    statuses = [(c.status, c.reviewer_id) for c in _calls(db, number)]
    assert statuses == [("cancelled", None), ("scheduled", appeals.user_id)]
    # The office is told, in the portal and by an e-mail holding only a link.
    [notice] = notices.list_notices(db, actor=office, order_number=number)
    assert notice.kind == NoticeKind.PEER_TO_PEER_SCHEDULED
    mail = db.exec(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert f"/orders/{number}" in mail.body and mail.kind == "order_notice"
    assert not any(mark in mail.body or mark in mail.subject for mark in _phi_of(db, number))
    # A ringing call nobody answers in time falls back too (the upkeep marks it missed, the office is told).
    other = _epidural(db, office, member="EVG100000024")
    conversation.set_available_now(db, actor=physician, available=True)
    conversation.request_peer_to_peer(db, actor=office, order_number=other, callback_phone="555-0142")
    frozen.advance(minutes=16)
    assert run_review_upkeep(db) == (1, 0)
    lapsed = _calls(db, other)[0]
    assert (lapsed.status, lapsed.outcome) == (PeerToPeerStatus.CANCELLED, conversation.LAPSED)
    options = conversation.office_call_options(db, actor=office, order_number=other)
    assert options.may_request and any(conversation.LAPSED in line for line in options.calls)
    # The physician's own lapse is no ground for the "no response" reason.
    assert not review.open_case(db, actor=physician, order_number=other).no_response_reason


def test_a_fusion_schedules_its_call_at_a_time_a_physician_published(demo):
    db, _ = demo
    office, appeals = actor_for(db), actor_for(db, "appeals")
    number = _fusion(db, office)
    options = conversation.office_call_options(db, actor=office, order_number=number)
    assert options.mode == "scheduled" and options.published == ()
    with pytest.raises(ActionRefused, match="schedules its calls"):
        conversation.request_peer_to_peer(db, actor=office, order_number=number, callback_phone="555-0142")
    conversation.publish_time(db, actor=appeals, starts_at=MONDAY_9AM + timedelta(days=2))
    with pytest.raises(ActionRefused):
        conversation.publish_time(db, actor=appeals, starts_at=MONDAY_9AM - timedelta(hours=1))
    [(published_id, label)] = conversation.office_call_options(
        db, actor=office, order_number=number
    ).published
    assert "Spine surgery" in label
    assert (
        conversation.request_peer_to_peer(
            db, actor=office, order_number=number, callback_phone="555-0142", published_id=published_id
        )
        == "scheduled"
    )
    [call] = _calls(db, number)
    assert (call.id, call.status, call.reviewer_id) == (published_id, "scheduled", appeals.user_id)
    assert conversation.office_call_options(db, actor=office, order_number=number).published == ()
    # The physician records that the call did not take place: missed, and the office is told.
    review.record_peer_to_peer_outcome(
        db, actor=appeals, appointment_id=call.id, outcome="Nobody answered at the number given.", held=False
    )
    assert _calls(db, number)[0].status == PeerToPeerStatus.MISSED
    assert [n.kind for n in notices.list_notices(db, actor=office, order_number=number)] == [
        "peer_to_peer_missed"
    ]


def test_a_peer_to_peer_can_be_asked_for_after_the_decision(demo):
    db, _ = demo
    office, physician = actor_for(db), actor_for(db, "physician")
    number = _epidural(db, office)
    nurse = actor_for(db, "nurse")
    view = review.open_case(db, actor=nurse, order_number=number)
    review.approve_line(db, actor=nurse, order_number=number, line_number=1, version=view.version)
    assert _order(db, number).status == "authorized"
    assert (
        conversation.request_peer_to_peer(db, actor=office, order_number=number, callback_phone="555-0142")
        == "rung"
    )
    assert _calls(db, number)[0].reviewer_id == physician.user_id


def test_refusals_another_practices_order_a_nurse_recording_an_outcome_an_outsider_reading_notices(demo):
    db, _ = demo
    office, other_office = actor_for(db), actor_for(db, "ordering2")
    nurse = actor_for(db, "nurse")
    number = _epidural(db, office)
    with pytest.raises(OrderNotFound):
        conversation.request_peer_to_peer(
            db, actor=other_office, order_number=number, callback_phone="555-0142"
        )
    with pytest.raises(OrderNotFound):
        conversation.office_call_options(db, actor=other_office, order_number=number)
    with pytest.raises(OrderNotFound):
        conversation.ask_live_review(
            db, actor=other_office, order_number=number, returning_on=TODAY + timedelta(days=1)
        )
    assert _calls(db, number) == []
    denied = db.exec(select(AuditEvent).where(AuditEvent.action == "order.read_denied")).all()
    assert any(e.user_id == other_office.user_id for e in denied)
    with pytest.raises(PermissionDenied):
        conversation.request_peer_to_peer(db, actor=nurse, order_number=number, callback_phone="555-0142")

    conversation.request_peer_to_peer(db, actor=office, order_number=number, callback_phone="555-0142")
    [call] = _calls(db, number)
    with pytest.raises(PermissionDenied):
        review.record_peer_to_peer_outcome(db, actor=nurse, appointment_id=call.id, outcome="Held.")
    with pytest.raises(PermissionDenied):
        conversation.set_available_now(db, actor=nurse, available=True)
    with pytest.raises(PermissionDenied):
        conversation.call_requests(db, actor=office)
    assert _calls(db, number)[0].status == "requested"

    # Notices are their recipient's: the other office neither sees nor marks them.
    view = review.open_case(db, actor=nurse, order_number=number)
    review.request_information(
        db, actor=nurse, order_number=number, version=view.version, message="Notes please."
    )
    [notice] = notices.list_notices(db, actor=office)
    assert notices.list_notices(db, actor=other_office) == []
    with pytest.raises(notices.NoticeNotFound):
        notices.mark_read(db, actor=other_office, notice_id=notice.notice_id)
    assert db.get(Notice, notice.notice_id).read_at is None
    notices.mark_read(db, actor=office, notice_id=notice.notice_id)
    assert notices.list_notices(db, actor=office) == []


# --- the pend clock ---------------------------------------------------------------------------


def test_a_case_pended_for_information_goes_to_a_physician_flagged_when_the_office_never_answers(demo):
    db, frozen = demo
    office, nurse, physician = actor_for(db), actor_for(db, "nurse"), actor_for(db, "physician")
    number = _mri(db, office)
    view = review.open_case(db, actor=nurse, order_number=number)
    review.request_information(
        db, actor=nurse, order_number=number, version=view.version, message="Send the therapy notes."
    )
    # The office is alerted: a notice and an e-mail with a link and no PHI.
    [notice] = notices.list_notices(db, actor=office)
    assert (notice.kind, notice.order_number) == (NoticeKind.INFORMATION_REQUESTED, number)
    mail = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "order_notice")).one()
    assert re.search(rf"/orders/{number}\b", mail.body)
    assert not any(mark in mail.body for mark in _phi_of(db, number))
    # Five business days from Monday 23 November: Thanksgiving (26th) does not count, so the office
    # has until the end of Tuesday 1 December.
    due = _open_task(db, number).office_reply_due
    assert due.replace(tzinfo=UTC) == datetime(2026, 12, 2, tzinfo=UTC)
    assert (
        "Answer by"
        in conversation.office_call_options(db, actor=office, order_number=number).waiting_for_office
    )

    frozen.move_to(datetime(2026, 12, 1, 23, 59, tzinfo=UTC))
    assert run_review_upkeep(db) == (0, 0)
    frozen.move_to(datetime(2026, 12, 2, 0, 0, tzinfo=UTC))
    assert run_review_upkeep(db) == (0, 1)
    assert run_review_upkeep(db) == (0, 0)  # once

    # Never a decision: the line still pends, nothing was determined after the rules engine.
    order = _order(db, number)
    assert order.status == "in_progress"
    line = db.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert line.decision == LineDecision.PENDED
    decided = db.exec(select(Determination).where(Determination.order_line_id == line.id)).all()
    assert [d.decided_by for d in decided] == ["rules_engine"]
    task = _open_task(db, number)
    assert (task.queue, task.flag) == (ReviewQueue.PHYSICIAN, TaskFlag.NO_RESPONSE)
    rows, _ = review.list_queue(db, actor=physician, queue="physician", queue_filter=review.QueueFilter())
    assert next(r for r in rows if r.order_number == number).flag == "No response from the office"

    # The physician sees why, and denies with the specific reason (no peer-to-peer offer needed: the
    # office left the pend unanswered); the letter says so with the rights.
    view = review.open_case(db, actor=physician, order_number=number)
    assert view.flag == "No response from the office" and view.no_response_reason
    assert "deny" in view.actions
    review.deny_line(
        db,
        actor=physician,
        order_number=number,
        line_number=1,
        version=view.version,
        reason_code="no_response",
        text="The therapy notes asked for on 23 November were not sent.",
    )
    denial = db.exec(
        select(Determination).where(
            Determination.order_line_id == line.id, Determination.decision == "non_authorized"
        )
    ).one()
    assert denial.reason_code == "no_response" and denial.decided_by == "physician"
    from portal_app.services.letters import NO_RESPONSE_LETTER_TEXT, build_letter_contents, render_letter_pdf

    provider_letter, _member = build_letter_contents(db, order_id=order.id)
    assert provider_letter.lines[0].reason_code == "no_response" and provider_letter.reconsideration_deadline
    pdf = PdfReader(io.BytesIO(render_letter_pdf(provider_letter)))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "information we asked for was not provided" in text and "peer-to-peer" in text
    assert "Reconsideration by our physician reviewer" in text and "Appeal to the health plan" in text
    assert "reconsideration" in NO_RESPONSE_LETTER_TEXT


def test_the_no_response_reason_is_refused_while_the_office_was_not_left_unanswered(demo):
    db, _ = demo
    office, nurse, physician = actor_for(db), actor_for(db, "nurse"), actor_for(db, "physician")
    number = _mri(db, office)
    version = review.open_case(db, actor=nurse, order_number=number).version
    review.escalate(db, actor=nurse, order_number=number, version=version, note="Needs a physician.")
    review.offer_peer_to_peer(
        db, actor=physician, order_number=number, slots=[MONDAY_9AM + timedelta(days=1)]
    )
    view = review.open_case(db, actor=physician, order_number=number)
    assert not view.no_response_reason
    with pytest.raises(ActionRefused, match="Choose the criterion"):
        review.deny_line(
            db,
            actor=physician,
            order_number=number,
            line_number=1,
            version=view.version,
            reason_code="no_response",
            text="Not sent.",
        )


def test_an_answer_from_the_office_stops_the_clock_and_the_plan_sets_its_length(demo):
    db, frozen = demo
    office, nurse = actor_for(db), actor_for(db, "nurse")
    number = _mri(db, office)
    plan = db.get(HealthPlan, _order(db, number).plan_id)
    plan.pend_business_days = 2
    db.add(plan)
    db.commit()
    view = review.open_case(db, actor=nurse, order_number=number)
    review.request_information(db, actor=nurse, order_number=number, version=view.version, message="Notes?")
    # Two business days from Monday: the end of Wednesday.
    assert _open_task(db, number).office_reply_due.replace(tzinfo=UTC) == datetime(2026, 11, 26, tzinfo=UTC)
    add_clinical_information(db, actor=office, order_number=number, text="Therapy notes: six weeks of PT.")
    assert _open_task(db, number).office_reply_due is None
    frozen.advance(days=30)
    assert run_review_upkeep(db) == (0, 0)
    assert _open_task(db, number).queue == ReviewQueue.NURSE


def test_an_urgent_case_waits_72_hours_from_receipt(demo):
    db, frozen = demo
    office, nurse = actor_for(db), actor_for(db, "nurse")
    order_id = draft_order(
        db,
        office,
        member="EVG100000032",
        details=PENDING_LOW_BACK,
        urgency="urgent",
        urgency_reason="Progressive weakness in the left leg.",
    )
    number = submit_order(db, actor=office, order_id=order_id, today=TODAY).order_number
    frozen.advance(hours=5)
    view = review.open_case(db, actor=nurse, order_number=number)
    review.request_information(db, actor=nurse, order_number=number, version=view.version, message="Notes?")
    assert _open_task(db, number).office_reply_due.replace(tzinfo=UTC) == MONDAY_9AM + timedelta(hours=72)


# --- live review and call back ----------------------------------------------------------------


def test_live_review_goes_to_the_top_with_its_reason_and_a_call_back_alerts_the_office(demo):
    db, _ = demo
    office, nurse = actor_for(db), actor_for(db, "nurse")
    number = _mri(db, office)
    with pytest.raises(ActionRefused, match="date the patient returns"):
        conversation.ask_live_review(
            db, actor=office, order_number=number, returning_on=TODAY - timedelta(days=1)
        )
    conversation.ask_live_review(
        db,
        actor=office,
        order_number=number,
        returning_on=date(2026, 11, 24),
        reason="Back for the scan tomorrow.",
    )
    conversation.ask_call_back(db, actor=office, order_number=number)
    [top] = conversation.attention_rows(db, actor=nurse, queue="nurse")
    assert (top.order_number, top.flag) == (number, "Live review requested")
    view = review.open_case(db, actor=nurse, order_number=number)
    assert "returns on Tue 24 Nov 2026" in view.flag_note and "Back for the scan" in view.flag_note
    assert notices.list_notices(db, actor=office) == []
    review.approve_line(db, actor=nurse, order_number=number, line_number=1, version=view.version)
    [done] = notices.list_notices(db, actor=office)
    assert done.kind == NoticeKind.REVIEW_DONE
    assert conversation.attention_rows(db, actor=nurse, queue="nurse") == []
    with pytest.raises(ActionRefused, match="not waiting for a review"):
        conversation.ask_call_back(db, actor=office, order_number=number)
    with pytest.raises(PermissionDenied):
        conversation.attention_rows(db, actor=office, queue="nurse")
    actions = {e.action for e in db.exec(select(AuditEvent)).all()}
    assert {"order.live_review_requested", "order.call_back_requested"} <= actions
    figures = metrics.review_metrics(db, actor=nurse, date_from=TODAY, date_to=TODAY)
    assert (figures.live_reviews, figures.call_backs) == (1, 1)


def test_specialties_are_set_by_a_lead_and_only_from_the_list(demo):
    db, _ = demo
    physician, appeals, nurse = actor_for(db, "physician"), actor_for(db, "appeals"), actor_for(db, "nurse")
    conversation.set_specialty(db, actor=physician, user_id=appeals.user_id, specialty="neurosurgery")
    assert conversation.reviewer_settings(db, actor=appeals).specialty_label == "Neurosurgery"
    with pytest.raises(ActionRefused):
        conversation.set_specialty(db, actor=physician, user_id=appeals.user_id, specialty="astrology")
    with pytest.raises(ActionRefused):
        conversation.set_specialty(db, actor=physician, user_id=nurse.user_id, specialty="radiology")
    with pytest.raises(PermissionDenied):
        conversation.set_specialty(db, actor=nurse, user_id=appeals.user_id, specialty="radiology")
