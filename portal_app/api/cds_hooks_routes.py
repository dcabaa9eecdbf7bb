"""HTTP for the CRD service (CDS Hooks 2.0): `GET /cds-services` (discovery, public) and
`POST /cds-services/{service_id}` (a hook call, authenticated by the EHR's signed JWT). The work is in
`services/crd/service.py`; this module reads the request and writes the JSON answer. Failures are
logged by path only (the body holds PHI)."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal_app.api.auth_routes import client_address
from portal_app.db import session_scope
from portal_app.services.crd import service as crd

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 4 * 1024 * 1024


def _call(service_id: str, authorization: str | None, body: Any, address: str) -> crd.HookAnswer:
    with session_scope() as session:
        return crd.call_service(
            session, service_id=service_id, authorization=authorization, body=body, client_address=address
        )


async def discovery(request: Request) -> Response:
    return JSONResponse(crd.discovery())


async def hook(request: Request) -> Response:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return JSONResponse({"error": "The request is too large."}, status_code=413)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return JSONResponse({"error": "The request is too large."}, status_code=413)
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
        return JSONResponse({"error": "The service could not answer; try again."}, status_code=500)
    headers = {"WWW-Authenticate": 'Bearer realm="precert-crd"'} if answer.status == 401 else None
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


CDS_HOOKS_ROUTES = [
    Route(crd.BASE_PATH, discovery, methods=["GET"]),
    Route(f"{crd.BASE_PATH}/{{service_id}}", hook, methods=["POST"]),
]
