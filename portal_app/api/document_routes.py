"""Documents and letters, served only to signed-in users who may read the order.

Served with the media type content sniffing found when the file was stored (never one guessed
from the name the uploader gave: a PDF/HTML polyglot named ``x.html`` is served as a PDF), and
always as an attachment, with nosniff (SecurityHeadersMiddleware): never rendered as a page of
the portal's origin (issue 17 row 9).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal_app.api.auth_routes import client_address
from portal_app.db import session_scope
from portal_app.services.orders import OrderNotFound
from portal_app.services.sessions import resolve_actor, session_cookie_name

# What documents.store_document and the letters store; anything else is served as bytes.
_SERVED_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tif"}


def _load(token: str, document_id: int, address: str):
    from portal_app.services.letters import document_file

    with session_scope() as session:
        actor = resolve_actor(session, token=token, client_address=address)
        if actor is None:
            return None
        try:
            return document_file(session, actor=actor, document_id=document_id)
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
    media_type = found.media_type if found.media_type in _SERVED_TYPES else "application/octet-stream"
    safe_name = "".join(ch for ch in found.filename if ch.isalnum() or ch in "._- ")[:120] or "document"
    extension = _SERVED_TYPES.get(media_type, ".bin")
    if not safe_name.lower().endswith(extension):  # saved as what it is, not as the name claimed
        safe_name = safe_name.rsplit(".", 1)[0] + extension
    return Response(
        found.content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "Cache-Control": "no-store",
        },
    )


DOCUMENT_ROUTES = [Route("/documents/{document_id}", serve_document, methods=["GET"])]
