"""Support's user management (services/user_admin.py): every action audited, the ones that change
what a person may do end their sessions; a practice's order sharing decides who sees which orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app import clock
from portal_app.domain.enums import Role, UserStatus
from portal_app.models import AuditEvent, OutboxEmail, Practice, PracticeMembership, User
from portal_app.services import user_admin
from portal_app.services.authz import PermissionDenied
from portal_app.services.orders import OrderFilter, search_my_orders
from portal_app.services.sessions import redeem_ticket, resolve_actor, start_session
from tests.conftest import BACKENDS
from tests.integration.order_helpers import actor_for

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)


def _user(session, username: str) -> User:
    return session.exec(select(User).where(User.username == username)).one()


def _signed_in(session, user: User) -> str:
    return redeem_ticket(session, ticket=start_session(session, user_id=user.id))


def _actions(session, user: User) -> list[str]:
    return list(
        session.exec(
            select(AuditEvent.action).where(
                AuditEvent.record_type == "user", AuditEvent.record_id == str(user.id)
            )
        ).all()
    )


def test_changing_a_role_ends_the_users_sessions_and_is_audited(session, demo_data):
    nurse = _user(session, "nurse")
    token = _signed_in(session, nurse)
    assert resolve_actor(session, token=token) is not None
    support = actor_for(session, "support")
    assert user_admin.change_role(session, actor=support, user_id=nurse.id, role="physician_reviewer") == 1
    assert resolve_actor(session, token=token) is None
    session.refresh(nurse)
    assert nurse.role == Role.PHYSICIAN_REVIEWER
    assert "user.role_changed" in _actions(session, nurse)
    fresh = resolve_actor(session, token=_signed_in(session, nurse))
    assert fresh.role == Role.PHYSICIAN_REVIEWER


def test_disabling_ends_the_session_and_re_enabling_lets_them_back(session, demo_data):
    user = _user(session, "ordering2")
    token = _signed_in(session, user)
    support = actor_for(session, "support")
    assert user_admin.disable(session, actor=support, user_id=user.id, reason="left the practice") == 1
    assert resolve_actor(session, token=token) is None
    with pytest.raises(user_admin.UserActionRefused):
        user_admin.send_password_reset(session, actor=support, user_id=user.id)
    user_admin.enable(session, actor=support, user_id=user.id)
    session.refresh(user)
    assert user.status == UserStatus.ACTIVE
    assert resolve_actor(session, token=_signed_in(session, user)) is not None
    assert {"user.disabled", "user.enabled"} <= set(_actions(session, user))


def test_unlocking_and_sending_a_reset(session, demo_data):
    user = _user(session, "servicing")
    user.failed_sign_ins, user.locked_until = 5, clock.now() + timedelta(minutes=15)
    session.add(user)
    session.commit()
    support = actor_for(session, "support")
    rows, _ = user_admin.find_users(session, actor=support, text="servicewell")
    assert [(r.user_id, r.locked) for r in rows] == [(user.id, True)]
    user_admin.unlock(session, actor=support, user_id=user.id)
    session.refresh(user)
    assert user.locked_until is None and user.failed_sign_ins == 0
    with pytest.raises(user_admin.UserActionRefused):
        user_admin.unlock(session, actor=support, user_id=user.id)
    user_admin.send_password_reset(session, actor=support, user_id=user.id)
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == user.email)).all()
    assert [m.kind for m in mail] == ["password_reset"]
    assert {"user.unlocked", "user.password_reset_sent"} <= set(_actions(session, user))


def test_only_support_manages_users_and_not_their_own_account(session, demo_data):
    nurse = _user(session, "nurse")
    with pytest.raises(PermissionDenied):
        user_admin.change_role(
            session, actor=actor_for(session, "nurse"), user_id=nurse.id, role="support_admin"
        )
    with pytest.raises(PermissionDenied):
        user_admin.find_users(session, actor=actor_for(session, "physician"))
    support = actor_for(session, "support")
    with pytest.raises(user_admin.UserActionRefused):
        user_admin.disable(session, actor=support, user_id=support.user_id)
    with pytest.raises(user_admin.UserActionRefused):
        user_admin.change_role(session, actor=support, user_id=nurse.id, role="emperor")


def test_sharing_orders_decides_whether_colleagues_see_each_others_orders(session, demo_data):
    maple = session.exec(select(Practice).where(Practice.tax_id == "90-1000001")).one()
    colleague = User(
        email="colleague@demo.precert.test",
        username="colleague",
        password_hash="x",
        full_name="Cole League (demo)",
        role=Role.ORDERING_PROVIDER_STAFF,
        status=UserStatus.ACTIVE,
    )
    session.add(colleague)
    session.commit()
    session.add(PracticeMembership(user_id=colleague.id, practice_id=maple.id))
    session.commit()
    ordering = actor_for(session, "ordering")
    theirs, total = search_my_orders(session, actor=ordering, order_filter=OrderFilter())
    assert total > 0
    support = actor_for(session, "support")
    assert any(
        p.share_orders for p in user_admin.list_practices(session, actor=support) if p.practice_id == maple.id
    )
    seen, _ = search_my_orders(session, actor=actor_for(session, "colleague"), order_filter=OrderFilter())
    assert [r.order_number for r in seen] == [r.order_number for r in theirs]
    user_admin.set_share_orders(session, actor=support, practice_id=maple.id, share=False)
    assert (
        search_my_orders(session, actor=actor_for(session, "colleague"), order_filter=OrderFilter())[1] == 0
    )
    assert search_my_orders(session, actor=ordering, order_filter=OrderFilter())[1] == total
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.record_type == "practice")).all()
    assert "practice.share_orders_off" in actions
    with pytest.raises(PermissionDenied):
        user_admin.set_share_orders(session, actor=ordering, practice_id=maple.id, share=True)


def test_turning_sharing_off_ends_the_practices_sessions_and_turning_it_on_does_not(session, demo_data):
    office = _user(session, "ordering")
    nurse = _user(session, "nurse")
    practice_id = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == office.id)
    ).first()
    office_token, nurse_token = _signed_in(session, office), _signed_in(session, nurse)
    support = actor_for(session, "support")
    if not session.get(Practice, practice_id).share_orders:
        user_admin.set_share_orders(session, actor=support, practice_id=practice_id, share=True)
    assert resolve_actor(session, token=office_token) is not None  # turning it on ended nothing

    ended = user_admin.set_share_orders(session, actor=support, practice_id=practice_id, share=False)
    assert ended >= 1
    assert resolve_actor(session, token=office_token) is None
    assert resolve_actor(session, token=nurse_token) is not None  # not of the practice
    assert "session.revoked_all" in _actions(session, office)
    off = session.exec(select(AuditEvent).where(AuditEvent.action == "practice.share_orders_off")).one()
    assert (off.record_id, off.detail) == (str(practice_id), {"sessions_ended": ended})

    token = _signed_in(session, office)
    assert user_admin.set_share_orders(session, actor=support, practice_id=practice_id, share=True) == 0
    assert resolve_actor(session, token=token) is not None
