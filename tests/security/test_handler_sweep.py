"""The sweep: every public event handler of every state, called over the real websocket by people
who may not use it, answers no PHI and changes nothing in the database.

The handlers come from the code (the state tree under ``rx.State``), so a new handler is swept
without editing this test. Each is called anonymously, and, when it is guarded for some roles, as
a signed-in user of every other role; its arguments are made from its signature (empty values,
then ids 1, 2 and 3). Every answer is searched for the demo members' names, member IDs and birth
dates, and a checksum of every table (but the audit trail and the session rows, which record the
attempts themselves) is compared before and after.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import threading
import typing
from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlalchemy import inspect as sql_inspect
from sqlalchemy import text

import portal_app.portal_app  # noqa: F401  (every state of the app is defined)
from portal_app.domain.enums import Role
from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.socket_client import NAMESPACE, PortalTab
from tests.security.conftest import all_member_phi, signed_in_tab

# The attempts themselves are recorded there (access.denied, session touches); background
# delivery updates the outboxes' status columns, so for those only the number of rows counts.
NOT_COMPARED = ("audit_events", "auth_sessions")
ROWS_ONLY = ("outbox_emails", "outbox_faxes", "pas_notifications")
# Answered with a delta every time when its value alternates: the end of the call before it.
SENTINEL = "reflex___state____state.set_is_hydrated"
ONE_ACCOUNT_PER_ROLE = {Role(a.role): a.username for a in reversed(DEMO_ACCOUNTS)}


@dataclass(frozen=True)
class Call:
    event: str
    payload: dict[str, Any]


def _states() -> list[type[rx.State]]:
    found, pending = [], list(rx.State.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if cls.__module__.startswith("portal_app."):
            found.append(cls)
    return sorted(found, key=lambda cls: cls.get_full_name())


def _sample_values(annotation: Any) -> list[Any]:
    """Plausible arguments for one parameter: an empty value, then ids 1, 2, 3 in its type."""
    origin = typing.get_origin(annotation) or annotation
    if origin is bool:
        return [False, True]
    if origin is int:
        return [0, 1, 2, 3]
    if origin is float:
        return [0.0, 1.0]
    if origin is dict:
        return [{}, {"id": "1", "order_number": "1"}]
    if origin is list:
        return [[]]
    return ["", "1", "2", "3"]


def _calls(cls: type[rx.State], name: str, handler) -> list[Call]:
    fn = inspect.unwrap(handler.fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
    params = [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    columns = [_sample_values(hints.get(p.name, str)) for p in params]
    width = max((len(values) for values in columns), default=1)
    event = f"{cls.get_full_name()}.{name}"
    return [
        Call(
            event,
            {p.name: values[min(i, len(values) - 1)] for p, values in zip(params, columns, strict=True)},
        )
        for i in range(width)
    ]


def _plan() -> dict[str, list[Call]]:
    """Who calls what: anonymous everything; each role the handlers guarded for other roles."""
    plan: dict[str, list[Call]] = {"": []}
    for cls in _states():
        for name, handler in cls.event_handlers.items():
            calls = _calls(cls, name, handler)
            plan[""].extend(calls)
            allowed = getattr(handler.fn, "__precert_roles__", frozenset())
            if not allowed:
                continue  # public, or any signed-in user: anonymous is the one outsider
            for role, username in ONE_ACCOUNT_PER_ROLE.items():
                if role not in allowed:
                    plan.setdefault(username, []).extend(calls)
    return plan


def _phi_pattern() -> re.Pattern[str]:
    marks = set()
    for phi in all_member_phi():
        marks.update((phi.member_number, f"{phi.first_name} {phi.last_name}", *phi.birth_dates))
    return re.compile("|".join(re.escape(mark) for mark in sorted(marks, key=len, reverse=True)))


def _checksums(portal_db) -> dict[str, str]:
    connection = portal_db.connection()
    sums = {}
    for table in sorted(sql_inspect(connection).get_table_names()):
        if table in NOT_COMPARED or table == "alembic_version":
            continue
        if table in ROWS_ONLY:
            sums[table] = str(connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar())
            continue
        rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
        digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        sums[table] = f"{len(rows)}:{digest}"
    portal_db.rollback()
    return sums


def _emit(tab: PortalTab, event: str, payload: dict[str, Any]) -> None:
    data = {"name": event, "payload": payload, "router_data": {"pathname": "/", "asPath": "/", "query": {}}}
    tab._client.emit("event", data, namespace=NAMESPACE)


def _sweep(tab: PortalTab, calls: list[Call], pattern: re.Pattern[str], found: list[str]) -> None:
    tab.open_page("/")
    _emit(tab, SENTINEL, {"value": False})
    who = "signed in" if tab.cookie else "anonymous"
    for number, call in enumerate(calls):
        # A tab's events run in order: once the sentinel is answered, so is the call before it.
        marker = f"'is_hydrated_rx_state_': {number % 2 == 0}"
        with tab._arrived:
            tab._updates = []
        _emit(tab, call.event, call.payload)
        _emit(tab, SENTINEL, {"value": number % 2 == 0})
        with tab._arrived:
            if not tab._arrived.wait_for(lambda marker=marker: marker in str(tab._updates), 30):
                found.append(f"{call.event}({call.payload}) as {who}: no answer")
                return
            answers = str(tab._updates)
        if pattern.search(answers):
            found.append(f"{call.event}({call.payload}) as {who}: {pattern.search(answers).group(0)}")


def test_no_handler_gives_phi_or_changes_data_to_someone_who_may_not_use_it(portal_url, portal_db):
    plan = _plan()
    assert len(plan[""]) > 100, "the sweep should find the portal's handlers"
    tabs = {"": PortalTab(portal_url).connect()}
    for username in plan:
        if username:
            tabs[username] = signed_in_tab(portal_url, username)
    pattern = _phi_pattern()
    before = _checksums(portal_db)
    found: list[str] = []
    try:
        workers = [
            threading.Thread(target=_sweep, args=(tabs[username], calls, pattern, found))
            for username, calls in plan.items()
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
    finally:
        for tab in tabs.values():
            tab.close()
    assert not found, found[:20]
    after = _checksums(portal_db)
    changed = sorted(table for table in before if before[table] != after.get(table))
    assert not changed, changed
