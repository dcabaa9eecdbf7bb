"""Gold-carding: evaluating providers' approval rates, storing exemptions with their figures,
applying them at submission, rescinding them after notice, and the counts the dashboard shows.

The rule sets are data (``domain/gold_card.py``, ``reference/gold_card_rules.csv``); which plan
and line of business applies which rule set is data too (``reference/plan_compliance_rules.csv``).
Evaluations run from the upkeep task (``services/upkeep.py``) once per plan, rule set and
evaluation month. Requests that got their number through an exemption are counted as such
(``order_exemptions``) and are not themselves evaluated (they were not prior-authorization
requests).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from portal_app import clock
from portal_app.domain import gold_card as rules
from portal_app.domain.decision_clocks import plan_choice, plan_choices
from portal_app.domain.enums import LineDecision, UserStatus
from portal_app.domain.outcomes import DECIDED_OUTCOMES
from portal_app.models import (
    GoldCardEvaluation,
    GoldCardExemption,
    HealthPlan,
    Member,
    Order,
    OrderExemption,
    OrderLine,
    Practice,
    PracticeMembership,
    Provider,
    User,
)
from portal_app.models.base import get_existing, id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require
from portal_app.services.mail import MailKind, send_mail

logger = logging.getLogger(__name__)

GOLD_CARD = "gold_card"
TRANSITION = "transition"


class RescissionRefused(ValueError):
    """The rule does not allow this rescission now (the message says why)."""


# --- looking up an exemption -----------------------------------------------------------------


def _active(query, on: date):
    return query.where(
        col(GoldCardExemption.effective_from) <= on,
        or_(col(GoldCardExemption.effective_until).is_(None), col(GoldCardExemption.effective_until) > on),
    )


def active_exemption(
    session: Session, *, plan_id: int, provider_id: int, service_code: str, on: date, rule_set: str = ""
) -> GoldCardExemption | None:
    """The exemption in force ``on`` for this plan, provider and service (a rescinded one applies until
    the day its notice period ends)."""
    query = select(GoldCardExemption).where(
        GoldCardExemption.plan_id == plan_id,
        GoldCardExemption.provider_id == provider_id,
        GoldCardExemption.service_code == service_code.strip().upper(),
    )
    if rule_set:
        query = query.where(GoldCardExemption.rule_set == rule_set)
    return session.exec(_active(query, on).order_by(col(GoldCardExemption.id).desc())).first()


@dataclass(frozen=True)
class ExemptionStatus:
    """Whether a provider is exempt for a service, and why (for the CRD service, reviewers, letters)."""

    exempt: bool
    plan_id: int
    rule_set: str
    reason: str
    effective_until: date | None


def is_exempt(
    session: Session, npi: str, service_code: str, on_date: date, *, plan_id: int = 0
) -> ExemptionStatus:
    """Whether the provider with ``npi`` is exempt (gold card) for ``service_code`` on ``on_date``,
    with any plan or with ``plan_id``. For a CRD service to answer "satisfied": no PHI involved, the
    caller authenticates its client."""
    provider = session.exec(select(Provider).where(Provider.npi == npi.strip())).first()
    if provider is not None:
        query = select(GoldCardExemption).where(
            GoldCardExemption.provider_id == provider.id,
            GoldCardExemption.service_code == service_code.strip().upper(),
        )
        if plan_id:
            query = query.where(GoldCardExemption.plan_id == plan_id)
        found = session.exec(_active(query, on_date).order_by(col(GoldCardExemption.id).desc())).first()
        if found is not None:
            return ExemptionStatus(
                True, found.plan_id, found.rule_set, exemption_reason(found), found.effective_until
            )
    return ExemptionStatus(False, plan_id, "", "No exemption in force.", None)


def exemption_reason(exemption: GoldCardExemption) -> str:
    rule = rules.gold_card_rule(exemption.rule_set, exemption.effective_from)
    text = (
        f"Exempt: gold card. {exemption.approved} of {exemption.requests} requests for "
        f"{exemption.service_code} "
        f"approved ({exemption.percent:g} %, at least {rule.threshold_percent} % needed) from "
        f"{exemption.lookback_from} to {exemption.lookback_to}; exempt from {exemption.effective_from}"
    )
    if exemption.effective_until:
        text += f" until {exemption.effective_until - timedelta(days=1)} (rescinded)"
    return text + "."


def citation_of(rule_set: str, on: date) -> str:
    rule = rules.gold_card_rule(rule_set, on)
    return dict(rule.sources).get("threshold_percent", rule_set)[:300]


def exemptions_for_order(
    session: Session, order: Order, codes: Iterable[str], on: date
) -> dict[str, GoldCardExemption]:
    """The exemptions in force ``on`` for the order's ordering provider, by code, under the gold-card
    rule set the plan applies to the member's line of business (none: no exemptions)."""
    if order.ordering_provider_id is None or order.member_id is None:
        return {}
    plan = get_existing(session, HealthPlan, order.plan_id)
    member = get_existing(session, Member, order.member_id)
    rule_set = plan_choice(plan.code, member.line_of_business).gold_card_rule
    if not rule_set:
        return {}
    found = {}
    for code in set(codes):
        exemption = active_exemption(
            session,
            plan_id=order.plan_id,
            provider_id=order.ordering_provider_id,
            service_code=code,
            on=on,
            rule_set=rule_set,
        )
        if exemption is not None:
            found[code] = exemption
    return found


def record_exempt_order(session: Session, order: Order, exemptions: Iterable[GoldCardExemption]) -> None:
    """Count the order as submitted under a gold card (in the caller's transaction)."""
    used = list(exemptions)
    if used:
        session.add(
            OrderExemption(
                order_id=id_of(order),
                kind=GOLD_CARD,
                exemption_id=id_of(used[0]),
                detail=", ".join(sorted({e.service_code for e in used}))[:500],
            )
        )


# --- evaluation ------------------------------------------------------------------------------


def _records(session: Session, plan_id: int, lines_of_business: list[str], start: date, end: date):
    """Each decided line of the plan's requests submitted in the period, by ordering provider and
    code: approved when finally authorized in full (at once, after review or after appeal)."""
    since = datetime.combine(start, time.min, UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, UTC)
    exempted = select(OrderExemption.order_id)
    rows = session.exec(
        select(Order.ordering_provider_id, OrderLine.code, OrderLine.decision)
        .join(OrderLine, col(OrderLine.order_id) == Order.id)
        .join(Member, col(Member.id) == Order.member_id)
        .where(
            Order.plan_id == plan_id,
            col(Member.line_of_business).in_(lines_of_business),
            col(Order.submitted_at) >= since,
            col(Order.submitted_at) < until,
            col(Order.initial_outcome).in_(DECIDED_OUTCOMES),
            col(Order.ordering_provider_id).is_not(None),
            col(Order.id).not_in(exempted),
            col(OrderLine.decision).in_(
                [LineDecision.AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED, LineDecision.NON_AUTHORIZED]
            ),
        )
    ).all()
    return [
        rules.ServiceRecord(int(provider_id), code, decision == LineDecision.AUTHORIZED)
        for provider_id, code, decision in rows
        if provider_id is not None
    ]


def evaluate_plan(
    session: Session, *, plan: HealthPlan, rule_set: str, today: date
) -> GoldCardEvaluation | None:
    """Run the evaluation of ``plan`` under ``rule_set`` for ``today``'s month if it is an evaluation
    month and it has not run yet: store every exemption granted with its figures and notify the
    providers' practices. Commits. Returns the run (None when nothing was due)."""
    rule = rules.gold_card_rule(rule_set, today)
    period = rules.evaluation_period_key(today)
    if not rules.is_evaluation_month(rule, today):
        return None
    done = session.exec(
        select(GoldCardEvaluation.id).where(
            GoldCardEvaluation.plan_id == plan.id,
            GoldCardEvaluation.rule_set == rule_set,
            GoldCardEvaluation.period == period,
        )
    ).first()
    if done is not None:
        return None
    start, end = rules.lookback_period(rule, date(today.year, today.month, 1))
    lines_of_business = [
        c.line_of_business
        for c in plan_choices()
        if c.plan_code == plan.code and c.gold_card_rule == rule_set
    ]
    results = rules.evaluate(rule, _records(session, id_of(plan), lines_of_business, start, end))
    run = GoldCardEvaluation(
        plan_id=id_of(plan),
        rule_set=rule_set,
        period=period,
        lookback_from=start,
        lookback_to=end,
        evaluated=sum(1 for r in results if r.outcome != rules.TOO_FEW),
        exempt=sum(1 for r in results if r.outcome == rules.EXEMPT),
    )
    session.add(run)
    session.flush()
    granted: dict[int, list[GoldCardExemption]] = {}
    for result in results:
        if result.outcome != rules.EXEMPT:
            continue
        if active_exemption(
            session,
            plan_id=id_of(plan),
            provider_id=result.provider_id,
            service_code=result.service_code,
            on=today,
            rule_set=rule_set,
        ):
            continue  # already exempt: the exemption continues until rescinded
        exemption = GoldCardExemption(
            evaluation_id=id_of(run),
            plan_id=id_of(plan),
            provider_id=result.provider_id,
            service_code=result.service_code,
            rule_set=rule_set,
            requests=result.requests,
            approved=result.approved,
            percent=result.percent or 0.0,
            lookback_from=start,
            lookback_to=end,
            effective_from=today,
        )
        session.add(exemption)
        granted.setdefault(result.provider_id, []).append(exemption)
    session.flush()
    for provider_id, exemptions in granted.items():
        _notify_practice(session, provider_id, plan, _granted_text(exemptions))
    audit.record(
        session,
        action="gold_card.evaluated",
        user_id=None,
        record_type="health_plan",
        record_id=id_of(plan),
        detail={"rule_set": rule_set, "period": period, "evaluated": run.evaluated, "exempt": run.exempt},
    )
    session.commit()
    return run


def run_evaluations(session: Session, *, today: date | None = None) -> int:
    """Every plan's evaluation that is due ``today`` (the upkeep task calls this); how many ran."""
    today = today or clock.today()
    ran = 0
    pairs = sorted({(c.plan_code, c.gold_card_rule) for c in plan_choices() if c.gold_card_rule})
    for plan_code, rule_set in pairs:
        plan = session.exec(select(HealthPlan).where(HealthPlan.code == plan_code)).first()
        if plan is not None and evaluate_plan(session, plan=plan, rule_set=rule_set, today=today):
            ran += 1
    return ran


def _granted_text(exemptions: list[GoldCardExemption]) -> str:
    lines = [
        f"- {e.service_code}: {e.approved} of {e.requests} requests approved ({e.percent:g} %) "
        f"from {e.lookback_from} to {e.lookback_to}; exempt from {e.effective_from}."
        for e in exemptions
    ]
    return (
        "Requests for these services no longer need prior authorization; a request entered in Precert "
        "gets its number at once:\n" + "\n".join(lines)
    )


def _notify_practice(session: Session, provider_id: int, plan: HealthPlan, text: str) -> None:
    """Mail the active staff of the provider's practice: NPI, codes and figures only, no PHI."""
    provider = get_existing(session, Provider, provider_id)
    practice = session.exec(select(Practice).where(Practice.tax_id == provider.tax_id)).first()
    if practice is None:
        return
    addresses = session.exec(
        select(User.email)
        .join(PracticeMembership, col(PracticeMembership.user_id) == User.id)
        .where(PracticeMembership.practice_id == practice.id, User.status == UserStatus.ACTIVE)
    ).all()
    for address in addresses:
        send_mail(
            session,
            to=address,
            subject=f"Prior-authorization exemption (gold card) with {plan.name}",
            kind=MailKind.NOTICE,
            body=(
                f"Provider NPI {provider.npi}, {plan.name}.\n\n{text}\n\n"
                "Sign in to the Precert portal for details.\n"
            ),
        )


# --- rescission ------------------------------------------------------------------------------


def rescind_exemption(
    session: Session,
    *,
    actor: Actor,
    exemption_id: int,
    sample_size: int,
    sample_met: int,
    reason: str,
    today: date | None = None,
) -> GoldCardExemption:
    """Rescind an exemption after a retrospective review of a sample of the provider's claims: the
    notice goes to the practice today and the exemption stops on the day the rule's notice period
    ends. RescissionRefused says why not."""
    require(session, actor, "gold_card.rescind", record=f"gold_card_exemption:{exemption_id}")
    today = today or clock.today()
    exemption = session.get(GoldCardExemption, exemption_id)
    if exemption is None or exemption.rescission_noticed_on is not None:
        raise RescissionRefused("No exemption in force with that number.")
    if len(reason.strip()) < 10:
        raise RescissionRefused("Give the reason for the rescission (it goes to the provider).")
    rule = rules.gold_card_rule(exemption.rule_set, today)
    check = rules.rescission_check(rule, noticed_on=today, sample_size=sample_size, sample_met=sample_met)
    if check.takes_effect_on is None:
        raise RescissionRefused(check.problem)
    exemption.rescission_noticed_on = today
    exemption.effective_until = check.takes_effect_on
    exemption.sample_size, exemption.sample_met = sample_size, sample_met
    exemption.rescission_reason = reason.strip()[:2000]
    session.add(exemption)
    plan = get_existing(session, HealthPlan, exemption.plan_id)
    _notify_practice(
        session,
        exemption.provider_id,
        plan,
        (
            f"The exemption for {exemption.service_code} is rescinded: {sample_met} of {sample_size} claims "
            f"reviewed met the medical necessity criteria (at least {rule.threshold_percent} % needed). "
            f"Requests for this service need prior authorization again from {check.takes_effect_on}. "
            f"Reason: {reason.strip()}"
        ),
    )
    audit.record(
        session,
        action="gold_card.rescinded",
        user_id=actor.user_id,
        record_type="gold_card_exemption",
        record_id=exemption_id,
        client_address=actor.client_address,
        detail={
            "sample_size": sample_size,
            "sample_met": sample_met,
            "effective": str(check.takes_effect_on),
        },
    )
    session.commit()
    return exemption


# --- what reviewers and the dashboard see ----------------------------------------------------


def case_exemption(session: Session, *, actor: Actor, order_number: str) -> str:
    """For the case page: whether the request was exempted, or its ordering provider is exempt for
    any of its services, and why; "" when neither."""
    return case_exemption_detail(session, actor=actor, order_number=order_number)[0]


def case_exemption_detail(session: Session, *, actor: Actor, order_number: str) -> tuple[str, int]:
    """``case_exemption``'s text, and the id of a gold-card exemption in force today that a
    physician could rescind from the case (0 when none)."""
    require(session, actor, "review.work_queue", record=f"order:{order_number}"[:60])
    order = session.exec(select(Order).where(Order.order_number == order_number.strip().upper())).first()
    if order is None:
        return "", 0
    today = clock.today()
    used = session.exec(select(OrderExemption).where(OrderExemption.order_id == order.id)).first()
    if used is not None and used.kind == GOLD_CARD and used.exemption_id:
        exemption = get_existing(session, GoldCardExemption, used.exemption_id)
        live = exemption.rescission_noticed_on is None and exemption.effective_from <= today
        return exemption_reason(exemption), id_of(exemption) if live else 0
    if used is not None:
        return used.detail, 0
    codes = session.exec(select(OrderLine.code).where(OrderLine.order_id == order.id)).all()
    on = (order.submitted_at or clock.now()).date()
    found = [e for _, e in sorted(exemptions_for_order(session, order, codes, on).items())]
    rescindable = next((id_of(e) for e in found if e.rescission_noticed_on is None), 0)
    return " ".join(exemption_reason(e) for e in found), rescindable


@dataclass(frozen=True)
class ExemptPopulation:
    """The dashboard's gold-card and transition figures for the chosen dates and filters."""

    exempt_providers: int  # provider and service pairs in force at the end of the period
    requests: int  # requests submitted in the period
    exempt_requests: int
    transition_requests: int
    percent_exempt: float | None


def exempt_population(
    session: Session, *, actor: Actor, date_from: date, date_to: date, program: str = "", plan_id: int = 0
) -> ExemptPopulation:
    """Exempt providers and the share of requests they cover, for the dashboard's filters."""
    require(session, actor, "metrics.read", record="metrics")
    start = datetime.combine(date_from, time.min, UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, UTC)
    orders = select(Order.id).where(col(Order.submitted_at) >= start, col(Order.submitted_at) < end)
    if program:
        orders = orders.where(Order.program == program)
    if plan_id:
        orders = orders.where(Order.plan_id == plan_id)
    total = session.exec(select(func.count()).select_from(orders.subquery())).one()

    def exempted(kind: str) -> int:
        return int(
            session.exec(
                select(func.count()).where(
                    OrderExemption.kind == kind, col(OrderExemption.order_id).in_(orders)
                )
            ).one()
        )

    pairs = _active(select(func.count()).select_from(GoldCardExemption), date_to)
    if plan_id:
        pairs = pairs.where(GoldCardExemption.plan_id == plan_id)
    gold = exempted(GOLD_CARD)
    return ExemptPopulation(
        exempt_providers=int(session.exec(pairs).one()),
        requests=int(total),
        exempt_requests=gold,
        transition_requests=exempted(TRANSITION),
        percent_exempt=round(100.0 * gold / total, 1) if total else None,
    )
