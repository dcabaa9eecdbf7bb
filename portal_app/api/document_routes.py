"""Documents and letters, served only to signed-in users who may read the order."""

from __future__ import annotations

import mimetypes

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal_app.api.auth_routes import client_address
from portal_app.db import session_scope
from portal_app.services.orders import OrderNotFound
from portal_app.services.sessions import resolve_actor, session_cookie_name

# Shown in the browser (PDF viewer, images); anything else would download.
_INLINE = {"application/pdf", "image/png", "image/jpeg"}


def _load(token: str, document_id: int, address: str) -> tuple[str, bytes] | None:
    from portal_app.services.letters import letter_file

    with session_scope() as session:
        actor = resolve_actor(session, token=token, client_address=address)
        if actor is None:
            return None
        try:
            return letter_file(session, actor=actor, document_id=document_id)
        except OrderNotFound:
            return None


async def serve_document(request: Request) -> Response:
    token = request.cookies.get(session_cookie_name(), "")
    try:
        document_id = int(request.path_params["document_id"])
    except (KeyError, ValueError):
        return Response("Not found", status_code=404)
    found = await run_in_threadpool(_load, token, document_id, client_address(request)) if token else None
    if found is None:
        return Response("Not found", status_code=404)
    filename, content = found
    media_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    disposition = "inline" if media_type in _INLINE else "attachment"
    safe_name = "".join(ch for ch in filename if ch.isalnum() or ch in "._- ")[:120] or "document"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{safe_name}"',
            "Cache-Control": "no-store",
        },
    )


DOCUMENT_ROUTES = [Route("/documents/{document_id}", serve_document, methods=["GET"])]
