"""The office's side of the conversation after a request pends (issue 18): in-portal notices, the
reviewers' specialty and "available now" toggle, peer-to-peer calls the office asks for (immediate
or scheduled, times published by physicians on no order yet, so ``order_id`` becomes nullable), the
pend clock and flags of a review task (no response from the office, live review, call back), and
each plan's pend time.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_user_id", sa.Integer(), nullable=True),
        sa.Column("recipient_practice_id", sa.Integer(), nullable=True),
        sa.Column("kind", _text(40), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("order_number", _text(20), nullable=False),
        sa.Column("text", _text(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_notices_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["recipient_practice_id"],
            ["practices.id"],
            name=op.f("fk_notices_recipient_practice_id_practices"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"], ["users.id"], name=op.f("fk_notices_recipient_user_id_users")
        ),
        sa.ForeignKeyConstraint(["read_by_id"], ["users.id"], name=op.f("fk_notices_read_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index(op.f("ix_notices_order_id"), "notices", ["order_id"], unique=False)
    op.create_index("ix_notices_user_read", "notices", ["recipient_user_id", "read_at"], unique=False)
    op.create_index("ix_notices_practice_read", "notices", ["recipient_practice_id", "read_at"], unique=False)

    op.create_table(
        "reviewer_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("specialty", _text(40), nullable=False),
        sa.Column("available_now", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reviewer_profiles_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reviewer_profiles")),
    )
    op.create_index(
        op.f("ix_reviewer_profiles_available_now"), "reviewer_profiles", ["available_now"], unique=False
    )

    with op.batch_alter_table("peer_to_peer_appointments", schema=None) as batch_op:
        batch_op.alter_column("order_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(
            sa.Column("mode", sa.String(length=40), nullable=False, server_default="scheduled")
        )
        batch_op.add_column(sa.Column("respond_by", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_p2p_status_start", ["status", "starts_at"], unique=False)

    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("office_reply_due", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("flag", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("flag_note", _text(500), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("live_review_requested_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("call_back_requested_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("health_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pend_business_days", sa.Integer(), nullable=False, server_default="5"))
        batch_op.add_column(sa.Column("pend_urgent_hours", sa.Integer(), nullable=False, server_default="72"))


def downgrade() -> None:
    with op.batch_alter_table("health_plans", schema=None) as batch_op:
        batch_op.drop_column("pend_urgent_hours")
        batch_op.drop_column("pend_business_days")
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.drop_column("call_back_requested_at")
        batch_op.drop_column("live_review_requested_at")
        batch_op.drop_column("flag_note")
        batch_op.drop_column("flag")
        batch_op.drop_column("office_reply_due")
    # Published times on no order cannot stay once every call belongs to an order again.
    op.execute("DELETE FROM peer_to_peer_appointments WHERE order_id IS NULL")
    with op.batch_alter_table("peer_to_peer_appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_p2p_status_start")
        batch_op.drop_column("respond_by")
        batch_op.drop_column("mode")
        batch_op.alter_column("order_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f("ix_reviewer_profiles_available_now"), table_name="reviewer_profiles")
    op.drop_table("reviewer_profiles")
    op.drop_index("ix_notices_practice_read", table_name="notices")
    op.drop_index("ix_notices_user_read", table_name="notices")
    op.drop_index(op.f("ix_notices_order_id"), table_name="notices")
    op.drop_table("notices")
