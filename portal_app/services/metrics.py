"""Review dashboard metrics, defined as CMS-0057-F defines the prior-authorization metrics payers publish.

Every figure is computed by the database (GROUP BY and window functions, the same SQL on SQLite and
PostgreSQL) from the orders' outcome columns alone; Python only adds up the handful of grouped rows
and interpolates two percentiles from at most four values. See ``DEFINITIONS`` for what each number
means and where the definition comes from; the dashboard shows them beside the figures.

One request is one order; its initial determination is defined in ``portal_app.domain.outcomes``
and kept on the order by ``portal_app.services.outcomes`` whenever a decision or an appeal is
recorded, so a dashboard over a million orders reads one index.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, null, select, text, union_all
from sqlmodel import Session

from portal_app import clock
from portal_app.domain import outcomes
from portal_app.domain.enums import OrderStatus, Program, TaskStatus, Urgency
from portal_app.models import HealthPlan, Order, OrderClock, ReviewTask
from portal_app.services import audit
from portal_app.services.authz import Actor, require

# The rule text as summarised in shared/domain/prior-auth-standards.md §2 ("Annual public metrics"),
# and the sections that carry it for each kind of payer.
RULE = "CMS-0057-F (89 FR 8758, Jan 17 2024)"
RULE_SECTIONS = "42 CFR 422.122(c), 438.210(f), 440.230(e)(3), 457.732(c), 457.1230(d); 45 CFR 156.223(c)"

_ORDERS = Order.__table__
_TASKS = ReviewTask.__table__
_PLANS = HealthPlan.__table__

_OPEN_TASKS = (TaskStatus.OPEN.value, TaskStatus.CLAIMED.value)
_WITHDRAWN = (
    OrderStatus.VOLUNTARILY_CANCELLED.value,
    OrderStatus.NOT_REVIEWED_ERROR_ENTRY.value,
    OrderStatus.VOLUNTARILY_WITHDRAWN.value,
)

# The outcome of one request (computed in SQL).
APPROVED_BY_RULES = outcomes.APPROVED_BY_RULES
APPROVED_AFTER_REVIEW = outcomes.APPROVED_AFTER_REVIEW
DENIED = outcomes.DENIED
PENDING = "pending"
WITHDRAWN = "withdrawn"

DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Request",
        "One submitted order, counted by the date it was submitted (from the first to the last day chosen, "
        "UTC). Lines that are notification only need no prior authorization and are left out; an order with "
        f"only such lines is not counted. {RULE} counts prior-authorization requests for items and services "
        f"other than drugs ({RULE_SECTIONS}).",
    ),
    (
        "Initial determination",
        "For each line, its first decision other than pended; the request is decided when every line has "
        "one, at the time of the last of them. Reconsiderations and appeals come later and do not change "
        "it.",
    ),
    (
        "Approved at once by the rules engine",
        "Decided requests whose every line the rules engine approved at submission, with no reviewer "
        "involved.",
    ),
    (
        "Approved after review",
        "Decided requests with every line approved in full, at least one of them by a nurse or physician "
        "reviewer.",
    ),
    (
        "Denied",
        "Decided requests with at least one line denied or approved for fewer units than asked (denied in "
        "whole or in part): the decisions that carry reconsideration and appeal rights.",
    ),
    (
        "Approved after appeal",
        "Denied requests with an appeal (a review task of kind appeal) for which an approval of any line "
        "was recorded after the appeal was filed. A reconsideration by our physician reviewer (within 10 "
        "calendar days of the denial, program FAQ) is not an appeal under the rule and is not counted here.",
    ),
    ("Pending", "Requests not yet decided and not withdrawn."),
    (
        "Withdrawn",
        "Requests cancelled, withdrawn or marked entered in error before they were decided; left out "
        "of every percentage.",
    ),
    (
        "Percent approved",
        f"Approved (at once or after review) out of decided requests (approved plus denied). {RULE} metric: "
        f"percentage of prior authorization requests approved, reported for standard and expedited requests "
        f"separately ({RULE_SECTIONS}); the overall figure covers both.",
    ),
    (
        "Percent denied",
        f"Denied out of decided requests. {RULE} metric: percentage of requests denied, standard and "
        f"expedited separately ({RULE_SECTIONS}).",
    ),
    (
        "Percent approved after appeal",
        f"Approved after appeal out of denied requests that were appealed. {RULE} metric: percentage of "
        f"requests approved after appeal ({RULE_SECTIONS}).",
    ),
    (
        "Approved after an extended review time frame",
        "Decided requests whose decision time a reviewer extended, where the request's clock rule allows it "
        "(for example up to 14 calendar days for Medicare Advantage, 42 CFR 422.568(b)(1)(i)), and that were "
        f"approved; the percentage is out of decided requests. {RULE} metric: percentage of requests "
        f"approved after the timeframe for review was extended ({RULE_SECTIONS}). Extended reviews are also "
        "counted whatever their outcome.",
    ),
    (
        "Hours from submit to decision",
        "From the order's submission to its initial determination, over decided requests, separately for "
        f"expedited (urgent) and standard requests. {RULE} requires the average and the median "
        f"({RULE_SECTIONS}); we also show the 90th percentile. Median and 90th percentile interpolate "
        "linearly between the two nearest values (as PostgreSQL's percentile_cont does). The rule's "
        "decision time frames are 72 hours for expedited and 7 calendar days for standard requests (42 CFR "
        "422.568, 422.572 as amended).",
    ),
    (
        "Past due",
        "Review tasks still open (not closed) whose due time has passed, as of the moment the dashboard was "
        "computed, for the chosen program and plan whatever the dates chosen. Not a CMS-0057-F metric: our "
        "own work measure.",
    ),
)


@dataclass(frozen=True)
class MetricsRow:
    """Counts for one program and plan (or, with empty program, for everything chosen)."""

    program: str  # the program code; "" for the totals row
    program_label: str
    plan_id: int
    plan_name: str
    requests: int
    approved_by_rules: int
    approved_after_review: int
    denied: int
    appealed: int
    approved_after_appeal: int
    pending: int
    withdrawn: int

    @property
    def approved(self) -> int:
        return self.approved_by_rules + self.approved_after_review

    @property
    def decided(self) -> int:
        return self.approved + self.denied


@dataclass(frozen=True)
class UrgencyFigures:
    """Shares and decision times for expedited (urgent) or for standard requests."""

    urgency: str  # "urgent" or "standard"
    label: str
    decided: int
    approved: int
    denied: int
    appealed: int
    approved_after_appeal: int
    percent_approved: float | None
    percent_denied: float | None
    percent_approved_after_appeal: float | None
    mean_hours: float | None
    median_hours: float | None
    p90_hours: float | None
    # Decided requests whose review time frame was extended (services/decision_clocks.py), and those
    # of them approved: CMS-0057-F's "approved after the timeframe for review was extended".
    extended: int = 0
    approved_after_extension: int = 0
    percent_approved_after_extension: float | None = None


@dataclass(frozen=True)
class ReviewMetrics:
    date_from: date
    date_to: date
    program: str
    plan_id: int
    as_of: datetime
    rows: tuple[MetricsRow, ...]
    totals: MetricsRow
    percent_approved: float | None
    percent_denied: float | None
    percent_approved_after_appeal: float | None
    urgent: UrgencyFigures
    standard: UrgencyFigures
    past_due: int
    definitions: tuple[tuple[str, str], ...] = DEFINITIONS
    # Offices' requests while a case pended, asked for in the chosen dates (issue 18).
    live_reviews: int = 0
    call_backs: int = 0
    extended: int = 0
    approved_after_extension: int = 0
    percent_approved_after_extension: float | None = None


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _per_order(start: datetime, end: datetime, program: str, plan_id: int):
    """One row per counted request: program, plan, urgency, outcome, hours to decision, appeal flags.

    Each order carries its initial determination (domain/outcomes.py, kept by services/outcomes.py);
    an undecided order counts as withdrawn when it was cancelled or withdrawn, else as pending. Reads
    only the orders' outcome index.
    """
    o = _ORDERS
    where = [
        o.c.submitted_at >= start,
        o.c.submitted_at < end,
        o.c.initial_outcome != outcomes.NOTIFICATION_ONLY,
    ]
    if program:
        where.append(o.c.program == program)
    if plan_id:
        where.append(o.c.plan_id == plan_id)
    decided = o.c.initial_outcome.in_(outcomes.DECIDED_OUTCOMES)
    denied_and_appealed = and_(o.c.initial_outcome == outcomes.DENIED, o.c.appealed_at.is_not(None))
    return select(
        o.c.program,
        o.c.plan_id,
        o.c.urgency,
        case(
            (decided, o.c.initial_outcome),
            (o.c.status.in_(_WITHDRAWN), literal(WITHDRAWN)),
            else_=literal(PENDING),
        ).label("outcome"),
        case((decided, o.c.decision_hours), else_=None).label("hours"),
        case((denied_and_appealed, 1), else_=0).label("appealed"),
        case((and_(denied_and_appealed, o.c.approved_after_appeal.is_(True)), 1), else_=0).label(
            "appeal_won"
        ),
    ).where(*where)


def _outcome_counts(columns) -> list:
    def count_of(value: str):
        return func.sum(case((columns.outcome == value, 1), else_=0))

    return [
        func.count().label("requests"),
        count_of(APPROVED_BY_RULES).label("approved_by_rules"),
        count_of(APPROVED_AFTER_REVIEW).label("approved_after_review"),
        count_of(DENIED).label("denied"),
        func.sum(columns.appealed).label("appealed"),
        func.sum(columns.appeal_won).label("approved_after_appeal"),
        count_of(PENDING).label("pending"),
        count_of(WITHDRAWN).label("withdrawn"),
        func.avg(columns.hours).label("mean_hours"),
    ]


def _decided_hours(start: datetime, end: datetime, program: str, plan_id: int):
    """(urgency, hours to decision) of each decided request: the same requests as ``_per_order``'s
    rows with hours, written without the CASE expressions so that SQLite scans the index faster."""
    o = _ORDERS
    query = select(o.c.urgency, o.c.decision_hours).where(
        o.c.submitted_at >= start, o.c.submitted_at < end, o.c.initial_outcome.in_(outcomes.DECIDED_OUTCOMES)
    )
    if program:
        query = query.where(o.c.program == program)
    if plan_id:
        query = query.where(o.c.plan_id == plan_id)
    return query


def _grouped(
    session: Session, per_order, start: datetime, end: datetime, program: str, plan_id: int
) -> tuple[list, dict[str, dict[str, float | None]]]:
    """The counts per (program, plan, urgency), and the median and 90th percentile hours per urgency.

    PostgreSQL computes the percentiles with percentile_cont in the same statement (the per-order
    CTE is read twice). SQLite has no percentile_cont, and ranking with window functions sorts every
    row twice (measured at 1.3 s for 240,000 requests), so there the decided hours are fetched in one
    index scan and interpolated here the same way.
    """
    if session.get_bind().dialect.name == "postgresql":
        po = per_order.cte("per_order").c
        counts = select(
            po.program,
            po.plan_id,
            po.urgency,
            literal(False).label("urgency_total"),
            *_outcome_counts(po),
            null().label("median"),
            null().label("p90"),
        ).group_by(po.program, po.plan_id, po.urgency)
        nothing = [null().label(c.name) for c in _outcome_counts(po)]
        percentiles = (
            select(
                null().label("program"),
                null().label("plan_id"),
                po.urgency,
                literal(True).label("urgency_total"),
                *nothing,
                func.percentile_cont(0.5).within_group(po.hours).label("median"),
                func.percentile_cont(0.9).within_group(po.hours).label("p90"),
            )
            .where(po.hours.is_not(None))
            .group_by(po.urgency)
        )
        rows = session.exec(union_all(counts, percentiles)).all()
        points = {
            r.urgency: {"median": _rounded(r.median), "p90": _rounded(r.p90)} for r in rows if r.urgency_total
        }
        return [r for r in rows if not r.urgency_total], points
    po = per_order.subquery("per_order").c
    groups = session.exec(
        select(po.program, po.plan_id, po.urgency, *_outcome_counts(po)).group_by(
            po.program, po.plan_id, po.urgency
        )
    ).all()
    hours: dict[str, list[float]] = {}
    for urgency, value in session.exec(_decided_hours(start, end, program, plan_id)).all():
        hours.setdefault(urgency, []).append(float(value))
    points = {
        urgency: {"median": _quantile(sorted(values), 0.5), "p90": _quantile(sorted(values), 0.9)}
        for urgency, values in hours.items()
    }
    return groups, points


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _quantile(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted values, linear between the two nearest ranks as percentile_cont does:
    position q (n - 1), counted from 0."""
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 2)


def _past_due(session: Session, as_of: datetime, program: str, plan_id: int) -> int:
    t = _TASKS
    # Open and claimed tasks are exactly the ones not closed (closing sets both); counting by status
    # reads the queue indexes of review tasks alone.
    query = select(func.count()).select_from(t).where(t.c.status.in_(_OPEN_TASKS), t.c.due_at < as_of)
    if program:
        query = query.where(t.c.program == program)
    if plan_id:
        query = query.where(t.c.plan_id == plan_id)
    return int(session.exec(query).one()[0])


def _asked_for(session: Session, column, start: datetime, end: datetime, program: str, plan_id: int) -> int:
    """Orders on which the office asked for something (``column`` of their review tasks holds when, copied
    along when a nurse sends the case on), in the dates."""
    t = _TASKS
    query = (
        select(func.count(func.distinct(t.c.order_id)))
        .select_from(t)
        .where(t.c[column] >= start, t.c[column] < end)
    )
    if program:
        query = query.where(t.c.program == program)
    if plan_id:
        query = query.where(t.c.plan_id == plan_id)
    return int(session.exec(query).one()[0])


def _program_label(code: str) -> str:
    try:
        return Program(code).label
    except ValueError:
        return code


def _add_rows(
    rows: list[MetricsRow], *, program: str, label: str, plan_id: int, plan_name: str
) -> MetricsRow:
    def total(name: str) -> int:
        return sum(getattr(row, name) for row in rows)

    return MetricsRow(
        program=program,
        program_label=label,
        plan_id=plan_id,
        plan_name=plan_name,
        requests=total("requests"),
        approved_by_rules=total("approved_by_rules"),
        approved_after_review=total("approved_after_review"),
        denied=total("denied"),
        appealed=total("appealed"),
        approved_after_appeal=total("approved_after_appeal"),
        pending=total("pending"),
        withdrawn=total("withdrawn"),
    )


def _urgency_figures(
    urgency: Urgency, groups: list, points: dict[str, dict[str, float | None]]
) -> UrgencyFigures:
    mine = [g for g in groups if g.urgency == urgency.value]
    approved = sum(int(g.approved_by_rules) + int(g.approved_after_review) for g in mine)
    denied = sum(int(g.denied) for g in mine)
    appealed = sum(int(g.appealed) for g in mine)
    won = sum(int(g.approved_after_appeal) for g in mine)
    decided = approved + denied
    # The grouped means are over decided requests; weight each group's mean by its decided count.
    weighted = [
        (float(g.mean_hours), int(g.approved_by_rules) + int(g.approved_after_review) + int(g.denied))
        for g in mine
        if g.mean_hours is not None
    ]
    weight = sum(w for _, w in weighted)
    mean = round(sum(m * w for m, w in weighted) / weight, 2) if weight else None
    figures = points.get(urgency.value, {})
    return UrgencyFigures(
        urgency=urgency.value,
        label="Expedited (urgent)" if urgency == Urgency.URGENT else "Standard",
        decided=decided,
        approved=approved,
        denied=denied,
        appealed=appealed,
        approved_after_appeal=won,
        percent_approved=_percent(approved, decided),
        percent_denied=_percent(denied, decided),
        percent_approved_after_appeal=_percent(won, appealed),
        mean_hours=mean,
        median_hours=figures.get("median"),
        p90_hours=figures.get("p90"),
    )


def review_metrics(
    session: Session,
    *,
    actor: Actor,
    date_from: date,
    date_to: date,
    program: str = "",
    plan_id: int = 0,
    as_of: datetime | None = None,
) -> ReviewMetrics:
    """The review dashboard for requests submitted from ``date_from`` to ``date_to`` (both included, UTC).

    Reviewers and support admins only ("metrics.read"). ``as_of`` (default now) is the moment the
    past-due count is taken at.
    """
    require(session, actor, "metrics.read", record="metrics")
    metrics = compute_metrics(
        session, date_from=date_from, date_to=date_to, program=program, plan_id=plan_id, as_of=as_of
    )
    audit.record(
        session,
        action="metrics.read",
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
    return metrics


def compute_metrics(
    session: Session,
    *,
    date_from: date,
    date_to: date,
    program: str = "",
    plan_id: int = 0,
    as_of: datetime | None = None,
) -> ReviewMetrics:
    """The figures of ``review_metrics`` without a reader: counts and times only, no PHI. The
    dashboard (reviewers, audited) and the public transparency page (services/transparency.py)
    both read them from here."""
    if date_to < date_from:
        raise ValueError("The end date is before the start date.")
    if program and program not in {p.value for p in Program}:
        raise ValueError(f"Unknown program {program!r}.")
    as_of = as_of or clock.now()
    start = datetime.combine(date_from, time.min, UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, UTC)
    if session.get_bind().dialect.name == "postgresql":
        # One reporting query over many rows: JIT compilation would cost more than it saves
        # (over half a second measured), and the sorts fit in memory with a larger work_mem.
        session.exec(text("SET LOCAL jit = off"))
        session.exec(text("SET LOCAL work_mem = '64MB'"))
    groups, points = _grouped(session, _per_order(start, end, program, plan_id), start, end, program, plan_id)
    plan_ids = sorted({int(g.plan_id) for g in groups})
    plan_names = (
        dict(session.exec(select(_PLANS.c.id, _PLANS.c.name).where(_PLANS.c.id.in_(plan_ids))).all())
        if plan_ids
        else {}
    )

    by_key: dict[tuple[str, int], list[MetricsRow]] = {}
    for g in groups:
        by_key.setdefault((g.program, int(g.plan_id)), []).append(
            MetricsRow(
                program=g.program,
                program_label="",
                plan_id=int(g.plan_id),
                plan_name="",
                requests=int(g.requests),
                approved_by_rules=int(g.approved_by_rules),
                approved_after_review=int(g.approved_after_review),
                denied=int(g.denied),
                appealed=int(g.appealed),
                approved_after_appeal=int(g.approved_after_appeal),
                pending=int(g.pending),
                withdrawn=int(g.withdrawn),
            )
        )
    rows = tuple(
        _add_rows(
            parts, program=code, label=_program_label(code), plan_id=pid, plan_name=plan_names.get(pid, "")
        )
        for (code, pid), parts in sorted(
            by_key.items(), key=lambda item: (_program_label(item[0][0]), plan_names.get(item[0][1], ""))
        )
    )
    totals = _add_rows(list(rows), program="", label="All programs", plan_id=0, plan_name="All plans")
    metrics = ReviewMetrics(
        date_from=date_from,
        date_to=date_to,
        program=program,
        plan_id=plan_id,
        as_of=as_of,
        rows=rows,
        totals=totals,
        percent_approved=_percent(totals.approved, totals.decided),
        percent_denied=_percent(totals.denied, totals.decided),
        percent_approved_after_appeal=_percent(totals.approved_after_appeal, totals.appealed),
        urgent=_urgency_figures(Urgency.URGENT, groups, points),
        standard=_urgency_figures(Urgency.STANDARD, groups, points),
        past_due=_past_due(session, as_of, program, plan_id),
        live_reviews=_asked_for(session, "live_review_requested_at", start, end, program, plan_id),
        call_backs=_asked_for(session, "call_back_requested_at", start, end, program, plan_id),
    )
    return _with_extensions(session, metrics, start, end)


def _with_extensions(
    session: Session, metrics: ReviewMetrics, start: datetime, end: datetime
) -> ReviewMetrics:
    """Add the extended reviews (order_clocks.extended_at set) among the decided requests counted."""
    o, c = _ORDERS, OrderClock.__table__
    approved = o.c.initial_outcome.in_((APPROVED_BY_RULES, APPROVED_AFTER_REVIEW))
    query = (
        select(o.c.urgency, func.count(), func.sum(case((approved, 1), else_=0)))
        .select_from(o.join(c, c.c.order_id == o.c.id))
        .where(
            c.c.extended_at.is_not(None),
            o.c.submitted_at >= start,
            o.c.submitted_at < end,
            o.c.initial_outcome.in_(outcomes.DECIDED_OUTCOMES),
        )
        .group_by(o.c.urgency)
    )
    if metrics.program:
        query = query.where(o.c.program == metrics.program)
    if metrics.plan_id:
        query = query.where(o.c.plan_id == metrics.plan_id)
    counts = {urgency: (int(n), int(won or 0)) for urgency, n, won in session.exec(query).all()}

    def figures(f: UrgencyFigures) -> UrgencyFigures:
        n, won = counts.get(f.urgency, (0, 0))
        return replace(
            f,
            extended=n,
            approved_after_extension=won,
            percent_approved_after_extension=_percent(won, f.decided),
        )

    extended = sum(n for n, _ in counts.values())
    won = sum(w for _, w in counts.values())
    return replace(
        metrics,
        urgent=figures(metrics.urgent),
        standard=figures(metrics.standard),
        extended=extended,
        approved_after_extension=won,
        percent_approved_after_extension=_percent(won, metrics.totals.decided),
    )


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def review_metrics_csv(metrics: ReviewMetrics) -> str:
    """The dashboard as CSV: the rows per program and plan with the totals, then the shares and times."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "Review metrics",
            f"submitted {metrics.date_from.isoformat()} to {metrics.date_to.isoformat()}",
            f"as of {metrics.as_of.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        ]
    )
    writer.writerow([])
    writer.writerow(
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
    for row in (*metrics.rows, metrics.totals):
        writer.writerow(
            [
                row.program_label,
                row.plan_name,
                row.requests,
                row.approved_by_rules,
                row.approved_after_review,
                row.denied,
                row.appealed,
                row.approved_after_appeal,
                row.pending,
                row.withdrawn,
            ]
        )
    writer.writerow([])
    writer.writerow(
        [
            "Requests",
            "Decided",
            "Percent approved",
            "Percent denied",
            "Percent approved after appeal",
            "Mean hours to decision",
            "Median hours to decision",
            "90th percentile hours to decision",
        ]
    )
    writer.writerow(
        [
            "All",
            metrics.totals.decided,
            _number(metrics.percent_approved),
            _number(metrics.percent_denied),
            _number(metrics.percent_approved_after_appeal),
            "",
            "",
            "",
        ]
    )
    for figures in (metrics.urgent, metrics.standard):
        writer.writerow(
            [
                figures.label,
                figures.decided,
                _number(figures.percent_approved),
                _number(figures.percent_denied),
                _number(figures.percent_approved_after_appeal),
                _number(figures.mean_hours),
                _number(figures.median_hours),
                _number(figures.p90_hours),
            ]
        )
    writer.writerow([])
    writer.writerow(["Review tasks past due", metrics.past_due])
    writer.writerow([])
    writer.writerow(
        [
            "Requests",
            "Extended reviews",
            "Approved after an extended review time frame",
            "Percent approved after an extended review time frame",
        ]
    )
    for label, f in (
        ("All", metrics),
        (metrics.urgent.label, metrics.urgent),
        (metrics.standard.label, metrics.standard),
    ):
        writer.writerow(
            [label, f.extended, f.approved_after_extension, _number(f.percent_approved_after_extension)]
        )
    writer.writerow([])
    writer.writerow(["Term", "Definition"])
    for term, definition in metrics.definitions:
        writer.writerow([term, definition])
    return out.getvalue()
