"""Issue 22 (CRD): the EHR organisations allowed to call the CDS Hooks service (JWKS URL, NPIs they
act for, their service user), the JWT ids they used (no replay), every hook call with its answer (the
audited store for disputes) and the orders CRD authorized per EHR order (no second authorization for a
repeated call). New tables only.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crd_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("jwks_url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("npis", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_crd_clients_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crd_clients")),
        sa.UniqueConstraint("user_id", name=op.f("uq_crd_clients_user_id")),
    )
    with op.batch_alter_table("crd_clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crd_clients_client_id"), ["client_id"], unique=True)

    op.create_table(
        "crd_hook_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crd_client_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("hook_instance", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("refusal", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("order_numbers", sa.JSON(), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["crd_client_id"], ["crd_clients.id"], name=op.f("fk_crd_hook_calls_crd_client_id_crd_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crd_hook_calls")),
    )
    with op.batch_alter_table("crd_hook_calls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_crd_hook_calls_client_created", ["crd_client_id", "created_at"], unique=False
        )

    op.create_table(
        "crd_jtis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crd_client_id", sa.Integer(), nullable=False),
        sa.Column("jti", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["crd_client_id"], ["crd_clients.id"], name=op.f("fk_crd_jtis_crd_client_id_crd_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crd_jtis")),
        sa.UniqueConstraint("crd_client_id", "jti", name="uq_crd_jti"),
    )
    with op.batch_alter_table("crd_jtis", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crd_jtis_crd_client_id"), ["crd_client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_crd_jtis_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "crd_authorizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crd_client_id", sa.Integer(), nullable=False),
        sa.Column("order_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["crd_client_id"],
            ["crd_clients.id"],
            name=op.f("fk_crd_authorizations_crd_client_id_crd_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_crd_authorizations_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crd_authorizations")),
        sa.UniqueConstraint("crd_client_id", "order_key", name="uq_crd_authorization_order"),
    )
    with op.batch_alter_table("crd_authorizations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crd_authorizations_crd_client_id"), ["crd_client_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_crd_authorizations_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crd_authorizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crd_authorizations_order_id"))
        batch_op.drop_index(batch_op.f("ix_crd_authorizations_crd_client_id"))

    op.drop_table("crd_authorizations")
    with op.batch_alter_table("crd_jtis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crd_jtis_expires_at"))
        batch_op.drop_index(batch_op.f("ix_crd_jtis_crd_client_id"))

    op.drop_table("crd_jtis")
    with op.batch_alter_table("crd_hook_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_crd_hook_calls_client_created")

    op.drop_table("crd_hook_calls")
    with op.batch_alter_table("crd_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crd_clients_client_id"))

    op.drop_table("crd_clients")
