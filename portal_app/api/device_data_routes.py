"""``POST /api/device-data``: PAP usage files from manufacturers' device clouds.

The caller authenticates with its vendor API key (``Authorization: Bearer <key>``; keys are
issued with ``python -m portal_app.cli device-key "Vendor name"`` and stored hashed). The body is
the export itself, ``Content-Type: application/json`` or ``text/csv`` (the formats of
``pap_compliance.parse_device_export``). The file is matched to the member its member ID names;
answers (JSON):

* 201 ``{"status": "attached", "import_id", "nights"}``: ID, name and date of birth matched;
* 202 ``{"status": "held_for_support", "import_id"}``: they did not (which one is not said, so the
  endpoint cannot be used to probe member data); the file is attached to nobody;
* 401 without a valid key, 413 for a file over 5 MB, 415 for another content type, 422 for a
  file that cannot be read (the problems, by line or night).

This endpoint does not use the FHIR API's OAuth (portal_app/api/fhir/), on purpose: device clouds
are registered separately, one key per vendor.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal_app import routes
from portal_app.api.auth_routes import client_address
from portal_app.db import session_scope
from portal_app.services.device_data import (
    MAX_FILE_BYTES,
    DeviceDataRefused,
    ImportResult,
    VendorNotAllowed,
    receive_from_vendor,
)

_MEDIA_TYPES = ("application/json", "text/csv")


def _api_key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


async def _body(request: Request) -> bytes | None:
    """The request body, or None when it is larger than a device file may be."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FILE_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _receive(api_key: str, content: bytes, media_type: str, address: str) -> ImportResult:
    with session_scope() as session:
        return receive_from_vendor(
            session, api_key=api_key, content=content, media_type=media_type, client_address=address
        )


async def receive_device_data(request: Request) -> JSONResponse:
    api_key = _api_key(request)
    unauthorized = {"WWW-Authenticate": 'Bearer realm="device-data"'}
    if not api_key:
        return _error(401, "Send the vendor API key as: Authorization: Bearer <key>.", **unauthorized)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _MEDIA_TYPES:
        return _error(415, "Send the file as application/json or text/csv.")
    content = await _body(request)
    if content is None:
        return _error(413, f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    try:
        result = await run_in_threadpool(_receive, api_key, content, media_type, client_address(request))
    except VendorNotAllowed:
        return _error(401, "The API key is not valid.", **unauthorized)
    except DeviceDataRefused as refused:
        return _error(422, str(refused))
    if result.attached:
        return JSONResponse(
            {"status": "attached", "import_id": result.import_id, "nights": result.night_count},
            status_code=201,
        )
    return JSONResponse({"status": "held_for_support", "import_id": result.import_id}, status_code=202)


DEVICE_DATA_ROUTES = [Route(routes.API_DEVICE_DATA, receive_device_data, methods=["POST"])]
