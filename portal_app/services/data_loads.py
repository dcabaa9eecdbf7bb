"""Loading a plan's member (eligibility) and provider (network) files.

A load reads the file twice, streaming: first every record is checked (``domain/data_files.py``:
fields, duplicates in the file, NPIs already held by the other kind of party) and nothing is
written but the record of the load; a file with any problem is rejected whole, with its report.
Then the records are applied in one transaction, as a delta against what the plan has: new
records added, changed ones updated, and the plan's members (or network participations) missing
from the file ended the day before the load, never deleted (orders keep their member and
provider). Loading the same file again changes nothing. Support admins load from the support page,
operators from the command line (``actor=None``); every load is in ``data_loads`` and audited.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any, TextIO

from sqlalchemy import insert, update
from sqlmodel import Session, col, func, or_, select

from portal_app import clock
from portal_app.domain import data_files
from portal_app.domain.data_files import FileProblem, MemberRecord, ProviderRecord
from portal_app.domain.enums import DataFileKind, DataLoadStatus, LineOfBusiness
from portal_app.models import (
    DataLoad,
    Facility,
    HealthPlan,
    Member,
    NetworkParticipation,
    PlanLineOfBusiness,
    Provider,
    User,
)
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require

CHUNK = 1000
PROGRESS_EVERY = 5000
PAGE_SIZE = 20
MEMBER_COLUMNS = tuple(
    name for name in MemberRecord.__dataclass_fields__ if name not in ("where", "member_number")
)


class LoadRefused(Exception):
    """The load cannot start (unknown plan, unreadable file); nothing was recorded or changed."""


@dataclass
class LoadProgress:
    """Where a running load is; written by the loading thread, read by the page (and the CLI)."""

    phase: str = "Waiting"
    records: int = 0
    listener: Callable[[str, int], None] | None = None

    def step(self, phase: str, records: int) -> None:
        self.phase, self.records = phase, records
        if self.listener is not None:
            self.listener(phase, records)

    def text(self) -> str:
        return f"{self.phase}: {self.records:,} records" if self.records else f"{self.phase}…"


@dataclass(frozen=True)
class LoadReport:
    load_id: int
    kind: DataFileKind
    plan_code: str
    file_name: str
    file_format: str
    status: DataLoadStatus
    records_read: int
    new: int
    changed: int
    ended: int
    unchanged: int
    error_count: int
    problems: tuple[FileProblem, ...]

    def summary(self) -> str:
        what = {DataFileKind.MEMBERS: "members", DataFileKind.PROVIDERS: "providers"}.get(
            self.kind, "cost levels"
        )
        if self.status == DataLoadStatus.APPLIED:
            return (
                f"{self.file_name} applied to plan {self.plan_code}: {self.records_read:,} {what} read, "
                f"{self.new:,} new, {self.changed:,} changed, {self.ended:,} ended, "
                f"{self.unchanged:,} unchanged."
            )
        return (
            f"{self.file_name} was not applied: {self.error_count:,} problem(s) found in "
            f"{self.records_read:,} records; nothing was changed. Correct the file and load it again."
        )


@dataclass(frozen=True)
class LoadRow:
    load_id: int
    started_at: str
    plan_code: str
    kind: str
    file_name: str
    file_format: str
    loaded_by: str
    status: str
    counts: str


OpenText = Callable[[], TextIO]


def open_bytes(content: bytes) -> OpenText:
    """A reopenable text stream over an uploaded file's bytes (UTF-8, a BOM allowed)."""
    return lambda: io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")


def open_path(path: str) -> OpenText:
    return lambda: open(path, encoding="utf-8-sig", newline="")


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _plan(session: Session, plan_code: str) -> HealthPlan:
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == plan_code.strip().upper())).first()
    if plan is None:
        raise LoadRefused(f"No plan has the code {plan_code!r}.")
    return plan


def _first_line(open_text: OpenText) -> str:
    with open_text() as stream:
        for line in stream:
            if line.strip() and not line.startswith("#"):
                return line
    return ""


# ---- reading ---------------------------------------------------------------------------------------


def _member_records(
    open_text: OpenText, file_format: str, plan_code: str, lines: frozenset[LineOfBusiness]
) -> Iterator[data_files.Checked]:
    with open_text() as stream:
        if file_format == "csv":
            yield from data_files.read_member_csv(stream, lines_of_business=lines)
        else:
            yield from data_files.read_member_fhir(stream, plan_code=plan_code, lines_of_business=lines)


def _provider_records(
    open_text: OpenText, file_format: str, plan_code: str
) -> Iterator[data_files.CheckedProvider]:
    with open_text() as stream:
        if file_format == "csv":
            yield from data_files.read_provider_csv(stream)
        else:
            yield from data_files.read_provider_fhir(stream, plan_code=plan_code)


class _Checker:
    """The first pass: counts records, keeps the first problems, finds duplicate keys."""

    def __init__(self, key_field: str, progress: LoadProgress):
        self.key_field = key_field
        self.progress = progress
        self.records = 0
        self.error_count = 0
        self.problems: list[FileProblem] = []
        self.first_seen: dict[str, str] = {}

    def add_problems(self, problems: list[FileProblem]) -> None:
        self.error_count += len(problems)
        room = data_files.MAX_REPORTED_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def count(self) -> None:
        self.records += 1
        if self.records % PROGRESS_EVERY == 0:
            self.progress.step("Checking the file", self.records)

    def check_key(self, key: str, where: str) -> bool:
        earlier = self.first_seen.get(key)
        if earlier is not None:
            self.add_problems([FileProblem(where, self.key_field, f"{key} is also at {earlier}.")])
            return False
        self.first_seen[key] = where
        return True


# ---- members ---------------------------------------------------------------------------------------


def load_members(
    session: Session,
    *,
    actor: Actor | None,
    plan_code: str,
    file_name: str,
    open_text: OpenText,
    complete: bool = True,
    progress: LoadProgress | None = None,
) -> LoadReport:
    """Check, then apply, a plan's eligibility file (CSV, or FHIR Patient + Coverage).

    ``complete``: the file lists every member of the plan, and those missing from it are ended;
    otherwise it holds only new and changed members (an end date in the file still ends one).
    """
    return _load(session, actor, DataFileKind.MEMBERS, plan_code, file_name, open_text, complete, progress)


def load_providers(
    session: Session,
    *,
    actor: Actor | None,
    plan_code: str,
    file_name: str,
    open_text: OpenText,
    complete: bool = True,
    progress: LoadProgress | None = None,
) -> LoadReport:
    """Check, then apply, a plan's provider and network file (CSV, or FHIR in the Plan-Net shape).

    ``complete`` as for members: participations of parties missing from the file are ended.
    """
    return _load(session, actor, DataFileKind.PROVIDERS, plan_code, file_name, open_text, complete, progress)


def load_upload(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    plan_code: str,
    file_name: str,
    content: bytes,
    complete: bool = True,
    progress: LoadProgress | None = None,
) -> LoadReport:
    """A file uploaded on the support page (bounded by UPLOAD_MAX_MB), loaded as above."""
    require(session, actor, "plan_data.load", record=f"plan:{plan_code[:20]}")
    if kind not in (DataFileKind.MEMBERS.value, DataFileKind.PROVIDERS.value):
        raise LoadRefused("Choose whether the file holds members or providers.")
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadRefused("The file is not UTF-8 text (CSV or FHIR JSON).") from None
    return _load(
        session, actor, DataFileKind(kind), plan_code, file_name, open_bytes(content), complete, progress
    )


def _load(
    session: Session,
    actor: Actor | None,
    kind: DataFileKind,
    plan_code: str,
    file_name: str,
    open_text: OpenText,
    complete: bool,
    progress: LoadProgress | None,
) -> LoadReport:
    if actor is not None:
        require(session, actor, "plan_data.load", record=f"plan:{plan_code[:20]}")
    progress = progress or LoadProgress()
    plan = _plan(session, plan_code)
    file_name = file_name.strip()[:255] or "file"
    try:
        file_format = data_files.file_format(file_name, _first_line(open_text))
    except (OSError, UnicodeDecodeError) as problem:
        raise LoadRefused(f"The file cannot be read: {problem}") from None
    load = DataLoad(
        plan_id=id_of(plan),
        kind=kind,
        file_name=file_name,
        file_format=file_format,
        loaded_by_id=actor.user_id if actor else None,
        source="upload" if actor else "command line",
    )
    session.add(load)
    session.commit()
    progress.step("Checking the file", 0)
    try:
        if kind == DataFileKind.MEMBERS:
            checker = _check_members(session, plan, open_text, file_format, progress)
        else:
            checker = _check_providers(session, plan, open_text, file_format, progress)
    except UnicodeDecodeError:
        checker = _Checker("file", progress)
        checker.add_problems([FileProblem("file", "encoding", "The file is not UTF-8 text.")])
    load.records_read = checker.records
    if checker.error_count:
        load.status = DataLoadStatus.REJECTED
        load.error_count = checker.error_count
        load.problems = [vars(p) for p in checker.problems]
    else:
        checker.first_seen.clear()
        progress.step("Applying", 0)
        try:
            counts = (
                _apply_members(session, plan, open_text, file_format, complete, progress)
                if kind == DataFileKind.MEMBERS
                else _apply_providers(session, plan, open_text, file_format, complete, progress)
            )
        except Exception:
            session.rollback()
            load = session.get(DataLoad, id_of(load)) or load
            load.status = DataLoadStatus.FAILED
            load.finished_at = clock.now()
            session.add(load)
            session.commit()
            raise
        load.new_count, load.changed_count, load.ended_count, load.unchanged_count = counts
        load.status = DataLoadStatus.APPLIED
    finish_load(
        session, load, kind=kind, plan_code=plan.code, file_name=file_name, actor=actor, complete=complete
    )
    session.commit()
    progress.step("Done", load.records_read)
    return _report(load, plan.code)


def _report(load: DataLoad, plan_code: str) -> LoadReport:
    return LoadReport(
        load_id=id_of(load),
        kind=DataFileKind(load.kind),
        plan_code=plan_code,
        file_name=load.file_name,
        file_format=load.file_format,
        status=DataLoadStatus(load.status),
        records_read=load.records_read,
        new=load.new_count,
        changed=load.changed_count,
        ended=load.ended_count,
        unchanged=load.unchanged_count,
        error_count=load.error_count,
        problems=tuple(FileProblem(**p) for p in load.problems),
    )


def _plan_lines(session: Session, plan: HealthPlan) -> frozenset[LineOfBusiness]:
    rows = session.exec(
        select(PlanLineOfBusiness.line_of_business).where(PlanLineOfBusiness.plan_id == plan.id)
    ).all()
    return frozenset(LineOfBusiness(row) for row in rows)


def _check_members(
    session: Session, plan: HealthPlan, open_text: OpenText, file_format: str, progress: LoadProgress
) -> _Checker:
    checker = _Checker("member_id", progress)
    for item in _member_records(open_text, file_format, plan.code, _plan_lines(session, plan)):
        checker.count()
        if isinstance(item, list):
            checker.add_problems(item)
        else:
            checker.check_key(item.member_number, item.where)
    return checker


def _valid_members(open_text: OpenText, file_format: str, plan_code: str) -> Iterator[MemberRecord]:
    for item in _member_records(open_text, file_format, plan_code, frozenset(LineOfBusiness)):
        if isinstance(item, MemberRecord):
            yield item


def _apply_members(
    session: Session,
    plan: HealthPlan,
    open_text: OpenText,
    file_format: str,
    complete: bool,
    progress: LoadProgress,
) -> tuple[int, int, int, int]:
    plan_id = id_of(plan)
    yesterday = clock.today() - timedelta(days=1)
    seen: set[str] = set()
    new = changed = ended = unchanged = done = 0
    wanted = [col(getattr(Member, name)) for name in ("id", "member_number", *MEMBER_COLUMNS)]
    for chunk in _batched(_valid_members(open_text, file_format, plan.code), CHUNK):
        numbers = [record.member_number for record in chunk]
        existing = {
            row.member_number: row
            for row in session.exec(
                select(*wanted).where(Member.plan_id == plan_id, col(Member.member_number).in_(numbers))
            ).all()
        }
        inserts, updates = [], []
        now = clock.now()
        for record in chunk:
            seen.add(record.member_number)
            values = record.columns()
            row = existing.get(record.member_number)
            if row is None:
                inserts.append({**values, "plan_id": plan_id, "created_at": now})
                new += 1
            elif any(getattr(row, name) != values[name] for name in MEMBER_COLUMNS):
                updates.append({**values, "id": row.id})
                if _newly_ended(row.eligibility_end, record.eligibility_end, yesterday + timedelta(days=1)):
                    ended += 1
                else:
                    changed += 1
            else:
                unchanged += 1
        if inserts:
            session.execute(insert(Member), inserts)
        if updates:
            session.execute(update(Member), updates)
        done += len(chunk)
        progress.step("Applying", done)
    if complete:
        ended += _end_missing_members(session, plan_id, seen, yesterday)
    return new, changed, ended, unchanged


def _newly_ended(before: date | None, after: date | None, today: date) -> bool:
    return after is not None and after < today and (before is None or before >= today)


def _end_missing_members(session: Session, plan_id: int, seen: set[str], yesterday: date) -> int:
    still_covered = session.exec(
        select(Member.id, Member.member_number).where(
            Member.plan_id == plan_id,
            or_(col(Member.eligibility_end).is_(None), col(Member.eligibility_end) > yesterday),
        )
    ).all()
    to_end = [member_id for member_id, number in still_covered if number not in seen]
    for chunk in _batched(to_end, CHUNK):
        session.execute(
            update(Member), [{"id": member_id, "eligibility_end": yesterday} for member_id in chunk]
        )
    return len(to_end)


# ---- providers -------------------------------------------------------------------------------------

_PARTY_MODELS: dict[str, Any] = {data_files.PRACTITIONER: Provider, data_files.FACILITY: Facility}


def _check_providers(
    session: Session, plan: HealthPlan, open_text: OpenText, file_format: str, progress: LoadProgress
) -> _Checker:
    checker = _Checker("npi", progress)
    for chunk in _batched(_provider_records(open_text, file_format, plan.code), CHUNK):
        records = []
        for item in chunk:
            checker.count()
            if isinstance(item, list):
                checker.add_problems(item)
            elif checker.check_key(item.npi, item.where):
                records.append(item)
        for kind, model in _PARTY_MODELS.items():
            other = Facility if model is Provider else Provider
            npis = [r.npi for r in records if r.kind == kind]
            held = (
                set(session.exec(select(other.npi).where(col(other.npi).in_(npis))).all()) if npis else set()
            )
            for record in records:
                if record.kind == kind and record.npi in held:
                    noun = "a facility" if other is Facility else "a practitioner"
                    checker.add_problems(
                        [FileProblem(record.where, "npi", f"{record.npi} is already {noun}'s NPI here.")]
                    )
    return checker


def _valid_providers(open_text: OpenText, file_format: str, plan_code: str) -> Iterator[ProviderRecord]:
    for item in _provider_records(open_text, file_format, plan_code):
        if isinstance(item, ProviderRecord):
            yield item


def _party_ids(session: Session, model: Any, records: list[ProviderRecord]) -> dict[str, Any]:
    columns = list(records[0].party_columns()) if records else []
    wanted = [col(model.id), *(col(getattr(model, name)) for name in columns)]
    rows = session.exec(select(*wanted).where(col(model.npi).in_([r.npi for r in records]))).all()
    return {row.npi: row for row in rows}


def _apply_parties(
    session: Session, model: Any, records: list[ProviderRecord]
) -> tuple[dict[str, int], set[str]]:
    """Insert or update the chunk's practitioners (or facilities); (npi -> id, npis added or changed)."""
    if not records:
        return {}, set()
    existing = _party_ids(session, model, records)
    inserts, updates, touched = [], [], set()
    now = clock.now()
    for record in records:
        values = record.party_columns()
        row = existing.get(record.npi)
        if row is None:
            inserts.append({**values, "created_at": now})
            touched.add(record.npi)
        elif any(getattr(row, name) != value for name, value in values.items()):
            updates.append({**values, "id": row.id})
            touched.add(record.npi)
    if inserts:
        session.execute(insert(model), inserts)
    if updates:
        session.execute(update(model), updates)
    ids = session.exec(select(model.npi, model.id).where(col(model.npi).in_([r.npi for r in records]))).all()
    return {npi: party_id for npi, party_id in ids}, touched


def _apply_providers(
    session: Session,
    plan: HealthPlan,
    open_text: OpenText,
    file_format: str,
    complete: bool,
    progress: LoadProgress,
) -> tuple[int, int, int, int]:
    plan_id = id_of(plan)
    yesterday = clock.today() - timedelta(days=1)
    seen: dict[str, set[int]] = {data_files.PRACTITIONER: set(), data_files.FACILITY: set()}
    new = changed = unchanged = done = 0
    for chunk in _batched(_valid_providers(open_text, file_format, plan.code), CHUNK):
        for kind, model in _PARTY_MODELS.items():
            records = [r for r in chunk if r.kind == kind]
            if not records:
                continue
            ids, touched = _apply_parties(session, model, records)
            counts = _apply_participations(session, plan_id, model, records, ids, touched, seen[kind])
            new, changed, unchanged = new + counts[0], changed + counts[1], unchanged + counts[2]
        done += len(chunk)
        progress.step("Applying", done)
    ended = _end_missing_participations(session, plan_id, seen, yesterday) if complete else 0
    return new, changed, ended, unchanged


_NETWORK_COLUMNS = ("status", "effective_from", "effective_until")


def _apply_participations(
    session: Session,
    plan_id: int,
    model: Any,
    records: list[ProviderRecord],
    ids: dict[str, int],
    touched: set[str],
    seen: set[int],
) -> tuple[int, int, int]:
    """Insert or update the plan's network participation of the chunk's parties; (new, changed, same)."""
    party_key = "provider_id" if model is Provider else "facility_id"
    party = col(getattr(NetworkParticipation, party_key))
    wanted = [
        col(NetworkParticipation.id),
        party,
        *(col(getattr(NetworkParticipation, n)) for n in _NETWORK_COLUMNS),
    ]
    current = {
        row[1]: row
        for row in session.exec(
            select(*wanted).where(NetworkParticipation.plan_id == plan_id, party.in_(list(ids.values())))
        ).all()
    }
    inserts, updates = [], []
    new = changed = unchanged = 0
    for record in records:
        party_id = ids[record.npi]
        seen.add(party_id)
        values = record.network_columns()
        row = current.get(party_id)
        if row is None:
            inserts.append(
                {"plan_id": plan_id, "provider_id": None, "facility_id": None, party_key: party_id, **values}
            )
            new += 1
            continue
        differs = any(getattr(row, name) != values[name] for name in _NETWORK_COLUMNS)
        if differs:
            updates.append({"id": row.id, **values})
        if differs or record.npi in touched:
            changed += 1
        else:
            unchanged += 1
    if inserts:
        session.execute(insert(NetworkParticipation), inserts)
    if updates:
        session.execute(update(NetworkParticipation), updates)
    return new, changed, unchanged


def _end_missing_participations(
    session: Session, plan_id: int, seen: dict[str, set[int]], yesterday: date
) -> int:
    rows = session.exec(
        select(
            NetworkParticipation.id, NetworkParticipation.provider_id, NetworkParticipation.facility_id
        ).where(
            NetworkParticipation.plan_id == plan_id,
            or_(
                col(NetworkParticipation.effective_until).is_(None),
                col(NetworkParticipation.effective_until) > yesterday,
            ),
        )
    ).all()
    to_end = [
        row_id
        for row_id, provider_id, facility_id in rows
        if (provider_id is not None and provider_id not in seen[data_files.PRACTITIONER])
        or (facility_id is not None and facility_id not in seen[data_files.FACILITY])
    ]
    for chunk in _batched(to_end, CHUNK):
        session.execute(
            update(NetworkParticipation), [{"id": row_id, "effective_until": yesterday} for row_id in chunk]
        )
    return len(to_end)


# ---- history ---------------------------------------------------------------------------------------


def load_history(session: Session, *, actor: Actor, page: int = 0) -> tuple[list[LoadRow], int]:
    """The loads, newest first, one page; and how many there are."""
    require(session, actor, "plan_data.load")
    total = session.exec(select(func.count()).select_from(DataLoad)).one()
    rows = session.exec(
        select(DataLoad, HealthPlan.code, User.full_name)
        .join(HealthPlan, col(HealthPlan.id) == DataLoad.plan_id)
        .outerjoin(User, col(User.id) == DataLoad.loaded_by_id)
        .order_by(col(DataLoad.started_at).desc(), col(DataLoad.id).desc())
        .offset(max(page, 0) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [
        LoadRow(
            load_id=id_of(load),
            started_at=f"{load.started_at:%m/%d/%Y %H:%M}",
            plan_code=code,
            kind=DataFileKind(load.kind).label,
            file_name=load.file_name,
            file_format=load.file_format.upper(),
            loaded_by=name or "Operator (command line)",
            status=DataLoadStatus(load.status).label,
            counts=(
                f"{load.new_count} new, {load.changed_count} changed, {load.ended_count} ended"
                if load.status == DataLoadStatus.APPLIED
                else f"{load.error_count} problem(s)"
            ),
        )
        for load, code, name in rows
    ], total


def load_report(session: Session, *, actor: Actor, load_id: int) -> LoadReport:
    """One earlier load's report (its problems included)."""
    require(session, actor, "plan_data.load", record=f"data_load:{load_id}")
    load = session.get(DataLoad, load_id)
    if load is None:
        raise LookupError(load_id)
    plan = session.get(HealthPlan, load.plan_id)
    return _report(load, plan.code if plan else "")


def plan_codes(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of every plan, for choosing where a file goes."""
    require(session, actor, "plan_data.load")
    return [
        (plan.code, plan.name) for plan in session.exec(select(HealthPlan).order_by(HealthPlan.code)).all()
    ]


def finish_load(
    session: Session,
    load: DataLoad,
    *,
    kind: DataFileKind,
    plan_code: str,
    file_name: str,
    actor: Actor | None,
    complete: bool,
) -> None:
    """Stamp a plan file's load as finished and audit its outcome and counts (the caller commits)."""
    load.finished_at = clock.now()
    session.add(load)
    audit.record(
        session,
        action=f"plan_data.{kind.value}_{load.status.value}",
        user_id=actor.user_id if actor else None,
        record_type="data_load",
        record_id=id_of(load),
        client_address=actor.client_address if actor else "",
        detail={
            "plan": plan_code,
            "file": file_name,
            "by": "support admin" if actor else "operator (command line)",
            "complete": complete,
            "new": load.new_count,
            "changed": load.changed_count,
            "ended": load.ended_count,
            "errors": load.error_count,
        },
    )
