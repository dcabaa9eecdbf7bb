"""The record of each member or provider file a plan sends (data_loads: who, when, which file,
what it changed or why it was rejected). A plan's set-up on screen: a program delegated for one
line of business (plan_programs.line_of_business, "" for all) with the plan's validity days, and
the contact details its letters give from a date (plan_letter_contacts). Drops
health_plans.case_entry_screens, the per-plan old/new oncology screen setting that nothing read.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
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
    op.create_table(
        "plan_letter_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("appeals_address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("fax", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_plan_letter_contacts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_plan_letter_contacts_plan_id_health_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_letter_contacts")),
        sa.UniqueConstraint("plan_id", "effective_from", name="uq_plan_letter_contact_from"),
    )
    with op.batch_alter_table("plan_letter_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_letter_contacts_plan_id"), ["plan_id"], unique=False)
    with op.batch_alter_table("plan_programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "line_of_business",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("validity_days", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_plan_program_from", type_="unique")
        batch_op.create_unique_constraint(
            "uq_plan_program_line_from", ["plan_id", "program", "line_of_business", "delegated_from"]
        )


def downgrade() -> None:
    # Delegations for one line of business become delegations for the whole plan again; where that
    # would repeat a (plan, program, from) row, the first is kept.
    op.execute(
        "DELETE FROM plan_programs WHERE id NOT IN "
        "(SELECT MIN(id) FROM plan_programs GROUP BY plan_id, program, delegated_from)"
    )
    with op.batch_alter_table("plan_programs", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plan_program_line_from", type_="unique")
        batch_op.create_unique_constraint("uq_plan_program_from", ["plan_id", "program", "delegated_from"])
        batch_op.drop_column("validity_days")
        batch_op.drop_column("line_of_business")
    with op.batch_alter_table("plan_letter_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_letter_contacts_plan_id"))
    op.drop_table("plan_letter_contacts")
    with op.batch_alter_table("health_plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("case_entry_screens", sa.String(length=40), nullable=False, server_default="classic")
        )
    with op.batch_alter_table("data_loads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_loads_status"))
        batch_op.drop_index("ix_data_loads_plan_started")
    op.drop_table("data_loads")
