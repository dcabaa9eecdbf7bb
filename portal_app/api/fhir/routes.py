"""HTTP for the prior-authorization API: FHIR R4 JSON in and out, bearer tokens, OperationOutcome
for every refusal. The work is in the services (`portal_app.services.pas`, `.subscriptions`,
`.api_clients`); this module reads requests, checks the token and its scopes, and writes responses.

Routes (mounted on the app's backend, under PUBLIC_URL):

* `POST /fhir/auth/token`: SMART Backend Services token endpoint (client credentials, JWT assertion)
* `GET  /fhir/.well-known/smart-configuration`, `GET /fhir/metadata`
* `POST /fhir/Claim/$submit`: a PAS request Bundle -> a PAS response Bundle (scope system/Claim.write)
* `POST /fhir/Claim/$inquire`: a PAS inquiry Bundle -> the current responses (system/Claim.read)
* `POST /fhir/Subscription`, `GET|DELETE /fhir/Subscription/{id}` (system/Subscription.write / .read)
* DTR (system/Questionnaire.read or system/Claim.write; `services/dtr.py`):
  `POST /fhir/Questionnaire/$questionnaire-package`, `POST /fhir/Questionnaire/$next-question`,
  `POST /fhir/Questionnaire/$log-questionnaire-errors`, `GET /fhir/Questionnaire/{program}`
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal_app.api.auth_routes import client_address
from portal_app.db import session_scope
from portal_app.domain.enums import AuditOutcome
from portal_app.services import api_clients, audit, dtr, subscriptions
from portal_app.services.authz import PermissionDenied
from portal_app.services.pas import service as pas
from portal_app.services.pas import vocabulary as v
from portal_app.services.pas.outcomes import PasProblem, operation_outcome

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
JSON_TYPES = ("application/fhir+json", "application/json")
MAX_BODY_BYTES = 32 * 1024 * 1024  # documents travel base64-encoded in the Bundle (20 MB each at most)
MAX_FORM_BYTES = 64 * 1024


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


def _outcome(problem: PasProblem, headers: dict[str, str] | None = None) -> Response:
    return FhirResponse(problem.outcome(), status_code=problem.status, headers=headers)


def _unauthorized() -> Response:
    return _outcome(
        PasProblem.one(
            401,
            "login",
            "Send a valid bearer token (POST /fhir/auth/token with a signed client "
            "assertion); it may have expired.",
        ),
        headers={"WWW-Authenticate": 'Bearer realm="precert", error="invalid_token"'},
    )


async def _read_json(request: Request) -> Any:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in JSON_TYPES:
        raise PasProblem.one(415, "not-supported", f"Send FHIR JSON (Content-Type: {FHIR_JSON}).")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PasProblem.one(
            413, "too-costly", f"The request is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB."
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PasProblem.one(
                413, "too-costly", f"The request is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB."
            )
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks))
    except (ValueError, UnicodeDecodeError):
        raise PasProblem.one(400, "structure", "The request body is not JSON.") from None


def _principal(token: str, address: str, path: str) -> api_clients.ApiPrincipal | None:
    with session_scope() as session:
        return api_clients.authenticate(session, token=token, client_address=address, path=path)


def _scope_refused(principal: api_clients.ApiPrincipal, path: str, scopes: tuple[str, ...]) -> None:
    with session_scope() as session:
        audit.record(
            session,
            action="api.scope_denied",
            user_id=principal.actor.user_id,
            outcome=AuditOutcome.DENIED,
            client_address=principal.actor.client_address,
            detail={"client_id": principal.client_id, "path": path[:100], "needs": list(scopes)},
        )
        session.commit()


def _in_session(work: Callable, principal: api_clients.ApiPrincipal, body: Any) -> Any:
    with session_scope() as session:
        return work(session, principal, body)


async def _api_call(
    request: Request, scopes: tuple[str, ...], work: Callable, *, with_body: bool = True
) -> Response:
    """Token, scope, body, then the service; every refusal as an OperationOutcome."""
    path = request.url.path
    token = api_clients.bearer_token(request.headers.get("authorization"))
    principal = await run_in_threadpool(_principal, token, client_address(request), path)
    if principal is None:
        return _unauthorized()
    if not principal.may(*scopes):
        await run_in_threadpool(_scope_refused, principal, path, scopes)
        return _outcome(
            PasProblem.one(
                403, "forbidden", f"The token's scopes do not allow this (needs one of: {', '.join(scopes)})."
            )
        )
    try:
        body = await _read_json(request) if with_body else None
        result = await run_in_threadpool(_in_session, work, principal, body)
    except PasProblem as problem:
        return _outcome(problem)
    except PermissionDenied:
        return _outcome(PasProblem.one(403, "forbidden", "This client may not do that."))
    except Exception:  # the client gets an OperationOutcome it may retry
        logger.exception("PAS API request failed: %s", path)
        return _outcome(
            PasProblem.one(500, "exception", "The server could not process the request; try again.")
        )
    if isinstance(result, Response):
        return result
    status, body = result if isinstance(result, tuple) else (200, result)
    return FhirResponse(body, status_code=status)


# --- the routes ------------------------------------------------------------------------------


def _issue_token(form: dict[str, str], headers: dict[str, str], address: str) -> api_clients.TokenAnswer:
    with session_scope() as session:
        return api_clients.issue_token(session, form=form, headers=headers, client_address=address)


async def token(request: Request) -> Response:
    if (
        request.headers.get("content-type", "").split(";")[0].strip().lower()
        != "application/x-www-form-urlencoded"
    ):
        return JSONResponse(
            {
                "error": "invalid_request",
                "error_description": "Send the token request as application/x-www-form-urlencoded.",
            },
            status_code=400,
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "The request is too large."}, status_code=400
        )
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "The request is too large."}, status_code=400
        )
    form = {key: str(value) for key, value in (await request.form()).items()}
    answer = await run_in_threadpool(_issue_token, form, dict(request.headers), client_address(request))
    headers = {
        name: value for name, value in answer.headers if name.lower() not in ("cache-control", "pragma")
    }
    headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


async def smart_configuration(request: Request) -> Response:
    return JSONResponse(api_clients.smart_configuration())


DTR_PREPOPULATION = (
    "Da Vinci DTR payer service (STU 2). Questionnaires are generated from each program's questions; "
    "pre-population uses FHIRPath initialExpressions (text/fhirpath) on the launch context "
    "(%patient, %coverage, %order) instead of CQL libraries, and the initial QuestionnaireResponse "
    "of each package carries the payer-filled answers with information origin 'auto'. Programs whose "
    "questions branch can also be filled as an adaptive form ($next-question)."
)


async def capability_statement(request: Request) -> Response:
    return FhirResponse(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-11-23",
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "software": {"name": "Precert", "version": f"Da Vinci PAS {v.PAS_VERSION}"},
            "implementation": {
                "description": f"Precert prior-authorization API (Da Vinci PAS STU {v.PAS_VERSION}; "
                "$inquire answers a Parameters of inquiry-response Bundles, and a Bundle to requests "
                "claiming PAS 2.0/2.1 profiles)",
                "url": subscriptions.fhir_base(),
            },
            "instantiates": [
                f"http://hl7.org/fhir/us/davinci-pas/CapabilityStatement/IntermediaryCapabilities|{v.PAS_VERSION}",
                "http://hl7.org/fhir/us/davinci-dtr/CapabilityStatement/dtr-payer-service|2.0.1",
            ],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "service": [
                            {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                        "code": "SMART-on-FHIR",
                                    }
                                ]
                            }
                        ],
                        "extension": [
                            {
                                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                                "extension": [{"url": "token", "valueUri": api_clients.token_url()}],
                            }
                        ],
                    },
                    "resource": [
                        {
                            "type": "Claim",
                            "operation": [
                                {
                                    "name": "submit",
                                    "definition": "http://hl7.org/fhir/us/davinci-pas/OperationDefinition/Claim-submit",
                                },
                                {
                                    "name": "inquire",
                                    "definition": "http://hl7.org/fhir/us/davinci-pas/OperationDefinition/Claim-inquiry",
                                },
                            ],
                        },
                        {
                            "type": "Questionnaire",
                            "documentation": DTR_PREPOPULATION,
                            "interaction": [{"code": "read"}],
                            "operation": [
                                {
                                    "name": "questionnaire-package",
                                    "definition": "http://hl7.org/fhir/us/davinci-dtr/OperationDefinition/questionnaire-package",
                                },
                                {
                                    "name": "next-question",
                                    "definition": "http://hl7.org/fhir/uv/sdc/OperationDefinition/Questionnaire-next-question",
                                },
                                {
                                    "name": "log-questionnaire-errors",
                                    "definition": "http://hl7.org/fhir/us/davinci-dtr/OperationDefinition/log-questionnaire-errors",
                                },
                            ],
                        },
                        {
                            "type": "Subscription",
                            "extension": [
                                {
                                    "url": f"{v.BACKPORT}/capabilitystatement-subscriptiontopic-canonical",
                                    "valueCanonical": v.PAS_TOPIC,
                                }
                            ],
                            "interaction": [{"code": "create"}, {"code": "read"}, {"code": "delete"}],
                        },
                    ],
                }
            ],
        }
    )


async def claim_submit(request: Request) -> Response:
    return await _api_call(
        request,
        (v.SCOPE_CLAIM_WRITE,),
        lambda session, principal, body: pas.submit(session, principal=principal, bundle=body).body,
    )


async def claim_inquire(request: Request) -> Response:
    return await _api_call(
        request,
        (v.SCOPE_CLAIM_READ, v.SCOPE_CLAIM_RESPONSE_READ),
        lambda session, principal, body: pas.inquire(session, principal=principal, bundle=body).body,
    )


async def subscription_create(request: Request) -> Response:
    def work(session, principal, body):
        resource = subscriptions.create_subscription(session, principal=principal, resource=body)
        return FhirResponse(
            resource,
            status_code=201,
            headers={"Location": f"{subscriptions.fhir_base()}/Subscription/{resource['id']}"},
        )

    return await _api_call(request, (v.SCOPE_SUBSCRIPTION_WRITE,), work)


async def subscription_instance(request: Request) -> Response:
    subscription_id = request.path_params["subscription_id"]
    if request.method == "DELETE":

        def end(session, principal, _body):
            subscriptions.end_subscription(session, principal=principal, subscription_id=subscription_id)
            return FhirResponse(operation_outcome([]), status_code=200)

        return await _api_call(request, (v.SCOPE_SUBSCRIPTION_WRITE,), end, with_body=False)
    return await _api_call(
        request,
        (v.SCOPE_SUBSCRIPTION_READ, v.SCOPE_SUBSCRIPTION_WRITE),
        lambda session, principal, _body: subscriptions.read_subscription(
            session, principal=principal, subscription_id=subscription_id
        ),
        with_body=False,
    )


DTR_SCOPES = (v.SCOPE_QUESTIONNAIRE_READ, v.SCOPE_CLAIM_WRITE)


async def questionnaire_package(request: Request) -> Response:
    return await _api_call(
        request,
        DTR_SCOPES,
        lambda session, principal, body: dtr.questionnaire_package(
            session, principal=principal, parameters=body
        ),
    )


async def next_question(request: Request) -> Response:
    return await _api_call(
        request,
        DTR_SCOPES,
        lambda session, principal, body: dtr.next_question(session, principal=principal, parameters=body),
    )


async def log_questionnaire_errors(request: Request) -> Response:
    return await _api_call(
        request,
        DTR_SCOPES,
        lambda session, principal, body: dtr.log_questionnaire_errors(
            session, principal=principal, parameters=body
        ),
    )


async def questionnaire_read(request: Request) -> Response:
    code = request.path_params["program"]
    return await _api_call(
        request,
        DTR_SCOPES,
        lambda _session, _principal, _body: dtr.questionnaire_resource(code),
        with_body=False,
    )


FHIR_ROUTES = [
    Route(api_clients.TOKEN_PATH, token, methods=["POST"]),
    Route("/fhir/.well-known/smart-configuration", smart_configuration, methods=["GET"]),
    Route("/fhir/metadata", capability_statement, methods=["GET"]),
    Route("/fhir/Claim/$submit", claim_submit, methods=["POST"]),
    Route("/fhir/Claim/$inquire", claim_inquire, methods=["POST"]),
    Route("/fhir/Questionnaire/$questionnaire-package", questionnaire_package, methods=["POST"]),
    Route("/fhir/Questionnaire/$next-question", next_question, methods=["POST"]),
    Route("/fhir/Questionnaire/$log-questionnaire-errors", log_questionnaire_errors, methods=["POST"]),
    Route("/fhir/Questionnaire/{program}", questionnaire_read, methods=["GET"]),
    Route("/fhir/Subscription", subscription_create, methods=["POST"]),
    Route("/fhir/Subscription/{subscription_id}", subscription_instance, methods=["GET", "DELETE"]),
]
