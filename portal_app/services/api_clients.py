"""API clients and their tokens: OAuth 2.0 client credentials with signed JWT assertions, the
SMART Backend Services profile (hl7.org/fhir/smart-app-launch/backend-services.html).

* A client is registered by an operator (`python -m portal_app.cli api-client create`) or a
  support admin with its public keys (a JWKS), bound to one organization (a practice, by tax ID).
  It gets a service user of its own: role ordering provider staff, disabled (nobody can sign in with
  it), so that what the client does runs through the same services, permission checks and audit
  trail as the portal, as that user.
* `POST /fhir/auth/token` takes `grant_type=client_credentials`,
  `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and a
  `client_assertion` JWT signed RS384 or ES384 with iss = sub = client_id, aud = the token URL,
  exp no more than five minutes ahead and a jti never used before (kept until the assertion expires).
  Authlib's authorization server (RFC 6749 client credentials grant, RFC 7523 client assertion)
  checks all of this; the answer is a bearer token that lives five minutes. Only its SHA-256 is
  stored.
* Every issued, refused and used token is in the audit trail.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.errors import InsecureTransportError, InvalidClientError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import AuditOutcome, Role, UserStatus
from portal_app.domain.identifiers import is_valid_npi, normalize_tax_id
from portal_app.models import ApiAccessToken, ApiAssertionJti, ApiClient, Practice, User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require
from portal_app.services.pas import vocabulary as v
from portal_app.settings import get_settings

TOKEN_PATH = "/fhir/auth/token"
TOKEN_SECONDS = 300  # SMART Backend Services: access tokens should live no longer than 5 minutes
MAX_ASSERTION_SECONDS = 300  # exp of the client assertion: no more than 5 minutes ahead
CLOCK_SKEW_SECONDS = 30
ALGORITHMS = ("RS384", "ES384")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AUTH_METHOD = "client_assertion_jwt"  # Authlib's name for private_key_jwt
MIN_RSA_BITS = 2048


class ClientRefused(ValueError):
    """A registration was refused; the message says why."""


@dataclass(frozen=True)
class ApiPrincipal:
    """Who is calling: the client, its organization, the scopes of its token and its Actor."""

    api_client_id: int
    client_id: str
    name: str
    practice_id: int
    tax_id: str
    scopes: frozenset[str]
    actor: Actor
    extra_npis: tuple[str, ...] = ()

    def may(self, *scopes: str) -> bool:
        return any(scope in self.scopes for scope in scopes)


@dataclass(frozen=True)
class TokenAnswer:
    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_url() -> str:
    return f"{get_settings().public_url}{TOKEN_PATH}"


# --- registering clients ---------------------------------------------------------------------


def _public_jwks(jwks: Any) -> dict[str, Any]:
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        raise ClientRefused('Give the client\'s public keys as a JWKS: {"keys": [...]}.')
    for key in jwks["keys"]:
        if not isinstance(key, dict):
            raise ClientRefused("Each key of the JWKS must be a JSON object.")
        if any(part in key for part in ("d", "p", "q", "dp", "dq", "qi", "k")):
            raise ClientRefused("The JWKS holds private key material; register only the public keys.")
        if key.get("kty") == "RSA":
            bits = (len(key.get("n", "")) * 6) // 8 * 8
            if bits < MIN_RSA_BITS - 8:
                raise ClientRefused(f"RSA keys must have at least {MIN_RSA_BITS} bits.")
        elif not (key.get("kty") == "EC" and key.get("crv") == "P-384"):
            raise ClientRefused("Keys must be RSA (for RS384) or EC P-384 (for ES384).")
    try:
        KeySet.import_key_set(cast(KeySetSerialization, jwks))  # its "keys" checked above
    except (JoseError, ValueError, TypeError) as invalid:
        raise ClientRefused(f"The JWKS could not be read: {invalid}") from None
    return {"keys": [dict(key) for key in jwks["keys"]]}


def _loopback(host: str | None) -> bool:
    return host in ("localhost", "127.0.0.1", "::1")


def _notify_prefix(prefix: str) -> str:
    """A vetted notification URL prefix; a bare origin gets its "/" so that it cannot match another
    host that merely starts the same (https://ehr.example vs https://ehr.example.evil)."""
    text = prefix.strip()
    parts = urlsplit(text)
    if not (
        (parts.scheme == "https" and parts.hostname) or (parts.scheme == "http" and _loopback(parts.hostname))
    ):
        raise ClientRefused(f"Notification URLs must use https (or http on this machine only): {prefix!r}.")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ClientRefused(f"Give the notification URL without credentials, query or fragment: {prefix!r}.")
    return text if parts.path else f"{text}/"


def register_client(
    session: Session,
    *,
    actor: Actor | None,
    name: str,
    practice_tax_id: str,
    jwks: Any,
    scopes: str = "",
    notify_url_prefixes: tuple[str, ...] = (),
    extra_npis: tuple[str, ...] = (),
) -> str:
    """Register a client for the organization with ``practice_tax_id``; returns its client_id.

    ``actor`` is the support admin doing it, or None for the operator at the command line (who
    holds the database anyway); either way the registration is audited."""
    if actor is not None:
        require(session, actor, "api.manage_clients")
    tax_id = normalize_tax_id(practice_tax_id)
    practice = session.exec(select(Practice).where(Practice.tax_id == tax_id)).first() if tax_id else None
    if practice is None:
        raise ClientRefused(f"No practice has the tax ID {practice_tax_id!r}.")
    if not name.strip():
        raise ClientRefused("Give the client a name (the EHR or intermediary system).")
    keys = _public_jwks(jwks)
    wanted = scopes.split() or list(v.ALL_SCOPES)
    unknown = [scope for scope in wanted if scope not in v.ALL_SCOPES]
    if unknown:
        raise ClientRefused(f"Unknown scopes: {', '.join(unknown)} (allowed: {', '.join(v.ALL_SCOPES)}).")
    npis = []
    for npi in extra_npis:
        if not is_valid_npi(npi.strip()):
            raise ClientRefused(f"{npi!r} is not a valid NPI.")
        npis.append(npi.strip())
    prefixes = [_notify_prefix(prefix) for prefix in notify_url_prefixes]
    client_id = f"pc-{secrets.token_hex(12)}"
    user = User(
        email=f"{client_id}@api-clients.precert.invalid",
        username=f"api-{client_id}",
        password_hash="!api-client: signs in with a JWT assertion, never a password",
        full_name=f"{name.strip()[:180]} (API client)",
        role=Role.ORDERING_PROVIDER_STAFF,
        status=UserStatus.DISABLED,
    )
    session.add(user)
    session.flush()
    client = ApiClient(
        client_id=client_id,
        name=name.strip()[:200],
        practice_id=id_of(practice),
        user_id=id_of(user),
        jwks=keys,
        scopes=" ".join(wanted),
        notify_url_prefixes=prefixes,
        extra_npis=npis,
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        action="api_client.registered",
        user_id=actor.user_id if actor else None,
        record_type="api_client",
        record_id=id_of(client),
        client_address=actor.client_address if actor else "",
        detail={
            "client_id": client_id,
            "practice_id": practice.id,
            "scopes": client.scopes,
            "by": "support admin" if actor else "operator (command line)",
        },
    )
    session.commit()
    return client_id


def disable_client(session: Session, *, actor: Actor | None, client_id: str) -> None:
    """Stop a client: its tokens stop working at once."""
    if actor is not None:
        require(session, actor, "api.manage_clients")
    client = session.exec(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    if client is None:
        raise ClientRefused(f"No client {client_id!r}.")
    client.active, client.disabled_at = False, clock.now()
    session.add(client)
    session.exec(delete(ApiAccessToken).where(col(ApiAccessToken.api_client_id) == client.id))
    audit.record(
        session,
        action="api_client.disabled",
        user_id=actor.user_id if actor else None,
        record_type="api_client",
        record_id=id_of(client),
        detail={"client_id": client_id},
    )
    session.commit()


def client_npis(session: Session, principal: ApiPrincipal) -> frozenset[str]:
    """The NPIs the client's organization answers for: its providers' and facilities' (billing
    under its tax ID) and any registered with the client."""
    from portal_app.models import Facility, Provider

    providers = session.exec(select(Provider.npi).where(Provider.tax_id == principal.tax_id)).all()
    facilities = session.exec(select(Facility.npi).where(Facility.tax_id == principal.tax_id)).all()
    return frozenset([*providers, *facilities, *principal.extra_npis])


# --- the token endpoint (Authlib) ------------------------------------------------------------


class _Client(ClientMixin):
    def __init__(self, row: ApiClient):
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        allowed = self.row.scopes.split()
        granted = [s for s in (scope.split() if scope else allowed) if s in allowed]
        return " ".join(granted) or None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == AUTH_METHOD and endpoint == "token"

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class _TokenRequest(OAuth2Request):
    def __init__(self, uri: str, headers: dict[str, str], form: dict[str, str]):
        super().__init__(method="POST", uri=uri, headers=headers)
        self._form = form
        self.payload = BasicOAuth2Payload(form)

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _Grant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [AUTH_METHOD]


class _Assertion(JWTBearerClientAssertion):
    """RFC 7523 client authentication, narrowed to what SMART Backend Services allows."""

    CLIENT_AUTH_METHOD = AUTH_METHOD

    def __init__(self, session: Session, audience: str, now: datetime):
        super().__init__(validate_jti=True, leeway=CLOCK_SKEW_SECONDS)
        self.session, self.audience, self.now = session, audience, now

    def get_audiences(self) -> list[str]:
        return [self.audience]

    def resolve_client_public_key(self, client: _Client) -> KeySet:
        return KeySet.import_key_set(cast(KeySetSerialization, client.row.jwks))  # checked when registered

    def extract_assertion(self, assertion: str):
        headers, claims = super().extract_assertion(assertion)
        if headers.get("alg") not in ALGORITHMS:
            raise InvalidClientError(description="The client assertion must be signed with RS384 or ES384.")
        return headers, claims

    def process_assertion_claims(self, assertion, resolve_key):
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=list(ALGORITHMS))
        except JoseError as error:
            raise InvalidClientError(
                description=error.description or "The client assertion is not valid."
            ) from None
        except ValueError:
            raise InvalidClientError(description="The client assertion is not valid.") from None
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims) -> None:
        expires = claims.get("exp")
        if not isinstance(expires, (int, float)) or isinstance(expires, bool):
            raise InvalidClientError(description="The client assertion needs an exp claim.")
        if expires - self.now.timestamp() > MAX_ASSERTION_SECONDS + CLOCK_SKEW_SECONDS:
            raise InvalidClientError(
                description="The client assertion's exp may be at most five minutes ahead."
            )
        super().verify_claims(claims)

    def validate_jti(self, claims, jti) -> bool:
        if not isinstance(jti, str) or not jti or len(jti) > 255:
            return False
        client = self.session.exec(select(ApiClient).where(ApiClient.client_id == claims["sub"])).first()
        if client is None:  # authenticate_client found the client by this sub before the jti check
            raise LookupError(f"API client {claims['sub']!r} does not exist")
        expires = datetime.fromtimestamp(float(claims["exp"]), UTC) + timedelta(seconds=CLOCK_SKEW_SECONDS)
        self.session.add(ApiAssertionJti(api_client_id=id_of(client), jti=jti, expires_at=expires))
        try:
            self.session.flush()
        except IntegrityError:
            self.session.rollback()
            return False
        return True


class _Server(AuthorizationServer):
    def __init__(self, session: Session, now: datetime):
        super().__init__(scopes_supported=list(v.ALL_SCOPES))
        self.session, self.now = session, now
        self.issued: dict[str, Any] | None = None

    def query_client(self, client_id):
        if not isinstance(client_id, str):
            return None
        row = self.session.exec(select(ApiClient).where(ApiClient.client_id == client_id)).first()
        return _Client(row) if row is not None and row.active else None

    def save_token(self, token, request):
        client: _Client = request.client
        self.session.add(
            ApiAccessToken(
                token_hash=_hash(token["access_token"]),
                api_client_id=id_of(client.row),
                scope=token.get("scope", ""),
                issued_at=self.now,
                expires_at=self.now + timedelta(seconds=TOKEN_SECONDS),
            )
        )
        self.issued = {"client": client.row, "scope": token.get("scope", "")}

    def send_signal(self, name, *args, **kwargs):
        pass

    def create_oauth2_request(self, request):
        return request

    def handle_response(self, status, body, headers):
        return TokenAnswer(status, body, list(headers))


def _unverified_subject(form: dict[str, str]) -> str:
    """The client_id an assertion claims, for the audit trail only (not trusted)."""
    try:
        import base64
        import json

        payload = form.get("client_assertion", "").split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims.get("sub", ""))[:64] if isinstance(claims, dict) else ""
    except (IndexError, ValueError, TypeError):
        return ""


def issue_token(
    session: Session,
    *,
    form: dict[str, str],
    headers: dict[str, str] | None = None,
    client_address: str = "",
    now: datetime | None = None,
) -> TokenAnswer:
    """The token endpoint: a bearer token for a valid client assertion, else an OAuth error."""
    now = now or clock.now()
    server = _Server(session, now)
    server.register_token_generator(
        "default",
        BearerTokenGenerator(lambda **_: secrets.token_urlsafe(32), expires_generator=TOKEN_SECONDS),
    )
    server.register_client_auth_method(AUTH_METHOD, _Assertion(session, token_url(), now))
    server.register_grant(_Grant)
    if form.get("client_assertion") and form.get("client_assertion_type") != ASSERTION_TYPE:
        answer = TokenAnswer(
            400,
            {
                "error": "invalid_request",
                "error_description": f"client_assertion_type must be {ASSERTION_TYPE}.",
            },
            [],
        )
    else:
        try:
            answer = server.create_token_response(_TokenRequest(token_url(), headers or {}, form))
        except InsecureTransportError:
            answer = TokenAnswer(
                400,
                {
                    "error": "insecure_transport",
                    "error_description": "The token endpoint must be reached over HTTPS.",
                },
                [],
            )
    if answer.status == 200 and server.issued:
        client = server.issued["client"]
        audit.record(
            session,
            action="api.token_issued",
            user_id=client.user_id,
            record_type="api_client",
            record_id=client.id,
            client_address=client_address,
            detail={"client_id": client.client_id, "scope": server.issued["scope"]},
        )
        _forget_expired(session, now)
    else:
        session.rollback()
        audit.record(
            session,
            action="api.token_refused",
            user_id=None,
            record_type="api_client",
            record_id=_unverified_subject(form),
            outcome=AuditOutcome.DENIED,
            client_address=client_address,
            detail={
                "error": answer.body.get("error", ""),
                "description": str(answer.body.get("error_description", ""))[:300],
            },
        )
    session.commit()
    return answer


def _forget_expired(session: Session, now: datetime) -> None:
    """Drop tokens and assertion ids that can no longer be used (kept an hour for the record)."""
    cutoff = now - timedelta(hours=1)
    session.exec(delete(ApiAccessToken).where(col(ApiAccessToken.expires_at) < cutoff))
    session.exec(delete(ApiAssertionJti).where(col(ApiAssertionJti.expires_at) < cutoff))


# --- using a token ---------------------------------------------------------------------------

_BEARER = re.compile(r"^Bearer\s+([A-Za-z0-9\-._~+/]+=*)$", re.IGNORECASE)


def bearer_token(authorization: str | None) -> str:
    match = _BEARER.match((authorization or "").strip())
    return match.group(1) if match else ""


def authenticate(
    session: Session, *, token: str, client_address: str = "", path: str = ""
) -> ApiPrincipal | None:
    """The principal behind a bearer token, or None (audited) when it is unknown or expired."""
    found = None
    if token:
        found = session.exec(
            select(ApiAccessToken, ApiClient, Practice)
            .join(ApiClient, col(ApiClient.id) == ApiAccessToken.api_client_id)
            .join(Practice, col(Practice.id) == ApiClient.practice_id)
            .where(ApiAccessToken.token_hash == _hash(token))
        ).first()
    if found is None or _aware(found[0].expires_at) <= clock.now() or not found[1].active:
        audit.record(
            session,
            action="api.request_unauthenticated",
            user_id=None,
            outcome=AuditOutcome.DENIED,
            client_address=client_address,
            detail={"path": path[:100], "reason": "expired" if found else "unknown token"},
        )
        session.commit()
        return None
    access, client, practice = found
    actor = Actor(
        user_id=client.user_id,
        role=Role.ORDERING_PROVIDER_STAFF,
        full_name=f"{client.name} (API client)",
        practice_ids=(client.practice_id,),
        client_address=client_address,
    )
    return ApiPrincipal(
        id_of(client),
        client.client_id,
        client.name,
        client.practice_id,
        practice.tax_id,
        frozenset(access.scope.split()),
        actor,
        tuple(client.extra_npis or ()),
    )


def smart_configuration() -> dict[str, Any]:
    """`.well-known/smart-configuration` for backend services."""
    return {
        "token_endpoint": token_url(),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(ALGORITHMS),
        "scopes_supported": list(v.ALL_SCOPES),
        "capabilities": ["client-confidential-asymmetric"],
    }
