"""Helpers for the PAS API tests: example Bundles made for a member and a date, registered API
clients holding a real key pair, signed client assertions, and a notification receiver on loopback.

The example Bundles in `pas_bundles/` are written for the project (imaging approved at once,
imaging pended, a rehabilitation visit request and an oncology regimen); the tests load them and
put in the member, the dates and the Claim identifier each test needs.
"""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from sqlmodel import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal_app.models import Member
from portal_app.services import api_clients

BUNDLES = Path(__file__).parent
PORTAL = "https://precert.test"
TOKEN_URL = f"{PORTAL}{api_clients.TOKEN_PATH}"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition"
MAPLE_TAX_ID, HARBOR_TAX_ID = "90-1000001", "90-1000002"
IMAGING_FACILITY_NPI = "2990000038"  # Fairview Free-standing Imaging Center 4, in network for EVG
OUT_OF_NETWORK_FACILITY_NPI = "2990000053"  # Fairview Free-standing Imaging Center 6
ORDERING_NPI = "1990000006"  # Avery Demoson, Maple Street


def bundle(name: str) -> dict[str, Any]:
    return json.loads((BUNDLES / f"{name}.json").read_text())


def service_date() -> date:
    """Two weeks ahead: inside the imaging code lists' years and not a retro request."""
    return date.today() + timedelta(days=14)


def entry(raw: dict, resource_type: str) -> dict:
    return next(e["resource"] for e in raw["entry"] if e["resource"]["resourceType"] == resource_type)


def claim(raw: dict) -> dict:
    return raw["entry"][0]["resource"]


def for_member(
    raw: dict,
    session,
    member_number: str,
    *,
    claim_id: str | None = None,
    when: date | None = None,
    quantity: int | None = None,
) -> dict:
    """A copy of ``raw`` for the demo member ``member_number``, with its own Claim identifier."""
    raw = copy.deepcopy(raw)
    member = session.exec(select(Member).where(Member.member_number == member_number)).one()
    patient = entry(raw, "Patient")
    patient["identifier"][0]["value"] = member_number
    patient["name"] = [{"family": member.last_name, "given": [member.first_name]}]
    patient["birthDate"] = member.date_of_birth.isoformat()
    entry(raw, "Coverage")["subscriberId"] = member_number
    the_claim = claim(raw)
    the_claim["identifier"][0]["value"] = claim_id or f"TEST-{uuid.uuid4().hex[:12]}"
    when = when or service_date()
    for item in the_claim["item"]:
        if "servicedDate" in item:
            item["servicedDate"] = when.isoformat()
        if "servicedPeriod" in item:
            item["servicedPeriod"] = {
                "start": when.isoformat(),
                "end": (when + timedelta(days=60)).isoformat(),
            }
        if quantity is not None:
            item["quantity"] = {"value": quantity}
    for resource in (e["resource"] for e in raw["entry"]):
        if resource["resourceType"] == "ServiceRequest" and "occurrenceDateTime" in resource:
            resource["occurrenceDateTime"] = when.isoformat()
        if resource["resourceType"] == "QuestionnaireResponse":  # dates the answers give, moved along
            for item in resource["item"]:
                if item["linkId"] == "first_cycle_start":
                    item["answer"] = [{"valueDate": when.isoformat()}]
                if item["linkId"] == "initial_evaluation_date":
                    item["answer"] = [{"valueDate": (when - timedelta(days=3)).isoformat()}]
    return raw


def claim_identifier(raw: dict) -> dict:
    return claim(raw)["identifier"][0]


def with_performer(raw: dict, npi: str) -> dict:
    raw = copy.deepcopy(raw)
    for resource in (e["resource"] for e in raw["entry"]):
        if resource["resourceType"] == "Organization" and any(
            i.get("system") == "http://hl7.org/fhir/sid/us-npi" for i in resource.get("identifier", [])
        ):
            resource["identifier"] = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": npi}]
    return raw


def acknowledge(raw: dict, *codes: str) -> dict:
    raw = copy.deepcopy(raw)
    claim(raw).setdefault("extension", []).extend(
        {"url": "https://fhir.precert.invalid/StructureDefinition/acknowledged", "valueCode": code}
        for code in codes
    )
    return raw


def update_of(original: dict, *, claim_id: str | None = None) -> dict:
    """A PAS Claim update of ``original``: new identifier, related.claim = the original's identifier,
    and no items (differential form); the caller adds what changes."""
    raw = copy.deepcopy(original)
    the_claim = claim(raw)
    prior = dict(the_claim["identifier"][0])
    the_claim["identifier"] = [{**prior, "value": claim_id or f"UPD-{uuid.uuid4().hex[:12]}"}]
    the_claim["related"] = [
        {
            "claim": {"identifier": prior},
            "relationship": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/related-claim-relationship",
                        "code": "prior",
                    }
                ]
            },
        }
    ]
    the_claim["item"] = []
    the_claim["supportingInfo"] = []
    return raw


# --- API clients ---------------------------------------------------------------------------------


@dataclass
class Client:
    """A registered client and its private key; makes assertions and gets tokens."""

    client_id: str
    key: Any
    alg: str
    tokens: list[str] = field(default_factory=list)

    def assertion(self, *, key: Any = None, alg: str | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": TOKEN_URL,
            "exp": now + 240,
            "iat": now,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        payload = {k: val for k, val in payload.items() if val is not None}
        header = {"alg": alg or self.alg, "kid": (key or self.key).kid, "typ": "JWT"}
        return jwt.encode(header, payload, key or self.key, algorithms=[alg or self.alg])

    def token_form(self, assertion: str | None = None, **extra: str) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion or self.assertion(),
            **extra,
        }

    def token(self, api) -> str:
        answer = api.post(api_clients.TOKEN_PATH, data=self.token_form())
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]

    def headers(self, api) -> dict[str, str]:
        if not self.tokens:
            self.tokens.append(self.token(api))
        return {"Authorization": f"Bearer {self.tokens[-1]}", "Content-Type": "application/fhir+json"}


def new_key(alg: str):
    if alg == "ES384":
        return ECKey.generate_key("P-384", parameters={"kid": uuid.uuid4().hex[:8], "use": "sig"})
    return RSAKey.generate_key(2048, parameters={"kid": uuid.uuid4().hex[:8], "use": "sig"})


def register(
    session,
    *,
    tax_id: str = MAPLE_TAX_ID,
    alg: str = "RS384",
    notify: tuple[str, ...] = (),
    extra_npis: tuple[str, ...] = (),
    scopes: str = "",
) -> Client:
    key = new_key(alg)
    client_id = api_clients.register_client(
        session,
        actor=None,
        name=f"Test EHR ({tax_id})",
        practice_tax_id=tax_id,
        jwks=KeySet([key]).as_dict(private=False),
        notify_url_prefixes=notify,
        extra_npis=extra_npis,
        scopes=scopes,
    )
    return Client(client_id, key, alg)


def register_for(engine, tax_id: str) -> Client:
    """A client of the organization with ``tax_id``, registered in its own session (benchmarks)."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        return register(session, tax_id=tax_id)


# --- a subscriber on loopback --------------------------------------------------------------------


class Receiver:
    """Records what is posted to /notify; answers 503 to the first ``failures`` posts."""

    def __init__(self) -> None:
        self.url = ""
        self.reset()

    def reset(self) -> None:
        self.received: list[tuple[dict[str, str], dict]] = []
        self.failures = 0

    async def notify(self, request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        if self.failures > 0:
            self.failures -= 1
            return JSONResponse({"busy": True}, status_code=503)
        self.received.append((dict(request.headers), body))
        return JSONResponse({}, status_code=200)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/notify", self.notify, methods=["POST"])])


def serve_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    receiver.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(receiver.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the receiver did not start"
        time.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
