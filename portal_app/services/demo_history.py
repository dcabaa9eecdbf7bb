"""Demo history for issue 24: decided requests of the previous calendar year, so that the public
transparency page has last year's figures and the gold-card evaluation of this January has grounds
to exempt one provider. Loaded by ``python -m portal_app.cli seed`` after the demo data (not by
``load_demo_data``, whose fixed contents the integration tests count); safe to run twice.

The requests belong to Harbor View Specialists (which does not share orders among its staff) and
were entered by the support account, as an import of earlier decisions would be: no office's
"My orders" list fills up with them. Their months leave out March, which the hand-built metric
tests use (tests/integration/test_metrics.py), so those figures stay exact in any year.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import (
    DecidedBy,
    LineDecision,
    OrderStatus,
    Program,
    TaskKind,
    TaskStatus,
    Urgency,
)
from portal_app.domain.order_numbers import format_order_number
from portal_app.models import (
    Determination,
    HealthPlan,
    Member,
    Order,
    OrderClock,
    OrderLine,
    Practice,
    Provider,
    ReviewTask,
    User,
)
from portal_app.models.base import id_of
from portal_app.services.gold_card import evaluate_plan
from portal_app.services.outcomes import refresh_outcome

HISTORY_PRACTICE = "90-1000002"
FIRST_SEQUENCE = 900_001
_SEED = 24
_CODES = (
    ("70553", "MRI brain without and with contrast"),
    ("74177", "CT abdomen and pelvis with contrast"),
    ("71250", "CT chest without contrast"),
    ("78452", "Myocardial perfusion imaging, multiple studies"),
)
GOLD_CARD_CODE = ("72148", "MRI lumbar spine without contrast")
# (plan code, number of requests); Evergreen applies the Texas gold-card rule to its commercial members.
_VOLUME = (("EVG", 48), ("LKS", 24), ("RVB", 12))
_MONTHS = (1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12)


def exempt_demo_provider(session: Session) -> Provider:
    """The Harbor View provider whose history earns a gold card for GOLD_CARD_CODE."""
    providers = session.exec(
        select(Provider).where(Provider.tax_id == HISTORY_PRACTICE).order_by(col(Provider.npi))
    ).all()
    return providers[-1]


def load_demo_history(session: Session, *, today: date | None = None) -> int:
    """Add last year's decided requests (once) and run this year's January gold-card evaluation;
    returns how many requests were added."""
    today = today or clock.today()
    year = today.year - 1
    first = format_order_number(year, FIRST_SEQUENCE)
    if session.exec(select(Order.id).where(Order.order_number == first)).first() is not None:
        return 0
    practice = session.exec(select(Practice).where(Practice.tax_id == HISTORY_PRACTICE)).first()
    support = session.exec(select(User).where(User.username == "support")).first()
    if practice is None or support is None:
        return 0
    providers = session.exec(
        select(Provider).where(Provider.tax_id == HISTORY_PRACTICE).order_by(col(Provider.npi))
    ).all()
    gold = providers[-1]
    rng = random.Random(_SEED)
    sequence = FIRST_SEQUENCE
    added = 0
    for plan_code, count in _VOLUME:
        plan = session.exec(select(HealthPlan).where(HealthPlan.code == plan_code)).first()
        if plan is None:
            continue
        members = session.exec(
            select(Member).where(Member.plan_id == plan.id, col(Member.eligibility_end).is_(None)).limit(20)
        ).all()
        for i in range(count):
            # Evergreen: the gold-card provider's lumbar MRIs, 12 of 13 approved (92.3 %).
            gold_card = plan_code == "EVG" and i < 13
            denied_for_gold = gold_card and i == 12
            _add_request(
                session,
                rng,
                number=format_order_number(year, sequence),
                plan=plan,
                member=members[i % len(members)],
                practice=practice,
                provider=gold if gold_card else providers[i % (len(providers) - 1)],
                creator=support,
                year=year,
                code=GOLD_CARD_CODE if gold_card else _CODES[i % len(_CODES)],
                outcome="denied" if denied_for_gold else ("approved" if gold_card else None),
            )
            sequence += 1
            added += 1
    session.commit()
    evergreen = session.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).first()
    if evergreen is not None:
        evaluate_plan(session, plan=evergreen, rule_set="TX_4201N", today=date(today.year, 1, 1))
    return added


def _add_request(
    session: Session,
    rng: random.Random,
    *,
    number: str,
    plan: HealthPlan,
    member: Member,
    practice: Practice,
    provider: Provider,
    creator: User,
    year: int,
    code: tuple[str, str],
    outcome: str | None,
) -> None:
    urgent = rng.random() < 0.2
    submitted = datetime(year, rng.choice(_MONTHS), rng.randint(1, 28), rng.randint(7, 18), 0, tzinfo=UTC)
    roll = rng.random()
    kind = outcome or (
        "rules" if roll < 0.5 else "review" if roll < 0.75 else "extended" if roll < 0.82 else "denied"
    )
    if kind == "approved":
        kind = "rules" if roll < 0.6 else "review"
    if kind == "extended" and plan.code == "EVG":
        kind = "review"  # Evergreen's commercial rule allows no extension
    hours = rng.uniform(0.01, 0.05) if kind == "rules" else rng.uniform(2, 60 if urgent else 150)
    if kind == "extended":
        hours = rng.uniform(170, 400)
    decided_at = submitted + timedelta(hours=hours)
    final = LineDecision.NON_AUTHORIZED if kind == "denied" else LineDecision.AUTHORIZED
    order = Order(
        order_number=number,
        program=Program.IMAGING,
        plan_id=id_of(plan),
        member_id=id_of(member),
        practice_id=id_of(practice),
        ordering_provider_id=id_of(provider),
        servicing_provider_id=id_of(provider),
        status=OrderStatus.NON_AUTHORIZED if final == LineDecision.NON_AUTHORIZED else OrderStatus.AUTHORIZED,
        urgency=Urgency.URGENT if urgent else Urgency.STANDARD,
        urgency_reason="Worsening symptoms (demo history)." if urgent else "",
        service_start=(submitted + timedelta(days=10)).date(),
        submitted_at=submitted,
        member_confirmed=True,
        wizard_step=8,
        created_by_id=id_of(creator),
        updated_by_id=id_of(creator),
        created_at=submitted,
        updated_at=decided_at,
    )
    session.add(order)
    session.flush()
    line = OrderLine(
        order_id=id_of(order),
        line_number=1,
        code_system="CPT",
        code=code[0],
        description=code[1],
        decision=final,
    )
    session.add(line)
    session.flush()
    by = (
        DecidedBy.RULES_ENGINE
        if kind == "rules"
        else DecidedBy.NURSE
        if final == LineDecision.AUTHORIZED
        else DecidedBy.PHYSICIAN
    )
    if kind != "rules":
        session.add(
            Determination(
                order_line_id=id_of(line),
                decision=LineDecision.PENDED,
                reason="Pended for review (demo history).",
                decided_by=DecidedBy.RULES_ENGINE,
                decided_at=submitted,
            )
        )
    session.add(
        Determination(
            order_line_id=id_of(line),
            decision=final,
            reason="Demo history: "
            + ("guideline met." if final == LineDecision.AUTHORIZED else "guideline not met."),
            decided_by=by,
            decided_at=decided_at,
            valid_from=order.service_start if final == LineDecision.AUTHORIZED else None,
            valid_until=(order.service_start + timedelta(days=60))
            if final == LineDecision.AUTHORIZED and order.service_start
            else None,
        )
    )
    if kind != "rules":
        session.add(
            ReviewTask.for_order(
                order,
                queue="nurse",
                reason="Demo history",
                status=TaskStatus.DONE,
                due_at=submitted + timedelta(hours=72 if urgent else 24 * 7),
                created_at=submitted,
                closed_at=decided_at,
            )
        )
    if kind == "extended":
        due = submitted + timedelta(hours=72 if urgent else 24 * 7)
        session.add(
            OrderClock(
                order_id=id_of(order),
                rule_id="CMS_0057F_MA",
                rule_name="CMS-0057-F: Medicare Advantage",
                time_frame="72 hours" if urgent else "7 calendar days",
                due_at=due,
                extension_days_allowed=14,
                extended_days=14,
                extended_due_at=due + timedelta(days=14),
                extension_reason="Waiting for the imaging report (demo history).",
                extended_at=due - timedelta(hours=12),
            )
        )
    if kind == "denied" and rng.random() < 0.4:
        appealed = decided_at + timedelta(days=5)
        session.add(
            ReviewTask.for_order(
                order,
                queue="physician",
                kind=TaskKind.APPEAL,
                reason="Appeal (demo history)",
                status=TaskStatus.DONE,
                due_at=appealed + timedelta(days=30),
                created_at=appealed,
                closed_at=appealed + timedelta(days=9),
            )
        )
        session.add(
            Determination(
                order_line_id=id_of(line),
                decision=LineDecision.AUTHORIZED,
                reason="Demo history: approved on appeal.",
                decided_by=DecidedBy.PHYSICIAN,
                decided_at=appealed + timedelta(days=9),
            )
        )
        line.decision = LineDecision.AUTHORIZED
        order.status = OrderStatus.AUTHORIZED
        session.add(line)
    session.flush()
    refresh_outcome(session, order)
