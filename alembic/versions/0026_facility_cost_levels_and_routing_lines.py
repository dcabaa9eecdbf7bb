"""Issue 20: the plan's relative cost level of each facility, with dates and a source per row
(``facility_cost_levels``, loaded from the plan's file: services/cost_levels.py), and echo routing per
line of business (``program_routings.line_of_business``, "" for every line, part of the unique key so
two all-lines rows of the same plan, group and date are refused on PostgreSQL as on SQLite). The new
facility type (ambulatory surgery center) and data file kind (cost levels) are text values: no change.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "facility_cost_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("data_load_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_load_id"], ["data_loads.id"], name=op.f("fk_facility_cost_levels_data_load_id_data_loads")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_facility_cost_levels_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_facility_cost_levels_plan_id_health_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_cost_levels")),
        sa.UniqueConstraint("plan_id", "facility_id", "effective_from", name="uq_facility_cost_level_from"),
    )
    with op.batch_alter_table("facility_cost_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_cost_levels_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_facility_cost_levels_plan_id"), ["plan_id"], unique=False)
    with op.batch_alter_table("program_routings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "line_of_business",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.drop_constraint("uq_program_routing_from", type_="unique")
        batch_op.create_unique_constraint(
            "uq_program_routing_from", ["plan_id", "service_group", "line_of_business", "starts_on"]
        )


def downgrade() -> None:
    # Rows for one line of business cannot be kept without the column: they are removed.
    op.execute("DELETE FROM program_routings WHERE line_of_business <> ''")
    with op.batch_alter_table("program_routings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_program_routing_from", type_="unique")
        batch_op.create_unique_constraint(
            "uq_program_routing_from", ["plan_id", "service_group", "starts_on"]
        )
        batch_op.drop_column("line_of_business")
    with op.batch_alter_table("facility_cost_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_cost_levels_plan_id"))
        batch_op.drop_index(batch_op.f("ix_facility_cost_levels_facility_id"))
    op.drop_table("facility_cost_levels")
