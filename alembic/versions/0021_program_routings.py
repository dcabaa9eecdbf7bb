"""Issue 20: program_routings, which program a plan's requests for a group of services land in, with
dates (echocardiography: imaging by default, cardiology for a plan that delegates echo to it). The
cardiology program itself needs no schema change (programs are stored as text).

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0021"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "program_routings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("service_group", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("program", sa.String(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_program_routings_plan_id_health_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_routings")),
        sa.UniqueConstraint("plan_id", "service_group", "starts_on", name="uq_program_routing_from"),
    )
    with op.batch_alter_table("program_routings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_program_routings_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("program_routings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_routings_plan_id"))
    op.drop_table("program_routings")
