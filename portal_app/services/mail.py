"""Outgoing e-mail through a transactional outbox.

`send_mail` only records the message in the caller's transaction: it is committed with the change
it tells of, or rolled back with it (a rolled-back change never mails). The delivery task
(`deliver_due`, run every few seconds by `deliver_mail_forever`) sends committed messages after the
commit. A worker first claims a message with one atomic UPDATE that moves its `next_attempt_at`
into the future (a lease): on PostgreSQL a second worker's UPDATE of the same row waits for the
first and then finds it no longer due, so each message is taken by one worker at a time. A failure
is recorded (`attempts`, `last_error`) and retried with exponential back-off (30 s, 1 min, 2 min ...
at most an hour) until `MAX_ATTEMPTS`, then `failed_at` is set. A restart loses nothing: the
messages wait in the table. The one gap no SMTP client can close: a worker that dies after the
server accepted a message but before `sent_at` is committed sends it again after the lease.

Without SMTP_URL the outbox is where mail stops (development), so the body is kept there. Once an
SMTP server has accepted a message its body is dropped: only who was mailed, what kind of message
and when stay (issue 17 row 7). Support's outbox page never shows a body. The sender is MAIL_FROM.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from sqlalchemy import update
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import MailKind
from portal_app.models import OutboxEmail
from portal_app.models.base import get_existing
from portal_app.services.periodic import repeat_in_thread
from portal_app.settings import get_settings

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
LEASE_SECONDS = 120  # a message being sent is not taken by another worker for this long
SMTP_TIMEOUT_SECONDS = 20
POLL_SECONDS = 5
BATCH = 20

__all__ = ["MailKind", "deliver_due", "deliver_mail_forever", "describe_failure", "retry_delay", "send_mail"]


def send_mail(
    session: Session, *, to: str, subject: str, body: str, kind: MailKind = MailKind.NOTICE
) -> OutboxEmail:
    """Put a message in the outbox; it is sent after the caller commits (never if it rolls back)."""
    message = OutboxEmail(to_address=to, subject=subject, body=body, kind=kind, next_attempt_at=clock.now())
    session.add(message)
    return message


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 60 s, 120 s ... at most an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def _due(now: datetime):
    return (
        col(OutboxEmail.sent_at).is_(None),
        col(OutboxEmail.failed_at).is_(None),
        col(OutboxEmail.next_attempt_at) <= now,
    )


def _take(session: Session, message_id: int, now: datetime) -> bool:
    """The claiming UPDATE, uncommitted: on PostgreSQL it holds the row's lock until the commit, and a
    second worker's UPDATE then finds the message no longer due."""
    taken = session.exec(
        update(OutboxEmail)
        .where(col(OutboxEmail.id) == message_id, *_due(now))
        .values(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    """Take a due message for this worker (others skip it for the lease); committed at once."""
    taken = _take(session, message_id, now)
    session.commit()
    return taken


def deliver_due(
    session: Session, *, now: datetime | None = None, smtp_url: str | None = None, limit: int = BATCH
) -> list[tuple[int, str]]:
    """Send the committed messages that are due; returns (message id, "sent"/"retry"/"failed").
    Nothing is sent without an SMTP server (SMTP_URL): the outbox then keeps every message."""
    smtp_url = smtp_url or get_settings().smtp_url
    if not smtp_url:
        return []
    now = now or clock.now()
    due = session.exec(
        select(OutboxEmail.id).where(*_due(now)).order_by(col(OutboxEmail.next_attempt_at)).limit(limit)
    ).all()
    results = []
    for message_id in due:
        if message_id is not None and _claim(session, message_id, now):
            results.append((message_id, _deliver_one(session, smtp_url, message_id, now)))
    return results


def _deliver_one(session: Session, smtp_url: str, message_id: int, now: datetime) -> str:
    message = get_existing(session, OutboxEmail, message_id)  # claimed by _claim
    session.refresh(message)
    error = ""
    try:
        _deliver(smtp_url, to=message.to_address, subject=message.subject, body=message.body)
    except (OSError, smtplib.SMTPException) as failure:
        error = describe_failure(failure)
    message.attempts += 1
    message.last_error = error
    if not error:
        message.sent_at, message.body = clock.now(), ""  # delivered: links and codes in it are not kept
        outcome = "sent"
    elif message.attempts >= MAX_ATTEMPTS:
        message.failed_at = now
        outcome = "failed"
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
        outcome = "retry"
    session.add(message)
    session.commit()
    if error:  # the kind and the error only: never the address or the body
        logger.warning(
            "Mail %s (%s) not sent, attempt %s: %s", message_id, message.kind, message.attempts, error
        )
    return outcome


def describe_failure(failure: Exception) -> str:
    """What is recorded and logged of a failed delivery: the error's kind and the SMTP code, never the
    server's text (a refusal quotes the recipient's address)."""
    name = type(failure).__name__
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in failure.recipients.values()})
        return f"{name}: {', '.join(codes)}"
    if isinstance(failure, smtplib.SMTPResponseException):
        return f"{name}: {failure.smtp_code}"
    if isinstance(failure, smtplib.SMTPException):
        return name
    return f"{name}: {failure.strerror or failure}"[:500] if isinstance(failure, OSError) else name


def _deliver(smtp_url: str, *, to: str, subject: str, body: str) -> None:
    url = urlparse(smtp_url)
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = get_settings().mail_from, to, subject
    email.set_content(body)
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    port = url.port or (465 if url.scheme == "smtps" else 25)
    with smtp_class(url.hostname or "localhost", port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if url.scheme == "smtp+starttls":
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(email)


def _deliver_once() -> None:
    from portal_app.db import session_scope

    with session_scope() as session:
        deliver_due(session)


async def deliver_mail_forever() -> None:
    """A lifespan task: send due outbox messages every few seconds, off the event loop."""
    await repeat_in_thread(_deliver_once, seconds=POLL_SECONDS, what="Mail delivery")
