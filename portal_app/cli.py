"""Command line for operators.

``python -m portal_app.cli COMMAND``, COMMAND one of: migrate, seed, accounts, device-key NAME, api-client,
new-file-key [ID], reencrypt-files, import-members FILE --plan CODE, import-providers FILE --plan CODE,
import-guidelines FILE, import-cost-levels FILE --plan CODE, crd-client,
import-codes FILE --plan CODE --program P --line-of-business LOB --year Y [--effective YYYY-MM-DD]
(the file formats: docs/data-files.md).
"""

from __future__ import annotations

import argparse
import sys

from alembic.config import Config
from sqlalchemy.engine import make_url

from alembic import command
from portal_app import clock
from portal_app.file_modes import keep_data_private
from portal_app.settings import PROJECT_ROOT, get_settings


def alembic_config(db_url: str | None = None) -> Config:
    """The project's Alembic configuration, optionally for another database."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["db_url"] = db_url or get_settings().db_url
    config.attributes["configure_logger"] = False
    return config


def migrate(db_url: str | None = None) -> None:
    """Upgrade the database to the newest revision."""
    settings = get_settings()
    if (db_url or settings.db_url).startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(db_url), "head")


def seed(
    db_url: str | None = None, *, history_size: int | None = None, quiet: bool = False
) -> dict[str, int]:
    """Load the demo data, last year's decided requests and this year's history of requests
    (``history_size`` of them, by default DEMO_HISTORY_SIZE); returns the rows added per table."""
    from portal_app.db import session_scope
    from portal_app.services.demo_data import load_demo_data
    from portal_app.services.demo_feedback import load_demo_announcements, load_demo_survey_answers
    from portal_app.services.demo_history import load_demo_history
    from portal_app.services.demo_year import is_loaded, load_demo_year

    size = get_settings().demo_history_size if history_size is None else history_size
    with session_scope(db_url) as session:
        added = load_demo_data(session).added
        if history := load_demo_history(session):
            added["last year's decided requests"] = history
        if size and not is_loaded(session):
            if not quiet:
                print(
                    f"Making the demo's year of history: {size} requests through the services ...", flush=True
                )
            progress = None if quiet else (lambda line: print(line, flush=True))
            if year := load_demo_year(session, size=size, progress=progress):
                added["this year's requests (demo history)"] = year
        if announcements := load_demo_announcements(session):
            added["announcements"] = announcements
        if surveys := load_demo_survey_answers(session):
            added["surveys answered"] = surveys
        return added


def print_accounts() -> None:
    from portal_app.services.demo_data import DEMO_ACCOUNTS

    print("Demo accounts (synthetic data only):")
    for account in DEMO_ACCOUNTS:
        print(f"  {account.role.label:<26} {account.email:<30} password: {account.password}")


def device_key(name: str, *, disable: bool = False) -> str:
    """Issue (or replace) a device cloud's API key for POST /api/device-data, or disable it."""
    from portal_app.db import session_scope
    from portal_app.services.device_data import create_vendor_key, disable_vendor

    with session_scope() as session:
        if disable:
            return (
                f"Key of {name} disabled."
                if disable_vendor(session, name=name)
                else f"No vendor named {name}."
            )
        key = create_vendor_key(session, name=name)
    return (
        f"API key for {name} (shown once; any earlier key of this vendor no longer works):\n{key}\n"
        "Send it as: Authorization: Bearer <key>"
    )


def reencrypt_files() -> str:
    """Re-encrypt every stored document not yet under the first key of FILE_ENCRYPTION_KEYS (a key
    rotation, or files stored before encryption); old keys must stay listed until this has run."""
    from sqlmodel import select

    from portal_app.db import session_scope
    from portal_app.models import Document
    from portal_app.services import file_store

    current = file_store.file_keys().current_id
    done = failed = 0
    with session_scope() as session:
        for document in session.exec(select(Document).where(Document.encryption_key_id != current)).all():
            try:
                document.encryption_key_id = file_store.reencrypt(document.storage_path)
            except (file_store.StoredFileError, file_store.FileKeyError, OSError) as problem:
                failed += 1
                print(f"Document {document.id}: {problem}", file=sys.stderr)
                continue
            session.add(document)
            session.commit()
            done += 1
    return f"{done} stored files re-encrypted with key {current}; {failed} could not be."


def api_client(
    *,
    name: str,
    tax_id: str,
    jwks_path: str,
    notify_urls: list[str],
    npis: list[str],
    scopes: str,
    disable: str = "",
) -> str:
    """Register a PAS API client (its public keys from a JWKS file), or disable one."""
    import json
    from pathlib import Path

    from portal_app.db import session_scope
    from portal_app.services.api_clients import ClientRefused, disable_client, register_client, token_url

    with session_scope() as session:
        try:
            if disable:
                disable_client(session, actor=None, client_id=disable)
                return f"API client {disable} disabled; its tokens no longer work."
            client_id = register_client(
                session,
                actor=None,
                name=name,
                practice_tax_id=tax_id,
                jwks=json.loads(Path(jwks_path).read_text()),
                scopes=scopes,
                notify_url_prefixes=tuple(notify_urls),
                extra_npis=tuple(npis),
            )
        except (ClientRefused, OSError, ValueError) as refused:
            raise SystemExit(f"Not registered: {refused}") from None
    return (
        f"API client registered. client_id: {client_id}\nToken endpoint: {token_url()} (client credentials "
        "with a JWT assertion signed RS384 or ES384; see docs/pas-api.md)"
    )


def crd_client(
    *,
    client_id: str,
    name: str,
    jwks_url: str,
    npis: list[str],
    disable: str = "",
    fhir_servers: list[str] | None = None,
) -> str:
    """Register an EHR organisation for the CRD (CDS Hooks) service, or disable one; with only
    ``client_id`` and ``fhir_servers``, replace the FHIR servers of a registered client."""
    from portal_app.db import session_scope
    from portal_app.services.crd.clients import (
        ClientRefused,
        disable_crd_client,
        register_crd_client,
        set_fhir_servers,
    )
    from portal_app.settings import get_settings

    servers = tuple(fhir_servers or ())
    with session_scope() as session:
        try:
            if disable:
                disable_crd_client(session, actor=None, client_id=disable)
                return f"CRD client {disable} disabled; its hook calls are refused."
            if not (name or jwks_url or npis):
                kept = set_fhir_servers(session, actor=None, client_id=client_id, fhir_servers=servers)
                return f"CRD client {client_id}: FHIR servers Precert may read: {', '.join(kept) or 'none'}."
            issuer = register_crd_client(
                session,
                actor=None,
                client_id=client_id,
                name=name,
                jwks_url=jwks_url,
                npis=tuple(npis),
                fhir_servers=servers,
            )
        except ClientRefused as refused:
            raise SystemExit(f"Not registered: {refused}") from None
    return (
        f"CRD client registered (JWT iss: {issuer}). Discovery: {get_settings().public_url}/cds-services "
        "(hook JWTs signed RS384 or ES384 with a key of the registered JWKS; see docs/crd.md)"
    )


def import_file(kind: str, path: str, plan_code: str, *, complete: bool = True) -> int:
    """Load a plan's member or provider file, printing progress and the report; 0 when applied."""
    from pathlib import Path

    from portal_app.db import session_scope
    from portal_app.domain.enums import DataLoadStatus
    from portal_app.services import data_loads

    if not Path(path).is_file():
        raise SystemExit(f"No file at {path}.")
    load = data_loads.load_members if kind == "members" else data_loads.load_providers
    progress = data_loads.LoadProgress(
        listener=lambda phase, records: print(f"{phase}: {records:,} records", file=sys.stderr, flush=True)
    )
    with session_scope() as session:
        try:
            report = load(
                session,
                actor=None,
                plan_code=plan_code,
                file_name=Path(path).name,
                open_text=data_loads.open_path(path),
                complete=complete,
                progress=progress,
            )
        except data_loads.LoadRefused as refused:
            raise SystemExit(f"Not loaded: {refused}") from None
    print(report.summary())
    for problem in report.problems:
        print(f"  {problem.text()}")
    if report.error_count > len(report.problems):
        print(f"  ... and {report.error_count - len(report.problems):,} more.")
    return 0 if report.status == DataLoadStatus.APPLIED else 1


def import_guidelines(path: str) -> int:
    """Load a file of guideline versions, printing the report; 0 when loaded or already loaded."""
    from pathlib import Path

    from portal_app.db import session_scope
    from portal_app.services import data_loads, guidelines

    if not Path(path).is_file():
        raise SystemExit(f"No file at {path}.")
    with session_scope() as session:
        try:
            report = guidelines.import_guidelines(
                session, actor=None, file_name=Path(path).name, open_text=data_loads.open_path(path)
            )
        except data_loads.LoadRefused as refused:
            raise SystemExit(f"Not loaded: {refused}") from None
    print(report.summary())
    for problem in report.problems:
        print(f"  {problem.text()}")
    return 1 if report.status == guidelines.REJECTED else 0


def import_cost_levels(path: str, plan_code: str, *, complete: bool) -> int:
    """Load a plan's facility cost level file, printing the report; 0 when applied, 1 with problems."""
    from pathlib import Path

    from portal_app.db import session_scope
    from portal_app.domain.enums import DataLoadStatus
    from portal_app.services import cost_levels, data_loads

    if not Path(path).is_file():
        raise SystemExit(f"No file at {path}.")
    with session_scope() as session:
        try:
            report = cost_levels.import_cost_levels(
                session,
                actor=None,
                plan_code=plan_code,
                file_name=Path(path).name,
                open_text=data_loads.open_path(path),
                complete=complete,
            )
        except data_loads.LoadRefused as refused:
            raise SystemExit(f"Not loaded: {refused}") from None
    print(report.summary())
    for problem in report.problems:
        print(f"  {problem.text()}")
    return 0 if report.status == DataLoadStatus.APPLIED else 1


def import_codes(
    path: str, *, plan_code: str, program: str, line_of_business: str, year: int, effective: str
) -> int:
    """Load a code list file as the next version; 0 when loaded or unchanged, 1 with its problems."""
    from datetime import date
    from pathlib import Path

    from portal_app.db import session_scope
    from portal_app.services import code_lists

    if not Path(path).is_file():
        raise SystemExit(f"No file at {path}.")
    try:
        starts = date.fromisoformat(effective) if effective else None
    except ValueError:
        raise SystemExit(f"--effective {effective}: give a date as YYYY-MM-DD.") from None
    line = "" if line_of_business.strip().lower() in ("", "all") else line_of_business.strip().lower()
    with session_scope() as session, open(path, encoding="utf-8-sig", newline="") as text:
        try:
            load = code_lists.import_code_list(
                session,
                actor=None,
                plan_code=plan_code,
                program=program.strip().lower(),
                line_of_business=line,
                year=year,
                lines=text,
                file_name=Path(path).name,
                effective_from=starts,
            )
        except code_lists.CodeListRefused as refused:
            raise SystemExit(f"Not loaded: {refused}") from None
    print(code_lists.load_summary(load))
    for problem in load.report:
        print(f"  {problem}")
    return 1 if load.status == "refused" else 0


def _run_import(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The import-* commands: a file loaded, its report printed; 0 when loaded or unchanged."""
    if args.command == "import-guidelines":
        if not args.vendor.strip():
            parser.error("import-guidelines needs the file")
        return import_guidelines(args.vendor.strip())
    if args.command in ("import-members", "import-providers"):
        if not args.vendor.strip() or not args.plan.strip():
            parser.error(f"{args.command} needs the file and --plan CODE")
        return import_file(
            args.command.removeprefix("import-"),
            args.vendor.strip(),
            args.plan.strip(),
            complete=not args.changes_only,
        )
    if args.command == "import-cost-levels":
        if not args.vendor.strip() or not args.plan.strip():
            parser.error("import-cost-levels needs the file and --plan CODE")
        return import_cost_levels(args.vendor.strip(), args.plan.strip(), complete=not args.changes_only)
    if args.command == "import-codes":
        if not (args.vendor.strip() and args.plan.strip() and args.program.strip() and args.year):
            parser.error("import-codes needs the file, --plan CODE, --program P and --year Y")
        return import_codes(
            args.vendor.strip(),
            plan_code=args.plan.strip(),
            program=args.program,
            line_of_business=args.line_of_business,
            year=args.year,
            effective=args.effective,
        )
    parser.error(f"unknown command {args.command}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal_app.cli", description=__doc__)
    parser.add_argument(
        "command",
        choices=[
            "migrate",
            "seed",
            "accounts",
            "device-key",
            "api-client",
            "crd-client",
            "new-file-key",
            "reencrypt-files",
            "import-members",
            "import-providers",
            "import-guidelines",
            "import-codes",
            "import-cost-levels",
        ],
    )
    parser.add_argument(
        "vendor",
        nargs="?",
        default="",
        help="device-key: the device cloud's name; new-file-key: the key id; import-*: the file",
    )
    parser.add_argument(
        "--plan",
        default="",
        help="import-members, import-providers, import-codes, import-cost-levels: the plan's code",
    )
    parser.add_argument(
        "--changes-only",
        action="store_true",
        help="import-*: the file holds only new and changed records (default: the plan's whole list; "
        "members, network participations or cost levels missing from it are ended)",
    )
    codes = parser.add_argument_group("import-codes (docs/data-files.md, Code lists)")
    codes.add_argument("--program", default="", help="the program whose codes the file lists, e.g. imaging")
    codes.add_argument(
        "--line-of-business", default="all", help="e.g. medicare_advantage, or all (the default)"
    )
    codes.add_argument("--year", type=int, default=0, help="the service year the list is for")
    codes.add_argument("--effective", default="", help="first day it applies (default: 1 January of --year)")
    parser.add_argument("--disable", action="store_true", help="device-key: disable the vendor's key")
    client = parser.add_argument_group("api-client (docs/pas-api.md)")
    client.add_argument("--name", default="", help="the EHR or intermediary system")
    client.add_argument("--tax-id", default="", help="tax ID of the practice the client submits for")
    client.add_argument("--jwks", default="", help="file holding the client's public keys (JWKS)")
    client.add_argument(
        "--notify-url", action="append", default=[], help="URL prefix subscriptions may notify"
    )
    client.add_argument("--npi", action="append", default=[], help="extra NPI the organization answers for")
    client.add_argument("--scopes", default="", help="scopes to allow (default: all PAS scopes)")
    client.add_argument("--disable-client", default="", help="client_id to disable")
    crd = parser.add_argument_group("crd-client (docs/crd.md): --name, --npi (each NPI it acts for)")
    crd.add_argument("--client-id", default="", help="the iss of the EHR's hook JWTs")
    crd.add_argument("--jwks-url", default="", help="where the EHR publishes its public keys")
    crd.add_argument(
        "--fhir-server",
        action="append",
        default=[],
        help="base URL of an EHR FHIR server Precert may read from (repeat; alone with --client-id: replace)",
    )
    args = parser.parse_args(argv)
    keep_data_private()
    if args.command.startswith("import-"):
        return _run_import(parser, args)
    if args.command == "crd-client":
        registering = args.client_id and args.name and args.jwks_url and args.npi
        setting_servers = args.client_id and args.fhir_server and not (args.name or args.jwks_url or args.npi)
        if not (args.disable_client or registering or setting_servers):
            parser.error(
                "crd-client needs --client-id, --name, --jwks-url and --npi (and any --fhir-server), or "
                "--client-id ISS with --fhir-server URL (replaces its servers), or --disable-client ISS"
            )
        print(
            crd_client(
                client_id=args.client_id,
                name=args.name,
                jwks_url=args.jwks_url,
                npis=args.npi,
                disable=args.disable_client,
                fhir_servers=args.fhir_server,
            )
        )
        return 0
    if args.command == "api-client":
        if not args.disable_client and not (args.name and args.tax_id and args.jwks):
            parser.error("api-client needs --name, --tax-id and --jwks (or --disable-client CLIENT_ID)")
        print(
            api_client(
                name=args.name,
                tax_id=args.tax_id,
                jwks_path=args.jwks,
                notify_urls=args.notify_url,
                npis=args.npi,
                scopes=args.scopes,
                disable=args.disable_client,
            )
        )
    elif args.command == "device-key":
        if not args.vendor.strip():
            parser.error('device-key needs the vendor\'s name, e.g. device-key "ResMed AirView"')
        print(device_key(args.vendor.strip(), disable=args.disable))
    elif args.command == "new-file-key":
        from portal_app.services.file_store import new_key_text

        key_id = args.vendor.strip() or f"k{clock.today():%Y%m%d}"
        print("Put this entry first in FILE_ENCRYPTION_KEYS (keep the old ones after it), restart, then")
        print("run reencrypt-files; remove an old entry only after that (docs/security.md):")
        print(new_key_text(key_id))
    elif args.command == "reencrypt-files":
        print(reencrypt_files())
    elif args.command == "migrate":
        migrate()
        shown = make_url(get_settings().db_url).render_as_string(hide_password=True)
        print(f"Database is at the newest revision ({shown}).")
    elif args.command == "seed":
        added = seed()
        summary = ", ".join(f"{n} {kind}" for kind, n in added.items()) or "nothing new"
        print(f"Demo data loaded: {summary}.")
    else:
        print_accounts()
    return 0


if __name__ == "__main__":
    sys.exit(main())
