"""Musculoskeletal and outpatient requests through the wizard's services: validity windows per
program rule, notification only, line-by-line decisions, the emergency-room stop, injection limits
from the member's earlier orders, and recurring transport trips on the summary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal_app import clock
from portal_app.services import order_entry as entry
from portal_app.services import review
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import get_order_summary
from tests.conftest import BACKENDS
from tests.integration.order_helpers import SERVICE, TODAY, actor_for, draft_order, member_by_number

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

KNEE = {
    "category": "joint",
    "procedure": "knee_arthroplasty",
    "setting": "outpatient",
    "side": "right",
    "weeks_conservative_care": 16,
    "imaging_findings": ["advanced_arthritis"],
}
FUSION = {
    "category": "spine",
    "procedure": "lumbar_fusion",
    "setting": "inpatient",
    "levels": 1,
    "weeks_conservative_care": 12,
    "imaging_findings": ["instability"],
}
EPIDURAL = {
    "category": "pain",
    "procedure": "epidural_injection",
    "setting": "outpatient",
    "spine_region": "lumbar",
    "levels": 1,
    "weeks_conservative_care": 6,
    "imaging_findings": ["nerve_compression"],
}
WHEELCHAIR = {
    "service_kind": "transport",
    "transport": {
        "origin": {"line1": "12 Elm Street", "city": "Springfield", "region": "IL", "postal_code": "62701"},
        "destination": {
            "line1": "400 Clinic Road",
            "city": "Springfield",
            "region": "IL",
            "postal_code": "62702",
        },
        "trip_type": "recurring",
        "mobility": "wheelchair",
        "medical_reason": "Dialysis three times a week.",
        "schedule": {"weekdays": ["mon", "wed", "fri"], "start_date": "2026-12-07", "end_date": "2026-12-18"},
    },
    "answers": {"TRN-1": "yes", "TRN-3": "yes"},
}


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _submitted(session, office, **draft) -> str:
    order_id = draft_order(session, office, **draft)
    result = submit_order(session, actor=office, order_id=order_id, today=TODAY)
    assert result.submitted, result
    return result.order_number


def test_outpatient_knee_replacement_is_authorized_for_60_days(demo):
    office = actor_for(demo)
    number = _submitted(
        demo,
        office,
        member="EVG100000012",
        program="musculoskeletal",
        details=KNEE,
        codes=["27447"],
        diagnoses=["M17.11"],
    )
    summary = get_order_summary(demo, actor=office, order_number=number)
    [line] = summary.lines
    assert summary.status == "Authorized" and line.decision == "Authorized"
    assert (line.valid_from, line.valid_until) == (
        SERVICE.isoformat(),
        (SERVICE + timedelta(days=59)).isoformat(),
    )


def test_inpatient_fusion_lines_are_decided_one_by_one_and_valid_through_the_stay(demo):
    office = actor_for(demo)
    number = _submitted(
        demo,
        office,
        member="EVG100000016",
        program="musculoskeletal",
        details=FUSION,
        codes=["22612", "20930", "E0748"],
        diagnoses=["M43.16"],
    )
    summary = get_order_summary(demo, actor=office, order_number=number)
    decisions = {line.code: line.decision for line in summary.lines}
    # No risk of non-union was given, so the stimulator waits for a reviewer; the others meet their criteria.
    assert decisions == {"22612": "Authorized", "20930": "Authorized", "E0748": "Pended"}
    assert summary.status == "In Progress"
    fusion = next(line for line in summary.lines if line.code == "22612")
    assert date.fromisoformat(fusion.valid_until) > SERVICE  # date of service plus the plan's stay
    assert date.fromisoformat(fusion.valid_until) - SERVICE < timedelta(days=30)

    nurse, physician = actor_for(demo, "nurse"), actor_for(demo, "physician")
    version = review.open_case(demo, actor=nurse, order_number=number).version
    review.escalate(
        demo, actor=nurse, order_number=number, version=version, note="Stimulator without risk factors."
    )
    review.offer_peer_to_peer(
        demo, actor=physician, order_number=number, slots=[clock.now() + timedelta(days=1)]
    )
    version = review.open_case(demo, actor=physician, order_number=number).version
    review.deny_line(
        demo,
        actor=physician,
        order_number=number,
        line_number=3,
        version=version,
        reason_code="other",
        text="A first one-level fusion does not need a bone growth stimulator.",
    )
    summary = get_order_summary(demo, actor=office, order_number=number)
    assert summary.status == "Multiple Decisions Rendered"


def test_62322_with_g89_18_is_notification_only_but_62321_is_reviewed(demo):
    office = actor_for(demo)
    notified = _submitted(
        demo,
        office,
        member="EVG100000020",
        program="musculoskeletal",
        details=EPIDURAL,
        codes=["62322"],
        diagnoses=["G89.18"],
    )
    summary = get_order_summary(demo, actor=office, order_number=notified)
    assert summary.status == "Completed" and summary.lines[0].decision == "Notification only"

    cervical = {**EPIDURAL, "spine_region": "cervical"}
    reviewed = _submitted(
        demo,
        office,
        member="EVG100000024",
        program="musculoskeletal",
        details=cervical,
        codes=["62321"],
        diagnoses=["G89.18"],
    )
    assert (
        get_order_summary(demo, actor=office, order_number=reviewed).lines[0].decision != "Notification only"
    )


def test_a_fifth_epidural_in_twelve_months_goes_to_a_reviewer(demo):
    office = actor_for(demo)
    member = "EVG100000028"
    for months_ago in (10, 7, 4, 1):
        when = SERVICE - timedelta(days=30 * months_ago)
        draft = draft_order(
            demo,
            office,
            member=member,
            program="musculoskeletal",
            details=EPIDURAL,
            codes=["62323"],
            diagnoses=["M54.16"],
            service=SERVICE,
        )
        order = demo.get(entry.Order, draft)
        order.service_start = when  # earlier sessions, as if requested back then
        demo.add(order)
        demo.commit()
        submit_order(demo, actor=office, order_id=draft, today=when)
    number = _submitted(
        demo,
        office,
        member=member,
        program="musculoskeletal",
        details={**EPIDURAL, "prior_relief_percent": 70},
        codes=["62323"],
        diagnoses=["M54.16"],
    )
    [line] = get_order_summary(demo, actor=office, order_number=number).lines
    assert line.decision == "Pended"
    assert any("12 months" in c for c in line.criteria), line.criteria


def test_an_emergency_room_fracture_needs_no_request_and_nothing_is_saved(demo):
    office = actor_for(demo)
    plan_id = member_by_number(demo, "EVG100000032").plan_id
    order_id, _ = entry.start_draft(
        demo, actor=office, plan_id=plan_id, program="musculoskeletal", service_date=SERVICE, today=TODAY
    )
    result = entry.save_program_details(
        demo,
        actor=office,
        order_id=order_id,
        details={**KNEE, "emergency_presentation": "acute_fracture"},
        codes=["27447"],
    )
    assert "no_request" in result.errors and "emergency room" in result.errors["no_request"]
    assert demo.get(entry.Order, order_id).details == {}


def test_recurring_wheelchair_transport_lists_every_trip_date(demo):
    office = actor_for(demo)
    number = _submitted(
        demo,
        office,
        member="LKS100000013",
        program="outpatient",
        details=WHEELCHAIR,
        codes=["A0130"],
        diagnoses=["N18.6"],
    )
    summary = get_order_summary(demo, actor=office, order_number=number)
    details = dict(summary.details)
    assert details["Number of trips"] == "6"
    for day in (
        "December 7, 2026",
        "December 9, 2026",
        "December 11, 2026",
        "December 14, 2026",
        "December 16, 2026",
        "December 18, 2026",
    ):
        assert day in details["Trip dates"]
    assert summary.status == "Authorized"


def test_a_schedule_longer_than_the_approval_is_refused_with_the_reason(demo):
    office = actor_for(demo)
    plan_id = member_by_number(demo, "LKS100000017").plan_id
    order_id, _ = entry.start_draft(
        demo, actor=office, plan_id=plan_id, program="outpatient", service_date=SERVICE, today=TODAY
    )
    too_long = {
        **WHEELCHAIR,
        "transport": {
            **WHEELCHAIR["transport"],
            "schedule": {"weekdays": ["mon"], "start_date": "2026-12-07", "end_date": "2027-03-01"},
        },
    }
    result = entry.save_program_details(
        demo, actor=office, order_id=order_id, details=too_long, codes=["A0130"]
    )
    assert any("runs past" in message for message in result.errors.values()), result.errors


def test_answers_that_no_longer_fit_after_the_date_changed_are_refused_at_submit(demo):
    office = actor_for(demo)
    order_id = draft_order(
        demo,
        office,
        member="LKS100000029",
        program="outpatient",
        details=WHEELCHAIR,
        codes=["A0130"],
        diagnoses=["N18.6"],
    )
    # The trips start on 7 December; moving the date of service after them breaks the schedule.
    later = SERVICE + timedelta(days=14)
    assert entry.save_urgency_and_date(
        demo,
        actor=office,
        order_id=order_id,
        urgency="standard",
        urgency_reason="",
        service_date=later,
        today=TODAY,
    ).ok
    result = submit_order(demo, actor=office, order_id=order_id, today=TODAY)
    assert not result.submitted
    assert any("no longer fit" in problem for problem in result.problems)
