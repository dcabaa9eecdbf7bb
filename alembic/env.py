"""Alembic environment: migrates the database named by DB_URL."""

from __future__ import annotations

from logging.config import fileConfig

from sqlmodel import SQLModel

import portal_app.models  # noqa: F401  (registers every table on the metadata)
from alembic import context
from portal_app.db import make_engine
from portal_app.models.providers import outside_metadata
from portal_app.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def include_name(name, type_, _parent_names) -> bool:
    """Autogenerate leaves out the search structures one database has and the metadata does not
    (SQLite FTS5 tables, PostgreSQL trigram indexes: revision 0025)."""
    return not (type_ in ("table", "index") and outside_metadata(name))


def _db_url() -> str:
    return config.attributes.get("db_url") or get_settings().db_url


def run_migrations_offline() -> None:
    url = _db_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _db_url()
    given = config.attributes.get("connection")
    if given is not None:
        _run(given, url)
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection, url)
    finally:
        # Close the pooled connection now: a PostgreSQL database with an open connection cannot
        # serve as a template, be dropped or be renamed.
        engine.dispose()


def _run(connection, url: str) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
