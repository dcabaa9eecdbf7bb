"""The short satisfaction survey after a submitted request, and its results for the review dashboard.

The rules, in one place:

* **Who and when.** The survey is offered on the order summary to the ordering-office user who
  entered the request, within ``OFFER_HOURS`` of its submission (it asks about the request just
  sent, not about an old one looked up later). Permission ``survey.answer``.
* **At most once per user per calendar month (UTC).** The first time it is shown, a row is kept
  for the user and the month (status ``asked``); from then on it is not offered again that month,
  whether it was answered, dismissed with "Not now" or left alone. Reloading the same order's page
  while the survey is still open shows the same survey again; it is not a new offer. The database
  enforces one row per user and month, so two tabs cannot ask twice.
* **The answer.** The seeds' questions (``domain/survey_questions.QUESTIONS``: likelihood to
  recommend from 0 to 10, easy to do business with, main reason for the visit, resolved, contacted
  more than once, overall satisfaction), each optional, and an optional comment of at most
  ``COMMENT_MAX`` characters; at least one answer or a comment, or "Not now".
* **Results** (permission ``survey.read_results``: reviewers and support admins, the dashboard's
  readers): the surveys offered in a date range (UTC, both days included), optionally for one
  program and plan (the order's): how many were offered, answered, dismissed and still open; the
  Net Promoter Score with its promoter / passive / detractor split, each question's distribution,
  computed in the database (counts) and the domain (shares); the most recent comments, without names.

Offering, answering, dismissing and reading results are audited.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain import survey_questions as questions
from portal_app.domain.csv_cells import safe_cell
from portal_app.domain.enums import AuditOutcome, Program
from portal_app.models import Order, SatisfactionSurvey, SatisfactionSurveyAnswer
from portal_app.models.base import id_of
from portal_app.models.survey import SurveyStatus
from portal_app.services import audit
from portal_app.services.authz import Actor, require

OFFER_HOURS = 24
COMMENT_MAX = 1000
RECENT_COMMENTS = 10
EXPORT_COMMENTS = 1000
MAX_RANGE_DAYS = 3 * 366

DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Offered",
        "Surveys shown to an ordering office after a submitted request, counted by the day shown "
        "(UTC). Each user is asked at most once a calendar month.",
    ),
    (
        "Answered",
        "Offered surveys sent back with at least one answer or a comment (every question is optional).",
    ),
    ("Not now", "Offered surveys the user dismissed without answering."),
    ("No answer yet", "Offered surveys neither answered nor dismissed."),
    (
        "Net Promoter Score (NPS)",
        "From the 0 to 10 answers to the likelihood to recommend: promoters answer 9 or 10, passives 7 "
        "or 8, detractors 0 to 6. NPS is the percent of promoters minus the percent of detractors "
        "(from -100 to 100); blank when nobody answered that question.",
    ),
    ("Share", "Each answer's share of the people who answered that question."),
)


class SurveyRefused(ValueError):
    """The answer cannot be recorded; the message says why, in plain words."""


@dataclass(frozen=True)
class SurveyOffer:
    survey_id: int
    order_number: str


@dataclass(frozen=True)
class SurveyComment:
    offered_on: date
    program_label: str
    text: str


@dataclass(frozen=True)
class SurveyResults:
    date_from: date
    date_to: date
    program: str
    plan_id: int
    offered: int
    answered: int
    dismissed: int
    open: int
    nps: questions.Nps
    questions: tuple[questions.QuestionResult, ...]  # in the survey's order
    comments: tuple[SurveyComment, ...]  # newest first
    definitions: tuple[tuple[str, str], ...] = DEFINITIONS


def aware(moment: datetime) -> datetime:
    """SQLite gives back naive timestamps; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def period_of(moment: datetime) -> str:
    """The calendar month (UTC) of a moment, as stored: ``"2026-11"``."""
    moment = aware(moment)
    return f"{moment.year:04d}-{moment.month:02d}"


def parse_answers(raw: object) -> dict[str, str]:
    """The answers given, by question code (blanks dropped), or SurveyRefused for a value that is no
    answer offered."""
    if not isinstance(raw, dict):
        return {}
    try:
        return questions.clean_answers(raw)
    except questions.InvalidAnswer as problem:
        raise SurveyRefused(str(problem)) from None


def clean_comment(value: object) -> str:
    """The comment with its spacing tidied, or SurveyRefused when it is too long."""
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if len(text) > COMMENT_MAX:
        raise SurveyRefused(f"Shorten the comment to {COMMENT_MAX} characters.")
    return text


def offer_survey(
    session: Session, *, actor: Actor, order_number: str, now: datetime | None = None
) -> SurveyOffer | None:
    """The survey to show on this order's summary, or None (see the rules in the module docstring)."""
    number = (order_number or "").strip().upper()[:20]
    require(session, actor, "survey.answer", record=f"order:{number}")
    now = aware(now or clock.now())
    order = session.exec(select(Order).where(Order.order_number == number)).first() if number else None
    if (
        order is None
        or order.submitted_at is None
        or order.created_by_id != actor.user_id
        or order.practice_id not in actor.practice_ids
        or now - aware(order.submitted_at) > timedelta(hours=OFFER_HOURS)
    ):
        return None
    period = period_of(now)
    existing = session.exec(
        select(SatisfactionSurvey).where(
            SatisfactionSurvey.user_id == actor.user_id, SatisfactionSurvey.period == period
        )
    ).first()
    if existing is not None:
        same_open_offer = existing.status == SurveyStatus.ASKED and existing.order_id == order.id
        return SurveyOffer(id_of(existing), number) if same_open_offer else None
    survey = SatisfactionSurvey(
        user_id=actor.user_id,
        period=period,
        order_id=id_of(order),
        practice_id=order.practice_id,
        program=order.program,
        plan_id=order.plan_id,
        asked_at=now,
    )
    session.add(survey)
    try:
        session.flush()
    except IntegrityError:  # the same user in another tab, a moment earlier
        session.rollback()
        return None
    audit.record(
        session,
        action="survey.asked",
        user_id=actor.user_id,
        record_type="satisfaction_survey",
        record_id=id_of(survey),
        client_address=actor.client_address,
        detail={"order_number": number},
    )
    session.commit()
    return SurveyOffer(id_of(survey), number)


def _open_survey(session: Session, actor: Actor, survey_id: object, action: str) -> SatisfactionSurvey:
    survey = session.get(SatisfactionSurvey, survey_id) if isinstance(survey_id, int) else None
    if survey is not None and survey.user_id != actor.user_id:
        audit.record(
            session,
            action=f"{action}_denied",
            user_id=actor.user_id,
            record_type="satisfaction_survey",
            record_id=id_of(survey),
            outcome=AuditOutcome.DENIED,
            client_address=actor.client_address,
        )
        session.commit()
        survey = None
    if survey is None or survey.status != SurveyStatus.ASKED:
        raise SurveyRefused("This survey is no longer open.")
    return survey


def answer_survey(
    session: Session,
    *,
    actor: Actor,
    survey_id: int,
    answers: object,
    comment: object = "",
    now: datetime | None = None,
) -> None:
    """Record the user's answers (``{question code: value}``, each optional) to their open survey."""
    require(session, actor, "survey.answer", record=f"satisfaction_survey:{survey_id}")
    given, text = parse_answers(answers), clean_comment(comment)
    if not given and not text:
        raise SurveyRefused('Answer at least one question, or choose "Not now".')
    survey = _open_survey(session, actor, survey_id, "survey.answer")
    survey.status, survey.comment = SurveyStatus.ANSWERED, text
    survey.answered_at = aware(now or clock.now())
    session.add(survey)
    for code, value in given.items():
        session.add(SatisfactionSurveyAnswer(survey_id=id_of(survey), question=code, value=value))
    audit.record(
        session,
        action="survey.answered",
        user_id=actor.user_id,
        record_type="satisfaction_survey",
        record_id=id_of(survey),
        client_address=actor.client_address,
        detail={"questions": sorted(given), "with_comment": bool(text)},
    )
    session.commit()


def dismiss_survey(session: Session, *, actor: Actor, survey_id: int, now: datetime | None = None) -> None:
    """ "Not now": close the user's open survey without an answer (it is not asked again this month)."""
    require(session, actor, "survey.answer", record=f"satisfaction_survey:{survey_id}")
    survey = _open_survey(session, actor, survey_id, "survey.dismiss")
    survey.status, survey.answered_at = SurveyStatus.DISMISSED, aware(now or clock.now())
    session.add(survey)
    audit.record(
        session,
        action="survey.dismissed",
        user_id=actor.user_id,
        record_type="satisfaction_survey",
        record_id=id_of(survey),
        client_address=actor.client_address,
    )
    session.commit()


def _program_label(code: str) -> str:
    try:
        return Program(code).label
    except ValueError:
        return code


def _answer_counts(session: Session, where: list) -> dict[str, dict[str, int]]:
    """How many answered surveys chose each value of each question: one grouped query."""
    s, a = SatisfactionSurvey, SatisfactionSurveyAnswer
    rows = session.exec(
        select(a.question, a.value, func.count())
        .join(s, col(s.id) == col(a.survey_id))
        .where(*where, s.status == SurveyStatus.ANSWERED)
        .group_by(col(a.question), col(a.value))
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for question, value, how_many in rows:
        counts.setdefault(question, {})[value] = int(how_many)
    return counts


def _nps_of(counts: dict[str, int]) -> questions.Nps:
    return questions.nps(
        {int(value): n for value, n in counts.items() if value.isdigit() and int(value) <= 10}
    )


def survey_results(
    session: Session,
    *,
    actor: Actor,
    date_from: date,
    date_to: date,
    program: str = "",
    plan_id: int = 0,
    comment_limit: int = RECENT_COMMENTS,
) -> SurveyResults:
    """The surveys offered from ``date_from`` to ``date_to`` (both included, UTC), for the dashboard."""
    require(session, actor, "survey.read_results", record="survey_results")
    if date_to < date_from:
        raise ValueError("The end date is before the start date.")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise ValueError("Choose at most three years at a time.")
    if program and program not in {p.value for p in Program}:
        raise ValueError(f"Unknown program {program!r}.")
    s = SatisfactionSurvey
    start = datetime.combine(date_from, time.min, UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, UTC)
    where = [s.asked_at >= start, s.asked_at < end]
    if program:
        where.append(s.program == program)
    if plan_id:
        where.append(s.plan_id == plan_id)
    by_status = dict(session.exec(select(s.status, func.count()).where(*where).group_by(s.status)).all())
    counts = _answer_counts(session, where)
    comments = session.exec(
        select(s.asked_at, s.program, s.comment)
        .where(*where, s.status == SurveyStatus.ANSWERED, s.comment != "")
        .order_by(col(s.asked_at).desc(), col(s.id).desc())
        .limit(max(0, int(comment_limit)))
    ).all()
    results = SurveyResults(
        date_from=date_from,
        date_to=date_to,
        program=program,
        plan_id=plan_id,
        offered=sum(int(n) for n in by_status.values()),
        answered=int(by_status.get(SurveyStatus.ANSWERED, 0)),
        dismissed=int(by_status.get(SurveyStatus.DISMISSED, 0)),
        open=int(by_status.get(SurveyStatus.ASKED, 0)),
        nps=_nps_of(counts.get(questions.RECOMMEND, {})),
        questions=tuple(questions.distribution(q, counts.get(q.code, {})) for q in questions.QUESTIONS),
        comments=tuple(
            SurveyComment(aware(at).date(), _program_label(code), text) for at, code, text in comments
        ),
    )
    audit.record(
        session,
        action="survey.results_read",
        user_id=actor.user_id,
        client_address=actor.client_address,
        detail={
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "program": program,
            "plan_id": plan_id,
        },
    )
    session.commit()
    return results


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def survey_results_csv(results: SurveyResults) -> str:
    """The survey results as a CSV section: counts, the NPS, each question's answers, the comments."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["Satisfaction survey", f"offered {results.date_from.isoformat()} to {results.date_to.isoformat()}"]
    )
    writer.writerow([])
    writer.writerow(["Offered", "Answered", "Not now", "No answer yet"])
    writer.writerow([results.offered, results.answered, results.dismissed, results.open])
    writer.writerow([])
    score = results.nps
    writer.writerow(["NPS", "Answers", "Promoters", "Passives", "Detractors"])
    writer.writerow(
        [
            _number(score.score),
            score.answers,
            f"{score.promoters} ({_number(score.percent_promoters)} %)" if score.answers else "0",
            f"{score.passives} ({_number(score.percent_passives)} %)" if score.answers else "0",
            f"{score.detractors} ({_number(score.percent_detractors)} %)" if score.answers else "0",
        ]
    )
    writer.writerow([])
    writer.writerow(["Question", "Answer", "Answers", "Percent of answers"])
    for question in results.questions:
        for choice in question.choices:
            writer.writerow([question.text, choice.label, choice.answers, _number(choice.percent)])
    writer.writerow([])
    writer.writerow(["Offered on", "Program", "Comment"])
    for comment in results.comments:
        writer.writerow([comment.offered_on.isoformat(), comment.program_label, safe_cell(comment.text)])
    writer.writerow([])
    writer.writerow(["Term", "Definition"])
    for term, text in results.definitions:
        writer.writerow([term, text])
    return out.getvalue()
