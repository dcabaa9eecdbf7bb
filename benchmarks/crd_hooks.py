"""Time CRD `order-sign` calls end to end on SQLite: the EHR's JWT (signature with its JWKS, audience,
replay check), the prefetched Patient, Coverage and Practitioner, the requirement per code, the
wizard's steps and rules engine for managed orders, the authorization for those that meet the
guideline, the coverage-information answer and the stored call.

Usage: .venv/bin/python benchmarks/crd_hooks.py [CALLS]   (default 400)

A fresh SQLite database gets the demo data plus synthetic members of the demo plan EVG (one per call,
so that no order duplicates another). The routes run in process behind Starlette's TestClient; each
EHR's JWKS is served in process (nothing is downloaded). The draft orders are a realistic mix: 60 %
lumbar MRIs with the imaging questionnaire answered (met: `satisfied` with an authorization number),
20 % MRIs without the answers (`auth-needed`), 20 % a prescription drug by RxNorm code (not managed:
`no-auth`). Runs CALLS calls from one client, then CALLS calls spread over 20 clients calling at once.
Prints median, p90 and p99 latency and the share answered `satisfied`; the issue aims for p90 under
500 ms on this machine (the CRD guide: 90 % of calls within 5 s).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CLIENTS = 20
ORDERING_NPI = "1990000006"  # Avery Demoson, Maple Street (demo)
IMAGING_NPI = "2990000038"  # Fairview Free-standing Imaging Center 4, in network for EVG


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[max(0, int(len(ordered) * fraction + 0.5) - 1)]


def _report(label: str, samples: list[tuple[float, str]], seconds: float) -> None:
    ordered = sorted(ms for ms, _ in samples)
    satisfied = sum(1 for _, answer in samples if answer == "satisfied")
    print(
        f"{label:<30} median {statistics.median(ordered):6.1f} ms   "
        f"p90 {_percentile(ordered, 0.90):6.1f} ms   "
        f"p99 {_percentile(ordered, 0.99):6.1f} ms   {len(ordered) / seconds:5.1f} calls/s   "
        f"satisfied {100 * satisfied / len(ordered):4.1f} %   (n={len(ordered)})"
    )


def main(calls: int) -> None:
    folder = tempfile.mkdtemp(prefix="crd-bench-")
    try:
        _run(calls, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _members(engine, count: int) -> list[Any]:
    from sqlmodel import Session, select

    from portal_app.domain.enums import LineOfBusiness, Sex
    from portal_app.models import HealthPlan, Member

    with Session(engine, expire_on_commit=False) as session:
        plan = session.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
        members = [
            Member(
                plan_id=plan.id,
                member_number=f"EVGC{n:08d}",
                first_name="Bench",
                last_name=f"Member{n}",
                date_of_birth=date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
                sex=Sex.FEMALE,
                line_of_business=LineOfBusiness.COMMERCIAL_HMO_POS,
                address_line="1 Bench Way",
                city="Fairview",
                state="OR",
                postal_code="97024",
                eligibility_start=date(2024, 1, 1),
            )
            for n in range(count)
        ]
        session.add_all(members)
        session.commit()
        return members


def _order(n: int, answers: dict[str, Any]) -> dict[str, Any]:
    kind = n % 5
    if kind == 4:  # not managed: a drug named by RxNorm
        return {
            "resourceType": "MedicationRequest",
            "id": f"med-{n}",
            "status": "draft",
            "intent": "order",
            "medicationCodeableConcept": {
                "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "617993"}]
            },
            "subject": {"reference": "Patient/p"},
        }
    order: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": f"mri-{n}",
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "72148"}]},
        "subject": {"reference": "Patient/p"},
        "occurrenceDateTime": (date.today() + timedelta(days=14)).isoformat(),
        "requester": {"reference": "Practitioner/u"},
        "performer": [{"reference": "#site"}],
        "reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54.50"}]}],
        "contained": [
            {
                "resourceType": "Organization",
                "id": "site",
                "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": IMAGING_NPI}],
            }
        ],
    }
    if kind < 3:  # met: the questionnaire answered
        order["contained"].append(answers)
        order["supportingInfo"] = [{"reference": "#dtr"}]
    return order


def _hook(member: Any, order: dict[str, Any]) -> dict[str, Any]:
    patient = {
        "resourceType": "Patient",
        "id": "p",
        "name": [{"family": member.last_name, "given": [member.first_name]}],
        "birthDate": member.date_of_birth.isoformat(),
    }
    coverage = {
        "resourceType": "Coverage",
        "id": "c",
        "status": "active",
        "subscriberId": member.member_number,
    }
    practitioner = {
        "resourceType": "Practitioner",
        "id": "u",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": ORDERING_NPI}],
    }
    return {
        "hook": "order-sign",
        "hookInstance": str(uuid.uuid4()),
        "context": {
            "userId": "Practitioner/u",
            "patientId": "p",
            "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": order}]},
        },
        "prefetch": {
            "patient": patient,
            "user": practitioner,
            "coverage": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": coverage}]},
        },
    }


def _run(calls: int, folder: str) -> None:
    url = f"sqlite:///{Path(folder) / 'bench.db'}"
    os.environ.update(
        DB_URL=url, DATA_DIR=folder, PUBLIC_URL="https://precert.bench", SECRET_KEY="crd-bench-key"
    )

    import copy
    import json

    import httpx
    from joserfc import jwt
    from joserfc.jwk import KeySet, RSAKey
    from sqlmodel import Session
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from portal_app.api.cds_hooks_routes import CDS_HOOKS_ROUTES
    from portal_app.cli import migrate, seed
    from portal_app.db import make_engine
    from portal_app.services.crd import clients as crd_clients
    from portal_app.services.crd import ehr_http

    migrate(url)
    seed(url, history_size=0, quiet=True)
    engine = make_engine(url)
    members = _members(engine, 2 * calls + 1)
    keys = {n: RSAKey.generate_key(2048, parameters={"kid": f"k{n}"}) for n in range(CLIENTS)}
    with Session(engine) as session:
        for n in range(CLIENTS):
            crd_clients.register_crd_client(
                session,
                actor=None,
                client_id=f"https://ehr{n}.bench",
                name=f"Bench EHR {n}",
                jwks_url=f"https://ehr{n}.bench/jwks",
                npis=(ORDERING_NPI,),
            )
    jwks = {f"https://ehr{n}.bench/jwks": KeySet([key]).as_dict(private=False) for n, key in keys.items()}
    ehr_http.use_transport(
        httpx.MockTransport(lambda request: httpx.Response(200, json=jwks[str(request.url)]))
    )
    approved = json.loads(
        (
            Path(__file__).resolve().parent.parent / "tests/integration/pas_bundles/imaging-approved.json"
        ).read_text()
    )
    answers = copy.deepcopy(
        next(
            e["resource"]
            for e in approved["entry"]
            if e["resource"]["resourceType"] == "QuestionnaireResponse"
        )
    )
    answers["id"] = "dtr"
    service = "https://precert.bench/cds-services/order-sign-crd"

    def call(api: TestClient, client: int, n: int) -> tuple[float, str]:
        now = int(time.time())
        claims = {
            "iss": f"https://ehr{client}.bench",
            "aud": service,
            "exp": now + 240,
            "iat": now,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(
            {"alg": "RS384", "kid": f"k{client}", "typ": "JWT"}, claims, keys[client], algorithms=["RS384"]
        )
        body = _hook(members[n], _order(n, answers))
        before = time.perf_counter()
        answer = api.post(
            "/cds-services/order-sign-crd", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        elapsed = (time.perf_counter() - before) * 1000
        assert answer.status_code == 200, answer.text[:300]
        action = answer.json()["systemActions"][0]["resource"]["extension"][-1]["extension"]
        return elapsed, next(p["valueCode"] for p in action if p["url"] == "pa-needed")

    app = Starlette(routes=CDS_HOOKS_ROUTES)
    with TestClient(app, base_url="https://precert.bench") as api:
        cold = time.perf_counter()
        call(api, 0, 2 * calls)
        print(f"first call (cold: reference data, JWKS fetch)  {(time.perf_counter() - cold) * 1000:.0f} ms")
        started = time.perf_counter()
        samples = [call(api, 0, n) for n in range(calls)]
        _report("order-sign, one client", samples, time.perf_counter() - started)

    def client_run(client: int) -> list[tuple[float, str]]:
        with TestClient(app, base_url="https://precert.bench") as own:
            return [call(own, client, n) for n in range(calls + client, 2 * calls, CLIENTS)]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = [s for batch in pool.map(client_run, range(CLIENTS)) for s in batch]
    _report(f"order-sign, {CLIENTS} clients at once", results, time.perf_counter() - started)
    ehr_http.use_transport(None)
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
