"""Rate limits per user and per client on sign-in, password reset, registration, searches and
verify: a clear "try again in N seconds" and an audit row. Over the real websocket.

Every attempt comes from 127.0.0.1, the address of every other test too: so these tests run on a
backend of their own (tests/servers.py ``backend_only``: same database, its own in-memory counts),
and a limit they spend is gone with it instead of being waited out."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from portal_app.models import FeedbackGroupSignup, OutboxEmail
from portal_app.settings import DEFAULT_RATE_LIMITS
from portal_app.state.directory import DirectoryState
from portal_app.state.feedback import FeedbackGroupState
from portal_app.state.orders import VerifyState
from portal_app.state.transparency import TransparencyState
from tests.e2e.socket_client import PortalTab
from tests.security.attacks import (
    TOO_MANY,
    audit_count,
    make_user,
    register,
    request_reset,
    signed_in,
    state_name,
    try_sign_in,
)
from tests.servers import backend_only


@pytest.fixture(scope="module")
def limited(portal, tmp_path_factory) -> dict:
    """The portal for these tests: a backend of its own, sharing the portal's database."""
    with backend_only(portal, tmp_path_factory.mktemp("rate_limits")) as backend:
        yield {**portal, "url": backend["url"]}


# Each sign-in attempt hashes a password on purpose (argon2id), so spending the production 30 would
# cost this test about 15 s: its backend is configured with a lower limit through the same setting an
# operator would use (RATE_LIMIT_SIGN_IN_CLIENT); the default itself is checked in
# tests/unit/test_rate_limit_settings.py.
SIGN_IN_LIMIT = 5


@pytest.fixture
def limited_alone(portal, tmp_path_factory) -> dict:
    """A backend of its own for a test that spends the sign-in limit of this client address."""
    settings = {"RATE_LIMIT_SIGN_IN_CLIENT": f"{SIGN_IN_LIMIT} per minute"}
    with backend_only(portal, tmp_path_factory.mktemp("sign_in_limit"), settings=settings) as backend:
        yield {**portal, "url": backend["url"]}


def _allowed(name: str) -> int:
    return int(DEFAULT_RATE_LIMITS[name].split()[0])


def test_sign_in_attempts_from_one_client_are_limited(limited_alone, portal_db):
    limited = limited_alone
    before = audit_count(portal_db, "rate_limited", limit="sign_in_client")
    answers = [
        try_sign_in(limited["url"], f"probe-{uuid.uuid4().hex[:8]}@clinic.test", "Wrong-password-123")
        for _ in range(SIGN_IN_LIMIT + 1)
    ]
    assert not any(TOO_MANY.fullmatch(answer) for answer in answers[:-1]), answers
    assert TOO_MANY.fullmatch(answers[-1]), answers[-3:]
    assert audit_count(portal_db, "rate_limited", limit="sign_in_client") > before


def test_password_resets_for_one_address_are_limited(limited, portal_db):
    email = make_user(portal_db).email
    answers = [request_reset(limited["url"], email) for _ in range(_allowed("password_reset_account") + 1)]
    assert all(a["sent"] for a in answers[:-1])
    assert not answers[-1]["sent"] and TOO_MANY.fullmatch(answers[-1]["error"])
    portal_db.expire_all()
    mails = portal_db.exec(select(OutboxEmail).where(OutboxEmail.to_address == email)).all()
    assert len(mails) == _allowed("password_reset_account")
    assert audit_count(portal_db, "rate_limited", limit="password_reset_account") >= 1


def test_registrations_for_one_address_are_limited(limited, portal_db):
    email = f"again-{uuid.uuid4().hex[:8]}@clinic.test"
    answers = [
        register(limited["url"], email=email, username=uuid.uuid4().hex[:12])
        for _ in range(_allowed("registration_account") + 1)
    ]
    assert all(a["step"] == 4 for a in answers[:-1])
    assert answers[-1]["step"] == 3 and TOO_MANY.fullmatch(answers[-1]["form_error"])
    assert audit_count(portal_db, "rate_limited", limit="registration_account") >= 1


def test_verify_look_ups_of_one_user_are_limited(limited, portal_db):
    v = state_name(VerifyState)
    tab = signed_in(limited["url"], "ordering2", "/verify")
    try:
        for n in range(_allowed("verify_user") + 1):
            form = {"order_number": f"PC2026{n:06d}0", "member_number": "EVG100000004"}
            tab.call(f"{v}.verify", {"form_data": form}, path="/verify")
            tab.settle(quiet=0.1)
        assert TOO_MANY.fullmatch(tab.var(v, "error")), tab.state.get(v)
        assert not tab.var(v, "checked")
        assert audit_count(portal_db, "rate_limited", limit="verify_user") >= 1
    finally:
        tab.close()


def test_searches_of_one_user_are_limited(limited, portal_db):
    d = state_name(DirectoryState)
    tab = signed_in(limited["url"], "physician", "/providers")
    try:
        for _ in range(_allowed("search_user") + 1):
            tab.call(f"{d}.apply_filter", {"form_data": {"text": "Demoson"}}, path="/providers")
            tab.settle(quiet=0.05)
        assert TOO_MANY.fullmatch(tab.var(d, "error")), tab.var(d, "error")
        assert audit_count(portal_db, "rate_limited", limit="search_user") >= 1
    finally:
        tab.close()


def test_public_transparency_downloads_from_one_address_are_limited(limited, portal_db):
    allowed = _allowed("transparency_client")
    t, page = state_name(TransparencyState), "/prior-authorization"
    before = audit_count(portal_db, "rate_limited", limit="transparency_client")
    tab = PortalTab(limited["url"]).connect()
    try:
        tab.open_page(page)
        tab.settle()
        for _ in range(allowed + 2):
            tab.call(f"{t}.download_csv", {}, path=page)
            tab.settle(quiet=0.05)
        assert TOO_MANY.fullmatch(tab.var(t, "error")), tab.var(t, "error")
        assert audit_count(portal_db, "rate_limited", limit="transparency_client") > before
    finally:
        tab.close()


def test_feedback_group_sign_ups_for_one_address_are_limited(limited, portal_db):
    """The public form, over the websocket: the fourth sign-up with one e-mail within the hour is
    refused with the wait, and nothing of it is stored."""
    f, page = state_name(FeedbackGroupState), "/feedback-group"
    email = f"limit-{uuid.uuid4().hex[:8]}@clinic.test"
    form = {"full_name": "Sam Limit", "email": email, "role": "other", "consent": "on"}
    before = audit_count(portal_db, "rate_limited", limit="feedback_group_account")
    tab = PortalTab(limited["url"]).connect()
    try:
        tab.open_page(page)
        for _ in range(_allowed("feedback_group_account")):
            tab.call(f"{f}.submit", {"form_data": form}, path=page)
            tab.settle(quiet=0.05)
            assert tab.var(f, "thanks") and not tab.var(f, "form_error")
        tab.call(f"{f}.submit", {"form_data": {**form, "full_name": "Changed Name"}}, path=page)
        tab.settle(quiet=0.05)
        assert TOO_MANY.fullmatch(tab.var(f, "form_error")), tab.var(f, "form_error")
        assert audit_count(portal_db, "rate_limited", limit="feedback_group_account") == before + 1
        portal_db.expire_all()
        [row] = portal_db.exec(select(FeedbackGroupSignup).where(FeedbackGroupSignup.email == email)).all()
        assert row.full_name == "Sam Limit"
    finally:
        tab.close()
