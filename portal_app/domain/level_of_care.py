"""Level of care: the setting a request asks for (inpatient stay or outpatient surgery) and the
criteria a reviewer checks it against (``reference/<program>_level_of_care.csv``, with sources).

A program takes part by keeping such a table and asking a ``setting`` question (musculoskeletal
does: "inpatient" or "outpatient"); for any other program every function here answers empty.
An approval names the setting it approves. Pure: reads packaged reference data only.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from portal_app.domain.enums import Program

SETTING_LABELS = {"inpatient": "inpatient (a hospital stay)", "outpatient": "outpatient (no overnight stay)"}


@dataclass(frozen=True)
class LevelOfCareCriterion:
    criterion_id: str
    setting: str
    text: str
    citation: str
    source: str


@lru_cache(maxsize=16)
def level_of_care_criteria(program: Program | str) -> tuple[LevelOfCareCriterion, ...]:
    """The program's level-of-care table (empty when it has none)."""
    path = resources.files("portal_app.reference").joinpath(f"{Program(program).value}_level_of_care.csv")
    if not path.is_file():
        return ()
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines):
        values = {
            k: (row.get(k) or "").strip() for k in ("criterion_id", "setting", "text", "citation", "source")
        }
        if not all(values.values()):
            raise ValueError(f"{Program(program).value}_level_of_care.csv: every column is needed ({values})")
        rows.append(LevelOfCareCriterion(**values))
    return tuple(rows)


def requested_setting(program: Program | str, details: Mapping | None) -> str:
    """The setting asked for ("inpatient", "outpatient"), or "" when the program reviews none."""
    setting = str((details or {}).get("setting", ""))
    if setting not in SETTING_LABELS or not level_of_care_criteria(program):
        return ""
    return setting


def criteria_for_setting(program: Program | str, details: Mapping | None) -> tuple[LevelOfCareCriterion, ...]:
    """The criteria the reviewer checks the requested setting against."""
    setting = requested_setting(program, details)
    return tuple(c for c in level_of_care_criteria(program) if c.setting == setting) if setting else ()


def approved_setting_sentence(program: Program | str, details: Mapping | None) -> str:
    """What an approval says about the setting ("Setting approved: inpatient (a hospital stay)."), or ""."""
    setting = requested_setting(program, details)
    return f"Setting approved: {SETTING_LABELS[setting]}." if setting else ""


__all__ = [
    "LevelOfCareCriterion",
    "approved_setting_sentence",
    "criteria_for_setting",
    "level_of_care_criteria",
    "requested_setting",
]
