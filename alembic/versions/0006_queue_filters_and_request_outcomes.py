"""Queue filters and request outcomes: review tasks carry their order's program, plan and urgency
(indexed with queue, status and due time, so a filtered queue page reads one index), and orders
carry their initial determination as the CMS-0057-F metrics count it (outcome, decision time,
hours, appeal), covered by one index for the dashboard. Existing rows are filled in.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel

from alembic import op
from portal_app.domain.outcomes import LineHistory, RecordedDecision, request_outcome

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _aware(value):
    if isinstance(value, str):  # SQLite without type information
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _fill_task_columns() -> None:
    for column in ("program", "plan_id", "urgency"):
        op.execute(
            f"UPDATE review_tasks SET {column} = "
            f"(SELECT orders.{column} FROM orders WHERE orders.id = review_tasks.order_id)"
        )


def _fill_outcomes() -> None:
    """Each submitted order's initial determination, by the rule in portal_app/domain/outcomes.py."""
    bind = op.get_bind()
    orders = bind.execute(sa.text("SELECT id, submitted_at FROM orders WHERE submitted_at IS NOT NULL")).all()
    lines = defaultdict(list)
    for order_id, line_id, current in bind.execute(sa.text("SELECT order_id, id, decision FROM order_lines")):
        lines[order_id].append((line_id, current))
    decisions = defaultdict(list)
    for line_id, decision, by, at in bind.execute(
        sa.text("SELECT order_line_id, decision, decided_by, decided_at FROM determinations ORDER BY id")
    ):
        decisions[line_id].append(RecordedDecision(decision, by, _aware(at)))
    appeals = dict(
        bind.execute(
            sa.text(
                "SELECT order_id, min(created_at) FROM review_tasks WHERE kind = 'appeal' GROUP BY order_id"
            )
        ).all()
    )
    update = sa.text(
        "UPDATE orders SET initial_outcome = :outcome, initially_decided_at = :decided_at, "
        "decision_hours = :hours, appealed_at = :appealed_at, approved_after_appeal = :won "
        "WHERE id = :id"
    )
    for order_id, submitted_at in orders:
        result = request_outcome(
            _aware(submitted_at),
            [LineHistory(current, decisions[line_id]) for line_id, current in lines[order_id]],
            _aware(appeals.get(order_id)),
        )
        bind.execute(
            update,
            {
                "outcome": result.outcome,
                "decided_at": result.decided_at,
                "hours": result.hours,
                "appealed_at": result.appealed_at,
                "won": result.approved_after_appeal,
                "id": order_id,
            },
        )


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "initial_outcome",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("initially_decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decision_hours", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("appealed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("approved_after_appeal", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            "ix_orders_submitted_outcome",
            [
                "submitted_at",
                "program",
                "plan_id",
                "urgency",
                "status",
                "initial_outcome",
                "decision_hours",
                "appealed_at",
                "approved_after_appeal",
            ],
            unique=False,
        )
    _fill_outcomes()

    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("program", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("urgency", sa.String(length=40), nullable=True, server_default="standard")
        )
    _fill_task_columns()
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.alter_column("program", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("plan_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("urgency", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_index(
            "ix_review_tasks_queue_status_plan_due", ["queue", "status", "plan_id", "due_at"], unique=False
        )
        batch_op.create_index(
            "ix_review_tasks_queue_status_program_due", ["queue", "status", "program", "due_at"], unique=False
        )
        batch_op.create_index(
            "ix_review_tasks_queue_status_urgency_due", ["queue", "status", "urgency", "due_at"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_review_tasks_plan_id_health_plans"), "health_plans", ["plan_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_review_tasks_plan_id_health_plans"), type_="foreignkey")
        batch_op.drop_index("ix_review_tasks_queue_status_urgency_due")
        batch_op.drop_index("ix_review_tasks_queue_status_program_due")
        batch_op.drop_index("ix_review_tasks_queue_status_plan_due")
        batch_op.drop_column("urgency")
        batch_op.drop_column("plan_id")
        batch_op.drop_column("program")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_submitted_outcome")
        batch_op.drop_column("approved_after_appeal")
        batch_op.drop_column("appealed_at")
        batch_op.drop_column("decision_hours")
        batch_op.drop_column("initially_decided_at")
        batch_op.drop_column("initial_outcome")
