"""Facilities' relative cost levels from the plan's own file, and the level in force for an order.

A load is checked whole first (``domain/cost_levels.py``: each row, one scale, no overlapping periods;
then against what Precert holds: every NPI must be a facility) and a file with any problem changes
nothing; a good file is applied in one transaction as a delta against the plan's rows (new rows
added, changed ones updated; with ``complete``, the plan's rows missing from the file are ended the
day before the load, and one that had not started yet is removed: it was never in force). Loading the
same file again changes nothing. Each load is in ``data_loads`` (kind ``cost_levels``) and audited,
like the member and provider files (``services/data_loads.py``). Support admins load from the plan
files page, operators from the command line (``actor=None``).

Readers (the site-of-care alternatives and the servicing-provider search) ask ``levels_on`` for the
plan's level of each facility on the date of service: nothing when the plan supplied none then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain import cost_levels as domain
from portal_app.domain.data_files import FileProblem
from portal_app.domain.enums import DataFileKind, DataLoadStatus
from portal_app.models import DataLoad, Facility, FacilityCostLevel, HealthPlan
from portal_app.models.base import id_of
from portal_app.services.authz import Actor, require
from portal_app.services.data_loads import LoadRefused, LoadReport, OpenText, finish_load, open_bytes

PERMISSION = "plan_data.load"  # one of a plan's files, on the same support page


def _plan(session: Session, plan_code: str) -> HealthPlan:
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == plan_code.strip().upper())).first()
    if plan is None:
        raise LoadRefused(f"No plan has the code {plan_code!r}.")
    return plan


def _read(open_text: OpenText) -> domain.CostLevelFile:
    try:
        with open_text() as handle:
            return domain.read_cost_level_csv(handle)
    except UnicodeDecodeError:
        return domain.CostLevelFile((), (FileProblem("file", "encoding", "The file is not UTF-8 text."),))
    except OSError as problem:
        raise LoadRefused(f"The file cannot be read: {problem}") from None


def _stored_id(value: int | None) -> int:
    assert value is not None  # a stored facility's primary key
    return value


def _facility_ids(
    session: Session, rows: Iterable[domain.CostLevelRow]
) -> tuple[dict[str, int], list[FileProblem]]:
    """NPI -> facility id; a problem for each row whose NPI is no facility Precert holds."""
    rows = list(rows)
    npis = sorted({row.npi for row in rows})
    found: dict[str, int] = {}
    for start in range(0, len(npis), 1000):
        chunk = npis[start : start + 1000]
        for npi, facility_id in session.exec(
            select(Facility.npi, Facility.id).where(col(Facility.npi).in_(chunk))
        ).all():
            found[npi] = _stored_id(facility_id)
    problems = [
        FileProblem(
            row.where, "npi", f"{row.npi} is no facility Precert holds: load it in the provider file first."
        )
        for row in rows
        if row.npi not in found
    ]
    return found, problems


def _apply(
    session: Session,
    plan_id: int,
    rows: tuple[domain.CostLevelRow, ...],
    ids: dict[str, int],
    load_id: int | None,
    complete: bool,
) -> tuple[int, int, int, int]:
    """(new, changed, ended, unchanged) once the file's rows are in place."""
    stored = {
        (row.facility_id, row.effective_from): row
        for row in session.exec(select(FacilityCostLevel).where(FacilityCostLevel.plan_id == plan_id)).all()
    }
    new = changed = ended = unchanged = 0
    seen: set[tuple[int, date]] = set()
    now = clock.now()
    for row in rows:
        key = (ids[row.npi], row.effective_from)
        seen.add(key)
        held = stored.get(key)
        if held is None:
            session.add(
                FacilityCostLevel(
                    plan_id=plan_id,
                    facility_id=key[0],
                    level=row.level,
                    effective_from=row.effective_from,
                    effective_until=row.effective_until,
                    source=row.source,
                    data_load_id=load_id,
                )
            )
            new += 1
        elif (held.level, held.effective_until, held.source) != row.values():
            held.level, held.effective_until, held.source = row.values()
            held.data_load_id, held.updated_at = load_id, now
            session.add(held)
            changed += 1
        else:
            unchanged += 1
    if complete:
        yesterday = clock.today() - timedelta(days=1)
        for key, held in stored.items():
            if key in seen or (held.effective_until is not None and held.effective_until <= yesterday):
                continue
            if held.effective_from > yesterday:
                session.delete(held)  # never in force: nothing was shown from it
            else:
                held.effective_until, held.data_load_id, held.updated_at = yesterday, load_id, now
                session.add(held)
            ended += 1
    return new, changed, ended, unchanged


def import_cost_levels(
    session: Session,
    *,
    actor: Actor | None,
    plan_code: str,
    file_name: str,
    open_text: OpenText,
    complete: bool = True,
) -> LoadReport:
    """Check, then apply, a plan's facility cost level file (CSV); ``actor=None``: the command line.

    ``complete``: the file is the plan's whole list, and its rows missing from the file are ended."""
    if actor is not None:
        require(session, actor, PERMISSION, record=f"plan:{plan_code[:20]}")
    plan = _plan(session, plan_code)
    file_name = file_name.strip()[:255] or "file"
    if file_name.lower().endswith((".json", ".ndjson", ".jsonl")):
        raise LoadRefused("A cost level file is CSV (docs/data-files.md, Facility cost levels).")
    parsed = _read(open_text)
    problems = list(parsed.problems)
    ids: dict[str, int] = {}
    if not problems:
        ids, problems = _facility_ids(session, parsed.rows)
    load = DataLoad(
        plan_id=id_of(plan),
        kind=DataFileKind.COST_LEVELS,
        file_name=file_name,
        file_format="csv",
        loaded_by_id=actor.user_id if actor else None,
        source="upload" if actor else "command line",
        records_read=parsed.records,
    )
    session.add(load)
    session.flush()
    if problems:
        load.status = DataLoadStatus.REJECTED
        load.error_count = len(problems)
        load.problems = [vars(p) for p in problems[:500]]
    else:
        counts = _apply(session, id_of(plan), parsed.rows, ids, id_of(load), complete)
        load.new_count, load.changed_count, load.ended_count, load.unchanged_count = counts
        load.status = DataLoadStatus.APPLIED
    finish_load(
        session,
        load,
        kind=DataFileKind.COST_LEVELS,
        plan_code=plan.code,
        file_name=file_name,
        actor=actor,
        complete=complete,
    )
    session.commit()
    return LoadReport(
        load_id=id_of(load),
        kind=DataFileKind.COST_LEVELS,
        plan_code=plan.code,
        file_name=file_name,
        file_format="csv",
        status=DataLoadStatus(load.status),
        records_read=load.records_read,
        new=load.new_count,
        changed=load.changed_count,
        ended=load.ended_count,
        unchanged=load.unchanged_count,
        error_count=load.error_count,
        problems=tuple(problems[:500]),
    )


def import_cost_level_upload(
    session: Session, *, actor: Actor, plan_code: str, file_name: str, content: bytes, complete: bool = True
) -> LoadReport:
    """A cost level file uploaded on the plan files page (bounded by UPLOAD_MAX_MB), loaded as above."""
    require(session, actor, PERMISSION, record=f"plan:{plan_code[:20]}")
    return import_cost_levels(
        session,
        actor=actor,
        plan_code=plan_code,
        file_name=file_name,
        open_text=open_bytes(content),
        complete=complete,
    )


def levels_on(session: Session, *, plan_id: int, facility_ids: Iterable[int], on: date) -> dict[int, str]:
    """facility id -> the plan's cost level in force on ``on``; facilities without one are left out."""
    wanted = list(set(facility_ids))
    if not wanted:
        return {}
    rows = session.exec(
        select(FacilityCostLevel).where(
            FacilityCostLevel.plan_id == plan_id,
            col(FacilityCostLevel.facility_id).in_(wanted),
            col(FacilityCostLevel.effective_from) <= on,
        )
    ).all()
    periods: dict[int, list[domain.Period]] = {}
    for row in rows:
        periods.setdefault(row.facility_id, []).append(
            domain.Period(row.level, row.effective_from, row.effective_until)
        )
    found = {facility_id: domain.in_force(items, on) for facility_id, items in periods.items()}
    return {facility_id: level for facility_id, level in found.items() if level}


def cost_level_on(session: Session, *, plan_id: int, facility_id: int, on: date) -> str:
    """The plan's cost level of one facility on ``on`` ("$$", "lower"...), or "" when it supplied none."""
    return levels_on(session, plan_id=plan_id, facility_ids=[facility_id], on=on).get(facility_id, "")


def load_demo_cost_levels(session: Session, *, plan_code: str, lines: Iterable[str]) -> int:
    """The demo seed's cost level file for a plan (services/demo_data.py), checked like any file and
    applied once: nothing when the plan has cost levels already. Not a load by anyone, so it is kept
    out of the plan files history, like the packaged code lists. Returns the rows added."""
    plan = _plan(session, plan_code)
    if session.exec(select(FacilityCostLevel.id).where(FacilityCostLevel.plan_id == plan.id)).first():
        return 0
    parsed = domain.read_cost_level_csv(lines)
    ids, problems = _facility_ids(session, parsed.rows) if parsed.ok else ({}, list(parsed.problems))
    if problems:
        raise ValueError(f"The demo cost level file has problems: {problems[:3]}")
    new, _, _, _ = _apply(session, id_of(plan), parsed.rows, ids, None, complete=False)
    session.flush()
    return new
