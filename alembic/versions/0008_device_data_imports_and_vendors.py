"""PAP device data for the sleep program: the device clouds allowed to send it (a hashed API key
per vendor), every imported file (uploaded by an ordering office or sent to POST /api/device-data)
with who the file says the patient is and where it went (attached to the matching member, or held
for support and attached to nobody), and the nights of each file (usage minutes, AHI, leak), from
which the portal computes PAP adherence and prefills it into continued-coverage and supply requests.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_vendors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "key_prefix", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False, server_default=""
        ),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_vendors")),
        sa.UniqueConstraint("name", name=op.f("uq_device_vendors_name")),
    )
    with op.batch_alter_table("device_vendors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_vendors_key_hash"), ["key_hash"], unique=True)

    op.create_table(
        "device_data_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=True),
        sa.Column(
            "claimed_member_number",
            sqlmodel.sql.sqltypes.AutoString(length=40),
            nullable=False,
            server_default="",
        ),
        sa.Column("file_member_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("file_member_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("file_birth_date", sa.Date(), nullable=False),
        sa.Column(
            "filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False, server_default=""
        ),
        sa.Column("source_format", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column(
            "device_serial", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False, server_default=""
        ),
        sa.Column(
            "device_model", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False, server_default=""
        ),
        sa.Column("night_count", sa.Integer(), nullable=False),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.Column(
            "hold_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=""
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "resolution_note",
            sqlmodel.sql.sqltypes.AutoString(length=1000),
            nullable=False,
            server_default="",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_device_data_imports_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_device_data_imports_practice_id_practices")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_device_data_imports_resolved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_device_data_imports_uploaded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["device_vendors.id"], name=op.f("fk_device_data_imports_vendor_id_device_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_data_imports")),
    )
    with op.batch_alter_table("device_data_imports", schema=None) as batch_op:
        batch_op.create_index("ix_device_data_imports_member_status", ["member_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_data_imports_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            "ix_device_data_imports_status_received", ["status", "received_at"], unique=False
        )

    op.create_table(
        "device_nights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("usage_minutes", sa.Integer(), nullable=False),
        sa.Column("ahi", sa.Float(), nullable=True),
        sa.Column("leak", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["device_data_imports.id"],
            name=op.f("fk_device_nights_import_id_device_data_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_nights")),
        sa.UniqueConstraint("import_id", "night", name="uq_device_nights_import_night"),
    )
    with op.batch_alter_table("device_nights", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_nights_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("device_nights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_nights_import_id"))

    op.drop_table("device_nights")
    with op.batch_alter_table("device_data_imports", schema=None) as batch_op:
        batch_op.drop_index("ix_device_data_imports_status_received")
        batch_op.drop_index(batch_op.f("ix_device_data_imports_sha256"))
        batch_op.drop_index("ix_device_data_imports_member_status")

    op.drop_table("device_data_imports")
    with op.batch_alter_table("device_vendors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_vendors_key_hash"))

    op.drop_table("device_vendors")
