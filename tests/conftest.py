"""Fixtures shared by every test layer: fresh migrated databases; running portals (tests/servers.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from portal_app.cli import migrate
from portal_app.db import make_engine

pytest_plugins = ["tests.servers"]

# Set by `make test` when PostgreSQL answers on loopback; integration tests then
# run on SQLite and on PostgreSQL.
TEST_PG_URL = os.environ.get("TEST_PG_URL", "")
BACKENDS = ["sqlite", "postgresql"] if TEST_PG_URL else ["sqlite"]


@pytest.fixture
def empty_db_url(request, tmp_path) -> Iterator[str]:
    """The URL of an empty database: SQLite by default, PostgreSQL when parametrized."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    yield from _scratch_postgres_database()


def _scratch_postgres_database() -> Iterator[str]:
    name = f"precert_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = TEST_PG_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(empty_db_url) -> str:
    """A database migrated to the newest revision."""
    migrate(empty_db_url)
    return empty_db_url


@pytest.fixture
def session(db_url) -> Iterator[Session]:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()
