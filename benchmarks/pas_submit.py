"""Time `POST /fhir/Claim/$submit` end to end on SQLite: bearer token check, FHIR validation of the
Bundle, the wizard's services step by step, the rules engine, the response Bundle.

Usage: .venv/bin/python benchmarks/pas_submit.py [COUNT]   (default 1000)

A fresh SQLite database gets the demo data plus COUNT synthetic members of the demo plan EVG, so
that no request is a duplicate of another. The routes run in-process behind Starlette's TestClient
(no network). COUNT imaging requests that meet the guideline (decided at once) are submitted one
after the other, then COUNT // 5 that pend for a nurse. Prints median, p95, p99 and throughput;
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
    seed(url)
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
                    line_of_business=LineOfBusiness.COMMERCIAL,
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
    with Session(engine) as session:
        print(f"orders on file after the run: {len(session.exec(select(Order.id)).all())}")
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
