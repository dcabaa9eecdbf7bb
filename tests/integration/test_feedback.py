"""The feedback group sign-up (public, validated, rate-limited, one row per e-mail, a CSV safe for
spreadsheets) and announcements (only support writes; Markdown made safe before storing; public
list newest first, the newest for the home page)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from portal_app.models import Announcement, AuditEvent, FeedbackGroupSignup
from portal_app.services import announcements as announcement_service
from portal_app.services import feedback_group as group_service
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.rate_limits import RateLimited
from portal_app.settings import DEFAULT_RATE_LIMITS
from tests.conftest import BACKENDS
from tests.integration.order_helpers import actor_for

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _join(session, *, email="pat@clinic.test", name="Pat Doe", role="office_staff", consent=True, **kwargs):
    return group_service.sign_up(
        session, full_name=name, email=email, role=role, consent=consent, client_address="10.0.0.1", **kwargs
    )


def _allowed(name: str) -> int:
    return int(DEFAULT_RATE_LIMITS[name].split()[0])


# --- the feedback group -----------------------------------------------------------------------------


def test_a_sign_up_is_stored_and_a_second_one_with_the_same_address_updates_it(demo):
    assert _join(demo, now=NOW) == group_service.THANKS
    later = NOW + timedelta(days=3)
    assert (
        _join(demo, email="  PAT@Clinic.TEST ", name=" Pat   Doe-Smith ", role="physician", now=later)
        == group_service.THANKS  # the same answer: the form does not say the address was in already
    )
    [row] = demo.exec(select(FeedbackGroupSignup)).all()
    assert (row.email, row.full_name, row.role) == ("pat@clinic.test", "Pat Doe-Smith", "physician")
    assert row.created_at.replace(tzinfo=UTC) == NOW
    assert row.updated_at.replace(tzinfo=UTC) == later == row.consent_at.replace(tzinfo=UTC)
    actions = [
        e.action
        for e in demo.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        if "feedback" in e.action
    ]
    assert actions == ["feedback_group.signed_up", "feedback_group.updated"]
    # The audit trail never holds the address.
    assert all("pat@" not in str(e.detail) for e in demo.exec(select(AuditEvent)).all())


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"name": "   "}, "full_name"),
        ({"name": "x" * (group_service.NAME_MAX + 1)}, "full_name"),
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"email": None}, "email"),
        ({"role": "hacker"}, "role"),
        ({"role": ""}, "role"),
        ({"consent": False}, "consent"),
        ({"consent": "on"}, "consent"),  # only a real True counts as consent
    ],
)
def test_each_field_is_required_and_checked(demo, fields, problem):
    with pytest.raises(group_service.SignupRefused) as refused:
        _join(demo, **fields)
    assert list(refused.value.errors) == [problem]
    assert demo.exec(select(FeedbackGroupSignup)).all() == []


def test_sign_ups_are_rate_limited_per_e_mail_and_per_client_address(demo):
    for _ in range(_allowed("feedback_group_account")):
        _join(demo, email="same@clinic.test")
    with pytest.raises(RateLimited):
        _join(demo, email="same@clinic.test")
    # Every attempt counts against the client address, refused ones too (the limits are hit before
    # the form is checked): the account's allowance, the one refused above, then the rest.
    others = _allowed("feedback_group_client") - _allowed("feedback_group_account") - 1
    for n in range(others):
        if n % 2:
            with pytest.raises(group_service.SignupRefused):
                _join(demo, email=f"person{n}@clinic.test", role="hacker")
        else:
            _join(demo, email=f"person{n}@clinic.test")
    with pytest.raises(RateLimited):
        _join(demo, email="new@clinic.test")
    # Another address is counted on its own.
    group_service.sign_up(
        demo, full_name="Lee", email="lee@clinic.test", role="other", consent=True, client_address="10.0.0.2"
    )
    limited = [e for e in demo.exec(select(AuditEvent)).all() if e.action == "rate_limited"]
    assert [e.detail["limit"] for e in limited] == ["feedback_group_account", "feedback_group_client"]


def test_only_support_reads_the_list_and_the_csv_is_safe_for_spreadsheets(demo):
    _join(demo, email="first@clinic.test", name='=HYPERLINK("http://evil.test","x")', now=NOW)
    _join(demo, email="+1@clinic.test", name="@SUM(A1:A9)", role="other", now=NOW + timedelta(hours=1))
    _join(
        demo, email="plain@clinic.test", name="-2+3 Plain", role="health_plan", now=NOW + timedelta(hours=2)
    )
    for username in ("ordering", "nurse", "physician", "servicing"):
        with pytest.raises(PermissionDenied):
            group_service.list_signups(demo, actor=actor_for(demo, username))
        with pytest.raises(PermissionDenied):
            group_service.signups_csv(demo, actor=actor_for(demo, username))
    support = actor_for(demo, "support")
    lines = group_service.list_signups(demo, actor=support)
    assert [line.email for line in lines] == ["plain@clinic.test", "+1@clinic.test", "first@clinic.test"]
    assert lines[0].role == group_service.ROLES["health_plan"]

    rows = list(csv.reader(io.StringIO(group_service.signups_csv(demo, actor=support))))
    assert rows[0] == ["Name", "E-mail", "Role", "Consent given (UTC)", "Signed up (UTC)", "Updated (UTC)"]
    assert rows[1][:3] == ["'-2+3 Plain", "plain@clinic.test", "Health plan staff"]
    assert rows[2][:2] == ["'@SUM(A1:A9)", "'+1@clinic.test"]
    assert rows[3][0] == '\'=HYPERLINK("http://evil.test","x")'
    assert rows[3][3:] == ["2026-11-10 09:00"] * 3
    # No cell a spreadsheet would run as a formula.
    assert all(cell[:1] not in "=+-@" or cell == "" for row in rows for cell in row)


# --- announcements ----------------------------------------------------------------------------------


def _publish(session, actor, **fields):
    values = {"title": "Portal news", "body": "Hello", "published_on": "2026-11-01", "program": ""}
    values.update(fields)
    return announcement_service.publish_announcement(session, actor=actor, today=date(2026, 11, 10), **values)


def test_only_support_writes_announcements(demo):
    for username in ("ordering", "nurse", "physician", "servicing", "facility"):
        with pytest.raises(PermissionDenied):
            _publish(demo, actor_for(demo, username))
        with pytest.raises(PermissionDenied):
            announcement_service.all_announcements(demo, actor=actor_for(demo, username))
    assert demo.exec(select(Announcement)).all() == []
    denied = [
        e.detail["permission"] for e in demo.exec(select(AuditEvent)).all() if e.action == "access.denied"
    ]
    assert set(denied) == {"announcements.write"} and len(denied) == 10
    _publish(demo, actor_for(demo, "support"))
    assert len(demo.exec(select(Announcement)).all()) == 1


def test_the_markdown_is_made_safe_before_it_is_stored(demo):
    body = (
        "# Heads up\n\n<script>alert('x')</script>\n\n"
        "[Click me](javascript:alert(document.cookie)) and [the guide](https://example.org/guide)\n\n"
        '<a href="javascript:alert(1)">raw link</a>'
    )
    view = _publish(demo, actor_for(demo, "support"), body=body)
    stored = demo.get(Announcement, view.id).body
    assert "<" not in stored
    assert "&lt;script>alert('x')&lt;/script>" in stored
    assert "javascript:alert(document.cookie))" not in stored and "[Click me]" in stored
    assert "[the guide](https://example.org/guide)" in stored
    assert view.body == stored


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"title": " "}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"body": "  "}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"published_on": "next week"}, "published_on"),
        ({"published_on": "2028-01-01"}, "published_on"),  # more than a year ahead
        ({"program": "dental"}, "program"),
    ],
)
def test_an_announcement_needs_a_title_text_and_date(demo, fields, problem):
    with pytest.raises(announcement_service.AnnouncementRefused) as refused:
        _publish(demo, actor_for(demo, "support"), **fields)
    assert list(refused.value.errors) == [problem]


def test_the_public_list_is_newest_first_and_waits_for_the_publish_date(demo):
    support = actor_for(demo, "support")
    _publish(demo, support, title="Older", published_on="2026-10-01", program="sleep")
    _publish(demo, support, title="Newest", published_on="2026-11-09")
    _publish(demo, support, title="Same day, written later", published_on="2026-11-09")
    _publish(demo, support, title="Coming", published_on="2026-12-01")
    public = announcement_service.published_announcements(demo, today=date(2026, 11, 10))
    assert [(a.title, a.program_label) for a in public] == [
        ("Same day, written later", ""),
        ("Newest", ""),
        ("Older", "Sleep"),
    ]
    assert announcement_service.latest_announcement(demo, today=date(2026, 11, 10)).title == (
        "Same day, written later"
    )
    assert announcement_service.latest_announcement(demo, today=date(2026, 9, 1)) is None
    assert announcement_service.latest_announcement(demo, today=date(2026, 12, 1)).title == "Coming"
    # Support sees the one dated ahead too.
    assert [a.title for a in announcement_service.all_announcements(demo, actor=support)][0] == "Coming"


# --- demo feedback ----------------------------------------------------------------------------------


def test_demo_survey_answers_are_valid_repeatable_and_give_an_nps(demo):
    from random import Random

    from portal_app.domain import survey_questions as sq
    from portal_app.services.demo_feedback import draw_survey_answers

    drawn = [draw_survey_answers(Random(25)) for _ in range(2)]
    assert drawn[0] == drawn[1]  # the same seed, the same answers
    rng = Random(25)
    many = [draw_survey_answers(rng) for _ in range(300)]
    for answers, comment in many:
        assert sq.clean_answers(answers) == answers  # every value is one the survey offers
        assert answers or comment
    recommend = {}
    for answers, _ in many:
        if "recommend" in answers:
            score = int(answers["recommend"])
            recommend[score] = recommend.get(score, 0) + 1
    result = sq.nps(recommend)
    assert result.answers > 200 and result.promoters and result.passives and result.detractors
    assert 0 < result.score < 100


def test_demo_announcements_are_published_once_through_the_service_and_dated_in_the_past(demo):
    from portal_app.services.demo_feedback import DEMO_ANNOUNCEMENTS, load_demo_announcements

    today = date(2026, 11, 10)
    assert load_demo_announcements(demo, today=today) == len(DEMO_ANNOUNCEMENTS)
    assert load_demo_announcements(demo, today=today) == 0
    public = announcement_service.published_announcements(demo, today=today)
    assert len(public) == len(DEMO_ANNOUNCEMENTS)
    assert all(a.published_on < today for a in public)
    assert [a.published_on for a in public] == sorted((a.published_on for a in public), reverse=True)
    published = [e for e in demo.exec(select(AuditEvent)).all() if e.action == "announcement.published"]
    assert len(published) == len(DEMO_ANNOUNCEMENTS)
    assert {e.user_id for e in published} == {actor_for(demo, "support").user_id}


def _submitted_at(session, office, member: str, at: datetime) -> str:
    from portal_app.models import Order
    from portal_app.services.order_submission import submit_order
    from tests.integration.order_helpers import TODAY, draft_order

    order_id = draft_order(session, office, member=member)
    result = submit_order(session, actor=office, order_id=order_id, today=TODAY, duplicates_acknowledged=True)
    assert result.submitted, result
    order = session.get(Order, order_id)
    order.submitted_at = at
    session.add(order)
    session.commit()
    return result.order_number


def test_demo_survey_answers_are_given_through_the_service_on_past_requests_once_a_month(demo):
    from portal_app.models import SatisfactionSurvey, SatisfactionSurveyAnswer
    from portal_app.services.demo_feedback import OFFERED_AFTER, load_demo_survey_answers
    from portal_app.services.survey import survey_results

    office = actor_for(demo)
    today = date(2026, 11, 20)
    moments = {
        "EVG100000004": datetime(2026, 8, 3, 10, tzinfo=UTC),
        "EVG100000008": datetime(2026, 8, 20, 10, tzinfo=UTC),  # the same month: not asked again
        "EVG100000012": datetime(2026, 9, 14, 15, tzinfo=UTC),
        "EVG100000016": datetime(2026, 10, 5, 9, tzinfo=UTC),
        "EVG100000024": datetime(2026, 10, 31, 23, 57, tzinfo=UTC),  # offered 1 November: a new month
        "EVG100000028": datetime(2026, 11, 20, 8, tzinfo=UTC),  # today: not yet
    }
    for member, at in moments.items():
        _submitted_at(demo, office, member, at)

    answered = load_demo_survey_answers(demo, today=today)
    rows = demo.exec(select(SatisfactionSurvey).order_by(SatisfactionSurvey.asked_at)).all()
    assert [(r.period, r.asked_at.replace(tzinfo=UTC)) for r in rows] == [
        ("2026-08", moments["EVG100000004"] + OFFERED_AFTER),
        ("2026-09", moments["EVG100000012"] + OFFERED_AFTER),
        ("2026-10", moments["EVG100000016"] + OFFERED_AFTER),
        ("2026-11", moments["EVG100000024"] + OFFERED_AFTER),
    ]
    assert {r.status for r in rows} <= {"answered", "dismissed"}
    assert answered == sum(r.status == "answered" for r in rows) >= 1
    for row in rows:
        stored = demo.exec(
            select(SatisfactionSurveyAnswer).where(SatisfactionSurveyAnswer.survey_id == row.id)
        )
        assert bool(list(stored)) or row.comment or row.status == "dismissed"
    # Through the service: offered and answered are audited as the office's own.
    offered = [e for e in demo.exec(select(AuditEvent)).all() if e.action == "survey.asked"]
    assert len(offered) == 4
    # Again: nothing more.
    assert load_demo_survey_answers(demo, today=today) == 0
    assert len(demo.exec(select(SatisfactionSurvey)).all()) == 4
    results = survey_results(
        demo, actor=actor_for(demo, "support"), date_from=date(2026, 8, 1), date_to=date(2026, 10, 31)
    )
    assert results.answered == answered
