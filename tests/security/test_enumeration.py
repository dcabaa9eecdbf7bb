"""Row 8: sign-in (lockout included), password reset and registration answer the same for an
existing account and an unknown one. Over the real websocket."""

from __future__ import annotations

import uuid

import pytest

from portal_app.services.accounts import ACCOUNT_LOCKED, SIGN_IN_FAILED
from tests.security.attacks import make_user, register, request_reset, try_sign_in
from tests.servers import backend_only


@pytest.fixture
def own_backend(portal, tmp_path_factory) -> dict:
    """Twelve failed sign-ins from this client address: on a backend of its own (same database), whose
    per-address count starts at zero whatever other test files on this portal spent before."""
    with backend_only(portal, tmp_path_factory.mktemp("enumeration")) as backend:
        yield {**portal, "url": backend["url"]}


def test_sign_in_and_its_lockout_answer_alike_for_existing_and_unknown_accounts(own_backend, portal_db):
    existing = make_user(portal_db).email
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@clinic.test"
    answers = {
        who: [try_sign_in(own_backend["url"], who, "Wrong-password-123") for _ in range(6)]
        for who in (existing, unknown)
    }
    assert answers[existing] == answers[unknown]
    assert answers[unknown] == [SIGN_IN_FAILED] * 4 + [ACCOUNT_LOCKED] * 2


def _new_address() -> str:
    return f"new-{uuid.uuid4().hex[:8]}@clinic.test"


def test_password_reset_answers_alike_also_once_limited(portal, portal_db):
    existing = make_user(portal_db).email
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@clinic.test"
    answers = {who: [request_reset(portal["url"], who) for _ in range(4)] for who in (existing, unknown)}
    for first, second in zip(answers[existing], answers[unknown], strict=True):
        assert first["sent"] == second["sent"] and first["error"][:30] == second["error"][:30]


def test_registration_answers_alike_for_a_taken_address_or_username(portal, portal_db):
    taken = make_user(portal_db)
    fresh = register(
        portal["url"], email=f"new-{uuid.uuid4().hex[:8]}@clinic.test", username=uuid.uuid4().hex[:12]
    )
    same_email = register(portal["url"], email=taken.email, username=uuid.uuid4().hex[:12])
    same_username = register(
        portal["url"], email=f"new-{uuid.uuid4().hex[:8]}@clinic.test", username=taken.username
    )
    for answer in (fresh, same_email, same_username):
        assert answer["step"] == 4 and answer["form_error"] == "", answer
        assert not any(answer["errors"].values()), answer["errors"]
