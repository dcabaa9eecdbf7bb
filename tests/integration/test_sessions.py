"""Server-side sessions: tickets, cookie tokens, idle timeout, revocation, password changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal_app import clock
from portal_app.models import AuthSession, OutboxEmail, User
from portal_app.services.accounts import (
    PasswordChangeError,
    authenticate,
    change_password,
    request_password_reset,
    reset_password,
)
from portal_app.services.demo_data import load_demo_data
from portal_app.services.sessions import (
    ACTIVITY_WRITE_SECONDS,
    end_session,
    redeem_ticket,
    resolve_actor,
    seconds_until_idle_logoff,
    start_session,
)


@pytest.fixture
def nurse(session, demo_data):
    load_demo_data(session)
    return session.exec(select(User).where(User.username == "nurse")).one()


def _signed_in(session, user) -> str:
    return redeem_ticket(session, ticket=start_session(session, user_id=user.id))


def test_a_ticket_is_exchanged_once_for_a_token_and_only_its_hash_is_stored(session, nurse):
    ticket = start_session(session, user_id=nurse.id)
    token = redeem_ticket(session, ticket=ticket)
    assert token and redeem_ticket(session, ticket=ticket) is None
    stored = session.exec(select(AuthSession)).one()
    assert token not in (stored.token_hash or "") and len(stored.token_hash) == 64
    assert len(token) >= 32  # 32 random bytes, base64url: 256 bits
    actor = resolve_actor(session, token=token)
    assert actor.user_id == nurse.id and actor.role == "nurse_reviewer"


def test_a_stale_ticket_is_refused(session, nurse):
    ticket = start_session(session, user_id=nurse.id)
    row = session.exec(select(AuthSession)).one()
    row.ticket_expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert redeem_ticket(session, ticket=ticket) is None


def test_idle_sessions_end(session, nurse):
    with clock.frozen_at(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) as frozen:
        token = _signed_in(session, nurse)
        assert 14 * 60 < seconds_until_idle_logoff(session, token=token) <= 15 * 60
        frozen.advance(minutes=15, seconds=1)
        assert resolve_actor(session, token=token) is None
        assert seconds_until_idle_logoff(session, token=token) is None


def test_activity_is_written_at_most_every_few_seconds_and_still_restarts_the_idle_timer(session, nurse):
    with clock.frozen_at(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) as frozen:
        token = _signed_in(session, nurse)
        row = session.exec(select(AuthSession)).one()
        signed_in_at = row.last_seen_at
        frozen.advance(seconds=ACTIVITY_WRITE_SECONDS - 1)
        assert resolve_actor(session, token=token) is not None
        session.refresh(row)
        assert row.last_seen_at == signed_in_at  # a keystroke a moment later is not a write
        frozen.advance(seconds=1)
        resolve_actor(session, token=token)
        session.refresh(row)
        assert row.last_seen_at > signed_in_at
        # Busy for 20 minutes, one event every 10 seconds: never signed out for inactivity.
        for _ in range(120):
            frozen.advance(seconds=10)
            assert resolve_actor(session, token=token) is not None
        # Then idle: the logoff comes 15 minutes after the last written activity, give or take the bound.
        frozen.advance(minutes=15, seconds=ACTIVITY_WRITE_SECONDS)
        assert resolve_actor(session, token=token) is None


def test_sign_out_and_disabling_end_the_session(session, nurse):
    token = _signed_in(session, nurse)
    end_session(session, token=token, reason="signed_out")
    assert resolve_actor(session, token=token) is None

    token = _signed_in(session, nurse)
    nurse.status = "disabled"
    session.add(nurse)
    session.commit()
    assert resolve_actor(session, token=token) is None


def test_changing_the_password_signs_out_everywhere(session, nurse):
    first, second = _signed_in(session, nurse), _signed_in(session, nurse)
    actor = resolve_actor(session, token=first)
    with pytest.raises(PasswordChangeError, match="current password"):
        change_password(
            session, actor=actor, current_password="wrong", new_password="x", new_password_again="x"
        )
    change_password(
        session,
        actor=actor,
        current_password="Queue-Review-2026",
        new_password="Lantern-orchard-91",
        new_password_again="Lantern-orchard-91",
    )
    assert resolve_actor(session, token=first) is None and resolve_actor(session, token=second) is None
    assert authenticate(session, identifier="nurse", password="Lantern-orchard-91").ok


def test_password_reset_by_emailed_one_time_link(session, nurse):
    request_password_reset(session, email="nobody@example.test")
    assert session.exec(select(OutboxEmail)).all() == []
    request_password_reset(session, email="NURSE@demo.precert.test")
    mail = session.exec(select(OutboxEmail)).one()
    token = re.search(r"token=(\S+)", mail.body).group(1)
    with pytest.raises(PasswordChangeError, match="rule"):
        reset_password(session, token=token, new_password="password", new_password_again="password")
    reset_password(
        session, token=token, new_password="Copper-kettle-88", new_password_again="Copper-kettle-88"
    )
    assert authenticate(session, identifier="nurse", password="Copper-kettle-88").ok
    with pytest.raises(PasswordChangeError, match="already been used"):
        reset_password(
            session, token=token, new_password="Copper-kettle-99", new_password_again="Copper-kettle-99"
        )


def test_disabling_an_account_ends_its_sessions_at_once(session, nurse):
    from portal_app.domain.enums import Role
    from portal_app.services.admin import disable_user
    from portal_app.services.authz import Actor, PermissionDenied

    token = _signed_in(session, nurse)
    support = session.exec(select(User).where(User.username == "support")).one()
    with pytest.raises(PermissionDenied):
        disable_user(session, actor=Actor(nurse.id, Role.NURSE_REVIEWER, ""), user_id=support.id, reason="x")
    assert (
        disable_user(
            session,
            actor=Actor(support.id, Role.SUPPORT_ADMIN, ""),
            user_id=nurse.id,
            reason="left the company",
        )
        == 1
    )
    assert resolve_actor(session, token=token) is None
    assert not authenticate(session, identifier="nurse", password="Queue-Review-2026").ok
