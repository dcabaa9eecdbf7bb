"""Issue 23: guideline versions with effective dates. Versions of a program's criteria loaded from
files (guideline_versions, and their criteria with the source of each in guideline_criteria), and
the version the rules engine applied to each determination (determinations.guideline_version).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guideline_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("loaded_by_id", sa.Integer(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["loaded_by_id"], ["users.id"], name=op.f("fk_guideline_versions_loaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_versions")),
        sa.UniqueConstraint("program", "version", name="uq_guideline_version"),
        sa.UniqueConstraint("program", "effective_from", name="uq_guideline_version_from"),
    )
    with op.batch_alter_table("guideline_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_versions_program"), ["program"], unique=False)
    op.create_table(
        "guideline_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("codes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("citation", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("line", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["guideline_versions.id"],
            name=op.f("fk_guideline_criteria_version_id_guideline_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_criteria")),
        sa.UniqueConstraint("version_id", "criterion_id", name="uq_guideline_criterion"),
    )
    with op.batch_alter_table("guideline_criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_criteria_version_id"), ["version_id"], unique=False)
    with op.batch_alter_table("determinations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guideline_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("determinations", schema=None) as batch_op:
        batch_op.drop_column("guideline_version")
    with op.batch_alter_table("guideline_criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_criteria_version_id"))
    op.drop_table("guideline_criteria")
    with op.batch_alter_table("guideline_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_versions_program"))
    op.drop_table("guideline_versions")
