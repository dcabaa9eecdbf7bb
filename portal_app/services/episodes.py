"""Rehabilitation episodes of care from the member's earlier requests, and the visits a draft asks for.

An episode is the run of a member's rehabilitation requests for one discipline and body region:
it starts with an initial-evaluation request (or the first request on file) and ends with a
discharge request. A later request in the episode takes its initial evaluation date and its
baseline score from here (the wizard prefills them; the details schema keeps the date unless a
reason is given), and the visits authorized on the episode's requests give the burn-down.

The visits counted against the plan's benefit limit are the visits authorized on the member's
requests for the discipline whose date of service falls in the same calendar year: the portal
sees authorizations, not claims (a request at the limit goes to a nurse, never refused by the
engine). Visits attended, for the burn-down, are what the provider reports on a later request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from portal_app.domain.enums import LineDecision, OrderStatus, Program
from portal_app.domain.programs import ManagedCode
from portal_app.models import Determination, HealthPlan, Order, OrderLine
from portal_app.models.base import get_existing, id_of
from portal_app.models.orders import number_of, service_date_of
from portal_app.programs.rehabilitation import domain as rehabilitation
from portal_app.services.authz import Actor
from portal_app.services.order_entry import editable_draft, refresh_line_quantities

# Requests that no longer count: nothing was or will be done under them.
_WITHDRAWN = (
    OrderStatus.DRAFT.value,
    OrderStatus.VOLUNTARILY_CANCELLED.value,
    OrderStatus.NOT_REVIEWED_ERROR_ENTRY.value,
    OrderStatus.VOLUNTARILY_WITHDRAWN.value,
)
# A stand-in treatment code, to read the visit count of a draft that has only evaluation lines.
_TREATMENT = ManagedCode(code="", label="", category="treatment", notification_only=False)
MAX_EARLIER_REQUESTS = 200


@dataclass(frozen=True)
class EpisodeRequest:
    """One earlier request of the episode, as the wizard lists it."""

    order_number: str
    service_date: date
    request_type: str
    visits_authorized: int
    status: str


@dataclass(frozen=True)
class Episode:
    """What the member's earlier requests say about the episode a new request continues."""

    initial_evaluation_date: date | None = None  # None: no episode on file (a new one starts)
    episode_kind: str = "standard"
    baseline_tool: str = ""
    baseline_score: float | None = None
    baseline_order_number: str = ""
    requests: tuple[EpisodeRequest, ...] = ()
    visits_authorized_this_year: int = 0

    @property
    def visits_authorized(self) -> int:
        return sum(request.visits_authorized for request in self.requests)

    @property
    def authorized_per_request(self) -> list[int]:
        return [request.visits_authorized for request in self.requests]


def _visits_authorized(session: Session, order_id: int) -> int:
    """The visits an earlier request was authorized for: its lines' authorized quantity (the
    largest, since every line covers the same visits), or the approved quantity of a partial one."""
    best = 0
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all():
        if line.decision == LineDecision.AUTHORIZED:
            best = max(best, line.quantity)
        elif line.decision == LineDecision.PARTIALLY_AUTHORIZED:
            decision = session.exec(
                select(Determination)
                .where(Determination.order_line_id == line.id)
                .order_by(col(Determination.id).desc())
            ).first()
            best = max(best, (decision.approved_quantity or 0) if decision else 0)
    return best


def _earlier_requests(session: Session, order: Order) -> list[Order]:
    return list(
        session.exec(
            select(Order)
            .where(
                Order.member_id == order.member_id,
                Order.program == Program.REHABILITATION,
                Order.id != order.id,
                col(Order.order_number).is_not(None),
                col(Order.status).not_in(_WITHDRAWN),
            )
            .order_by(col(Order.service_start), col(Order.submitted_at), col(Order.id))
            .limit(MAX_EARLIER_REQUESTS)
        ).all()
    )


def _score(details: dict, key: str) -> float | None:
    value = details.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _baseline_of(details: dict) -> tuple[str, float | None]:
    """The baseline a request recorded: its baseline fields, or a first treatment request's score."""
    tool, score = str(details.get("baseline_tool") or ""), _score(details, "baseline_score")
    if tool and score is not None:
        return tool, score
    if details.get("request_type") == "first_treatment" and details.get("outcome_tool"):
        return str(details["outcome_tool"]), _score(details, "current_score")
    return "", None


def _current_episode(requests: list[Order]) -> list[Order]:
    """The requests since the last discharge, from the last initial evaluation among them."""
    episode: list[Order] = []
    for request in requests:
        kind = request.details.get("request_type")
        if kind == "discharge":
            episode = []
        elif kind == "initial_evaluation":
            episode = [request]
        else:
            episode.append(request)
    return episode


def find_episode(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    discipline: str,
    body_region: str,
) -> Episode:
    """The episode a draft continues, for its member, discipline and body region."""
    order = editable_draft(session, actor, order_id)
    if order.member_id is None or discipline not in rehabilitation.DISCIPLINES:
        return Episode()
    earlier = _earlier_requests(session, order)
    same_discipline = [o for o in earlier if o.details.get("discipline") == discipline]
    year = order.service_start.year if order.service_start else None
    used = sum(
        _visits_authorized(session, id_of(o))
        for o in same_discipline
        if year is not None and o.service_start is not None and o.service_start.year == year
    )
    episode = _current_episode([o for o in same_discipline if o.details.get("body_region") == body_region])
    if not episode:
        return Episode(visits_authorized_this_year=used)
    latest = episode[-1].details
    try:
        evaluation = date.fromisoformat(str(latest.get("initial_evaluation_date") or ""))
    except ValueError:
        evaluation = None
    baseline = next(
        (
            (tool, score, o.order_number)
            for o in episode
            for tool, score in [_baseline_of(o.details)]
            if tool and score is not None
        ),
        ("", None, ""),
    )
    return Episode(
        initial_evaluation_date=evaluation,
        episode_kind=str(latest.get("episode_kind") or "standard"),
        baseline_tool=baseline[0],
        baseline_score=baseline[1],
        baseline_order_number=baseline[2] or "",
        requests=tuple(
            EpisodeRequest(
                number_of(o),
                service_date_of(o),
                str(o.details.get("request_type") or ""),
                _visits_authorized(session, id_of(o)),
                OrderStatus(o.status).label,
            )
            for o in episode
        ),
        visits_authorized_this_year=used,
    )


def apply_visit_allocation(session: Session, *, actor: Actor, order_id: int) -> int | None:
    """The visits the draft's treatment lines ask for, set again from its saved answers (saving
    the program step sets them through ``rehabilitation.line_quantity``); None when the draft is
    not a valid rehabilitation request."""
    order = editable_draft(session, actor, order_id)
    if order.program != Program.REHABILITATION:
        return None
    details = refresh_line_quantities(session, actor=actor, order_id=order_id)
    if details is None:
        return None
    plan = get_existing(session, HealthPlan, order.plan_id)
    return rehabilitation.line_quantity(details, plan.code, _TREATMENT)
