"""The outbox's back-off, what a failed delivery records, the daily digest's cut-off and the bell's
accessible name. Expected values follow from the rules stated in services/mail.py and
services/notices.py (30 s doubling to an hour; digests at 07:00 UTC)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest

from portal_app.services.mail import describe_failure, retry_delay
from portal_app.services.notices import digest_cut
from portal_app.state.notifications import bell_label


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (20, 3600)],
)
def test_retry_delay_doubles_from_30_seconds_up_to_an_hour(attempts, seconds):
    assert retry_delay(attempts) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("failure", "recorded"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "ConnectionRefusedError: Connection refused"),
        (
            smtplib.SMTPRecipientsRefused({"office@clinic.test": (550, b"No such user office@clinic.test")}),
            "SMTPRecipientsRefused: 550",
        ),
        (smtplib.SMTPDataError(554, b"Rejected for office@clinic.test"), "SMTPDataError: 554"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "SMTPServerDisconnected"),
    ],
)
def test_a_failure_is_recorded_without_the_servers_text(failure, recorded):
    assert describe_failure(failure) == recorded
    assert "clinic.test" not in describe_failure(failure)


@pytest.mark.parametrize(
    ("now", "cut"),
    [
        (datetime(2026, 11, 24, 8, 0, tzinfo=UTC), datetime(2026, 11, 24, 7, 0, tzinfo=UTC)),
        (datetime(2026, 11, 24, 7, 0, tzinfo=UTC), datetime(2026, 11, 24, 7, 0, tzinfo=UTC)),
        (datetime(2026, 11, 24, 6, 59, tzinfo=UTC), datetime(2026, 11, 23, 7, 0, tzinfo=UTC)),
        (datetime(2026, 11, 24, 0, 5), datetime(2026, 11, 23, 7, 0, tzinfo=UTC)),  # naive = UTC
    ],
)
def test_the_digest_cut_is_the_last_0700_utc_at_or_before_now(now, cut):
    assert digest_cut(now) == cut


@pytest.mark.parametrize(
    ("unread", "label"),
    [(0, "Notifications, none unread"), (1, "Notifications, 1 unread"), (12, "Notifications, 12 unread")],
)
def test_the_bells_accessible_name_says_how_many_are_unread(unread, label):
    assert bell_label(unread) == label
