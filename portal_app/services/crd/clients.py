"""CRD clients (EHR organisations) and the JWT that authenticates every hook call (CDS Hooks 2.0,
"Trusting CDS Clients"): ``Authorization: Bearer <JWT>`` signed by the EHR with a key of the JWKS at
the URL registered for it (RS384 or ES384, never "none"), ``iss`` = its registered client id, ``aud``
= the URL of the service called, ``exp`` at most five minutes ahead, a ``jti`` never used before.

Precert reads from an EHR's FHIR server only at the base URLs registered for the client
(``fhir_servers``): the ``fhirServer`` of a call is data from the caller, and fetching any address it
names (with its ``fhirAuthorization`` token) would let a registered EHR make Precert request any URL.

The JWKS is fetched over HTTPS (``ehr_http``), cached for five minutes and fetched again once when
a ``kid`` is not in it (key rotation). A ``jku`` header other than the registered URL is refused.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization
from joserfc.jws import extract_compact
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import Role, UserStatus
from portal_app.domain.identifiers import is_valid_npi
from portal_app.models import CrdClient, CrdJti, User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require
from portal_app.services.crd import ehr_http

ALGORITHMS = ("RS384", "ES384")
MAX_JWT_SECONDS = 300
CLOCK_SKEW_SECONDS = 30
JWKS_CACHE_SECONDS = 300


class ClientRefused(ValueError):
    """A registration was refused; the message says why."""


class CallRefused(Exception):
    """A hook call's JWT was not accepted; ``reason`` is safe to answer and to store."""

    def __init__(self, reason: str, client: CrdClient | None = None):
        super().__init__(reason)
        self.reason, self.client = reason, client


@dataclass(frozen=True)
class CrdCaller:
    """The authenticated EHR organisation of a hook call."""

    crd_client_id: int
    client_id: str
    name: str
    user_id: int
    npis: frozenset[str]
    fhir_servers: frozenset[str] = frozenset()


# --- registering clients -----------------------------------------------------------------------


def _checked_url(url: str, what: str) -> str:
    parts = urlsplit(url.strip())
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if not ((parts.scheme == "https" and parts.hostname) or (parts.scheme == "http" and loopback)):
        raise ClientRefused(f"The {what} must use https (or http on this machine only).")
    if "@" in parts.netloc or parts.fragment:
        raise ClientRefused(f"Give the {what} without credentials or fragment.")
    return url.strip()


def _jwks_url(url: str) -> str:
    return _checked_url(url, "JWKS URL")


def fhir_base(url: str) -> str:
    """A FHIR server base URL as registered and as compared: scheme and host in lower case, no
    default port, no trailing slash (the form a call's ``fhirServer`` is matched in)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if not host or "@" in parts.netloc or parts.query or parts.fragment:
        return ""  # not a base URL: matches no registered server
    default_port = {"https": 443, "http": 80}.get(parts.scheme.lower())
    try:
        port = parts.port
    except ValueError:
        return ""
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


def _fhir_servers(urls: tuple[str, ...]) -> list[str]:
    cleaned = []
    for url in urls:
        if not url.strip():
            continue
        checked = _checked_url(url, "FHIR server base URL")
        if urlsplit(checked).query:
            raise ClientRefused("Give the FHIR server base URL without a query.")
        cleaned.append(fhir_base(checked))
    return sorted(set(cleaned))


def register_crd_client(
    session: Session,
    *,
    actor: Actor | None,
    client_id: str,
    name: str,
    jwks_url: str,
    npis: tuple[str, ...],
    fhir_servers: tuple[str, ...] = (),
) -> str:
    """Register an EHR organisation for the CDS Hooks service; returns its client id (the JWT iss).

    ``actor`` is the support admin doing it, or None for the operator at the command line.
    ``fhir_servers``: the base URLs of the EHR's FHIR servers Precert may read from when a call
    gives ``fhirAuthorization`` (none: calls are answered from their prefetch alone)."""
    if actor is not None:
        require(session, actor, "api.manage_clients")
    issuer = client_id.strip()
    if not issuer or len(issuer) > 255:
        raise ClientRefused("Give the client id the EHR puts in its JWTs' iss (at most 255 characters).")
    if session.exec(select(CrdClient.id).where(CrdClient.client_id == issuer)).first() is not None:
        raise ClientRefused(f"A CRD client {issuer!r} is registered already.")
    if not name.strip():
        raise ClientRefused("Give the client a name (the EHR organisation).")
    url = _jwks_url(jwks_url)
    servers = _fhir_servers(fhir_servers)
    cleaned = sorted({npi.strip() for npi in npis if npi.strip()})
    bad = [npi for npi in cleaned if not is_valid_npi(npi)]
    if bad or not cleaned:
        raise ClientRefused(
            f"Give the NPIs the client may act for; not valid: {', '.join(bad) or 'none given'}."
        )
    user = User(
        email=f"crd-{secrets.token_hex(8)}@crd-clients.precert.invalid",
        username=f"crd-{secrets.token_hex(8)}",
        password_hash="!crd-client: authenticates with a signed JWT, never a password",
        full_name=f"{name.strip()[:180]} (CRD client)",
        role=Role.ORDERING_PROVIDER_STAFF,
        status=UserStatus.DISABLED,
    )
    session.add(user)
    session.flush()
    client = CrdClient(
        client_id=issuer,
        name=name.strip()[:200],
        jwks_url=url,
        npis=cleaned,
        fhir_servers=servers,
        user_id=id_of(user),
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        action="crd_client.registered",
        user_id=actor.user_id if actor else None,
        record_type="crd_client",
        record_id=id_of(client),
        client_address=actor.client_address if actor else "",
        detail={
            "client_id": issuer,
            "npis": cleaned,
            "fhir_servers": servers,
            "by": "support admin" if actor else "operator",
        },
    )
    session.commit()
    return issuer


def set_fhir_servers(
    session: Session, *, actor: Actor | None, client_id: str, fhir_servers: tuple[str, ...]
) -> list[str]:
    """Replace the FHIR server base URLs a registered client's calls may be read from."""
    if actor is not None:
        require(session, actor, "api.manage_clients")
    client = session.exec(select(CrdClient).where(CrdClient.client_id == client_id)).first()
    if client is None:
        raise ClientRefused(f"No CRD client {client_id!r}.")
    servers = _fhir_servers(fhir_servers)
    client.fhir_servers = servers
    session.add(client)
    audit.record(
        session,
        action="crd_client.fhir_servers_set",
        user_id=actor.user_id if actor else None,
        record_type="crd_client",
        record_id=id_of(client),
        client_address=actor.client_address if actor else "",
        detail={
            "client_id": client_id,
            "fhir_servers": servers,
            "by": "support admin" if actor else "operator",
        },
    )
    session.commit()
    return servers


def disable_crd_client(session: Session, *, actor: Actor | None, client_id: str) -> None:
    if actor is not None:
        require(session, actor, "api.manage_clients")
    client = session.exec(select(CrdClient).where(CrdClient.client_id == client_id)).first()
    if client is None:
        raise ClientRefused(f"No CRD client {client_id!r}.")
    client.active, client.disabled_at = False, clock.now()
    session.add(client)
    audit.record(
        session,
        action="crd_client.disabled",
        user_id=actor.user_id if actor else None,
        record_type="crd_client",
        record_id=id_of(client),
        detail={"client_id": client_id},
    )
    session.commit()


# --- the JWKS, fetched and cached ----------------------------------------------------------------

_jwks_cache: dict[str, tuple[float, KeySet]] = {}


def forget_keys() -> None:
    _jwks_cache.clear()


def _fetch_keys(url: str) -> KeySet:
    try:
        answer = ehr_http.client().get(url, headers={"Accept": "application/json"})
        answer.raise_for_status()
        keys = KeySet.import_key_set(cast(KeySetSerialization, answer.json()))
    except (httpx.HTTPError, JoseError, ValueError, TypeError, KeyError):
        raise CallRefused("The client's JWKS could not be fetched or read.") from None
    _jwks_cache[url] = (time.monotonic(), keys)
    return keys


def _keys_for(url: str, kid: str) -> KeySet:
    cached = _jwks_cache.get(url)
    fresh = cached is not None and time.monotonic() - cached[0] < JWKS_CACHE_SECONDS
    if cached is not None and fresh and any(key.kid == kid for key in cached[1].keys):
        return cached[1]
    return _fetch_keys(url)


# --- authenticating a call -----------------------------------------------------------------------


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        compact = extract_compact(token.encode())
        import json

        claims = json.loads(compact.payload)
    except (JoseError, ValueError, TypeError):
        raise CallRefused("The bearer token is not a JWT.") from None
    if not isinstance(claims, dict):
        raise CallRefused("The JWT's claims are not a JSON object.")
    return dict(compact.headers()), claims


def _client(session: Session, issuer: Any) -> CrdClient:
    client = (
        session.exec(select(CrdClient).where(CrdClient.client_id == issuer)).first()
        if isinstance(issuer, str)
        else None
    )
    if client is None or not client.active:
        raise CallRefused("The JWT's iss is not a registered CRD client.")
    return client


def _check_claims(claims: dict[str, Any], audience: str, now: datetime, client: CrdClient) -> None:
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise CallRefused(f"The JWT's aud must be {audience}.", client)
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise CallRefused("The JWT needs an exp claim.", client)
    if exp < now.timestamp() - CLOCK_SKEW_SECONDS:
        raise CallRefused("The JWT has expired.", client)
    if exp - now.timestamp() > MAX_JWT_SECONDS + CLOCK_SKEW_SECONDS:
        raise CallRefused("The JWT's exp may be at most five minutes ahead.", client)
    if iat is not None and (not isinstance(iat, (int, float)) or iat > now.timestamp() + CLOCK_SKEW_SECONDS):
        raise CallRefused("The JWT's iat is in the future.", client)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        raise CallRefused("The JWT needs a jti.", client)


def _remember_jti(session: Session, client: CrdClient, jti: str, exp: float, now: datetime) -> None:
    expires = datetime.fromtimestamp(exp, UTC) + timedelta(seconds=CLOCK_SKEW_SECONDS)
    session.exec(delete(CrdJti).where(col(CrdJti.expires_at) < now - timedelta(hours=1)))
    session.add(CrdJti(crd_client_id=id_of(client), jti=jti, expires_at=expires))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise CallRefused("This JWT was used already (jti replayed).", client) from None


def authenticate_call(session: Session, *, authorization: str | None, audience: str) -> CrdCaller:
    """The EHR behind a hook call's bearer JWT; CallRefused (not yet audited) otherwise."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CallRefused("Send the call with Authorization: Bearer and a JWT signed by the EHR.")
    headers, claims = _unverified(token.strip())
    if headers.get("alg") not in ALGORITHMS:
        raise CallRefused("The JWT must be signed with RS384 or ES384.")
    client = _client(session, claims.get("iss"))
    if headers.get("jku") not in (None, client.jwks_url):
        raise CallRefused("The JWT's jku is not the JWKS URL registered for this client.", client)
    keys = _keys_for(client.jwks_url, str(headers.get("kid", "")))
    try:
        verified = jwt.decode(token.strip(), keys, algorithms=list(ALGORITHMS))
    except (JoseError, ValueError):
        raise CallRefused("The JWT's signature does not verify with the client's keys.", client) from None
    now = clock.now()
    _check_claims(verified.claims, audience, now, client)
    _remember_jti(session, client, verified.claims["jti"], float(verified.claims["exp"]), now)
    return CrdCaller(
        id_of(client),
        client.client_id,
        client.name,
        client.user_id,
        frozenset(client.npis),
        frozenset(client.fhir_servers or ()),
    )
