"""Time loading a plan's member and provider files (services/data_loads.py).

Usage: .venv/bin/python benchmarks/imports.py [--members 200000] [--providers 20000] [--pg URL]
        [--again]

Writes synthetic files (CSV and FHIR NDJSON) into a temporary folder, then for each database
(SQLite in a temporary file; PostgreSQL too with --pg, a server URL whose database is used as a
scratch copy and dropped afterwards) migrates and seeds a fresh database and loads each file in a
child process of its own, printing seconds, records per second and the child's peak resident
memory. With --again each file is loaded a second time (nothing changes: the idempotent path).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal_app.domain import data_files
from portal_app.domain.identifiers import npi_check_digit

PLAN = "EVG"
MEMBER_HEADER = ",".join(data_files.MEMBER_COLUMNS)
PROVIDER_HEADER = ",".join(data_files.PROVIDER_COLUMNS)


def _npi(index: int) -> str:
    stem = f"17{index:07d}"
    return f"{stem}{npi_check_digit(stem)}"


def _member(i: int) -> dict[str, str]:
    return {
        "member_id": f"BEN{i:09d}",
        "first_name": f"Given{i % 997}",
        "last_name": f"Family{i % 1009}",
        "date_of_birth": (date(1940, 1, 1) + timedelta(days=i % 25000)).isoformat(),
        "sex": "FM"[i % 2],
        "line_of_business": ("commercial_hmo_pos", "medicare_advantage")[i % 2],
        "address_line": f"{i % 9999 + 1} Sample Street",
        "city": "Springfield",
        "state": "IL",
        "postal_code": f"627{i % 100:02d}",
        "phone": f"217-555-{i % 10000:04d}",
        "coverage_start": "2025-01-01",
        "coverage_end": "",
    }


def write_members(folder: Path, count: int) -> tuple[Path, Path]:
    csv_path, ndjson_path = folder / "members.csv", folder / "members.ndjson"
    with open(csv_path, "w") as csv_file, open(ndjson_path, "w") as ndjson:
        csv_file.write(MEMBER_HEADER + "\n")
        for i in range(count):
            m = _member(i)
            csv_file.write(",".join(m[c] for c in data_files.MEMBER_COLUMNS) + "\n")
            patient = {
                "resourceType": "Patient",
                "id": f"p{i}",
                "name": [{"family": m["last_name"], "given": [m["first_name"]]}],
                "gender": "female" if m["sex"] == "F" else "male",
                "birthDate": m["date_of_birth"],
                "address": [
                    {
                        "line": [m["address_line"]],
                        "city": m["city"],
                        "state": m["state"],
                        "postalCode": m["postal_code"],
                    }
                ],
                "telecom": [{"system": "phone", "value": m["phone"]}],
            }
            coverage = {
                "resourceType": "Coverage",
                "id": f"c{i}",
                "status": "active",
                "subscriberId": m["member_id"],
                "beneficiary": {"reference": f"Patient/p{i}"},
                "type": {
                    "coding": [{"system": data_files.LINE_OF_BUSINESS_SYSTEM, "code": m["line_of_business"]}]
                },
                "period": {"start": m["coverage_start"]},
            }
            ndjson.write(json.dumps(patient) + "\n" + json.dumps(coverage) + "\n")
    return csv_path, ndjson_path


def write_providers(folder: Path, count: int) -> tuple[Path, Path]:
    csv_path, ndjson_path = folder / "providers.csv", folder / "providers.ndjson"
    org_type = data_files.PLAN_NET_ORG_TYPE_SYSTEM
    with open(csv_path, "w") as csv_file, open(ndjson_path, "w") as ndjson:
        csv_file.write(PROVIDER_HEADER + "\n")
        network = {
            "resourceType": "Organization",
            "id": "net",
            "type": [{"coding": [{"system": org_type, "code": "ntwk"}]}],
            "identifier": [{"value": PLAN}],
        }
        group = {
            "resourceType": "Organization",
            "id": "grp",
            "type": [{"coding": [{"system": org_type, "code": "prvgrp"}]}],
            "identifier": [{"system": data_files.TAX_ID_SYSTEM, "value": "90-1000001"}],
        }
        ndjson.write(json.dumps(network) + "\n" + json.dumps(group) + "\n")
        for i in range(count):
            npi = _npi(i)
            phone, fax = f"217-555-{i % 10000:04d}", f"217-556-{i % 10000:04d}"
            csv_file.write(
                f"{npi},practitioner,Given{i % 97},Family{i},,,Internal medicine,90-1000001,"
                f"{i % 9999 + 1} Demo Way,Springfield,IL,62701,{phone},{fax},{'in' if i % 5 else 'out'},"
                "2025-01-01,\n"
            )
            telecom = [{"system": "phone", "value": phone}, {"system": "fax", "value": fax}]
            resources = [
                {
                    "resourceType": "Practitioner",
                    "id": f"pr{i}",
                    "identifier": [{"system": data_files.NPI_SYSTEM, "value": npi}],
                    "name": [{"family": f"Family{i}", "given": [f"Given{i % 97}"]}],
                },
                {
                    "resourceType": "Location",
                    "id": f"loc{i}",
                    "address": {
                        "line": [f"{i % 9999 + 1} Demo Way"],
                        "city": "Springfield",
                        "state": "IL",
                        "postalCode": "62701",
                    },
                    "telecom": telecom,
                },
                {
                    "resourceType": "PractitionerRole",
                    "id": f"role{i}",
                    "active": bool(i % 5),
                    "period": {"start": "2025-01-01"},
                    "extension": [
                        {
                            "url": data_files.PLAN_NET_NETWORK_REFERENCE,
                            "valueReference": {"reference": "Organization/net"},
                        }
                    ],
                    "practitioner": {"reference": f"Practitioner/pr{i}"},
                    "organization": {"reference": "Organization/grp"},
                    "location": [{"reference": f"Location/loc{i}"}],
                    "specialty": [{"text": "Internal medicine"}],
                },
            ]
            ndjson.write("".join(json.dumps(r) + "\n" for r in resources))
    return csv_path, ndjson_path


def load_one(db_url: str, kind: str, path: str) -> None:
    """In the child: one load; prints 'seconds records status peak_kib'."""
    import os

    os.environ["DB_URL"] = db_url
    from portal_app.db import session_scope
    from portal_app.services import data_loads

    load = data_loads.load_members if kind == "members" else data_loads.load_providers
    started = time.perf_counter()
    with session_scope(db_url) as session:
        report = load(
            session,
            actor=None,
            plan_code=PLAN,
            file_name=Path(path).name,
            open_text=data_loads.open_path(path),
        )
    seconds = time.perf_counter() - started
    peak = _peak_kib()
    print(seconds, report.records_read, report.status.value, report.new, report.unchanged, peak)


def _peak_kib() -> int:
    """This process's peak resident memory (VmHWM, which exec resets; ru_maxrss may not)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _scratch_pg(server_url: str) -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine, text

    base = server_url.rsplit("/", 1)[0]
    name = f"precert_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


def run(fresh_db, label: str, files: list[tuple[str, Path]], again: bool) -> None:
    """Each file into a freshly migrated and seeded database of its own (``fresh_db()`` -> url, drop)."""
    from portal_app.cli import migrate, seed

    for kind, path in files:
        db_url, drop = fresh_db()
        migrate(db_url)
        seed(db_url, history_size=0, quiet=True)
        for attempt in ("first", "again")[: 2 if again else 1]:
            out = subprocess.run(
                [sys.executable, __file__, "--one", db_url, kind, str(path)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            seconds, records, status, new, unchanged, peak = (
                float(out[0]),
                int(out[1]),
                out[2],
                out[3],
                out[4],
                int(out[5]),
            )
            print(
                f"{label:<10} {kind:<9} {path.suffix[1:]:<7} {attempt:<6} {records:>8} records "
                f"{seconds:8.1f} s {records / seconds:9.0f} /s  peak {peak / 1024:6.0f} MiB  "
                f"({status}, {new} new, {unchanged} unchanged)",
                flush=True,
            )
        drop()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        load_one(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--providers", type=int, default=20_000)
    parser.add_argument("--pg", default="", help="PostgreSQL server URL (a scratch database is made there)")
    parser.add_argument("--again", action="store_true", help="load each file twice")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        members_csv, members_ndjson = write_members(where, args.members)
        providers_csv, providers_ndjson = write_providers(where, args.providers)
        for path in (members_csv, members_ndjson, providers_csv, providers_ndjson):
            print(f"{path.name:<17} {path.stat().st_size / 1e6:7.1f} MB")
        files = [
            ("members", members_csv),
            ("members", members_ndjson),
            ("providers", providers_csv),
            ("providers", providers_ndjson),
        ]

        def sqlite_db():
            path = where / f"bench-{uuid.uuid4().hex[:8]}.db"
            return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)

        run(sqlite_db, "SQLite", files, args.again)
        if args.pg:
            run(lambda: _scratch_pg(args.pg), "PostgreSQL", files, args.again)


if __name__ == "__main__":
    main()
