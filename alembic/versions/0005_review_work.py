"""Review work: the standard decision time per plan, review task kinds (initial,
reconsideration, appeal) and the physician an appeal must avoid, the criterion and the
quantity of a decision, letters among documents, and imaging facilities' modalities and
quality score. Existing rows get defaults.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("determinations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reason_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("approved_quantity", sa.Integer(), nullable=True))

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="upload"
            )
        )

    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "modalities", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("quality_score", sa.Integer(), nullable=True))

    with op.batch_alter_table("health_plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("standard_review_days", sa.Integer(), nullable=False, server_default="7")
        )

    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="initial"
            )
        )
        batch_op.add_column(sa.Column("excluded_reviewer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_review_tasks_excluded_reviewer_id_users"),
            "users",
            ["excluded_reviewer_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_review_tasks_excluded_reviewer_id_users"), type_="foreignkey")
        batch_op.drop_column("excluded_reviewer_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("health_plans", schema=None) as batch_op:
        batch_op.drop_column("standard_review_days")

    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_column("quality_score")
        batch_op.drop_column("modalities")

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("determinations", schema=None) as batch_op:
        batch_op.drop_column("approved_quantity")
        batch_op.drop_column("reason_code")
