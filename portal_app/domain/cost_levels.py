"""A plan's file of facilities' relative cost levels (the seeds' "Specialty Care Shopper": where a
site stands on the plan's own cost scale, shown next to its quality and distance).

Pure: ``read_cost_level_csv`` checks every row and returns the cleaned rows or the problems (line,
field, problem); ``level_label`` words a level for the office; ``in_force`` picks a facility's row on a
date of service. A level is relative, on one of two scales: ``$`` to ``$$$$``, or ``lower``,
``average``, ``higher`` (than similar sites in the plan's network). Prices are refused: the portal
shows the plan's own data or nothing, never an amount. The format is in ``docs/data-files.md``
("Facility cost levels").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from portal_app.domain.data_files import FileProblem, csv_rows
from portal_app.domain.identifiers import is_valid_npi

COST_LEVEL_COLUMNS = ("npi", "cost_level", "effective_from", "effective_until", "source")
COST_LEVEL_OPTIONAL = frozenset({"effective_until"})
MAX_SOURCE = 1000
MAX_ROWS = 50_000

DOLLAR_SCALE = ("$", "$$", "$$$", "$$$$")
WORD_SCALE = ("lower", "average", "higher")
LEVELS = DOLLAR_SCALE + WORD_SCALE
_WORD_LABELS = {
    "lower": "Lower cost than similar sites",
    "average": "Average cost for similar sites",
    "higher": "Higher cost than similar sites",
}
# Anything with a digit is an amount (a price, a percentage, a number of dollars): never a level.
_AMOUNT = re.compile(r"\d")
REFUSED_AMOUNT = (
    "{value} looks like an amount. The file holds relative cost levels only ($, $$, $$$, $$$$, or "
    "lower, average, higher), never prices or figures."
)


@dataclass(frozen=True)
class CostLevelRow:
    where: str
    npi: str
    level: str
    effective_from: date
    effective_until: date | None
    source: str

    def key(self) -> tuple[str, date]:
        return (self.npi, self.effective_from)

    def values(self) -> tuple[str, date | None, str]:
        """What a reload compares against the stored row."""
        return (self.level, self.effective_until, self.source)


@dataclass(frozen=True)
class CostLevelFile:
    rows: tuple[CostLevelRow, ...]
    problems: tuple[FileProblem, ...]
    records: int = 0  # data rows read, good or not

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_level(value: str) -> str | None:
    """The level written the canonical way ("$$", "average"), or None when it is not a level."""
    text = "".join(value.split()).lower()
    return text if text in LEVELS else None


def scale_of(level: str) -> tuple[str, ...]:
    return DOLLAR_SCALE if level in DOLLAR_SCALE else WORD_SCALE


def level_label(level: str) -> str:
    """The level in words for the office: "$$ of $$$$ (plan's cost level)", "Lower cost than similar
    sites"; "" for no level."""
    if level in DOLLAR_SCALE:
        return f"{level} of $$$$ (plan's cost level)"
    return _WORD_LABELS.get(level, "")


def _date(where: str, field: str, value: str, problems: list[FileProblem], *, required: bool) -> date | None:
    text = value.strip()
    if not text:
        if required:
            problems.append(FileProblem(where, field, "A date is required (YYYY-MM-DD)."))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(FileProblem(where, field, f"{text} is not a date written YYYY-MM-DD."))
        return None


def _level(where: str, value: str, problems: list[FileProblem]) -> str:
    text = value.strip()
    level = parse_level(text)
    if level is not None:
        return level
    if _AMOUNT.search(text):
        problems.append(FileProblem(where, "cost_level", REFUSED_AMOUNT.format(value=text)))
    elif not text:
        problems.append(FileProblem(where, "cost_level", "A cost level is required."))
    else:
        problems.append(
            FileProblem(
                where, "cost_level", f"{text} is not a level: use $ to $$$$, or lower, average, higher."
            )
        )
    return ""


def check_cost_level_row(where: str, values: dict[str, str]) -> CostLevelRow | list[FileProblem]:
    problems: list[FileProblem] = []
    npi = values.get("npi", "").strip()
    if not is_valid_npi(npi):
        problems.append(
            FileProblem(where, "npi", f"{npi or '(empty)'} is not a 10-digit NPI with a correct check digit.")
        )
    level = _level(where, values.get("cost_level", ""), problems)
    starts = _date(where, "effective_from", values.get("effective_from", ""), problems, required=True)
    ends = _date(where, "effective_until", values.get("effective_until", ""), problems, required=False)
    if starts and ends and ends < starts:
        problems.append(FileProblem(where, "effective_until", "Ends before it starts."))
    source = " ".join(values.get("source", "").split())
    if not source:
        problems.append(
            FileProblem(where, "source", "Say where the level comes from (the plan's report, its date).")
        )
    elif len(source) > MAX_SOURCE:
        problems.append(FileProblem(where, "source", f"At most {MAX_SOURCE} characters."))
    if problems:
        return problems
    assert starts is not None
    return CostLevelRow(where, npi, level, starts, ends, source)


def _overlaps(a: CostLevelRow, b: CostLevelRow) -> bool:
    a_end, b_end = a.effective_until or date.max, b.effective_until or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def _consistency(rows: list[CostLevelRow]) -> list[FileProblem]:
    """One scale per file; a facility's periods do not overlap."""
    problems: list[FileProblem] = []
    scales = {scale_of(row.level) for row in rows}
    if len(scales) > 1:
        first_words = next(row for row in rows if row.level in WORD_SCALE)
        problems.append(
            FileProblem(
                first_words.where,
                "cost_level",
                "The file mixes $ levels with lower/average/higher: use one scale for the whole file.",
            )
        )
    by_npi: dict[str, list[CostLevelRow]] = {}
    for row in rows:
        for earlier in by_npi.get(row.npi, []):
            if _overlaps(earlier, row):
                problems.append(
                    FileProblem(
                        row.where,
                        "effective_from",
                        f"{row.npi} already has a level for these dates at {earlier.where}.",
                    )
                )
                break
        by_npi.setdefault(row.npi, []).append(row)
    return problems


def read_cost_level_csv(lines: Iterable[str]) -> CostLevelFile:
    """Every row of a cost level file checked; the rows only count when there are no problems."""
    rows: list[CostLevelRow] = []
    problems: list[FileProblem] = []
    records = 0
    for item in csv_rows(lines, COST_LEVEL_COLUMNS, COST_LEVEL_OPTIONAL):
        if isinstance(item, FileProblem):
            problems.append(item)
            continue
        records += 1
        checked = check_cost_level_row(*item)
        if isinstance(checked, list):
            problems.extend(checked)
        else:
            rows.append(checked)
    problems.extend(_consistency(rows))
    if not problems and not rows:
        problems.append(FileProblem("line 1", "file", "The file lists no cost levels."))
    if len(rows) > MAX_ROWS:
        problems.append(FileProblem("file", "npi", f"At most {MAX_ROWS:,} rows in one file."))
    return CostLevelFile(tuple(rows) if not problems else (), tuple(problems), records)


@dataclass(frozen=True)
class Period:
    level: str
    effective_from: date
    effective_until: date | None


def in_force(periods: Iterable[Period], on: date) -> str:
    """The level in force on ``on`` ("" when none): of overlapping periods the one that started last."""
    found = [
        p
        for p in periods
        if p.effective_from <= on and (p.effective_until is None or on <= p.effective_until)
    ]
    return max(found, key=lambda p: p.effective_from).level if found else ""
