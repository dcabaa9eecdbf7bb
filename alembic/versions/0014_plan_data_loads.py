"""The record of each member or provider file a plan sends (data_loads: who, when, which file,
what it changed or why it was rejected). Drops health_plans.case_entry_screens, the per-plan
old/new oncology screen setting that nothing read.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("file_format", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("loaded_by_id", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("records_read", sa.Integer(), nullable=False),
        sa.Column("new_count", sa.Integer(), nullable=False),
        sa.Column("changed_count", sa.Integer(), nullable=False),
        sa.Column("ended_count", sa.Integer(), nullable=False),
        sa.Column("unchanged_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loaded_by_id"], ["users.id"], name=op.f("fk_data_loads_loaded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_data_loads_plan_id_health_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_loads")),
    )
    with op.batch_alter_table("data_loads", schema=None) as batch_op:
        batch_op.create_index("ix_data_loads_plan_started", ["plan_id", "started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_loads_status"), ["status"], unique=False)
    with op.batch_alter_table("health_plans", schema=None) as batch_op:
        batch_op.drop_column("case_entry_screens")


def downgrade() -> None:
    with op.batch_alter_table("health_plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("case_entry_screens", sa.String(length=40), nullable=False, server_default="classic")
        )
    with op.batch_alter_table("data_loads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_loads_status"))
        batch_op.drop_index("ix_data_loads_plan_started")
    op.drop_table("data_loads")
