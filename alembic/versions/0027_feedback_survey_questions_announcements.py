"""Feedback (issue 25, seed 004): the survey's answers per question, the user experience feedback
group's sign-ups and support's announcements.

* ``satisfaction_survey_answers``: one row per answered question of a survey (the seeds' six
  questions, all optional: ``domain/survey_questions.py``), so a question can be added as data.
  The old 1–5 ease ``rating`` column of ``satisfaction_surveys`` stays for earlier answers.
* ``feedback_group_signups``: one row per e-mail address (unique; a second sign-up updates it).
* ``announcements``: title, optional program, safe Markdown text, the day published (read newest
  first, hence the index).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "satisfaction_survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question", _TEXT(length=40), nullable=False),
        sa.Column("value", _TEXT(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["satisfaction_surveys.id"],
            name=op.f("fk_satisfaction_survey_answers_survey_id_satisfaction_surveys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_survey_answers")),
        sa.UniqueConstraint("survey_id", "question", name="uq_satisfaction_survey_answers_survey_question"),
    )
    with op.batch_alter_table("satisfaction_survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_satisfaction_survey_answers_survey_id"), ["survey_id"], unique=False
        )
    op.create_table(
        "feedback_group_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", _TEXT(length=254), nullable=False),
        sa.Column("full_name", _TEXT(length=120), nullable=False),
        sa.Column("role", _TEXT(length=40), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_group_signups")),
        sa.UniqueConstraint("email", name=op.f("uq_feedback_group_signups_email")),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", _TEXT(length=200), nullable=False),
        sa.Column("program", _TEXT(length=40), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_announcements_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index("ix_announcements_published_on", ["published_on", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_announcements_published_on")
    op.drop_table("announcements")
    op.drop_table("feedback_group_signups")
    with op.batch_alter_table("satisfaction_survey_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_satisfaction_survey_answers_survey_id"))
    op.drop_table("satisfaction_survey_answers")
