"""Row 7: support's outbox page shows who was mailed which kind of message and when, never a usable
link or code; a body is not kept once an SMTP server has accepted the message."""

from __future__ import annotations

from sqlmodel import select

from portal_app.models import OutboxEmail
from portal_app.services import mail
from portal_app.settings import get_settings
from portal_app.state.admin import OutboxState
from tests.security.attacks import make_user, request_reset, signed_in, state_name


def test_the_outbox_page_shows_no_link_or_code(portal, portal_db):
    email = make_user(portal_db).email
    assert request_reset(portal["url"], email)["sent"]
    portal_db.expire_all()
    stored = portal_db.exec(select(OutboxEmail).where(OutboxEmail.to_address == email)).one()
    token = stored.body.split("token=", 1)[1].split()[0]  # without SMTP the dev outbox keeps it

    tab = signed_in(portal["url"], "support", "/admin/outbox")
    try:
        mails = tab.var(state_name(OutboxState), "mails")
        shown = [m for m in mails if m["to_address"] == email]
        assert shown and shown[0]["kind"] == "Password reset" and shown[0]["created_at"]
        everything = str(tab.state)
        assert token not in everything and "token=" not in everything and "reset-password" not in everything
    finally:
        tab.close()


def test_a_body_is_dropped_once_smtp_has_accepted_it(session, monkeypatch):
    monkeypatch.setenv("SMTP_URL", "smtp://mail.invalid:25")
    get_settings.cache_clear()
    delivered = []
    monkeypatch.setattr(mail, "_deliver", lambda smtp_url, **message: delivered.append(message))
    try:
        sent = mail.send_mail(
            session,
            to="a@clinic.test",
            subject="Reset",
            body="https://x/reset?token=secret",
            kind="password_reset",
        )
        session.commit()
        assert mail.deliver_due(session) == [(sent.id, "sent")]  # the outbox task, after the commit
    finally:
        get_settings.cache_clear()
    assert delivered[0]["body"].endswith("token=secret")  # the recipient got the link
    session.expire_all()
    stored = session.get(OutboxEmail, sent.id)
    assert stored.sent_at is not None and stored.body == "" and stored.kind == "password_reset"
