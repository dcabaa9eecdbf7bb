"""A plan's facility cost level file (domain/cost_levels.py): relative levels only, never prices; dates,
one scale per file, a source per row. The format is in docs/data-files.md ("Facility cost levels")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from portal_app.domain import cost_levels as cl
from portal_app.domain.identifiers import npi_check_digit

HEADER = "npi,cost_level,effective_from,effective_until,source\n"


def _npi(stem: str) -> str:
    return f"{stem}{npi_check_digit(stem)}"


A, B = _npi("299000001"), _npi("299000002")


def _read(*rows: str, header: str = HEADER) -> cl.CostLevelFile:
    return cl.read_cost_level_csv((header + "".join(f"{row}\n" for row in rows)).splitlines(keepends=True))


def test_a_good_file_gives_its_rows_in_canonical_form():
    parsed = _read(
        f"{A}, $$ ,2026-01-01,2026-06-30,Plan cost report 2026",
        f"{A},$$$,2026-07-01,,Plan cost report 2026",
        f"{B},$,2026-01-01,,Plan cost report 2026",
    )
    assert parsed.ok, parsed.problems
    assert [(r.npi, r.level, r.effective_from, r.effective_until) for r in parsed.rows] == [
        (A, "$$", date(2026, 1, 1), date(2026, 6, 30)),
        (A, "$$$", date(2026, 7, 1), None),
        (B, "$", date(2026, 1, 1), None),
    ]
    assert parsed.rows[0].source == "Plan cost report 2026"


def test_the_word_scale_is_accepted_and_comments_are_skipped():
    parsed = cl.read_cost_level_csv(
        ["# Our cost tiers\n", HEADER, f"{A},Lower,2026-01-01,,tiers\n", f"{B},AVERAGE,2026-01-01,,tiers\n"]
    )
    assert parsed.ok and [r.level for r in parsed.rows] == ["lower", "average"]


@pytest.mark.parametrize("amount", ["$1,200", "1200", "$450.00", "USD 300", "85%", "$$1"])
def test_a_dollar_amount_is_refused_with_a_clear_reason(amount):
    parsed = _read(f'{A},"{amount}",2026-01-01,,report')
    (problem,) = parsed.problems
    assert problem.field == "cost_level" and problem.where == "line 2"
    assert "looks like an amount" in problem.problem and "never prices" in problem.problem
    assert parsed.rows == ()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (f"{A},cheap,2026-01-01,,report", "cost_level"),
        (f"{A},,2026-01-01,,report", "cost_level"),
        (f"{A},$$$$$,2026-01-01,,report", "cost_level"),
        ("1234567890,$,2026-01-01,,report", "npi"),  # wrong check digit
        (f"{A},$,2026-13-01,,report", "effective_from"),
        (f"{A},$,,,report", "effective_from"),
        (f"{A},$,2026-05-01,2026-04-30,report", "effective_until"),
        (f"{A},$,2026-01-01,,", "source"),
    ],
)
def test_each_bad_value_is_named_by_line_and_field(row, field):
    parsed = _read(row)
    assert [p.field for p in parsed.problems] == [field]
    assert parsed.problems[0].where == "line 2" and not parsed.rows


def test_a_price_column_is_not_part_of_the_format():
    parsed = _read(f"{A},$,2026-01-01,,report,250", header=HEADER.strip() + ",price\n")
    assert [(p.field, p.problem) for p in parsed.problems] == [
        ("price", "This column is not part of the format.")
    ]


def test_overlapping_periods_of_one_facility_are_refused():
    parsed = _read(
        f"{A},$,2026-01-01,2026-12-31,report",
        f"{A},$$,2026-06-01,,report",
        f"{B},$,2026-01-01,,report",
    )
    (problem,) = parsed.problems
    assert problem.where == "line 3" and "already has a level for these dates at line 2" in problem.problem


def test_one_scale_per_file():
    parsed = _read(f"{A},$,2026-01-01,,report", f"{B},higher,2026-01-01,,report")
    (problem,) = parsed.problems
    assert problem.where == "line 3" and "one scale" in problem.problem


def test_an_empty_file_is_refused():
    assert [p.problem for p in _read().problems] == ["The file lists no cost levels."]


def test_the_level_in_force_on_a_date():
    periods = [
        cl.Period("$$", date(2026, 1, 1), date(2026, 6, 30)),
        cl.Period("$$$", date(2026, 7, 1), None),
    ]
    assert cl.in_force(periods, date(2025, 12, 31)) == ""
    assert cl.in_force(periods, date(2026, 6, 30)) == "$$"
    assert cl.in_force(periods, date(2026, 7, 1)) == "$$$"
    assert cl.in_force([cl.Period("$", date(2026, 1, 1), date(2026, 3, 31))], date(2026, 4, 1)) == ""


def test_labels_say_it_is_the_plans_relative_level():
    assert cl.level_label("$$") == "$$ of $$$$ (plan's cost level)"
    assert cl.level_label("lower") == "Lower cost than similar sites"
    assert cl.level_label("") == ""


def test_the_documented_example_is_a_valid_file_and_is_the_demo_plans_file():
    from portal_app.services.demo_data import demo_cost_level_csv

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cost-levels.csv"
    text = example.read_text(encoding="utf-8")
    assert cl.read_cost_level_csv(text.splitlines(keepends=True)).ok
    assert text == demo_cost_level_csv()
