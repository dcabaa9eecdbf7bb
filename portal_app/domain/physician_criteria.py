"""Criteria only a physician reviewer may settle (``reference/physician_only_criteria.csv``).

A hospital-outpatient CT or MR pends on the site-of-care criterion: review of the hospital setting
"will be provided by a ... physician reviewer" (program FAQ, shared/seeds/001). A request pending on
such a criterion goes straight to the physician queue, and a nurse may not approve its line.
Pure: reads packaged reference data only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources

from portal_app.domain.enums import Program
from portal_app.domain.rules import CriterionResult


@lru_cache(maxsize=1)
def _rows() -> dict[tuple[str, str], str]:
    text = resources.files("portal_app.reference").joinpath("physician_only_criteria.csv").read_text("utf-8")
    reader = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    rows = {}
    for row in reader:
        program = Program(row["program"].strip())
        rows[(program.value, row["criterion_id"].strip())] = row["reason"].strip()
    return rows


def physician_only(program: Program | str, results: Iterable[CriterionResult | Mapping]) -> str:
    """Why a physician must settle these results (the first open physician-only criterion), or ""."""
    code = Program(program).value
    for result in results:
        if isinstance(result, CriterionResult):
            criterion_id, met = result.criterion_id, result.met
        else:
            criterion_id, met = str(result.get("id", "")), result.get("met")
        if met is not True and (code, criterion_id) in _rows():
            return _rows()[(code, criterion_id)]
    return ""


def is_physician_only(program: Program | str, criterion_id: str) -> bool:
    """True when ``criterion_id`` is one only a physician settles (e.g. a hospital setting denial)."""
    return (Program(program).value, criterion_id) in _rows()


__all__ = ["is_physician_only", "physician_only"]
