"""The user experience feedback group's sign-ups and support's announcements (issue 25, seed 004).

* ``feedback_group_signups``: one row per e-mail address (stored lower-case, unique); a second
  sign-up with the same address updates the row. See ``services/feedback_group.py``.
* ``announcements``: the provider newsletter support writes: a title, an optional program, the
  Markdown text (already made safe by ``services/announcements.py``) and the day it is published.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from portal_app.models.base import timestamp_field


class FeedbackGroupSignup(SQLModel, table=True):
    __tablename__ = "feedback_group_signups"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=120)
    role: str = Field(max_length=40)  # a value of services.feedback_group.ROLES
    consent_at: datetime = timestamp_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class Announcement(SQLModel, table=True):
    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_published_on", "published_on", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    program: str = Field(default="", max_length=40)  # a Program value, or "" for every program
    body: str = Field(sa_type=Text)  # Markdown, raw HTML escaped and links limited to http(s)
    published_on: date
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = timestamp_field()
