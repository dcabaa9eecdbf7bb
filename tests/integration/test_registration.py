"""Registration, e-mail confirmation and support approval, end to end through the services."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from portal_app.domain.enums import Role, UserStatus
from portal_app.models import AuditEvent, OutboxEmail, PracticeMembership, User
from portal_app.services.accounts import authenticate
from portal_app.services.authz import Actor, PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.registration import (
    Registration,
    RegistrationError,
    approve,
    confirm_email,
    list_pending,
    register,
    reject,
)

GOOD = dict(
    full_name="Rita Registrant",
    email="Rita@Example.test",
    phone="555-0123",
    fax="",
    role="ordering_provider_staff",
    username="rita",
    password="Tulip-garden-lamp",
    password_again="Tulip-garden-lamp",
    tax_ids=["901000001", "77-7777777"],
)


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _actor(session, email) -> Actor:
    user = session.exec(select(User).where(User.email == email)).one()
    return Actor(user_id=user.id, role=Role(user.role), full_name=user.full_name)


def _confirmation_token(session, email) -> str:
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == email)).one()
    return re.search(r"token=(\S+)", mail.body).group(1)


def test_register_confirm_approve_then_sign_in(demo):
    session = demo
    outcome = register(session, registration=Registration(**GOOD))
    assert outcome.unknown_tax_ids == ("77-7777777",)
    assert not authenticate(session, identifier="rita", password=GOOD["password"]).ok

    confirm_email(session, token=_confirmation_token(session, "rita@example.test"))
    user = session.get(User, outcome.user_id)
    assert user.status == UserStatus.PENDING_SUPPORT_APPROVAL
    assert not authenticate(session, identifier="rita", password=GOOD["password"]).ok

    support = _actor(session, "support@demo.precert.test")
    [pending] = list_pending(session, actor=support)
    assert pending.unknown_tax_ids == "77-7777777"
    assert approve(session, actor=support, user_id=outcome.user_id) == 1

    memberships = session.exec(
        select(PracticeMembership).where(PracticeMembership.user_id == outcome.user_id)
    ).all()
    assert len(memberships) == 1
    assert authenticate(session, identifier="rita", password=GOOD["password"]).ok
    actions = session.exec(select(AuditEvent.action)).all()
    assert {"registration.submitted", "registration.email_confirmed", "registration.approved"} <= set(actions)


def test_a_confirmation_link_works_once(demo):
    register(demo, registration=Registration(**GOOD))
    token = _confirmation_token(demo, "rita@example.test")
    confirm_email(demo, token=token)
    with pytest.raises(RegistrationError, match="already been used"):
        confirm_email(demo, token=token)


def test_bad_input_is_refused_field_by_field(demo):
    bad = dict(GOOD, email="not-an-email", password="short", password_again="short", tax_ids=["12-34"])
    with pytest.raises(RegistrationError) as refused:
        register(demo, registration=Registration(**bad))
    assert set(refused.value.field_errors) == {"email", "password", "tax_ids"}
    assert demo.exec(select(User).where(User.username == "rita")).first() is None


def test_someone_already_registered_does_not_register_again(demo):
    # The page answers as for a new account (no enumeration); only the address's owner is told.
    duplicate = dict(GOOD, email="ordering@demo.precert.test", username="someone-new")
    outcome = register(demo, registration=Registration(**duplicate))
    assert outcome.email == "ordering@demo.precert.test"
    assert demo.exec(select(User).where(User.username == "someone-new")).first() is None
    mail = demo.exec(select(OutboxEmail).where(OutboxEmail.to_address == "ordering@demo.precert.test")).one()
    assert "One account serves every program" in mail.body and "token=" not in mail.body


def test_a_taken_username_is_told_only_by_e_mail(demo):
    taken = dict(GOOD, username="ordering")
    outcome = register(demo, registration=Registration(**taken))
    assert outcome.email == "rita@example.test"
    assert demo.exec(select(User).where(User.email == "rita@example.test")).first() is None
    mail = demo.exec(select(OutboxEmail).where(OutboxEmail.to_address == "rita@example.test")).one()
    assert "username you chose is already in use" in mail.body


def test_only_support_may_approve_and_a_rejection_needs_a_reason(demo):
    outcome = register(demo, registration=Registration(**GOOD))
    confirm_email(demo, token=_confirmation_token(demo, "rita@example.test"))
    nurse = _actor(demo, "nurse@demo.precert.test")
    with pytest.raises(PermissionDenied):
        approve(demo, actor=nurse, user_id=outcome.user_id)
    assert demo.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).first() is not None

    support = _actor(demo, "support@demo.precert.test")
    with pytest.raises(RegistrationError):
        reject(demo, actor=support, user_id=outcome.user_id, reason="  ")
    reject(demo, actor=support, user_id=outcome.user_id, reason="Tax ID does not belong to the practice")
    assert demo.get(User, outcome.user_id).status == UserStatus.DISABLED
    assert list_pending(demo, actor=support) == []
