"""The password policy, shown to the user rule by rule as they type."""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_LENGTH = 12
MAX_LENGTH = 128
_TRAILING_DIGITS_AND_SYMBOLS = re.compile(r"[\d\W_]+$")


@dataclass(frozen=True)
class PasswordCheck:
    rule: str
    met: bool


def _is_common(password: str, common: frozenset[str]) -> bool:
    lowered = password.lower()
    # "dragon2024!" is as guessable as "dragon": try the word without its tail too.
    stem = _TRAILING_DIGITS_AND_SYMBOLS.sub("", lowered)
    return lowered in common or (len(stem) >= 4 and stem in common)


def password_checks(password: str, *, username: str, common: frozenset[str]) -> list[PasswordCheck]:
    """Each rule of the policy and whether ``password`` meets it."""
    name = username.strip().lower()
    return [
        PasswordCheck(f"At least {MIN_LENGTH} characters", MIN_LENGTH <= len(password) <= MAX_LENGTH),
        PasswordCheck(
            "Does not contain your username",
            bool(password) and not (len(name) >= 3 and name in password.lower()),
        ),
        PasswordCheck("Is not a commonly used password", bool(password) and not _is_common(password, common)),
    ]


def password_problems(password: str, *, username: str, common: frozenset[str]) -> list[str]:
    """The rules ``password`` breaks; empty when it is acceptable."""
    return [
        check.rule for check in password_checks(password, username=username, common=common) if not check.met
    ]
