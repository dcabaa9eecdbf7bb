"""Time the member, servicing-provider and facility searches with and without their indexes.

Usage: .venv/bin/python benchmarks/searches.py [RUNS]   (default 30 runs per search)

Builds a database migrated to the newest revision in a temporary file (and, when TEST_PG_URL is set, a
scratch PostgreSQL database on that server, dropped at the end) holding 200,000 members of two plans,
20,000 providers and 5,000 facilities with made-up names, then for each search prints its query plan
and the median and p95 milliseconds over RUNS runs:

- "after": the queries the services run now (services/order_entry.member_lookup, services/party_search),
  with revision 0025's indexes;
- "before": the queries as they were before revision 0025 (``last_name ILIKE``, LIKE for every
  contains search) with revision 0025's indexes and SQLite trigram tables dropped.

The ICD-10 search has no database part: it is timed at the end (an inverted index in memory, built once
per process; benchmarks/icd10_search.py has the whole list). Prints figures, asserts nothing.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.cli import migrate
from portal_app.db import make_engine, query_plan
from portal_app.domain.enums import FacilityType, LineOfBusiness, Sex
from portal_app.domain.search_text import LIKE_ESCAPE, escape_like
from portal_app.models import Facility, HealthPlan, Member, Provider
from portal_app.models.providers import (
    FACILITIES_FTS,
    PROVIDERS_FTS,
    TRGM_INDEXES,
)
from portal_app.reference import icd10
from portal_app.services.order_entry import member_lookup
from portal_app.services.party_search import facility_filter, name_order, provider_filter

MEMBERS, PROVIDERS, FACILITIES = 200_000, 20_000, 5_000
CHUNK = 5_000
ONSETS = ["B", "C", "D", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "V", "W", "Z", "Sh", "Br"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ie"]
CODAS = ["n", "r", "l", "s", "t", "m", "nd", "rt", "ck", "ll", "ns", "rg", "ld", "x"]
ENDINGS = ["", "son", "er", "ley", "ford", "man", "ton", "ez", "ski", "berg", "well", "by"]
FIRST = ["Ana", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jamal", "Kim", "Luis"]
SPECIALTIES = [
    "Family Medicine",
    "Internal Medicine",
    "Cardiology",
    "Orthopaedic Surgery",
    "Neurology",
    "Radiology",
    "Oncology",
    "Sleep Medicine",
    "Physical Therapy",
    "Gastroenterology",
    "Pulmonology",
    "Urology",
]
FACILITY_WORDS = ["Imaging", "Radiology", "Medical Center", "Diagnostics", "Outpatient Clinic", "Sleep Lab"]


def _name(rng: random.Random) -> str:
    return rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) + rng.choice(ENDINGS)


def _cities(rng: random.Random) -> list[str]:
    return sorted(
        {_name(rng) + rng.choice(["ville", " Falls", "field", " City", "port", ""]) for _ in range(400)}
    )


def _load(engine: Engine) -> dict[str, object]:
    """Fills the database; returns the values the searches look for."""
    rng = random.Random(27)
    now = clock.now()
    cities = _cities(rng)
    zips = [f"{rng.randint(10000, 99999)}" for _ in range(2_000)]
    with engine.begin() as connection:
        plan_ids = [
            connection.execute(
                insert(HealthPlan).values(
                    code=f"BENCH{n}",
                    name=f"Benchmark plan {n}",
                    standard_review_days=7,
                    pend_business_days=5,
                    pend_urgent_hours=72,
                    created_at=now,
                )
            ).inserted_primary_key[0]
            for n in (1, 2)
        ]
        members = []
        for n in range(MEMBERS):
            members.append(
                {
                    "plan_id": plan_ids[n % 2],
                    "member_number": f"BM{n:08d}",
                    "first_name": rng.choice(FIRST),
                    "last_name": _name(rng),
                    "date_of_birth": date(1930, 1, 1) + timedelta(days=rng.randint(0, 33_000)),
                    "sex": rng.choice([Sex.FEMALE, Sex.MALE]).value,
                    "line_of_business": LineOfBusiness.COMMERCIAL_HMO_POS.value,
                    "address_line": f"{rng.randint(1, 9999)} Main St",
                    "city": rng.choice(cities),
                    "state": "OR",
                    "postal_code": rng.choice(zips),
                    "phone": "",
                    "eligibility_start": date(2024, 1, 1),
                    "eligibility_end": None,
                    "created_at": now,
                }
            )
        for start in range(0, MEMBERS, CHUNK):
            connection.execute(insert(Member), members[start : start + CHUNK])
        providers = [
            {
                "npi": f"1{n:09d}",
                "first_name": rng.choice(FIRST),
                "last_name": _name(rng),
                "specialty": rng.choice(SPECIALTIES),
                "address_line": f"{rng.randint(1, 9999)} Clinic Way",
                "city": rng.choice(cities),
                "state": "OR",
                "postal_code": rng.choice(zips),
                "phone": "555-0100",
                "fax": "555-0101",
                "tax_id": f"{rng.randint(10**8, 10**9 - 1)}",
                "created_at": now,
            }
            for n in range(PROVIDERS)
        ]
        for start in range(0, PROVIDERS, CHUNK):
            connection.execute(insert(Provider), providers[start : start + CHUNK])
        facilities = [
            {
                "npi": f"2{n:09d}",
                "name": f"{_name(rng)} {rng.choice(FACILITY_WORDS)}",
                "facility_type": rng.choice(list(FacilityType)).value,
                "address_line": f"{rng.randint(1, 9999)} Health Pkwy",
                "city": rng.choice(cities),
                "state": "OR",
                "postal_code": rng.choice(zips),
                "phone": "555-0200",
                "fax": "555-0201",
                "tax_id": f"{rng.randint(10**8, 10**9 - 1)}",
                "modalities": "ct,mri",
                "quality_score": None,
                "created_at": now,
            }
            for n in range(FACILITIES)
        ]
        connection.execute(insert(Facility), facilities)
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    member = members[MEMBERS // 3]
    provider = providers[PROVIDERS // 2]
    return {
        "plan_id": plan_ids[(MEMBERS // 3) % 2],
        "member_number": member["member_number"],
        "last_name": str(member["last_name"]).upper(),  # typed in capitals: the search ignores case
        "birth_date": member["date_of_birth"],
        "npi": provider["npi"],
        "zip": provider["postal_code"],
        "name_part": str(provider["last_name"])[1:5].lower(),  # four letters from inside a name
        "missing": "qwxyz",  # found nowhere: LIKE reads every row
        "short": "ou",  # two letters: below the trigram length
        "facility_part": "diagnost",
    }


def _searches(connection: Connection, v: dict, *, before: bool):
    """(label, statement) of each search, as the services write it now or as it was before 0025."""
    if before:
        by_name = select(Member).where(
            Member.plan_id == v["plan_id"],
            col(Member.last_name).ilike(escape_like(v["last_name"]), escape=LIKE_ESCAPE),
            Member.date_of_birth == v["birth_date"],
        )
    else:
        by_name = member_lookup(v["plan_id"], last_name=v["last_name"], birth_date=v["birth_date"])
    by_number = member_lookup(v["plan_id"], member_number=v["member_number"])

    session = Session(bind=connection)  # party_search reads the database's dialect from it

    def order(query: str, *columns):
        if before:  # the name columns themselves (services/party_search.name_order explains the change)
            return tuple(col(c) for c in columns)
        return name_order(session, query, *columns)

    def providers(query: str):
        return (
            select(Provider)
            .where(provider_filter(session, query, force_like=before))
            .order_by(*order(query, Provider.last_name, Provider.first_name, Provider.id))
            .limit(10)
        )

    def facilities(query: str):
        return (
            select(Facility)
            .where(facility_filter(session, query, force_like=before))
            .order_by(*order(query, Facility.name, Facility.city, Facility.id))
            .limit(10)
        )

    return [
        (
            f"member: last name {v['last_name']!r} + birth date",
            by_name.order_by(col(Member.first_name)).limit(10),
        ),
        ("member: member ID", by_number.limit(10)),
        (f"providers: name contains {v['name_part']!r}", providers(v["name_part"])),
        (f"providers: contains {v['missing']!r} (no match)", providers(v["missing"])),
        ("providers: NPI", providers(v["npi"])),
        (f"providers: ZIP {v['zip']}", providers(v["zip"])),
        (f"providers: {v['short']!r} (2 letters, LIKE)", providers(v["short"])),
        (f"facilities: contains {v['facility_part']!r}", facilities(v["facility_part"])),
    ]


def _timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def _measure(engine: Engine, values: dict, runs: int, *, before: bool) -> dict[str, tuple[float, float, int]]:
    figures = {}
    with engine.connect() as connection:
        for label, statement in _searches(connection, values, before=before):
            print(f"  {label}")
            for line in query_plan(connection, statement):
                print(f"      {line}")
            found = len(connection.execute(statement).all())
            median, p95 = _timed(lambda s=statement: connection.execute(s).all(), runs)
            figures[label] = (median, p95, found)
    return figures


def _drop_search_indexes(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_members_plan_lower_last_name_dob")
        connection.exec_driver_sql("DROP INDEX ix_providers_postal_code")
        if engine.dialect.name == "sqlite":
            for fts in (PROVIDERS_FTS, FACILITIES_FTS):
                for event in ("insert", "delete", "update"):
                    connection.exec_driver_sql(f"DROP TRIGGER {fts}_after_{event}")
                connection.exec_driver_sql(f"DROP TABLE {fts}")
        else:
            for index in TRGM_INDEXES:
                connection.exec_driver_sql(f"DROP INDEX {index}")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def _bench(url: str, runs: int) -> None:
    started = time.perf_counter()
    migrate(url)
    engine = make_engine(url)
    try:
        values = _load(engine)
        print(
            f"built in {time.perf_counter() - started:.1f} s: {MEMBERS:,} members, {PROVIDERS:,} providers,"
        )
        print(f"{FACILITIES:,} facilities")
        print("\nafter (revision 0025's indexes, the services' queries):")
        after = _measure(engine, values, runs, before=False)
        _drop_search_indexes(engine)
        print("\nbefore (the queries before 0025, without its indexes):")
        before = _measure(engine, values, runs, before=True)
    finally:
        engine.dispose()
    print(f"\n{'search':<52} {'before median/p95 ms':>22} {'after median/p95 ms':>22} {'rows':>5}")
    for label, (median, p95, found) in after.items():
        old_median, old_p95, old_found = before[label]
        rows = str(found) if found == old_found else f"{old_found}->{found}"
        print(f"{label:<52} {old_median:10.2f} / {old_p95:8.2f} {median:10.2f} / {p95:8.2f} {rows:>5}")


def _icd10(runs: int) -> None:
    icd10.search_diagnoses("warm up")
    print("\nICD-10-CM (in memory; the first search of a process builds the index):")
    for query in ("low back pain", "fracture femur right", "fract", "S72", "a"):
        median, p95 = _timed(lambda q=query: icd10.search_diagnoses(q, limit=15), runs)
        print(f"  {query!r:<24} median {median:6.2f} ms   p95 {p95:6.2f} ms")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    with tempfile.TemporaryDirectory() as workdir:
        print(f"== SQLite {__import__('sqlite3').sqlite_version} ==")
        _bench(f"sqlite:///{Path(workdir) / 'searches.db'}", runs)
    pg_url = os.environ.get("TEST_PG_URL", "")
    if pg_url:
        name = f"precert_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            with admin.connect() as connection:
                version = connection.exec_driver_sql("SHOW server_version").scalar()
            print(f"\n== PostgreSQL {version} ==")
            _bench(f"{pg_url.rpartition('/')[0]}/{name}", runs)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    _icd10(runs)


if __name__ == "__main__":
    main()
