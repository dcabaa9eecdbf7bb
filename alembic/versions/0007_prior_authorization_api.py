"""The prior-authorization API (Da Vinci PAS): API clients bound to a practice, each with its public
keys (JWKS), its scopes, the notification URLs vetted for it and a service user of its own; the
hashes of their short-lived bearer tokens and the client-assertion ids already used (replay
protection); every `$submit` by Claim identifier, once per organization, with the order it created
or updated and the request kept (attachments as hashes); rest-hook subscriptions to the PAS topic;
and the notifications waiting to be posted to subscribers (a transactional outbox with retries).
New tables only; nothing existing changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("scopes", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=""),
        sa.Column("notify_url_prefixes", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("extra_npis", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_api_clients_practice_id_practices")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_clients_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("user_id", name=op.f("uq_api_clients_user_id")),
    )
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_clients_client_id"), ["client_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_api_clients_practice_id"), ["practice_id"], unique=False)

    op.create_table(
        "api_access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("api_client_id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=""),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.ForeignKeyConstraint(
            ["api_client_id"], ["api_clients.id"], name=op.f("fk_api_access_tokens_api_client_id_api_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_access_tokens")),
    )
    with op.batch_alter_table("api_access_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_access_tokens_api_client_id"), ["api_client_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_access_tokens_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_access_tokens_token_hash"), ["token_hash"], unique=True)

    op.create_table(
        "api_assertion_jtis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_client_id", sa.Integer(), nullable=False),
        sa.Column("jti", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_api_assertion_jtis_api_client_id_api_clients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_assertion_jtis")),
        sa.UniqueConstraint("api_client_id", "jti", name="uq_api_assertion_jti"),
    )
    with op.batch_alter_table("api_assertion_jtis", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_assertion_jtis_api_client_id"), ["api_client_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_assertion_jtis_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "pas_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_client_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False, server_default="active"),
        sa.Column("endpoint", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column(
            "content",
            sqlmodel.sql.sqltypes.AutoString(length=20),
            nullable=False,
            server_default="full-resource",
        ),
        sa.Column(
            "filter_criteria", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""
        ),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""),
        sa.Column("events_sent", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_client_id"], ["api_clients.id"], name=op.f("fk_pas_subscriptions_api_client_id_api_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pas_subscriptions")),
    )
    with op.batch_alter_table("pas_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pas_subscriptions_api_client_id"), ["api_client_id"], unique=False
        )

    op.create_table(
        "pas_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("event_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_pas_notifications_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["pas_subscriptions.id"],
            name=op.f("fk_pas_notifications_subscription_id_pas_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pas_notifications")),
    )
    with op.batch_alter_table("pas_notifications", schema=None) as batch_op:
        batch_op.create_index("ix_pas_notifications_status_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pas_notifications_subscription_id"), ["subscription_id"], unique=False
        )

    op.create_table(
        "pas_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_client_id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column(
            "identifier_system",
            sqlmodel.sql.sqltypes.AutoString(length=255),
            nullable=False,
            server_default="",
        ),
        sa.Column("identifier_value", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False, server_default="initial"),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("related_submission_id", sa.Integer(), nullable=True),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "claim_full_url", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=""
        ),
        sa.Column("request_bundle", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("items", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_client_id"], ["api_clients.id"], name=op.f("fk_pas_submissions_api_client_id_api_clients")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_pas_submissions_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_pas_submissions_practice_id_practices")
        ),
        sa.ForeignKeyConstraint(
            ["related_submission_id"],
            ["pas_submissions.id"],
            name=op.f("fk_pas_submissions_related_submission_id_pas_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pas_submissions")),
        sa.UniqueConstraint(
            "practice_id", "identifier_system", "identifier_value", name="uq_pas_submission_identifier"
        ),
    )
    with op.batch_alter_table("pas_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pas_submissions_api_client_id"), ["api_client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pas_submissions_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pas_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pas_submissions_order_id"))
        batch_op.drop_index(batch_op.f("ix_pas_submissions_api_client_id"))

    op.drop_table("pas_submissions")
    with op.batch_alter_table("pas_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pas_notifications_subscription_id"))
        batch_op.drop_index("ix_pas_notifications_status_due")

    op.drop_table("pas_notifications")
    with op.batch_alter_table("pas_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pas_subscriptions_api_client_id"))

    op.drop_table("pas_subscriptions")
    with op.batch_alter_table("api_assertion_jtis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_assertion_jtis_expires_at"))
        batch_op.drop_index(batch_op.f("ix_api_assertion_jtis_api_client_id"))

    op.drop_table("api_assertion_jtis")
    with op.batch_alter_table("api_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_access_tokens_token_hash"))
        batch_op.drop_index(batch_op.f("ix_api_access_tokens_expires_at"))
        batch_op.drop_index(batch_op.f("ix_api_access_tokens_api_client_id"))

    op.drop_table("api_access_tokens")
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_clients_practice_id"))
        batch_op.drop_index(batch_op.f("ix_api_clients_client_id"))

    op.drop_table("api_clients")
