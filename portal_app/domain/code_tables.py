"""A program's managed codes per plan and year, as its reference file lists them.

Every program keeps a CSV with one row per (plan_code, year, code) and a source; what else a row
carries differs per program, so each program says how a row becomes its code record and this module
does the rest: the key, the duplicate check, strict true/false flags, read-only tables and look-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

T = TypeVar("T")

Row = Mapping[str, Any]
CodeTable = Mapping[tuple[str, int], Mapping[str, T]]


def codes_by_plan_and_year(
    rows: Iterable[Row], record: Callable[[str, Row], T], *, file: str, unique: bool = False
) -> Mapping[tuple[str, int], Mapping[str, T]]:
    """``{(PLAN, year): {CODE: record(CODE, row)}}``, read-only; ``unique`` refuses a code listed twice
    for the same plan and year (otherwise the later row wins)."""
    table: dict[tuple[str, int], dict[str, T]] = {}
    for row in rows:
        code = str(row["code"]).strip().upper()
        key = (str(row["plan_code"]).strip().upper(), int(row["year"]))
        codes = table.setdefault(key, {})
        if unique and code in codes:
            raise ValueError(f"{file}: {code} listed twice for {key}")
        codes[code] = record(code, row)
    return MappingProxyType({key: MappingProxyType(codes) for key, codes in table.items()})


def codes_for(table: Mapping[tuple[str, int], Mapping[str, T]], plan_code: str, year: int) -> Mapping[str, T]:
    """The codes a plan manages in a year (none for a plan or year the file does not list)."""
    return table.get(((plan_code or "").strip().upper(), int(year)), MappingProxyType({}))


def true_or_false(row: Row, column: str, *, file: str, code: str) -> bool:
    """A flag column that must say exactly true or false."""
    text = str(row[column]).strip().lower()
    if text not in {"true", "false"}:
        raise ValueError(f"{file}: {column} must be true or false ({code})")
    return text == "true"
