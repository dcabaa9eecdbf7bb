"""Checks for event-handler arguments: the browser can send anything."""

from __future__ import annotations

from typing import Any


def as_int(value: Any, *, default: int = 0) -> int:
    """``value`` as an int when it is one (or an integer string); ``default`` otherwise."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return default
