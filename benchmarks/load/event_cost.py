"""CPU per event, handler by handler: the portal's field updates and step changes against the bare
Reflex app's, one tab at a time so that every CPU second of the server belongs to the events sent.

    .venv/bin/python -m benchmarks.load.event_cost               # 300 events of each kind
    .venv/bin/python -m benchmarks.load.event_cost --events 100

Both servers are started as ``make serve-prod`` starts the portal (one worker, state in memory, on a
scratch SQLite database for the portal). One signed-in staff member opens the wizard, chooses the
plan and program, and then sends, one after the other, ``--events`` field updates (the member ID
box) and ``--events`` step changes (Next from the plan step, which saves the draft, and Back, in
turns: the figure is their mean). The
bare app gets the same number of field updates and step changes. The server's CPU time (user +
system, its whole process tree, from /proc through psutil) is read before and after each series.

Printed: per kind, the portal's and the bare app's CPU milliseconds per event and median round trip,
and the ratio. Nothing is asserted. The issue's target is a ratio of at most 3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
import psutil
import trio

from benchmarks.load import run, scenarios
from benchmarks.load.protocol import HYDRATE, ReflexSocket, any_update, delta_has, hydrated

WIZARD, FLOOR = scenarios.WIZARD, scenarios.FLOOR_STATE


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its children."""
    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


async def settle(pid: int, quiet_percent: float = 3.0, limit_seconds: float = 90.0) -> None:
    """Wait until the server is idle (its start-up warm-up of the reference indexes has finished)."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        await trio.sleep(1.0)
        if (cpu_seconds(pid) - before) * 100 < quiet_percent:
            return


Call = tuple[str, dict, object]


async def series(page: ReflexSocket, pid: int, calls: list[Call], path: str) -> dict:
    """Send ``calls`` one after the other, each waited for; the server's CPU and round trips they cost."""
    await settle(pid)
    rounds = []
    before = cpu_seconds(pid)
    for handler, payload, until in calls:
        call = await page.call(handler, payload, path=path, until=until)
        rounds.append(call.seconds)
    spent = cpu_seconds(pid) - before
    return {
        "events": len(calls),
        "cpu_ms_per_event": spent * 1000 / max(1, len(calls)),
        "median_ms": statistics.median(rounds) * 1000 if rounds else 0.0,
    }


async def portal_costs(base_url: str, pid: int, events: int) -> dict:
    stats = scenarios.Stats()
    trip = scenarios.Run(base_url=base_url, think=0, stats=stats)
    person = scenarios.Person(email="load-staff-000@load.precert.test", password=run.PASSWORD)
    async with httpx.AsyncClient(follow_redirects=False) as http, trio.open_nursery() as nursery:
        page = await scenarios.sign_in(trip, nursery, http, person, "/orders/new")
        try:
            wizard = scenarios.Wizard(trip, page)
            plans = {o["label"]: o["value"] for o in wizard.options("plan_options")}
            await wizard.field("plan_id", plans["Evergreen Mutual Health (demo)"])
            await wizard.field("service_date", (date.today() + timedelta(days=10)).isoformat())
            await wizard.field("program", "imaging")
            path = "/orders/new"
            fields: list[Call] = [
                (f"{WIZARD}.update_field", {"field": "member_number", "value": f"EVG{n:09d}"}, any_update)
                for n in range(events)
            ]
            result = {"update_field": await series(page, pid, fields, path)}
            # Next (the plan step is saved to the draft) and Back, in turns: each waits for the new step.
            steps: list[Call] = [
                (f"{WIZARD}.next_step", {}, delta_has(WIZARD, "step", lambda v: v == 1))
                if n % 2 == 0
                else (f"{WIZARD}.previous_step", {}, delta_has(WIZARD, "step", lambda v: v == 0))
                for n in range(events)
            ]
            result["step_change"] = await series(page, pid, steps, path)
            return result
        finally:
            await page.close()
            nursery.cancel_scope.cancel()


async def floor_costs(base_url: str, pid: int, events: int) -> dict:
    async with trio.open_nursery() as nursery:
        page = ReflexSocket(base_url, str(uuid.uuid4()), base_url)
        await page.connect(nursery)
        try:
            path = "/orders/new"
            await page.call(HYDRATE, {}, path=path, until=hydrated)
            fields: list[Call] = [
                (
                    f"{FLOOR}.update_field",
                    {"field": f"field_{n % 40:02d}", "value": f"EVG{n:09d}"},
                    any_update,
                )
                for n in range(events)
            ]
            result = {"update_field": await series(page, pid, fields, path)}
            steps: list[Call] = [(f"{FLOOR}.next_step", {}, any_update) for _ in range(events)]
            result["step_change"] = await series(page, pid, steps, path)
            return result
        finally:
            await page.close()
            nursery.cancel_scope.cancel()


def measure_portal(workdir: Path, events: int) -> dict:
    db_url = f"sqlite:///{workdir / 'portal.db'}"
    port = run.free_port()
    env = {
        **os.environ,
        "DB_URL": db_url,
        "DATA_DIR": str(workdir),
        "PUBLIC_URL": f"http://localhost:{port}",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    env.pop("REDIS_URL", None)
    run.prepare_database(db_url, env, staff=1, reviewers=0, warmup=0)
    log = workdir / "portal.log"
    server = run.start_server(env, port, 1, log)
    try:
        run.wait_for(f"http://127.0.0.1:{port}/ping", server, log)
        return trio.run(portal_costs, f"http://localhost:{port}", server.pid, events)
    finally:
        run.stop(server)


def measure_floor(workdir: Path, events: int) -> dict:
    port = run.free_port()
    log = workdir / "floor.log"
    server = run.start_floor(port, 1, "", log)
    try:
        run.wait_for(f"http://127.0.0.1:{port}/ping", server, log)
        return trio.run(floor_costs, f"http://localhost:{port}", server.pid, events)
    finally:
        run.stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=300, help="events of each kind (at most 2000)")
    args = parser.parse_args()
    events = max(10, min(args.events, 2000))
    with tempfile.TemporaryDirectory(prefix="precert-event-cost-") as tmp:
        started = time.perf_counter()
        floor = measure_floor(Path(tmp), events)
        portal = measure_portal(Path(tmp), events)
    print(
        f"CPU per event, {events} events of each kind, one tab, one worker (load average "
        f"{os.getloadavg()[0]:.1f}; {time.perf_counter() - started:.0f} s)"
    )
    print(
        f"{'event':<14}{'portal CPU':>12}{'bare CPU':>10}{'ratio':>7}{'portal median':>15}{'bare median':>13}"
    )
    for kind in ("update_field", "step_change"):
        mine, bare = portal[kind], floor[kind]
        ratio = mine["cpu_ms_per_event"] / bare["cpu_ms_per_event"] if bare["cpu_ms_per_event"] else 0.0
        print(
            f"{kind:<14}{mine['cpu_ms_per_event']:>9.2f} ms{bare['cpu_ms_per_event']:>7.2f} ms{ratio:>6.1f}x"
            f"{mine['median_ms']:>12.1f} ms{bare['median_ms']:>10.1f} ms"
        )


if __name__ == "__main__":
    main()
