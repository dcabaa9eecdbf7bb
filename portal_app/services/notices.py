"""Notifications: the portal tells its users that something happened that concerns them.

One row per notification and recipient (models/notices.py), kept in the portal (the bell counts the
unread ones, /notifications lists them) and, as the recipient chose (`EmailPreference`), e-mailed at
once, collected in a daily digest, or not e-mailed. An e-mail holds no PHI: what kind of news it is
and a link, which only someone who may read the order can open; it goes through the outbox
(services/mail.py), so it leaves only if the event's transaction commits.

Events and who is told (`order_recipients`: the visibility rule of services/orders.may_read_order):
decision made, reconsideration or appeal decided, information requested and peer-to-peer offered,
booked or missed (services/review.py, services/conversation.py), an approval expiring within
`EXPIRY_NOTICE_DAYS` (`notify_expiring_approvals`, from the upkeep), and a registration approved
(services/registration.py, to the registrant, whose approval e-mail already goes out). Each event
makes exactly one notification for each recipient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, update
from sqlmodel import Session, col, select

from portal_app import clock, routes
from portal_app.domain.enums import (
    AuditOutcome,
    EmailPreference,
    LineDecision,
    MailKind,
    NoticeKind,
    Role,
    UserStatus,
)
from portal_app.models import Determination, Notice, Order, OrderLine, Practice, PracticeMembership, User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor
from portal_app.services.mail import send_mail
from portal_app.settings import get_settings

MAX_NOTICES = 20
PAGE_SIZE = 20
EXPIRY_NOTICE_DAYS = 14
DIGEST_HOUR_UTC = 7  # digests leave with the first upkeep round after 07:00 UTC
MAIL_SUBJECT = "Precert: news on a request or your account"
DIGEST_SUBJECT = "Precert: your notifications of the day"
_NO_PHI = (
    "This message holds no patient information; the portal shows the request to those who may read it.\n"
)


class NoticeNotFound(LookupError):
    """No such notice for this user (or it is someone else's)."""


@dataclass(frozen=True)
class NoticeRow:
    notice_id: int
    kind: str  # the NoticeKind value
    text: str
    order_number: str
    created_at: str


@dataclass(frozen=True)
class NotificationRow:
    notice_id: int
    text: str
    href: str  # where the notification leads ("" when nowhere)
    link_text: str
    created_at: str
    unread: bool


@dataclass(frozen=True)
class NotificationPage:
    rows: tuple[NotificationRow, ...]
    total: int
    page: int
    pages: int


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _shown(value: datetime) -> str:
    return _aware(value).strftime("%Y-%m-%d %H:%M UTC")


# --- who is told ----------------------------------------------------------------------------------


def order_recipients(session: Session, order: Order) -> list[User]:
    """Who may read the order among the office's active users: whoever entered it, and where the
    practice shares orders, every ordering-office user of the practice (services/orders.may_read_order)."""
    with session.no_autoflush:  # reads only: the caller's changes are flushed with its commit
        practice = session.get(Practice, order.practice_id)
        query = select(User).where(col(User.status) == UserStatus.ACTIVE)
        if practice is not None and practice.share_orders:
            members = select(PracticeMembership.user_id).where(PracticeMembership.practice_id == practice.id)
            query = query.where(
                or_(
                    col(User.id) == order.created_by_id,
                    and_(col(User.role) == Role.ORDERING_PROVIDER_STAFF, col(User.id).in_(members)),
                )
            )
        else:
            query = query.where(col(User.id) == order.created_by_id)
        return list(session.exec(query.order_by(col(User.id))).all())


def notify_user(
    session: Session, *, user: User, kind: NoticeKind, order: Order | None = None, mail: bool = True
) -> Notice:
    """One notification for ``user`` (the caller commits), e-mailed as the user chose: a link and the
    kind's label only. ``mail=False`` where the event already sends its own e-mail."""
    kind = NoticeKind(kind)
    number = (order.order_number or "") if order is not None else ""
    notice = Notice(
        recipient_user_id=id_of(user),
        kind=kind.value,
        order_id=order.id if order is not None else None,
        order_number=number,
        text=kind.label,
    )
    preference = _preference(user)
    if mail and user.email and preference == EmailPreference.DAILY_DIGEST:
        notice.digest_due = True
    elif mail and user.email and preference == EmailPreference.IMMEDIATELY:
        link = f"{get_settings().public_url}{routes.order(number) if number else routes.NOTIFICATIONS}"
        send_mail(
            session,
            to=user.email,
            subject=MAIL_SUBJECT,
            kind=MailKind.ORDER_NOTICE,
            body=f"{kind.label}.\n\nSign in to the Precert portal to see it:\n{link}\n\n{_NO_PHI}",
        )
    session.add(notice)
    return notice


def notify_order_office(
    session: Session, *, order: Order, kind: NoticeKind, mail: bool = True
) -> list[Notice]:
    """One notification on ``order`` for each office user who may read it (the caller commits)."""
    return [
        notify_user(session, user=user, kind=kind, order=order, mail=mail)
        for user in order_recipients(session, order)
    ]


def mails_immediately(user: User) -> bool:
    """Whether this user chose to get an e-mail as each event happens (the default)."""
    return bool(user.email) and _preference(user) == EmailPreference.IMMEDIATELY


def _preference(user: User) -> EmailPreference:
    try:
        return EmailPreference(user.email_preference)
    except ValueError:
        return EmailPreference.IMMEDIATELY


# --- reading them ---------------------------------------------------------------------------------


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


def unread_count(session: Session, *, actor: Actor) -> int:
    """The bell's number: one count over the (recipient, read_at) index."""
    query = select(func.count()).select_from(Notice).where(_mine(actor), col(Notice.read_at).is_(None))
    return int(session.exec(query).one())


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
            created_at=_shown(n.created_at),
        )
        for n in rows
    ]


def _row(notice: Notice) -> NotificationRow:
    number = notice.order_number
    return NotificationRow(
        notice_id=id_of(notice),
        text=notice.text,
        href=routes.order(number) if number else "",
        link_text=f"Order {number}" if number else "",
        created_at=_shown(notice.created_at),
        unread=notice.read_at is None,
    )


def list_notifications(session: Session, *, actor: Actor, page: int = 1) -> NotificationPage:
    """The actor's notifications, read or not, newest first, one page of ``PAGE_SIZE``."""
    total = int(session.exec(select(func.count()).select_from(Notice).where(_mine(actor))).one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, int(page)), pages)
    rows = session.exec(
        select(Notice)
        .where(_mine(actor))
        .order_by(col(Notice.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return NotificationPage(rows=tuple(_row(n) for n in rows), total=total, page=page, pages=pages)


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


def mark_all_read(session: Session, *, actor: Actor) -> int:
    """Every unread notification of the actor is read; returns how many."""
    done = session.exec(
        update(Notice)
        .where(_mine(actor), col(Notice.read_at).is_(None))
        .values(read_at=clock.now(), read_by_id=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(done.rowcount or 0)


# --- the e-mail preference ------------------------------------------------------------------------


def email_preference(session: Session, *, actor: Actor) -> str:
    """The actor's EmailPreference value."""
    user = session.get(User, actor.user_id)
    return _preference(user).value if user is not None else EmailPreference.IMMEDIATELY.value


def set_email_preference(session: Session, *, actor: Actor, preference: str) -> None:
    """The actor chooses how notifications are e-mailed (ValueError for an unknown choice)."""
    chosen = EmailPreference(preference)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NoticeNotFound(actor.user_id)
    if user.email_preference != chosen.value:
        user.email_preference, user.updated_at = chosen.value, clock.now()
        session.add(user)
        audit.record(
            session,
            action="account.email_preference",
            user_id=actor.user_id,
            record_type="user",
            record_id=actor.user_id,
            client_address=actor.client_address,
            detail={"preference": chosen.value},
        )
    session.commit()


# --- from the upkeep: digests and expiring approvals ---------------------------------------------


def digest_cut(now: datetime) -> datetime:
    """The latest digest time at or before ``now``: notifications made before it are in that digest."""
    cut = _aware(now).replace(hour=DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    return cut if cut <= _aware(now) else cut - timedelta(days=1)


def send_digests(session: Session, *, now: datetime | None = None) -> int:
    """One e-mail per user with notifications waiting for a digest made before today's digest time
    (so at most one a day); returns how many were queued. Each user's rows are taken by one atomic
    UPDATE, so two workers never send the same digest."""
    cut = digest_cut(now or clock.now())
    waiting = select(Notice.recipient_user_id).where(
        col(Notice.digest_due).is_(True), col(Notice.created_at) < cut
    )
    user_ids = sorted({uid for uid in session.exec(waiting.distinct()).all() if uid is not None})
    sent = 0
    for user_id in user_ids:
        taken = session.exec(
            update(Notice)
            .where(
                col(Notice.recipient_user_id) == user_id,
                col(Notice.digest_due).is_(True),
                col(Notice.created_at) < cut,
            )
            .values(digest_due=False)
            .execution_options(synchronize_session=False)
        )
        user = session.get(User, user_id)
        if taken.rowcount and user is not None and _digest_wanted(user):
            _queue_digest(session, user, int(taken.rowcount))
            sent += 1
        session.commit()
    return sent


def _digest_wanted(user: User) -> bool:
    return bool(
        user.email and user.status == UserStatus.ACTIVE and _preference(user) == EmailPreference.DAILY_DIGEST
    )


def _queue_digest(session: Session, user: User, count: int) -> None:
    link = f"{get_settings().public_url}{routes.NOTIFICATIONS}"
    what = "1 new notification" if count == 1 else f"{count} new notifications"
    send_mail(
        session,
        to=user.email,
        subject=DIGEST_SUBJECT,
        kind=MailKind.NOTIFICATION_DIGEST,
        body=f"You have {what} in the Precert portal.\n\nSign in to see them:\n{link}\n\n{_NO_PHI}",
    )


def notify_expiring_approvals(session: Session, *, today: date | None = None) -> int:
    """A notification for each approved order whose approval ends within ``EXPIRY_NOTICE_DAYS``, once
    per order; returns how many orders. Each order is settled in its own transaction with the order
    row locked (PostgreSQL), so two workers never tell the same office twice."""
    today = today or clock.today()
    told = exists().where(
        col(Notice.order_id) == Order.id, col(Notice.kind) == NoticeKind.APPROVAL_EXPIRING.value
    )
    due = session.exec(
        select(Order.id)
        .join(OrderLine, col(OrderLine.order_id) == Order.id)
        .join(Determination, col(Determination.order_line_id) == OrderLine.id)
        .where(
            col(OrderLine.decision).in_([LineDecision.AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED]),
            col(Determination.decision) == OrderLine.decision,
            col(Determination.valid_until) >= today,
            col(Determination.valid_until) <= today + timedelta(days=EXPIRY_NOTICE_DAYS),
            ~told,
        )
        .distinct()
    ).all()
    count = 0
    for order_id in due:
        order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).one()
        already = select(Notice.id).where(
            Notice.order_id == order_id, Notice.kind == NoticeKind.APPROVAL_EXPIRING.value
        )
        if session.exec(already).first() is None:
            notify_order_office(session, order=order, kind=NoticeKind.APPROVAL_EXPIRING)
            count += 1
        session.commit()
    return count


__all__ = [
    "NoticeNotFound",
    "NoticeRow",
    "NotificationPage",
    "NotificationRow",
    "email_preference",
    "list_notices",
    "list_notifications",
    "mark_all_read",
    "mark_read",
    "notify_expiring_approvals",
    "notify_order_office",
    "notify_user",
    "order_recipients",
    "send_digests",
    "set_email_preference",
    "unread_count",
]
