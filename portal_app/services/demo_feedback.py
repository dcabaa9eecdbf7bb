"""Demo feedback (issue 25, seed 004): how demo offices answer the satisfaction survey, and a few
announcements from support. Loaded by ``python -m portal_app.cli seed`` after the demo data (not by
``load_demo_data``, whose fixed contents the integration tests count); safe to run twice.

* ``load_demo_survey_answers(session)``: the demo offices' requests submitted in the past year get
  the survey the order summary would have offered a few minutes after submission, through
  ``services/survey.offer_survey`` and ``answer_survey`` at that moment (so at most once a month per
  person, as the service rules), most answered, some "Not now". The answers are drawn by
  ``draw_survey_answers(rng)`` from ``ANSWER_MIX`` (the share of people choosing each answer, a
  plausible mix for a portal most people find quick, with some who had to chase a request; invented
  for the demo, not a measurement) with a fixed random seed, so the same requests get the same
  answers. The requests themselves come from the demo history (``services/demo_year.py``).
* ``load_demo_announcements(session)``: three announcements dated in the past, published through
  ``services/announcements.publish_announcement`` as the demo support admin.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain import survey_questions as questions
from portal_app.domain.enums import Role
from portal_app.models import Announcement, Order, PracticeMembership, SatisfactionSurvey, User
from portal_app.models.base import id_of
from portal_app.services import survey
from portal_app.services.announcements import publish_announcement
from portal_app.services.authz import Actor

SURVEY_SEED = 25
ANSWERED_SHARE = 0.75  # of the surveys offered; the rest are "Not now"
OFFERED_AFTER = timedelta(minutes=4)  # the summary opens right after the request is sent

# Per question: (value, weight); a weight of the empty value "" leaves the question unanswered.
ANSWER_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    "recommend": (
        ("10", 14),
        ("9", 12),
        ("8", 10),
        ("7", 6),
        ("6", 3),
        ("5", 3),
        ("4", 1),
        ("3", 1),
        ("2", 1),
        ("0", 1),
        ("", 4),
    ),
    "easy": (
        ("strongly_agree", 10),
        ("agree", 14),
        ("neutral", 5),
        ("disagree", 3),
        ("strongly_disagree", 1),
        ("", 6),
    ),
    "reason": (
        ("new_request", 20),
        ("status", 6),
        ("information", 4),
        ("peer_to_peer", 1),
        ("appeal", 1),
        ("other", 1),
        ("", 6),
    ),
    "resolved": (("yes", 24), ("partly", 5), ("no", 2), ("", 8)),
    "repeat_contact": (("no", 22), ("yes", 6), ("", 10)),
    "satisfaction": (
        ("very_satisfied", 11),
        ("satisfied", 14),
        ("neutral", 5),
        ("dissatisfied", 2),
        ("very_dissatisfied", 1),
        ("", 6),
    ),
}
COMMENTS: tuple[str, ...] = (
    "",
    "",
    "",
    "Quick once the member was found.",
    "The questions matched what the doctor wrote.",
    "I could not find where to attach the visit notes at first.",
    "Would like to see the fax confirmation on the summary.",
)


def draw_survey_answers(rng: random.Random) -> tuple[dict[str, str], str]:
    """One office's answers (question code → value; unanswered questions left out) and comment."""
    answers = {}
    for question in questions.QUESTIONS:
        values, weights = zip(*ANSWER_MIX[question.code], strict=True)
        value = rng.choices(values, weights=weights)[0]
        if value:
            answers[question.code] = value
    comment = rng.choice(COMMENTS)
    if not answers and not comment:  # an empty answer is no answer: say at least how likely
        answers[questions.RECOMMEND] = "8"
    return answers, comment


# (days before the seed runs, title, program, Markdown text): the demo's provider newsletter.
DEMO_ANNOUNCEMENTS: tuple[tuple[int, str, str, str], ...] = (
    (
        45,
        "Tell us how we are doing",
        "",
        "After you submit a request, the summary may ask **a few short questions**: how likely you are "
        "to recommend Precert, whether it was easy, and what brought you in. Every question is optional "
        "and we ask at most once a month.\n\nThe answers go to the review team without your name.",
    ),
    (
        20,
        "Help shape the portal: the user experience feedback group",
        "",
        "We are looking for office staff, clinicians and practice managers who would like to try new "
        "designs before they go live. Members hear from us about once a month at most:\n\n"
        "- short surveys and online tasks (5 to 10 minutes)\n"
        "- usability sessions (about an hour)\n"
        "- conversations about how your office works\n\n"
        "Sign up on the *Join the user experience feedback group* page, linked at the foot of every page.",
    ),
    (
        6,
        "Sleep studies: PAP compliance data",
        "sleep",
        "When you ask to continue PAP therapy, upload the device download from the member's machine on "
        "the **PAP device data** page first. A request with at least 30 days of data is decided faster.",
    ),
)


def _support_actor(session: Session) -> Actor | None:
    user = session.exec(select(User).where(User.username == "support")).first()
    if user is None or user.id is None:
        return None
    return Actor(user_id=user.id, role=user.role, full_name=user.full_name)


def load_demo_announcements(session: Session, *, today: date | None = None) -> int:
    """Publish the demo announcements (once: none when any announcement exists); returns how many."""
    if session.exec(select(Announcement.id)).first() is not None:
        return 0
    support = _support_actor(session)
    if support is None:
        return 0
    today = today or clock.today()
    for days_ago, title, program, body in DEMO_ANNOUNCEMENTS:
        publish_announcement(
            session,
            actor=support,
            title=title,
            body=body,
            program=program,
            published_on=today - timedelta(days=days_ago),
            today=today,
        )
    return len(DEMO_ANNOUNCEMENTS)


def _office_actor(session: Session, user: User) -> Actor:
    practices = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user.id)
    ).all()
    return Actor(user_id=id_of(user), role=user.role, full_name=user.full_name, practice_ids=tuple(practices))


def load_demo_survey_answers(session: Session, *, today: date | None = None) -> int:
    """Answer (or decline) the survey on the demo offices' requests of the past year, each at the
    moment the order summary would have offered it; returns how many were answered. A request whose
    user was already asked that month is skipped by the service, so running it again adds nothing."""
    today = today or clock.today()
    start = datetime.combine(today - timedelta(days=365), time.min, UTC)
    end = datetime.combine(today, time.min, UTC) - OFFERED_AFTER
    asked = {(row.user_id, row.period) for row in session.exec(select(SatisfactionSurvey)).all()}
    orders = session.exec(
        select(Order.order_number, Order.submitted_at, User)
        .join(User, col(User.id) == col(Order.created_by_id))
        .where(
            col(Order.submitted_at).is_not(None),
            col(Order.submitted_at) >= start,
            col(Order.submitted_at) < end,
            User.role == Role.ORDERING_PROVIDER_STAFF,
        )
        .order_by(col(Order.submitted_at), col(Order.id))
    ).all()
    rng, answered = random.Random(SURVEY_SEED), 0
    for number, submitted_at, user in orders:
        if not number or submitted_at is None:
            continue
        moment = survey.aware(submitted_at) + OFFERED_AFTER
        if (id_of(user), survey.period_of(moment)) in asked:
            continue
        office = _office_actor(session, user)
        offer = survey.offer_survey(session, actor=office, order_number=number, now=moment)
        if offer is None:
            continue
        asked.add((id_of(user), survey.period_of(moment)))
        if rng.random() < ANSWERED_SHARE:
            answers, comment = draw_survey_answers(rng)
            survey.answer_survey(
                session,
                actor=office,
                survey_id=offer.survey_id,
                answers=answers,
                comment=comment,
                now=moment + timedelta(minutes=2),
            )
            answered += 1
        else:
            survey.dismiss_survey(
                session, actor=office, survey_id=offer.survey_id, now=moment + timedelta(minutes=1)
            )
    return answered
