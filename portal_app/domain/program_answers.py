"""Checks for the answers a program's details schema receives from a wizard or an API.

Used in pydantic ``mode="before"`` validators; each raises a ``PydanticCustomError`` whose message
names the question in plain words ("Choose the side from the list.").
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError


def choice(value: Any, allowed: tuple[str, ...], what: str) -> Any:
    """``value`` when it is one of ``allowed`` (surrounding spaces ignored), else a plain error."""
    if isinstance(value, str):
        value = value.strip()
    if value not in allowed:
        raise PydanticCustomError("choice", "Choose {what} from the list.", {"what": what})
    return value


def choices(values: Any, allowed: tuple[str, ...], what: str) -> list[str]:
    """A list of allowed values, repeats dropped, order kept."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple, set, frozenset)):
        raise PydanticCustomError("choice", "Choose {what} from the list.", {"what": what})
    picked = [choice(value, allowed, what) for value in values]
    return list(dict.fromkeys(picked))  # drop repeats, keep order


def whole_number(value: Any, *, maximum: int, what: str) -> int | None:
    """A whole number from 0 to ``maximum`` (typed or given), None when left empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = "Enter {what} as a whole number from 0 to {maximum}."
    if isinstance(value, bool):
        raise PydanticCustomError("whole_number", message, {"what": what, "maximum": maximum})
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            raise PydanticCustomError("whole_number", message, {"what": what, "maximum": maximum})
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= maximum:
        raise PydanticCustomError("whole_number", message, {"what": what, "maximum": maximum})
    return value


def text(value: Any, *, maximum: int, what: str) -> str:
    """Trimmed text of at most ``maximum`` characters ("" when not given)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PydanticCustomError("text", "Enter {what} as text.", {"what": what})
    value = value.strip()
    if len(value) > maximum:
        raise PydanticCustomError(
            "text_too_long",
            "Keep {what} to {maximum} characters or fewer (it has {length}).",
            {"what": what, "maximum": f"{maximum:,}", "length": f"{len(value):,}"},
        )
    return value
