"""Signing in checks the password, hides whether an account exists, and locks out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal_app.domain.enums import Role, UserStatus
from portal_app.models import AuditEvent, User
from portal_app.services.accounts import (
    ACCOUNT_LOCKED,
    MAX_FAILED_SIGN_INS,
    SIGN_IN_FAILED,
    authenticate,
)
from portal_app.services.passwords import hash_password

PASSWORD = "a long enough password"


@pytest.fixture
def user(session) -> User:
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


def _actions(session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_right_password_signs_in_by_email_or_username(session, user):
    by_email = authenticate(session, identifier="PAT@example.test", password=PASSWORD)
    by_username = authenticate(session, identifier="pat", password=PASSWORD)
    assert by_email.ok and by_username.ok
    assert by_email.user_id == user.id and by_email.role == Role.NURSE_REVIEWER
    assert _actions(session) == ["sign_in.succeeded", "sign_in.succeeded"]


def test_unknown_email_and_wrong_password_get_the_same_message(session, user):
    unknown = authenticate(session, identifier="nobody@example.test", password=PASSWORD)
    wrong = authenticate(session, identifier="pat", password="wrong password!!")
    assert not unknown.ok and not wrong.ok
    assert unknown.message == wrong.message == SIGN_IN_FAILED


def test_five_failures_in_a_row_lock_the_account_even_for_the_right_password(session, user):
    for _ in range(MAX_FAILED_SIGN_INS):
        result = authenticate(session, identifier="pat", password="wrong password!!")
    assert result.message == ACCOUNT_LOCKED
    assert not authenticate(session, identifier="pat", password=PASSWORD).ok
    assert "sign_in.lockout" in _actions(session)

    session.refresh(user)
    user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    session.add(user)
    session.commit()
    assert authenticate(session, identifier="pat", password=PASSWORD).ok


def test_an_account_that_is_not_active_cannot_sign_in(session, user):
    user.status = UserStatus.PENDING_SUPPORT_APPROVAL
    session.add(user)
    session.commit()
    result = authenticate(session, identifier="pat", password=PASSWORD)
    assert not result.ok and result.message == SIGN_IN_FAILED
