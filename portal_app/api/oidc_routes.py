"""Single sign-on with OpenID Connect: ``/auth/oidc/login`` and ``/auth/oidc/callback``.

The authorization code flow with PKCE (S256), ``state`` and ``nonce``, run with
Authlib's httpx client against the provider found at
``{OIDC_ISSUER}/.well-known/openid-configuration``. Between the two routes the
flow's secrets wait in a short-lived HttpOnly cookie signed with the portal's
secret key, so no server-side storage is needed.

The callback trusts nothing it has not checked: the ``state`` must match the
cookie, and the ID token must be signed by a key of the provider's JWKS and
carry the right ``iss``, ``aud``, ``nonce`` and an ``exp`` in the future. Only
then is the e-mail it vouches for matched to an approved account. Whatever goes
wrong, the browser is sent to the sign-in page with ``problem=sso`` and learns
nothing more; the log and the audit trail say why. Without ``OIDC_ISSUER``,
``OIDC_CLIENT_ID`` and ``OIDC_CLIENT_SECRET`` both routes answer 404.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time
from typing import Any

import httpx
from authlib.common.security import generate_token, is_secure_transport
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from portal_app import routes
from portal_app.api.auth_routes import client_address, safe_next, set_session_cookie
from portal_app.db import session_scope
from portal_app.services.oidc import record_oidc_failure, sign_in_with_oidc
from portal_app.services.sessions import redeem_ticket
from portal_app.settings import Settings, get_settings

logger = logging.getLogger(__name__)

FLOW_COOKIE = "precert_oidc_flow"
FLOW_LIFETIME_SECONDS = 600
SCOPE = "openid email profile"
# Asymmetric algorithms only: an ID token must be signed with a key from the JWKS.
ID_TOKEN_ALGORITHMS = ("RS256", "PS256", "ES256")
CLOCK_LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 10.0
_REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class SsoError(Exception):
    """Single sign-on failed; the message goes to the log and audit trail, never the browser."""


# --- responses ---


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


def _refused() -> Response:
    response = RedirectResponse(f"{routes.SIGN_IN}?problem=sso", status_code=303)
    _clear_flow_cookie(response)
    return response


def redirect_uri(settings: Settings) -> str:
    """The callback address registered with the provider."""
    return f"{settings.public_url}{routes.AUTH_OIDC_CALLBACK}"


# --- the signed flow cookie ---


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _flow_signature(payload: str, secret: str) -> str:
    # A key of its own, so no other signed value of the portal can pass for a flow.
    key = hmac.new(secret.encode(), b"precert-oidc-flow", hashlib.sha256).digest()
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def seal_flow(flow: dict[str, Any], secret: str, *, now: float | None = None) -> str:
    """Sign the flow's state, nonce, code verifier and next page for the cookie.

    Args:
        flow: The values to carry from the login route to the callback.
        secret: The portal's secret key.
        now: The current UNIX time (for tests); defaults to the clock.

    Returns:
        ``payload.signature``, valid for ``FLOW_LIFETIME_SECONDS``.
    """
    expires = int((now if now is not None else time.time()) + FLOW_LIFETIME_SECONDS)
    payload = _b64(json.dumps({**flow, "exp": expires}, separators=(",", ":")).encode())
    return f"{payload}.{_flow_signature(payload, secret)}"


def open_flow(value: str | None, secret: str, *, now: float | None = None) -> dict[str, Any] | None:
    """Return the flow sealed by :func:`seal_flow`, or None if forged, malformed or expired."""
    payload, _, signature = (value or "").partition(".")
    if not payload or not hmac.compare_digest(signature, _flow_signature(payload, secret)):
        return None
    try:
        flow = json.loads(_unb64(payload))
    except ValueError:
        return None
    if not isinstance(flow, dict) or not isinstance(flow.get("exp"), int):
        return None
    if flow["exp"] <= (now if now is not None else time.time()):
        return None
    return flow


def _set_flow_cookie(response: Response, flow: dict[str, Any], settings: Settings) -> None:
    response.set_cookie(
        FLOW_COOKIE,
        seal_flow(flow, settings.secret_key),
        max_age=FLOW_LIFETIME_SECONDS,
        path=routes.AUTH_OIDC_CALLBACK,
        httponly=True,
        samesite="lax",
        secure=settings.uses_https,
    )


def _clear_flow_cookie(response: Response) -> None:
    response.delete_cookie(FLOW_COOKIE, path=routes.AUTH_OIDC_CALLBACK, httponly=True, samesite="lax")


# --- talking to the provider ---


def _client(settings: Settings) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri(settings),
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT_SECONDS,
    )


async def _discover(client: AsyncOAuth2Client, issuer: str) -> dict[str, Any]:
    """Fetch the provider's metadata and check that it speaks for ``issuer``."""
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    response = await client.request("GET", url, withhold_token=True)
    response.raise_for_status()
    metadata = response.json()
    if not isinstance(metadata, dict) or any(not metadata.get(key) for key in _REQUIRED_METADATA):
        raise SsoError("discovery document incomplete")
    if str(metadata["issuer"]).rstrip("/") != issuer.rstrip("/"):
        raise SsoError("discovery issuer mismatch")
    if not all(is_secure_transport(str(metadata[key])) for key in _REQUIRED_METADATA):
        raise SsoError("provider endpoints are not HTTPS")
    return metadata


def _token_auth_method(metadata: dict[str, Any]) -> str:
    supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return "client_secret_post" if "client_secret_basic" not in supported else "client_secret_basic"


async def _fetch_id_token_claims(settings: Settings, flow: dict[str, Any], code: str) -> CodeIDToken:
    """Trade the code (with the PKCE verifier) for tokens and return the checked ID token."""
    async with _client(settings) as client:
        metadata = await _discover(client, settings.oidc_issuer)
        client.token_endpoint_auth_method = _token_auth_method(metadata)
        token = await client.fetch_token(
            metadata["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=flow["verifier"],
        )
        if not token.get("id_token"):
            raise SsoError("token response has no ID token")
        jwks = await client.request("GET", metadata["jwks_uri"], withhold_token=True)
        jwks.raise_for_status()
    return validate_id_token(
        token["id_token"],
        jwks=jwks.json(),
        issuer=metadata["issuer"],
        client_id=settings.oidc_client_id,
        nonce=flow["nonce"],
        access_token=token.get("access_token"),
    )


def validate_id_token(
    id_token: str,
    *,
    jwks: dict[str, Any],
    issuer: str,
    client_id: str,
    nonce: str,
    access_token: str | None = None,
) -> CodeIDToken:
    """Check an ID token's signature and claims.

    Args:
        id_token: The compact JWT from the token response.
        jwks: The provider's JSON Web Key Set.
        issuer: The issuer named by the provider's discovery document.
        client_id: The portal's client ID, which must be an audience.
        nonce: The nonce sent with the authorization request.
        access_token: When given, ``at_hash`` (if present) must match it.

    Returns:
        The validated claims.

    Raises:
        joserfc.errors.JoseError: The signature or a claim is wrong, or a claim is missing.
        ValueError: The key set or token cannot be read.
    """
    decoded = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=list(ID_TOKEN_ALGORITHMS))
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        options={
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": client_id},
            "exp": {"essential": True},
            "nonce": {"essential": True, "value": nonce},
        },
        params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
    )
    claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
    return claims


# --- the routes ---

_FAILURES = (SsoError, httpx.HTTPError, OAuthError, JoseError, ValueError, KeyError, TypeError)


def _describe(error: Exception) -> str:
    """Name a failure for the log and audit trail without echoing any token."""
    if isinstance(error, SsoError):
        return str(error)
    if isinstance(error, JoseError):
        claim = getattr(error, "claim", None)
        return f"ID token rejected: {_safe_word(error.error)}" + (f" ({_safe_word(claim)})" if claim else "")
    if isinstance(error, OAuthError):
        return f"token request refused: {_safe_word(error.error)}"
    if isinstance(error, httpx.HTTPStatusError):
        return f"provider answered HTTP {error.response.status_code}"
    if isinstance(error, httpx.HTTPError):
        return f"provider unreachable: {type(error).__name__}"
    return type(error).__name__


def _safe_word(text: object) -> str:
    return re.sub(r"[^A-Za-z0-9_.:' -]", "", str(text or ""))[:60]


def _checked_flow(request: Request, settings: Settings) -> tuple[dict[str, Any], str]:
    """The flow from the cookie and the code from the provider, once ``state`` matches."""
    flow = open_flow(request.cookies.get(FLOW_COOKIE), settings.secret_key)
    if flow is None:
        raise SsoError("flow cookie missing, forged or expired")
    params = request.query_params
    if params.get("error"):
        raise SsoError(f"provider refused: {_safe_word(params['error'])}")
    if not hmac.compare_digest(params.get("state", "").encode(), str(flow.get("state", "")).encode()):
        raise SsoError("state mismatch")
    if not params.get("code"):
        raise SsoError("no authorization code")
    return flow, params["code"]


def _is_true(claim: object) -> bool:
    # Some providers send booleans as the strings "true" and "false".
    return claim is True or claim == "true"


def _sign_in_sync(claims: dict[str, Any], address: str, user_agent: str) -> str | None:
    with session_scope() as session:
        ticket = sign_in_with_oidc(
            session,
            email=str(claims.get("email") or ""),
            email_verified=_is_true(claims.get("email_verified")),
            client_address=address,
            user_agent=user_agent,
        )
        return redeem_ticket(session, ticket=ticket) if ticket else None


def _record_failure_sync(reason: str, address: str) -> None:
    with session_scope() as session:
        record_oidc_failure(session, reason=reason, client_address=address)


async def oidc_login(request: Request) -> Response:
    """Send the browser to the provider, remembering state, nonce and verifier in a cookie."""
    settings = get_settings()
    if not settings.oidc_enabled:
        return _not_found()
    flow = {
        "state": generate_token(32),
        "nonce": generate_token(32),
        "verifier": generate_token(64),
        "next": safe_next(request.query_params.get("next")),
    }
    try:
        async with _client(settings) as client:
            metadata = await _discover(client, settings.oidc_issuer)
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=flow["state"],
                code_verifier=flow["verifier"],
                nonce=flow["nonce"],
            )
    except _FAILURES as error:
        logger.warning("Single sign-on could not start: %s", _describe(error))
        return _refused()
    response = RedirectResponse(url, status_code=303)
    _set_flow_cookie(response, flow, settings)
    return response


async def oidc_callback(request: Request) -> Response:
    """Finish the sign-in: check the provider's answer, then set the session cookie."""
    settings = get_settings()
    if not settings.oidc_enabled:
        return _not_found()
    address = client_address(request)
    try:
        flow, code = _checked_flow(request, settings)
        claims = await _fetch_id_token_claims(settings, flow, code)
    except _FAILURES as error:
        reason = _describe(error)
        logger.warning("Single sign-on failed: %s", reason)
        await run_in_threadpool(_record_failure_sync, reason, address)
        return _refused()
    user_agent = request.headers.get("user-agent", "")
    token = await run_in_threadpool(_sign_in_sync, dict(claims), address, user_agent)
    if token is None:
        return _refused()
    response = RedirectResponse(safe_next(flow.get("next")), status_code=303)
    set_session_cookie(response, token)
    _clear_flow_cookie(response)
    return response


OIDC_ROUTES = [
    Route(routes.AUTH_OIDC_LOGIN, oidc_login, methods=["GET"]),
    Route(routes.AUTH_OIDC_CALLBACK, oidc_callback, methods=["GET"]),
]
