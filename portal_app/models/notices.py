"""In-portal notices: something on an order needs the attention of an office (or a user).

Made to be reused by every kind of event (a later notification bell with per-user e-mail
preferences reads the same rows): a notice names its recipient (a user, or a whole practice), what
it is about (``kind``), the order it links to, when it was made and when it was read. Its text is
plain and carries no PHI: the order on screen shows the details to whoever may read them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal_app.models.base import timestamp_field


class Notice(SQLModel, table=True):
    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_user_read", "recipient_user_id", "read_at"),
        Index("ix_notices_practice_read", "recipient_practice_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # At least one of the two is set: a user's own notice, or one for everyone in a practice.
    recipient_user_id: int | None = Field(default=None, foreign_key="users.id")
    recipient_practice_id: int | None = Field(default=None, foreign_key="practices.id")
    kind: str = Field(max_length=40)  # a NoticeKind value
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    order_number: str = Field(default="", max_length=20)  # the link: /orders/<order_number>
    text: str = Field(default="", max_length=300)  # plain words, never PHI
    created_at: datetime = timestamp_field()
    read_at: datetime | None = timestamp_field(nullable=True)
    read_by_id: int | None = Field(default=None, foreign_key="users.id")
    # Waiting for the recipient's daily digest e-mail (cleared when the digest is sent).
    digest_due: bool = Field(default=False, index=True)
