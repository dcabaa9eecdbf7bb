"""The kind of each outgoing e-mail (the outbox shows it instead of the body), derived from the
subject for earlier mail; the id of the key each stored document is encrypted with ("" for the
files written before encryption, which stay readable until re-encrypted). Bodies of mail an SMTP
server has already accepted are dropped: they held usable links.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BY_SUBJECT = (
    ("Reset your Precert password", "password_reset"),
    ("Confirm your e-mail address for Precert", "email_confirmation"),
    ("Your Precert account is ready", "account_approved"),
    ("Your Precert registration", "registration_decision"),
    ("Corrections requested for your facility registration", "facility_registration"),
    ("Change request %", "demographic_change"),
    ("Fax number %", "fax_confirmation"),
    ("Decision letter ready for order %", "decision_letter"),
)


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default="notice"
            )
        )
    outbox = sa.table("outbox_emails", sa.column("kind", sa.String), sa.column("subject", sa.String))
    for subject, kind in _KINDS_BY_SUBJECT:
        op.execute(outbox.update().where(outbox.c.subject.like(subject)).values(kind=kind))
    op.execute("UPDATE outbox_emails SET body = '' WHERE sent_at IS NOT NULL")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "encryption_key_id",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.create_index(
            batch_op.f("ix_documents_encryption_key_id"), ["encryption_key_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_encryption_key_id"))
        batch_op.drop_column("encryption_key_id")
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("kind")
