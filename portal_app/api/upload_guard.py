"""Reflex's ``POST /_upload``: refused to anonymous callers, and size-limited while it streams.

Reflex reads the whole multipart body before its handler runs and has no size limit of its own.
This middleware answers before the body is read: 401 without a live session cookie (the
handler's own guard then decides who the caller is), 413 when Content-Length is over
``UPLOAD_MAX_MB``; and it counts the bytes as they arrive, so a chunked or lying request is cut
off with 413 as soon as it passes the limit (issue 17 row 9).
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.db import session_scope
from portal_app.services.sessions import SESSION_COOKIE, resolve_actor
from portal_app.settings import get_settings


class _TooLarge(Exception):
    pass


def _session_token(headers: Headers) -> str:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except CookieError:
        return ""
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel else ""


def _is_live(token: str) -> bool:
    with session_scope() as session:
        return resolve_actor(session, token=token, touch=False) is not None


def is_upload(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] == "POST"
        and scope["path"].rstrip("/").endswith("/_upload")
    )


class UploadGuardMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_upload(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        token = _session_token(headers)
        if not token or not await run_in_threadpool(_is_live, token):
            await PlainTextResponse("Sign in to upload files.", status_code=401)(scope, receive, send)
            return
        limit = get_settings().upload_max_bytes
        declared = headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, receive, send, limit)
            return
        received, refused, started = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the app's answer to the cut-off body is replaced by 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise
        if refused and not started:
            await _too_large(scope, receive, send, limit)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    message = f"The upload is larger than {limit // (1024 * 1024)} MB."
    await PlainTextResponse(message, status_code=413, headers={"Connection": "close"})(scope, receive, send)
