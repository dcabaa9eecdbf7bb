"""The satisfaction survey offered on the order summary after a request is submitted: one row per
user and calendar month (UTC, unique together, so the survey is asked at most once a month) with
the order it was offered on (and that order's practice, program and plan, for the review
dashboard's filters), whether it is still open, answered or dismissed ("Not now"), the ease rating
from 1 to 5 and the optional comment. The dashboard reads the surveys offered in a date range
(indexed by the time offered, with the status).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "satisfaction_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=40), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False, server_default="asked"),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column(
            "comment", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=""
        ),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_satisfaction_surveys_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_satisfaction_surveys_plan_id_health_plans")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_satisfaction_surveys_practice_id_practices")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_satisfaction_surveys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_surveys")),
        sa.UniqueConstraint("user_id", "period", name="uq_satisfaction_surveys_user_period"),
    )
    with op.batch_alter_table("satisfaction_surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_satisfaction_surveys_order_id"), ["order_id"], unique=False)
        batch_op.create_index("ix_satisfaction_surveys_asked_status", ["asked_at", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("satisfaction_surveys", schema=None) as batch_op:
        batch_op.drop_index("ix_satisfaction_surveys_asked_status")
        batch_op.drop_index(batch_op.f("ix_satisfaction_surveys_order_id"))

    op.drop_table("satisfaction_surveys")
