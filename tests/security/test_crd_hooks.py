"""The CDS Hooks routes (`/cds-services`, issue 22) on the running production build, over HTTP.

An unauthenticated or forged hook call is refused without PHI and stores nothing but the refusal.
An authenticated EHR cannot make Precert request an address of its choosing (SSRF): a `fhirServer`
not registered for the client is never contacted, and its token never sent. The EHR's JWKS and the
address the attacker names are two listeners on 127.0.0.1 in this test; the second records every
request that reaches it.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlmodel import func, select

from portal_app.models import CrdHookCall
from portal_app.services.crd.clients import register_crd_client
from tests.security.conftest import all_member_phi

HOOK_FILE = Path(__file__).resolve().parents[1] / "conformance" / "crd" / "hook-requests"
ORDERING_NPI = "1990000006"
KEY = RSAKey.generate_key(2048, parameters={"kid": "sweep-1", "use": "sig"})


class _Listener:
    """An HTTP listener on 127.0.0.1 that answers ``body`` and records the paths asked."""

    def __init__(self, body: dict):
        self.asked: list[tuple[str, str]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.asked.append((self.path, self.headers.get("Authorization", "")))
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def ehr(portal) -> Iterator[dict]:
    """A registered CRD client whose JWKS is served here, and the attacker's listener."""
    from sqlmodel import Session

    from portal_app.db import make_engine

    jwks = _Listener(KeySet([KEY]).as_dict(private=False))
    bait = _Listener({"resourceType": "Patient", "id": "example"})
    issuer = f"https://sweep-ehr-{uuid.uuid4().hex[:8]}.test"
    engine = make_engine(portal["db_url"])
    with Session(engine) as session:
        register_crd_client(
            session,
            actor=None,
            client_id=issuer,
            name="Sweep EHR",
            jwks_url=f"{jwks.url}/jwks.json",
            npis=(ORDERING_NPI,),
            fhir_servers=("https://fhir.sweep-ehr.test/r4",),
        )
    engine.dispose()
    try:
        yield {"iss": issuer, "bait": bait}
    finally:
        jwks.close()
        bait.close()


def _token(portal_url: str, issuer: str, service_id: str) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": f"{portal_url}/cds-services/{service_id}",
        "exp": now + 240,
        "iat": now,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode({"alg": "RS384", "kid": KEY.kid, "typ": "JWT"}, claims, KEY, algorithms=["RS384"])


def _post(url: str, body: dict, token: str | None) -> tuple[int, str, dict[str, str]]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(errors="replace"), dict(refused.headers)


def _hook() -> dict:
    hook = json.loads((HOOK_FILE / "order_sign_hook_request.json").read_text())
    hook["hookInstance"] = str(uuid.uuid4())
    return hook


def _calls(portal_db) -> int:
    return portal_db.exec(select(func.count()).select_from(CrdHookCall)).one()


def _no_phi(text: str) -> None:
    for phi in all_member_phi():
        assert not phi.found_in(text), phi.member_number


@pytest.mark.parametrize("token", [None, "not-a-jwt", "forged"])
def test_a_hook_call_without_a_valid_jwt_is_refused_without_phi(portal_url, portal_db, ehr, token):
    if token == "forged":  # signed by a key the client never published
        other = RSAKey.generate_key(2048, parameters={"kid": KEY.kid})
        claims = {"iss": ehr["iss"], "aud": f"{portal_url}/cds-services/order-sign-crd", "jti": "x"}
        header = {"alg": "RS384", "kid": KEY.kid}
        token = jwt.encode(header, claims | {"exp": int(time.time()) + 60}, other, algorithms=["RS384"])
    before = _calls(portal_db)
    status, body, _ = _post(f"{portal_url}/cds-services/order-sign-crd", _hook(), token)
    assert status == 401, body
    _no_phi(body)
    portal_db.expire_all()
    stored = portal_db.exec(select(CrdHookCall).order_by(CrdHookCall.id.desc())).first()  # type: ignore[union-attr]
    assert _calls(portal_db) == before + 1 and stored is not None and stored.request == {}


@pytest.mark.parametrize("path", ["/latest/meta-data", "/r4"])
def test_an_unregistered_fhir_server_is_never_contacted(portal_url, ehr, path):
    hook = _hook()
    hook["fhirServer"] = f"{ehr['bait'].url}{path}"
    hook["fhirAuthorization"] = {"access_token": "EHR-TOKEN", "token_type": "Bearer", "scope": "user/*.read"}
    token = _token(portal_url, ehr["iss"], "order-sign-crd")
    status, body, _ = _post(f"{portal_url}/cds-services/order-sign-crd", hook, token)
    assert status == 412 and "not a FHIR server registered" in body, body
    assert ehr["bait"].asked == []


def test_the_routes_answer_cors_on_the_production_stack(portal_url):
    request = urllib.request.Request(
        f"{portal_url}/cds-services/order-sign-crd",
        method="OPTIONS",
        headers={"Origin": "https://ehr-app.example.test", "Access-Control-Request-Method": "POST"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 204
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
    with urllib.request.urlopen(f"{portal_url}/cds-services", timeout=30) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        _no_phi(answer.read().decode())
