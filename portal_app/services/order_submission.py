"""Submitting a draft: completeness, duplicates, the rules engine, determinations, review tasks.

Submitting the same draft twice (a double click, a reconnect replaying the event)
returns the first result: the draft row is the idempotency unit, guarded by the
order's version column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.calendar import retro_request_problem
from portal_app.domain.duplicates import FiledRequest, find_duplicates
from portal_app.domain.enums import (
    DecidedBy,
    LineDecision,
    OrderStatus,
    ReviewQueue,
    Urgency,
)
from portal_app.domain.order_numbers import new_order_number
from portal_app.domain.physician_criteria import physician_only
from portal_app.domain.programs import PriorService, ProgramRequest, get_program
from portal_app.domain.review import order_status_for
from portal_app.domain.rules import Outcome, evaluate
from portal_app.domain.windows import DateWindow, validity_window
from portal_app.models import (
    Determination,
    HealthPlan,
    Member,
    Order,
    OrderDiagnosis,
    OrderLine,
    ReviewTask,
)
from portal_app.models.base import get_existing, id_of
from portal_app.models.orders import number_of, service_date_of
from portal_app.services import audit, gold_card, guidelines
from portal_app.services.authz import Actor, require
from portal_app.services.code_lists import program_for_coverage
from portal_app.services.decision_clocks import start_clock
from portal_app.services.order_entry import (
    DraftNotFound,
    details_context,
    editable_draft,
    eligibility_problem,
    member_age,
)
from portal_app.services.outcomes import refresh_outcome
from portal_app.services.plan_setup import plan_validity_days

_LINE_DECISION = {
    Outcome.AUTHORIZED: LineDecision.AUTHORIZED,
    Outcome.PENDED: LineDecision.PENDED,
    Outcome.NOTIFICATION_ONLY: LineDecision.NOTIFICATION_ONLY,
}
# Lines whose service will not happen: left out of the member's earlier services.
_NOT_PERFORMED = (LineDecision.NON_AUTHORIZED.value, LineDecision.CANCELLED.value)


@dataclass(frozen=True)
class DuplicateNotice:
    order_number: str
    status: str
    window: str


@dataclass(frozen=True)
class SubmitResult:
    order_number: str = ""
    status: str = ""
    problems: tuple[str, ...] = ()
    duplicates: tuple[DuplicateNotice, ...] = ()

    @property
    def submitted(self) -> bool:
        return bool(self.order_number)


def _details(session: Session, order: Order):
    """The order's program answers, validated by the program's schema; None when they no longer
    validate (e.g. an older order after a schema change), so the default validity applies."""
    program = get_program(order.program)
    try:
        return program.details_schema.model_validate(order.details, context=details_context(session, order))
    except ValidationError:
        return None


def approval_window(session: Session, order: Order) -> DateWindow:
    """First and last day an approval of ``order`` is valid: its program's validity policy (days
    per plan, business days, an inpatient stay...) from the date of service."""
    plan = get_existing(session, HealthPlan, order.plan_id)
    service_date = service_date_of(order)
    days = plan_validity_days(
        session, plan_id=order.plan_id, program=order.program, member_id=order.member_id, on=service_date
    )
    if days is not None:  # the plan's own length for this delegation (services/plan_setup.py)
        return validity_window(start=service_date, days=days)
    start, end = get_program(order.program).approval_window(plan.code, service_date, _details(session, order))
    return DateWindow(start, end)


def _prior_services(session: Session, order: Order) -> tuple[PriorService, ...]:
    """The member's earlier requested services in this program (not cancelled or denied), for
    frequency limits such as injections per rolling 12 months."""
    rows = session.exec(
        select(OrderLine.code, col(Order.service_start), Order.details)
        .join(Order, col(Order.id) == OrderLine.order_id)
        .where(
            Order.member_id == order.member_id,
            Order.program == order.program,
            Order.id != order.id,
            col(Order.order_number).is_not(None),
            col(Order.service_start).is_not(None),
            col(OrderLine.decision).not_in(_NOT_PERFORMED),
        )
    ).all()
    services = []
    for code, start, details in rows:
        assert start is not None  # selected with service_start IS NOT NULL
        services.append(
            PriorService(
                code=code, service_date=start, body_region=str((details or {}).get("spine_region", ""))
            )
        )
    return tuple(services)


def _filed_requests(session: Session, order: Order) -> list[FiledRequest]:
    others = session.exec(
        select(Order).where(
            Order.member_id == order.member_id,
            Order.program == order.program,
            Order.id != order.id,
            col(Order.order_number).is_not(None),
        )
    ).all()
    filed = []
    for other in others:
        codes = session.exec(select(OrderLine.code).where(OrderLine.order_id == other.id)).all()
        assert other.member_id is not None  # selected with member_id = the draft's member
        filed.append(
            FiledRequest(
                order_number=number_of(other),
                member_id=other.member_id,
                program=other.program,
                codes=frozenset(codes),
                window=approval_window(session, other),
                status=other.status,
            )
        )
    return filed


def duplicates_of(session: Session, *, actor: Actor, order_id: int) -> list[DuplicateNotice]:
    """Similar requests on file for the same member whose windows overlap this draft's."""
    order = editable_draft(session, actor, order_id)
    return _duplicates(session, order)


def _duplicates(session: Session, order: Order) -> list[DuplicateNotice]:
    if order.member_id is None or order.service_start is None:
        return []
    codes = frozenset(session.exec(select(OrderLine.code).where(OrderLine.order_id == order.id)).all())
    window = approval_window(session, order)
    found = find_duplicates(
        member_id=order.member_id,
        program=order.program,
        codes=codes,
        window=window,
        filed=_filed_requests(session, order),
    )
    return [
        DuplicateNotice(f.order_number, OrderStatus(f.status).label, f"{f.window.start} to {f.window.end}")
        for f in found
    ]


def _completeness_problems(session: Session, order: Order, today: date) -> list[str]:
    problems = []
    if order.member_id is None or not order.member_confirmed:
        problems.append("Choose and confirm the member.")
    elif order.service_start is not None and (  # no date yet: "Enter the date of service." below
        problem := eligibility_problem(get_existing(session, Member, order.member_id), order.service_start)
    ):
        problems.append(problem)
    if order.ordering_provider_id is None or (
        order.servicing_provider_id is None and order.facility_id is None
    ):
        problems.append("Choose the ordering provider and where the service will be performed.")
    if not session.exec(select(OrderLine.id).where(OrderLine.order_id == order.id)).first():
        problems.append("Answer the program's questions and choose the procedure.")
    if not session.exec(select(OrderDiagnosis.id).where(OrderDiagnosis.order_id == order.id)).first():
        problems.append("Add at least one diagnosis.")
    if order.service_start is None:
        problems.append("Enter the date of service.")
    elif problem := retro_request_problem(order.service_start, today):
        problems.append(problem)
    if order.urgency == Urgency.URGENT and not order.urgency_reason:
        problems.append("Give the clinical reason this request is urgent.")
    if order.service_start is not None and order.member_id is not None and _details(session, order) is None:
        # The answers were valid when saved; a later change (e.g. the date of service) broke them.
        problems.append(
            "Some answers to the program's questions no longer fit the request (for example the "
            "date of service changed): go back to the request details and save them again."
        )
    return problems


def _result_of(order: Order) -> SubmitResult:
    return SubmitResult(order_number=number_of(order), status=OrderStatus(order.status).label)


def submit_order(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    duplicates_acknowledged: bool = False,
    today: date | None = None,
) -> SubmitResult:
    """Submit a completed draft: the rules engine decides each line at once or pends it."""
    require(session, actor, "order.create", record=f"order:{order_id}")
    existing = session.get(Order, order_id)
    if existing is not None and existing.order_number and existing.created_by_id == actor.user_id:
        return _result_of(existing)  # a repeated submit answers with the first result
    order = editable_draft(session, actor, order_id)
    today = today or clock.today()
    problems = _completeness_problems(session, order, today)
    if problems:
        return SubmitResult(problems=tuple(problems))
    duplicates = _duplicates(session, order)
    if duplicates and not duplicates_acknowledged:
        return SubmitResult(duplicates=tuple(duplicates))
    determination = _evaluate(session, order, duplicates)
    if determination.not_managed:
        codes = ", ".join(line.code for line in determination.not_managed)
        return SubmitResult(
            problems=(
                f"{codes} is not managed for this plan on the date of service: contact the health plan. "
                "Nothing has been submitted.",
            )
        )
    try:
        _record_submission(session, actor, order, determination, duplicates)
    except StaleDataError:
        session.rollback()
        again = session.get(Order, order_id)
        if again is not None and again.order_number:
            return _result_of(again)
        raise
    return _result_of(order)


@dataclass(frozen=True)
class Preview:
    """What submitting a completed draft would decide, without submitting it (CRD asks before it
    creates an authorization): ``problems`` as submit_order gives them, whether every line would be
    authorized at once (rules engine or gold card), and the rules engine's criterion results."""

    problems: tuple[str, ...] = ()
    all_authorized: bool = False
    results: tuple = ()


def preview_submission(
    session: Session, *, actor: Actor, order_id: int, today: date | None = None
) -> Preview:
    order = editable_draft(session, actor, order_id)
    today = today or clock.today()
    problems = _completeness_problems(session, order, today)
    duplicates = [] if problems else _duplicates(session, order)
    if problems or duplicates:
        found = [f"A similar request is on file: {d.order_number} ({d.status})." for d in duplicates]
        return Preview(problems=tuple(problems or found))
    determination = _evaluate(session, order, [])
    exempt = gold_card.exemptions_for_order(session, order, [o.code for o in determination.lines], today)
    authorized = all(o.outcome == Outcome.AUTHORIZED or o.code in exempt for o in determination.lines)
    return Preview(
        all_authorized=authorized and bool(determination.lines),
        results=tuple(r for o in determination.lines if o.code not in exempt for r in o.results),
    )


def _evaluate(session: Session, order: Order, duplicates: list[DuplicateNotice]):
    plan = get_existing(session, HealthPlan, order.plan_id)
    member = get_existing(session, Member, order.member_id)  # _completeness_problems checked it
    service_date = service_date_of(order)
    program = program_for_coverage(
        session, plan=plan, program=order.program, line_of_business=member.line_of_business, on=service_date
    )
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.line_number))
    ).all()
    diagnoses = session.exec(
        select(OrderDiagnosis.code)
        .where(OrderDiagnosis.order_id == order.id)
        .order_by(col(OrderDiagnosis.sequence))
    ).all()
    details = program.details_schema.model_validate(order.details, context=details_context(session, order))
    request = ProgramRequest(
        plan_code=plan.code,
        service_date=service_date,
        member_age=member_age(session, order, service_date),
        member_sex=member.sex,
        codes=tuple(line.code for line in lines),
        details=details,
        diagnosis_codes=tuple(diagnoses),
        duplicate_of=duplicates[0].order_number if duplicates else "",
        prior_services=_prior_services(session, order),
    )
    # The criteria in force on the date of service (domain/guidelines.py), handed to the pure engine.
    return evaluate(program, request, guidelines.version_in_force(session, order.program, service_date))


def _next_order_number(session: Session, year: int) -> str:
    """A random number (domain/order_numbers.py) not yet in use; the unique index is the last word."""
    for _ in range(10):
        number = new_order_number(year)
        if session.exec(select(Order.id).where(Order.order_number == number)).first() is None:
            return number
    raise RuntimeError("Could not draw an unused order number")  # 40 random bits: not in practice


def _overall_status(decisions: list[LineDecision]) -> OrderStatus:
    return order_status_for(decisions)


def _record_submission(session: Session, actor: Actor, order: Order, determination, duplicates) -> None:
    now = clock.now()
    window = approval_window(session, order)
    lines = {
        line.code: line
        for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    }
    decisions = []
    # A provider exempt for a service (gold card, services/gold_card.py) gets it approved at once.
    exempt = gold_card.exemptions_for_order(
        session,
        order,
        [o.code for o in determination.lines if o.outcome != Outcome.NOTIFICATION_ONLY],
        now.date(),
    )
    for outcome in determination.lines:
        line = lines[outcome.code]
        exemption = exempt.get(outcome.code)
        line.decision = LineDecision.AUTHORIZED if exemption else _LINE_DECISION[outcome.outcome]
        decisions.append(line.decision)
        session.add(line)
        session.add(
            Determination(
                order_line_id=id_of(line),
                decision=line.decision,
                reason_code="gold_card" if exemption else "",
                reason=(gold_card.exemption_reason(exemption) if exemption else outcome.reason)[:2000],
                guideline_citation=(
                    gold_card.citation_of(exemption.rule_set, now.date())
                    if exemption
                    else outcome.citation[:300]
                ),
                decided_by=DecidedBy.RULES_ENGINE,
                guideline_version=determination.guideline_version,
                explanation={
                    "criteria": [
                        {"id": r.criterion_id, "text": r.text, "citation": r.citation, "met": r.met}
                        for r in outcome.results
                    ]
                },
                valid_from=window.start if line.decision == LineDecision.AUTHORIZED else None,
                valid_until=window.end if line.decision == LineDecision.AUTHORIZED else None,
            )
        )
    order.status = _overall_status(decisions)
    order.order_number = _next_order_number(session, now.year)
    order.submitted_at = now
    order.duplicate_of = duplicates[0].order_number if duplicates else ""
    order.updated_by_id = actor.user_id
    order.updated_at = now
    order.wizard_step = 8
    session.add(order)
    gold_card.record_exempt_order(session, order, exempt.values())
    if order.status == OrderStatus.IN_PROGRESS:
        pended = [o.reason for o in determination.lines if o.outcome == Outcome.PENDED]
        # A criterion only a physician settles (the hospital site of care) sends the case to a physician.
        physician_reason = physician_only(
            order.program, [r for o in determination.lines if o.outcome == Outcome.PENDED for r in o.results]
        )
        session.add(
            ReviewTask.for_order(
                order,
                queue=ReviewQueue.PHYSICIAN if physician_reason else ReviewQueue.NURSE,
                reason=" ".join([*pended, physician_reason])[:2000],
                # The clock rule of the member's coverage (CMS-0057-F, or a stricter state rule):
                # domain/decision_clocks.py, stored with the order by services/decision_clocks.py.
                due_at=start_clock(session, order, now).due_at,
            )
        )
    session.flush()
    refresh_outcome(session, order)
    audit.record(
        session,
        action="order.submitted",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
        detail={"status": order.status, "duplicate_of": order.duplicate_of},
    )
    session.commit()


__all__ = ["DraftNotFound", "DuplicateNotice", "SubmitResult", "duplicates_of", "submit_order"]
