"""Review dashboard metrics against a hand-built set of orders whose figures are worked out here.

Each case below says what it is and what it should count as; the expected counts, shares and
percentiles are computed in the test from those cases (numpy's linear percentile is the same
interpolation as PostgreSQL's percentile_cont), not read back from the service.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy
import pytest
from sqlmodel import select

from portal_app.domain.enums import Role
from portal_app.models import Determination, HealthPlan, Member, Order, OrderLine, Practice, ReviewTask, User
from portal_app.services.authz import Actor, PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.metrics import DEFINITIONS, review_metrics, review_metrics_csv
from portal_app.services.outcomes import refresh_outcome
from tests.conftest import BACKENDS

pytestmark = [
    pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True),
    pytest.mark.usefixtures("demo_data"),
]

FROM, TO = date(2026, 3, 1), date(2026, 3, 31)
AS_OF = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


@dataclass
class Line:
    # (decision, decided_by, hours after submit) in the order they were recorded
    decisions: list[tuple[str, str, float]]
    current: str = ""  # the line's decision now (defaults to the last one recorded)


@dataclass
class Case:
    name: str
    plan: str
    program: str
    urgency: str
    submitted: datetime
    lines: list[Line]
    expect: str  # approved_by_rules, approved_after_review, denied, pending, withdrawn, excluded
    hours: float | None = None  # expected hours to the initial determination
    status: str = "in_progress"
    # (kind, created hours after submit, closed hours after submit or None, due hours after submit)
    tasks: list[tuple[str, float, float | None, float]] = field(default_factory=list)
    appealed: bool = False
    appeal_won: bool = False


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


RULES, NURSE, DOCTOR = "rules_engine", "nurse", "physician"
A, P, D, PA = "authorized", "pended", "non_authorized", "partially_authorized"

CASES = [
    Case(
        "rules approve at once",
        "EVG",
        "imaging",
        "standard",
        _at(2),
        [Line([(A, RULES, 0.1)])],
        "approved_by_rules",
        0.1,
        status="authorized",
    ),
    Case(
        "rules approve both lines",
        "EVG",
        "imaging",
        "standard",
        _at(3),
        [Line([(A, RULES, 0.2)]), Line([(A, RULES, 0.2)])],
        "approved_by_rules",
        0.2,
        status="authorized",
    ),
    Case(
        "nurse approves a pended line",
        "EVG",
        "imaging",
        "standard",
        _at(4),
        [Line([(P, RULES, 0.0), (A, NURSE, 30)])],
        "approved_after_review",
        30,
        status="authorized",
        tasks=[("initial", 0, 30, 168)],
    ),
    Case(
        "urgent denial overturned on appeal",
        "EVG",
        "imaging",
        "urgent",
        _at(5),
        [Line([(P, RULES, 0.0), (D, DOCTOR, 20), (A, DOCTOR, 100)])],
        "denied",
        20,
        status="authorized",
        tasks=[("initial", 0, 20, 72), ("appeal", 48, 100, 120)],
        appealed=True,
        appeal_won=True,
    ),
    Case(
        "denial upheld on appeal",
        "EVG",
        "imaging",
        "standard",
        _at(6),
        [Line([(P, RULES, 0.0), (D, DOCTOR, 50), (D, DOCTOR, 200)])],
        "denied",
        50,
        status="non_authorized",
        tasks=[("initial", 0, 50, 168), ("appeal", 60, 200, 780)],
        appealed=True,
    ),
    Case(
        "denial, no appeal",
        "EVG",
        "imaging",
        "standard",
        _at(7),
        [Line([(P, RULES, 0.0), (D, DOCTOR, 70)])],
        "denied",
        70,
        status="non_authorized",
        tasks=[("initial", 0, 70, 168)],
    ),
    Case(
        "still with the nurse, past due",
        "EVG",
        "imaging",
        "standard",
        _at(8),
        [Line([(P, RULES, 0.0)])],
        "pending",
        tasks=[("initial", 0, None, 168)],
    ),
    Case(
        "urgent, one line at once, one after review",
        "EVG",
        "imaging",
        "urgent",
        _at(9),
        [Line([(A, RULES, 0.0)]), Line([(P, RULES, 0.0), (A, NURSE, 10)])],
        "approved_after_review",
        10,
        status="authorized",
        tasks=[("initial", 0, 10, 72)],
    ),
    Case(
        "cancelled while pended",
        "EVG",
        "imaging",
        "standard",
        _at(10),
        [Line([(P, RULES, 0.0)], current="cancelled")],
        "withdrawn",
        status="voluntarily_cancelled",
        tasks=[("initial", 0, 5, 168)],
    ),
    Case(
        "notification only",
        "EVG",
        "imaging",
        "standard",
        _at(11),
        [Line([("notification_only", RULES, 0.0)])],
        "excluded",
        status="completed",
    ),
    Case(
        "urgent partial approval, then reconsidered",
        "EVG",
        "imaging",
        "urgent",
        _at(12),
        [Line([(P, RULES, 0.0), (PA, DOCTOR, 5), (A, DOCTOR, 40)])],
        "denied",
        5,
        status="authorized",
        tasks=[("initial", 0, 5, 72), ("reconsideration", 24, 40, 96)],
    ),
    Case(
        "submitted before the range, past due",
        "EVG",
        "imaging",
        "standard",
        datetime(2026, 2, 27, 9, 0, tzinfo=UTC),
        [Line([(P, RULES, 0.0)])],
        "out_of_range",
        tasks=[("initial", 0, None, 168)],
    ),
    Case(
        "one line approved, one denied",
        "EVG",
        "imaging",
        "standard",
        _at(13),
        [Line([(A, RULES, 0.0)]), Line([(P, RULES, 0.0), (D, DOCTOR, 90)])],
        "denied",
        90,
        status="multiple_decisions",
        tasks=[("initial", 0, 90, 168)],
    ),
    Case(
        "one line decided, one still pended",
        "EVG",
        "imaging",
        "standard",
        _at(31, 20),
        [Line([(A, RULES, 0.0)]), Line([(P, RULES, 0.0)])],
        "pending",
        tasks=[("initial", 0, None, 168)],
    ),
    Case(
        "rehab at once",
        "LKS",
        "rehabilitation",
        "standard",
        _at(14),
        [Line([(A, RULES, 0.5)])],
        "approved_by_rules",
        0.5,
        status="authorized",
    ),
    Case(
        "rehab after the nurse",
        "LKS",
        "rehabilitation",
        "standard",
        _at(15),
        [Line([(P, RULES, 0.0), (A, NURSE, 4)])],
        "approved_after_review",
        4,
        status="authorized",
        tasks=[("initial", 0, 4, 168)],
    ),
    Case(
        "urgent rehab denied",
        "LKS",
        "rehabilitation",
        "urgent",
        _at(16),
        [Line([(P, RULES, 0.0), (D, DOCTOR, 60)])],
        "denied",
        60,
        status="non_authorized",
        tasks=[("initial", 0, 60, 72)],
    ),
]
# The pending case submitted on the last evening has its task due after AS_OF: not past due.
PAST_DUE = {"still with the nurse, past due", "submitted before the range, past due"}


def _build(session) -> dict[str, int]:
    load_demo_data(session)
    plans = {p.code: p for p in session.exec(select(HealthPlan)).all()}
    user = session.exec(select(User).where(User.username == "ordering")).one()
    reviewer = session.exec(select(User).where(User.username == "physician")).one()
    practice = session.exec(select(Practice)).first()
    for n, spec in enumerate(CASES):
        plan = plans[spec.plan]
        member = session.exec(select(Member).where(Member.plan_id == plan.id)).first()
        order = Order(
            order_number=f"PCT{n:09d}",
            program=spec.program,
            plan_id=plan.id,
            member_id=member.id,
            practice_id=practice.id,
            status=spec.status,
            urgency=spec.urgency,
            submitted_at=spec.submitted,
            service_start=spec.submitted.date() + timedelta(days=10),
            created_by_id=user.id,
            updated_by_id=user.id,
        )
        session.add(order)
        session.flush()
        for number, line_spec in enumerate(spec.lines, start=1):
            current = line_spec.current or line_spec.decisions[-1][0]
            line = OrderLine(
                order_id=order.id,
                line_number=number,
                code_system="CPT",
                code=f"7{n:02d}{number:02d}",
                description="test service",
                quantity=2,
                decision=current,
            )
            session.add(line)
            session.flush()
            for decision, by, hours in line_spec.decisions:
                session.add(
                    Determination(
                        order_line_id=line.id,
                        decision=decision,
                        reason="test",
                        decided_by=by,
                        decided_by_user_id=None if by == RULES else reviewer.id,
                        decided_at=spec.submitted + timedelta(hours=hours),
                    )
                )
                session.flush()  # ids in the order the decisions were made
        for kind, created, closed, due in spec.tasks:
            session.add(
                ReviewTask.for_order(
                    order,
                    queue="physician" if kind != "initial" else "nurse",
                    kind=kind,
                    status="done" if closed is not None else "open",
                    created_at=spec.submitted + timedelta(hours=created),
                    closed_at=spec.submitted + timedelta(hours=closed) if closed is not None else None,
                    due_at=spec.submitted + timedelta(hours=due),
                )
            )
        # As the review services do after every decision and appeal.
        refresh_outcome(session, order)
    session.commit()
    return {code: plan.id for code, plan in plans.items()}


def _actor(session, username: str) -> Actor:
    user = session.exec(select(User).where(User.username == username)).one()
    return Actor(user_id=user.id, role=Role(user.role), full_name=user.full_name)


def _expected(cases: list[Case]) -> dict:
    counted = [c for c in cases if c.expect not in ("excluded", "out_of_range")]
    return {
        outcome: sum(1 for c in counted if c.expect == outcome)
        for outcome in ("approved_by_rules", "approved_after_review", "denied", "pending", "withdrawn")
    } | {
        "requests": len(counted),
        "appealed": sum(c.appealed for c in counted),
        "approved_after_appeal": sum(c.appeal_won for c in counted),
    }


def _row_counts(row) -> dict:
    return {
        name: getattr(row, name)
        for name in (
            "requests",
            "approved_by_rules",
            "approved_after_review",
            "denied",
            "pending",
            "withdrawn",
            "appealed",
            "approved_after_appeal",
        )
    }


def test_counts_shares_and_percentiles_match_the_hand_built_cases(session):
    _build(session)
    metrics = review_metrics(session, actor=_actor(session, "nurse"), date_from=FROM, date_to=TO, as_of=AS_OF)

    imaging = [c for c in CASES if c.program == "imaging"]
    rehab = [c for c in CASES if c.program == "rehabilitation"]
    assert [(r.program, r.plan_name) for r in metrics.rows] == [
        ("imaging", "Evergreen Mutual Health (demo)"),
        ("rehabilitation", "Lakeshore Community Care (demo)"),
    ]
    assert _row_counts(metrics.rows[0]) == _expected(imaging)
    assert _row_counts(metrics.rows[1]) == _expected(rehab)
    assert _row_counts(metrics.totals) == _expected(CASES)
    # Spelled out once, so a wrong expectation above cannot hide: 15 requests, 6 approved, 6 denied.
    assert (metrics.totals.requests, metrics.totals.approved, metrics.totals.denied) == (15, 6, 6)

    decided = [c for c in CASES if c.expect in ("approved_by_rules", "approved_after_review", "denied")]
    approved = [c for c in decided if c.expect != "denied"]
    appealed = [c for c in decided if c.appealed]
    assert metrics.percent_approved == round(100 * len(approved) / len(decided), 1) == 50.0
    assert metrics.percent_denied == round(100 * (len(decided) - len(approved)) / len(decided), 1) == 50.0
    assert (
        metrics.percent_approved_after_appeal
        == round(100 * sum(c.appeal_won for c in appealed) / len(appealed), 1)
        == 50.0
    )

    for figures, urgency in ((metrics.urgent, "urgent"), (metrics.standard, "standard")):
        hours = sorted(c.hours for c in decided if c.urgency == urgency)
        mine = [c for c in decided if c.urgency == urgency]
        assert figures.decided == len(mine)
        assert figures.approved == sum(c.expect != "denied" for c in mine)
        assert figures.percent_denied == round(100 * sum(c.expect == "denied" for c in mine) / len(mine), 1)
        assert figures.median_hours == pytest.approx(statistics.median(hours), abs=0.01)
        assert figures.p90_hours == pytest.approx(float(numpy.percentile(hours, 90)), abs=0.01)
        assert figures.mean_hours == pytest.approx(statistics.fmean(hours), abs=0.01)
    # The same, by hand: standard [0.1, 0.2, 0.5, 4, 30, 50, 70, 90], urgent [5, 10, 20, 60].
    assert (metrics.standard.median_hours, metrics.standard.p90_hours) == (
        pytest.approx(17),
        pytest.approx(76),
    )
    assert (metrics.urgent.median_hours, metrics.urgent.p90_hours) == (pytest.approx(15), pytest.approx(48))
    assert metrics.urgent.percent_approved_after_appeal == 100.0
    assert metrics.standard.percent_approved_after_appeal == 0.0

    assert metrics.past_due == len(PAST_DUE) == 2
    assert [term for term, _ in metrics.definitions] == [term for term, _ in DEFINITIONS]
    assert any("422.122(c)" in text and "156.223(c)" in text for _, text in metrics.definitions)


def test_filters_by_program_and_plan(session):
    plan_ids = _build(session)
    actor = _actor(session, "physician")
    rehab = review_metrics(
        session, actor=actor, date_from=FROM, date_to=TO, program="rehabilitation", as_of=AS_OF
    )
    assert [r.program for r in rehab.rows] == ["rehabilitation"]
    assert rehab.totals.requests == 3 and rehab.past_due == 0
    assert rehab.standard.median_hours == pytest.approx(2.25)  # 0.5 and 4 hours

    evergreen = review_metrics(
        session, actor=actor, date_from=FROM, date_to=TO, plan_id=plan_ids["EVG"], as_of=AS_OF
    )
    assert [r.plan_name for r in evergreen.rows] == ["Evergreen Mutual Health (demo)"]
    assert evergreen.totals.requests == 12 and evergreen.past_due == 2

    one_day = review_metrics(
        session, actor=actor, date_from=date(2026, 3, 31), date_to=date(2026, 3, 31), as_of=AS_OF
    )
    assert (one_day.totals.requests, one_day.totals.pending) == (1, 1)
    assert one_day.percent_approved is None and one_day.standard.median_hours is None


def test_nothing_in_range_gives_zeros_not_errors(session):
    _build(session)
    metrics = review_metrics(
        session,
        actor=_actor(session, "support"),
        date_from=date(2025, 1, 1),
        date_to=date(2025, 1, 31),
        as_of=AS_OF,
    )
    assert metrics.rows == () and metrics.totals.requests == 0
    assert metrics.percent_denied is None and metrics.urgent.p90_hours is None


@pytest.mark.parametrize("username", ["ordering", "servicing"])
def test_provider_office_staff_may_not_read_metrics(session, username):
    load_demo_data(session)
    with pytest.raises(PermissionDenied):
        review_metrics(session, actor=_actor(session, username), date_from=FROM, date_to=TO)


def test_csv_export_has_the_rows_totals_and_definitions(session):
    _build(session)
    metrics = review_metrics(session, actor=_actor(session, "nurse"), date_from=FROM, date_to=TO, as_of=AS_OF)
    rows = list(csv.reader(io.StringIO(review_metrics_csv(metrics))))
    header = rows.index(
        [
            "Program",
            "Plan",
            "Requests",
            "Approved at once by the rules engine",
            "Approved after review",
            "Denied",
            "Appealed",
            "Approved after appeal",
            "Pending",
            "Withdrawn",
        ]
    )
    assert rows[header + 1][:3] == [
        "Radiology and cardiology imaging",
        "Evergreen Mutual Health (demo)",
        "12",
    ]
    assert rows[header + 3] == ["All programs", "All plans", "15", "3", "3", "6", "2", "1", "2", "1"]
    standard = next(r for r in rows if r and r[0] == "Standard")
    assert standard[5:] == ["30.6", "17", "76"]
    assert ["Review tasks past due", "2"] in rows
    assert rows[-1][0] == DEFINITIONS[-1][0]
