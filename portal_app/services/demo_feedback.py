"""Demo feedback (issue 25, seed 004): how demo offices answer the satisfaction survey, and a few
announcements from support. Loaded by ``python -m portal_app.cli seed`` after the demo data (not by
``load_demo_data``, whose fixed contents the integration tests count); safe to run twice.

* ``draw_survey_answers(rng)``: one office's answers to the survey, drawn from ``ANSWER_MIX`` (the
  share of people choosing each answer, a plausible mix for a portal most people find quick, with
  some who had to chase a request; invented for the demo, not a measurement). Whoever generates the
  demo's requests through the services (``services/demo_year.py``) answers the survey the order
  summary offers with these, through ``services/survey.answer_survey``, with the seeded ``rng``.
* ``load_demo_announcements(session)``: three announcements dated in the past, published through
  ``services/announcements.publish_announcement`` as the demo support admin.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.domain import survey_questions as questions
from portal_app.models import Announcement, User
from portal_app.services.announcements import publish_announcement
from portal_app.services.authz import Actor

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
