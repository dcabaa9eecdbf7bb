"""Time `POST /fhir/Claim/$submit` end to end on SQLite: bearer token check, FHIR validation of the
Bundle, the wizard's services step by step, the rules engine, the response Bundle.

Usage: .venv/bin/python benchmarks/pas_submit.py [COUNT]   (default 1000)

A fresh SQLite database gets the demo data plus COUNT synthetic members of the demo plan EVG, so
that no request is a duplicate of another. The routes run in-process behind Starlette's TestClient
(no network). COUNT imaging requests that meet the guideline (decided at once) are submitted one
after the other, then COUNT // 5 that pend for a nurse, then COUNT // 5 replays of the official Da
Vinci PAS 2.2.1 request examples (tests/conformance/pas-examples/pas-ig, as sent but for the Claim
identifier; their member and requesting organization loaded as the conformance test's fixture does),
which Precert answers per item at once (their codes are not delegated to Precert, or need
information the examples do not carry). Prints median, p95, p99 and throughput;
the PAS guide asks for an answer within 15 s, Precert aims for p95 under 200 ms when decided at once.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[max(0, int(len(ordered) * fraction + 0.5) - 1)]


def _report(label: str, samples: list[float], seconds: float) -> None:
    ordered = sorted(samples)
    print(
        f"{label:<34} median {statistics.median(ordered):6.1f} ms   "
        f"p95 {_percentile(ordered, 0.95):6.1f} ms   "
        f"p99 {_percentile(ordered, 0.99):6.1f} ms   max {ordered[-1]:6.1f} ms   "
        f"{len(ordered) / seconds:5.1f} requests/s   (n={len(ordered)})"
    )


def main(count: int) -> None:
    folder = tempfile.mkdtemp(prefix="pas-bench-")
    try:
        _run(count, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(count: int, folder: str) -> None:
    url = f"sqlite:///{Path(folder) / 'bench.db'}"
    os.environ.update(
        DB_URL=url,
        DATA_DIR=folder,
        PUBLIC_URL="https://precert.bench",
        SECRET_KEY="a-secret-key-for-the-pas-benchmark",
    )

    from sqlmodel import Session, select
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from portal_app.api.fhir import FHIR_ROUTES
    from portal_app.cli import migrate, seed
    from portal_app.db import make_engine
    from portal_app.domain.enums import LineOfBusiness, Sex
    from portal_app.models import HealthPlan, Member, Order
    from tests.integration import pas_bundles as pb

    migrate(url)
    seed(url, history_size=0, quiet=True)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        plan = session.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
        numbers = [f"EVGB{n:08d}" for n in range(count + count // 5)]
        for n, number in enumerate(numbers):
            session.add(
                Member(
                    plan_id=plan.id,
                    member_number=number,
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
            )
        session.commit()
        client = pb.register(session)
        template = {"approved": pb.bundle("imaging-approved"), "pended": pb.bundle("imaging-pended")}
        bundles = [
            pb.for_member(template["approved"], session, number, claim_id=f"BENCH-{n}")
            for n, number in enumerate(numbers[:count])
        ]
        pended = [
            pb.for_member(template["pended"], session, number, claim_id=f"BENCH-P-{n}")
            for n, number in enumerate(numbers[count:])
        ]

    api = TestClient(Starlette(routes=FHIR_ROUTES), base_url=os.environ["PUBLIC_URL"])
    pb.TOKEN_URL = f"{os.environ['PUBLIC_URL']}/fhir/auth/token"  # the assertions' audience

    def run(label: str, batch: list[dict], expected: str) -> None:
        samples: list[float] = []
        started = time.perf_counter()
        for n, raw in enumerate(batch):
            if n % 500 == 0:  # tokens live five minutes
                client.tokens.append(client.token(api))
            headers = {
                "Authorization": f"Bearer {client.tokens[-1]}",
                "Content-Type": "application/fhir+json",
            }
            before = time.perf_counter()
            answer = api.post("/fhir/Claim/$submit", json=raw, headers=headers)
            samples.append((time.perf_counter() - before) * 1000)
            assert answer.status_code == 200, answer.text
            assert answer.json()["entry"][0]["resource"]["outcome"] == expected, answer.text[:500]
        _report(label, samples, time.perf_counter() - started)

    cold = time.perf_counter()
    first, rest = bundles[0], bundles[1:]
    client.tokens.append(client.token(api))
    answer = api.post(
        "/fhir/Claim/$submit",
        json=first,
        headers={"Authorization": f"Bearer {client.tokens[-1]}", "Content-Type": "application/fhir+json"},
    )
    assert answer.status_code == 200, answer.text
    print(
        "first request (cold: loads the FHIR models and reference data)  "
        f"{(time.perf_counter() - cold) * 1000:.0f} ms"
    )
    run("$submit, decided at once (A1)", rest, "complete")
    run("$submit, pended for review (A4)", pended, "queued")
    examples = _official_examples(engine, count // 5)
    official = pb.register_for(engine, EXAMPLE_TAX_ID)
    samples: list[float] = []
    started = time.perf_counter()
    official.tokens.append(official.token(api))
    for raw in examples:
        headers = {"Authorization": f"Bearer {official.tokens[-1]}", "Content-Type": "application/fhir+json"}
        before = time.perf_counter()
        answer = api.post("/fhir/Claim/$submit", json=raw, headers=headers)
        samples.append((time.perf_counter() - before) * 1000)
        assert answer.status_code == 200, answer.text
    _report("$submit, official PAS examples", samples, time.perf_counter() - started)
    with Session(engine) as session:
        print(f"orders on file after the run: {len(session.exec(select(Order.id)).all())}")
    engine.dispose()


EXAMPLE_TAX_ID = "90-2000001"
EXAMPLES = Path(__file__).resolve().parent.parent / "tests" / "conformance" / "pas-examples" / "pas-ig"


def _official_examples(engine, count: int) -> list[dict]:
    """COUNT copies of the official request examples (new requests), each with its own Claim
    identifier, after loading their member, plan and requesting organization."""
    import json
    from datetime import date

    from sqlmodel import Session

    from portal_app.domain.enums import LineOfBusiness, Sex
    from portal_app.models import HealthPlan, Member, Practice

    with Session(engine) as session:
        plan = HealthPlan(code="MCI", name="MARYLAND CAPITAL INSURANCE COMPANY")
        session.add_all([plan, Practice(tax_id=EXAMPLE_TAX_ID, name="DR. JOE SMITH CORPORATION")])
        session.flush()
        session.add(
            Member(
                plan_id=plan.id,
                member_number="1122334455",
                first_name="JOE",
                last_name="SMITH",
                date_of_birth=date(1960, 1, 1),
                sex=Sex.MALE,
                line_of_business=LineOfBusiness.COMMERCIAL_HMO_POS,
                address_line="111 1ST STREET",
                city="SAN DIEGO",
                state="CA",
                postal_code="92101",
                eligibility_start=date(2000, 1, 1),
            )
        )
        session.commit()
    requests = []
    for path in sorted(EXAMPLES.glob("*.json")):
        raw = json.loads(path.read_text())
        claim = raw["entry"][0]["resource"]
        inquiry = any(p.endswith("profile-claim-inquiry") for p in claim.get("meta", {}).get("profile", []))
        if not claim.get("related") and not inquiry:
            requests.append(raw)
    copies = []
    for n in range(count):
        raw = json.loads(json.dumps(requests[n % len(requests)]))
        raw["entry"][0]["resource"]["identifier"][0]["value"] = f"BENCH-PAS-{n}"
        copies.append(raw)
    return copies


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
