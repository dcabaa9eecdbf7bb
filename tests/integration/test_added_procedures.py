"""A procedure the rendering provider added on the day of an approved one (program FAQ, shared/seeds/001):
requested within 2 business days, linked to the approved order, reviewed by a nurse, and the ordering
office is told by e-mail without PHI."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from portal_app.models import Member, Order, OutboxEmail, Provider, ReviewTask
from portal_app.services.added_procedures import AddRefused, request_added_procedure
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import OrderNotFound, get_order_summary
from tests.conftest import BACKENDS
from tests.integration.order_helpers import SERVICE, TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

NEXT_DAY = date(2026, 12, 8)  # SERVICE is Monday 7 December 2026
THIRD_BUSINESS_DAY = date(2026, 12, 10)


@pytest.fixture
def approved(session, demo_data):
    """An approved lumbar MRI whose servicing provider bills under the demo servicing office's tax ID."""
    load_demo_data(session)
    office = actor_for(session)
    number = submit_order(
        session, actor=office, order_id=draft_order(session, office, member="EVG100000040"), today=TODAY
    ).order_number
    order = session.exec(select(Order).where(Order.order_number == number)).one()
    assert order.status == "authorized"
    renderer = session.exec(select(Provider).where(Provider.tax_id == "90-1000002")).first()
    order.servicing_provider_id, order.facility_id = renderer.id, None
    session.add(order)
    session.commit()
    return session, office, number


def test_the_rendering_provider_adds_a_procedure_linked_to_the_order_and_the_office_is_told(approved):
    session, office, number = approved
    servicing = actor_for(session, "servicing")
    common = {"order_number": number, "code": "74177", "performed_on": SERVICE}
    with pytest.raises(AddRefused, match="2 business days"):
        request_added_procedure(
            session, actor=servicing, clinical_information="Mass seen.", today=THIRD_BUSINESS_DAY, **common
        )
    with pytest.raises(AddRefused, match="clinical information"):
        request_added_procedure(session, actor=servicing, clinical_information=" ", today=NEXT_DAY, **common)
    with pytest.raises(AddRefused, match="already on order"):
        request_added_procedure(
            session, actor=servicing, clinical_information="x", today=NEXT_DAY, **{**common, "code": "72148"}
        )
    with pytest.raises(PermissionDenied):  # only the rendering provider's staff
        request_added_procedure(session, actor=office, clinical_information="x", today=NEXT_DAY, **common)
    with pytest.raises(OrderNotFound):  # a servicing office that did not render the service
        request_added_procedure(
            session,
            actor=servicing,
            clinical_information="x",
            today=NEXT_DAY,
            **{**common, "order_number": "PC2026NOTREAL0"},
        )

    added = request_added_procedure(
        session,
        actor=servicing,
        clinical_information="Abdominal CT showed a pelvic mass; pelvis imaged the same day.",
        today=NEXT_DAY,
        **common,
    )
    order = session.exec(select(Order).where(Order.order_number == added)).one()
    original = session.exec(select(Order).where(Order.order_number == number)).one()
    assert order.added_to_order_id == original.id and order.status == "in_progress"
    [task] = session.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).all()
    assert task.queue == "nurse" and number in task.reason
    summary = get_order_summary(session, actor=office, order_number=added)  # the ordering office reads it
    assert summary.added_to_order == number and [line.code for line in summary.lines] == ["74177"]
    [mail] = session.exec(select(OutboxEmail).where(OutboxEmail.subject.contains(number))).all()
    assert added in mail.body and f"/orders/{added}" in mail.body
    member = session.get(Member, original.member_id)
    for phi in ("Abdominal", member.last_name, member.member_number, member.date_of_birth.isoformat()):
        assert phi not in mail.body and phi not in mail.subject
