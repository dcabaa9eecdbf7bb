"""What the simulated people do, event by event, as their browsers would send it.

A staff member signs in, opens the wizard, fills a lumbar-spine MRI request (plan and date,
member, providers, the imaging questions, diagnosis, urgency), submits it and opens the order
summary with its determination. A reviewer signs in, opens the queue and pages, sorts and
filters it until the staff are done.
"""

from __future__ import annotations

import random
import re
import statistics
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import trio

from benchmarks.load.protocol import (
    HYDRATE,
    ON_LOAD,
    Call,
    ProtocolError,
    ReflexSocket,
    delta_has,
    either,
    frontend_event,
    hydrated,
)
from portal_app.programs.imaging.step_state import ImagingStepState
from portal_app.state.order_wizard import OrderWizardState
from portal_app.state.review import ReviewQueueState
from portal_app.state.sign_in import SignInState

WIZARD = OrderWizardState.get_full_name()
IMAGING = ImagingStepState.get_full_name()
QUEUE = ReviewQueueState.get_full_name()
SIGN_IN = SignInState.get_full_name()
# The bare app's one state (benchmarks/load/floor/floor_app/floor_app.py), named as Reflex names it.
FLOOR_STATE = "reflex___state____state.floor_app___floor_app____floor_state"
SHORT_NAMES = {WIZARD: "wizard", IMAGING: "imaging", QUEUE: "queue", SIGN_IN: "sign_in", FLOOR_STATE: "floor"}


def short_name(handler: str) -> str:
    state, _, method = handler.rpartition(".")
    if handler == HYDRATE:
        return "hydrate_and_load"
    if handler == ON_LOAD:
        return "on_load_internal"
    return f"{SHORT_NAMES.get(state, state.rsplit('.', 1)[-1])}.{method}"


@dataclass
class Stats:
    """Every round trip and every problem of one run."""

    calls: list[tuple[str, float, float]] = field(default_factory=list)  # (handler, seconds, finished at)
    http: list[tuple[str, float]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (who, what)
    submits_sent: int = 0
    submits_confirmed: list[str] = field(default_factory=list)  # order numbers the browsers were sent to
    staff_finished: int = 0
    tokens_reissued: int = 0  # reconnects told "this tab token is taken" (Reflex issue #6345)
    reviewers_finished: int = 0

    def record(self, call: Call) -> Call:
        self.calls.append((call.name, call.seconds, time.perf_counter()))
        return call

    def summary(self) -> dict[str, Any]:
        seconds = [s for _, s, _ in self.calls]
        if not seconds:
            return {"events": 0}
        ends = [end for _, _, end in self.calls]
        starts = [end - s for _, s, end in self.calls]
        span = max(ends) - min(starts)
        by_handler: dict[str, list[float]] = defaultdict(list)
        for name, s, _ in self.calls:
            by_handler[short_name(name)].append(s)
        return {
            "events": len(seconds),
            "span_seconds": span,
            "events_per_second": len(seconds) / span if span else 0.0,
            **percentiles(seconds),
            "by_handler": {name: {"n": len(v), **percentiles(v)} for name, v in sorted(by_handler.items())},
            "http": {"n": len(self.http), **percentiles([s for _, s in self.http])} if self.http else {},
        }


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": ordered[-1] * 1000,
    }


@dataclass
class Person:
    email: str
    password: str
    member_number: str = ""
    weeks_of_care: int = 8


@dataclass
class Run:
    """What every simulated person shares: where the portal is, the pace, the counters."""

    base_url: str
    think: float
    stats: Stats
    timeout: float = 30.0
    staff_done: trio.Event = field(default_factory=trio.Event)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))

    @property
    def origin(self) -> str:
        return self.base_url

    async def pause(self) -> None:
        """A person's think time between two actions (uniform around the mean)."""
        if self.think > 0:
            await trio.sleep(self.think * self.rng.uniform(0.5, 1.5))


async def sign_in(
    run: Run, nursery: trio.Nursery, http: httpx.AsyncClient, person: Person, next_path: str
) -> ReflexSocket:
    """Sign in as the browser does; return the websocket of the page ``next_path``, hydrated."""
    token = str(uuid.uuid4())
    page = ReflexSocket(run.base_url, token, run.origin, timeout=run.timeout)
    await page.connect(nursery)
    try:
        run.stats.record(await page.call(HYDRATE, {}, path="/sign-in", until=hydrated))
        await run.pause()
        call = run.stats.record(
            await page.call(
                f"{SIGN_IN}.submit",
                {"form_data": {"identifier": person.email, "password": person.password}},
                path="/sign-in",
                query={"next": next_path},
                until=either(frontend_event("_call_script"), delta_has(SIGN_IN, "error")),
            )
        )
    finally:
        await page.close()
    script = " ".join(str(e.get("payload")) for u in call.updates for e in u.get("events") or [])
    ticket = re.search(r"ticket=([A-Za-z0-9_\-]+)", script)
    if ticket is None:
        raise ProtocolError(f"sign-in refused: {page.var(SIGN_IN, 'error')!r}")
    # The tab sets the sign-in cookie its ticket is bound to (state/sign_in.py), then makes the
    # full-page visit that trades the one-time ticket for the HttpOnly cookie.
    binding = re.search(r"((?:__Host-)?precert_sign_in)=([A-Za-z0-9_\-]+)", script)
    started = time.perf_counter()
    answer = await http.get(
        f"{run.base_url}/auth/finish",
        params={"ticket": ticket.group(1), "next": next_path},
        headers={"Cookie": f"{binding.group(1)}={binding.group(2)}"} if binding else {},
    )
    run.stats.http.append(("/auth/finish", time.perf_counter() - started))
    cookie = answer.cookies.get("precert_session")
    if answer.status_code != 303 or not cookie:
        raise ProtocolError(f"/auth/finish answered {answer.status_code}")
    # The browser loads the page again: the same tab token, now with the cookie.
    page = ReflexSocket(
        run.base_url, token, run.origin, cookie=f"precert_session={cookie}", timeout=run.timeout
    )
    await page.connect(nursery)
    run.stats.tokens_reissued += page.tokens_reissued
    run.stats.record(await page.call(HYDRATE, {}, path=next_path, until=hydrated))
    return page


class Wizard:
    """One staff member's page at /orders/new."""

    path = "/orders/new"

    def __init__(self, run: Run, page: ReflexSocket):
        self.run, self.page = run, page

    async def send(self, handler: str, payload: dict | None = None, **kwargs) -> Call:
        await self.run.pause()
        return self.run.stats.record(await self.page.call(handler, payload, path=self.path, **kwargs))

    async def field(self, name: str, value: str, *, state: str = WIZARD) -> None:
        await self.send(f"{state}.update_field", {"field": name, "value": value})

    async def next_step(self, expected: int) -> None:
        await self.send(f"{WIZARD}.next_step")
        step = self.page.var(WIZARD, "step")
        if step != expected:
            errors = {k: v for k, v in (self.page.var(WIZARD, "errors") or {}).items() if v}
            imaging = {k: v for k, v in (self.page.var(IMAGING, "errors") or {}).items() if v}
            raise ProtocolError(f"wizard stayed on step {step}: {errors} {imaging}")

    def options(self, var: str, state: str = WIZARD) -> list[dict]:
        return list(self.page.var(state, var) or [])


# The wizard's searches first say they are running, then answer and clear the flag.
SEARCH_DONE = delta_has(WIZARD, "searching", lambda value: value == "")


async def staff_member(run: Run, http: httpx.AsyncClient, person: Person, service_date: date) -> None:
    """Sign in, fill the imaging wizard, submit, and open the order summary."""
    async with trio.open_nursery() as nursery:
        page = await sign_in(run, nursery, http, person, Wizard.path)
        try:
            wizard = Wizard(run, page)
            plans = {o["label"]: o["value"] for o in wizard.options("plan_options")}
            plan_id = plans.get("Evergreen Mutual Health (demo)")
            if plan_id is None:
                raise ProtocolError(f"plan not offered: {sorted(plans)}")
            await wizard.field("plan_id", plan_id)
            await wizard.field("service_date", service_date.isoformat())
            if "imaging" not in {o["value"] for o in wizard.options("program_options")}:
                raise ProtocolError("imaging not offered for the plan and date")
            await wizard.field("program", "imaging")
            await wizard.next_step(1)

            await wizard.field("member_number", person.member_number)
            await wizard.send(f"{WIZARD}.search_members", until=SEARCH_DONE)
            members = wizard.options("members")
            if not members:
                raise ProtocolError(f"member {person.member_number} not found")
            await wizard.send(f"{WIZARD}.pick_member", {"member_id": members[0]["member_id"]})
            await wizard.send(f"{WIZARD}.toggle", {"field": "member_confirmed", "checked": True})
            await wizard.next_step(2)

            ordering = wizard.options("ordering_options")
            if not ordering:
                raise ProtocolError("no ordering provider offered")
            await wizard.field("ordering_provider_id", ordering[0]["value"])
            await wizard.field("servicing_query", "Free-standing")
            await wizard.send(f"{WIZARD}.search_servicing", until=SEARCH_DONE)
            in_network = [p for p in wizard.options("servicing_results") if p["in_network"]]
            if not in_network:
                raise ProtocolError("no in-network servicing facility found")
            facility = in_network[0]
            await wizard.send(
                f"{WIZARD}.pick_servicing", {"kind": facility["kind"], "party_id": facility["id"]}
            )
            await wizard.send(f"{WIZARD}.toggle", {"field": "letters_confirmed", "checked": True})
            await wizard.next_step(3)

            weeks = person.weeks_of_care
            for name, value in (
                ("modality", "mri"),
                ("body_part", "lumbar_spine"),
                ("code", "72148"),
                ("clinical_indication", "low_back_pain"),
                ("weeks_of_symptoms", str(max(weeks, 2))),
                ("weeks_conservative_care", str(weeks)),
            ):
                await wizard.field(name, value, state=IMAGING)
            await wizard.next_step(4)

            await wizard.field("diagnosis_query", "M54.50")
            await wizard.send(f"{WIZARD}.search_diagnoses", until=SEARCH_DONE)
            if "M54.50" not in {o["value"] for o in wizard.options("diagnosis_results")}:
                raise ProtocolError("diagnosis M54.50 not found")
            await wizard.send(f"{WIZARD}.add_diagnosis", {"code": "M54.50"})
            await wizard.next_step(5)
            await wizard.next_step(6)
            if wizard.options("duplicates"):
                await wizard.send(f"{WIZARD}.toggle", {"field": "duplicates_acknowledged", "checked": True})

            run.stats.submits_sent += 1
            submitted = either(frontend_event("_redirect"), delta_has(WIZARD, "submit_problems"))
            call = await wizard.send(f"{WIZARD}.submit", until=submitted)
            if not _redirects(call) and wizard.options("duplicates"):
                # Another office's request for the member was submitted meanwhile: read the notice,
                # confirm, submit again (the same draft: still one order).
                await wizard.send(f"{WIZARD}.toggle", {"field": "duplicates_acknowledged", "checked": True})
                call = await wizard.send(f"{WIZARD}.submit", until=submitted)
            targets = _redirects(call)
            if not targets:
                raise ProtocolError(f"submit refused: {page.var(WIZARD, 'submit_problems')}")
            target = targets[0]
            number = target.rstrip("/").rsplit("/", 1)[-1]
            run.stats.submits_confirmed.append(number)
            # The browser follows the redirect inside the app: the summary's on-load handlers run.
            await run.pause()
            run.stats.record(
                await page.call(ON_LOAD, {}, path=target, query={"order_number": number}, until=hydrated)
            )
        finally:
            await page.close()
    run.stats.staff_finished += 1


def _redirects(call: Call) -> list[str]:
    return [
        e["payload"].get("path", "")
        for u in call.updates
        for e in u.get("events") or []
        if e.get("name") == "_redirect"
    ]


async def reviewer(run: Run, http: httpx.AsyncClient, person: Person) -> None:
    """Sign in, open the queue, and page, sort and filter it until the staff are done."""
    path = "/review"
    async with trio.open_nursery() as nursery:
        page = await sign_in(run, nursery, http, person, path)
        try:
            if page.var(QUEUE, "queue") not in {"nurse", "physician"}:
                raise ProtocolError("the review queue did not load")
            filters = ({"sort": "-due"}, {"sort": "due", "urgency": "standard"}, {"sort": "due"})
            round_ = 0
            while not run.staff_done.is_set():
                await run.pause()
                if run.staff_done.is_set():
                    break
                action = round_ % 4
                # The queue answers with its new rows, or (should it keep its position in the
                # address) with a redirect, after which the browser runs the page's on-load.
                answered = either(delta_has(QUEUE, "rows", lambda rows: True), frontend_event("_redirect"))
                if action in (0, 1):
                    delta = 1 if action == 0 else -1
                    call = await page.call(f"{QUEUE}.turn_page", {"delta": delta}, path=path, until=answered)
                else:
                    form = {
                        "program": "",
                        "plan_id": "",
                        "urgency": "",
                        "status": "",
                        "assignee": "",
                        **filters[round_ % len(filters)],
                    }
                    call = await page.call(
                        f"{QUEUE}.apply_filter", {"form_data": form}, path=path, until=answered
                    )
                run.stats.record(call)
                for target in _redirects(call):
                    address = urlsplit(target)
                    run.stats.record(
                        await page.call(
                            ON_LOAD,
                            {},
                            path=address.path,
                            query=dict(parse_qsl(address.query)),
                            until=hydrated,
                        )
                    )
                round_ += 1
        finally:
            await page.close()
    run.stats.reviewers_finished += 1


async def guarded(run: Run, who: str, work) -> None:
    """Run one person; a failure is counted, never raised into the other people's nursery."""
    try:
        await work()
    except Exception as problem:  # every failure is an error of the run, reported
        run.stats.errors.append((who, describe(problem)))


def describe(problem: BaseException) -> str:
    """The innermost failures of a (possibly nested) exception group."""
    if isinstance(problem, BaseExceptionGroup):
        return "; ".join(describe(inner) for inner in problem.exceptions)
    return f"{type(problem).__name__}: {problem}"


async def echo_person(
    url: str,
    messages: int,
    think: float,
    rng: random.Random,
    payload: str,
    seconds: list[float],
    errors: list[str],
) -> None:
    """The same pace and message size against a bare websocket echo."""
    from trio_websocket import open_websocket_url

    try:
        async with open_websocket_url(url) as ws:
            for _ in range(messages):
                if think > 0:
                    await trio.sleep(think * rng.uniform(0.5, 1.5))
                started = time.perf_counter()
                await ws.send_message(payload)
                answer = await ws.get_message()
                seconds.append(time.perf_counter() - started)
                if answer != payload:
                    errors.append("echo mismatch")
    except Exception as problem:  # counted and reported
        errors.append(f"{type(problem).__name__}: {problem}")


def staff_people(count: int, member_numbers: list[str], password: str) -> list[Person]:
    return [
        Person(
            email=f"load-staff-{i:03d}@load.precert.test",
            password=password,
            member_number=member_numbers[i % len(member_numbers)],
            weeks_of_care=8 if i % 2 == 0 else 0,
        )
        for i in range(count)
    ]


def reviewer_people(count: int, password: str) -> list[Person]:
    return [Person(email=f"load-reviewer-{i:03d}@load.precert.test", password=password) for i in range(count)]


def service_date_for(index: int) -> date:
    return date.today() + timedelta(days=14 + index % 7)


async def floor_person(run: Run, index: int) -> None:
    """The staff member's shape against the bare Reflex app: open the page, then the same number
    of field updates, ticks and step changes at the same pace (``benchmarks/load/floor/``)."""
    async with trio.open_nursery() as nursery:
        page = ReflexSocket(run.base_url, str(uuid.uuid4()), run.origin, timeout=run.timeout)
        await page.connect(nursery)
        try:
            run.stats.record(await page.call(HYDRATE, {}, path="/orders/new", until=hydrated))
            for step in range(4):
                for n in range(7):
                    await run.pause()
                    field = {"field": f"field_{(step * 7 + n) % 40:02d}", "value": f"{index}-{step}-{n}"}
                    run.stats.record(
                        await page.call(f"{FLOOR_STATE}.update_field", field, path="/orders/new")
                    )
                await run.pause()
                run.stats.record(
                    await page.call(
                        f"{FLOOR_STATE}.toggle",
                        {"field": f"check_{step}", "checked": True},
                        path="/orders/new",
                    )
                )
                await run.pause()
                run.stats.record(await page.call(f"{FLOOR_STATE}.next_step", {}, path="/orders/new"))
        finally:
            await page.close()
    run.stats.staff_finished += 1
