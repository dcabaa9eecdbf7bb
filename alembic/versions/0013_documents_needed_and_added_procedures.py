"""Which listed document an upload answers (documents.needed_document, domain/documents_needed.py),
so the reviewer sees which listed documents arrived; and the order a same-day added procedure was
added to (orders.added_to_order_id, program FAQ shared/seeds/001: the rendering provider asks for an
order number for it within 2 business days).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "needed_document",
                sqlmodel.sql.sqltypes.AutoString(length=60),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_to_order_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_orders_added_to_order_id"), ["added_to_order_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_added_to_order_id_orders"), "orders", ["added_to_order_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_orders_added_to_order_id_orders"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_orders_added_to_order_id"))
        batch_op.drop_column("added_to_order_id")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("needed_document")
