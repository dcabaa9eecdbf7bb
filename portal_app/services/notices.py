"""Notices: the portal tells an office (or a user) that something on an order needs them.

One row per notice (models/notices.py), shown in the portal until read, and one e-mail per notice
through the outbox (services/mail.py) that holds no PHI: what kind of news it is and a link to the
order, which only someone who may read the order can open. Any event can raise a notice with
`notify_order_office`; `list_notices` and `mark_read` serve whichever page shows them (today the
office's home page and the order summary).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from portal_app import clock, routes
from portal_app.domain.enums import AuditOutcome, MailKind, NoticeKind
from portal_app.models import Notice, Order, User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor
from portal_app.services.mail import send_mail
from portal_app.settings import get_settings

MAX_NOTICES = 20
MAIL_SUBJECT = "Precert: a request you entered needs your attention"


class NoticeNotFound(LookupError):
    """No such notice for this user (or it is someone else's)."""


@dataclass(frozen=True)
class NoticeRow:
    notice_id: int
    kind: str  # the NoticeKind value
    text: str
    order_number: str
    created_at: str


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def notify_order_office(session: Session, *, order: Order, kind: NoticeKind, mail: bool = True) -> Notice:
    """A notice on ``order`` for the user who entered it, and an e-mail with only a link (the caller
    commits). The text is the kind's label: no member, no clinical detail."""
    kind = NoticeKind(kind)
    notice = Notice(
        recipient_user_id=order.created_by_id,
        kind=kind.value,
        order_id=order.id,
        order_number=order.order_number or "",
        text=kind.label,
    )
    with session.no_autoflush:  # a read, not a write: the caller's changes are flushed with its commit
        user = session.get(User, order.created_by_id)
    session.add(notice)
    if mail and user is not None and user.email and order.order_number:
        link = f"{get_settings().public_url}{routes.order(order.order_number)}"
        send_mail(
            session,
            to=user.email,
            subject=MAIL_SUBJECT,
            kind=MailKind.ORDER_NOTICE,
            body=(
                f"{kind.label}.\n\nSign in to the Precert portal to see what is needed:\n{link}\n\n"
                "This message holds no patient information; the portal shows the request to those who may "
                "read it.\n"
            ),
        )
    return notice


def _mine(actor: Actor):
    """Notices addressed to the actor, or to a practice the actor belongs to."""
    conditions = [col(Notice.recipient_user_id) == actor.user_id]
    if actor.practice_ids:
        conditions.append(
            and_(
                col(Notice.recipient_user_id).is_(None),
                col(Notice.recipient_practice_id).in_(list(actor.practice_ids)),
            )
        )
    return or_(*conditions)


def list_notices(session: Session, *, actor: Actor, order_number: str = "") -> list[NoticeRow]:
    """The actor's unread notices, newest first (only those of one order when ``order_number`` is
    given). Every signed-in user has their own; nothing else is needed to read them."""
    query = select(Notice).where(_mine(actor), col(Notice.read_at).is_(None))
    number = (order_number or "").strip().upper()[:20]
    if number:
        query = query.where(Notice.order_number == number)
    rows = session.exec(query.order_by(col(Notice.id).desc()).limit(MAX_NOTICES)).all()
    return [
        NoticeRow(
            notice_id=id_of(n),
            kind=n.kind,
            text=n.text,
            order_number=n.order_number,
            created_at=_aware(n.created_at).strftime("%Y-%m-%d %H:%M UTC"),
        )
        for n in rows
    ]


def mark_read(session: Session, *, actor: Actor, notice_id: int) -> None:
    """The actor has seen the notice; refused (``NoticeNotFound``) for anyone else's."""
    notice = session.exec(select(Notice).where(Notice.id == notice_id, _mine(actor))).first()
    if notice is None:
        audit.record(
            session,
            action="notice.read_denied",
            user_id=actor.user_id,
            record_type="notice",
            record_id=notice_id,
            outcome=AuditOutcome.DENIED,
            client_address=actor.client_address,
        )
        session.commit()
        raise NoticeNotFound(notice_id)
    if notice.read_at is None:
        notice.read_at, notice.read_by_id = clock.now(), actor.user_id
        session.add(notice)
        session.commit()


__all__ = ["NoticeNotFound", "NoticeRow", "list_notices", "mark_read", "notify_order_office"]
