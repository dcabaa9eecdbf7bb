"""Line-level changes after submit (`services/order_changes.py`), the code the PAS API's updates
use: cancelling some lines, cancelling the last line (the order's own cancel), new units and a new
date of service while under review, and who may do it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.models import AuditEvent, Note, Order, OrderLine, ReviewTask
from portal_app.services.authz import PermissionDenied
from portal_app.services.order_changes import ChangeRefused, cancel_lines, change_lines
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import OrderNotFound
from tests.conftest import BACKENDS
from tests.integration.order_helpers import PENDING_LOW_BACK, SERVICE, TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

MEMBER = "EVG100000016"  # an imaging member of the demo plan without a demo order


@pytest.fixture
def pended(session, demo_data) -> str:
    """Demo data and a two-line imaging order of the Maple Street office, pended for a nurse."""
    office = actor_for(session)
    order_id = draft_order(session, office, member=MEMBER, details=PENDING_LOW_BACK, codes=["72148", "72158"])
    result = submit_order(session, actor=office, order_id=order_id, today=TODAY)
    assert result.status == "In Progress", result
    return result.order_number


def _order(session, number: str) -> tuple[Order, list[OrderLine]]:
    order = session.exec(select(Order).where(Order.order_number == number)).one()
    session.refresh(order)
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_number)
    ).all()
    for line in lines:
        session.refresh(line)
    return order, lines


def _audited(session, action: str) -> list[AuditEvent]:
    return session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_cancelling_one_line_then_the_last_cancels_the_order(session, pended):
    office = actor_for(session)
    status = cancel_lines(
        session, actor=office, order_number=pended, line_numbers=[2], audit_detail={"client_id": "x"}
    )
    order, lines = _order(session, pended)
    assert status == "In Progress" and order.status == "in_progress"
    assert [line.decision for line in lines] == ["pended", "cancelled"]
    notes = session.exec(select(Note.body).where(Note.order_id == order.id)).all()
    assert f"Cancelled by {office.full_name}: line 2." in notes
    [event] = _audited(session, "order.lines_cancelled")
    assert event.detail == {"client_id": "x", "lines": [2], "status": "in_progress"}

    cancel_lines(session, actor=office, order_number=pended, line_numbers=[1], by="the office")
    order, _ = _order(session, pended)
    assert order.status == "voluntarily_cancelled"
    assert order.cancel_reason == "Every item cancelled by the office."
    tasks = session.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).all()
    assert tasks and all(task.closed_at is not None for task in tasks)
    assert _audited(session, "order.cancelled")  # the order's own cancel did it


def test_new_units_and_date_while_under_review(session, pended):
    office = actor_for(session)
    later = SERVICE + timedelta(days=7)
    change_lines(
        session, actor=office, order_number=pended, quantities={1: 2}, service_date=later, today=TODAY
    )
    order, lines = _order(session, pended)
    assert [line.quantity for line in lines] == [2, 1] and order.service_start == later
    [event] = _audited(session, "order.lines_changed")
    assert event.detail == {"changes": ["line 1: 2 units"], "service_date": later.isoformat()}

    with pytest.raises(ChangeRefused) as refused:  # more than the retro limit in the past
        change_lines(
            session,
            actor=office,
            order_number=pended,
            quantities={1: 3},
            service_date=TODAY - timedelta(days=30),
            today=TODAY,
        )
    assert refused.value.about == "service_date"
    assert _order(session, pended)[1][0].quantity == 2  # nothing written


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, a, n: cancel_lines(s, actor=a, order_number=n, line_numbers=[3]), "no line 3"),
        (lambda s, a, n: cancel_lines(s, actor=a, order_number=n, line_numbers=[]), "Name the lines"),
        (lambda s, a, n: change_lines(s, actor=a, order_number=n, quantities={1: 0}), "1 or more"),
    ],
)
def test_refused_changes_write_nothing(session, pended, call, message):
    with pytest.raises(ChangeRefused, match=message):
        call(session, actor_for(session), pended)
    assert [(line.decision, line.quantity) for line in _order(session, pended)[1]] == [
        ("pended", 1),
        ("pended", 1),
    ]


def test_a_decided_line_keeps_its_units_and_the_date_stays(session, pended):
    office = actor_for(session)
    cancel_lines(session, actor=office, order_number=pended, line_numbers=[2])
    with pytest.raises(ChangeRefused, match="decided already"):
        change_lines(session, actor=office, order_number=pended, quantities={2: 4})
    with pytest.raises(ChangeRefused, match="every item is under review"):
        change_lines(
            session,
            actor=office,
            order_number=pended,
            quantities={1: 2},
            service_date=SERVICE + timedelta(days=1),
            today=TODAY,
        )


def test_only_the_office_that_may_change_the_order_can(session, pended):
    with pytest.raises(OrderNotFound):  # another practice's office: as if there were no such order
        cancel_lines(session, actor=actor_for(session, "ordering2"), order_number=pended, line_numbers=[1])
    with pytest.raises(PermissionDenied):  # reviewers decide; they do not cancel for the office
        change_lines(session, actor=actor_for(session, "nurse"), order_number=pended, quantities={1: 2})
    assert [line.decision for line in _order(session, pended)[1]] == ["pended", "pended"]
