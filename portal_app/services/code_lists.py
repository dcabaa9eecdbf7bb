"""The codes each program manages per plan, line of business and year, stored as versions.

A support user (or ``python -m portal_app.cli import-codes``) loads a code list file for one plan,
program, line of business (or all of them) and year, taking effect on a date. The file is checked
first (``domain/code_lists.read_code_list``: line, field, problem); a good file that differs from
the newest version becomes the next version, and the same file loaded again changes nothing.
The program's packaged list (``reference/*_codes.csv``) is version 1, loaded by the seed; a plan
and year without any stored version fall back to that packaged list, so nothing changes for a plan
until a list is loaded for it.

``program_for_coverage`` is how the rest of the portal sees the lists: the program's definition
whose code index is the list in force for the member's line of business on the date of service.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from sqlmodel import Session, col, select

from portal_app.domain import code_lists as lists
from portal_app.domain.data_files import FileProblem
from portal_app.domain.enums import LineOfBusiness, Program
from portal_app.domain.program_types import ManagedCode, ProgramDefinition
from portal_app.domain.programs import PROGRAMS
from portal_app.models import CodeListEntry, CodeListVersion, HealthPlan, PlanLineOfBusiness, PlanProgram
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require

ALL_LINES = ""
PERMISSION = "plan_data.load"  # the plan files page: code lists are one of a plan's files
PACKAGED_FILE = "(packaged list)"
FIRST_YEAR, LAST_YEAR = 2020, 2040


class CodeListRefused(ValueError):
    """The list was not loaded; the message says why."""


@dataclass(frozen=True)
class CodeListLoad:
    status: str  # "loaded", "unchanged" or "refused"
    version: int
    problems: tuple[FileProblem, ...]
    diff: lists.CodeListDiff | None

    @property
    def report(self) -> list[str]:
        return [problem.text() for problem in self.problems]


@dataclass(frozen=True)
class VersionRow:
    version_id: int
    plan_code: str
    program: str
    program_label: str
    line_of_business: str
    line_label: str
    year: int
    version: int
    effective_from: str
    code_count: int
    file_name: str
    loaded_at: str


def load_summary(load: CodeListLoad) -> str:
    """One line saying what a load did, for the command line and the support page."""
    if load.status == "refused":
        return f"Not loaded: {len(load.problems)} problem(s) in the file; nothing changed."
    if load.status == "unchanged":
        return f"Unchanged: the file lists the same codes as version {load.version}; nothing changed."
    diff = load.diff
    counts = (
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed" if diff else ""
    )
    return f"Loaded as version {load.version}: {counts}."


# --- reading the lists in force ---


def _version_in_force(
    session: Session, *, plan_id: int, program: str, line_of_business: str, on: date
) -> CodeListVersion | None:
    """The newest version in effect on ``on`` for the line itself, else for all lines."""
    rows = list(
        session.exec(
            select(CodeListVersion).where(
                CodeListVersion.plan_id == plan_id,
                CodeListVersion.program == program,
                CodeListVersion.year == on.year,
                col(CodeListVersion.line_of_business).in_([line_of_business, ALL_LINES]),
                CodeListVersion.effective_from <= on,
            )
        ).all()
    )
    rows.sort(key=lambda r: (r.line_of_business == ALL_LINES, -r.effective_from.toordinal(), -r.version))
    return rows[0] if rows else None


def _entries(session: Session, version_id: int) -> list[lists.CodeListEntry]:
    rows = session.exec(
        select(CodeListEntry).where(CodeListEntry.version_id == version_id).order_by(col(CodeListEntry.code))
    ).all()
    return [
        lists.CodeListEntry(r.code, r.code_system, r.notification_only, r.description, r.source) for r in rows
    ]


def _managed(entry: lists.CodeListEntry, known: Mapping[str, ManagedCode]) -> ManagedCode:
    """The program's own description of the code (category, body part) with the plan's choices."""
    item = known.get(entry.code)
    if item is None:
        return ManagedCode(
            entry.code, entry.description or entry.code, "", entry.notification_only, "", entry.source
        )
    return dataclasses.replace(item, notification_only=entry.notification_only, source=entry.source)


def _described_codes(
    session: Session, definition: ProgramDefinition, plan: HealthPlan, year: int
) -> dict[str, ManagedCode]:
    """Code -> the program's description of it: the plan's packaged list first, then any other plan's
    (a code means the same service everywhere), so a code a plan adds keeps its category."""
    described: dict[str, ManagedCode] = {}
    for other in session.exec(select(HealthPlan.code)).all():
        if other != plan.code:
            described.update(definition.code_index(other, year))
    described.update(definition.code_index(plan.code, year))
    return described


def code_index_in_force(
    session: Session, *, plan: HealthPlan, program: Program, line_of_business: str, on: date
) -> Mapping[str, ManagedCode]:
    """Code -> managed code of the list in force for the plan's line of business on ``on``
    (the packaged list when no version is stored for the plan, program and year)."""
    definition = PROGRAMS[program]
    packaged = definition.code_index(plan.code, on.year)
    version = _version_in_force(
        session, plan_id=id_of(plan), program=program, line_of_business=line_of_business, on=on
    )
    if version is None:
        return packaged
    entries = _entries(session, id_of(version))
    known = packaged
    if any(e.code not in packaged for e in entries):  # a code the plan adds: described from elsewhere
        known = _described_codes(session, definition, plan, on.year)
    return MappingProxyType({e.code: _managed(e, known) for e in entries})


def program_for_coverage(
    session: Session, *, plan: HealthPlan, program: str, line_of_business: str, on: date
) -> ProgramDefinition:
    """The program's definition whose code index, for the year of ``on``, is the list in force for
    this line of business on that date (other years: the packaged lists)."""
    definition = PROGRAMS[Program(program)]
    index = code_index_in_force(
        session, plan=plan, program=Program(program), line_of_business=line_of_business, on=on
    )
    packaged = definition.code_index

    def in_force(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
        return index if year == on.year and plan_code == plan.code else packaged(plan_code, year)

    return dataclasses.replace(definition, code_index=in_force)


def lookup_codes(
    session: Session, *, plan_code: str, program: str, line_of_business: str, year: int, today: date
) -> list[ManagedCode]:
    """The codes the program manages for the plan's line of business in ``year`` (the list in force
    today in the current year, on 1 January of a later year, on 31 December of an earlier one).
    Public reference data: no member information."""
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == plan_code)).first()
    if plan is None or Program(program) not in PROGRAMS or not FIRST_YEAR <= year <= LAST_YEAR:
        return []
    on = today if today.year == year else date(year, 1, 1) if year > today.year else date(year, 12, 31)
    index = code_index_in_force(
        session, plan=plan, program=Program(program), line_of_business=line_of_business, on=on
    )
    return sorted(index.values(), key=lambda item: item.code)


def plan_lines(session: Session, *, plan_codes: list[str]) -> dict[str, list[str]]:
    """Each plan's lines of business (values), for the look-up's choice. Public: no member data."""
    rows = session.exec(
        select(HealthPlan.code, PlanLineOfBusiness.line_of_business)
        .join(PlanLineOfBusiness, col(PlanLineOfBusiness.plan_id) == HealthPlan.id)
        .where(col(HealthPlan.code).in_(plan_codes))
    ).all()
    lines: dict[str, list[str]] = {code: [] for code in plan_codes}
    for code, line in rows:
        lines[code].append(line)
    return {code: sorted(found) for code, found in lines.items()}


# --- loading ---


def _plan_by_code(session: Session, plan_code: str) -> HealthPlan:
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == plan_code.strip().upper())).first()
    if plan is None:
        raise CodeListRefused(f"No plan has the code {plan_code}.")
    return plan


def _check_scope(session: Session, plan: HealthPlan, program: str, line_of_business: str, year: int) -> None:
    if program not in PROGRAMS:
        raise CodeListRefused(f"{program} is not a program Precert runs.")
    offered = session.exec(
        select(PlanLineOfBusiness.line_of_business).where(PlanLineOfBusiness.plan_id == plan.id)
    ).all()
    if line_of_business and line_of_business not in offered:
        raise CodeListRefused(f"{plan.code} does not offer the line of business {line_of_business}.")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CodeListRefused(f"The year must be from {FIRST_YEAR} to {LAST_YEAR}.")


def _versions(session: Session, plan_id: int, program: str, line: str, year: int) -> list[CodeListVersion]:
    return list(
        session.exec(
            select(CodeListVersion)
            .where(
                CodeListVersion.plan_id == plan_id,
                CodeListVersion.program == program,
                CodeListVersion.line_of_business == line,
                CodeListVersion.year == year,
            )
            .order_by(col(CodeListVersion.version))
        ).all()
    )


def _store(
    session: Session,
    *,
    plan: HealthPlan,
    program: str,
    line: str,
    year: int,
    effective_from: date,
    entries: tuple[lists.CodeListEntry, ...],
    file_name: str,
    user_id: int | None,
    number: int,
) -> CodeListVersion:
    version = CodeListVersion(
        plan_id=id_of(plan),
        program=Program(program),
        line_of_business=line,
        year=year,
        version=number,
        effective_from=effective_from,
        content_hash=lists.content_hash(entries),
        code_count=len(entries),
        file_name=file_name[:200],
        loaded_by_id=user_id,
    )
    session.add(version)
    session.flush()
    session.add_all(
        CodeListEntry(
            version_id=id_of(version),
            code=e.code,
            code_system=e.code_system,
            notification_only=e.notification_only,
            description=e.description,
            source=e.source,
        )
        for e in entries
    )
    return version


def import_code_list(
    session: Session,
    *,
    actor: Actor | None,
    plan_code: str,
    program: str,
    line_of_business: str,
    year: int,
    lines: Iterable[str],
    file_name: str = "",
    effective_from: date | None = None,
) -> CodeListLoad:
    """Check a code list file and store it as the next version (from ``effective_from``, by default
    1 January of ``year``); a file with problems or the same rows as the newest version changes
    nothing. ``line_of_business`` empty: for every line of the plan without a list of its own.
    ``actor`` None: an operator on the command line."""
    if actor is not None:
        require(session, actor, PERMISSION, record=f"plan:{plan_code[:20]}")
    plan = _plan_by_code(session, plan_code)
    _check_scope(session, plan, program, line_of_business, year)
    start = effective_from or date(year, 1, 1)
    if start.year != year:
        raise CodeListRefused(f"A {year} list takes effect on a date in {year}.")
    checked = lists.read_code_list(lines)
    if not checked.ok:
        return CodeListLoad("refused", 0, checked.problems, None)
    earlier = _versions(session, id_of(plan), program, line_of_business, year)
    newest = earlier[-1] if earlier else None
    if newest is not None and newest.content_hash == lists.content_hash(checked.entries):
        return CodeListLoad(
            "unchanged", newest.version, (), lists.diff_code_lists(checked.entries, checked.entries)
        )
    if newest is not None and start <= newest.effective_from:
        raise CodeListRefused(
            f"Version {newest.version} takes effect on {newest.effective_from:%m/%d/%Y}; a new version must "
            "take effect after it."
        )
    before = _entries(session, id_of(newest)) if newest is not None else []
    number = newest.version + 1 if newest is not None else 1
    version = _store(
        session,
        plan=plan,
        program=program,
        line=line_of_business,
        year=year,
        effective_from=start,
        entries=checked.entries,
        file_name=file_name,
        user_id=actor.user_id if actor else None,
        number=number,
    )
    diff = lists.diff_code_lists(before, checked.entries)
    audit.record(
        session,
        action="plan.code_list_loaded",
        user_id=actor.user_id if actor else None,
        record_type="plan",
        record_id=id_of(plan),
        client_address=actor.client_address if actor else "",
        detail={
            "program": program,
            "line_of_business": line_of_business or "all",
            "year": str(year),
            "version": str(number),
            "effective_from": start.isoformat(),
            "codes": str(len(checked.entries)),
            "added": str(len(diff.added)),
            "removed": str(len(diff.removed)),
            "changed": str(len(diff.changed)),
            "by": "support admin" if actor else "operator (command line)",
        },
    )
    session.commit()
    return CodeListLoad("loaded", version.version, (), diff)


def packaged_entries(program: Program, plan_code: str, year: int) -> tuple[lists.CodeListEntry, ...]:
    """The program's packaged list for a plan and year, as code list entries."""
    return tuple(
        lists.CodeListEntry(
            code=item.code,
            code_system="HCPCS" if item.code[:1].isalpha() else "CPT",
            notification_only=item.notification_only,
            description=item.label[: lists.MAX_DESCRIPTION],
            source=(item.source or f"Packaged {program.value} code list")[: lists.MAX_SOURCE],
        )
        for item in PROGRAMS[program].managed_codes(plan_code, year)
    )


def load_packaged_code_lists(session: Session, *, years: Iterable[int]) -> int:
    """Version 1 of every delegated program's list per plan and year from the packaged CSVs, where the
    plan has no version for that year yet (the seed calls it; safe to run twice). No commit."""
    added = 0
    delegated = session.exec(select(PlanProgram.plan_id, PlanProgram.program).distinct()).all()
    for plan_id, program in delegated:
        plan = session.get(HealthPlan, plan_id)
        if plan is None or Program(program) not in PROGRAMS:
            continue
        for year in years:
            entries = packaged_entries(Program(program), plan.code, year)
            if not entries or _versions(session, plan_id, program, ALL_LINES, year):
                continue
            _store(
                session,
                plan=plan,
                program=program,
                line=ALL_LINES,
                year=year,
                effective_from=date(year, 1, 1),
                entries=entries,
                file_name=PACKAGED_FILE,
                user_id=None,
                number=1,
            )
            added += 1
    session.flush()
    return added


# --- history and diff for the support page ---


@dataclass(frozen=True)
class PlanLines:
    code: str
    name: str
    lines: tuple[str, ...]  # the plan's lines of business (values)


def code_list_choices(session: Session, *, actor: Actor) -> list[PlanLines]:
    """Every plan with its lines of business, for choosing what a code list is for."""
    require(session, actor, PERMISSION)
    plans = session.exec(select(HealthPlan).order_by(HealthPlan.code)).all()
    offered = session.exec(select(PlanLineOfBusiness.plan_id, PlanLineOfBusiness.line_of_business)).all()
    return [
        PlanLines(
            plan.code, plan.name, tuple(sorted(line for plan_id, line in offered if plan_id == plan.id))
        )
        for plan in plans
    ]


def program_choices() -> list[tuple[str, str]]:
    """(value, label) of every program Precert runs."""
    return [(program.value, program.label) for program in PROGRAMS]


def _row(version: CodeListVersion, plan_code: str) -> VersionRow:
    line = version.line_of_business
    return VersionRow(
        version_id=id_of(version),
        plan_code=plan_code,
        program=version.program,
        program_label=Program(version.program).label,
        line_of_business=line,
        line_label=LineOfBusiness(line).label if line else "All lines",
        year=version.year,
        version=version.version,
        effective_from=version.effective_from.isoformat(),
        code_count=version.code_count,
        file_name=version.file_name,
        loaded_at=version.loaded_at.strftime("%Y-%m-%d %H:%M"),
    )


def code_list_history(session: Session, *, actor: Actor, limit: int = 50) -> list[VersionRow]:
    """The newest code list versions, newest first."""
    require(session, actor, PERMISSION)
    rows = session.exec(
        select(CodeListVersion, HealthPlan.code)
        .join(HealthPlan, col(HealthPlan.id) == CodeListVersion.plan_id)
        .order_by(col(CodeListVersion.loaded_at).desc(), col(CodeListVersion.id).desc())
        .limit(max(1, min(limit, 200)))
    ).all()
    return [_row(version, code) for version, code in rows]


def version_diff(session: Session, *, actor: Actor, version_id: int) -> lists.CodeListDiff:
    """What the version changed against the version before it (all added for a first version)."""
    require(session, actor, PERMISSION)
    version = session.get(CodeListVersion, version_id)
    if version is None:
        raise CodeListRefused("No such code list version.")
    earlier = [
        v
        for v in _versions(session, version.plan_id, version.program, version.line_of_business, version.year)
        if v.version < version.version
    ]
    before = _entries(session, id_of(earlier[-1])) if earlier else []
    return lists.diff_code_lists(before, _entries(session, version_id))
