"""Time the review queue's first page and the metrics dashboard at a million orders.

Usage:
    .venv/bin/python benchmarks/review_scale.py [--orders 1000000] [--runs 20]
        [--pg-url postgresql://postgres@127.0.0.1:5432/test] [--skip-sqlite] [--skip-postgres]

Seeds a scratch SQLite file (in a temporary folder) and a scratch PostgreSQL database (created
beside the one in --pg-url and dropped at the end), both migrated to head with the demo data, then
bulk-loads ORDERS orders with their lines, determinations and review tasks (executemany on
SQLite, COPY on PostgreSQL). Mix: about 60 % approved at once by the rules engine, 20 % approved
after a nurse's review, 8 % denied by a physician (a third of them appealed), 10 % pended with an
open review task, 2 % notification only; one line in five orders has a second line; 15 % urgent;
submitted evenly over the year before now.

Then, for --runs runs each (after one warm-up), prints the median and p95 in milliseconds of:
  (a) the nurse queue's first page as the queue page asks for it: portal_app.services.review.list_queue
      filtered by program and urgency (and unfiltered), 25 rows in due order with their total count;
  (b) portal_app.services.metrics.review_metrics for the last 90 days.
Targets: queue page under 100 ms, dashboard under 1 s. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from portal_app.cli import migrate, seed
from portal_app.db import make_engine
from portal_app.domain.enums import Program, Role
from portal_app.domain.outcomes import LineHistory, RecordedDecision, request_outcome
from portal_app.models import HealthPlan, Practice, User
from portal_app.services.authz import Actor
from portal_app.services.metrics import review_metrics
from portal_app.services.review import QueueFilter, list_queue

CHUNK = 50_000  # orders generated and written per batch
QUEUE_PAGE = 25

PROGRAM_WEIGHTS = [
    (Program.IMAGING, 40),
    (Program.MUSCULOSKELETAL, 15),
    (Program.MEDICAL_ONCOLOGY, 10),
    (Program.RADIATION_ONCOLOGY, 5),
    (Program.REHABILITATION, 15),
    (Program.SLEEP, 10),
    (Program.OUTPATIENT, 5),
]
CODES = ["72148", "70553", "71250", "74177", "78452", "93306", "95810", "97110", "27447", "63030"]


@dataclass(frozen=True)
class Ids:
    """Rows the bulk-loaded orders point at, taken from the demo data."""

    plan_ids: list[int]
    member_ids: list[int]
    practice_id: int
    user_id: int
    nurse_id: int
    physician_id: int
    # The largest ids already taken (the demo data has a few orders): new rows number on from there.
    order_base: int = 0
    line_base: int = 0
    determination_base: int = 0
    task_base: int = 0


@dataclass
class Batch:
    orders: list[tuple]
    lines: list[tuple]
    determinations: list[tuple]
    tasks: list[tuple]


ORDER_COLUMNS = (
    "id",
    "order_number",
    "program",
    "plan_id",
    "member_id",
    "practice_id",
    "status",
    "urgency",
    "urgency_reason",
    "service_start",
    "details",
    "submitted_at",
    "created_by_id",
    "created_at",
    "updated_by_id",
    "updated_at",
    "version",
    "wizard_step",
    "member_confirmed",
    "out_of_network_confirmed",
    "letter_address",
    "letter_fax",
    "duplicate_of",
    "cancel_reason",
    "initial_outcome",
    "initially_decided_at",
    "decision_hours",
    "appealed_at",
    "approved_after_appeal",
)
LINE_COLUMNS = (
    "id",
    "order_id",
    "line_number",
    "code_system",
    "code",
    "description",
    "quantity",
    "laterality",
    "decision",
)
DETERMINATION_COLUMNS = (
    "id",
    "order_line_id",
    "decision",
    "reason_code",
    "reason",
    "guideline_citation",
    "explanation",
    "decided_by",
    "decided_by_user_id",
    "decided_at",
    "valid_from",
    "valid_until",
)
TASK_COLUMNS = (
    "id",
    "order_id",
    "queue",
    "kind",
    "status",
    "reason",
    "assignee_id",
    "due_at",
    "created_at",
    "closed_at",
    "program",
    "plan_id",
    "urgency",
)


def _weighted_programs(rng: random.Random, n: int) -> list[str]:
    programs, weights = zip(*PROGRAM_WEIGHTS, strict=True)
    return [p.value for p in rng.choices(programs, weights=weights, k=n)]


class Clock:
    """Times are generated as whole epoch seconds; each database gets them in the form its loader takes.

    PostgreSQL's COPY takes datetime and date objects; the SQLite loader passes the seconds to SQLite,
    which formats them (see _SQLITE_TIMESTAMP), and dates as ISO text.
    """

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self._days: dict[int, object] = {}

    def stamp(self, seconds: int | None):
        if seconds is None or not self.postgres:
            return seconds
        return datetime.fromtimestamp(seconds, UTC)

    def day(self, seconds: int | None):
        if seconds is None:
            return None
        number = seconds // 86400
        if number not in self._days:
            value = date(1970, 1, 1) + timedelta(days=number)
            self._days[number] = value if self.postgres else value.isoformat()
        return self._days[number]


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _seconds(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _path_and_status(roll: float) -> tuple[str, str]:
    """How an order went (its review path) and its order status, from a uniform draw in [0, 1)."""
    if roll < 0.60:
        return "rules", "authorized"
    if roll < 0.80:
        return "nurse", "authorized"
    if roll < 0.88:
        return "denied", "non_authorized"
    if roll < 0.98:
        return "pending", "in_progress"
    return "notification", "completed"


def _line_decisions(
    path: str, current: str, ids: Ids, submitted: int, decided: int, appealed: bool
) -> list[tuple[str, str, int | None, int]]:
    """A line's decisions in order: (decision, decided by, user id, epoch seconds)."""
    if path in ("rules", "notification"):
        return [(current, "rules_engine", None, submitted + 1)]
    dets = [("pended", "rules_engine", None, submitted + 1)]
    if path == "nurse":
        dets.append(("authorized", "nurse", ids.nurse_id, decided))
    elif path == "denied":
        dets.append(("non_authorized", "physician", ids.physician_id, decided))
        if appealed:
            dets.append((current, "physician", ids.physician_id, decided + 12 * 86400))
    return dets


def generate(
    total: int, ids: Ids, now: datetime, clock: Clock, seed_value: int = 20261123
) -> Iterator[Batch]:
    """The orders and their rows, CHUNK orders at a time, with explicit ids (deterministic)."""
    rng = random.Random(seed_value)
    line_id, determination_id, task_id = ids.line_base, ids.determination_base, ids.task_base
    end = int(now.timestamp())
    year, day, hour = 365 * 86400, 86400, 3600
    ts, dy = clock.stamp, clock.day
    current_of = {
        "rules": "authorized",
        "nurse": "authorized",
        "denied": "non_authorized",
        "pending": "pended",
        "notification": "notification_only",
    }
    for first in range(1, total + 1, CHUNK):
        count = min(CHUNK, total - first + 1)
        batch = Batch([], [], [], [])
        programs = _weighted_programs(rng, count)
        for offset in range(count):
            order_id = ids.order_base + first + offset
            submitted = end - rng.randrange(year)
            urgent = rng.random() < 0.15
            due = submitted + (72 * hour if urgent else 7 * day)
            path, status = _path_and_status(rng.random())
            decided = submitted + 60 * rng.randrange(30, 9000)
            submitted_ts = ts(submitted)
            program, plan_id, urgency = (
                programs[offset],
                rng.choice(ids.plan_ids),
                "urgent" if urgent else "standard",
            )
            appealed = path == "denied" and rng.random() < 0.3
            filed = decided + 3 * day
            histories = []
            for line_number in (1, 2) if rng.random() < 0.2 else (1,):
                line_id += 1
                current = current_of[path]
                if appealed and rng.random() < 0.4:
                    current = "authorized"
                batch.lines.append(
                    (
                        line_id,
                        order_id,
                        line_number,
                        "CPT",
                        rng.choice(CODES),
                        "Requested service",
                        1,
                        "",
                        current,
                    )
                )
                dets = _line_decisions(path, current, ids, submitted, decided, appealed)
                histories.append(
                    LineHistory(current, [RecordedDecision(d, by, _utc(at)) for d, by, _, at in dets])
                )
                for decision, by, user, at in dets:
                    determination_id += 1
                    approved = decision == "authorized"
                    batch.determinations.append(
                        (
                            determination_id,
                            line_id,
                            decision,
                            "",
                            "Demo reason for the decision.",
                            "Demo guideline, section 1",
                            "{}",
                            by,
                            user,
                            ts(at),
                            dy(submitted + 7 * day) if approved else None,
                            dy(submitted + 67 * day) if approved else None,
                        )
                    )
            # The stored outcome, by the same rule the services apply (portal_app/domain/outcomes.py).
            outcome = request_outcome(_utc(submitted), histories, _utc(filed) if appealed else None)
            batch.orders.append(
                (
                    order_id,
                    f"PB{order_id:010d}",
                    program,
                    plan_id,
                    rng.choice(ids.member_ids),
                    ids.practice_id,
                    status,
                    urgency,
                    "Symptoms are getting worse quickly." if urgent else "",
                    dy(submitted + 7 * day),
                    "{}",
                    submitted_ts,
                    ids.user_id,
                    submitted_ts,
                    ids.user_id,
                    ts(submitted if path == "pending" else decided),
                    2,
                    8,
                    True,
                    True,
                    "1 Demo Way",
                    "555-0100",
                    "",
                    "",
                    outcome.outcome,
                    ts(_seconds(outcome.decided_at)),
                    outcome.hours,
                    ts(_seconds(outcome.appealed_at)),
                    outcome.approved_after_appeal,
                )
            )
            task = (program, plan_id, urgency)
            if path == "pending":
                task_id += 1
                queue = "nurse" if rng.random() < 0.85 else "physician"
                batch.tasks.append(
                    (
                        task_id,
                        order_id,
                        queue,
                        "initial",
                        "open",
                        "Pended by the rules engine.",
                        None,
                        ts(due),
                        submitted_ts,
                        None,
                        *task,
                    )
                )
            elif path in ("nurse", "denied"):
                task_id += 1
                batch.tasks.append(
                    (
                        task_id,
                        order_id,
                        "nurse" if path == "nurse" else "physician",
                        "initial",
                        "done",
                        "Pended by the rules engine.",
                        None,
                        ts(due),
                        submitted_ts,
                        ts(decided),
                        *task,
                    )
                )
                if appealed:
                    task_id += 1
                    batch.tasks.append(
                        (
                            task_id,
                            order_id,
                            "physician",
                            "appeal",
                            "done",
                            "Appeal filed.",
                            None,
                            ts(filed + 30 * day),
                            ts(filed),
                            ts(decided + 12 * day),
                            *task,
                        )
                    )
        yield batch


# --- loading ---


_TIMESTAMP_COLUMNS = {
    "submitted_at",
    "created_at",
    "updated_at",
    "decided_at",
    "due_at",
    "closed_at",
    "initially_decided_at",
    "appealed_at",
}
# SQLAlchemy keeps SQLite timestamps as naive UTC text with six decimals; SQLite formats the epoch
# seconds itself (whole seconds: the generator's clock starts on a whole second), which is much
# faster than formatting two million timestamps in Python.
_SQLITE_TIMESTAMP = "strftime('%Y-%m-%d %H:%M:%S', ?, 'unixepoch') || '.000000'"


def _sqlite_insert(table: str, columns: tuple[str, ...]) -> str:
    values = ", ".join(_SQLITE_TIMESTAMP if c in _TIMESTAMP_COLUMNS else "?" for c in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"


def load_sqlite(url: str, batches: Iterator[Batch]) -> None:
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-400000")
        for batch in batches:
            for table, columns, rows in _tables(batch):
                cursor.executemany(_sqlite_insert(table, columns), rows)
            raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def load_postgres(url: str, batches: Iterator[Batch]) -> None:
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Skip the foreign-key triggers while loading rows whose references are known to exist.
        cursor.execute("SET session_replication_role = replica")
        for batch in batches:
            for table, columns, rows in _tables(batch):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            raw.commit()
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in ("orders", "order_lines", "determinations", "review_tasks", "members"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _tables(batch: Batch):
    return (
        ("orders", ORDER_COLUMNS, batch.orders),
        ("order_lines", LINE_COLUMNS, batch.lines),
        ("determinations", DETERMINATION_COLUMNS, batch.determinations),
        ("review_tasks", TASK_COLUMNS, batch.tasks),
    )


def _add_members(url: str, count: int, plan_ids: list[int], postgres: bool) -> None:
    """More members than the 200 of the demo data, so orders spread over many patients."""
    engine = make_engine(url)
    rows = [
        (
            f"B{i:09d}",
            plan_ids[i % len(plan_ids)],
            "Demo",
            f"Member{i}",
            date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
            "F" if i % 2 else "M",
            "commercial_hmo_pos",
            "1 Demo Way",
            "Springfield",
            "IL",
            "62701",
            "",
            date(2024, 1, 1),
        )
        for i in range(count)
    ]
    columns = (
        "member_number",
        "plan_id",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "line_of_business",
        "address_line",
        "city",
        "state",
        "postal_code",
        "phone",
        "eligibility_start",
        "created_at",
    )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if postgres:
            now = datetime.now(UTC)
            with cursor.copy(f"COPY members ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, now))
        else:
            now = int(time.time())
            cursor.executemany(
                _sqlite_insert("members", columns),
                [(*row[:4], row[4].isoformat(), *row[5:12], row[12].isoformat(), now) for row in rows],
            )
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def prepare(url: str, orders: int, now: datetime, postgres: bool) -> float:
    """Migrate, seed the demo data and bulk-load; returns the seconds the bulk load took."""
    migrate(url)
    seed(url, history_size=0, quiet=True)
    engine = make_engine(url)
    with Session(engine) as session:
        plan_ids = list(session.exec(select(HealthPlan.id)).all())
    engine.dispose()
    _add_members(url, max(orders // 50, 1000), plan_ids, postgres)
    engine = make_engine(url)
    with Session(engine) as session:
        from portal_app.models import Member

        ids = Ids(
            plan_ids=plan_ids,
            member_ids=list(session.exec(select(Member.id)).all()),
            practice_id=session.exec(select(Practice.id)).first(),
            user_id=session.exec(select(User.id).where(User.username == "ordering")).one(),
            nurse_id=session.exec(select(User.id).where(User.username == "nurse")).one(),
            physician_id=session.exec(select(User.id).where(User.username == "physician")).one(),
            **{
                f"{name}_base": session.exec(text(f"SELECT coalesce(max(id), 0) FROM {table}")).one()[0]
                for name, table in (
                    ("order", "orders"),
                    ("line", "order_lines"),
                    ("determination", "determinations"),
                    ("task", "review_tasks"),
                )
            },
        )
    engine.dispose()
    started = time.perf_counter()
    (load_postgres if postgres else load_sqlite)(url, generate(orders, ids, now, Clock(postgres)))
    return time.perf_counter() - started


# --- measuring ---


def _timed(runs: int, action, budget_s: float = 20.0) -> tuple[list[float], object]:
    """``runs`` timed calls after one warm-up; stops early (after at least 5) once ``budget_s`` is spent."""
    result = action()  # warm-up
    samples: list[float] = []
    spent = 0.0
    while len(samples) < runs and (len(samples) < 5 or spent < budget_s):
        started = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - started) * 1000)
        spent += samples[-1] / 1000
    return samples, result


def _report(label: str, samples: list[float], target_ms: float, note: str = "") -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    verdict = "ok" if p95 < target_ms else f"MISSES {target_ms:g} ms"
    print(
        f"  {label:<54} median {statistics.median(ordered):8.1f} ms   p95 {p95:8.1f} ms   (n={len(ordered)}) "
        f"{verdict}  {note}",
        flush=True,
    )


QUEUE_FILTERS = (("imaging", "standard"), ("sleep", "urgent"), ("", ""))


def measure_queue(engine, runs: int) -> None:
    with Session(engine, expire_on_commit=False) as session:
        nurse = session.exec(select(User).where(User.username == "nurse")).one()
        actor = Actor(user_id=nurse.id, role=Role.NURSE_REVIEWER, full_name=nurse.full_name)
        for program, urgency in QUEUE_FILTERS:
            wanted = QueueFilter(program=program, urgency=urgency)

            def page(wanted=wanted):
                return list_queue(
                    session, actor=actor, queue="nurse", queue_filter=wanted, page_size=QUEUE_PAGE
                )

            samples, (rows, total) = _timed(runs, page)
            _report(
                f"(a) list_queue {program or 'any program'}/{urgency or 'any urgency'}",
                samples,
                100,
                f"[{len(rows)} rows of {total:,}]",
            )
            samples, (rows, total) = _timed(
                runs,
                lambda wanted=wanted: list_queue(
                    session, actor=actor, queue="nurse", queue_filter=wanted, page=3, page_size=QUEUE_PAGE
                ),
            )
            _report("    the fourth page", samples, 100, f"[{len(rows)} rows]")


def measure(url: str, runs: int, now: datetime) -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        counts = {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("orders", "order_lines", "determinations", "review_tasks")
        }
        open_tasks = connection.execute(
            text("SELECT count(*) FROM review_tasks WHERE status = 'open'")
        ).scalar_one()
    print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()) + f" (open tasks {open_tasks:,})")
    measure_queue(engine, runs)
    with Session(engine, expire_on_commit=False) as session:
        nurse = session.exec(select(User).where(User.username == "nurse")).one()
        actor = Actor(user_id=nurse.id, role=Role.NURSE_REVIEWER, full_name=nurse.full_name)
        today = now.date()

        def dashboard():
            return review_metrics(session, actor=actor, date_from=today - timedelta(days=89), date_to=today)

        samples, metrics = _timed(runs, dashboard)
        _report(
            "(b) review_metrics, last 90 days",
            samples,
            1000,
            f"[{metrics.totals.requests:,} requests; standard median {metrics.standard.median_hours} h, "
            f"p90 {metrics.standard.p90_hours} h]",
        )

        def dashboard_program():
            return review_metrics(
                session, actor=actor, date_from=today - timedelta(days=89), date_to=today, program="imaging"
            )

        samples, _ = _timed(runs, dashboard_program)
        _report("    review_metrics, 90 days, imaging only", samples, 1000)
    engine.dispose()


def _scratch_postgres(base_url: str) -> tuple[str, str]:
    name = f"precert_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, f"{base_url.rpartition('/')[0]}/{name}"


def _drop_postgres(base_url: str, name: str) -> None:
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--pg-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="a PostgreSQL database to create the scratch database beside",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'review_scale.db'}"
            seconds = prepare(url, args.orders, now, postgres=False)
            print(f"SQLite: {args.orders:,} orders bulk-loaded in {seconds:.1f} s", flush=True)
            measure(url, args.runs, now)
    if not args.skip_postgres:
        name, url = _scratch_postgres(args.pg_url)
        try:
            seconds = prepare(url, args.orders, now, postgres=True)
            print(f"PostgreSQL: {args.orders:,} orders bulk-loaded in {seconds:.1f} s", flush=True)
            measure(url, args.runs, now)
        finally:
            _drop_postgres(args.pg_url, name)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
