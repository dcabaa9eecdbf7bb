"""Guideline versions: each program's criteria carry a version number and an effective date.

Version 1 of every program is what its package ships (the criteria rows of its reference files,
``packaged_version``): the program's ``criteria`` callable evaluates them. A later version is a file
of criterion rows (``read_guideline_csv``, format in ``docs/data-files.md``) kept in the database; the
service picks the version in force on the date of service (``in_force``) and hands it to the rules
engine, which applies it to what the program evaluated (``apply_version``):

* a criterion the version keeps is judged by the program as before, with the version's wording and
  citation;
* a criterion of version 1 the version leaves out is no longer asked (a check a program makes in
  code without a criteria row, e.g. a dose limit, cannot be removed by a file: it is kept);
* a criterion the version adds, which the program has no rule for, is "not determinable": the line
  goes to a reviewer (the engine never denies, and a person checks what no rule checks).

``diff`` compares two versions (added, removed, changed criteria) for the public "Coming soon" page.
Pure: no database, no settings; reads only packaged reference data.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from portal_app.domain import source_links
from portal_app.domain.data_files import FileProblem, csv_rows
from portal_app.domain.enums import Program
from portal_app.domain.rules import CriterionResult
from portal_app.programs import reference_dir

PACKAGED_VERSION = 1
# The first day the packaged criteria applied: the earliest delegation of any program in the portal
# (radiation oncology for the demo plan SUM, programs/radiation_oncology/demo.py) and the first year
# of the code lists shipped (radiation_codes.csv starts in 2025); nothing is decided before it.
PACKAGED_EFFECTIVE_FROM = date(2024, 1, 1)

GUIDELINE_COLUMNS = (
    "program",
    "version",
    "effective_from",
    "criterion_id",
    "codes",
    "text",
    "citation",
    "source",
)
GUIDELINE_OPTIONAL = frozenset({"codes"})
MAX_CRITERION_ID = 40
MAX_TEXT = 1000
MAX_CITATION = 300
MAX_SOURCE = 1000
MAX_VERSION = 9999
_CRITERION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_CODE = re.compile(r"^[A-Z0-9]{1,10}$")
WHY_NEW = "it is new in guideline version {version} and no automatic rule checks it yet"


@dataclass(frozen=True)
class GuidelineCriterion:
    """One criterion of a guideline version, with the published source it comes from."""

    criterion_id: str
    text: str
    citation: str
    source: str
    codes: tuple[str, ...] = ()  # the codes it applies to; empty: every code the program decides

    def applies_to(self, code: str) -> bool:
        return not self.codes or code in self.codes

    @property
    def source_url(self) -> str:
        """Where the source can be read, from the identifier it names (the help page links it), else ""."""
        return source_links.source_url(self.source)


@dataclass(frozen=True)
class GuidelineVersion:
    program: str  # the Program value
    version: int
    effective_from: date
    criteria: tuple[GuidelineCriterion, ...]

    @property
    def packaged(self) -> bool:
        return self.version == PACKAGED_VERSION

    def criterion(self, criterion_id: str) -> GuidelineCriterion | None:
        return next((item for item in self.criteria if item.criterion_id == criterion_id), None)

    def apply(self, code: str, results: list[CriterionResult] | None) -> list[CriterionResult] | None:
        """The rules engine's hook: `apply_version(self, code, results)`."""
        return apply_version(self, code, results)


@dataclass(frozen=True)
class CriterionChange:
    criterion_id: str
    change: str  # "added", "removed" or "changed"
    text: str  # the new wording (the old one for a removed criterion)
    was: str = ""  # the old wording of a changed criterion, when the wording changed
    fields: tuple[str, ...] = ()  # what changed: text, citation, source, codes


def guideline_version_text(version: int) -> str:
    """How a letter and the case page name the criteria version a decision applied."""
    return f"Version {version} of the program's criteria, the version in force on the date of service"


# ---- version 1: the packaged criteria -----------------------------------------------------------


def _packaged_rows(program: str) -> Iterator[dict[str, str]]:
    """Rows of the program's reference files that are criteria (a criterion or question id, its
    wording, citation and source); the documents files name criteria but do not define them."""
    folder = reference_dir(program)
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else ():
        if path.name.endswith("_documents.csv"):
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.DictReader(line for line in handle if not line.startswith("#"))
            names = set(rows.fieldnames or ())
            id_field = "criterion_id" if "criterion_id" in names else "question_id"
            text_field = "text" if "text" in names else "question_text"
            if not {id_field, text_field, "citation", "source"} <= names:
                continue
            for row in rows:
                yield {
                    "criterion_id": row[id_field].strip(),
                    "text": " ".join(row[text_field].split()),
                    "citation": row["citation"].strip(),
                    "source": row["source"].strip(),
                    "codes": row.get("codes") or "",
                }


@cache
def packaged_version(program: Program | str) -> GuidelineVersion:
    """Version 1 of a program: the criteria its package ships (first row of each criterion id)."""
    found: dict[str, GuidelineCriterion] = {}
    for row in _packaged_rows(Program(program).value):
        if row["criterion_id"] and row["criterion_id"] not in found:
            found[row["criterion_id"]] = GuidelineCriterion(
                criterion_id=row["criterion_id"],
                text=row["text"],
                citation=row["citation"],
                source=row["source"],
                codes=tuple(sorted(set(row["codes"].upper().split()))),
            )
    return GuidelineVersion(
        Program(program).value, PACKAGED_VERSION, PACKAGED_EFFECTIVE_FROM, tuple(found.values())
    )


# ---- choosing and applying a version ------------------------------------------------------------


def in_force(versions: Iterable[GuidelineVersion], on: date) -> GuidelineVersion:
    """The version in force on `on` (the date of service): the latest effective on or before it.

    `versions` are one program's; before the first effective date the earliest applies. Raises
    ValueError when there is none.
    """
    ordered = sorted(versions, key=lambda item: (item.effective_from, item.version))
    if not ordered:
        raise ValueError("No guideline version to choose from")
    started = [item for item in ordered if item.effective_from <= on]
    return started[-1] if started else ordered[0]


def upcoming(versions: Iterable[GuidelineVersion], today: date) -> list[GuidelineVersion]:
    """Versions not yet in force on `today`, by effective date."""
    return sorted(
        (item for item in versions if item.effective_from > today), key=lambda item: item.effective_from
    )


def apply_version(
    version: GuidelineVersion | None, code: str, results: list[CriterionResult] | None
) -> list[CriterionResult] | None:
    """The criteria of one line under `version` (see the module docstring). The packaged version, or
    none, leaves the program's own results as they are."""
    if version is None or version.packaged or not results:
        return results  # no criteria set for this code: new rows do not invent one
    evaluated = list(results)
    catalogued = {item.criterion_id for item in packaged_version(version.program).criteria}
    known = catalogued | {result.criterion_id for result in evaluated}
    kept = []
    for result in evaluated:
        criterion = version.criterion(result.criterion_id)
        if criterion is not None:
            kept.append(replace(result, text=criterion.text, citation=criterion.citation))
        elif result.criterion_id not in catalogued:
            kept.append(result)  # a check the program makes in code, not listed in its data: kept
    added = [
        CriterionResult(
            item.criterion_id, item.text, item.citation, None, WHY_NEW.format(version=version.version)
        )
        for item in version.criteria
        if item.criterion_id not in known and item.applies_to(code)
    ]
    return kept + added


# ---- the difference between two versions -------------------------------------------------------


def diff(before: GuidelineVersion, after: GuidelineVersion) -> list[CriterionChange]:
    """What `after` adds, removes and changes compared with `before`, by criterion id."""
    old = {item.criterion_id: item for item in before.criteria}
    new = {item.criterion_id: item for item in after.criteria}
    changes = [CriterionChange(key, "added", item.text) for key, item in new.items() if key not in old]
    changes += [CriterionChange(key, "removed", item.text) for key, item in old.items() if key not in new]
    for key, item in new.items():
        previous = old.get(key)
        if previous is None:
            continue
        fields = tuple(
            name
            for name in ("text", "citation", "source", "codes")
            if getattr(previous, name) != getattr(item, name)
        )
        if fields:
            was = previous.text if "text" in fields else ""
            changes.append(CriterionChange(key, "changed", item.text, was, fields))
    order = {"added": 0, "changed": 1, "removed": 2}
    return sorted(changes, key=lambda change: (order[change.change], change.criterion_id))


# ---- reading a version file ---------------------------------------------------------------------


@dataclass(frozen=True)
class GuidelineRow:
    """One criterion row of a version file, checked."""

    where: str
    program: str
    version: int
    effective_from: date
    criterion: GuidelineCriterion


@dataclass(frozen=True)
class GuidelineFile:
    rows: tuple[GuidelineRow, ...]
    problems: tuple[FileProblem, ...]

    def versions(self) -> list[GuidelineVersion]:
        """The versions the file holds (meaningful when it has no problems), by program and number."""
        grouped: dict[tuple[str, int], list[GuidelineRow]] = {}
        for row in self.rows:
            grouped.setdefault((row.program, row.version), []).append(row)
        return [
            GuidelineVersion(program, number, rows[0].effective_from, tuple(row.criterion for row in rows))
            for (program, number), rows in sorted(grouped.items())
        ]


_PROGRAMS = {program.value: program.value for program in Program}


def _required(where: str, values: dict[str, str], field: str, limit: int, problems: list[FileProblem]) -> str:
    value = " ".join((values.get(field) or "").split())
    if not value:
        problems.append(FileProblem(where, field, "This field is required."))
    elif len(value) > limit:
        problems.append(FileProblem(where, field, f"At most {limit} characters."))
    return value


def _version_number(where: str, value: str, problems: list[FileProblem]) -> int:
    text = value.strip()
    if not text.isdigit() or not PACKAGED_VERSION < int(text) <= MAX_VERSION:
        problems.append(
            FileProblem(
                where,
                "version",
                f"{text!r} is not a version number from 2 to {MAX_VERSION} "
                "(version 1 is the criteria shipped with the portal).",
            )
        )
        return 0
    return int(text)


def _effective(where: str, value: str, problems: list[FileProblem]) -> date | None:
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(FileProblem(where, "effective_from", f"{text!r} is not a date written YYYY-MM-DD."))
        return None
    if day <= PACKAGED_EFFECTIVE_FROM:
        problems.append(
            FileProblem(
                where,
                "effective_from",
                f"Must be after {PACKAGED_EFFECTIVE_FROM.isoformat()}, when version 1 starts.",
            )
        )
        return None
    return day


def _codes(where: str, value: str, problems: list[FileProblem]) -> tuple[str, ...]:
    codes = tuple(sorted(set(value.upper().split())))
    bad = [code for code in codes if not _CODE.match(code)]
    if bad:
        problems.append(
            FileProblem(where, "codes", f"{', '.join(bad)}: a code is 1 to 10 letters or digits.")
        )
    return codes


def check_guideline_row(where: str, values: dict[str, str]) -> GuidelineRow | list[FileProblem]:
    """One row of a version file: the checked row, or its problems (each naming line and field)."""
    problems: list[FileProblem] = []
    program = _PROGRAMS.get((values.get("program") or "").strip().lower(), "")
    if not program:
        wording = ", ".join(_PROGRAMS)
        problems.append(
            FileProblem(
                where, "program", f"{(values.get('program') or '').strip()!r} is not one of: {wording}."
            )
        )
    version = _version_number(where, values.get("version") or "", problems)
    effective_from = _effective(where, values.get("effective_from") or "", problems)
    criterion_id = _required(where, values, "criterion_id", MAX_CRITERION_ID, problems)
    if criterion_id and len(criterion_id) <= MAX_CRITERION_ID and not _CRITERION_ID.match(criterion_id):
        problems.append(FileProblem(where, "criterion_id", "Use letters, digits, '.', '_' or '-' only."))
    text = _required(where, values, "text", MAX_TEXT, problems)
    citation = _required(where, values, "citation", MAX_CITATION, problems)
    source = _required(where, values, "source", MAX_SOURCE, problems)
    codes = _codes(where, values.get("codes") or "", problems)
    if problems or effective_from is None:
        return problems
    return GuidelineRow(
        where,
        program,
        version,
        effective_from,
        GuidelineCriterion(criterion_id, text, citation, source, codes),
    )


def _consistency(rows: list[GuidelineRow]) -> list[FileProblem]:
    """One effective date per version and each criterion once in it."""
    problems: list[FileProblem] = []
    first: dict[tuple[str, int], GuidelineRow] = {}
    seen: dict[tuple[str, int, str], str] = {}
    for row in rows:
        key = (row.program, row.version)
        start = first.setdefault(key, row)
        if row.effective_from != start.effective_from:
            problems.append(
                FileProblem(
                    row.where,
                    "effective_from",
                    f"Version {row.version} of {row.program} starts on "
                    f"{start.effective_from.isoformat()} ({start.where}); a version has one effective date.",
                )
            )
        earlier = seen.setdefault((*key, row.criterion.criterion_id), row.where)
        if earlier != row.where:
            problems.append(
                FileProblem(
                    row.where,
                    "criterion_id",
                    f"{row.criterion.criterion_id} is already in this version ({earlier}).",
                )
            )
    return problems


def read_guideline_csv(lines: Iterable[str]) -> GuidelineFile:
    """Check a whole guideline version file (CSV): its rows, or every problem found."""
    rows: list[GuidelineRow] = []
    problems: list[FileProblem] = []
    for item in csv_rows(lines, GUIDELINE_COLUMNS, GUIDELINE_OPTIONAL):
        if isinstance(item, FileProblem):
            problems.append(item)
            continue
        checked = check_guideline_row(*item)
        if isinstance(checked, list):
            problems.extend(checked)
        else:
            rows.append(checked)
    problems.extend(_consistency(rows))
    if not rows and not problems:
        problems.append(FileProblem("line 1", "file", "The file holds no criterion rows."))
    return GuidelineFile(tuple(rows), tuple(problems))
