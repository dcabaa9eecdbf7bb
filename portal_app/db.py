"""Database engine and sessions for services, the seed command and tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from portal_app.settings import get_settings


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL still never corrupts the file and keeps every commit across a restart of the
    # portal; only an operating-system crash or power cut may lose the last commits. It spares a disk
    # flush per commit, which under a crowd is what every writer queues behind (docs/performance.md).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: the configured DB_URL)."""
    return make_engine(url or get_settings().db_url)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that is closed on exit; callers commit explicitly."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        yield session


def query_plan(connection, statement) -> list[str]:
    """The database's plan for ``statement`` (SQLite's EXPLAIN QUERY PLAN details, PostgreSQL's
    EXPLAIN lines), the bound values written in: for tests and benchmarks that check an index is used."""
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        return [str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    return [str(row[0]) for row in connection.exec_driver_sql(f"EXPLAIN {sql}")]
