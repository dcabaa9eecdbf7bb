"""Issue 24: gold-card evaluations (one per plan, rule set and evaluation month) and the exemptions
they grant, with their figures and any rescission; the requests that got their number without
review (gold card or transition of care); the decision clock rule each request was given and its
extension; authorizations brought from a member's previous plan. New tables only.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gold_card_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("rule_set", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("lookback_from", sa.Date(), nullable=False),
        sa.Column("lookback_to", sa.Date(), nullable=False),
        sa.Column("evaluated", sa.Integer(), nullable=False),
        sa.Column("exempt", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_gold_card_evaluations_plan_id_health_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_card_evaluations")),
        sa.UniqueConstraint("plan_id", "rule_set", "period", name="uq_gold_card_evaluation_period"),
    )
    op.create_table(
        "gold_card_exemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("service_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("rule_set", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.Column("lookback_from", sa.Date(), nullable=False),
        sa.Column("lookback_to", sa.Date(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("rescission_noticed_on", sa.Date(), nullable=True),
        sa.Column("rescission_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("sample_met", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["gold_card_evaluations.id"],
            name=op.f("fk_gold_card_exemptions_evaluation_id_gold_card_evaluations"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_gold_card_exemptions_plan_id_health_plans")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_gold_card_exemptions_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_card_exemptions")),
    )
    with op.batch_alter_table("gold_card_exemptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gold_card_exemptions_evaluation_id"), ["evaluation_id"], unique=False
        )
        batch_op.create_index(
            "ix_gold_card_exemptions_lookup", ["plan_id", "provider_id", "service_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gold_card_exemptions_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "order_clocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("rule_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("time_frame", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extension_days_allowed", sa.Integer(), nullable=False),
        sa.Column("extended_days", sa.Integer(), nullable=False),
        sa.Column("extended_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extension_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extended_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extended_by_id"], ["users.id"], name=op.f("fk_order_clocks_extended_by_id_users")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_clocks_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_clocks")),
        sa.UniqueConstraint("order_id", name=op.f("uq_order_clocks_order_id")),
    )
    with op.batch_alter_table("order_clocks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_clocks_extended_at"), ["extended_at"], unique=False)

    op.create_table(
        "order_exemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("exemption_id", sa.Integer(), nullable=True),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exemption_id"],
            ["gold_card_exemptions.id"],
            name=op.f("fk_order_exemptions_exemption_id_gold_card_exemptions"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_exemptions_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_exemptions")),
        sa.UniqueConstraint("order_id", name=op.f("uq_order_exemptions_order_id")),
    )
    with op.batch_alter_table("order_exemptions", schema=None) as batch_op:
        batch_op.create_index("ix_order_exemptions_kind_created", ["kind", "created_at"], unique=False)

    op.create_table(
        "transition_authorizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("prior_plan_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("prior_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("prior_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("prior_provider_npi", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("prior_valid_from", sa.Date(), nullable=False),
        sa.Column("prior_valid_until", sa.Date(), nullable=False),
        sa.Column("honoured", sa.Boolean(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("honoured_until", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_transition_authorizations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_transition_authorizations_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition_authorizations")),
        sa.UniqueConstraint("order_id", name=op.f("uq_transition_authorizations_order_id")),
    )


def downgrade() -> None:
    op.drop_table("transition_authorizations")
    with op.batch_alter_table("order_exemptions", schema=None) as batch_op:
        batch_op.drop_index("ix_order_exemptions_kind_created")

    op.drop_table("order_exemptions")
    with op.batch_alter_table("order_clocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_clocks_extended_at"))

    op.drop_table("order_clocks")
    with op.batch_alter_table("gold_card_exemptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gold_card_exemptions_provider_id"))
        batch_op.drop_index("ix_gold_card_exemptions_lookup")
        batch_op.drop_index(batch_op.f("ix_gold_card_exemptions_evaluation_id"))

    op.drop_table("gold_card_exemptions")
    op.drop_table("gold_card_evaluations")
