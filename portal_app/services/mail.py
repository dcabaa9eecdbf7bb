"""Outgoing e-mail. Every message is recorded in the outbox; with SMTP_URL it is also sent.

Without SMTP_URL the outbox is where mail stops (development), so the body is kept there. Once
an SMTP server has accepted a message its body is dropped: only who was mailed, what kind of
message and when stay (issue 17 row 7). Support's outbox page never shows a body.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from sqlmodel import Session

from portal_app import clock
from portal_app.domain.enums import MailKind
from portal_app.models import OutboxEmail
from portal_app.settings import get_settings

SENDER = "Precert <no-reply@precert.invalid>"
logger = logging.getLogger(__name__)

__all__ = ["SENDER", "MailKind", "send_mail"]


def send_mail(
    session: Session, *, to: str, subject: str, body: str, kind: MailKind = MailKind.NOTICE
) -> OutboxEmail:
    """Record a message in the outbox (committed by the caller) and send it when SMTP is set."""
    message = OutboxEmail(to_address=to, subject=subject, body=body, kind=kind)
    session.add(message)
    smtp_url = get_settings().smtp_url
    if smtp_url:
        try:
            _deliver(smtp_url, to=to, subject=subject, body=body)
            message.sent_at = clock.now()
            message.body = ""  # delivered: links and codes in it are not kept
        except (OSError, smtplib.SMTPException):
            # The outbox keeps the message for a resend.
            logger.error("Could not send mail to the SMTP server (%s)", kind)
    return message


def _deliver(smtp_url: str, *, to: str, subject: str, body: str) -> None:
    url = urlparse(smtp_url)
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = SENDER, to, subject
    email.set_content(body)
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "localhost", url.port or (465 if url.scheme == "smtps" else 25)) as smtp:
        if url.scheme == "smtp+starttls":
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(email)
