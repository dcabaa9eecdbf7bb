"""Row 3: "Verify an order" answers only for the caller's practice, or with the member's ID, date
of birth and the servicing NPI together; every look-up is audited. Over the real websocket."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from portal_app.domain.enums import LineDecision, OrderStatus, Program
from portal_app.domain.order_numbers import new_order_number
from portal_app.models import Member, Order, OrderLine, Practice, Provider, User
from portal_app.services.demo_cases import DEMO_ORDERS, demo_order_number
from portal_app.state.orders import VerifyState
from tests.security.attacks import audit_count, signed_in, state_name

VERIFY = "/verify"
V = state_name(VerifyState)


def _verify(tab, **form) -> dict:
    tab.call(f"{V}.verify", {"form_data": form}, path=VERIFY)
    tab.settle()
    return dict(tab.state.get(V, {}))


def test_another_practices_order_is_not_verified_with_its_number_and_member_id(portal, portal_db):
    tab = signed_in(portal["url"], "servicing", VERIFY)  # staff of Harbor View (90-1000002)
    try:
        before = audit_count(portal_db, "order.verify")
        theirs = DEMO_ORDERS[0]  # Maple Street's order (90-1000001)
        answer = _verify(tab, order_number=demo_order_number(theirs), member_number=theirs.member_number)
        assert answer["checked"] and not answer["found"]
        assert theirs.code not in str(tab.state)

        own = DEMO_ORDERS[1]  # placed by the caller's practice
        answer = _verify(tab, order_number=demo_order_number(own), member_number=own.member_number)
        assert answer["found"] and own.code in answer["procedures"]
        assert audit_count(portal_db, "order.verify") == before + 2
        assert audit_count(portal_db, "order.verify", basis="refused") >= 1
    finally:
        tab.close()


def _order_of_another_practice(portal_db) -> tuple[Order, Member, Provider]:
    """An authorized order of Maple Street, serviced by a provider outside both demo practices."""
    practice = portal_db.exec(select(Practice).where(Practice.tax_id == "90-1000001")).one()
    creator = portal_db.exec(select(User).where(User.username == "ordering")).one()
    member = portal_db.exec(select(Member).where(Member.member_number == "EVG100000012")).one()
    provider = portal_db.exec(select(Provider).where(Provider.tax_id.like("91-%"))).first()
    order = Order(
        order_number=new_order_number(2026),
        program=Program.IMAGING,
        plan_id=member.plan_id,
        member_id=member.id,
        practice_id=practice.id,
        servicing_provider_id=provider.id,
        status=OrderStatus.AUTHORIZED,
        service_start=date(2026, 12, 1),
        created_by_id=creator.id,
        updated_by_id=creator.id,
    )
    portal_db.add(order)
    portal_db.flush()
    portal_db.add(
        OrderLine(
            order_id=order.id,
            line_number=1,
            code_system="CPT",
            code="72148",
            description="MRI lumbar spine without contrast",
            decision=LineDecision.AUTHORIZED,
        )
    )
    portal_db.commit()
    return order, member, provider


def test_another_practice_verifies_only_with_birth_date_and_servicing_npi_together(portal, portal_db):
    order, member, provider = _order_of_another_practice(portal_db)
    tab = signed_in(portal["url"], "servicing", VERIFY)
    try:
        known = {"order_number": order.order_number, "member_number": member.member_number}
        birth = member.date_of_birth.isoformat()
        assert not _verify(tab, **known)["found"]
        assert not _verify(tab, **known, birth_date=birth)["found"]
        assert not _verify(tab, **known, servicing_npi=provider.npi)["found"]
        assert not _verify(tab, **known, birth_date="1900-01-01", servicing_npi=provider.npi)["found"]
        assert not _verify(tab, **known, birth_date=birth, servicing_npi="1999999999")["found"]
        answer = _verify(tab, **known, birth_date=birth, servicing_npi=provider.npi)
        assert answer["found"] and "72148" in answer["procedures"]
        assert audit_count(portal_db, "order.verify", basis="member_birth_date_and_servicing_npi") >= 1
    finally:
        tab.close()
