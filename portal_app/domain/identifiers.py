"""Check digits and formats of the identifiers the portal accepts."""

from __future__ import annotations

import re

# The NPI check digit is the Luhn formula over the 9 identifier digits prefixed
# with the card issuer prefix 80840 (CMS, "Requirements for Check Digit
# Algorithm for the National Provider Identifier", 2005; the prefix adds the
# constant 24 to the Luhn sum). Worked example in that document: 123456789 -> 3.
_NPI_PREFIX_SUM = 24
_NPI_PATTERN = re.compile(r"^\d{10}$")
_TAX_ID_PATTERN = re.compile(r"^(\d{2})-?(\d{7})$")
# A CLIA certificate number (CMS, Clinical Laboratory Improvement Amendments): 10 characters, the
# 2-digit state code, the letter D, then 7 digits, e.g. 05D0000000.
_CLIA_PATTERN = re.compile(r"^\d{2}D\d{7}$")


def _luhn_sum(digits: str, *, double_rightmost: bool) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if (position % 2 == 0) == double_rightmost:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def npi_check_digit(first_nine: str) -> int:
    """Return the check digit for a 9-digit NPI stem."""
    if not re.fullmatch(r"\d{9}", first_nine):
        raise ValueError("An NPI stem is 9 digits")
    total = _NPI_PREFIX_SUM + _luhn_sum(first_nine, double_rightmost=True)
    return (10 - total % 10) % 10


def is_valid_npi(npi: str) -> bool:
    """True when ``npi`` is 10 digits with a correct check digit."""
    if not _NPI_PATTERN.match(npi or ""):
        return False
    return npi_check_digit(npi[:9]) == int(npi[9])


def normalize_tax_id(raw: str) -> str | None:
    """Return a tax ID as ``NN-NNNNNNN``, or None when it is not 9 digits."""
    match = _TAX_ID_PATTERN.match((raw or "").strip())
    if not match:
        return None
    return f"{match.group(1)}-{match.group(2)}"


def is_clia_number(value: str) -> bool:
    """True when ``value`` has the CLIA certificate number format (2 digits, D, 7 digits)."""
    return bool(_CLIA_PATTERN.match((value or "").strip()))
