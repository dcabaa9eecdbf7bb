"""Call a Reflex event handler directly over the websocket, as a tampering client would."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import socketio

# The frontend connects to ``<site>/_event`` with socket.io path ``/_event``: the namespace is the path.
NAMESPACE = "/_event"


def call_handler(
    base_url: str, *, cookie: str, handler: str, payload: dict[str, Any], path: str, timeout: float = 15
) -> list[dict]:
    """Send one event named ``handler`` with ``payload``; return the deltas answered."""
    client = socketio.Client(reconnection=False)
    answers: list[dict] = []
    arrived = threading.Event()

    @client.on("event", namespace=NAMESPACE)
    def _on_event(data):
        answers.append(data)
        arrived.set()

    client.connect(
        f"{base_url}?token={uuid.uuid4()}",
        socketio_path="_event",
        transports=["websocket"],
        namespaces=[NAMESPACE],
        headers={"Cookie": cookie} if cookie else {},
        wait_timeout=10,
    )
    try:
        client.emit(
            "event",
            {
                "name": handler,
                "payload": payload,
                "router_data": {"pathname": path, "asPath": path, "query": {}},
            },
            namespace=NAMESPACE,
        )
        # One event may answer with several messages (a delta, then a redirect): collect
        # until the server has been quiet for a second and a half.
        if arrived.wait(timeout):
            while True:
                arrived.clear()
                if not arrived.wait(1.5):
                    break
    finally:
        client.disconnect()
    return answers


ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"


def _hydrated(updates: list[dict]) -> bool:
    return any(
        (u.get("delta") or {}).get(ROOT_STATE, {}).get("is_hydrated_rx_state_") is True for u in updates
    )


def _any_update(updates: list[dict]) -> bool:
    return bool(updates)


class PortalTab:
    """One browser tab speaking the portal's websocket protocol, kept open between events.

    Like a browser it keeps its tab token across reconnects (sessionStorage), sends the
    session cookie with the handshake, hydrates each page it opens, and merges the deltas
    into ``state`` (``state[state_name][var]``).
    """

    def __init__(self, base_url: str, *, token: str | None = None, cookie: str = "", origin: str = ""):
        self.base_url = base_url
        self.token = token or str(uuid.uuid4())
        self.cookie = cookie
        # The page's origin when it differs from base_url (a portal behind an HTTPS proxy).
        self.origin = origin
        self.state: dict[str, dict[str, Any]] = {}
        self.new_tokens: list[str] = []
        # The address bar: the page last opened, then wherever ``_redirect`` events send the tab.
        self.location = self._loaded = "/"
        self._client: socketio.Client | None = None
        self._updates: list[dict] = []
        self._arrived = threading.Condition()

    # --- connection ---

    def connect(self) -> PortalTab:
        origin = {"websocket_extra_options": {"origin": self.origin}} if self.origin else {}
        client = socketio.Client(reconnection=False, **origin)

        @client.on("event", namespace=NAMESPACE)
        def _on_event(data):
            with self._arrived:
                for state_name, values in (data.get("delta") or {}).items():
                    merged = self.state.setdefault(state_name, {})
                    for key, value in values.items():
                        merged[key.removesuffix("_rx_state_")] = value
                for event in data.get("events") or []:
                    if event.get("name") == "_redirect" and not (event.get("payload") or {}).get("external"):
                        self.location = str(event["payload"].get("path") or self.location)
                self._updates.append(data)
                self._arrived.notify_all()

        @client.on("new_token", namespace=NAMESPACE)
        def _on_new_token(token):
            self.new_tokens.append(str(token))

        client.connect(
            f"{self.base_url}?token={self.token}",
            socketio_path="_event",
            transports=["websocket"],
            namespaces=[NAMESPACE],
            headers={"Cookie": self.cookie} if self.cookie else {},
            wait_timeout=10,
        )
        self._client = client
        return self

    def close(self) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client = None

    @property
    def local_port(self) -> int:
        """This tab's TCP port: the server-side process holding it serves this tab."""
        return self._client.eio.ws.sock.getsockname()[1]

    # --- events ---

    def call(
        self,
        handler: str,
        payload: dict | None = None,
        *,
        path: str,
        query: dict | None = None,
        until=_any_update,
        timeout: float = 20,
    ) -> list[dict]:
        """Send one event as the page at ``path`` would; wait until ``until(updates)`` holds."""
        with self._arrived:
            self._updates = []
        self._client.emit(
            "event",
            {
                "name": handler,
                "payload": payload or {},
                "router_data": {"pathname": path, "asPath": path, "query": query or {}},
            },
            namespace=NAMESPACE,
        )
        with self._arrived:
            if not self._arrived.wait_for(lambda: until(self._updates), timeout):
                raise TimeoutError(f"{handler}: no complete answer in {timeout} s: {self._updates!r:.500}")
            return list(self._updates)

    def open_page(self, path: str, query: dict | None = None) -> list[dict]:
        """What a browser does on every (re)connect: hydrate and run the page's on-load handlers."""
        from urllib.parse import urlencode

        self.location = self._loaded = path + ("?" + urlencode(query) if query else "")
        return self.call(HYDRATE, {}, path=path, query=query, until=_hydrated)

    def settle(self, quiet: float = 0.3) -> PortalTab:
        """Wait until the server is quiet; follow a redirect as the browser does.

        A redirect is followed as the on-load of the new address.
        """
        from urllib.parse import parse_qsl, urlsplit

        while True:
            with self._arrived:
                count = len(self._updates)
                if self._arrived.wait_for(lambda count=count: len(self._updates) > count, quiet):
                    continue
            if self.location == self._loaded:
                return self
            self._loaded = self.location
            address = urlsplit(self._loaded)
            self.call(ON_LOAD, {}, path=address.path, query=dict(parse_qsl(address.query)), until=_hydrated)

    def reconnect(self) -> PortalTab:
        """A new websocket for the same tab (same token, same cookie), hydrating the current address."""
        from urllib.parse import parse_qsl, urlsplit

        self.close()
        self.connect()
        address = urlsplit(self.location)
        self.open_page(address.path, dict(parse_qsl(address.query)) or None)
        return self

    def var(self, state: str, name: str, default: Any = None) -> Any:
        return self.state.get(state, {}).get(name, default)

    # --- signing in ---

    def sign_in(self, email: str, password: str, *, next_path: str) -> PortalTab:
        """Sign in through the form, trade the ticket for the cookie, open ``next_path``."""
        import re
        import urllib.error
        import urllib.request

        from portal_app.state.sign_in import SignInState

        self.connect()
        self.open_page("/sign-in")
        answers = self.call(
            f"{SignInState.get_full_name()}.submit",
            {"form_data": {"identifier": email, "password": password}},
            path="/sign-in",
            query={"next": next_path},
            until=lambda updates: any(
                e.get("name") == "_call_script" for u in updates for e in u.get("events") or []
            ),
        )
        self.close()
        ticket = re.search(r"ticket=([A-Za-z0-9_\-]+)", str(answers))
        assert ticket, f"sign-in refused: {answers!r:.500}"
        # The tab sets the sign-in cookie its ticket is bound to (state/sign_in.py) before it goes.
        binding = re.search(r"((?:__Host-)?precert_sign_in=[A-Za-z0-9_\-]+)", str(answers))

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        finish = f"{self.base_url}/auth/finish?ticket={ticket.group(1)}&next={next_path}"
        request = urllib.request.Request(finish, headers={"Cookie": binding.group(1)} if binding else {})
        try:
            urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
            raise AssertionError("/auth/finish did not redirect")
        except urllib.error.HTTPError as answer:
            assert answer.code == 303, answer.code
            self.cookie = answer.headers["Set-Cookie"].split(";", 1)[0]
        self.connect()
        self.open_page(next_path)
        return self
