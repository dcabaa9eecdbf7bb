"""Order entry: drafts before the member is chosen (member_id nullable), the wizard step,
the member and out-of-network confirmations, the letter address and fax, the duplicate
an order was submitted over, and why an order was cancelled. Existing rows get defaults.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wizard_step", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("member_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("out_of_network_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "letter_address",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "letter_fax", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "duplicate_of", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "cancel_reason",
                sqlmodel.sql.sqltypes.AutoString(length=1000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.alter_column("member_id", existing_type=sa.INTEGER(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("member_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("letter_fax")
        batch_op.drop_column("letter_address")
        batch_op.drop_column("out_of_network_confirmed")
        batch_op.drop_column("member_confirmed")
        batch_op.drop_column("wizard_step")
