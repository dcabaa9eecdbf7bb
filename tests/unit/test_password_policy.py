import pytest

from portal_app.domain.password_policy import password_checks, password_problems
from portal_app.reference import common_passwords

COMMON = common_passwords()


def test_the_shipped_list_is_loaded():
    assert len(COMMON) >= 10_000
    assert "password" in COMMON and "123456" in COMMON


@pytest.mark.parametrize(
    ("password", "broken"),
    [
        ("short-pw", ["At least 12 characters"]),
        ("x" * 129, ["At least 12 characters"]),
        ("jdoe-is-my-name-2026", ["Does not contain your username"]),
        ("JDOE-is-my-name-2026", ["Does not contain your username"]),
        ("1qaz2wsx3edc", ["Is not a commonly used password"]),
        ("baseball2024!!", ["Is not a commonly used password"]),
        ("Correct horse battery", []),
    ],
)
def test_each_rule(password, broken):
    assert password_problems(password, username="jdoe", common=COMMON) == broken


def test_an_empty_password_meets_no_rule():
    assert [c.met for c in password_checks("", username="jdoe", common=COMMON)] == [False, False, False]


def test_the_demo_passwords_meet_the_policy():
    from portal_app.services.demo_data import DEMO_ACCOUNTS

    for account in DEMO_ACCOUNTS:
        assert password_problems(account.password, username=account.username, common=COMMON) == []
