"""Load test: N staff fill and submit the wizard while M reviewers page the queues, over the websocket.

    .venv/bin/python -m benchmarks.load.run                      # 100 staff, 10 reviewers, both set-ups
    .venv/bin/python -m benchmarks.load.run --staff 20 --reviewers 2 --setups sqlite

Each set-up gets a scratch database (SQLite file, or a new PostgreSQL database that is dropped
afterwards), migrated and seeded, plus one account per simulated person; then the portal's
backend is started exactly as ``make serve-prod`` starts it, on a free loopback port:

* ``sqlite``: one worker, session state in memory (the ``make run`` shape);
* ``postgres-redis``: ``--workers`` workers (2) sharing state through Redis, on PostgreSQL
  (the ``make run-prod`` shape; ``PROD_OPLOCK=false`` in the environment turns Reflex's
  opportunistic Redis lock off);
* ``postgres`` and ``sqlite-redis``: the two halves, to tell their costs apart.

A bare websocket echo, served by the same granian on the same machine, with the same number of
clients, pace and message size, gives the baseline for the overhead ratio.

Printed: events per second, median and p95 event round trip (send -> the message that ends the
event, as a browser would wait for it), errors, orders attempted / confirmed / in the database /
duplicated, and errors the portal logged. Nothing here asserts a timing. Bounded: every person has
a fixed script, each event a timeout, and the whole run ``--max-seconds``. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import httpx
import trio

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.load import scenarios  # noqa: E402 - needs PROJECT_ROOT on sys.path
from benchmarks.load.protocol import require_loopback  # noqa: E402 - needs PROJECT_ROOT on sys.path

PASSWORD = "Load-Test-Only-2026"
PER_ADDRESS_LIMITS = ("sign_in_client", "search_client", "verify_client")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"The server did not answer {url} in time:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def scratch_database(kind: str, pg_admin_url: str, workdir: Path):
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'load.db'}"
        return
    from sqlalchemy import create_engine, text

    name = f"precert_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{pg_admin_url.rpartition('/')[0]}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare_database(db_url: str, env: dict, staff: int, reviewers: int, warmup: int) -> list[str]:
    """Migrate, seed, add the load accounts; return the member numbers the staff will use."""
    for step in ("migrate", "seed"):
        subprocess.run(
            [sys.executable, "-m", "portal_app.cli", step],
            cwd=PROJECT_ROOT,
            env={**env, "DEMO_HISTORY_SIZE": "0"},  # the load accounts' orders, not the demo's history
            check=True,
            stdout=subprocess.DEVNULL,
        )
    from sqlmodel import Session, select

    from portal_app.db import make_engine
    from portal_app.domain.enums import Role, UserStatus
    from portal_app.models import HealthPlan, Member, Practice, PracticeMembership, User
    from portal_app.services.passwords import hash_password

    engine = make_engine(db_url)
    password_hash = hash_password(PASSWORD)  # one hash for every load account: scratch data only
    with Session(engine) as session:
        practice = session.exec(select(Practice).where(Practice.tax_id == "90-1000001")).one()
        accounts = [(f"load-staff-{i:03d}", Role.ORDERING_PROVIDER_STAFF) for i in range(staff)]
        accounts += [(f"load-warmup-{i:03d}", Role.ORDERING_PROVIDER_STAFF) for i in range(warmup)]
        accounts += [(f"load-reviewer-{i:03d}", Role.NURSE_REVIEWER) for i in range(reviewers)]
        for username, role in accounts:
            user = User(
                email=f"{username}@load.precert.test",
                username=username.replace("-", ""),
                password_hash=password_hash,
                full_name=f"Load {username}",
                role=role,
                status=UserStatus.ACTIVE,
            )
            session.add(user)
            session.flush()
            if role == Role.ORDERING_PROVIDER_STAFF:
                session.add(PracticeMembership(user_id=user.id, practice_id=practice.id))
        session.commit()
        members = session.exec(
            select(Member.member_number)
            .join(HealthPlan, HealthPlan.id == Member.plan_id)
            .where(HealthPlan.code == "EVG", Member.eligibility_end.is_(None))
            .order_by(Member.member_number)
        ).all()
    engine.dispose()
    return list(members)


def count_orders(db_url: str) -> dict:
    """What the database holds for the load staff: submitted orders, per person, still drafts."""
    from sqlalchemy import text

    from portal_app.db import make_engine

    engine = make_engine(db_url)
    staff = "u.email LIKE 'load-staff-%'"
    with engine.connect() as connection:
        submitted, distinct = connection.execute(
            text(
                "SELECT COUNT(*), COUNT(DISTINCT o.order_number) FROM orders o JOIN users u ON u.id = "
                f"o.created_by_id WHERE {staff} AND o.order_number IS NOT NULL"
            )
        ).one()
        repeated = connection.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT o.created_by_id FROM orders o JOIN users u ON u.id = "
                f"o.created_by_id WHERE {staff} AND o.order_number IS NOT NULL GROUP BY o.created_by_id "
                "HAVING COUNT(*) > 1) AS x"
            )
        ).one()[0]
        drafts = connection.execute(
            text(
                f"SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.created_by_id "
                f"WHERE {staff} AND o.order_number IS NULL"
            )
        ).one()[0]
        numbers = [
            row[0]
            for row in connection.execute(
                text(
                    f"SELECT o.order_number FROM orders o JOIN users u ON u.id = o.created_by_id "
                    f"WHERE {staff} AND o.order_number IS NOT NULL"
                )
            )
        ]
    engine.dispose()
    return {
        "submitted": submitted,
        "distinct_numbers": distinct,
        "people_with_two_or_more": repeated,
        "drafts_left": drafts,
        "numbers": numbers,
    }


class MachineWatch:
    """CPU use during a run, by who used it: this box is shared, and the figures depend on it."""

    def __init__(self, server_pid: int, seconds: float = 2.0):
        import threading

        self.server_pid, self.seconds = server_pid, seconds
        self.samples: dict[str, list[float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self.load_before = os.getloadavg()[0]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.load_after = os.getloadavg()[0]

    def _kind(self, process, ours: set[int]) -> str:
        if process.pid in ours:
            return "portal"
        if process.pid == os.getpid():
            return "load generator"
        name = process.name()
        return "postgresql+redis" if name.startswith(("postgres", "redis-server")) else "other processes"

    def _watch(self) -> None:
        import psutil

        known: dict[int, psutil.Process] = {}
        while not self._stop.wait(self.seconds):
            try:
                ours = {p.pid for p in psutil.Process(self.server_pid).children(recursive=True)}
            except psutil.Error:
                ours = set()
            totals: dict[str, float] = {}
            for process in psutil.process_iter():
                try:
                    if process.pid not in known:
                        known[process.pid] = process
                        process.cpu_percent(None)
                        continue
                    kind = self._kind(known[process.pid], ours)
                    totals[kind] = totals.get(kind, 0.0) + known[process.pid].cpu_percent(None)
                except psutil.Error:
                    continue
            for kind, value in totals.items():
                self.samples.setdefault(kind, []).append(value)

    def summary(self) -> dict:
        means = {kind: sum(v) / len(v) for kind, v in self.samples.items() if v}
        return {
            "cpu_percent_of_one_core": means,
            "load_average": [self.load_before, self.load_after],
            "cores": os.cpu_count(),
        }


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    """The backend exactly as `make serve-prod` runs it (websocket and HTTP routes only)."""
    command = [
        "make",
        "-s",
        "--no-print-directory",
        "serve-prod",
        f"PROD_PORT={port}",
        "PROD_HOST=127.0.0.1",
        f"PROD_WORKERS={workers}",
        "MOUNT_FRONTEND=false",
    ]
    with log.open("w") as out:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_echo(port: int, log: Path) -> subprocess.Popen:
    granian = Path(sys.executable).parent / "granian"
    with log.open("w") as out:
        return subprocess.Popen(
            [
                str(granian),
                "--interface",
                "asgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--log-level",
                "warning",
                "benchmarks.load.echo_app:app",
            ],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


FLOOR_DIR = PROJECT_ROOT / "benchmarks" / "load" / "floor"


def start_floor(port: int, workers: int, redis_url: str, log: Path) -> subprocess.Popen:
    """The bare Reflex app, started exactly as `make serve-prod` starts the portal."""
    env = {
        **os.environ,
        "REFLEX_ENV_MODE": "prod",
        "__REFLEX_SKIP_COMPILE": "true",
        "__REFLEX_MOUNT_FRONTEND_COMPILED_APP": "false",
        "REFLEX_OPLOCK_ENABLED": os.environ.get("PROD_OPLOCK", "true"),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PUBLIC_URL": f"http://localhost:{port}",
        "PYTHONPATH": str(FLOOR_DIR),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    granian = Path(sys.executable).parent / "granian"
    command = [str(granian), "--interface", "asgi", "--factory", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--respawn-failed-workers", "--respawn-interval", "1"]
    command += ["--workers-kill-timeout", "10", "floor_app.floor_app:app"]
    with log.open("w") as out:
        return subprocess.Popen(
            command, cwd=FLOOR_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


async def floor_load(
    base_url: str, people: int, think: float, ramp: float, timeout: float, max_seconds: float
):
    stats = scenarios.Stats()
    run = scenarios.Run(base_url=base_url, think=think, stats=stats, timeout=timeout)
    with trio.move_on_after(max_seconds):
        async with trio.open_nursery() as nursery:
            for index in range(people):
                nursery.start_soon(
                    scenarios.guarded,
                    run,
                    f"floor-{index}",
                    lambda i=index: _staggered(ramp * i / max(1, people), scenarios.floor_person(run, i)),
                )
    return stats


def run_floor(redis: bool, args, workdir: Path) -> dict:
    """The same crowd, pace and event mix against the bare Reflex app: the framework's own cost."""
    workers = args.workers if redis else 1
    name = f"floor-{'redis' if redis else 'memory'}"
    port = free_port()
    log = workdir / f"{name}.log"
    server = start_floor(port, workers, args.redis_url if redis else "", log)
    try:
        wait_for(f"http://127.0.0.1:{port}/ping", server, log, 120)
        people = args.staff + args.reviewers
        print(f"[{name}] {workers} worker(s), {people} people on the bare Reflex app...", flush=True)
        started = time.perf_counter()
        with MachineWatch(server.pid) as machine:
            stats = trio.run(
                floor_load,
                f"http://localhost:{port}",
                people,
                args.think,
                args.ramp,
                args.timeout,
                args.max_seconds,
            )
        wall = time.perf_counter() - started
    finally:
        stop(server)
    summary = stats.summary()
    return {
        "setup": name,
        "workers": workers,
        "state": "redis" if redis else "memory",
        "wall_seconds": wall,
        **{k: v for k, v in summary.items() if k != "by_handler"},
        "by_handler": summary.get("by_handler", {}),
        "errors": len(stats.errors),
        "error_samples": stats.errors[:10],
        "machine": machine.summary(),
    }


def cpu_ms_per_event(result: dict) -> float:
    """The server's CPU time per event: its mean CPU share over the run, times the run, per event."""
    share = result["machine"]["cpu_percent_of_one_core"].get("portal", 0.0) / 100
    return share * result["wall_seconds"] * 1000 / max(1, result.get("events", 0))


def print_floor(floor: dict) -> None:
    print()
    print(f"== {floor['setup']}: bare Reflex app, {floor['workers']} worker(s), same people and pace ==")
    print(
        f"   events {floor.get('events', 0)} = {floor.get('events_per_second', 0):.1f}/s; median "
        f"{floor.get('median_ms', 0):.1f} ms, p95 {floor.get('p95_ms', 0):.1f} ms; errors {floor['errors']}; "
        f"CPU per event {cpu_ms_per_event(floor):.2f} ms",
        flush=True,
    )
    for who, what in floor["error_samples"][:3]:
        print(f"     error: {who}: {what[:200]}")


def print_against_floor(result: dict, floor: dict) -> None:
    """The portal as a multiple of Reflex itself: CPU per event, and the latency of like events."""
    portal_cpu, floor_cpu = cpu_ms_per_event(result), cpu_ms_per_event(floor)
    print(
        f"   CPU per event {portal_cpu:.2f} ms = {portal_cpu / floor_cpu:.1f}x the bare Reflex app's "
        f"{floor_cpu:.2f} ms"
        if floor_cpu
        else f"   CPU per event {portal_cpu:.2f} ms"
    )
    floor_handlers = floor["by_handler"]
    for kind in ("update_field", "next_step", "toggle"):
        portal_kind = [v for n, v in result["by_handler"].items() if n.endswith(f".{kind}")]
        bare = floor_handlers.get(f"floor.{kind}")
        if portal_kind and bare and bare["median_ms"]:
            median = statistics.median(v["median_ms"] for v in portal_kind)
            p95 = max(v["p95_ms"] for v in portal_kind)
            print(
                f"   {kind}: median {median:.1f} ms ({median / bare['median_ms']:.1f}x the bare app's "
                f"{bare['median_ms']:.1f} ms), p95 {p95:.0f} ms ({p95 / max(bare['p95_ms'], 0.01):.1f}x)"
            )


async def load(
    base_url: str, staff: list, reviewers: list, think: float, ramp: float, timeout: float, max_seconds: float
) -> scenarios.Stats:
    stats = scenarios.Stats()
    run = scenarios.Run(base_url=base_url, think=think, stats=stats, timeout=timeout)
    limits = httpx.Limits(max_connections=len(staff) + len(reviewers) + 10)
    async with httpx.AsyncClient(follow_redirects=False, timeout=timeout, limits=limits) as http:
        with trio.move_on_after(max_seconds) as bounded:
            async with trio.open_nursery() as people:
                for person in reviewers:
                    people.start_soon(
                        scenarios.guarded,
                        run,
                        person.email,
                        lambda p=person: scenarios.reviewer(run, http, p),
                    )

                async def all_staff():
                    async with trio.open_nursery() as staff_nursery:
                        for index, person in enumerate(staff):
                            staff_nursery.start_soon(
                                scenarios.guarded,
                                run,
                                person.email,
                                lambda p=person, i=index: _staggered(
                                    ramp * i / max(1, len(staff)),
                                    scenarios.staff_member(run, http, p, scenarios.service_date_for(i)),
                                ),
                            )
                    run.staff_done.set()

                people.start_soon(all_staff)
        if bounded.cancelled_caught:
            stats.errors.append(("run", f"stopped after --max-seconds {max_seconds:.0f}"))
    return stats


async def _staggered(delay: float, work) -> None:
    await trio.sleep(delay)
    await work


async def echo_load(
    url: str, clients: int, messages: int, think: float, ramp: float, payload_size: int, max_seconds: float
) -> dict:
    import random

    seconds: list[float] = []
    errors: list[str] = []
    payload = "x" * payload_size
    rng = random.Random(7)
    started = time.perf_counter()
    with trio.move_on_after(max_seconds):
        async with trio.open_nursery() as nursery:
            for index in range(clients):

                async def one(i=index):
                    await trio.sleep(ramp * i / max(1, clients))
                    await scenarios.echo_person(url, messages, think, rng, payload, seconds, errors)

                nursery.start_soon(one)
    span = time.perf_counter() - started
    return {
        "events": len(seconds),
        "errors": len(errors),
        "events_per_second": len(seconds) / span,
        **(scenarios.percentiles(seconds) if seconds else {}),
    }


SETUPS = ("sqlite", "postgres-redis", "postgres", "sqlite-redis")


def run_setup(name: str, args, workdir: Path) -> dict:
    if name not in SETUPS:
        raise SystemExit(f"Unknown set-up {name!r}: choose among {', '.join(SETUPS)}")
    kind = "postgresql" if name.startswith("postgres") else "sqlite"
    redis = name.endswith("-redis")
    workers = args.workers if redis else 1
    with scratch_database(kind, args.pg_url, workdir) as db_url:
        data_dir = workdir / name
        data_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        base_url = f"http://localhost:{port}"
        env = {
            **os.environ,
            "DB_URL": db_url,
            "DATA_DIR": str(data_dir),
            "PUBLIC_URL": base_url,
            "REFLEX_TELEMETRY_ENABLED": "false",
            # Every simulated person comes from the same loopback address: the per-address limits
            # would refuse the crowd as one client (per-account limits stay as they are).
            **{f"RATE_LIMIT_{name.upper()}": "1000000 per minute" for name in PER_ADDRESS_LIMITS},
        }
        env.pop("REDIS_URL", None)
        if redis:
            env["REDIS_URL"] = args.redis_url
        warmup = 2 * workers
        print(
            f"[{name}] preparing the database ({kind}) and {args.staff + args.reviewers + warmup} "
            "accounts...",
            flush=True,
        )
        members = prepare_database(db_url, env, args.staff, args.reviewers, warmup)
        log = workdir / f"{name}-server.log"
        server = start_server(env, port, workers, log)
        try:
            wait_for(f"{base_url}/ping", server, log)
            print(
                f"[{name}] {workers} worker(s) on {base_url}; warming up with {warmup} staff...", flush=True
            )
            warm = [
                scenarios.Person(f"load-warmup-{i:03d}@load.precert.test", PASSWORD, members[-1 - i], 8)
                for i in range(warmup)
            ]
            warm_stats = trio.run(load, base_url, warm, [], 0.0, 0.0, args.timeout, 120)
            if warm_stats.errors:
                print(
                    f"[{name}] warm-up problems (not counted): {[e for _, e in warm_stats.errors[:3]]}",
                    flush=True,
                )
            log_mark = log.stat().st_size
            staff = scenarios.staff_people(args.staff, members, PASSWORD)
            reviewers = scenarios.reviewer_people(args.reviewers, PASSWORD)
            print(
                f"[{name}] {len(staff)} staff and {len(reviewers)} reviewers, think {args.think:.1f} s, "
                f"ramp {args.ramp:.0f} s...",
                flush=True,
            )
            started = time.perf_counter()
            with MachineWatch(server.pid) as machine:
                stats = trio.run(
                    load, base_url, staff, reviewers, args.think, args.ramp, args.timeout, args.max_seconds
                )
            wall = time.perf_counter() - started
            with log.open(errors="replace") as handle:
                handle.seek(log_mark)
                logged = [
                    line
                    for line in handle.read().splitlines()
                    if "Traceback" in line or "ERROR" in line or "Exception" in line
                ]
        finally:
            stop(server)
        orders = count_orders(db_url)
    confirmed = stats.submits_confirmed
    summary = stats.summary()
    result = {
        "setup": name,
        "workers": workers,
        "database": kind,
        "state": "redis" if redis else "memory",
        "oplock": redis and os.environ.get("PROD_OPLOCK", "true") == "true",
        "staff": args.staff,
        "reviewers": args.reviewers,
        "think_seconds": args.think,
        "wall_seconds": wall,
        **{k: v for k, v in summary.items() if k != "by_handler"},
        "by_handler": summary.get("by_handler", {}),
        "errors": len(stats.errors),
        "error_samples": stats.errors[:10],
        "server_log_problems": len(logged),
        "server_log_samples": logged[:10],
        "staff_finished": stats.staff_finished,
        "tokens_reissued": stats.tokens_reissued,
        "orders_attempted": stats.submits_sent,
        "orders_confirmed": len(confirmed),
        "orders_in_database": orders["submitted"],
        "distinct_order_numbers": orders["distinct_numbers"],
        "staff_with_duplicate_orders": orders["people_with_two_or_more"],
        "drafts_left": orders["drafts_left"],
        "confirmed_missing_from_database": sorted(set(confirmed) - set(orders["numbers"])),
        "machine": machine.summary(),
    }
    result["lost_orders"] = result["orders_attempted"] - result["orders_in_database"]
    return result


def print_echo(echo: dict) -> None:
    print()
    print("== Bare websocket echo (granian, 1 worker, same clients, pace and message size) ==")
    print(
        f"   {echo['events']} round trips, {echo['events_per_second']:.1f}/s, median "
        f"{echo.get('median_ms', 0):.2f} ms, p95 {echo.get('p95_ms', 0):.2f} ms, errors {echo['errors']}",
        flush=True,
    )


def print_result(result: dict, echo: dict) -> None:
    print()
    state = result["state"] + (" (oplock)" if result.get("oplock") else "")
    print(
        f"== {result['setup']}: {result['workers']} worker(s), {result['database']}, state in {state}; "
        f"{result['staff']} staff + {result['reviewers']} reviewers, think {result['think_seconds']:.1f} s =="
    )
    print(
        f"   events {result['events']} in {result.get('span_seconds', 0):.1f} s = "
        f"{result.get('events_per_second', 0):.1f} events/s"
    )
    print(
        f"   event round trip: median {result.get('median_ms', 0):.1f} ms, p95 {result.get('p95_ms', 0):.1f} "
        f"ms, p99 {result.get('p99_ms', 0):.1f} ms, max {result.get('max_ms', 0):.1f} ms"
    )
    if echo.get("median_ms"):
        print(
            "   overhead over the echo (median / median): "
            f"{result.get('median_ms', 0) / echo['median_ms']:.1f}x"
        )
    http = result.get("http") or {}
    if http:
        print(f"   /auth/finish (HTTP): median {http['median_ms']:.1f} ms, p95 {http['p95_ms']:.1f} ms")
    print(
        f"   errors {result['errors']}; portal log problems {result['server_log_problems']}; "
        f"staff finished {result['staff_finished']}/{result['staff']}; "
        f"tab tokens reissued after sign-in {result['tokens_reissued']}"
    )
    print(
        f"   orders: attempted {result['orders_attempted']}, confirmed {result['orders_confirmed']}, in the "
        f"database {result['orders_in_database']} ({result['distinct_order_numbers']} distinct numbers), "
        f"lost {result['lost_orders']}, duplicated {result['staff_with_duplicate_orders']}, drafts left "
        f"{result['drafts_left']}"
    )
    for who, what in result["error_samples"][:5]:
        print(f"     error: {who}: {what[:200]}")
    for line in result["server_log_samples"][:5]:
        print(f"     log: {line[:200]}")
    machine = result["machine"]
    cpu = ", ".join(
        f"{kind} {value:.0f}%" for kind, value in sorted(machine["cpu_percent_of_one_core"].items())
    )
    print(
        f"   CPU (mean, % of one of {machine['cores']} cores): {cpu}; load average "
        f"{machine['load_average'][0]:.1f} -> {machine['load_average'][1]:.1f}"
    )
    slowest = sorted(result["by_handler"].items(), key=lambda item: -item[1]["p95_ms"])[:6]
    print(
        "   slowest handlers (p95): "
        + ", ".join(f"{n} {v['p95_ms']:.0f} ms (n={v['n']})" for n, v in slowest),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--staff", type=int, default=100)
    parser.add_argument("--reviewers", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a person's actions")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the staff start")
    parser.add_argument("--setups", default="sqlite,postgres-redis", help=f"among {', '.join(SETUPS)}")
    parser.add_argument("--workers", type=int, default=2, help="workers of the set-ups with Redis")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("LOAD_PG_URL", DEFAULT_PG),
        help="an administrative PostgreSQL URL (a scratch database is created beside it)",
    )
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one event may take")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="bound on each set-up's run")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this folder")
    parser.add_argument("--skip-echo", action="store_true", help="no echo baseline (no overhead ratio)")
    parser.add_argument("--skip-floor", action="store_true", help="no bare Reflex app (no ratio to Reflex)")
    args = parser.parse_args()
    for url in (args.pg_url, args.redis_url):
        require_loopback(url.replace("postgresql://", "http://").replace("redis://", "http://"))
    if not 0 < args.staff <= 500 or not 0 <= args.reviewers <= 100:
        raise SystemExit("Keep the load bounded: 1-500 staff and 0-100 reviewers.")

    with tempfile.TemporaryDirectory(prefix="precert-load-") as tmp:
        workdir = args.logs or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        echo: dict = {}
        if not args.skip_echo:
            port = free_port()
            echo_log = workdir / "echo.log"
            echo_server = start_echo(port, echo_log)
            try:
                wait_for(f"http://127.0.0.1:{port}/", echo_server, echo_log, 30)
                people = args.staff + args.reviewers
                print(f"[echo] {people} clients x 35 messages...", flush=True)
                echo = trio.run(
                    echo_load,
                    f"ws://127.0.0.1:{port}/",
                    people,
                    35,
                    args.think,
                    args.ramp,
                    400,
                    args.max_seconds,
                )
            finally:
                stop(echo_server)
            print_echo(echo)
        results, floors = [], {}
        for name in [n.strip() for n in args.setups.split(",") if n.strip()]:
            redis = name.endswith("-redis")
            if not args.skip_floor and redis not in floors:
                floors[redis] = run_floor(redis, args, workdir)
                print_floor(floors[redis])
            results.append(run_setup(name, args, workdir))
            print_result(results[-1], echo)
            if redis in floors:
                print_against_floor(results[-1], floors[redis])
    if args.json:
        args.json.write_text(
            json.dumps(
                {"echo": echo, "floors": list(floors.values()), "results": results}, indent=2, default=str
            )
        )


if __name__ == "__main__":
    main()
