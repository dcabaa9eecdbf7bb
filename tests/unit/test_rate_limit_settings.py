"""The production rate limits and their per-limit settings (portal_app/settings.py). The security test of
the sign-in limit runs its backend with a lower limit set this way
(tests/security/test_rate_limits.py), so the production figure itself is checked here."""

from __future__ import annotations

import pytest

from portal_app.settings import DEFAULT_RATE_LIMITS, get_settings


@pytest.fixture
def fresh_settings(monkeypatch):
    # Without SECRET_KEY, reading the settings would write a development key into the checkout's data/.
    monkeypatch.setenv("SECRET_KEY", "unit-test-key")
    get_settings.cache_clear()
    yield get_settings
    get_settings.cache_clear()


def test_sign_in_attempts_from_one_client_are_limited_to_30_a_minute_by_default(fresh_settings, monkeypatch):
    monkeypatch.delenv("RATE_LIMIT_SIGN_IN_CLIENT", raising=False)
    assert fresh_settings().rate_limits["sign_in_client"] == "30 per minute"


def test_an_operator_sets_a_limit_through_its_own_variable(fresh_settings, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_SIGN_IN_CLIENT", "5 per minute")
    assert fresh_settings().rate_limits["sign_in_client"] == "5 per minute"
    assert (
        fresh_settings().rate_limits["password_reset_account"]
        == DEFAULT_RATE_LIMITS["password_reset_account"]
    )
