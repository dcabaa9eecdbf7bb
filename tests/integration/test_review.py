"""Clinical review through the services: a case from the nurse queue to a decision, the refused
actions on the way, peer-to-peer, reconsideration, appeal, optimistic locking and the queues."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from portal_app.domain.enums import AuditOutcome, Role, UserStatus
from portal_app.models import (
    AuditEvent,
    Determination,
    Document,
    HealthPlan,
    Note,
    Order,
    OrderLine,
    PeerToPeerAppointment,
    ReviewTask,
    User,
)
from portal_app.services import review
from portal_app.services.authz import Actor, PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import OrderNotFound, get_order_summary
from portal_app.services.review import ActionRefused, QueueFilter, StaleCase
from portal_app.settings import get_settings
from tests.conftest import BACKENDS
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

LETTERS_INSTALLED = importlib.util.find_spec("portal_app.services.letters") is not None
# Imaging members of the demo plan EVG without demo orders (4 and 8 have one; 0 is a child).
MEMBERS = [f"EVG1000000{n:02d}" for n in range(12, 100, 4)]


@pytest.fixture
def demo(session, demo_data, monkeypatch, tmp_path):
    """Demo data, a second nurse and a second physician, and letters written under tmp_path."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    load_demo_data(session)
    for username, name, role in (
        ("nurse2", "Nell Nursely (demo)", Role.NURSE_REVIEWER),
        ("physician2", "Pia Physicianly (demo)", Role.PHYSICIAN_REVIEWER),
    ):
        session.add(
            User(
                email=f"{username}@demo.precert.test",
                username=username,
                password_hash="x",
                full_name=name,
                role=role,
                status=UserStatus.ACTIVE,
            )
        )
    # The demo's own waiting orders are set aside, so each test counts only the cases it makes.
    for task in session.exec(select(ReviewTask)).all():
        task.status = "done"
        session.add(task)
    session.commit()
    yield session
    get_settings.cache_clear()


def _people(session) -> dict[str, Actor]:
    return {
        name: actor_for(session, name)
        for name in ("ordering", "ordering2", "nurse", "nurse2", "physician", "physician2")
    }


def _pended(session, office: Actor, member: str, *, quantity: int = 1, urgent: bool = False) -> str:
    """Submit a request that pends for a nurse; return its order number."""
    order_id = draft_order(
        session,
        office,
        member=member,
        details=PENDING_LOW_BACK,
        urgency="urgent" if urgent else "standard",
        urgency_reason="Progressive weakness in the left leg." if urgent else "",
    )
    if quantity != 1:
        line = session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        line.quantity = quantity
        session.add(line)
        session.commit()
    result = submit_order(session, actor=office, order_id=order_id, today=TODAY)
    assert result.status == "In Progress", result
    return result.order_number


def _order(session, number: str) -> Order:
    order = session.exec(select(Order).where(Order.order_number == number)).one()
    session.refresh(order)
    return order


def _version(session, number: str) -> int:
    return _order(session, number).version


def _tasks(session, number: str) -> list[ReviewTask]:
    order = _order(session, number)
    tasks = session.exec(
        select(ReviewTask).where(ReviewTask.order_id == order.id).order_by(ReviewTask.id)
    ).all()
    for task in tasks:
        session.refresh(task)
    return list(tasks)


def _not_met_criterion(view: review.CaseView) -> tuple[str, str]:
    [line] = view.lines
    return next((cid, citation) for cid, _text, citation, met in line.criteria if met == "not met")


def _slots(*hours: int) -> list[datetime]:
    base = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    return [base + timedelta(hours=h) for h in hours]


def _to_physician(session, p: dict[str, Actor], number: str) -> None:
    review.escalate(
        session,
        actor=p["nurse"],
        order_number=number,
        version=_version(session, number),
        note="Conservative care not tried; needs a physician.",
    )


def _denied(session, p: dict[str, Actor], number: str) -> None:
    """Nurse escalates, the physician offers a peer-to-peer and then denies the line."""
    _to_physician(session, p, number)
    review.offer_peer_to_peer(session, actor=p["physician"], order_number=number, slots=_slots(0))
    view = review.open_case(session, actor=p["physician"], order_number=number)
    criterion, _ = _not_met_criterion(view)
    review.deny_line(
        session,
        actor=p["physician"],
        order_number=number,
        line_number=1,
        version=view.version,
        reason_code=criterion,
        text="Six weeks of conservative care have not been tried.",
    )


def _denied_on(session, number: str):
    order = _order(session, number)
    decided = session.exec(
        select(Determination.decided_at)
        .join(OrderLine, OrderLine.id == Determination.order_line_id)
        .where(OrderLine.order_id == order.id, Determination.decision == "non_authorized")
    ).first()
    return (decided if decided.tzinfo else decided.replace(tzinfo=UTC)).date()


# --- the whole case --------------------------------------------------------------------------


def test_a_case_from_the_nurse_queue_through_peer_to_peer_to_a_physician_denial(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[0])
    rows, total = review.list_queue(demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter())
    assert (
        total == 1
        and rows[0].order_number == number
        and rows[0].status == "Open"
        and rows[0].kind == "Initial"
    )

    view = review.open_case(demo, actor=p["nurse"], order_number=number)
    assert view.actions == ("claim", "approve", "request_information", "escalate")
    assert view.task_queue == "Nurse" and view.status == "In Progress" and not view.p2p_offered
    assert view.lines[0].decision == "Pended" and any(c[3] == "not met" for c in view.lines[0].criteria)

    review.claim_task(demo, actor=p["nurse"], task_id=view.task_id)
    review.claim_task(demo, actor=p["nurse"], task_id=view.task_id)  # a double click changes nothing
    with pytest.raises(ActionRefused, match="Nora Nursewell \\(demo\\) has claimed this case"):
        review.claim_task(demo, actor=p["nurse2"], task_id=view.task_id)
    with pytest.raises(ActionRefused, match="has claimed"):
        review.approve_line(demo, actor=p["nurse2"], order_number=number, line_number=1, version=view.version)

    # A nurse never denies: refused by the role table, and the attempt is audited.
    criterion, _ = _not_met_criterion(view)
    with pytest.raises(PermissionDenied):
        review.deny_line(
            demo,
            actor=p["nurse"],
            order_number=number,
            line_number=1,
            version=view.version,
            reason_code=criterion,
            text="No.",
        )
    with pytest.raises(PermissionDenied):
        review.partially_approve_line(
            demo,
            actor=p["nurse"],
            order_number=number,
            line_number=1,
            version=view.version,
            approved_quantity=1,
            reason_code=criterion,
            text="No.",
        )
    refused = demo.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert [e.detail["permission"] for e in refused] == ["review.deny", "review.partially_approve"]

    # Asking the office for information: a note they see; the task and the order stay as they were.
    review.request_information(
        demo,
        actor=p["nurse"],
        order_number=number,
        version=view.version,
        message="Please send the physical therapy notes.",
    )
    summary = get_order_summary(demo, actor=p["ordering"], order_number=number)
    assert summary.status == "In Progress" and "physical therapy notes" in summary.notes[-1]
    [task] = _tasks(demo, number)
    assert (task.status, task.assignee_id, task.closed_at) == ("claimed", p["nurse"].user_id, None)

    # The nurse's screen still shows the version before the request: refused, naming who changed it.
    with pytest.raises(StaleCase) as stale:
        review.escalate(demo, actor=p["nurse"], order_number=number, version=view.version, note="MD please")
    changed = _order(demo, number)
    at = changed.updated_at if changed.updated_at.tzinfo else changed.updated_at.replace(tzinfo=UTC)
    assert str(stale.value) == (
        f"This case was changed by Nora Nursewell (demo) at {at:%H:%M} UTC. Reload it to see the change."
    )

    review.escalate(
        demo,
        actor=p["nurse"],
        order_number=number,
        version=_version(demo, number),
        note="Conservative care not tried; needs a physician.",
    )
    nurse_task, physician_task = _tasks(demo, number)
    assert nurse_task.status == "done" and nurse_task.closed_at is not None
    assert (physician_task.queue, physician_task.status, physician_task.kind) == (
        "physician",
        "open",
        "initial",
    )
    assert physician_task.due_at == nurse_task.due_at  # the clock does not restart
    assert review.list_queue(demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter())[1] == 0
    with pytest.raises(ActionRefused, match="physician queue"):
        review.approve_line(
            demo, actor=p["nurse"], order_number=number, line_number=1, version=_version(demo, number)
        )

    # No adverse determination before a peer-to-peer was offered.
    view = review.open_case(demo, actor=p["physician"], order_number=number)
    assert view.actions == ("claim", "approve", "request_information", "offer_peer_to_peer")
    with pytest.raises(ActionRefused, match="peer-to-peer conversation must be offered"):
        review.deny_line(
            demo,
            actor=p["physician"],
            order_number=number,
            line_number=1,
            version=view.version,
            reason_code=criterion,
            text="Not yet.",
        )
    with pytest.raises(ActionRefused, match="still ahead"):
        review.offer_peer_to_peer(
            demo, actor=p["physician"], order_number=number, slots=[datetime.now(UTC) - timedelta(hours=1)]
        )
    review.offer_peer_to_peer(demo, actor=p["physician"], order_number=number, slots=_slots(0, 2))

    # The office sees the offered times and chooses one; the other lapses.
    with pytest.raises(OrderNotFound):
        review.peer_to_peer_slots(demo, actor=p["ordering2"], order_number=number)
    snooped = demo.exec(select(AuditEvent).where(AuditEvent.action == "order.read_denied")).one()
    assert (snooped.user_id, snooped.outcome) == (p["ordering2"].user_id, AuditOutcome.DENIED)
    offered = review.peer_to_peer_slots(demo, actor=p["ordering"], order_number=number)
    assert len(offered) == 2 and offered[0][1].endswith("UTC")
    with pytest.raises(ActionRefused, match="phone number"):
        review.choose_peer_to_peer_slot(
            demo,
            actor=p["ordering"],
            order_number=number,
            appointment_id=offered[0][0],
            callback_phone="call me",
        )
    review.choose_peer_to_peer_slot(
        demo,
        actor=p["ordering"],
        order_number=number,
        appointment_id=offered[0][0],
        callback_phone="555-0100 ext 12",
    )
    calls = demo.exec(select(PeerToPeerAppointment).order_by(PeerToPeerAppointment.starts_at)).all()
    for call in calls:
        demo.refresh(call)
    assert [c.status for c in calls] == ["scheduled", "cancelled"]
    assert review.peer_to_peer_slots(demo, actor=p["ordering"], order_number=number) == []

    # With a call scheduled, the physician holds it before deciding against the request.
    view = review.open_case(demo, actor=p["physician"], order_number=number)
    assert view.p2p_offered and "record_peer_to_peer" in view.actions and "deny" not in view.actions
    with pytest.raises(ActionRefused, match="Record its outcome"):
        review.deny_line(
            demo,
            actor=p["physician"],
            order_number=number,
            line_number=1,
            version=view.version,
            reason_code=criterion,
            text="Not yet.",
        )
    review.record_peer_to_peer_outcome(
        demo,
        actor=p["physician"],
        appointment_id=offered[0][0],
        outcome="Discussed; no conservative care so far.",
    )
    with pytest.raises(ActionRefused, match="scheduled call"):
        review.record_peer_to_peer_outcome(
            demo, actor=p["physician"], appointment_id=offered[0][0], outcome="x"
        )

    view = review.open_case(demo, actor=p["physician"], order_number=number)
    assert "deny" in view.actions and "Completed: Discussed" in view.peer_to_peer[0][2]
    with pytest.raises(ActionRefused, match="Choose the criterion"):
        review.deny_line(
            demo,
            actor=p["physician"],
            order_number=number,
            line_number=1,
            version=view.version,
            reason_code="made-up",
            text="No.",
        )
    with pytest.raises(ActionRefused, match="Explain the decision"):
        review.deny_line(
            demo,
            actor=p["physician"],
            order_number=number,
            line_number=1,
            version=view.version,
            reason_code=criterion,
            text="  ",
        )
    with pytest.raises(ActionRefused, match="no line 2"):
        review.deny_line(
            demo,
            actor=p["physician"],
            order_number=number,
            line_number=2,
            version=view.version,
            reason_code=criterion,
            text="No.",
        )
    review.deny_line(
        demo,
        actor=p["physician"],
        order_number=number,
        line_number=1,
        version=view.version,
        reason_code=criterion,
        text="Six weeks of conservative care have not been tried.",
    )

    order = _order(demo, number)
    assert order.status == "non_authorized" and order.updated_by_id == p["physician"].user_id
    assert order.version > view.version
    denial = demo.exec(select(Determination).order_by(Determination.id.desc())).first()
    _, citation = _not_met_criterion(view)
    assert (denial.decision, denial.decided_by, denial.decided_by_user_id) == (
        "non_authorized",
        "physician",
        p["physician"].user_id,
    )
    assert (denial.reason_code, denial.guideline_citation) == (criterion, citation)
    assert denial.valid_until is None and denial.explanation["criteria"]
    assert all(t.status == "done" for t in _tasks(demo, number))
    if LETTERS_INSTALLED:
        letters = demo.exec(
            select(func.count())
            .select_from(Document)
            .where(Document.order_id == order.id, Document.kind == "letter")
        ).one()
        assert letters == 2

    view = review.open_case(demo, actor=p["physician"], order_number=number)
    assert view.actions == () and view.task_id == 0 and view.status == "Non-Authorized"
    assert any("Denied line 1" in h for h in view.history) and any(
        "Sent to a physician" in h for h in view.history
    )
    assert not any("case.viewed" in h for h in view.history)
    assert any("(internal)" in n for n in view.notes) and any("(provider)" in n for n in view.notes)
    assert (
        demo.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "case.viewed")
        ).one()
        >= 4
    )


def test_a_nurse_approves_a_line_valid_for_the_plans_period(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[1])
    view = review.open_case(demo, actor=p["nurse"], order_number=number)
    review.approve_line(
        demo,
        actor=p["nurse"],
        order_number=number,
        line_number=1,
        version=view.version,
        note="Therapy notes received: six weeks of care documented.",
    )
    summary = get_order_summary(demo, actor=p["ordering"], order_number=number)
    assert summary.status == "Authorized"
    assert (summary.lines[0].valid_from, summary.lines[0].valid_until) == (
        "2026-12-07",
        "2027-01-05",
    )  # 30 days, EVG
    approval = demo.exec(select(Determination).order_by(Determination.id.desc())).first()
    assert (approval.decided_by, approval.decided_by_user_id) == ("nurse", p["nurse"].user_id)
    [task] = _tasks(demo, number)
    assert task.status == "done" and task.assignee_id == p["nurse"].user_id  # deciding claims the task
    with pytest.raises(ActionRefused, match="no open review"):
        review.approve_line(
            demo, actor=p["nurse"], order_number=number, line_number=1, version=_version(demo, number)
        )
    assert (
        demo.exec(select(AuditEvent).where(AuditEvent.action == "review.approved")).one().detail["line"] == 1
    )


def test_a_decision_on_a_screen_older_than_the_case_is_told_who_changed_it(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[2])
    with Session(demo.get_bind(), expire_on_commit=False) as other:
        # Both screens show the same version; the second reviewer's session still holds it.
        seen = review.open_case(other, actor=p["nurse2"], order_number=number).version
        review.open_case(demo, actor=p["nurse"], order_number=number)
        review.approve_line(demo, actor=p["nurse"], order_number=number, line_number=1, version=seen)
        with pytest.raises(StaleCase, match="changed by Nora Nursewell \\(demo\\) at \\d\\d:\\d\\d UTC"):
            review.request_information(
                other, actor=p["nurse2"], order_number=number, version=seen, message="Send the notes."
            )
        assert other.exec(select(func.count()).select_from(Note)).one() == 0
    assert _order(demo, number).status == "authorized"


def test_a_decision_racing_past_the_version_check_is_stopped_by_the_version_column(demo, monkeypatch):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[16])
    seen = _version(demo, number)
    commit = review._commit

    def competing_approval_first(session, actor, order_id, **kwargs):
        # The nurse's approval commits after the second reviewer's checks, just before its write.
        monkeypatch.setattr(review, "_commit", commit)
        with Session(demo.get_bind(), expire_on_commit=False) as first:
            review.approve_line(first, actor=p["nurse"], order_number=number, line_number=1, version=seen)
        return commit(session, actor, order_id, **kwargs)

    monkeypatch.setattr(review, "_commit", competing_approval_first)
    with pytest.raises(StaleCase, match="changed by Nora Nursewell \\(demo\\)"):
        review.request_information(
            demo, actor=p["nurse2"], order_number=number, version=seen, message="Send the notes."
        )
    assert demo.exec(select(func.count()).select_from(Note)).one() == 0  # nothing of the loser was kept
    assert _order(demo, number).status == "authorized"


# --- partial approvals -----------------------------------------------------------------------


def test_partial_approval_needs_fewer_units_than_asked_and_at_least_one(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[3], quantity=3)
    _to_physician(demo, p, number)
    view = review.open_case(demo, actor=p["physician"], order_number=number)
    criterion, _ = _not_met_criterion(view)
    assert "partially_approve" not in view.actions  # no peer-to-peer offered yet
    with pytest.raises(ActionRefused, match="peer-to-peer"):
        review.partially_approve_line(
            demo,
            actor=p["physician"],
            order_number=number,
            line_number=1,
            version=view.version,
            approved_quantity=2,
            reason_code=criterion,
            text="Two.",
        )
    review.offer_peer_to_peer(demo, actor=p["physician"], order_number=number, slots=_slots(1))
    view = review.open_case(demo, actor=p["physician"], order_number=number)
    assert "partially_approve" in view.actions
    for quantity, words in (
        (3, "asks for 3 units"),
        (4, "asks for 3 units"),
        (0, "at least 1 unit"),
        (-1, "at least 1 unit"),
    ):
        with pytest.raises(ActionRefused, match=words):
            review.partially_approve_line(
                demo,
                actor=p["physician"],
                order_number=number,
                line_number=1,
                version=view.version,
                approved_quantity=quantity,
                reason_code=criterion,
                text="Fewer.",
            )
    review.partially_approve_line(
        demo,
        actor=p["physician"],
        order_number=number,
        line_number=1,
        version=view.version,
        approved_quantity=2,
        reason_code="other",
        text="Two studies are enough for this indication.",
    )
    decision = demo.exec(select(Determination).order_by(Determination.id.desc())).first()
    assert (decision.decision, decision.approved_quantity, decision.reason_code) == (
        "partially_authorized",
        2,
        "other",
    )
    assert decision.valid_from is not None and decision.valid_until is not None
    assert _order(demo, number).status == "multiple_decisions"


def test_a_single_unit_line_cannot_be_partly_approved(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[4])
    _to_physician(demo, p, number)
    review.offer_peer_to_peer(demo, actor=p["physician"], order_number=number, slots=_slots(1))
    view = review.open_case(demo, actor=p["physician"], order_number=number)
    assert "partially_approve" not in view.actions and "deny" in view.actions
    with pytest.raises(ActionRefused, match="more than one unit"):
        review.partially_approve_line(
            demo,
            actor=p["physician"],
            order_number=number,
            line_number=1,
            version=view.version,
            approved_quantity=1,
            reason_code="other",
            text="One.",
        )


# --- reconsideration and appeal --------------------------------------------------------------


def test_reconsideration_on_day_11_is_refused_with_the_appeal_route_and_day_10_is_accepted(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[5])
    allowed, why = review.reconsideration_status(demo, actor=p["ordering"], order_number=number)
    assert not allowed and "being reviewed" in why
    _denied(demo, p, number)
    denied_on = _denied_on(demo, number)

    allowed, why = review.reconsideration_status(
        demo, actor=p["ordering"], order_number=number, today=denied_on + timedelta(days=11)
    )
    assert not allowed and "appeal" in why and f"{denied_on + timedelta(days=10):%d %B %Y}" in why
    with pytest.raises(ActionRefused, match="appeal"):
        review.request_reconsideration(
            demo,
            actor=p["ordering"],
            order_number=number,
            information="PT notes.",
            today=denied_on + timedelta(days=11),
        )
    with pytest.raises(PermissionDenied):
        review.request_reconsideration(
            demo, actor=p["nurse"], order_number=number, information="x", today=denied_on
        )
    with pytest.raises(OrderNotFound):
        review.request_reconsideration(
            demo, actor=p["ordering2"], order_number=number, information="x", today=denied_on
        )

    day_10 = denied_on + timedelta(days=10)
    allowed, why = review.reconsideration_status(demo, actor=p["ordering"], order_number=number, today=day_10)
    assert allowed and f"{day_10:%d %B %Y}" in why
    with pytest.raises(ActionRefused, match="additional clinical information"):
        review.request_reconsideration(
            demo, actor=p["ordering"], order_number=number, information=" ", today=day_10
        )
    review.request_reconsideration(
        demo,
        actor=p["ordering"],
        order_number=number,
        information="Six weeks of physical therapy completed; notes attached.",
        today=day_10,
    )
    task = _tasks(demo, number)[-1]
    assert (task.queue, task.kind, task.status, task.excluded_reviewer_id) == (
        "physician",
        "reconsideration",
        "open",
        None,
    )
    assert (
        "Reconsideration requested"
        in get_order_summary(demo, actor=p["ordering"], order_number=number).notes[-1]
    )
    with pytest.raises(ActionRefused, match="being reviewed"):
        review.request_reconsideration(
            demo, actor=p["ordering"], order_number=number, information="again", today=day_10
        )

    # The physician may overturn the denial: the denied line is what the reconsideration decides.
    view = review.open_case(demo, actor=p["physician"], order_number=number)
    assert view.task_kind == "Reconsideration" and "approve" in view.actions
    assert review.lines_awaiting_decision(demo, actor=p["physician"], order_number=number) == [(1, 1)]
    review.approve_line(
        demo,
        actor=p["physician"],
        order_number=number,
        line_number=1,
        version=view.version,
        note="Therapy documented; criteria now met.",
    )
    assert _order(demo, number).status == "authorized"
    assert _tasks(demo, number)[-1].status == "done"
    allowed, why = review.reconsideration_status(demo, actor=p["ordering"], order_number=number, today=day_10)
    assert not allowed and "Nothing on this order was denied" in why


def test_only_one_reconsideration_then_the_route_is_an_appeal(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[6])
    _denied(demo, p, number)
    today = _denied_on(demo, number)
    review.request_reconsideration(
        demo, actor=p["ordering"], order_number=number, information="More notes.", today=today
    )
    view = review.open_case(demo, actor=p["physician"], order_number=number)
    criterion, _ = _not_met_criterion(view)
    # Upholding: the peer-to-peer offered during the first review still counts.
    review.deny_line(
        demo,
        actor=p["physician"],
        order_number=number,
        line_number=1,
        version=view.version,
        reason_code=criterion,
        text="Still no conservative care documented.",
    )
    assert _order(demo, number).status == "non_authorized"
    allowed, why = review.reconsideration_status(demo, actor=p["ordering"], order_number=number, today=today)
    assert not allowed and "already been decided" in why and "appeal" in why


def test_an_appeal_goes_to_a_physician_other_than_the_one_who_denied(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[7])
    with pytest.raises(ActionRefused, match="being reviewed"):
        review.file_appeal(demo, actor=p["ordering"], order_number=number, information="x")
    _denied(demo, p, number)
    with pytest.raises(PermissionDenied):
        review.file_appeal(demo, actor=p["physician"], order_number=number, information="x")
    denied = _order(demo, number)
    assert (denied.initial_outcome, denied.appealed_at) == ("denied", None)
    review.file_appeal(
        demo,
        actor=p["ordering"],
        order_number=number,
        information="The member cannot do physical therapy; see the attached letter.",
    )
    appeal = _tasks(demo, number)[-1]
    demo.refresh(denied)
    assert denied.initial_outcome == "denied" and denied.appealed_at is not None
    assert not denied.approved_after_appeal
    # The task carries the order's program, plan and urgency for the queue filters.
    assert (appeal.program, appeal.plan_id, appeal.urgency) == (
        denied.program,
        denied.plan_id,
        denied.urgency,
    )
    assert (appeal.queue, appeal.kind, appeal.excluded_reviewer_id) == (
        "physician",
        "appeal",
        p["physician"].user_id,
    )
    assert appeal.due_at.replace(tzinfo=None) - appeal.created_at.replace(tzinfo=None) == timedelta(days=30)

    # The physician who denied does not see it, cannot claim it, cannot decide it, cannot be given it.
    assert (
        review.list_queue(demo, actor=p["physician"], queue="physician", queue_filter=QueueFilter())[1] == 0
    )
    view = review.open_case(demo, actor=p["physician"], order_number=number)
    assert view.actions == () and view.task_kind == "Appeal"
    with pytest.raises(ActionRefused, match="another physician decides the appeal"):
        review.claim_task(demo, actor=p["physician"], task_id=appeal.id)
    with pytest.raises(ActionRefused, match="another physician decides the appeal"):
        review.approve_line(
            demo, actor=p["physician"], order_number=number, line_number=1, version=view.version
        )
    with pytest.raises(ActionRefused, match="choose another physician"):
        review.assign_task(demo, actor=p["physician2"], task_id=appeal.id, assignee_id=p["physician"].user_id)

    rows, total = review.list_queue(
        demo, actor=p["physician2"], queue="physician", queue_filter=QueueFilter()
    )
    assert total == 1 and rows[0].kind == "Appeal"
    review.claim_task(demo, actor=p["physician2"], task_id=appeal.id)
    view = review.open_case(demo, actor=p["physician2"], order_number=number)
    criterion, _ = _not_met_criterion(view)
    review.deny_line(
        demo,
        actor=p["physician2"],
        order_number=number,
        line_number=1,
        version=view.version,
        reason_code=criterion,
        text="Upheld: the guideline's conservative-care step applies.",
    )
    assert _order(demo, number).status == "non_authorized" and _tasks(demo, number)[-1].status == "done"
    with pytest.raises(ActionRefused, match="already been decided"):
        review.file_appeal(demo, actor=p["ordering"], order_number=number, information="Again.")
    allowed, why = review.reconsideration_status(
        demo, actor=p["ordering"], order_number=number, today=_denied_on(demo, number)
    )
    assert not allowed and "No reconsideration after an appeal" in why


def test_nothing_to_appeal_on_an_approved_order(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[8])
    review.approve_line(
        demo, actor=p["nurse"], order_number=number, line_number=1, version=_version(demo, number)
    )
    with pytest.raises(ActionRefused, match="nothing to appeal"):
        review.file_appeal(demo, actor=p["ordering"], order_number=number, information="x")


# --- queues and assignment -------------------------------------------------------------------


def test_the_queue_orders_by_due_time_filters_and_pages(demo):
    p = _people(demo)
    numbers = [_pended(demo, p["ordering"], member) for member in MEMBERS[9:13]]
    urgent = _pended(demo, p["ordering"], MEMBERS[13], urgent=True)
    now = datetime.now(UTC)
    # Deterministic due times: the first order is overdue, the others later and later.
    for hours, number in zip((-3, 30, 60, 90), numbers, strict=True):
        [task] = _tasks(demo, number)
        task.due_at = now + timedelta(hours=hours)
        demo.add(task)
    demo.commit()
    [urgent_task] = _tasks(demo, urgent)  # due 72 hours after submission
    assert abs(
        (urgent_task.due_at.replace(tzinfo=None) - _order(demo, urgent).submitted_at.replace(tzinfo=None))
        - timedelta(hours=72)
    ) < timedelta(seconds=5)

    rows, total = review.list_queue(demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter())
    assert total == 5 and [r.order_number for r in rows] == [
        numbers[0],
        numbers[1],
        numbers[2],
        urgent,
        numbers[3],
    ]
    first = rows[0]
    assert first.overdue and first.time_left == "overdue by 3 h"
    assert not rows[1].overdue and rows[1].time_left in ("1 d 6 h", "1 d 5 h")
    assert first.plan_name.startswith("Evergreen") and first.program == "Radiology and cardiology imaging"
    assert first.due_at.endswith("UTC") and first.urgency == "Standard" and first.assignee == ""

    rows, _ = review.list_queue(
        demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(), sort="-due"
    )
    assert [r.order_number for r in rows] == [numbers[3], urgent, numbers[2], numbers[1], numbers[0]]

    rows, total = review.list_queue(
        demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(), page=1, page_size=2
    )
    assert total == 5 and [r.order_number for r in rows] == [numbers[2], urgent]
    rows, total = review.list_queue(
        demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(), page=2, page_size=2
    )
    assert total == 5 and [r.order_number for r in rows] == [numbers[3]]

    rows, total = review.list_queue(
        demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(urgency="urgent")
    )
    assert total == 1 and rows[0].order_number == urgent and rows[0].urgency == "Urgent"

    evergreen = demo.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    lakeshore = demo.exec(select(HealthPlan).where(HealthPlan.code == "LKS")).one()
    assert (
        review.list_queue(
            demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(plan_id=evergreen.id)
        )[1]
        == 5
    )
    assert (
        review.list_queue(
            demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(plan_id=lakeshore.id)
        )[1]
        == 0
    )
    assert (
        review.list_queue(demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(program="imaging"))[
            1
        ]
        == 5
    )
    assert (
        review.list_queue(demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(program="sleep"))[1]
        == 0
    )

    # Claimed and assigned tasks: by status and by assignee.
    review.claim_task(demo, actor=p["nurse"], task_id=_tasks(demo, numbers[1])[0].id)
    review.assign_task(
        demo, actor=p["physician"], task_id=_tasks(demo, numbers[2])[0].id, assignee_id=p["nurse2"].user_id
    )
    mine, total = review.list_queue(
        demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(assignee="me")
    )
    assert total == 1 and mine[0].order_number == numbers[1] and mine[0].status == "Claimed"
    assert mine[0].assignee == "Nora Nursewell (demo)"
    free, total = review.list_queue(
        demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(assignee="unassigned")
    )
    assert total == 3 and numbers[1] not in [r.order_number for r in free]
    claimed, total = review.list_queue(
        demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(status="claimed")
    )
    assert total == 2 and {r.assignee for r in claimed} == {"Nora Nursewell (demo)", "Nell Nursely (demo)"}
    assert (
        review.list_queue(demo, actor=p["nurse"], queue="nurse", queue_filter=QueueFilter(status="open"))[1]
        == 3
    )
    assert (
        review.list_queue(demo, actor=p["physician"], queue="physician", queue_filter=QueueFilter())[1] == 0
    )

    listed = demo.exec(select(AuditEvent).where(AuditEvent.action == "review.queue_listed")).all()
    assert listed and all(e.user_id for e in listed)


def test_only_reviewers_see_queues_and_only_leads_assign(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[14])
    with pytest.raises(PermissionDenied):
        review.list_queue(demo, actor=p["ordering"], queue="nurse", queue_filter=QueueFilter())
    with pytest.raises(PermissionDenied):
        review.open_case(demo, actor=p["ordering"], order_number=number)
    with pytest.raises(ActionRefused, match="no 'everyone' queue"):
        review.list_queue(demo, actor=p["nurse"], queue="everyone", queue_filter=QueueFilter())
    with pytest.raises(OrderNotFound):
        review.open_case(demo, actor=p["nurse"], order_number="PC2026999999")

    [task] = _tasks(demo, number)
    with pytest.raises(PermissionDenied):
        review.assign_task(demo, actor=p["nurse"], task_id=task.id, assignee_id=p["nurse2"].user_id)
    with pytest.raises(PermissionDenied):
        review.reviewers(demo, actor=p["nurse"], queue="nurse")
    assert [name for _, name in review.reviewers(demo, actor=p["physician"], queue="nurse")] == [
        "Nell Nursely (demo)",
        "Nora Nursewell (demo)",
    ]
    with pytest.raises(ActionRefused, match="active nurse reviewer"):
        review.assign_task(demo, actor=p["physician"], task_id=task.id, assignee_id=p["physician2"].user_id)

    # A lead may hand a claimed task to someone else, or put it back in the queue.
    review.claim_task(demo, actor=p["nurse"], task_id=task.id)
    review.assign_task(demo, actor=p["physician"], task_id=task.id, assignee_id=p["nurse2"].user_id)
    view = review.open_case(demo, actor=p["nurse"], order_number=number)
    assert view.task_assignee == "Nell Nursely (demo)" and view.actions == ()
    assert "approve" in review.open_case(demo, actor=p["nurse2"], order_number=number).actions
    review.assign_task(demo, actor=p["physician"], task_id=task.id, assignee_id=0)
    assert _tasks(demo, number)[0].status == "open"
    assert any(
        "Assigned the case to Nell Nursely" in h
        for h in review.open_case(demo, actor=p["nurse"], order_number=number).history
    )


def test_of_two_reviewers_claiming_at_once_only_one_gets_the_task(demo, monkeypatch):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[17])
    [task] = _tasks(demo, number)
    load_case = review._load_case

    def other_claims_meanwhile(session, actor, order):
        case = load_case(session, actor, order)  # still unclaimed when the second reviewer looks
        monkeypatch.setattr(review, "_load_case", load_case)
        with Session(demo.get_bind(), expire_on_commit=False) as first:
            review.claim_task(first, actor=p["nurse"], task_id=task.id)
        return case

    monkeypatch.setattr(review, "_load_case", other_claims_meanwhile)
    with pytest.raises(ActionRefused, match="Nora Nursewell \\(demo\\) has claimed this case"):
        review.claim_task(demo, actor=p["nurse2"], task_id=task.id)
    assert _tasks(demo, number)[0].assignee_id == p["nurse"].user_id


def test_an_order_without_an_open_review_cannot_be_claimed(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[15])
    [task] = _tasks(demo, number)
    review.approve_line(
        demo, actor=p["nurse"], order_number=number, line_number=1, version=_version(demo, number)
    )
    with pytest.raises(ActionRefused, match="no longer waiting"):
        review.claim_task(demo, actor=p["nurse2"], task_id=task.id)
    refusal = demo.exec(select(AuditEvent).where(AuditEvent.action == "review.action_refused")).all()[-1]
    assert refusal.outcome == AuditOutcome.DENIED and refusal.detail["action"] == "claim"
