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


def errors_by_field(
    errors: dict[str, str], fields: tuple[str, ...], target=lambda key: key.split(".")[0]
) -> dict[str, str]:
    """One message per form field (the first), from a schema's errors keyed by dotted paths;
    ``target`` maps a path to its field. Every field gets a key, "" when it has no error."""
    shown = dict.fromkeys(fields, "")
    for key, message in errors.items():
        field = target(key)
        if field in shown and not shown[field]:
            shown[field] = message
    return shown


def toggled(chosen: list[str], value: str, checked: object) -> list[str]:
    """``chosen`` with ``value`` added (appended) when ``checked`` is exactly True, else removed."""
    rest = [item for item in chosen if item != value]
    return rest + [value] if checked is True else rest
