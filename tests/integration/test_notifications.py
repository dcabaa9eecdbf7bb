"""Notifications (issue 25): each event makes exactly one notification for each user who may read the
order (the submitter; every ordering-office user of the practice when it shares orders), the bell's
count and the list, and each user's e-mail preference (off, immediately, daily digest)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal_app import clock
from portal_app.domain.enums import EmailPreference, NoticeKind, Role, UserStatus
from portal_app.models import (
    Determination,
    Notice,
    Order,
    OrderLine,
    OutboxEmail,
    PeerToPeerAppointment,
    Practice,
    PracticeMembership,
    User,
)
from portal_app.services import notices, registration, review
from portal_app.services.authz import Actor
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.settings import get_settings
from tests.conftest import BACKENDS
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

MAPLE_STREET = "90-1000001"  # shares orders among its staff (demo data)
MEMBERS = [f"EVG1000000{n:02d}" for n in range(12, 100, 4)]


@pytest.fixture
def demo(session, demo_data, monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    load_demo_data(session)
    yield session
    get_settings.cache_clear()


def _user(
    session, username: str, tax_id: str, *, role=Role.ORDERING_PROVIDER_STAFF, status=UserStatus.ACTIVE
):
    user = User(
        email=f"{username}@clinic.test",
        username=username,
        password_hash="x",
        full_name=username.title(),
        role=role,
        status=status,
    )
    session.add(user)
    session.flush()
    practice = session.exec(select(Practice).where(Practice.tax_id == tax_id)).one()
    session.add(PracticeMembership(user_id=user.id, practice_id=practice.id))
    session.commit()
    return user


def _pended(session, office: Actor, member: str) -> str:
    order_id = draft_order(session, office, member=member, details=PENDING_LOW_BACK)
    result = submit_order(session, actor=office, order_id=order_id, today=TODAY)
    assert result.status == "In Progress", result
    return result.order_number


def _version(session, number: str) -> int:
    order = session.exec(select(Order).where(Order.order_number == number)).one()
    session.refresh(order)
    return order.version


def _received(session, kind: NoticeKind) -> Counter:
    """How many notifications of ``kind`` each user got, by username."""
    rows = session.exec(
        select(User.username)
        .join(Notice, Notice.recipient_user_id == User.id)
        .where(Notice.kind == kind.value)
    ).all()
    return Counter(rows)


def _mails_to(session, address: str) -> list[OutboxEmail]:
    """Notification e-mails to ``address`` (a decision letter has its own, services/letters.py)."""
    query = select(OutboxEmail).where(
        OutboxEmail.to_address == address, OutboxEmail.kind != "decision_letter"
    )
    return list(session.exec(query.order_by(OutboxEmail.id)).all())


def _not_met(view: review.CaseView) -> str:
    [line] = view.lines
    return next(cid for cid, _text, _citation, met in line.criteria if met == "not met")


def _in_two_days() -> datetime:
    return (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)


def _deny_as_physician(session, nurse: Actor, physician: Actor, number: str) -> None:
    review.escalate(session, actor=nurse, order_number=number, version=_version(session, number), note="MD.")
    review.offer_peer_to_peer(session, actor=physician, order_number=number, slots=[_in_two_days()])
    view = review.open_case(session, actor=physician, order_number=number)
    review.deny_line(
        session,
        actor=physician,
        order_number=number,
        line_number=1,
        version=view.version,
        reason_code=_not_met(view),
        text="Conservative care not tried.",
    )


# --- who is told ------------------------------------------------------------------------------


def test_a_shared_practice_tells_each_of_its_office_users_once_and_nobody_else(demo):
    colleague = _user(demo, "colleague", MAPLE_STREET)
    _user(demo, "gone", MAPLE_STREET, status=UserStatus.DISABLED)
    _user(demo, "verifier", MAPLE_STREET, role=Role.SERVICING_PROVIDER_STAFF)
    office, nurse = actor_for(demo), actor_for(demo, "nurse")
    number = _pended(demo, office, MEMBERS[0])
    review.request_information(
        demo, actor=nurse, order_number=number, version=_version(demo, number), message="Notes please."
    )
    assert _received(demo, NoticeKind.INFORMATION_REQUESTED) == {"ordering": 1, "colleague": 1}
    assert len(_mails_to(demo, colleague.email)) == 1  # immediately, the default preference
    assert notices.unread_count(demo, actor=actor_for(demo, "colleague")) == 1


def test_a_practice_that_does_not_share_tells_only_the_submitter(demo):
    practice = demo.exec(select(Practice).where(Practice.tax_id == MAPLE_STREET)).one()
    practice.share_orders = False
    demo.add(practice)
    _user(demo, "colleague", MAPLE_STREET)
    office, nurse = actor_for(demo), actor_for(demo, "nurse")
    number = _pended(demo, office, MEMBERS[1])
    review.approve_line(demo, actor=nurse, order_number=number, line_number=1, version=_version(demo, number))
    assert _received(demo, NoticeKind.DECISION_MADE) == {"ordering": 1}
    [row] = notices.list_notifications(demo, actor=office).rows
    assert (row.text, row.href, row.unread) == ("A decision was made on a request", f"/orders/{number}", True)


# --- each event, exactly one notification ------------------------------------------------------


def test_peer_to_peer_offered_and_missed_each_tell_the_office_once(demo):
    office, nurse, physician = actor_for(demo), actor_for(demo, "nurse"), actor_for(demo, "physician")
    number = _pended(demo, office, MEMBERS[2])
    review.escalate(demo, actor=nurse, order_number=number, version=_version(demo, number), note="MD.")
    review.offer_peer_to_peer(demo, actor=physician, order_number=number, slots=[_in_two_days()])
    assert _received(demo, NoticeKind.PEER_TO_PEER_OFFERED) == {"ordering": 1}
    [(slot_id, _when)] = review.peer_to_peer_slots(demo, actor=office, order_number=number)
    review.choose_peer_to_peer_slot(
        demo, actor=office, order_number=number, appointment_id=slot_id, callback_phone="555-0142"
    )
    call = demo.get(PeerToPeerAppointment, slot_id)
    review.record_peer_to_peer_outcome(
        demo, actor=physician, appointment_id=call.id, outcome="No answer at the office.", held=False
    )
    assert _received(demo, NoticeKind.PEER_TO_PEER_MISSED) == {"ordering": 1}


def test_reconsideration_and_appeal_decisions_are_told_as_such(demo):
    office, nurse = actor_for(demo), actor_for(demo, "nurse")
    physician, appeals = actor_for(demo, "physician"), actor_for(demo, "appeals")
    reconsidered, appealed = _pended(demo, office, MEMBERS[3]), _pended(demo, office, MEMBERS[4])
    for number in (reconsidered, appealed):
        _deny_as_physician(demo, nurse, physician, number)
    assert _received(demo, NoticeKind.DECISION_MADE) == {"ordering": 2}
    assert _received(demo, NoticeKind.PEER_TO_PEER_OFFERED) == {"ordering": 2}

    review.request_reconsideration(demo, actor=office, order_number=reconsidered, information="PT notes.")
    view = review.open_case(demo, actor=physician, order_number=reconsidered)
    review.approve_line(demo, actor=physician, order_number=reconsidered, line_number=1, version=view.version)
    assert _received(demo, NoticeKind.RECONSIDERATION_DECIDED) == {"ordering": 1}

    review.file_appeal(demo, actor=office, order_number=appealed, information="Cannot do therapy.")
    view = review.open_case(demo, actor=appeals, order_number=appealed)
    review.approve_line(demo, actor=appeals, order_number=appealed, line_number=1, version=view.version)
    assert _received(demo, NoticeKind.APPEAL_DECIDED) == {"ordering": 1}
    assert _received(demo, NoticeKind.DECISION_MADE) == {"ordering": 2}  # nothing told twice


def test_an_approval_expiring_within_14_days_is_told_once(demo):
    office, nurse = actor_for(demo), actor_for(demo, "nurse")
    number = _pended(demo, office, MEMBERS[5])
    review.approve_line(demo, actor=nurse, order_number=number, line_number=1, version=_version(demo, number))
    order = demo.exec(select(Order).where(Order.order_number == number)).one()
    ends = demo.exec(
        select(Determination.valid_until)
        .join(OrderLine, OrderLine.id == Determination.order_line_id)
        .where(OrderLine.order_id == order.id, Determination.decision == "authorized")
    ).one()
    assert ends is not None
    already = sum(_received(demo, NoticeKind.APPROVAL_EXPIRING).values())  # demo orders ending soon
    notices.notify_expiring_approvals(demo, today=ends - timedelta(days=notices.EXPIRY_NOTICE_DAYS + 1))
    mine = select(Notice).where(
        Notice.order_id == order.id, Notice.kind == NoticeKind.APPROVAL_EXPIRING.value
    )
    assert demo.exec(mine).all() == []  # 15 days ahead: not yet
    assert notices.notify_expiring_approvals(demo, today=ends - timedelta(days=14)) >= 1
    assert notices.notify_expiring_approvals(demo, today=ends - timedelta(days=13)) == 0
    [told] = demo.exec(mine).all()
    assert told.recipient_user_id == office.user_id
    assert sum(_received(demo, NoticeKind.APPROVAL_EXPIRING).values()) >= already + 1


def test_an_approved_registration_is_told_in_the_portal_without_a_second_email(demo):
    pending = User(
        email="newcomer@clinic.test",
        username="newcomer",
        password_hash="x",
        full_name="New Comer",
        role=Role.ORDERING_PROVIDER_STAFF,
        status=UserStatus.PENDING_SUPPORT_APPROVAL,
    )
    demo.add(pending)
    demo.commit()
    registration.approve(demo, actor=actor_for(demo, "support"), user_id=pending.id)
    assert _received(demo, NoticeKind.REGISTRATION_APPROVED) == {"newcomer": 1}
    assert [m.kind for m in _mails_to(demo, "newcomer@clinic.test")] == ["account_approved"]


# --- the bell and the list ----------------------------------------------------------------------


def test_the_bell_counts_unread_and_the_list_marks_them_read(demo):
    office, nurse = actor_for(demo), actor_for(demo, "nurse")
    other = actor_for(demo, "ordering2")
    assert notices.unread_count(demo, actor=office) == 0
    numbers = [_pended(demo, office, member) for member in MEMBERS[6:9]]
    for number in numbers:
        review.approve_line(
            demo, actor=nurse, order_number=number, line_number=1, version=_version(demo, number)
        )
    assert notices.unread_count(demo, actor=office) == 3 and notices.unread_count(demo, actor=other) == 0
    page = notices.list_notifications(demo, actor=office)
    assert (page.total, page.pages) == (3, 1)
    assert [row.link_text for row in page.rows] == [f"Order {n}" for n in reversed(numbers)]
    with pytest.raises(notices.NoticeNotFound):
        notices.mark_read(demo, actor=other, notice_id=page.rows[0].notice_id)
    notices.mark_read(demo, actor=office, notice_id=page.rows[0].notice_id)
    assert notices.unread_count(demo, actor=office) == 2
    assert notices.mark_all_read(demo, actor=office) == 2
    assert notices.unread_count(demo, actor=office) == 0
    assert [row.unread for row in notices.list_notifications(demo, actor=office).rows] == [False] * 3


# --- e-mail preferences and digests ------------------------------------------------------------


def test_preference_off_keeps_the_notification_and_sends_no_email(demo):
    office, nurse = actor_for(demo), actor_for(demo, "nurse")
    notices.set_email_preference(demo, actor=office, preference="off")
    assert notices.email_preference(demo, actor=office) == EmailPreference.OFF
    with pytest.raises(ValueError):
        notices.set_email_preference(demo, actor=office, preference="hourly")
    number = _pended(demo, office, MEMBERS[9])
    review.approve_line(demo, actor=nurse, order_number=number, line_number=1, version=_version(demo, number))
    assert notices.unread_count(demo, actor=office) == 1
    assert _mails_to(demo, "ordering@demo.precert.test") == []
    assert notices.send_digests(demo, now=clock.now() + timedelta(days=1)) == 0


def test_a_daily_digest_collects_the_days_notifications_into_one_email(demo):
    office, nurse = actor_for(demo), actor_for(demo, "nurse")
    notices.set_email_preference(demo, actor=office, preference=EmailPreference.DAILY_DIGEST.value)
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with clock.frozen_at(monday) as frozen:
        first, second = _pended(demo, office, MEMBERS[10]), _pended(demo, office, MEMBERS[11])
        for number in (first, second):
            review.approve_line(
                demo, actor=nurse, order_number=number, line_number=1, version=_version(demo, number)
            )
        assert _mails_to(demo, "ordering@demo.precert.test") == []  # nothing at once
        assert notices.send_digests(demo) == 0  # Monday's digest time (07:00) had passed before them
        frozen.advance(hours=22)  # Tuesday 08:00
        late = _pended(demo, office, MEMBERS[12])
        review.approve_line(demo, actor=nurse, order_number=late, line_number=1, version=_version(demo, late))
        assert notices.send_digests(demo) == 1
        assert notices.send_digests(demo) == 0  # once a day
        [digest] = _mails_to(demo, "ordering@demo.precert.test")
        assert digest.kind == "notification_digest" and "2 new notifications" in digest.body
        assert "/notifications" in digest.body and first not in digest.body
        frozen.advance(days=1)  # Wednesday 08:00: the one made after Tuesday's digest time
        assert notices.send_digests(demo) == 1
    assert "1 new notification" in _mails_to(demo, "ordering@demo.precert.test")[-1].body
    assert notices.unread_count(demo, actor=office) == 3  # the portal still lists them all
