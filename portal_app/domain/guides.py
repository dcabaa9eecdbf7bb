"""The help page's building blocks: a guide and its checklist items, and the wording helpers that
each program's ``help.py`` (``portal_app/programs/<program>/help.py``) uses to derive its checklist
from its criteria data. Pure functions over packaged reference data: no database, no settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal_app import reference


class UnknownCriterion(ValueError):
    """The data holds a criterion the help page has no checklist line for."""


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to have ready: plain words, the requests it is for, and where it comes from."""

    text: str
    applies_to: str = ""  # empty: every request of the program
    details: tuple[str, ...] = ()  # the choices or limits behind the item, one per line
    source: str = ""  # the data it is derived from: criterion ids and reference files
    citation: str = ""  # the guideline or rule behind it, shown beside it


@dataclass(frozen=True)
class ProgramGuide:
    program: str  # the Program value
    title: str
    anchor: str  # the id of the page section
    covers: str
    wizard_asks: tuple[str, ...]
    decided_at_once: tuple[str, ...]
    validity: str
    checklist: tuple[ChecklistItem, ...]
    # (words before the link, the link's text, its route): pages of the portal about the program.
    see_also: tuple[tuple[str, str, str], ...] = ()


# ---------------------------------------------------------------------------------------------
# Wording helpers
# ---------------------------------------------------------------------------------------------


def listed(items: Iterable[str], word: str) -> str:
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def and_(items: Iterable[str]) -> str:
    return listed(items, "and")


def or_(items: Iterable[str]) -> str:
    return listed(items, "or")


def semi(items: Iterable[str]) -> str:
    """For labels that hold commas themselves."""
    return "; ".join(item for item in items if item)


def lowered(items: Iterable[str]) -> list[str]:
    return [lower_first(item) for item in items]


def lower_first(text: str) -> str:
    # Keep abbreviations (CPAP, MRI) as they are.
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def num(value: float) -> str:
    return f"{value:g}"


def days_in(values: Iterable[int], unit: str = "calendar days") -> str:
    """'60 calendar days', or '30 or 60 calendar days, depending on the health plan'."""
    distinct = sorted(set(values))
    text = f"{or_([str(value) for value in distinct])} {unit}"
    return text if len(distinct) == 1 else f"{text}, depending on the health plan"


def column(table: str, column: str) -> list[int]:
    return [int(value) for value in reference.table(table)[column] if str(value).strip()]


def codes_text(spec_codes: Iterable[str]) -> str:
    return f"codes {', '.join(sorted(spec_codes))}"


GENERAL_DECISION = (
    "When every criterion for a requested code is met, the line is authorized at submission, with the dates "
    "it is valid. When a criterion is not met or cannot be told from the answers, a nurse reviews the line: "
    "the portal never denies a request on its own."
)
NOT_MANAGED = (
    "A code the health plan does not manage through the program is refused before you submit: ask the health "
    "plan about it."
)
