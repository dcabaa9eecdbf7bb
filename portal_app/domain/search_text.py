"""Text typed into a search, made safe for SQL LIKE: its wildcards match only themselves."""

from __future__ import annotations

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards (``%``, ``_``) and the escape character escaped.

    Use with ``column.ilike(pattern, escape=LIKE_ESCAPE)``.
    """
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains_pattern(text: str) -> str:
    """A LIKE pattern for "contains ``text``"."""
    return f"%{escape_like(text)}%"


def prefix_pattern(text: str) -> str:
    """A LIKE pattern for "starts with ``text``"."""
    return f"{escape_like(text)}%"
