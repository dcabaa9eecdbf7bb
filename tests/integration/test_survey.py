"""The satisfaction survey after a submitted request: offered at most once per user per calendar month
(asked, answered or dismissed), only to the office user who entered the request and right after it
was submitted; who may answer and who may read the results; and the results as the review dashboard
shows and exports them, worked out here from hand-built answers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from portal_app.models import AuditEvent, Order, SatisfactionSurvey, SatisfactionSurveyAnswer
from portal_app.models.survey import SurveyStatus
from portal_app.services import survey as survey_service
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.survey import (
    SurveyRefused,
    answer_survey,
    dismiss_survey,
    offer_survey,
    survey_results,
    survey_results_csv,
)
from tests.conftest import BACKENDS
from tests.integration.order_helpers import TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

NOV_10 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
MEMBERS = ("EVG100000004", "EVG100000008", "EVG100000012", "EVG100000016", "EVG100000024", "EVG100000028")


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _submitted(session, office, member: str, at: datetime) -> str:
    """A request of ``office`` submitted at ``at``."""
    order_id = draft_order(session, office, member=member)
    result = submit_order(session, actor=office, order_id=order_id, today=TODAY, duplicates_acknowledged=True)
    assert result.submitted, result
    order = session.get(Order, order_id)
    order.submitted_at = at
    session.add(order)
    session.commit()
    return result.order_number


def _actions(session, action: str) -> list[AuditEvent]:
    return session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


# --- once per user per calendar month ----------------------------------------------------------


def test_the_survey_is_offered_once_a_month_and_again_the_next_month(demo):
    office = actor_for(demo)
    first = _submitted(demo, office, MEMBERS[0], NOV_10)
    offer = offer_survey(demo, actor=office, order_number=first, now=NOV_10 + timedelta(minutes=1))
    assert offer is not None and offer.order_number == first
    # The same order's page reloaded while the survey is open: the same survey, not a new one.
    again = offer_survey(demo, actor=office, order_number=first.lower(), now=NOV_10 + timedelta(minutes=5))
    assert again == offer
    # Asked this month: the next request of the month does not ask again, even before any answer.
    second = _submitted(demo, office, MEMBERS[1], NOV_10 + timedelta(days=3))
    assert (
        offer_survey(demo, actor=office, order_number=second, now=NOV_10 + timedelta(days=3, minutes=1))
        is None
    )

    answer_survey(
        demo,
        actor=office,
        survey_id=offer.survey_id,
        answers={"recommend": "9", "easy": "agree", "reason": "new_request", "resolved": "", "x": "y"},
        comment="  Quick   and clear. ",
        now=NOV_10 + timedelta(minutes=2),
    )
    # Answered: not even the first order's page asks again.
    assert offer_survey(demo, actor=office, order_number=first, now=NOV_10 + timedelta(minutes=3)) is None
    third = _submitted(demo, office, MEMBERS[2], datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    assert (
        offer_survey(demo, actor=office, order_number=third, now=datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
        is None
    )

    # A new calendar month (UTC): asked again.
    december = datetime(2026, 12, 1, 0, 10, tzinfo=UTC)
    assert offer_survey(demo, actor=office, order_number=third, now=december) is not None

    rows = demo.exec(select(SatisfactionSurvey).order_by(SatisfactionSurvey.id)).all()
    assert [(row.period, row.status, row.comment) for row in rows] == [
        ("2026-11", SurveyStatus.ANSWERED, "Quick and clear."),
        ("2026-12", SurveyStatus.ASKED, ""),
    ]
    # Only the questions answered are stored (blanks and unknown keys are dropped).
    stored = demo.exec(select(SatisfactionSurveyAnswer).order_by(SatisfactionSurveyAnswer.question)).all()
    assert [(a.survey_id, a.question, a.value) for a in stored] == [
        (rows[0].id, "easy", "agree"),
        (rows[0].id, "reason", "new_request"),
        (rows[0].id, "recommend", "9"),
    ]
    assert [event.detail for event in _actions(demo, "survey.answered")] == [
        {"questions": ["easy", "reason", "recommend"], "with_comment": True}
    ]
    assert len(_actions(demo, "survey.asked")) == 2


def test_not_now_counts_as_asked_for_the_month(demo):
    office = actor_for(demo)
    first = _submitted(demo, office, MEMBERS[0], NOV_10)
    offer = offer_survey(demo, actor=office, order_number=first, now=NOV_10)
    dismiss_survey(demo, actor=office, survey_id=offer.survey_id, now=NOV_10)
    assert offer_survey(demo, actor=office, order_number=first, now=NOV_10) is None
    second = _submitted(demo, office, MEMBERS[1], NOV_10 + timedelta(days=1))
    assert offer_survey(demo, actor=office, order_number=second, now=NOV_10 + timedelta(days=1)) is None
    with pytest.raises(SurveyRefused, match="no longer open"):
        answer_survey(demo, actor=office, survey_id=offer.survey_id, answers={"recommend": "10"})
    [row] = demo.exec(select(SatisfactionSurvey)).all()
    assert row.status == SurveyStatus.DISMISSED
    assert demo.exec(select(SatisfactionSurveyAnswer)).all() == []


def test_only_right_after_submitting_and_only_to_the_person_who_entered_the_request(demo):
    office, other_office = actor_for(demo), actor_for(demo, "ordering2")
    number = _submitted(demo, office, MEMBERS[0], NOV_10)
    # Looked up more than a day after it was submitted: not a survey moment.
    late = NOV_10 + timedelta(hours=survey_service.OFFER_HOURS, minutes=1)
    assert offer_survey(demo, actor=office, order_number=number, now=late) is None
    # Another office, an unknown number, a draft: never.
    assert offer_survey(demo, actor=other_office, order_number=number, now=NOV_10) is None
    assert offer_survey(demo, actor=office, order_number="PC00000000000", now=NOV_10) is None
    draft_id = draft_order(demo, office, member=MEMBERS[1])
    draft = demo.get(Order, draft_id)
    assert draft.order_number is None
    assert demo.exec(select(SatisfactionSurvey)).all() == []
    # Within the day: offered.
    assert offer_survey(demo, actor=office, order_number=number, now=NOV_10 + timedelta(hours=23)) is not None


def test_one_row_per_user_and_month_is_enforced_by_the_database(demo):
    office = actor_for(demo)
    number = _submitted(demo, office, MEMBERS[0], NOV_10)
    offer = offer_survey(demo, actor=office, order_number=number, now=NOV_10)
    first = demo.get(SatisfactionSurvey, offer.survey_id)
    demo.add(
        SatisfactionSurvey(
            user_id=office.user_id,
            period="2026-11",
            order_id=first.order_id,
            practice_id=first.practice_id,
            program=first.program,
            plan_id=first.plan_id,
        )
    )
    with pytest.raises(IntegrityError):
        demo.commit()
    demo.rollback()


# --- answers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [{"recommend": "11"}, {"recommend": "-1"}, {"recommend": "nine"}, {"easy": "5"}, {"resolved": "maybe"}],
)
def test_an_answer_that_is_no_choice_of_its_question_is_refused(demo, answers):
    office = actor_for(demo)
    number = _submitted(demo, office, MEMBERS[0], NOV_10)
    offer = offer_survey(demo, actor=office, order_number=number, now=NOV_10)
    with pytest.raises(SurveyRefused, match="Choose one of the answers"):
        answer_survey(demo, actor=office, survey_id=offer.survey_id, answers={"recommend": "8", **answers})
    assert demo.get(SatisfactionSurvey, offer.survey_id).status == SurveyStatus.ASKED
    assert demo.exec(select(SatisfactionSurveyAnswer)).all() == []


@pytest.mark.parametrize("answers", [{}, {"recommend": "", "easy": "  "}, None, "recommend=9"])
def test_every_question_is_optional_but_an_empty_answer_is_not_an_answer(demo, answers):
    office = actor_for(demo)
    number = _submitted(demo, office, MEMBERS[0], NOV_10)
    offer = offer_survey(demo, actor=office, order_number=number, now=NOV_10)
    with pytest.raises(SurveyRefused, match="at least one"):
        answer_survey(demo, actor=office, survey_id=offer.survey_id, answers=answers)
    # One question alone, or a comment alone, is an answer.
    answer_survey(demo, actor=office, survey_id=offer.survey_id, answers={}, comment="Only a comment.")
    assert demo.get(SatisfactionSurvey, offer.survey_id).status == SurveyStatus.ANSWERED


def test_a_comment_over_the_limit_is_refused(demo):
    office = actor_for(demo)
    number = _submitted(demo, office, MEMBERS[0], NOV_10)
    offer = offer_survey(demo, actor=office, order_number=number, now=NOV_10)
    with pytest.raises(SurveyRefused, match="Shorten"):
        answer_survey(
            demo,
            actor=office,
            survey_id=offer.survey_id,
            answers={"satisfaction": "satisfied"},
            comment="x" * (survey_service.COMMENT_MAX + 1),
        )
    answer_survey(
        demo,
        actor=office,
        survey_id=offer.survey_id,
        answers={"satisfaction": "satisfied"},
        comment="x" * survey_service.COMMENT_MAX,
    )


# --- permissions ----------------------------------------------------------------------------------


def test_reviewers_cannot_answer_for_an_office_and_offices_cannot_read_results(demo):
    office, nurse, support = actor_for(demo), actor_for(demo, "nurse"), actor_for(demo, "support")
    number = _submitted(demo, office, MEMBERS[0], NOV_10)
    offer = offer_survey(demo, actor=office, order_number=number, now=NOV_10)

    with pytest.raises(PermissionDenied):
        answer_survey(demo, actor=nurse, survey_id=offer.survey_id, answers={"recommend": "10"})
    with pytest.raises(PermissionDenied):
        dismiss_survey(demo, actor=support, survey_id=offer.survey_id)
    with pytest.raises(PermissionDenied):
        offer_survey(demo, actor=nurse, order_number=number, now=NOV_10)
    with pytest.raises(PermissionDenied):
        survey_results(demo, actor=office, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
    denied = [event.detail["permission"] for event in _actions(demo, "access.denied")]
    assert denied == ["survey.answer", "survey.answer", "survey.answer", "survey.read_results"]
    assert demo.get(SatisfactionSurvey, offer.survey_id).status == SurveyStatus.ASKED

    # Another office cannot answer or dismiss someone else's survey either; the attempt is audited.
    other_office = actor_for(demo, "ordering2")
    with pytest.raises(SurveyRefused):
        answer_survey(demo, actor=other_office, survey_id=offer.survey_id, answers={"recommend": "0"})
    with pytest.raises(SurveyRefused):
        dismiss_survey(demo, actor=other_office, survey_id=offer.survey_id)
    assert [e.user_id for e in _actions(demo, "survey.answer_denied")] == [other_office.user_id]
    assert [e.user_id for e in _actions(demo, "survey.dismiss_denied")] == [other_office.user_id]
    assert demo.get(SatisfactionSurvey, offer.survey_id).status == SurveyStatus.ASKED

    for reader in (nurse, actor_for(demo, "physician"), support):
        assert (
            survey_results(
                demo, actor=reader, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30)
            ).offered
            == 1
        )


# --- results ----------------------------------------------------------------------------------------

# (user, asked on, program, status, answers, comment)
ANSWERS = [
    (
        "ordering",
        datetime(2026, 3, 2, 10, tzinfo=UTC),
        "imaging",
        "answered",
        {"recommend": "10", "easy": "strongly_agree", "resolved": "yes"},
        "Very quick.",
    ),
    ("ordering2", datetime(2026, 3, 5, 10, tzinfo=UTC), "imaging", "answered", {"recommend": "9"}, ""),
    (
        "physician",
        datetime(2026, 3, 9, 10, tzinfo=UTC),
        "sleep",
        "answered",
        {"recommend": "3", "easy": "disagree", "resolved": "no", "repeat_contact": "yes"},
        '=HYPERLINK("x") too many steps',
    ),
    (
        "ordering",
        datetime(2026, 4, 1, 8, tzinfo=UTC),
        "imaging",
        "answered",
        {"recommend": "7", "resolved": "yes"},
        "Fine.",
    ),
    # Answered with a comment only: counted as answered, in no question's distribution.
    ("servicing", datetime(2026, 4, 1, 9, tzinfo=UTC), "imaging", "answered", {}, "-1 star, +1 speed"),
    ("ordering2", datetime(2026, 4, 2, 8, tzinfo=UTC), "imaging", "dismissed", {}, ""),
    ("nurse", datetime(2026, 4, 3, 8, tzinfo=UTC), "imaging", "asked", {}, ""),
    # Outside the range chosen below: not counted.
    ("ordering", datetime(2026, 2, 27, 8, tzinfo=UTC), "imaging", "answered", {"recommend": "0"}, "Before."),
    ("ordering", datetime(2026, 5, 1, 0, 0, tzinfo=UTC), "imaging", "answered", {"recommend": "0"}, "After."),
]


def _arrange_answers(session) -> None:
    """The answers above, as rows (the survey's own rules are tested above; here only the counting)."""
    office = actor_for(session)
    number = _submitted(session, office, MEMBERS[0], NOV_10)
    order = session.exec(select(Order).where(Order.order_number == number)).one()
    for username, at, program, status, answers, comment in ANSWERS:
        survey = SatisfactionSurvey(
            user_id=actor_for(session, username).user_id,
            period=survey_service.period_of(at),
            order_id=order.id,
            practice_id=order.practice_id,
            program=program,
            plan_id=order.plan_id,
            status=status,
            comment=comment,
            asked_at=at,
            answered_at=at + timedelta(minutes=2) if status != "asked" else None,
        )
        session.add(survey)
        session.flush()
        for question, value in answers.items():
            session.add(SatisfactionSurveyAnswer(survey_id=survey.id, question=question, value=value))
    session.commit()


def _question(results, code):
    return next(q for q in results.questions if q.code == code)


def test_results_are_aggregated_over_the_surveys_offered_in_the_dates(demo):
    _arrange_answers(demo)
    nurse = actor_for(demo, "nurse")
    results = survey_results(demo, actor=nurse, date_from=date(2026, 3, 1), date_to=date(2026, 4, 30))
    chosen = [a for a in ANSWERS if date(2026, 3, 1) <= a[1].date() <= date(2026, 4, 30)]
    assert (
        (results.offered, results.answered, results.dismissed, results.open)
        == (7, 5, 1, 1)
        == (
            len(chosen),
            sum(a[3] == "answered" for a in chosen),
            sum(a[3] == "dismissed" for a in chosen),
            sum(a[3] == "asked" for a in chosen),
        )
    )
    # Recommend answers 10, 9, 3, 7: two promoters, one passive, one detractor of four;
    # NPS = 50 % - 25 % = 25.
    nps = results.nps
    assert (nps.answers, nps.promoters, nps.passives, nps.detractors) == (4, 2, 1, 1)
    assert (nps.percent_promoters, nps.percent_passives, nps.percent_detractors, nps.score) == (
        50.0,
        25.0,
        25.0,
        25.0,
    )
    assert [q.code for q in results.questions] == [
        "recommend",
        "easy",
        "reason",
        "resolved",
        "repeat_contact",
        "satisfaction",
    ]
    resolved = _question(results, "resolved")
    assert resolved.answers == 3
    assert [(c.value, c.answers, c.percent) for c in resolved.choices] == [
        ("yes", 2, 66.7),
        ("partly", 0, 0.0),
        ("no", 1, 33.3),
    ]
    recommend = _question(results, "recommend")
    assert [c.answers for c in recommend.choices] == [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1]
    # Nobody answered the reason or satisfaction questions: no shares, not 0 %.
    assert _question(results, "satisfaction").answers == 0
    assert all(c.percent is None for c in _question(results, "satisfaction").choices)
    assert [(c.offered_on, c.program_label, c.text) for c in results.comments] == [
        (date(2026, 4, 1), "Radiology and cardiology imaging", "-1 star, +1 speed"),
        (date(2026, 4, 1), "Radiology and cardiology imaging", "Fine."),
        (date(2026, 3, 9), "Sleep", '=HYPERLINK("x") too many steps'),
        (date(2026, 3, 2), "Radiology and cardiology imaging", "Very quick."),
    ]
    assert _actions(demo, "survey.results_read")[-1].detail == {
        "from": "2026-03-01",
        "to": "2026-04-30",
        "program": "",
        "plan_id": 0,
    }

    # The dashboard's other filters apply too; the comment list is limited.
    sleep_only = survey_results(
        demo, actor=nurse, date_from=date(2026, 3, 1), date_to=date(2026, 4, 30), program="sleep"
    )
    assert (sleep_only.offered, sleep_only.answered, sleep_only.nps.score) == (1, 1, -100.0)
    newest = survey_results(
        demo, actor=nurse, date_from=date(2026, 3, 1), date_to=date(2026, 4, 30), comment_limit=1
    )
    assert [c.text for c in newest.comments] == ["-1 star, +1 speed"]
    # The last day is included whole; the next day is not.
    april = survey_results(demo, actor=nurse, date_from=date(2026, 4, 30), date_to=date(2026, 5, 1))
    assert (april.offered, april.nps.score) == (1, -100.0)
    # No answers: the NPS is blank, not 0.
    empty = survey_results(demo, actor=nurse, date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    assert (empty.offered, empty.nps.score, empty.nps.answers, empty.comments) == (0, None, 0, ())
    assert all(c.percent is None for q in empty.questions for c in q.choices)

    with pytest.raises(ValueError):
        survey_results(demo, actor=nurse, date_from=date(2026, 4, 30), date_to=date(2026, 3, 1))
    with pytest.raises(ValueError):
        survey_results(
            demo, actor=nurse, date_from=date(2026, 3, 1), date_to=date(2026, 4, 30), program="dental"
        )


def test_the_csv_section_holds_the_counts_nps_answers_and_comments_safely(demo):
    _arrange_answers(demo)
    results = survey_results(
        demo, actor=actor_for(demo, "support"), date_from=date(2026, 3, 1), date_to=date(2026, 4, 30)
    )
    rows = list(csv.reader(io.StringIO(survey_results_csv(results))))
    assert rows[0][:2] == ["Satisfaction survey", "offered 2026-03-01 to 2026-04-30"]
    assert rows[3] == ["7", "5", "1", "1"]
    assert rows[5] == ["NPS", "Answers", "Promoters", "Passives", "Detractors"]
    assert rows[6] == ["25", "4", "2 (50 %)", "1 (25 %)", "1 (25 %)"]
    assert ["Did you get done what you came to do?", "Yes", "2", "66.7"] in rows
    # A comment that a spreadsheet would run as a formula is written as text.
    assert ["2026-03-09", "Sleep", '\'=HYPERLINK("x") too many steps'] in rows
    assert ["2026-04-01", "Radiology and cardiology imaging", "'-1 star, +1 speed"] in rows
    assert ["2026-04-01", "Radiology and cardiology imaging", "Fine."] in rows
