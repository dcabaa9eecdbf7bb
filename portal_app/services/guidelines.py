"""Guideline versions: loading a version file, choosing the version in force, the "Coming soon" list.

A version file (``docs/data-files.md``) is checked whole first (``domain/guidelines.py``: each row,
one date per version, each criterion once; then against what is loaded: a version number already
used with other criteria, a second version on the same date, a start in the past) and a file with
any problem changes nothing; a good file is added in one transaction. Loading the same file again
changes nothing. Support admins load from the support page, operators from the command line
(``actor=None``); every load is audited.

The rules engine stays pure: ``version_in_force`` reads the program's versions (version 1 is the
packaged criteria) and the caller hands the chosen one to ``rules.evaluate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain import guidelines
from portal_app.domain import help as help_guides
from portal_app.domain.data_files import FileProblem
from portal_app.domain.enums import Program
from portal_app.domain.guidelines import CriterionChange, GuidelineCriterion, GuidelineVersion
from portal_app.models import GuidelineCriterionRow, GuidelineVersionRow
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require
from portal_app.services.data_loads import LoadRefused, OpenText, open_bytes

APPLIED = "applied"
UNCHANGED = "unchanged"
REJECTED = "rejected"


@dataclass(frozen=True)
class GuidelineLoadReport:
    file_name: str
    status: str  # applied, unchanged or rejected
    versions: tuple[str, ...]  # "imaging version 2 from 2027-01-01"
    problems: tuple[FileProblem, ...]

    def summary(self) -> str:
        if self.status == REJECTED:
            return (
                f"{self.file_name} was not loaded: {len(self.problems)} problem(s) found; nothing was "
                "changed. Correct the file and load it again."
            )
        if self.status == UNCHANGED:
            return f"{self.file_name} holds versions already loaded; nothing was changed."
        return f"{self.file_name} loaded: {'; '.join(self.versions)}."


@dataclass(frozen=True)
class UpcomingVersion:
    program: str  # the program's label
    version: int
    effective_from: date
    replaces: int  # the version in force today
    changes: tuple[CriterionChange, ...]


# ---- reading versions ------------------------------------------------------------------------------


def _criterion(row: GuidelineCriterionRow) -> GuidelineCriterion:
    return GuidelineCriterion(row.criterion_id, row.text, row.citation, row.source, tuple(row.codes.split()))


def _stored(session: Session, programs: Iterable[str]) -> list[GuidelineVersion]:
    rows = session.exec(
        select(GuidelineVersionRow).where(col(GuidelineVersionRow.program).in_(list(programs)))
    ).all()
    if not rows:
        return []
    criteria: dict[int, list[GuidelineCriterion]] = {}
    for item in session.exec(
        select(GuidelineCriterionRow)
        .where(col(GuidelineCriterionRow.version_id).in_([id_of(row) for row in rows]))
        .order_by(col(GuidelineCriterionRow.id))
    ).all():
        criteria.setdefault(item.version_id, []).append(_criterion(item))
    return [
        GuidelineVersion(row.program, row.version, row.effective_from, tuple(criteria.get(id_of(row), ())))
        for row in rows
    ]


def program_versions(session: Session, program: Program | str) -> list[GuidelineVersion]:
    """Every version of a program: the packaged version 1 and those loaded, by effective date."""
    code = Program(program).value
    found = [guidelines.packaged_version(code), *_stored(session, [code])]
    return sorted(found, key=lambda item: (item.effective_from, item.version))


def _all_programs(session: Session) -> list[tuple[Program, list[GuidelineVersion]]]:
    """Each program with all its versions (packaged and loaded), read in one query."""
    stored = _stored(session, [program.value for program in Program])
    return [
        (program, [guidelines.packaged_version(program), *(v for v in stored if v.program == program.value)])
        for program in Program
    ]


def version_in_force(session: Session, program: Program | str, on: date) -> GuidelineVersion:
    """The program's guideline version in force on `on` (the date of service)."""
    return guidelines.in_force(program_versions(session, program), on)


def upcoming_versions(session: Session, *, today: date | None = None) -> list[UpcomingVersion]:
    """Public: every version not yet in force, with what it changes against the version in force
    today (criteria added, removed, changed). No member or user data."""
    today = today or clock.today()
    found: list[UpcomingVersion] = []
    for program, versions in _all_programs(session):
        current = guidelines.in_force(versions, today)
        found += [
            UpcomingVersion(
                program.label,
                version.version,
                version.effective_from,
                current.version,
                tuple(guidelines.diff(current, version)),
            )
            for version in guidelines.upcoming(versions, today)
        ]
    return sorted(found, key=lambda item: (item.effective_from, item.program))


@dataclass(frozen=True)
class PublishedCriterion:
    """A criterion of the version in force, as the public help page lists it."""

    program: str  # the Program value
    version: int
    criterion_id: str
    text: str
    source: str
    source_url: str  # where the source can be read (domain/source_links.py), else ""


def criteria_in_force(session: Session, *, today: date | None = None) -> list[PublishedCriterion]:
    """Public: every program's criteria in force today, each with its source (and the checks a program
    makes in code without criteria rows, ``domain/help.criteria_listed``). No member or user data."""
    today = today or clock.today()
    found: list[PublishedCriterion] = []
    for program, versions in _all_programs(session):
        current = guidelines.in_force(versions, today)
        found += [
            PublishedCriterion(
                program.value, current.version, item.criterion_id, item.text, item.source, item.source_url
            )
            for item in help_guides.criteria_listed(current)
        ]
    return found


# ---- loading a version file ------------------------------------------------------------------------


def _conflicts(
    session: Session, parsed: guidelines.GuidelineFile, today: date
) -> tuple[list[FileProblem], list[GuidelineVersion]]:
    """Problems against what is loaded, and the versions of the file not loaded yet."""
    problems: list[FileProblem] = []
    new: list[GuidelineVersion] = []
    stored = _stored(session, {row.program for row in parsed.rows})
    for version in parsed.versions():
        where = next(
            row.where
            for row in parsed.rows
            if (row.program, row.version) == (version.program, version.version)
        )
        same = next((v for v in stored if (v.program, v.version) == (version.program, version.version)), None)
        if same is not None:
            if same != version:
                problems.append(
                    FileProblem(
                        where,
                        "version",
                        f"Version {version.version} of {version.program} is already loaded with other "
                        "criteria or another date; give the new criteria a new version number.",
                    )
                )
            continue
        if version.effective_from < today:
            problems.append(
                FileProblem(
                    where,
                    "effective_from",
                    "A new version cannot start in the past: decisions already made used the version "
                    "then in force.",
                )
            )
        if any(v.program == version.program and v.effective_from == version.effective_from for v in stored):
            problems.append(
                FileProblem(
                    where,
                    "effective_from",
                    f"Another version of {version.program} already starts on "
                    f"{version.effective_from.isoformat()}.",
                )
            )
        new.append(version)
    return problems, new


def _add(
    session: Session,
    version: GuidelineVersion,
    rows: guidelines.GuidelineFile,
    file_name: str,
    actor: Actor | None,
) -> None:
    stored = GuidelineVersionRow(
        program=version.program,
        version=version.version,
        effective_from=version.effective_from,
        file_name=file_name,
        loaded_by_id=actor.user_id if actor else None,
    )
    session.add(stored)
    session.flush()
    for row in rows.rows:
        if (row.program, row.version) != (version.program, version.version):
            continue
        item = row.criterion
        session.add(
            GuidelineCriterionRow(
                version_id=id_of(stored),
                criterion_id=item.criterion_id,
                codes=" ".join(item.codes),
                text=item.text,
                citation=item.citation,
                source=item.source,
                line=row.where,
            )
        )


def import_guidelines(
    session: Session, *, actor: Actor | None, file_name: str, open_text: OpenText, today: date | None = None
) -> GuidelineLoadReport:
    """Check, then add, the guideline versions of a file (``actor=None``: the command line)."""
    if actor is not None:
        require(session, actor, "guidelines.load", record=f"file:{file_name[:40]}")
    file_name = file_name.strip()[:255] or "file"
    try:
        with open_text() as handle:
            parsed = guidelines.read_guideline_csv(handle)
    except UnicodeDecodeError:
        parsed = guidelines.GuidelineFile(
            (), (FileProblem("file", "encoding", "The file is not UTF-8 text."),)
        )
    except OSError as problem:
        raise LoadRefused(f"The file cannot be read: {problem}") from None
    problems: list[FileProblem] = list(parsed.problems)
    new: list[GuidelineVersion] = []
    if not problems:
        problems, new = _conflicts(session, parsed, today or clock.today())
    if problems:
        status = REJECTED
    else:
        for version in new:
            _add(session, version, parsed, file_name, actor)
        status = APPLIED if new else UNCHANGED
    labels = tuple(f"{v.program} version {v.version} from {v.effective_from.isoformat()}" for v in new)
    audit.record(
        session,
        action=f"guidelines.{status}",
        user_id=actor.user_id if actor else None,
        record_type="guideline_file",
        record_id=file_name[:40],
        client_address=actor.client_address if actor else "",
        detail={"file": file_name, "versions": list(labels), "errors": len(problems)},
    )
    session.commit()
    return GuidelineLoadReport(file_name, status, labels if status == APPLIED else (), tuple(problems))


def import_guideline_upload(
    session: Session, *, actor: Actor, file_name: str, content: bytes
) -> GuidelineLoadReport:
    """A version file uploaded on the support page (bounded by UPLOAD_MAX_MB), loaded as above."""
    require(session, actor, "guidelines.load", record=f"file:{file_name[:40]}")
    return import_guidelines(session, actor=actor, file_name=file_name, open_text=open_bytes(content))
