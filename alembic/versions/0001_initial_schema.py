"""Initial schema: accounts, plans and members, providers and facilities, orders,
reviews, documents and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "facilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("npi", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("facility_type", sa.String(length=40), nullable=False),
        sa.Column("address_line", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("fax", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tax_id", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
    )
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facilities_city"), ["city"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_facility_type"), ["facility_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_npi"), ["npi"], unique=True)
        batch_op.create_index(batch_op.f("ix_facilities_postal_code"), ["postal_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_tax_id"), ["tax_id"], unique=False)

    op.create_table(
        "health_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("case_entry_screens", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_plans")),
    )
    with op.batch_alter_table("health_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_health_plans_code"), ["code"], unique=True)

    op.create_table(
        "practices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("tax_id", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("share_orders", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practices")),
    )
    with op.batch_alter_table("practices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_practices_tax_id"), ["tax_id"], unique=True)

    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("npi", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("specialty", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("address_line", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("fax", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tax_id", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
    )
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_providers_city"), ["city"], unique=False)
        batch_op.create_index("ix_providers_name", ["last_name", "first_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_providers_npi"), ["npi"], unique=True)
        batch_op.create_index(batch_op.f("ix_providers_specialty"), ["specialty"], unique=False)
        batch_op.create_index(batch_op.f("ix_providers_tax_id"), ["tax_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("fax", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"], name=op.f("fk_users_approved_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=True)
        batch_op.create_index(batch_op.f("ix_users_role"), ["role"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_username"), ["username"], unique=True)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("record_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_audit_record", ["record_type", "record_id"], unique=False)

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("member_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=40), nullable=False),
        sa.Column("line_of_business", sa.String(length=40), nullable=False),
        sa.Column("address_line", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("eligibility_start", sa.Date(), nullable=False),
        sa.Column("eligibility_end", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_members_plan_id_health_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("plan_id", "member_number", name="uq_member_plan_number"),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_members_member_number"), ["member_number"], unique=False)
        batch_op.create_index(
            "ix_members_name_dob", ["last_name", "first_name", "date_of_birth"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_members_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "network_participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "(provider_id IS NULL) <> (facility_id IS NULL)", name=op.f("ck_network_participations_one_party")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_network_participations_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_network_participations_plan_id_health_plans")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_network_participations_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_participations")),
        sa.UniqueConstraint("plan_id", "facility_id", name="uq_network_plan_facility"),
        sa.UniqueConstraint("plan_id", "provider_id", name="uq_network_plan_provider"),
    )
    with op.batch_alter_table("network_participations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_participations_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_network_participations_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_network_participations_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "plan_lines_of_business",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("line_of_business", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_plan_lines_of_business_plan_id_health_plans")
        ),
        sa.PrimaryKeyConstraint("plan_id", "line_of_business", name=op.f("pk_plan_lines_of_business")),
    )
    op.create_table(
        "plan_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=40), nullable=False),
        sa.Column("delegated_from", sa.Date(), nullable=False),
        sa.Column("delegated_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_plan_programs_plan_id_health_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_programs")),
        sa.UniqueConstraint("plan_id", "program", "delegated_from", name="uq_plan_program_from"),
    )
    with op.batch_alter_table("plan_programs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_programs_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "practice_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_practice_memberships_practice_id_practices")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_practice_memberships_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_memberships")),
        sa.UniqueConstraint("user_id", "practice_id", name="uq_membership_user_practice"),
    )
    with op.batch_alter_table("practice_memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_memberships_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_practice_memberships_user_id"), ["user_id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("program", sa.String(length=40), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("ordering_provider_id", sa.Integer(), nullable=True),
        sa.Column("servicing_provider_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("urgency", sa.String(length=40), nullable=False),
        sa.Column("urgency_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("service_start", sa.Date(), nullable=True),
        sa.Column("service_end", sa.Date(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("submission_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_orders_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_orders_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_orders_member_id_members")),
        sa.ForeignKeyConstraint(
            ["ordering_provider_id"], ["providers.id"], name=op.f("fk_orders_ordering_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["health_plans.id"], name=op.f("fk_orders_plan_id_health_plans")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_orders_practice_id_practices")
        ),
        sa.ForeignKeyConstraint(
            ["servicing_provider_id"],
            ["providers.id"],
            name=op.f("fk_orders_servicing_provider_id_providers"),
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_orders_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("practice_id", "submission_key", name="uq_orders_submission_key"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_creator_updated", ["created_by_id", "updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index("ix_orders_member_program", ["member_id", "program"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_order_number"), ["order_number"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_orders_ordering_provider_id"), ["ordering_provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_orders_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index("ix_orders_practice_status", ["practice_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_orders_servicing_provider_id"), ["servicing_provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("storage_path", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_documents_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_documents_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("storage_path", name=op.f("uq_documents_storage_path")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=40), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_notes_author_id_users")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_notes_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_diagnoses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_diagnoses_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_diagnoses")),
        sa.UniqueConstraint("order_id", "sequence", name="uq_order_diagnosis_seq"),
    )
    with op.batch_alter_table("order_diagnoses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_diagnoses_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("code_system", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("laterality", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "line_number", name="uq_order_line_number"),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)

    op.create_table(
        "peer_to_peer_appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_peer_to_peer_appointments_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_peer_to_peer_appointments_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_peer_to_peer_appointments_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_to_peer_appointments")),
    )
    with op.batch_alter_table("peer_to_peer_appointments", schema=None) as batch_op:
        batch_op.create_index("ix_p2p_reviewer_start", ["reviewer_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_peer_to_peer_appointments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "review_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_review_tasks_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_review_tasks_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_tasks")),
    )
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_tasks_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_tasks_order_id"), ["order_id"], unique=False)
        batch_op.create_index("ix_review_tasks_queue_status_due", ["queue", "status", "due_at"], unique=False)

    op.create_table(
        "determinations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("guideline_citation", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=False),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_determinations_decided_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_determinations_order_line_id_order_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_determinations")),
    )
    with op.batch_alter_table("determinations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_determinations_order_line_id"), ["order_line_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("determinations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_determinations_order_line_id"))

    op.drop_table("determinations")
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_review_tasks_queue_status_due")
        batch_op.drop_index(batch_op.f("ix_review_tasks_order_id"))
        batch_op.drop_index(batch_op.f("ix_review_tasks_assignee_id"))

    op.drop_table("review_tasks")
    with op.batch_alter_table("peer_to_peer_appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peer_to_peer_appointments_order_id"))
        batch_op.drop_index("ix_p2p_reviewer_start")

    op.drop_table("peer_to_peer_appointments")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))
        batch_op.drop_index(batch_op.f("ix_order_lines_code"))

    op.drop_table("order_lines")
    with op.batch_alter_table("order_diagnoses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_diagnoses_order_id"))

    op.drop_table("order_diagnoses")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_order_id"))

    op.drop_table("notes")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
        batch_op.drop_index(batch_op.f("ix_documents_order_id"))

    op.drop_table("documents")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_updated_at"))
        batch_op.drop_index(batch_op.f("ix_orders_status"))
        batch_op.drop_index(batch_op.f("ix_orders_servicing_provider_id"))
        batch_op.drop_index("ix_orders_practice_status")
        batch_op.drop_index(batch_op.f("ix_orders_plan_id"))
        batch_op.drop_index(batch_op.f("ix_orders_ordering_provider_id"))
        batch_op.drop_index(batch_op.f("ix_orders_order_number"))
        batch_op.drop_index("ix_orders_member_program")
        batch_op.drop_index(batch_op.f("ix_orders_facility_id"))
        batch_op.drop_index("ix_orders_creator_updated")

    op.drop_table("orders")
    with op.batch_alter_table("practice_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_memberships_user_id"))
        batch_op.drop_index(batch_op.f("ix_practice_memberships_practice_id"))

    op.drop_table("practice_memberships")
    with op.batch_alter_table("plan_programs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_programs_plan_id"))

    op.drop_table("plan_programs")
    op.drop_table("plan_lines_of_business")
    with op.batch_alter_table("network_participations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_participations_provider_id"))
        batch_op.drop_index(batch_op.f("ix_network_participations_plan_id"))
        batch_op.drop_index(batch_op.f("ix_network_participations_facility_id"))

    op.drop_table("network_participations")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_plan_id"))
        batch_op.drop_index("ix_members_name_dob")
        batch_op.drop_index(batch_op.f("ix_members_member_number"))

    op.drop_table("members")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_record")
        batch_op.drop_index(batch_op.f("ix_audit_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_username"))
        batch_op.drop_index(batch_op.f("ix_users_status"))
        batch_op.drop_index(batch_op.f("ix_users_role"))
        batch_op.drop_index(batch_op.f("ix_users_email"))

    op.drop_table("users")
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_providers_tax_id"))
        batch_op.drop_index(batch_op.f("ix_providers_specialty"))
        batch_op.drop_index(batch_op.f("ix_providers_npi"))
        batch_op.drop_index("ix_providers_name")
        batch_op.drop_index(batch_op.f("ix_providers_city"))

    op.drop_table("providers")
    with op.batch_alter_table("practices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practices_tax_id"))

    op.drop_table("practices")
    with op.batch_alter_table("health_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_health_plans_code"))

    op.drop_table("health_plans")
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilities_tax_id"))
        batch_op.drop_index(batch_op.f("ix_facilities_postal_code"))
        batch_op.drop_index(batch_op.f("ix_facilities_npi"))
        batch_op.drop_index(batch_op.f("ix_facilities_name"))
        batch_op.drop_index(batch_op.f("ix_facilities_facility_type"))
        batch_op.drop_index(batch_op.f("ix_facilities_city"))

    op.drop_table("facilities")
