"""Issue 20/23: commercial HMO/POS and commercial PPO/EPO become distinct lines of business, and the
codes a program manages per plan, line of business and year are stored as loaded versions; a
delegation (per line of business) may set its own pend clock.

The former single value ``commercial`` becomes ``commercial_hmo_pos`` everywhere it is stored
(members, a plan's lines of business, delegations for one line). Why HMO/POS: the demo's and the
compliance rules' commercial rows describe an HMO (the Texas HMO gold-card rule of
plan_compliance_rules.csv), and a plan that offers PPO/EPO as well adds that line on its set-up
page, after which its member file says which members have it. Downgrade maps both values back to
``commercial`` (a plan offering both keeps one row).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "commercial"
HMO_POS = "commercial_hmo_pos"
PPO_EPO = "commercial_ppo_epo"
_TABLES = ("members", "plan_lines_of_business", "plan_programs")


def _rename(old: str, new: str) -> None:
    for table in _TABLES:
        op.execute(
            sa.text(f"UPDATE {table} SET line_of_business = :new WHERE line_of_business = :old").bindparams(
                old=old, new=new
            )
        )


def upgrade() -> None:
    _rename(OLD, HMO_POS)
    with op.batch_alter_table("plan_programs") as batch_op:
        batch_op.add_column(sa.Column("pend_business_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pend_urgent_hours", sa.Integer(), nullable=True))
    op.create_table(
        "code_list_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=40), nullable=False),
        sa.Column("line_of_business", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("code_count", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("loaded_by_id", sa.Integer(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_code_list_versions_plan_id_health_plans")
        ),
        sa.ForeignKeyConstraint(
            ["loaded_by_id"], ["users.id"], name=op.f("fk_code_list_versions_loaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_list_versions")),
        sa.UniqueConstraint(
            "plan_id", "program", "line_of_business", "year", "version", name="uq_code_list_version"
        ),
    )
    op.create_index(op.f("ix_code_list_versions_plan_id"), "code_list_versions", ["plan_id"])
    op.create_table(
        "code_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("code_system", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("notification_only", sa.Boolean(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["code_list_versions.id"],
            name=op.f("fk_code_list_entries_version_id_code_list_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_list_entries")),
        sa.UniqueConstraint("version_id", "code", name="uq_code_list_entry_code"),
    )
    op.create_index(op.f("ix_code_list_entries_version_id"), "code_list_entries", ["version_id"])


def downgrade() -> None:
    with op.batch_alter_table("plan_programs") as batch_op:
        batch_op.drop_column("pend_urgent_hours")
        batch_op.drop_column("pend_business_days")
    op.drop_index(op.f("ix_code_list_entries_version_id"), table_name="code_list_entries")
    op.drop_table("code_list_entries")
    op.drop_index(op.f("ix_code_list_versions_plan_id"), table_name="code_list_versions")
    op.drop_table("code_list_versions")
    # A plan offering both commercial lines keeps one row once they are one value again.
    op.execute(
        sa.text(
            "DELETE FROM plan_lines_of_business WHERE line_of_business = :ppo AND plan_id IN "
            "(SELECT plan_id FROM plan_lines_of_business WHERE line_of_business = :hmo)"
        ).bindparams(ppo=PPO_EPO, hmo=HMO_POS)
    )
    op.execute(
        sa.text(
            "DELETE FROM plan_programs WHERE line_of_business = :ppo AND EXISTS (SELECT 1 FROM plan_programs "
            "AS hmo WHERE hmo.line_of_business = :hmo AND hmo.plan_id = plan_programs.plan_id "
            "AND hmo.program = plan_programs.program AND hmo.delegated_from = plan_programs.delegated_from)"
        ).bindparams(ppo=PPO_EPO, hmo=HMO_POS)
    )
    _rename(HMO_POS, OLD)
    _rename(PPO_EPO, OLD)
