"""The e-mail outbox against a real SMTP server on loopback (aiosmtpd): a committed message is sent
after the commit by the delivery task, once; a server that is down is retried with back-off and the
message arrives later, once; a rolled-back transaction sends nothing; two workers never take the same
message; the sender is MAIL_FROM."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from portal_app import clock
from portal_app.db import make_engine
from portal_app.domain.enums import MailKind
from portal_app.models import OutboxEmail
from portal_app.services import mail
from portal_app.settings import get_settings
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)


class Inbox:
    """What the SMTP server accepted (aiosmtpd handler)."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, smtp_session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(port: int) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def port() -> int:
    return _free_port()


@pytest.fixture
def mail_from(monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("MAIL_FROM", "Precert Test <portal@precert.test>")
    get_settings.cache_clear()
    yield "Precert Test <portal@precert.test>"
    get_settings.cache_clear()


def _queue(session: Session, to: str = "office@clinic.test") -> int:
    message = mail.send_mail(
        session,
        to=to,
        subject="Precert: news",
        body="See https://portal/orders/X",
        kind=MailKind.ORDER_NOTICE,
    )
    session.commit()
    assert message.id is not None
    return message.id


def test_a_committed_message_is_delivered_once_from_the_configured_sender(session, port, mail_from):
    with smtp_server(port) as inbox:
        url = f"smtp://127.0.0.1:{port}"
        message_id = _queue(session)
        assert inbox.messages == []  # nothing is sent inside the caller's transaction
        assert mail.deliver_due(session, smtp_url=url) == [(message_id, "sent")]
        assert mail.deliver_due(session, smtp_url=url) == []
    [received] = inbox.messages
    assert (received["From"], received["To"], received["Subject"]) == (
        mail_from,
        "office@clinic.test",
        "Precert: news",
    )
    assert "https://portal/orders/X" in received.get_payload()
    stored = session.get(OutboxEmail, message_id)
    session.refresh(stored)
    assert (
        stored.sent_at is not None and stored.attempts == 1 and stored.last_error == "" and stored.body == ""
    )


def test_a_server_that_is_down_is_retried_with_back_off_and_the_message_arrives_once(session, port):
    url = f"smtp://127.0.0.1:{port}"
    message_id = _queue(session)
    assert mail.deliver_due(session, smtp_url=url) == [(message_id, "retry")]  # nobody listens
    stored = session.get(OutboxEmail, message_id)
    session.refresh(stored)
    assert stored.attempts == 1 and stored.sent_at is None and "ConnectionRefusedError" in stored.last_error
    first_retry = stored.next_attempt_at
    with smtp_server(port) as inbox:
        assert mail.deliver_due(session, smtp_url=url) == []  # not due before its back-off
        later = clock.now() + mail.retry_delay(1) + timedelta(seconds=1)
        assert mail.deliver_due(session, smtp_url=url, now=later) == [(message_id, "sent")]
        assert mail.deliver_due(session, smtp_url=url, now=later + timedelta(hours=2)) == []
    assert len(inbox.messages) == 1
    session.refresh(stored)
    assert stored.attempts == 2 and stored.sent_at is not None and stored.last_error == ""
    assert first_retry is not None


def test_a_rolled_back_transaction_sends_nothing(session, port):
    mail.send_mail(session, to="office@clinic.test", subject="Never", body="-", kind=MailKind.NOTICE)
    session.flush()
    session.rollback()
    with smtp_server(port) as inbox:
        assert mail.deliver_due(session, smtp_url=f"smtp://127.0.0.1:{port}") == []
    assert inbox.messages == []
    assert session.exec(select(OutboxEmail)).all() == []


def test_the_task_gives_up_after_its_last_attempt(session, port):
    url = f"smtp://127.0.0.1:{port}"
    message_id = _queue(session)
    moment = clock.now()
    outcomes = []
    for _ in range(mail.MAX_ATTEMPTS):
        outcomes += [outcome for _, outcome in mail.deliver_due(session, smtp_url=url, now=moment)]
        moment += timedelta(seconds=mail.MAX_RETRY_SECONDS + 1)
    assert outcomes == ["retry"] * (mail.MAX_ATTEMPTS - 1) + ["failed"]
    stored = session.get(OutboxEmail, message_id)
    session.refresh(stored)
    assert stored.failed_at is not None and stored.sent_at is None
    assert mail.deliver_due(session, smtp_url=url, now=moment) == []


def test_two_workers_never_take_the_same_message(session, db_url):
    message_id = _queue(session)
    now = clock.now()
    engine = make_engine(db_url)
    try:
        with Session(engine) as first, Session(engine) as second:
            taken = [mail._claim(first, message_id, now), mail._claim(second, message_id, now)]
    finally:
        engine.dispose()
    assert taken == [True, False]


def test_a_second_worker_waits_for_the_first_claim_and_then_skips_the_message(session, db_url):
    """Two workers at once: PostgreSQL's row lock (SQLite's write lock) holds the second UPDATE until the
    first commits; it then finds the message no longer due."""
    message_id = _queue(session)
    now = clock.now()
    engine = make_engine(db_url)
    try:
        with Session(engine) as first, Session(engine) as second, ThreadPoolExecutor(1) as pool:
            assert mail._take(first, message_id, now)  # locked until ``first`` commits
            racing = pool.submit(mail._claim, second, message_id, now)
            with pytest.raises(TimeoutError):
                racing.result(timeout=1)  # the second worker's UPDATE waits on the lock
            first.commit()
            assert racing.result(timeout=30) is False
    finally:
        engine.dispose()
