"""Human-readable order numbers that cannot be guessed from one another.

New numbers: ``PC`` + year + eight random characters of Crockford's base 32 + one check
character, e.g. ``PC2026K7M2QX9D4``. The random part carries 40 bits from ``secrets``, so
knowing one number (or a thousand) says nothing about any other. The alphabet leaves out
I, L, O and U, so a number read out on the phone is not misheard; a typed I/L (1) or O (0)
is read as the digit. The check character (Luhn mod 32 over year and random part) catches
every single mistyped character and most swapped neighbours before a look-up.

Numbers issued before (``PC`` + year + six-digit sequence + Luhn digit) stay valid: they are
checked by their own rule, and existing orders keep them.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 8
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
# Crockford's decoding of the look-alike letters.
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_PATTERN = re.compile(rf"^PC(\d{{4}})([{ALPHABET}]{{{RANDOM_LENGTH}}})([{ALPHABET}])$")
_LEGACY_PATTERN = re.compile(r"^PC(\d{4})(\d{6})(\d)$")


def _luhn_check_digit(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def check_character(text: str) -> str:
    """Luhn mod N (N = 32) over ``text`` in the Crockford alphabet."""
    base = len(ALPHABET)
    total = 0
    for position, char in enumerate(reversed(text)):
        value = _VALUE[char] * (2 if position % 2 == 0 else 1)
        total += value // base + value % base
    return ALPHABET[(base - total % base) % base]


def new_order_number(year: int, *, random_part: str | None = None) -> str:
    """A fresh number for ``year``: eight random base-32 characters and a check character."""
    if not 1000 <= year <= 9999:
        raise ValueError("The year has four digits")
    body = random_part or "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    if len(body) != RANDOM_LENGTH or any(char not in _VALUE for char in body):
        raise ValueError("The random part is eight characters of Crockford's base 32")
    text = f"{year:04d}{body}"
    return f"PC{text}{check_character(text)}"


def normalize_order_number(text: str) -> str:
    """Upper case, spaces and dashes dropped, Crockford's look-alike letters read as digits."""
    cleaned = re.sub(r"[\s-]", "", (text or "")).upper()
    if not cleaned.startswith("PC"):
        return cleaned
    return "PC" + cleaned[2:].translate(_ALIASES)


def format_order_number(year: int, sequence: int) -> str:
    """The earlier, sequential form: ``format_order_number(2026, 42)`` → ``PC20260000424``.

    Only for numbers issued before (the demo orders keep theirs); new orders get
    ``new_order_number``.
    """
    if not 0 < sequence < 1_000_000:
        raise ValueError("The sequence runs from 1 to 999999 each year")
    digits = f"{year:04d}{sequence:06d}"
    return f"PC{digits}{_luhn_check_digit(digits)}"


def is_valid_order_number(text: str) -> bool:
    """True for a well-formed number of either form whose check character matches."""
    number = normalize_order_number(text)
    legacy = _LEGACY_PATTERN.match(number)
    if legacy:
        digits = legacy.group(1) + legacy.group(2)
        return _luhn_check_digit(digits) == int(legacy.group(3))
    match = _PATTERN.match(number)
    if not match:
        return False
    return check_character(match.group(1) + match.group(2)) == match.group(3)
