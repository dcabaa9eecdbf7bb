"""HTTP for the CRD service (CDS Hooks 2.0): `GET /cds-services` (discovery, public) and
`POST /cds-services/{service_id}` (a hook call, authenticated by the EHR's signed JWT). The work is in
`services/crd/service.py`; this module reads the request and writes the JSON answer. Failures are
logged by path only (the body holds PHI).

CORS (CDS Hooks 2.0, "Cross-Origin Resource Sharing"): browser-based CDS clients call from their own
origin, so every answer allows any origin and a preflight (OPTIONS) is answered for both paths. Any
origin is safe here because nothing is authorized by a cookie: a hook call carries its own signed JWT
in the Authorization header, and no credentials mode is offered."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from portal_app.api.auth_routes import client_address
from portal_app.db import session_scope
from portal_app.services.crd import service as crd

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 4 * 1024 * 1024
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Expose-Headers": "WWW-Authenticate",
    "Access-Control-Max-Age": "600",
}


def _call(service_id: str, authorization: str | None, body: Any, address: str) -> crd.HookAnswer:
    with session_scope() as session:
        return crd.call_service(
            session, service_id=service_id, authorization=authorization, body=body, client_address=address
        )


def _json(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status_code, headers={**CORS_HEADERS, **(headers or {})})


async def preflight(request: Request) -> Response:
    return Response(status_code=204, headers=CORS_HEADERS)


async def discovery(request: Request) -> Response:
    if request.method == "OPTIONS":
        return await preflight(request)
    return _json(crd.discovery())


async def hook(request: Request) -> Response:
    if request.method == "OPTIONS":
        return await preflight(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return _json({"error": "The request is too large."}, 413)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _json({"error": "The request is too large."}, 413)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = None
    try:
        answer = await run_in_threadpool(
            _call,
            request.path_params["service_id"],
            request.headers.get("authorization"),
            body,
            client_address(request),
        )
    except Exception:  # the EHR gets an answer it may retry; the body (PHI) is not logged
        logger.exception("CDS Hooks call failed: %s", request.url.path)
        return _json({"error": "The service could not answer; try again."}, 500)
    headers = {"WWW-Authenticate": 'Bearer realm="precert-crd"'} if answer.status == 401 else None
    return _json(answer.body, answer.status, headers)


class CdsHooksPreflight:
    """Answers a CORS preflight for the CDS Hooks paths before the app's own CORS middleware, which
    lets only the portal's origin in (the websocket and the portal's pages need that restriction;
    EHR apps call from theirs)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] == "http"
            and scope.get("method") == "OPTIONS"
            and (path == crd.BASE_PATH or path.startswith(f"{crd.BASE_PATH}/"))
        ):
            await Response(status_code=204, headers=CORS_HEADERS)(scope, receive, send)
            return
        await self.app(scope, receive, send)


CDS_HOOKS_ROUTES = [
    Route(crd.BASE_PATH, discovery, methods=["GET", "OPTIONS"]),
    Route(f"{crd.BASE_PATH}/{{service_id}}", hook, methods=["POST", "OPTIONS"]),
]
