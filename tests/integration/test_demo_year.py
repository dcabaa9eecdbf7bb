"""The demo's year of history (services/demo_year.py): requests in several programs made by the
services (rules engine, nurse, physician, peer-to-peer, appeal, cancellation) at moments spread over
the year, once; and the review dashboard's figures are no longer empty on it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from portal_app.db import make_engine
from portal_app.domain.enums import DecidedBy, LineDecision, OrderStatus, PeerToPeerStatus, TaskKind
from portal_app.models import (
    AuditEvent,
    Determination,
    Notice,
    Order,
    OrderLine,
    OutboxFax,
    PeerToPeerAppointment,
    ReviewTask,
    User,
)
from portal_app.services import demo_year, metrics, survey
from portal_app.services.demo_cases import DEMO_ORDERS, demo_order_number
from portal_app.services.demo_data import load_demo_data
from portal_app.services.demo_year import MARKER, history_window, is_loaded, load_demo_year
from portal_app.services.order_submission import submit_order
from tests.conftest import BACKENDS, SEEDED, _copy_sqlite, _scratch_postgres_database
from tests.integration.order_helpers import actor_for

SIZE = 50
NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture
def year(session, demo_data):
    load_demo_data(session)
    added = load_demo_year(session, size=SIZE, now=NOW)
    return session, added


def test_the_year_is_made_through_the_services_across_programs_and_outcomes(year):
    session, added = year
    assert added == SIZE
    submitted = session.exec(select(Order).where(col(Order.submitted_at).is_not(None))).all()
    cases = {demo_order_number(o) for o in DEMO_ORDERS}  # the two demo cases, submitted on the seed's day
    history = [
        o
        for o in submitted
        if _aware(o.submitted_at) >= datetime(2026, 1, 1, tzinfo=UTC) and o.order_number not in cases
    ]
    assert len(history) == SIZE
    start, end = history_window(NOW)
    assert all(start <= _aware(o.submitted_at) < end for o in history)
    assert len({_aware(o.submitted_at).month for o in history}) >= 8  # spread over the year
    assert {o.program for o in history} >= {"imaging", "musculoskeletal", "rehabilitation", "sleep"}
    statuses = {OrderStatus(o.status) for o in history}
    assert {OrderStatus.AUTHORIZED, OrderStatus.NON_AUTHORIZED, OrderStatus.VOLUNTARILY_CANCELLED} <= statuses

    # Every request went through the wizard's steps and submit, by an office user, at its moment.
    submits = session.exec(select(AuditEvent).where(AuditEvent.action == "order.submitted")).all()
    by_order = {int(event.record_id): event for event in submits}
    office_ids = {actor_for(session, name).user_id for name in ("ordering", "ordering2")}
    for order in history:
        event = by_order[order.id]
        assert event.user_id in office_ids and order.created_by_id == event.user_id
        assert abs(_aware(event.occurred_at) - _aware(order.submitted_at)) < timedelta(seconds=1)
        assert order.order_number.startswith("PC2026")

    # The rules engine decided at once where the guideline was met, reviewers the rest.
    decided_by = {d.decided_by for d in session.exec(select(Determination)).all()}
    assert {DecidedBy.RULES_ENGINE, DecidedBy.NURSE, DecidedBy.PHYSICIAN} <= decided_by
    for action in (
        "review.claimed",
        "review.approved",
        "review.escalated",
        "review.peer_to_peer_offered",
        "order.peer_to_peer_scheduled",
        "review.peer_to_peer_recorded",
        "review.denied",
        "order.appeal_filed",
        "order.cancelled",
        "review.information_requested",
        "letter.created",
    ):
        assert session.exec(select(AuditEvent.id).where(AuditEvent.action == action)).first(), action

    # A denial rests on a named criterion of the guideline and says why in plain words.
    denials = session.exec(
        select(Determination).where(
            Determination.decision == LineDecision.NON_AUTHORIZED,
            Determination.decided_by == DecidedBy.PHYSICIAN,
        )
    ).all()
    assert denials and all(d.reason_code not in ("", "other") and len(d.reason) > 60 for d in denials)
    assert session.exec(
        select(PeerToPeerAppointment.id).where(PeerToPeerAppointment.status == PeerToPeerStatus.COMPLETED)
    ).first()

    # Appeals are decided by the second physician, never by the one who denied.
    appeals = session.exec(select(ReviewTask).where(ReviewTask.kind == TaskKind.APPEAL)).all()
    assert appeals
    appeals_physician = actor_for(session, "appeals").user_id
    for task in appeals:
        if task.closed_at is not None:
            assert task.assignee_id == appeals_physician != task.excluded_reviewer_id


def test_the_offices_are_left_as_they_were_and_their_fax_numbers_confirmed(year):
    session, _ = year
    preferences = {u.username: u.email_preference for u in session.exec(select(User)).all()}
    assert preferences["ordering"] == preferences["ordering2"] == "immediately"
    cutoff = history_window(NOW)[1] - timedelta(days=7)
    unread = session.exec(select(Notice).where(col(Notice.read_at).is_(None))).all()
    assert all(_aware(n.created_at) >= cutoff for n in unread)
    # Letters' fax copies go out: the offices confirmed their numbers through the fax services.
    held = session.exec(select(func.count()).select_from(OutboxFax).where(OutboxFax.status == "held")).one()
    assert held == 0
    assert session.exec(
        select(func.count()).select_from(OutboxFax).where(OutboxFax.status == "released")
    ).one()


def test_a_second_seed_adds_nothing(year):
    session, _ = year
    counts = [
        session.exec(select(func.count()).select_from(table)).one()
        for table in (Order, OrderLine, AuditEvent)
    ]
    assert is_loaded(session)
    assert load_demo_year(session, size=SIZE, now=NOW) == 0
    again = [
        session.exec(select(func.count()).select_from(table)).one()
        for table in (Order, OrderLine, AuditEvent)
    ]
    assert again == counts
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == MARKER)).all()) == 1


def test_the_dashboard_shows_the_year(year):
    session, _ = year
    figures = metrics.review_metrics(
        session,
        actor=actor_for(session, "nurse"),
        date_from=date(2026, 1, 1),
        date_to=NOW.date(),
        as_of=NOW,
    )
    totals = figures.totals
    assert totals.requests >= SIZE - 5  # notification-only requests are not counted
    assert totals.approved_by_rules > 0 and totals.approved_after_review > 0 and totals.denied > 0
    assert totals.withdrawn > 0 and totals.appealed > 0
    assert len({row.program for row in figures.rows}) >= 4
    assert figures.percent_approved is not None and 0 < figures.percent_approved < 100
    answers = survey.survey_results(
        session, actor=actor_for(session, "nurse"), date_from=date(2026, 1, 1), date_to=NOW.date()
    )
    assert answers.answered > 0 and answers.nps.score is not None
    # Most requests are decided at once (0 hours); the reviewed ones take hours to days.
    assert figures.standard.mean_hours and figures.standard.p90_hours and figures.standard.p90_hours > 24


def test_size_zero_and_a_year_not_begun_add_nothing(session, demo_data):
    load_demo_data(session)
    assert load_demo_year(session, size=0, now=NOW) == 0
    assert load_demo_year(session, size=SIZE, now=datetime(2026, 1, 1, 12, tzinfo=UTC)) == 0
    assert not is_loaded(session)
    assert session.exec(select(func.count()).select_from(Order)).one() == 2  # the two demo cases


class _Stopped(Exception):
    """The seed stopped part-way (in real life: Ctrl-C, a crash, a killed process)."""


def _outcome_mix(session) -> tuple[Counter, dict]:
    orders = session.exec(select(Order).where(col(Order.submitted_at).is_not(None))).all()
    cases = {demo_order_number(o) for o in DEMO_ORDERS}
    mix = Counter((o.program, o.status) for o in orders if o.order_number not in cases)
    marker = session.exec(select(AuditEvent).where(AuditEvent.action == MARKER)).one()
    return mix, marker.detail


@pytest.fixture
def uninterrupted_mix(request, tmp_path, database_templates) -> Iterator[tuple[Counter, dict]]:
    """The year of an uninterrupted seed, made in a second database of the same backend."""
    backend = request.node.callspec.params.get("empty_db_url", "sqlite")
    template = database_templates.template(backend, SEEDED)
    if backend == "sqlite":
        _copy_sqlite(template.removeprefix("sqlite:///"), tmp_path / "reference.db")
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'reference.db'}"])
    else:
        urls = _scratch_postgres_database(template=template.rpartition("/")[2])
    url = next(urls)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        load_demo_year(session, size=SIZE, now=NOW)
        yield _outcome_mix(session)
    engine.dispose()
    next(urls, None)  # PostgreSQL: drops the database


def test_a_seed_stopped_part_way_leaves_nothing_and_the_next_makes_the_whole_year(
    session, demo_data, monkeypatch, uninterrupted_mix
):
    preferences = {u.username: u.email_preference for u in session.exec(select(User)).all()}
    submitted = []

    def stops_after_twenty(*args, **kwargs):
        if len(submitted) == 20:
            raise _Stopped
        result = submit_order(*args, **kwargs)
        submitted.append(result)
        return result

    monkeypatch.setattr(demo_year, "submit_order", stops_after_twenty)
    with pytest.raises(_Stopped):
        load_demo_year(session, size=SIZE, now=NOW)
    assert len(submitted) == 20
    session.expire_all()
    assert not is_loaded(session)
    assert session.exec(select(func.count()).select_from(Order)).one() == 2  # the two demo cases only
    assert {u.username: u.email_preference for u in session.exec(select(User)).all()} == preferences

    monkeypatch.undo()
    assert load_demo_year(session, size=SIZE, now=NOW) == SIZE
    assert _outcome_mix(session) == uninterrupted_mix
