"""Issue 27: the member, servicing-provider and facility searches answer from indexes.

- members: (plan_id, lower(last_name), date_of_birth), the expression the member look-up compares;
- providers: postal_code (the directory's ZIP search);
- SQLite: FTS5 tables with the trigram tokenizer (SQLite 3.34+) over the text the "contains" searches
  look in, external-content tables over ``providers`` and ``facilities`` kept in step by triggers;
- PostgreSQL: the pg_trgm extension and a GIN trigram index on each of the same columns, which
  ``ILIKE '%text%'`` uses directly (one multi-column index is priced as a whole-index scan per column,
  and the planner then read the table instead). ``fastupdate = off``: rows inserted go into the index
  at once rather than into a pending list that only a vacuum merges, which the planner prices so high
  that it read the table after a bulk load (these tables change seldom; a search must not wait for
  autovacuum).

A later revision that rebuilds ``providers`` or ``facilities`` on SQLite (batch mode copies the table and
drops the old one) drops these triggers with it and must create them again; tests/integration/
test_search_indexes.py fails at head if the search stops following inserts, updates and deletes.
The downgrade keeps the pg_trgm extension: other schemas of the same database may use it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (FTS5 table, searched columns); the names are also in portal_app/models/providers.py.
SEARCHED = {
    "providers": ("providers_fts", ("last_name", "first_name", "specialty", "city")),
    "facilities": ("facilities_fts", ("name", "city", "modalities")),
}


def _sqlite_fts(table: str, fts: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='id',"
        " tokenize='trigram')",
        f"CREATE TRIGGER {fts}_after_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_after_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_after_update AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    op.create_index(
        "ix_members_plan_lower_last_name_dob",
        "members",
        ["plan_id", sa.text("lower(last_name)"), "date_of_birth"],
        unique=False,
    )
    op.create_index("ix_providers_postal_code", "providers", ["postal_code"], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table, (fts, columns) in SEARCHED.items():
            for statement in _sqlite_fts(table, fts, columns):
                op.execute(statement)
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, (_, columns) in SEARCHED.items():
            for column in columns:
                op.execute(
                    f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
                    " WITH (fastupdate = off)"
                )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for fts, _ in SEARCHED.values():
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_after_{event}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    elif dialect == "postgresql":
        for table, (_, columns) in SEARCHED.items():
            for column in columns:
                op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
    op.drop_index("ix_providers_postal_code", table_name="providers")
    op.drop_index("ix_members_plan_lower_last_name_dob", table_name="members")
