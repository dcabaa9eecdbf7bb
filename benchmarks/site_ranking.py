"""Time the lists that order imaging sites by score and distance, with many sites on file.

Usage: .venv/bin/python benchmarks/site_ranking.py [SITES]   (default 20000)

A fresh SQLite database gets the demo data plus SITES synthetic free-standing sites spread over real
ZIP codes, all in the Evergreen network, two in three of them registered with CT and MRI scores.
Then it times, 20 times each: the site-of-care alternatives of an MRI draft for a member in
Fairview, Oregon (every in-network site is ranked, then those within 60 miles kept), the directory's
first page sorted by "Imaging score, then distance" from that ZIP with no text (every site ranked),
and the same with a city typed. Prints median and p95.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = 20


def _report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]
    print(f"{label:<58} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})")


def _timed(fn) -> list[float]:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main(sites: int) -> None:
    folder = tempfile.mkdtemp(prefix="ranking-bench-")
    try:
        _run(sites, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _add_sites(session, sites: int) -> None:
    import zipcodes
    from sqlmodel import select

    from portal_app.domain.enums import FacilityRegistrationStatus, FacilityType, NetworkStatus
    from portal_app.models import (
        Facility,
        FacilityModalityScore,
        FacilityRegistration,
        HealthPlan,
        NetworkParticipation,
        User,
    )

    rng = random.Random(7)
    oregon = [z["zip_code"] for z in zipcodes.filter_by(state="OR")]
    everywhere = [z["zip_code"] for z in zipcodes.list_all()]
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    owner = session.exec(select(User).where(User.username == "facility")).one()
    for n in range(sites):
        postal_code = rng.choice(oregon if n % 10 == 0 else everywhere)
        facility = Facility(
            npi=f"3{n:09d}",
            name=f"Bench Imaging {n}",
            facility_type=FacilityType.FREE_STANDING,
            address_line="1 Bench Way",
            city="Bench City",
            state="OR",
            postal_code=postal_code,
            phone="555-0100",
            fax="555-0101",
            tax_id="93-0000000",
            modalities="ct,cta,mri,mra",
        )
        session.add(facility)
        session.flush()
        session.add(
            NetworkParticipation(
                plan_id=plan.id,
                facility_id=facility.id,
                status=NetworkStatus.IN_NETWORK,
                effective_from=date(2025, 1, 1),
            )
        )
        if n % 3:
            scores = {"ct": rng.randint(40, 100), "mri": rng.randint(40, 100)}
            session.add(
                FacilityRegistration(
                    user_id=owner.id, facility_id=facility.id, status=FacilityRegistrationStatus.SUBMITTED
                )
            )
            for modality, score in scores.items():
                session.add(
                    FacilityModalityScore(
                        facility_id=facility.id, modality=modality, score=score, computed_on=date.today()
                    )
                )
            facility.quality_score = round(sum(scores.values()) / 2)
    session.commit()


def _run(sites: int, folder: str) -> None:
    url = f"sqlite:///{Path(folder) / 'bench.db'}"
    os.environ.update(DB_URL=url, DATA_DIR=folder, SECRET_KEY="a-secret-key-for-the-ranking-benchmark")

    from sqlmodel import Session

    from portal_app.cli import migrate, seed
    from portal_app.db import make_engine
    from portal_app.services import order_entry as entry
    from portal_app.services.directory import DirectoryQuery, search_directory
    from tests.integration.order_helpers import SERVICE, TODAY, actor_for, member_by_number

    migrate(url)
    seed(url, history_size=0, quiet=True)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        _add_sites(session, sites)
        print(f"{sites} synthetic sites added in {time.perf_counter() - started:.1f} s")
        office = actor_for(session)
        member = member_by_number(session, "EVG100000000")
        order_id, _ = entry.start_draft(
            session,
            actor=office,
            plan_id=member.plan_id,
            program="imaging",
            service_date=SERVICE,
            today=TODAY,
        )
        entry.choose_member(session, actor=office, order_id=order_id, member_id=member.id, confirmed=True)
        found = entry.site_of_care_alternatives(session, actor=office, order_id=order_id, exam_modality="mri")
        print(f"alternatives within reach of 97024: {len(found)}")
        _report(
            "site-of-care alternatives (MRI, Fairview member)",
            _timed(
                lambda: entry.site_of_care_alternatives(
                    session, actor=office, order_id=order_id, exam_modality="mri"
                )
            ),
        )
        everything = DirectoryQuery(kind="facility", sort="quality", near_zip="97024")
        _report(
            "directory, every site by score then distance, page 1",
            _timed(lambda: search_directory(session, actor=office, query=everything)),
        )
        portland = DirectoryQuery(text="Bench Imaging 1", kind="facility", sort="quality", near_zip="97024")
        _report(
            "directory, 'Bench Imaging 1' by score then distance",
            _timed(lambda: search_directory(session, actor=office, query=portland)),
        )
        by_name = DirectoryQuery(kind="facility", sort="name", near_zip="97024")
        _report(
            "directory, every site by name, page 1 (SQL order)",
            _timed(lambda: search_directory(session, actor=office, query=by_name)),
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
