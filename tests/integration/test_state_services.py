"""The services that took over the database reads and writes the Reflex states used to make themselves.

(The states only hand these functions to ``call_service``/``call_public``; tests/unit/test_layers.py
checks that no state opens a session.)
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app import db
from portal_app.domain.enums import AuditOutcome, Role, UserStatus
from portal_app.models import AuditEvent, HealthPlan, User
from portal_app.services import audit
from portal_app.services import order_entry as entry
from portal_app.services.accounts import sign_in
from portal_app.services.authz import Actor
from portal_app.services.calls import in_session
from portal_app.services.demo_data import load_demo_data
from portal_app.services.directory import plan_code, plan_names
from portal_app.services.passwords import hash_password
from portal_app.services.sessions import redeem_ticket, resolve_actor
from portal_app.settings import get_settings
from tests.conftest import BACKENDS
from tests.integration.order_helpers import actor_for, draft_order, member_by_number

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)
PASSWORD = "a long enough password"


@pytest.fixture
def demo(session):
    load_demo_data(session)
    return session


def test_plan_names_by_code_and_the_code_of_a_plan(demo):
    evergreen = demo.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    assert plan_names(demo, codes=["EVG", "NOPE"]) == {"EVG": evergreen.name}
    assert plan_names(demo, codes=[]) == {}
    assert plan_code(demo, plan_id=evergreen.id) == "EVG"
    assert plan_code(demo, plan_id=987654) == ""


def test_the_members_sex_is_read_through_the_drafts_access_check(demo):
    ordering = actor_for(demo)
    order_id = draft_order(demo, ordering)
    assert entry.member_sex(demo, actor=ordering, order_id=order_id) == str(
        member_by_number(demo, "EVG100000012").sex
    )
    stranger = Actor(user_id=ordering.user_id + 999, role=Role.ORDERING_PROVIDER_STAFF, full_name="x")
    with pytest.raises(entry.DraftNotFound):
        entry.member_sex(demo, actor=stranger, order_id=order_id)


def _user(session) -> User:
    user = User(
        email="pat@example.test",
        username="pat",
        password_hash=hash_password(PASSWORD),
        full_name="Pat Example",
        role=Role.NURSE_REVIEWER,
        status=UserStatus.ACTIVE,
    )
    session.add(user)
    session.commit()
    return user


def test_sign_in_gives_a_ticket_only_for_the_right_password(session):
    user = _user(session)
    refused, no_ticket = sign_in(session, identifier="pat", password="wrong password here")
    assert not refused.ok and no_ticket is None
    result, ticket = sign_in(session, identifier="pat", password=PASSWORD, client_address="10.0.0.1")
    assert result.ok and result.user_id == user.id and ticket
    token = redeem_ticket(session, ticket=ticket)
    assert resolve_actor(session, token=token).user_id == user.id


def test_a_denied_handler_is_audited_and_committed(session):
    user = _user(session)
    actor = Actor(user_id=user.id, role=Role.NURSE_REVIEWER, full_name="Pat", client_address="10.0.0.2")
    audit.record_denied_access(session, actor=actor, handler="AdminState.load_page")
    session.rollback()  # committed by the service: a rollback keeps it
    row = session.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).one()
    assert (row.user_id, row.outcome, row.client_address) == (user.id, AuditOutcome.DENIED, "10.0.0.2")
    assert row.detail == {"handler": "AdminState.load_page"}


def test_in_session_runs_a_service_in_a_session_of_its_own(session, db_url, monkeypatch):
    user = _user(session)
    monkeypatch.setenv("DB_URL", db_url)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        result, ticket = in_session(sign_in, identifier="pat@example.test", password=PASSWORD)
    finally:
        db.get_engine().dispose()
        db.get_engine.cache_clear()
        get_settings.cache_clear()
    assert result.user_id == user.id and ticket
    session.expire_all()
    assert session.get(User, user.id).failed_sign_ins == 0
