"""Command line for operators: ``python -m portal_app.cli migrate|seed|accounts``."""

from __future__ import annotations

import argparse
import sys

from alembic import command
from alembic.config import Config

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


def seed(db_url: str | None = None) -> dict[str, int]:
    """Load the demo data; returns the rows added per table."""
    from portal_app.db import session_scope
    from portal_app.services.demo_data import load_demo_data

    with session_scope(db_url) as session:
        return load_demo_data(session).added


def print_accounts() -> None:
    from portal_app.services.demo_data import DEMO_ACCOUNTS

    print("Demo accounts (synthetic data only):")
    for account in DEMO_ACCOUNTS:
        print(f"  {account.role.label:<26} {account.email:<30} password: {account.password}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal_app.cli", description=__doc__)
    parser.add_argument("command", choices=["migrate", "seed", "accounts"])
    args = parser.parse_args(argv)
    if args.command == "migrate":
        migrate()
        print(f"Database is at the newest revision ({get_settings().db_url}).")
    elif args.command == "seed":
        added = seed()
        summary = ", ".join(f"{n} {kind}" for kind, n in added.items()) or "nothing new"
        print(f"Demo data loaded: {summary}.")
    else:
        print_accounts()
    return 0


if __name__ == "__main__":
    sys.exit(main())
