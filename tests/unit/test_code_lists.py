"""The code list file (domain/code_lists.py; format in docs/data-files.md, "Code lists"): every
problem names its line and field, a good file gives sorted entries, and the diff against the
previous version says what was added, removed and changed. Code shapes: CPT is five characters,
four digits and a digit or F/T/U (AMA CPT code structure: Category I numeric, Category II "F",
Category III "T", PLA "U"); HCPCS level II is a letter A-V and four digits (CMS HCPCS file layout)."""

from __future__ import annotations

import pytest

from portal_app.domain.code_lists import (
    CodeListEntry,
    content_hash,
    diff_code_lists,
    read_code_list,
)

HEADER = "code,code_system,notification_only,description,source"


def _read(*rows: str, header: str = HEADER):
    return read_code_list([header + "\n", *(row + "\n" for row in rows)])


def test_a_good_file_gives_its_entries_by_code():
    checked = _read(
        '72148,CPT,no,"MRI lumbar spine, no contrast",Plan list 2026 p. 3',
        "A9552,HCPCS,yes,,Plan list 2026 p. 9",
        "0042T,cpt,,,Plan list 2026 p. 4",
    )
    assert checked.ok
    assert [e.code for e in checked.entries] == ["0042T", "72148", "A9552"]
    assert checked.entries[2] == CodeListEntry("A9552", "HCPCS", True, "", "Plan list 2026 p. 9")
    assert checked.entries[1].description == "MRI lumbar spine, no contrast"


def test_comments_and_the_optional_columns_may_be_left_out():
    checked = read_code_list(
        ["# RVB imaging, Medicare Advantage, 2026\n", "code,source\n", "70551,Plan list\n"]
    )
    assert checked.ok and checked.entries == (CodeListEntry("70551", "CPT", False, "", "Plan list"),)


@pytest.mark.parametrize(
    ("row", "field", "problem"),
    [
        ("7214,CPT,no,,src", "code", "not the shape of a CPT code"),
        ("72148X,CPT,no,,src", "code", "not the shape of a CPT code"),
        ("99999,HCPCS,no,,src", "code", "not the shape of a HCPCS code"),
        (",CPT,no,,src", "code", "required"),
        ("72148,LOINC,no,,src", "code_system", "not CPT or HCPCS"),
        ("72148,CPT,maybe,,src", "notification_only", "not yes or no"),
        ("72148,CPT,no,,", "source", "Say where the row comes from"),
        ("72148,CPT,no," + "x" * 301 + ",src", "description", "At most 300"),
        ("72148,CPT,no", "row", "Has 3 values"),
    ],
)
def test_each_problem_names_its_line_and_field(row, field, problem):
    checked = _read("70551,CPT,no,,src", row)
    assert not checked.ok and checked.entries == ()
    [found] = checked.problems
    assert found.where == "line 3" and found.field == field and problem in found.problem


def test_header_problems_and_repeated_codes_are_reported_with_their_lines():
    missing = read_code_list(["code,descr\n", "72148,x\n"])
    assert {(p.where, p.field) for p in missing.problems} == {("line 1", "source"), ("line 1", "descr")}
    repeated = _read("72148,CPT,no,,a", "70551,CPT,no,,b", "72148,CPT,yes,,c")
    assert [p.text() for p in repeated.problems] == ["line 4, code: 72148 is listed already on line 2."]
    assert [p.text() for p in read_code_list([HEADER + "\n"]).problems] == [
        "line 1, file: The file lists no codes."
    ]


def _entry(code: str, notification: bool = False, description: str = "", source: str = "s") -> CodeListEntry:
    return CodeListEntry(code, "CPT", notification, description, source)


def test_the_diff_says_what_was_added_removed_and_changed():
    before = [_entry("70551"), _entry("72148"), _entry("93306")]
    after = [_entry("70551", source="new page"), _entry("93306", notification=True), _entry("78452")]
    diff = diff_code_lists(before, after)
    assert [e.code for e in diff.added] == ["78452"]
    assert [e.code for e in diff.removed] == ["72148"]
    assert [(c.code, c.before, c.after) for c in diff.changed] == [
        ("93306", "CPT, request needed", "CPT, notification only")
    ]  # 70551's new source alone changes nothing the plan manages
    assert diff_code_lists(after, after).empty


def test_the_same_entries_give_the_same_hash_whatever_their_order():
    a, b = _entry("70551"), _entry("72148")
    assert content_hash([a, b]) == content_hash([b, a])
    assert content_hash([a, b]) != content_hash([a, _entry("72148", source="other")])


def test_the_documented_example_file_is_a_good_file():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "code-list.csv"
    with example.open(encoding="utf-8") as text:
        checked = read_code_list(text)
    assert checked.ok, [p.text() for p in checked.problems]
    assert [e.code for e in checked.entries] == ["70551", "72148", "93306", "A9552"]
