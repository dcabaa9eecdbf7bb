"""Issue 25: the e-mail outbox is delivered after the commit by a task (tries, the next try or the
worker's lease, the last error, when it gave up); each user's e-mail preference for notifications
(off, immediately, daily digest); notices waiting for a daily digest.

Revision ID: 0024
Revises: 0017
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0024"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
    # Mail written before the outbox had a delivery task is due at once (sent ones are never picked).
    op.execute("UPDATE outbox_emails SET next_attempt_at = created_at")
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.alter_column("next_attempt_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(
            "ix_outbox_emails_due", ["sent_at", "failed_at", "next_attempt_at"], unique=False
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_preference",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="immediately",
            )
        )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_due", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f("ix_notices_digest_due"), ["digest_due"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_digest_due"))
        batch_op.drop_column("digest_due")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_preference")
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_emails_due")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
