"""Guideline versions (domain/guidelines.py): the version file reader, choosing the version in force,
the diff for the "Coming soon" page and how a version changes what the engine asks.

Expected values come from the file format (docs/data-files.md, "Guideline versions") and from the
packaged imaging criteria (programs/imaging/reference/imaging_criteria.csv: LBP-1 for 72148).
"""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel

from portal_app.domain import guidelines as g
from portal_app.domain.enums import Program
from portal_app.domain.program_types import ManagedCode, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult, Outcome, evaluate

HEADER = "program,version,effective_from,criterion_id,codes,text,citation,source"
GOOD_ROW = "imaging,2,2027-01-01,LBP-1,72148 72149,Six weeks of care first.,ACR LBP 2021,https://acsearch.acr.org/list"


def _read(*rows: str, header: str = HEADER) -> g.GuidelineFile:
    return g.read_guideline_csv([header + "\n", *(row + "\n" for row in rows)])


def test_a_good_file_gives_its_version_with_each_row_and_its_source():
    lines = ["# Imaging, version 2 (comments come before the header)\n", HEADER + "\n", GOOD_ROW + "\n"]
    parsed = g.read_guideline_csv([*lines, "imaging,2,2027-01-01,LBP-9,,New.,C,S\n"])
    assert parsed.problems == ()
    [version] = parsed.versions()
    assert (version.program, version.version, version.effective_from) == ("imaging", 2, date(2027, 1, 1))
    assert [c.criterion_id for c in version.criteria] == ["LBP-1", "LBP-9"]
    assert version.criteria[0].codes == ("72148", "72149")
    assert version.criteria[0].source_url == "https://acsearch.acr.org/list"
    assert version.criteria[1].codes == () and version.criteria[1].source_url == ""


# Each problem names the line (counted in the file, header = line 1) and the field.
@pytest.mark.parametrize(
    ("rows", "where", "field", "words"),
    [
        (("imaging,2,2027-01-01,LBP-1,,T,C",), "line 1", "source", "missing from the header"),
        (("nosuch,2,2027-01-01,LBP-1,,T,C,S",), "line 2", "program", "is not one of"),
        (("imaging,1,2027-01-01,LBP-1,,T,C,S",), "line 2", "version", "version 1 is the criteria shipped"),
        (("imaging,two,2027-01-01,LBP-1,,T,C,S",), "line 2", "version", "not a version number"),
        (("imaging,2,01/01/2027,LBP-1,,T,C,S",), "line 2", "effective_from", "YYYY-MM-DD"),
        (("imaging,2,2023-06-01,LBP-1,,T,C,S",), "line 2", "effective_from", "when version 1 starts"),
        (("imaging,2,2027-01-01,,,T,C,S",), "line 2", "criterion_id", "required"),
        (("imaging,2,2027-01-01,LBP 1!,,T,C,S",), "line 2", "criterion_id", "letters, digits"),
        (("imaging,2,2027-01-01,LBP-1,,,C,S",), "line 2", "text", "required"),
        (("imaging,2,2027-01-01,LBP-1,,T,,S",), "line 2", "citation", "required"),
        (("imaging,2,2027-01-01,LBP-1,,T,C,",), "line 2", "source", "required"),
        (("imaging,2,2027-01-01,LBP-1,72148 ab-12,T,C,S",), "line 2", "codes", "AB-12"),
        (("imaging,2,2027-01-01,LBP-1,,T,C",), "line 2", "row", "the header has 8 columns"),
        (
            (GOOD_ROW, "imaging,2,2027-01-01,LBP-1,,Again.,C,S"),
            "line 3",
            "criterion_id",
            "already in this version",
        ),
        ((GOOD_ROW, "imaging,2,2027-02-01,LBP-2,,T,C,S"), "line 3", "effective_from", "one effective date"),
    ],
)
def test_each_problem_names_its_line_and_field(rows, where, field, words):
    header = HEADER.removesuffix(",source") if field == "source" and where == "line 1" else HEADER
    parsed = _read(*rows, header=header)
    assert any((p.where, p.field) == (where, field) and words in p.problem for p in parsed.problems), (
        parsed.problems
    )


def test_a_text_longer_than_the_limit_is_refused():
    parsed = _read(f"imaging,2,2027-01-01,LBP-1,,{'x' * (g.MAX_TEXT + 1)},C,S")
    assert [(p.where, p.field) for p in parsed.problems] == [("line 2", "text")]


def test_an_unknown_column_and_an_empty_file_are_reported():
    assert [(p.field, p.where) for p in _read(header=HEADER + ",extra").problems] == [("extra", "line 1")]
    assert [(p.where, p.field) for p in g.read_guideline_csv([]).problems] == [("line 1", "header")]
    assert [p.field for p in _read().problems] == ["file"]


def _version(number: int, start: date, *criteria: g.GuidelineCriterion) -> g.GuidelineVersion:
    return g.GuidelineVersion("imaging", number, start, criteria)


def _c(
    criterion_id: str, text: str = "T", citation: str = "C", source: str = "S", codes=()
) -> g.GuidelineCriterion:
    return g.GuidelineCriterion(criterion_id, text, citation, source, tuple(codes))


V1 = g.packaged_version("imaging")
V2 = _version(2, date(2027, 1, 1))
V3 = _version(3, date(2027, 7, 1))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2023, 12, 31), 1),  # before any version: the earliest
        (date(2026, 12, 31), 1),
        (date(2027, 1, 1), 2),  # the effective date itself is in force
        (date(2027, 6, 30), 2),
        (date(2027, 7, 1), 3),
    ],
)
def test_the_version_in_force_is_the_latest_started_on_the_date_of_service(on, expected):
    assert g.in_force([V3, V1, V2], on).version == expected


def test_upcoming_versions_are_those_starting_after_today():
    assert [v.version for v in g.upcoming([V3, V1, V2], date(2026, 12, 31))] == [2, 3]
    assert [v.version for v in g.upcoming([V3, V1, V2], date(2027, 1, 1))] == [3]


def test_version_1_is_the_packaged_criteria_with_their_sources():
    lbp = V1.criterion("LBP-1")
    assert V1.version == 1 and V1.effective_from == g.PACKAGED_EFFECTIVE_FROM
    assert lbp is not None and "72148" in lbp.codes and lbp.source.startswith("Expert Panel on Neurological")
    # outpatient names its criteria question_id / question_text (outpatient_questions.csv)
    assert g.packaged_version("outpatient").criterion("TRN-1") is not None


def test_the_diff_lists_criteria_added_removed_and_changed():
    before = _version(1, date(2024, 1, 1), _c("A"), _c("B", text="Old"), _c("C"), _c("D", codes=("1",)))
    after = _version(2, date(2027, 1, 1), _c("B", text="New"), _c("C"), _c("D", codes=("2",)), _c("E"))
    changes = g.diff(before, after)
    assert [(c.change, c.criterion_id) for c in changes] == [
        ("added", "E"),
        ("changed", "B"),
        ("changed", "D"),
        ("removed", "A"),
    ]
    assert (changes[1].text, changes[1].was, changes[1].fields) == ("New", "Old", ("text",))
    assert (changes[2].was, changes[2].fields) == ("", ("codes",))


LBP_MET = CriterionResult("LBP-1", "packaged words", "packaged citation", True)
CODED = CriterionResult("onc_dose", "a check made in code", "", True)  # in no criteria file


def test_a_loaded_version_rewords_keeps_removes_and_adds_criteria():
    version = _version(
        2,
        date(2027, 1, 1),
        _c("LBP-1", text="Reworded", citation="ACR 2027"),
        _c("LBP-9", text="New question", codes=("72148",)),
        _c("HA-9", text="Other code", codes=("70551",)),
    )
    results = version.apply("72148", [LBP_MET, CriterionResult("HA-1", "x", "y", False), CODED])
    assert results is not None
    assert [(r.criterion_id, r.text, r.citation, r.met) for r in results] == [
        ("LBP-1", "Reworded", "ACR 2027", True),  # kept, as the version words it
        ("onc_dose", "a check made in code", "", True),  # not in version 1's data: a file cannot drop it
        ("LBP-9", "New question", "C", None),  # added, no rule for it: a reviewer decides
    ]  # HA-1 is in version 1 and not in version 2: removed; HA-9 is for another code
    assert "new in guideline version 2" in results[2].why_unknown


def test_version_1_or_a_code_without_criteria_leaves_the_programs_results_as_they_are():
    assert g.apply_version(V1, "72148", [LBP_MET]) == [LBP_MET]
    assert g.apply_version(None, "72148", [LBP_MET]) == [LBP_MET]
    assert g.apply_version(_version(2, date(2027, 1, 1), _c("X")), "72148", None) is None


class _Details(BaseModel):
    weeks: int = 8


_LUMBAR_MRI = ManagedCode("72148", "MRI lumbar spine", "mri", False)
# A small imaging program whose one rule is LBP-1 (six weeks of care; imaging_criteria.csv).
_IMAGING = ProgramDefinition(
    code=Program.IMAGING,
    label="Imaging, reduced to LBP-1",
    details_schema=_Details,
    validity_policy=lambda plan: 30,
    code_index=lambda plan, year: {"72148": _LUMBAR_MRI},
    criteria=lambda code, request: [CriterionResult("LBP-1", "six weeks", "ACR", request.details.weeks >= 6)],
)
_REQUEST = ProgramRequest("EVG", date(2027, 2, 1), 50, ("72148",), _Details())


def test_the_engine_applies_the_version_it_is_given_and_reports_it():
    assert evaluate(_IMAGING, _REQUEST).guideline_version is None
    packaged = evaluate(_IMAGING, _REQUEST, V1)
    assert packaged.guideline_version == 1 and packaged.lines[0].outcome is Outcome.AUTHORIZED
    added = evaluate(_IMAGING, _REQUEST, _version(2, date(2027, 1, 1), _c("LBP-1"), _c("LBP-9")))
    assert added.guideline_version == 2 and added.lines[0].outcome is Outcome.PENDED
    assert "LBP-9" in added.lines[0].reason and "new in guideline version 2" in added.lines[0].reason
