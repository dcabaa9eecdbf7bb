"""Human-readable order numbers: ``PC`` + year + a six-digit sequence + a check digit.

The check digit (Luhn over the digits) catches most mistyped numbers before a
look-up, as on the phone with a servicing provider.
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^PC(\d{4})(\d{6})(\d)$")


def _luhn_check_digit(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def format_order_number(year: int, sequence: int) -> str:
    """``format_order_number(2026, 42)`` → ``PC20260000424``."""
    if not 0 < sequence < 1_000_000:
        raise ValueError("The sequence runs from 1 to 999999 each year")
    digits = f"{year:04d}{sequence:06d}"
    return f"PC{digits}{_luhn_check_digit(digits)}"


def is_valid_order_number(text: str) -> bool:
    match = _PATTERN.match((text or "").strip().upper())
    if not match:
        return False
    digits = match.group(1) + match.group(2)
    return _luhn_check_digit(digits) == int(match.group(3))
