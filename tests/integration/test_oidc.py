"""Single sign-on against a real OpenID provider started on loopback by the tests.

The provider is a small Starlette app served by uvicorn on 127.0.0.1, built
from Authlib's server parts (``AuthorizationServer``, ``AuthorizationCodeGrant``
with ``CodeChallenge`` and ``OpenIDCode``). It publishes discovery and a JWKS,
auto-approves whichever test user it is told to, and signs RS256 ID tokens with
a key made here. The portal side is a Starlette app holding ``OIDC_ROUTES``,
driven with ``TestClient``; redirects between the portal and the provider are
followed by hand, over real HTTP to the provider. Nothing on the client side is
mocked: discovery, PKCE, the code exchange, JWKS and ID token checks all run.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
import uvicorn
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import KeySet, RSAKey
from sqlmodel import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from portal_app import db, routes
from portal_app.api.oidc_routes import FLOW_COOKIE, OIDC_ROUTES
from portal_app.domain.enums import AuditOutcome, Role, UserStatus
from portal_app.models import AuditEvent, AuthSession, User
from portal_app.services.sessions import SESSION_COOKIE
from portal_app.settings import get_settings

PORTAL = "http://testserver"
CLIENT_ID = "precert-portal"
CLIENT_SECRET = "a-client-secret-for-tests"
REDIRECT_URI = f"{PORTAL}{routes.AUTH_OIDC_CALLBACK}"
REFUSED = f"{routes.SIGN_IN}?problem=sso"


# --- the OpenID provider -------------------------------------------------------


@dataclass
class Person:
    """The end user the provider vouches for."""

    sub: str
    email: str
    email_verified: bool = True


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic" if endpoint == "token" else True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class ProviderRequest(OAuth2Request):
    """An Authlib request built from a Starlette request whose form was already read."""

    def __init__(self, request: Request, form: dict[str, str]):
        super().__init__(method=request.method, uri=str(request.url), headers=request.headers)
        self._args = dict(request.query_params)
        self._form = form
        self.payload = BasicOAuth2Payload({**self._args, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Provider:
    """A small OpenID provider; tests set ``person`` and may make it misbehave."""

    def __init__(self) -> None:
        self.signing_key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.issuer = ""
        self.codes: dict[str, Code] = {}
        self.reset()
        self.server = self._authorization_server()

    def reset(self) -> None:
        self.person = Person(sub="sub-1", email="pat@example.test")
        self.approve = True
        self.id_token_overrides: dict[str, Any] = {}
        self.rogue_key: RSAKey | None = None
        self.authorization_requests: list[dict[str, str]] = []
        self.codes.clear()

    # Authlib's server parts

    def _authorization_server(self) -> AuthorizationServer:
        server = self._server_class()(scopes_supported=["openid", "email", "profile"])
        server.register_token_generator(
            "default", BearerTokenGenerator(lambda **_: generate_token(42), expires_generator=300)
        )
        server.register_grant(
            self._code_grant_class(),
            [CodeChallenge(required=True), self._openid_extension_class()(require_nonce=True)],
        )
        return server

    def _server_class(self) -> type[AuthorizationServer]:
        client = Client(CLIENT_ID, CLIENT_SECRET, (REDIRECT_URI,))

        class Server(AuthorizationServer):
            def query_client(self, client_id):
                return client if client_id == client.client_id else None

            def save_token(self, token, request):
                pass

            def send_signal(self, name, *args, **kwargs):
                pass

            def create_oauth2_request(self, request):
                return request

            def handle_response(self, status, body, headers):
                content = json.dumps(body) if isinstance(body, dict) else body
                return Response(content, status_code=status, headers=dict(headers))

        return Server

    def _code_grant_class(self) -> type[AuthorizationCodeGrant]:
        provider = self

        class CodeGrant(AuthorizationCodeGrant):
            def save_authorization_code(self, code, request):
                data = request.payload.data
                provider.codes[code] = Code(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.scope,
                    person=request.user,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                return item if item and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        return CodeGrant

    def _openid_extension_class(self) -> type[OpenIDCode]:
        provider = self

        class OpenIDExtension(OpenIDCode):
            def resolve_client_private_key(self, client):
                return provider.rogue_key or provider.signing_key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "test-key"}

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.client_id], "exp": int(time.time()) + 300}

            def exists_nonce(self, nonce, request):
                return any(code.nonce == nonce for code in provider.codes.values())

            def generate_user_info(self, person, scope):
                claims = {"sub": person.sub, "email": person.email, "email_verified": person.email_verified}
                return {**claims, **provider.id_token_overrides}

        return OpenIDExtension

    # HTTP endpoints

    def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks.json",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self.signing_key]).as_dict(private=False))

    def authorize(self, request: Request) -> Response:
        """Approve at once (no login page) for ``person``, or refuse when ``approve`` is off."""
        self.authorization_requests.append(dict(request.query_params))
        if request.query_params.get("code_challenge_method") != "S256":
            return JSONResponse({"error": "invalid_request", "error_description": "PKCE S256 required"}, 400)
        oauth_request = ProviderRequest(request, {})
        grant = self.server.get_consent_grant(oauth_request, end_user=self.person)
        user = self.person if self.approve else None
        return self.server.create_authorization_response(oauth_request, grant_user=user, grant=grant)

    async def token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        return self.server.create_token_response(ProviderRequest(request, form))

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks.json", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The provider, served by uvicorn on a free loopback port for this module's tests."""
    provider = Provider()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(provider.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test provider did not start"
        time.sleep(0.01)
    yield provider
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


# --- the portal side -------------------------------------------------------------


def _reset_caches() -> None:
    get_settings.cache_clear()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()


@pytest.fixture
def portal_env(monkeypatch, db_url) -> Iterator[None]:
    monkeypatch.setenv("DB_URL", db_url)
    monkeypatch.setenv("SECRET_KEY", "a-secret-key-for-the-oidc-tests")
    monkeypatch.setenv("PUBLIC_URL", PORTAL)
    _reset_caches()
    yield
    _reset_caches()


@pytest.fixture
def oidc_env(portal_env, monkeypatch, provider) -> Provider:
    monkeypatch.setenv("OIDC_ISSUER", provider.issuer)
    monkeypatch.setenv("OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("OIDC_CLIENT_SECRET", CLIENT_SECRET)
    get_settings.cache_clear()
    provider.reset()
    return provider


@pytest.fixture
def portal() -> Iterator[TestClient]:
    with TestClient(Starlette(routes=OIDC_ROUTES), base_url=PORTAL, follow_redirects=False) as client:
        yield client


def _user(session, email: str, status: UserStatus = UserStatus.ACTIVE) -> User:
    user = User(
        email=email,
        username=email.split("@")[0],
        password_hash="!unusable",
        full_name="Pat Example",
        role=Role.ORDERING_PROVIDER_STAFF,
        status=status,
    )
    session.add(user)
    session.commit()
    return user


def _portal_path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PORTAL, url
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


def sign_in(
    portal: TestClient,
    provider: Provider,
    *,
    next_page: str = "/",
    tamper: Callable[[str], str] = lambda url: url,
) -> httpx.Response:
    """Run the whole browser round trip and return the portal's final answer."""
    login = portal.get(routes.AUTH_OIDC_LOGIN, params={"next": next_page})
    assert login.status_code == 303, login.text
    assert login.headers["location"].startswith(f"{provider.issuer}/authorize?")
    at_provider = httpx.get(login.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    return portal.get(_portal_path(tamper(at_provider.headers["location"])))


def _cookie_header(response: httpx.Response, name: str) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


def _oidc_audit(session) -> list[AuditEvent]:
    return session.exec(
        select(AuditEvent).where(AuditEvent.action.like("sign_in.oidc%")).order_by(AuditEvent.id)
    ).all()


def _sessions(session) -> list[AuthSession]:
    return session.exec(select(AuthSession)).all()


# --- tests -------------------------------------------------------------------------


def test_an_approved_user_with_a_verified_email_is_signed_in(oidc_env, portal, session):
    user = _user(session, "pat@example.test")
    oidc_env.person = Person(sub="sub-1", email="Pat@Example.TEST")

    answer = sign_in(portal, oidc_env, next_page="/orders/PA-1")

    assert answer.status_code == 303 and answer.headers["location"] == "/orders/PA-1"
    cookie = _cookie_header(answer, SESSION_COOKIE)
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    token = cookie.split(";")[0].split("=", 1)[1]
    rows = _sessions(session)
    assert len(rows) == 1 and rows[0].user_id == user.id
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert rows[0].ticket_hash is None  # the one-time ticket was redeemed
    [event] = _oidc_audit(session)
    assert (event.action, event.user_id) == ("sign_in.oidc_succeeded", user.id)
    assert event.outcome == AuditOutcome.SUCCESS
    assert token not in json.dumps(event.detail)
    # The protocol really ran with PKCE S256, state and nonce.
    [request] = oidc_env.authorization_requests
    assert request["code_challenge_method"] == "S256" and request["nonce"] and request["state"]
    assert request["redirect_uri"] == REDIRECT_URI and "openid" in request["scope"].split()


def test_the_flow_cookie_is_short_lived_httponly_and_lax(oidc_env, portal):
    login = portal.get(routes.AUTH_OIDC_LOGIN)
    cookie = _cookie_header(login, FLOW_COOKIE).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=600" in cookie


def test_an_unsafe_next_page_is_replaced_by_home(oidc_env, portal, session):
    _user(session, "pat@example.test")
    answer = sign_in(portal, oidc_env, next_page="//evil.example/")
    assert answer.headers["location"] == routes.HOME


@pytest.mark.parametrize(
    ("email", "status", "verified", "reason", "outcome"),
    [
        ("stranger@example.test", UserStatus.ACTIVE, True, "unknown account", AuditOutcome.FAILURE),
        (
            "pat@example.test",
            UserStatus.PENDING_SUPPORT_APPROVAL,
            True,
            "status pending_support_approval",
            AuditOutcome.DENIED,
        ),
        ("pat@example.test", UserStatus.ACTIVE, False, "email not verified", AuditOutcome.DENIED),
    ],
    ids=["unknown-email", "pending-user", "unverified-email"],
)
def test_accounts_that_may_not_sign_in_are_refused_and_audited(
    oidc_env, portal, session, email, status, verified, reason, outcome
):
    _user(session, "pat@example.test", status)
    oidc_env.person = Person(sub="sub-1", email=email, email_verified=verified)

    answer = sign_in(portal, oidc_env)

    assert answer.status_code == 303 and answer.headers["location"] == REFUSED
    assert SESSION_COOKIE not in answer.cookies
    assert _sessions(session) == []
    [event] = _oidc_audit(session)
    assert (event.action, event.outcome, event.detail) == ("sign_in.oidc_failed", outcome, {"reason": reason})


def test_a_user_locked_after_failed_passwords_cannot_use_single_sign_on(oidc_env, portal, session):
    user = _user(session, "pat@example.test", UserStatus.ACTIVE)
    user.locked_until = datetime.now(UTC) + timedelta(minutes=10)
    session.add(user)
    session.commit()
    oidc_env.person = Person(sub="sub-1", email="pat@example.test", email_verified=True)

    answer = sign_in(portal, oidc_env)

    assert answer.headers["location"] == REFUSED
    [event] = _oidc_audit(session)
    assert event.detail == {"reason": "locked after failed sign-ins"}


def test_a_tampered_state_is_refused(oidc_env, portal, session):
    _user(session, "pat@example.test")

    answer = sign_in(portal, oidc_env, tamper=lambda url: _with_query(url, state="forged-state"))

    assert answer.headers["location"] == REFUSED
    assert _sessions(session) == []
    [event] = _oidc_audit(session)
    assert event.action == "sign_in.oidc_failed" and event.detail == {"reason": "state mismatch"}


def test_a_callback_without_the_flow_cookie_is_refused(oidc_env, portal, session):
    _user(session, "pat@example.test")
    login = portal.get(routes.AUTH_OIDC_LOGIN)
    at_provider = httpx.get(login.headers["location"], follow_redirects=False)
    portal.cookies.clear()

    answer = portal.get(_portal_path(at_provider.headers["location"]))

    assert answer.headers["location"] == REFUSED and _sessions(session) == []


@pytest.mark.parametrize(
    ("misbehaviour", "reason"),
    [
        ("rogue-signing-key", "ID token rejected: bad_signature"),
        ("other-audience", "ID token rejected: invalid_claim (aud)"),
        ("other-issuer", "ID token rejected: invalid_claim (iss)"),
        ("other-nonce", "ID token rejected: invalid_claim (nonce)"),
        ("expired", "ID token rejected: expired_token (exp)"),
    ],
)
def test_an_id_token_that_fails_validation_is_refused(oidc_env, portal, session, misbehaviour, reason):
    _user(session, "pat@example.test")
    if misbehaviour == "rogue-signing-key":
        oidc_env.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    else:
        oidc_env.id_token_overrides = {
            "other-audience": {"aud": ["someone-else"]},
            "other-issuer": {"iss": "http://127.0.0.1:1"},
            "other-nonce": {"nonce": "not-the-nonce-we-sent"},
            "expired": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        }[misbehaviour]

    answer = sign_in(portal, oidc_env)

    assert answer.headers["location"] == REFUSED
    assert _sessions(session) == []
    [event] = _oidc_audit(session)
    assert (event.action, event.user_id, event.detail) == ("sign_in.oidc_failed", None, {"reason": reason})


def test_a_refusal_at_the_provider_is_refused(oidc_env, portal, session):
    _user(session, "pat@example.test")
    oidc_env.approve = False

    answer = sign_in(portal, oidc_env)

    assert answer.headers["location"] == REFUSED and _sessions(session) == []
    assert _oidc_audit(session)[0].detail == {"reason": "provider refused: access_denied"}


def test_without_oidc_settings_both_routes_answer_404(portal_env, portal, monkeypatch):
    for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()

    assert portal.get(routes.AUTH_OIDC_LOGIN).status_code == 404
    assert portal.get(routes.AUTH_OIDC_CALLBACK, params={"code": "x", "state": "y"}).status_code == 404
