"""A browser's side of the portal's websocket, spoken frame by frame (asyncio-free: trio).

Reflex 0.10 speaks Socket.IO v5 over Engine.IO v4, websocket transport only:

* connect to ``ws://<host>/_event/?EIO=4&transport=websocket&token=<tab token>`` with the
  page's ``Origin`` and, once signed in, the HttpOnly session ``Cookie``;
* the server opens with ``0{...}``; the client joins the namespace with ``40/_event,``;
* a browser event is ``42/_event,["event", {"name", "payload", "router_data"}]``;
* the server answers with one or more ``42/_event,["event", {"delta": ..., "events": [...]}]``
  (deltas first, then frontend events such as a redirect);
* the server pings with ``2`` and expects ``3``.

Each handler call waits for the message that ends it (``until``), so the time measured is the
round trip a browser would see before it can render the answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import trio
from trio_websocket import ConnectionClosed, open_websocket_url

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ProtocolError(Exception):
    """The server answered something a browser would not expect (or nothing in time)."""


def require_loopback(url: str) -> None:
    """The load generator only ever targets this machine."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise SystemExit(f"Refusing to load-test {url}: only loopback addresses are allowed.")


Update = dict[str, Any]
Until = Callable[[list[Update]], bool]


def any_update(updates: list[Update]) -> bool:
    """Any delta or frontend event (every guarded handler re-sends who is signed in)."""
    return bool(updates)


def hydrated(updates: list[Update]) -> bool:
    """The page is hydrated and its on-load handlers have run."""
    return any(
        (u.get("delta") or {}).get(ROOT_STATE, {}).get("is_hydrated_rx_state_") is True for u in updates
    )


def frontend_event(*names: str) -> Until:
    """A frontend event (``_redirect``, ``_call_script``...) arrived."""

    def _until(updates: list[Update]) -> bool:
        return any(e.get("name") in names for u in updates for e in u.get("events") or [])

    return _until


def either(*conditions: Until) -> Until:
    return lambda updates: any(condition(updates) for condition in conditions)


def delta_has(state: str, var: str, test: Callable[[Any], bool] = bool) -> Until:
    """A delta set ``state.var`` to a value passing ``test``."""
    key = f"{var}_rx_state_"

    def _until(updates: list[Update]) -> bool:
        for update in updates:
            values = (update.get("delta") or {}).get(state, {})
            if key in values and test(values[key]):
                return True
        return False

    return _until


def backend_error(update: Update) -> bool:
    """Reflex's default backend exception handler answers with an error toast (id ``backend_error``)."""
    return any("backend_error" in json.dumps(e.get("payload")) for e in update.get("events") or [])


@dataclass
class Call:
    """One event's round trip."""

    name: str
    seconds: float
    updates: list[Update]


@dataclass
class ReflexSocket:
    """One browser tab's websocket: ``await connect(nursery)``, then ``call(...)``, then ``close()``."""

    base_url: str
    token: str
    origin: str
    cookie: str = ""
    timeout: float = 30.0
    # The merged state the page would render: ``state[state_name][var]``.
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    _ws: Any = None
    _inbox_send: Any = None
    _inbox: Any = None
    problem: str = ""
    tokens_reissued: int = 0
    _scope: trio.CancelScope = field(default_factory=trio.CancelScope)

    async def connect(self, nursery: trio.Nursery) -> None:
        require_loopback(self.base_url)
        url = self.base_url.replace("http://", "ws://", 1).rstrip("/")
        headers = [(b"Origin", self.origin.encode())]
        if self.cookie:
            headers.append((b"Cookie", self.cookie.encode()))
        self._inbox_send, self._inbox = trio.open_memory_channel(10_000)
        ready = trio.Event()
        nursery.start_soon(
            self._run, f"{url}/_event/?EIO=4&transport=websocket&token={self.token}", headers, ready
        )
        with trio.fail_after(self.timeout):
            await ready.wait()
        if self._ws is None:
            raise ProtocolError(f"websocket did not open ({self.problem or 'closed'})")

    async def _run(self, url: str, headers: list, ready: trio.Event) -> None:
        try:
            with self._scope:
                await self._serve(url, headers, ready)
        except (ConnectionClosed, OSError, trio.BrokenResourceError, ProtocolError, ValueError) as problem:
            self.problem = f"{type(problem).__name__}: {problem}"
        finally:
            self._ws = None
            ready.set()
            await self._inbox_send.aclose()

    async def _serve(self, url: str, headers: list, ready: trio.Event) -> None:
        async with open_websocket_url(
            url,
            extra_headers=headers,
            max_message_size=16 * 2**20,
            connect_timeout=self.timeout,
            disconnect_timeout=1,
        ) as ws:
            opening = await ws.get_message()
            if not opening.startswith("0"):
                raise ProtocolError(f"unexpected Engine.IO opening {opening[:80]!r}")
            await ws.send_message(f"40{NAMESPACE},")
            while not (joined := await ws.get_message()).startswith(f"40{NAMESPACE},"):
                # The server may say first that this tab token is taken (an earlier socket of the tab
                # is not yet gone): the browser then adopts the new token and starts a fresh state.
                if joined.startswith(f'42{NAMESPACE},["new_token"'):
                    self.token = json.loads(joined[len(f"42{NAMESPACE},") :])[1]
                    self.tokens_reissued += 1
                elif joined == "2":
                    await ws.send_message("3")
                else:
                    raise ProtocolError(f"namespace refused: {joined[:200]!r}")
            self._ws = ws
            ready.set()
            while True:
                message = await ws.get_message()
                if message == "2":
                    await ws.send_message("3")
                elif message.startswith(f"42{NAMESPACE},"):
                    body = message[len(f"42{NAMESPACE},") :].lstrip("0123456789")
                    kind, *args = json.loads(body)
                    if kind == "event" and args:
                        update = args[0] if isinstance(args[0], dict) else json.loads(args[0])
                        self._merge(update)
                        await self._inbox_send.send(update)
                    elif kind == "new_token":
                        self.token = str(args[0]) if args else self.token
                        self.tokens_reissued += 1
                elif message.startswith(("1", f"41{NAMESPACE}")):
                    break

    def _merge(self, update: Update) -> None:
        for state_name, values in (update.get("delta") or {}).items():
            merged = self.state.setdefault(state_name, {})
            for key, value in values.items():
                merged[key.removesuffix("_rx_state_")] = value

    def var(self, state: str, name: str, default: Any = None) -> Any:
        return self.state.get(state, {}).get(name, default)

    async def call(
        self,
        name: str,
        payload: dict | None = None,
        *,
        path: str,
        query: dict | None = None,
        until: Until = any_update,
    ) -> Call:
        """Send one event as the page at ``path`` would; wait until ``until`` holds."""
        if self._ws is None:
            raise ProtocolError(f"{name}: websocket closed")
        # Anything left over belongs to an earlier event.
        while True:
            try:
                self._inbox.receive_nowait()
            except (trio.WouldBlock, trio.EndOfChannel):
                break
        event = {
            "name": name,
            "payload": payload or {},
            "router_data": {"pathname": path, "asPath": path, "query": query or {}},
        }
        updates: list[Update] = []
        started = time.perf_counter()
        await self._ws.send_message(f"42{NAMESPACE},{json.dumps(['event', event])}")
        with trio.move_on_after(self.timeout) as waited:
            while not until(updates):
                try:
                    update = await self._inbox.receive()
                except trio.EndOfChannel:
                    raise ProtocolError(f"{name}: websocket closed while waiting") from None
                if backend_error(update):
                    raise ProtocolError(
                        f"{name}: the portal answered with its error toast (a backend exception)"
                    )
                updates.append(update)
        if waited.cancelled_caught:
            raise ProtocolError(f"{name}: no answer within {self.timeout:.0f} s")
        return Call(name, time.perf_counter() - started, updates)

    async def close(self) -> None:
        """Leave the page: say goodbye to the namespace and drop the connection, as a browser does."""
        if self._ws is not None:
            with trio.move_on_after(1):
                await self._ws.send_message(f"41{NAMESPACE},")
        self._scope.cancel()
