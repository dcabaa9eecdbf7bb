"""How many bytes a wizard tab's state and its deltas weigh, and which computed vars each event
recomputes (issue 27's suspects "the size of the state and of each delta sent back" and "computed vars
recomputed on every event").

    .venv/bin/python -m benchmarks.state_size

A scratch SQLite database is migrated and seeded as the load test does (``benchmarks/load/run.py``,
one staff account). Then, in this process, one tab's state tree is built as the server builds it
(``rx.State`` and every substate of the portal) and the wizard is filled as the load test's staff
member fills it (plan, member, providers, then the imaging step), each handler run past its guard
with that staff member as the actor, its service calls on the scratch database. After every update
a handler sends, the delta is taken with Reflex's own ``_get_resolved_delta()`` (what the server
emits) and the tab is cleaned, as Reflex does; sizes are of ``reflex.utils.format.json_dumps``, the
serializer of the websocket messages. A hydrate sends ``State.dict()`` of the whole tree.

Printed: the hydrate's size (a fresh tab, and a tab reconnecting at the imaging step) with the
largest states; for each event of the imaging step and for the step changes, the bytes of its
deltas, the vars they carry, and the computed vars it recomputed (every computed var's getter is
counted). Nothing is asserted.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

# Per event: (handler's state, handler, arguments), in the order of benchmarks/load/scenarios.py.
IMAGING_FIELDS = (
    ("modality", "mri"),
    ("body_part", "lumbar_spine"),
    ("code", "72148"),
    ("clinical_indication", "low_back_pain"),
    ("weeks_of_symptoms", "6"),
    ("weeks_conservative_care", "6"),
)


def prepare(workdir: Path) -> tuple[str, str]:
    """A migrated, seeded scratch database with one load staff account; its URL and a member ID."""
    from benchmarks.load import run

    db_url = f"sqlite:///{workdir / 'state_size.db'}"
    env = {**os.environ, "DB_URL": db_url, "DATA_DIR": str(workdir), "REFLEX_TELEMETRY_ENABLED": "false"}
    env.pop("REDIS_URL", None)
    members = run.prepare_database(db_url, env, staff=1, reviewers=0, warmup=0)
    os.environ.update({"DB_URL": db_url, "DATA_DIR": str(workdir)})
    os.environ.pop("REDIS_URL", None)
    return db_url, members[0]


class CountedComputedVars:
    """Counts the calls of every computed var's getter of every state class.

    A class holds its computed vars twice (the descriptor in its ``__dict__`` and a copy in
    ``computed_vars``), so both get the same counting getter, keyed by the original function."""

    def __init__(self, root_cls) -> None:
        from reflex_base.vars.base import ComputedVar

        self.calls: Counter[str] = Counter()
        wrapped: dict[int, object] = {}
        for cls in _state_classes(root_cls):
            found = [*cls.computed_vars.items()]
            found += [(name, value) for name, value in vars(cls).items() if isinstance(value, ComputedVar)]
            for name, cvar in found:
                fget = cvar._fget
                if fget is None or getattr(fget, "_counted", False):
                    continue
                if id(fget) not in wrapped:
                    wrapped[id(fget)] = self._counting(fget, f"{(cvar._owner or cls).__name__}.{name}")
                object.__setattr__(cvar, "_fget", wrapped[id(fget)])

    def _counting(self, fget, label: str):
        calls = self.calls

        def counted(instance):
            calls[label] += 1
            return fget(instance)

        counted._counted = True  # type: ignore[attr-defined]
        return counted

    def take(self) -> Counter[str]:
        taken = Counter(self.calls)
        self.calls.clear()
        return taken


def _state_classes(cls):
    yield cls
    for sub in cls.get_substates():
        yield from _state_classes(sub)


def _size(value) -> int:
    from reflex.utils import format

    return len(format.json_dumps(value).encode())


def _short(full_name: str) -> str:
    return full_name.rsplit(".", 1)[-1].replace("___", ".").rsplit(".", 1)[-1]


class Tab:
    """One tab's state tree, driven handler by handler as the server drives it."""

    def __init__(self, actor) -> None:
        import reflex as rx

        self.root = rx.State(_reflex_internal_init=True)
        self.actor = actor
        self.counted = CountedComputedVars(rx.State)
        self.counted.take()

    def state(self, cls):
        return self.root.get_substate(cls.get_full_name().split(".")[1:])

    async def event(self, cls, handler: str, *args) -> dict:
        """Run one event; the deltas it sent (one per update) and the computed vars it recomputed."""
        from portal_app.state.auth import _current_actor

        self.root._clean()
        self.counted.take()
        reset = _current_actor.set(self.actor)
        deltas = []
        try:
            outcome = getattr(cls, handler).fn.__wrapped__(self.state(cls), *args)
            if inspect.isasyncgen(outcome):
                async for _ in outcome:
                    deltas.append(await self._delta())
            elif inspect.isawaitable(outcome):
                await outcome
        finally:
            _current_actor.reset(reset)
        deltas.append(await self._delta())
        return {"deltas": deltas, "recomputed": self.counted.take()}

    async def _delta(self) -> dict:
        delta = await self.root._get_resolved_delta()
        self.root._clean()
        return delta

    def hydrate_payload(self) -> dict:
        return self.root.dict()


def describe(name: str, outcome: dict) -> str:
    sizes = [_size(delta) for delta in outcome["deltas"] if delta]
    carried = sorted(
        f"{_short(state)}.{var.removesuffix('_rx_state_')}"
        for delta in outcome["deltas"]
        for state, values in delta.items()
        for var in values
    )
    recomputed = ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in sorted(outcome["recomputed"].items()))
    return (
        f"{name:<34}{sum(sizes):>8,} B in {len(sizes)} update(s)\n"
        f"    vars sent: {', '.join(carried) or '-'}\n"
        f"    computed vars recomputed: {recomputed or 'none'}"
    )


def hydrate_report(title: str, tab: Tab, top: int = 8) -> None:
    payload = tab.hydrate_payload()
    by_state = sorted(((_size(values), name) for name, values in payload.items()), reverse=True)
    spent = _hydrate_ms(tab)
    print(f"{title}: {_size(payload):,} B, {len(payload)} states; {spent:.2f} ms to build and serialize")
    for size, name in by_state[:top]:
        print(f"    {size:>8,} B  {_short(name)} ({len(payload[name])} vars)")


def _hydrate_ms(tab: Tab, runs: int = 30) -> float:
    """Median CPU time of ``State.dict()`` of the whole tree and its serialization."""
    timings = []
    for _ in range(runs):
        started = time.process_time()
        _size(tab.hydrate_payload())
        timings.append((time.process_time() - started) * 1000)
    return statistics.median(timings)


async def drive(member_number: str) -> None:
    from sqlmodel import Session, select

    import portal_app.portal_app  # noqa: F401  (registers every page and state)
    from portal_app.db import get_engine
    from portal_app.domain.enums import Role
    from portal_app.models import PracticeMembership, User
    from portal_app.programs.imaging.step_state import ImagingStepState
    from portal_app.services.authz import Actor
    from portal_app.state.order_wizard import OrderWizardState as W

    with Session(get_engine()) as session:
        user = session.exec(select(User).where(User.email == "load-staff-000@load.precert.test")).one()
        practices = session.exec(
            select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user.id)
        ).all()
        actor = Actor(
            user_id=user.id, role=Role(user.role), full_name=user.full_name, practice_ids=tuple(practices)
        )

    tab = Tab(actor)
    hydrate_report("Hydrate, a fresh tab (what /orders/new gets first)", tab)
    print()
    wizard = tab.state(W)
    results: list[tuple[str, dict]] = []

    async def event(label: str, cls, handler: str, *args) -> None:
        results.append((label, await tab.event(cls, handler, *args)))

    await event("wizard.load_page (on_load)", W, "load_page")
    plan = next(o.value for o in wizard.plan_options if o.label == "Evergreen Mutual Health (demo)")
    await event("wizard.update_field plan_id", W, "update_field", "plan_id", plan)
    service_date = (date.today() + timedelta(days=10)).isoformat()
    await event("wizard.update_field service_date", W, "update_field", "service_date", service_date)
    await event("wizard.update_field program", W, "update_field", "program", "imaging")
    await event("wizard.next_step (plan → member)", W, "next_step")
    await event("wizard.update_field member_number", W, "update_field", "member_number", member_number)
    await event("wizard.search_members", W, "search_members")
    await event("wizard.pick_member", W, "pick_member", wizard.members[0].member_id)
    await event("wizard.toggle member_confirmed", W, "toggle", "member_confirmed", True)
    await event("wizard.next_step (member → providers)", W, "next_step")
    await event(
        "wizard.update_field ordering_provider",
        W,
        "update_field",
        "ordering_provider_id",
        wizard.ordering_options[0].value,
    )
    await event("wizard.update_field servicing_query", W, "update_field", "servicing_query", "Free-standing")
    await event("wizard.search_servicing", W, "search_servicing")
    facility = next(p for p in wizard.servicing_results if p.in_network)
    await event("wizard.pick_servicing", W, "pick_servicing", facility.kind, facility.id)
    await event("wizard.toggle letters_confirmed", W, "toggle", "letters_confirmed", True)
    await event("wizard.next_step (providers → imaging)", W, "next_step")
    for name, value in IMAGING_FIELDS:
        await event(f"imaging.update_field {name}", ImagingStepState, "update_field", name, value)
    hydrate_report("Hydrate, the same tab reconnecting at the imaging step", tab)
    print()
    await event("wizard.next_step (imaging → diagnoses)", W, "next_step")
    await event("wizard.previous_step (diagnoses → imaging)", W, "previous_step")
    if wizard.step != 3:
        sys.exit(f"the wizard is on step {wizard.step}, not the imaging step: {wizard.errors}")

    print("Events, in the load test's order (deltas as sent; computed vars whose getter ran):")
    for label, outcome in results:
        print(describe(label, outcome))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="precert-state-size-") as tmp:
        _, member_number = prepare(Path(tmp))
        asyncio.run(drive(member_number))


if __name__ == "__main__":
    main()
