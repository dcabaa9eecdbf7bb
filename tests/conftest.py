"""Fixtures shared by every test layer: databases cloned from templates built once per run, and the
running portals (tests/servers.py).

Migrating a database takes about half a second and loading the demo data as long again; hundreds of
tests need one. So each backend gets two templates per test session, built on first use: one migrated
to head, one migrated and seeded with the demo data. A test's database is a copy of one of them
(SQLite: the file is copied; PostgreSQL: ``CREATE DATABASE ... TEMPLATE``), so every test still owns
a fresh database that it may change at will.

A test (or one of its fixtures) asks for the seeded copy by using the ``demo_data`` fixture; its
``load_demo_data(session)`` calls then find everything in place and add nothing.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

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

EMPTY, MIGRATED, SEEDED = "empty", "migrated", "seeded"


class DatabaseTemplates:
    """The migrated and the seeded template of each backend, built when first asked for."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.built: dict[tuple[str, str], str] = {}

    def template(self, backend: str, contents: str) -> str:
        key = (backend, contents)
        if key not in self.built:
            self.built[key] = self._build(backend, contents)
        return self.built[key]

    def _build(self, backend: str, contents: str) -> str:
        if backend == "sqlite":
            url = f"sqlite:///{self.workdir / f'template_{contents}.db'}"
        else:
            url = _create_postgres_database(f"precert_template_{contents}_{uuid.uuid4().hex[:8]}")
        migrate(url)
        if contents == SEEDED:
            from portal_app.services.demo_data import load_demo_data

            engine = make_engine(url)
            with Session(engine, expire_on_commit=False) as session:
                load_demo_data(session)
            # A PostgreSQL template may have no open connection when it is copied.
            engine.dispose()
        return url

    def drop_all(self) -> None:
        for (backend, _), url in self.built.items():
            if backend == "postgresql":
                _drop_postgres_database(url.rpartition("/")[2])


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory) -> Iterator[DatabaseTemplates]:
    templates = DatabaseTemplates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.drop_all()


@pytest.fixture
def demo_data() -> None:
    """Asks for a database that already holds the demo data (see the module's docstring)."""


@pytest.fixture
def empty_db_url(request, tmp_path, database_templates) -> Iterator[str]:
    """The URL of this test's own database: SQLite by default, PostgreSQL when parametrized.

    Empty unless the test also uses ``db_url`` (migrated) or ``demo_data`` (migrated and seeded).
    """
    backend = getattr(request, "param", "sqlite")
    contents = _contents_asked_for(request.fixturenames)
    if backend == "sqlite":
        path = tmp_path / "test.db"
        if contents != EMPTY:
            template = database_templates.template(backend, contents)
            _copy_sqlite(template.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    template_name = None
    if contents != EMPTY:
        template_name = database_templates.template(backend, contents).rpartition("/")[2]
    yield from _scratch_postgres_database(template=template_name)


def _copy_sqlite(source: str, target: Path) -> None:
    # The backup API, not a file copy: the template is in WAL mode and may hold pages in its -wal file.
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)
    copy.close()
    original.close()


def _contents_asked_for(fixturenames: list[str]) -> str:
    if "demo_data" in fixturenames:
        return SEEDED
    if "db_url" in fixturenames:
        return MIGRATED
    return EMPTY


def _admin_engine():
    return create_engine(TEST_PG_URL, isolation_level="AUTOCOMMIT")


def _create_postgres_database(name: str, template: str | None = None) -> str:
    admin = _admin_engine()
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    admin.dispose()
    base, _, _ = TEST_PG_URL.rpartition("/")
    return f"{base}/{name}"


def _drop_postgres_database(name: str) -> None:
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _scratch_postgres_database(template: str | None = None) -> Iterator[str]:
    name = f"precert_test_{uuid.uuid4().hex[:12]}"
    url = _create_postgres_database(name, template)
    try:
        yield url
    finally:
        _drop_postgres_database(name)


@pytest.fixture(scope="session")
def base_url(portal) -> str:
    """The running portal's address. Here, not in tests/servers.py: a conftest fixture takes
    precedence over pytest-base-url's own ``base_url``; a plugin's does not."""
    return portal["url"]


@pytest.fixture
def db_url(empty_db_url) -> str:
    """A database migrated to the newest revision (a copy of the migrated template)."""
    return empty_db_url


@pytest.fixture
def session(db_url) -> Iterator[Session]:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


# --- Reruns (E2E_RERUNS): the first attempt's failure stays in the output ---

_RERUN_REPORTS: list[pytest.TestReport] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.outcome == "rerun":
        _RERUN_REPORTS.append(report)


def pytest_terminal_summary(terminalreporter) -> None:
    """Print why each rerun test failed the first time: a pass on the rerun hides it otherwise."""
    for report in _RERUN_REPORTS:
        terminalreporter.write_sep("_", f"first attempt of {report.nodeid} (rerun)")
        terminalreporter.write_line(report.longreprtext[-6000:])
