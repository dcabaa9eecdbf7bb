"""Reflex's ``POST /_upload``: size-limited while it streams.

Reflex reads the whole multipart body before its handler runs and has no size limit of its own.
This middleware wraps the session check (``portal_app/api/request_session.py``:
``RequestSessionMiddleware`` answers 401 without a live session cookie of the upload request
itself, before the body is read). It answers 413 before the body is read when Content-Length is
over ``UPLOAD_MAX_MB``, and counts the bytes as they arrive, so a chunked or lying request is cut
off with 413 as soon as it passes the limit (issue 17 row 9).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.api.request_session import is_upload
from portal_app.settings import get_settings


class _TooLarge(Exception):
    pass


class UploadGuardMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_upload(scope):
            await self.app(scope, receive, send)
            return
        limit = get_settings().upload_max_bytes
        declared = Headers(scope=scope).get("content-length", "")
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
