"""The shared reading of a program's codes per plan and year (portal_app/domain/code_tables.py)."""

import pytest

from portal_app.domain.code_tables import codes_by_plan_and_year, codes_for, true_or_false

ROWS = [
    {"plan_code": " evg ", "year": "2026", "code": "72148", "flag": "true"},
    {"plan_code": "EVG", "year": 2027, "code": "72148", "flag": "False"},
    {"plan_code": "LKS", "year": 2026, "code": "g0288 ", "flag": "false"},
]


def _flagged(code, row):
    return (code, true_or_false(row, "flag", file="codes.csv", code=code))


def test_rows_become_codes_keyed_by_upper_case_plan_and_year():
    table = codes_by_plan_and_year(ROWS, _flagged, file="codes.csv")
    assert codes_for(table, "evg", 2026) == {"72148": ("72148", True)}
    assert codes_for(table, " EVG ", 2027) == {"72148": ("72148", False)}
    assert codes_for(table, "LKS", 2026) == {"G0288": ("G0288", False)}
    assert codes_for(table, "EVG", 2025) == {} and codes_for(table, "", 2026) == {}


def test_tables_are_read_only():
    table = codes_by_plan_and_year(ROWS, _flagged, file="codes.csv")
    with pytest.raises(TypeError):
        table[("EVG", 2026)]["99999"] = ("99999", False)  # type: ignore[index]


def test_a_code_listed_twice_is_refused_only_where_it_must_be_unique():
    twice = [*ROWS, {"plan_code": "EVG", "year": 2026, "code": "72148", "flag": "false"}]
    assert (
        codes_for(codes_by_plan_and_year(twice, _flagged, file="codes.csv"), "EVG", 2026)["72148"][1] is False
    )
    with pytest.raises(ValueError, match=r"codes.csv: 72148 listed twice"):
        codes_by_plan_and_year(twice, _flagged, file="codes.csv", unique=True)


def test_a_flag_must_say_true_or_false():
    with pytest.raises(ValueError, match=r"codes.csv: flag must be true or false \(X1\)"):
        codes_by_plan_and_year(
            [{"plan_code": "EVG", "year": 2026, "code": "x1", "flag": "yes"}], _flagged, file="codes.csv"
        )
