from datetime import UTC, datetime, timedelta

import pytest

from portal_app.domain.signed_tokens import InvalidToken, read_token, sign_token

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SECRET = "test-secret"


def _token(**overrides):
    values = {"purpose": "confirm_email", "user_id": 7, "stamp": "abc", "secret": SECRET, "now": NOW}
    values.update(overrides)
    return sign_token(**values)


def test_a_token_reads_back_its_claims():
    claims = read_token(_token(), purpose="confirm_email", secret=SECRET, now=NOW)
    assert (claims.user_id, claims.stamp) == (7, "abc")
    assert claims.expires_at == NOW + timedelta(hours=24)


def test_a_token_expires_after_24_hours():
    token = _token()
    read_token(token, purpose="confirm_email", secret=SECRET, now=NOW + timedelta(hours=23, minutes=59))
    with pytest.raises(InvalidToken, match="expired"):
        read_token(token, purpose="confirm_email", secret=SECRET, now=NOW + timedelta(hours=24))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: t.split(".")[0],
        lambda t: "",
        lambda t: "not-a-token",
    ],
)
def test_a_changed_or_malformed_token_is_refused(tamper):
    with pytest.raises(InvalidToken):
        read_token(tamper(_token()), purpose="confirm_email", secret=SECRET, now=NOW)


def test_a_token_for_another_purpose_or_secret_is_refused():
    with pytest.raises(InvalidToken):
        read_token(_token(), purpose="reset_password", secret=SECRET, now=NOW)
    with pytest.raises(InvalidToken):
        read_token(_token(), purpose="confirm_email", secret="other", now=NOW)
