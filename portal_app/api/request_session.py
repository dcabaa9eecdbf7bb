"""Each request is authenticated by the session cookie it carries itself.

* A websocket event: Reflex puts the headers of *this* websocket's handshake into the event's
  context (``EventContext.router_data["headers"]``) for every event it reads from the socket, and
  the events a handler yields inherit them. :func:`request_session_cookie` reads them there, never
  from ``state.router`` (router data saved in the state by an earlier event of the same tab).
* ``POST /_upload``: Reflex answers it outside the websocket, with only the
  ``reflex-client-token`` header to find the tab. :class:`RequestSessionMiddleware` refuses the
  request (401, before the body is read or a handler runs) unless its own Cookie header names a
  live session, and hands that request's headers to the upload event, so the handler's guard
  checks the upload's cookie rather than the tab's last websocket.
* Other HTTP routes read ``request.cookies`` themselves (``portal_app/api/``).

The Reflex client token only says which tab's state to use; it never says who is asking.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any

from reflex_base.event.context import EventContext
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from portal_app.db import session_scope
from portal_app.services.sessions import is_session_live, session_cookie_name

UPLOAD_PATH = "/_upload"

# The headers and address of the /_upload request being served (set by the middleware for the
# duration of the request; the upload event is enqueued from within it).
_UPLOAD_REQUEST: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "precert_upload_request", default=None
)


def cookie_value(cookie_header: str, name: str) -> str:
    """The value of cookie ``name`` in a Cookie header ('' if absent or the header is malformed)."""
    jar = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel else ""


def request_router_data() -> dict[str, Any]:
    """The router data of the request behind the event now running ({} outside of an event)."""
    try:
        data = EventContext.get().router_data
    except LookupError:
        return {}
    return data if isinstance(data, dict) else {}


def request_headers() -> dict[str, str] | None:
    """The headers of the request behind the event now running; None for a backend-made event."""
    headers = request_router_data().get("headers")
    return headers if isinstance(headers, dict) else None


def request_cookie(name: str) -> str:
    """Cookie ``name`` as sent with the request behind the event now running."""
    return cookie_value((request_headers() or {}).get("cookie", ""), name)


def request_session_cookie() -> str:
    """The session cookie of the request behind the event now running ('' if none)."""
    return request_cookie(session_cookie_name())


def request_client_ip() -> str:
    return str(request_router_data().get("ip") or "")


def _decode_headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}; {value}" if name == "cookie" and name in headers else value
    return headers


def _live(token: str) -> bool:
    with session_scope() as session:
        return is_session_live(session, token=token)


def _hand_upload_request_to_events(processor: Any) -> None:
    """Let the upload event carry its own request's headers (once per event processor).

    Reflex builds the upload event without router data; the processor's ``enqueue`` is called
    from within the upload request, where ``_UPLOAD_REQUEST`` holds that request's headers.
    An event with router data of its own runs with them (``EventProcessor.enqueue``).
    """
    if getattr(processor, "_precert_upload_headers", False):
        return
    original = processor.enqueue

    async def enqueue(token, event, ev_ctx=None):
        upload_request = _UPLOAD_REQUEST.get()
        if upload_request is not None and not event.router_data:
            event.router_data.update(upload_request)
        return await original(token, event, ev_ctx)

    processor.enqueue = enqueue
    processor._precert_upload_headers = True


class RequestSessionMiddleware:
    """Refuse ``POST /_upload`` without a live session cookie; give the upload event its own cookie."""

    def __init__(self, app: ASGIApp, *, event_processor: Callable[[], Any]):
        self.app = app
        self.event_processor = event_processor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.rstrip("/") != UPLOAD_PATH or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        headers = _decode_headers(scope)
        token = cookie_value(headers.get("cookie", ""), session_cookie_name())
        if not token or not await run_in_threadpool(_live, token):
            await _refuse(send)
            return
        _hand_upload_request_to_events(self.event_processor())
        client = scope.get("client") or ("", 0)
        reset = _UPLOAD_REQUEST.set({"headers": headers, "ip": client[0]})
        try:
            await self.app(scope, receive, send)
        finally:
            _UPLOAD_REQUEST.reset(reset)


async def _refuse(send: Send) -> None:
    body = json.dumps({"detail": "Sign in to upload files."}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
