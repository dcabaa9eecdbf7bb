"""Plain-language messages for pydantic validation errors, per field path."""

from __future__ import annotations

from pydantic import ValidationError

_GENERIC_MESSAGES = {
    "missing": "Please answer this question.",
    "literal_error": "Choose one of the options offered.",
    "list_type": "Choose from the list.",
    "model_type": "Please answer these questions.",
    "model_attributes_type": "Please answer these questions.",
    "int_type": "Enter a whole number.",
    "int_parsing": "Enter a whole number.",
    "string_type": "Enter text here.",
}


def plain_errors(error: ValidationError) -> dict[str, str]:
    """Field path (e.g. ``"cardiac.chest_pain_type"``) -> one plain message, first error wins."""
    messages: dict[str, str] = {}
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"]) or "details"
        messages.setdefault(path, _GENERIC_MESSAGES.get(item["type"], item["msg"]))
    return messages
