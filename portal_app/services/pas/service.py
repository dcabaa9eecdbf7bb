"""The PAS operations: `Claim/$submit` (new requests and updates) and `Claim/$inquire`.

A new request runs the wizard's own services, step by step, as the API client's service user:
`start_draft`, `choose_member`, `choose_providers`, `save_program_details`, `save_diagnoses`,
`save_urgency_and_date`, then `submit_order` (rules engine, review task, order number). The step
that refuses answers the client with that step's problem as an OperationOutcome (422), and the
draft is discarded: a refused request leaves no order behind. Updates are checked here as a whole
(PAS wording, FHIRPath of each problem), then made by the order services: `cancel_order`,
`order_changes.cancel_lines` and `change_lines` (single items), `add_clinical_information`,
`store_document`.

A Claim identifier is used once per organization: the first `$submit` reserves it, and a repeat of
the same Claim returns the order's current response instead of a second order (a different Claim
under a used identifier is refused, 409).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import (
    AuditOutcome,
    LineDecision,
    OrderStatus,
    Program,
    Urgency,
)
from portal_app.domain.file_types import exchange_problem, sniff_exchange_type
from portal_app.domain.programs import PROGRAMS, ProgramDefinition
from portal_app.models import (
    Determination,
    Facility,
    HealthPlan,
    Member,
    Order,
    OrderDiagnosis,
    OrderLine,
    PasSubmission,
    Practice,
    Provider,
)
from portal_app.models.api import SubmissionKind
from portal_app.models.base import get_existing, id_of
from portal_app.models.orders import number_of
from portal_app.services import audit
from portal_app.services import order_entry as entry
from portal_app.services.api_clients import ApiPrincipal, client_npis
from portal_app.services.authz import require
from portal_app.services.code_lists import code_index_in_force
from portal_app.services.coverage_requirements import requirement_for
from portal_app.services.documents import DocumentRefused, store_document
from portal_app.services.order_changes import ChangeRefused, cancel_lines, change_lines
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import (
    OrderNotFound,
    add_clinical_information,
    cancel_order,
    may_read_order,
)
from portal_app.services.pas import vocabulary as v
from portal_app.services.pas.outcomes import Issue, PasProblem
from portal_app.services.pas.programs import (
    built_program,
    details_from_answers,
    named_program,
)
from portal_app.services.pas.requests import (
    Attachment,
    ClaimRequest,
    Party,
    RequestedItem,
    echo_entries,
    member_number_of,
    parse_inquiry,
    parse_submit,
    without_attachment_data,
)
from portal_app.services.pas.responses import Echo, LineView, OrderView, response_bundle
from portal_app.services.plan_setup import delegation_in_force
from portal_app.services.program_routing import program_for

STALE_RESERVATION = timedelta(minutes=2)  # a reservation older than this without an order was abandoned
MAX_INQUIRY_RESULTS = 20
_CLOSED = (
    OrderStatus.VOLUNTARILY_CANCELLED,
    OrderStatus.NOT_REVIEWED_ERROR_ENTRY,
    OrderStatus.VOLUNTARILY_WITHDRAWN,
)

# Where a wizard step's problem lies in the request (FHIRPath), and the wording an integrator needs
# where the wizard's own sentence speaks of its screens.
_STEP_EXPRESSIONS = {
    "plan": "Claim.insurer",
    "service_date": "Claim.item.servicedDate",
    "program": "Claim.item.productOrService",
    "member": "Claim.patient",
    "ordering": "ServiceRequest.requester",
    "servicing": "ServiceRequest.performer",
    "letters": "Claim.provider",
    "codes": "Claim.item.productOrService",
    "no_request": "QuestionnaireResponse",
    "diagnoses": "Claim.diagnosis",
    "urgency": "Claim.priority",
    "urgency_reason": "Claim.extension",
}


@dataclass(frozen=True)
class PasAnswer:
    status: int
    body: dict[str, Any]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _audit(
    session: Session,
    principal: ApiPrincipal,
    action: str,
    *,
    order_id: int | str = "",
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    **detail: Any,
) -> None:
    audit.record(
        session,
        action=action,
        user_id=principal.actor.user_id,
        record_type="order" if order_id else "",
        record_id=order_id,
        outcome=outcome,
        client_address=principal.actor.client_address,
        detail={"client_id": principal.client_id, **detail},
    )


# --- reading an order as PAS shows it --------------------------------------------------------


def _initial_submission(session: Session, order_id: int) -> PasSubmission | None:
    return session.exec(
        select(PasSubmission).where(
            PasSubmission.order_id == order_id, PasSubmission.kind == SubmissionKind.INITIAL
        )
    ).first()


def order_view(session: Session, order: Order, initial: PasSubmission | None) -> OrderView:
    """The order's current state as plain values for `responses.claim_response`."""
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.line_number))
    ).all()
    latest: dict[int, Determination] = {}
    if lines:
        for determination in session.exec(
            select(Determination)
            .where(col(Determination.order_line_id).in_([line.id for line in lines]))
            .order_by(col(Determination.id))
        ).all():
            latest[determination.order_line_id] = determination
    items = {
        item["line_number"]: item
        for item in (initial.items if initial else [])
        if item.get("line_number") and item.get("order_id", order.id) == order.id
    }
    member = session.get(Member, order.member_id) if order.member_id else None
    plan = get_existing(session, HealthPlan, order.plan_id)
    practice = session.get(Practice, order.practice_id)
    views = []
    for line in lines:
        decision = latest.get(id_of(line))
        item = items.get(line.line_number, {})
        views.append(
            LineView(
                line_number=line.line_number,
                sequence=int(item.get("sequence", line.line_number)),
                code_system=line.code_system,
                code=line.code,
                description=line.description,
                quantity=line.quantity,
                decision=str(line.decision),
                reason=decision.reason if decision else "",
                reason_code=_reason_code(decision, str(line.decision)),
                citation=decision.guideline_citation if decision else "",
                approved_quantity=decision.approved_quantity if decision else None,
                valid_from=decision.valid_from if decision else None,
                valid_until=decision.valid_until if decision else None,
                decided_on=_aware(decision.decided_at).date() if decision and decision.decided_at else None,
                human_review=bool(decision and decision.decided_by_user_id),
                trace_number=item.get("trace_number"),
            )
        )
    return OrderView(
        order_number=order.order_number or "",
        status=str(order.status),
        status_label=OrderStatus(order.status).label,
        program=str(order.program),
        lines=tuple(views),
        cancel_reason=order.cancel_reason,
        member_number=member.member_number if member else "",
        member_family=member.last_name if member else "",
        member_given=member.first_name if member else "",
        member_birth_date=member.date_of_birth if member else None,
        member_sex=str(member.sex) if member else "",
        plan_code=plan.code,
        plan_name=plan.name,
        practice_name=practice.name if practice else "",
        practice_tax_id=practice.tax_id if practice else "",
    )


def _reason_code(decision: Determination | None, line_decision: str) -> str:
    """The criterion the decision rests on: the reviewer's, else the first criterion the rules
    engine found not met (pended lines), else the first met (approvals)."""
    if decision is None:
        return ""
    if decision.reason_code:
        return decision.reason_code
    criteria = (decision.explanation or {}).get("criteria", [])
    wanted = line_decision in (LineDecision.AUTHORIZED, LineDecision.NOTIFICATION_ONLY)
    for criterion in criteria:
        if (criterion.get("met") is True) == wanted and criterion.get("id"):
            return str(criterion["id"])
    return ""


def _echo(stored: dict[str, Any], request: ClaimRequest | None = None) -> Echo:
    kept = echo_entries(stored)
    if request is not None:
        return Echo(
            claim_identifier=(request.identifier_system, request.identifier_value),
            claim_type=request.claim_type,
            patient=request.patient_entry or kept.get("patient", {}),
            insurer=request.insurer_entry or kept.get("insurer", {}),
            requester=request.requester_entry or kept.get("requester", {}),
        )
    return Echo(
        kept.get("claim_identifier"),
        kept.get("claim_type", {}),
        kept.get("patient", {}),
        kept.get("insurer", {}),
        kept.get("requester", {}),
    )


def response_for_order(
    session: Session,
    order: Order,
    *,
    request: ClaimRequest | None = None,
    submission: PasSubmission | None = None,
    inquiry: bool = False,
) -> dict[str, Any]:
    """The PAS response Bundle for ``order`` now (the caller has checked access)."""
    initial = _initial_submission(session, id_of(order))
    if initial is not None:
        return submission_response(session, initial, request=request, inquiry=inquiry)
    stored = submission.request_bundle if submission else {}
    return response_bundle(
        order_view(session, order, initial), _echo(stored, request), created=clock.now(), inquiry=inquiry
    )


def submission_response(
    session: Session, initial: PasSubmission, *, request: ClaimRequest | None = None, inquiry: bool = False
) -> dict[str, Any]:
    """The PAS response Bundle for a request as it stands now: the lines of every order it made
    (one per program) and the items answered without an order (not managed, information needed)."""
    return response_bundle(
        combined_view(session, initial),
        _echo(initial.request_bundle or {}, request),
        created=clock.now(),
        inquiry=inquiry,
    )


def combined_view(session: Session, initial: PasSubmission) -> OrderView:
    """One view of everything a submitted Claim asked for, ordered by the Claim's item sequence."""
    entries = list(initial.items or [])
    order_ids = [initial.order_id] if initial.order_id else []
    order_ids += [e["order_id"] for e in entries if e.get("order_id") and e["order_id"] not in order_ids]
    views = [order_view(session, get_existing(session, Order, order_id), initial) for order_id in order_ids]
    lines = [replace(line, order_number=view.order_number) for view in views for line in view.lines]
    identifier = initial.identifier_value
    for kept in entries:
        if kept.get("answer"):
            lines.append(
                LineView(
                    line_number=0,
                    sequence=int(kept["sequence"]),
                    code_system=str(kept.get("code_system", "")),
                    code=str(kept.get("code", "")),
                    description="",
                    quantity=int(kept.get("quantity", 1)),
                    decision=str(kept["answer"]),
                    reason=str(kept.get("reason", "")),
                    trace_number=kept.get("trace_number"),
                    number=f"{identifier}-{kept['sequence']}",
                )
            )
    lines.sort(key=lambda line: line.sequence)
    if views:
        return replace(views[0], lines=tuple(lines))
    waiting = any(line.decision == "information_needed" for line in lines)
    return OrderView(
        order_number="",
        status="",
        status_label="More information needed" if waiting else "Not managed by Precert",
        program="",
        lines=tuple(lines),
    )


# --- $submit ---------------------------------------------------------------------------------


def submit(session: Session, *, principal: ApiPrincipal, bundle: Any, today: date | None = None) -> PasAnswer:
    """`Claim/$submit`: a new request or an update; PasProblem when refused (nothing stored)."""
    require(session, principal.actor, "pas.submit", record="Claim/$submit")
    today = today or clock.now().date()
    try:
        request = parse_submit(bundle)
    except PasProblem as problem:
        _audit(
            session,
            principal,
            "pas.submit_refused",
            outcome=AuditOutcome.FAILURE,
            status=problem.status,
            issues=[issue.text[:200] for issue in problem.issues[:5]],
        )
        session.commit()
        raise
    reservation = _reserve(session, principal, request)
    if reservation.order_id is not None:  # the same Claim again: the order as it stands now
        return _repeat(session, principal, reservation, request)
    try:
        entered = (
            _apply_update(session, principal, request, today)
            if request.is_update
            else _new_request(session, principal, request, today)
        )
    except PasProblem as problem:
        session.rollback()
        _release(session, reservation)
        _audit(
            session,
            principal,
            "pas.submit_refused",
            outcome=AuditOutcome.FAILURE,
            status=problem.status,
            claim=request.identifier_value,
            issues=[issue.text[:200] for issue in problem.issues[:5]],
        )
        session.commit()
        raise
    except BaseException:
        session.rollback()
        _release(session, reservation)
        session.commit()
        raise
    reservation = get_existing(session, PasSubmission, reservation.id)
    reservation.order_id = entered.order_id
    reservation.completed_at = clock.now()
    reservation.request_bundle = without_attachment_data(bundle)
    reservation.items = entered.items
    session.add(reservation)
    _audit(
        session,
        principal,
        "pas.submitted",
        order_id=entered.order_id or "",
        claim=request.identifier_value,
        kind=str(reservation.kind),
        order_numbers=entered.order_numbers,
        answered_per_item=[e["sequence"] for e in entered.items if e.get("answer")],
    )
    session.commit()
    initial = get_existing(session, PasSubmission, entered.initial_id or reservation.id)
    return PasAnswer(200, submission_response(session, initial, request=request))


@dataclass
class _Entered:
    """What a submission did: the order it made or changed (the first, when split by program), the
    map of its items (to order lines, or answered per item), and the initial submission it updated."""

    order_id: int | None
    items: list[dict[str, Any]] = field(default_factory=list)
    order_numbers: list[str] = field(default_factory=list)
    initial_id: int | None = None


def _reserve(session: Session, principal: ApiPrincipal, request: ClaimRequest) -> PasSubmission:
    """This Claim identifier's submission: a new reservation, or the earlier one (same Claim)."""
    for _attempt in range(2):
        existing = session.exec(
            select(PasSubmission).where(
                PasSubmission.practice_id == principal.practice_id,
                PasSubmission.identifier_system == request.identifier_system,
                PasSubmission.identifier_value == request.identifier_value,
            )
        ).first()
        if existing is not None:
            if existing.request_hash != request.request_hash:
                raise _conflict(
                    session,
                    principal,
                    request,
                    "This Claim identifier was already used for a different "
                    "request; give the new Claim its own identifier.",
                )
            if existing.completed_at is not None:
                return existing
            if clock.now() - _aware(existing.created_at) < STALE_RESERVATION:
                raise _conflict(
                    session,
                    principal,
                    request,
                    "This Claim is being processed; ask again in a moment (or use $inquire).",
                )
            session.delete(existing)  # abandoned (the process stopped mid-way): start again
            session.commit()
            continue
        reservation = PasSubmission(
            api_client_id=principal.api_client_id,
            practice_id=principal.practice_id,
            identifier_system=request.identifier_system,
            identifier_value=request.identifier_value,
            kind=SubmissionKind.UPDATE if request.is_update else SubmissionKind.INITIAL,
            request_hash=request.request_hash,
            claim_full_url=request.claim_full_url[:300],
        )
        session.add(reservation)
        try:
            session.commit()
        except IntegrityError:  # the same identifier reserved a moment ago by a parallel call
            session.rollback()
            continue
        return reservation
    raise _conflict(session, principal, request, "This Claim is being processed; ask again in a moment.")


def _conflict(session: Session, principal: ApiPrincipal, request: ClaimRequest, text: str) -> PasProblem:
    _audit(
        session,
        principal,
        "pas.submit_refused",
        outcome=AuditOutcome.FAILURE,
        status=409,
        claim=request.identifier_value,
        issues=[text],
    )
    session.commit()
    return PasProblem.one(409, "conflict", text, "Claim.identifier")


def _release(session: Session, reservation: PasSubmission) -> None:
    row = session.get(PasSubmission, reservation.id)
    if row is not None and row.order_id is None:
        session.delete(row)


def _repeat(
    session: Session, principal: ApiPrincipal, submission: PasSubmission, request: ClaimRequest
) -> PasAnswer:
    initial = _initial_of(session, submission)
    if submission.order_id is None:  # answered per item, no order: the submitting organization's own
        _audit(session, principal, "pas.submit_repeated", claim=request.identifier_value)
        session.commit()
        return PasAnswer(200, submission_response(session, initial, request=request))
    order = session.get(Order, submission.order_id)
    if order is None or not may_read_order(session, principal.actor, order):
        _audit(
            session,
            principal,
            "pas.submit_refused",
            outcome=AuditOutcome.DENIED,
            status=404,
            claim=request.identifier_value,
        )
        session.commit()
        raise PasProblem.one(
            404,
            "not-found",
            "No request with this Claim identifier is visible to this client.",
            "Claim.identifier",
        )
    _audit(session, principal, "pas.submit_repeated", order_id=id_of(order), claim=request.identifier_value)
    session.commit()
    return PasAnswer(200, submission_response(session, initial, request=request))


def _initial_of(session: Session, submission: PasSubmission) -> PasSubmission:
    """The initial submission of a request (an update's items name it)."""
    named = next((e["initial"] for e in submission.items or [] if e.get("initial")), None)
    if named is not None:
        return session.get(PasSubmission, named) or submission
    if submission.kind == SubmissionKind.UPDATE and submission.order_id:
        return _initial_submission(session, submission.order_id) or submission
    return submission


def _item_lines(session: Session, order: Order, items: Iterable[RequestedItem]) -> list[dict[str, Any]]:
    """Which order line each item became (its trace number kept, to match updates and echo it)."""
    lines = {
        line.code: line.line_number
        for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    }
    return [
        {
            "sequence": item.sequence,
            "order_id": order.id,
            "line_number": lines[item.code],
            "code": item.code,
            "trace_number": item.trace_number,
        }
        for item in items
        if item.code in lines
    ]


def _answered(item: RequestedItem, answer: str, reason: str) -> dict[str, Any]:
    """An item answered without an order line: "not_managed" (CT) or "information_needed" (A4)."""
    return {
        "sequence": item.sequence,
        "code_system": item.code_system,
        "code": item.code,
        "quantity": item.quantity,
        "trace_number": item.trace_number,
        "answer": answer,
        "reason": reason[:1000],
    }


# --- a new request: the wizard's steps -------------------------------------------------------


def _member(session: Session, request: ClaimRequest) -> Member:
    query = select(Member).where(Member.member_number == request.member_number)
    plan_code = request.insurer.plan_code if request.insurer else ""
    if plan_code:
        query = query.join(HealthPlan, col(HealthPlan.id) == Member.plan_id).where(
            HealthPlan.code == plan_code.upper()
        )
    members = session.exec(query.limit(2)).all()
    if not members:
        raise PasProblem.one(
            422, "not-found", f"No member has the ID {request.member_number}.", "Coverage.subscriberId"
        )
    if len(members) > 1:
        raise PasProblem.one(
            422,
            "multiple-matches",
            f"Member ID {request.member_number} exists in more than one "
            f"plan: name the plan with an identifier ({v.SID_PLAN}) on the insurer.",
            "Claim.insurer",
        )
    member = members[0]
    if request.patient_birth_date is None and not request.patient_family:
        raise PasProblem.one(
            400,
            "required",
            "Give the patient's date of birth (Patient.birthDate) or family name to confirm the member.",
            "Patient.birthDate",
        )
    # PAS subscribers may come without a birth date: then the member ID and family name confirm.
    if request.patient_birth_date not in (None, member.date_of_birth) or (
        request.patient_family and request.patient_family.casefold() != member.last_name.casefold()
    ):
        raise PasProblem.one(
            422,
            "business-rule",
            f"The patient's name and date of birth do not match member "
            f"{request.member_number}'s record. Check the member ID.",
            "Claim.patient",
        )
    return member


def _provider_by_npi(session: Session, who: Party | None, what: str, expression: str) -> Provider:
    if who is None or not who.npi:
        raise PasProblem.one(
            422,
            "required",
            f"Name the {what} with an NPI (Practitioner.identifier, system {v.NPI}).",
            expression,
        )
    provider = session.exec(select(Provider).where(Provider.npi == who.npi)).first()
    if provider is None:
        raise PasProblem.one(
            422, "not-found", f"The {what} NPI {who.npi} is not in Precert's provider directory.", expression
        )
    return provider


def _servicing(session: Session, who: Party | None) -> tuple[str, int, str, str]:
    """(kind, id, name, NPI) of the servicing facility or provider."""
    expression = "ServiceRequest.performer"
    if who is None or not who.npi:
        raise PasProblem.one(
            422,
            "required",
            f"Name where the service will be performed (ServiceRequest.performer "
            f"or a care team member with role SJ or FA) with an NPI ({v.NPI}).",
            expression,
        )
    facility = session.exec(select(Facility).where(Facility.npi == who.npi)).first()
    if facility is not None:
        return "facility", id_of(facility), facility.name, facility.npi
    provider = session.exec(select(Provider).where(Provider.npi == who.npi)).first()
    if provider is not None:
        return "provider", id_of(provider), f"{provider.first_name} {provider.last_name}", provider.npi
    raise PasProblem.one(
        422, "not-found", f"The servicing NPI {who.npi} is not in Precert's provider directory.", expression
    )


def _step(
    session: Session,
    principal: ApiPrincipal,
    order_id: int | None,
    errors: dict[str, str],
    messages: dict[str, str] | None = None,
    *,
    questions: bool = False,
) -> None:
    """Turn a wizard step's problems into a refusal, discarding the draft."""
    if not errors:
        return
    if order_id is not None:
        _discard_draft(session, principal, order_id)
    issues = []
    for key, text in errors.items():
        expression = _STEP_EXPRESSIONS.get(key) or (
            f"QuestionnaireResponse.item.where(linkId='{key.split('.')[0]}')" if questions else "Claim"
        )
        issues.append(Issue("business-rule", (messages or {}).get(key, text), expression))
    raise PasProblem(422, issues)


def _discard_draft(session: Session, principal: ApiPrincipal, order_id: int) -> None:
    """Remove the draft a refused request started: the API answers all or nothing."""
    session.rollback()
    order = session.get(Order, order_id)
    if order is None or order.status != OrderStatus.DRAFT or order.created_by_id != principal.actor.user_id:
        return
    for model in (OrderLine, OrderDiagnosis):
        for row in session.exec(select(model).where(model.order_id == order_id)).all():
            session.delete(row)
    session.flush()
    session.delete(order)
    _audit(session, principal, "pas.draft_discarded", order_id=order_id)
    session.commit()


@dataclass(frozen=True)
class _Found:
    """What a new request names, looked up: the member and plan, the program, the providers, and
    where the letters go."""

    member: Member
    plan: HealthPlan
    program: Program
    definition: ProgramDefinition
    ordering: Provider
    servicing: tuple[str, int, str, str]  # (kind, id, name, NPI), see _servicing
    letter_address: str
    letter_fax: str


def _new_request(session: Session, principal: ApiPrincipal, request: ClaimRequest, today: date) -> _Entered:
    """Each item to the program that manages its code for the member's plan on the date (a Claim
    spanning programs becomes one order per program, each through the wizard's steps as the
    client's service user); items no program manages, and items whose program needs what the
    Claim does not say, are answered per item. A refused step discards the draft."""
    _check_requester(principal, request)
    _refuse_bad_documents(request.attachments)
    named = named_program(request)
    if named is not None:  # refuse a program Precert does not run before looking at anything else
        built_program(named)
    member = _member(session, request)
    plan = get_existing(session, HealthPlan, member.plan_id)
    groups, answers = _triage(session, request, plan, member.line_of_business, named, today)
    entered = _Entered(None)
    for program, items in groups.items():
        missing = _missing_for_review(request)
        if missing:
            answers += [_answered(item, "information_needed", missing) for item in items]
            continue
        part = replace(request, items=tuple(items), program=program.value)
        try:
            order = _enter_order(session, principal, part, member, plan, program, today)
        except PasProblem as problem:
            questions = all(i.expression.startswith("QuestionnaireResponse") for i in problem.issues)
            if problem.status != 422 or not (entered.order_numbers or questions):
                raise  # nothing entered yet: the request is refused as a whole
            answers += [_answered(item, "information_needed", _said(problem)) for item in items]
            continue
        entered.order_id = entered.order_id or order.id
        entered.order_numbers.append(number_of(order))
        entered.items += _item_lines(session, order, items)
    _attach_to_first_pended(session, principal, entered, request)
    entered.items += answers
    return entered


def _said(problem: PasProblem) -> str:
    return "More information is needed before this item can be reviewed: " + " ".join(
        issue.text for issue in problem.issues
    )


def _missing_for_review(request: ClaimRequest) -> str:
    """What the wizard needs that the Claim does not say (PAS makes both optional), or ""."""
    missing = []
    if request.service_date is None:
        missing.append("the planned date of service (item.servicedDate, admission dates or an Encounter)")
    if not request.diagnoses:
        missing.append("at least one ICD-10-CM diagnosis (Claim.diagnosis)")
    if not missing:
        return ""
    return (
        f"More information is needed before this item can be reviewed: {' and '.join(missing)}. "
        "Send it in an update of this Claim (Claim.related) or in a new request."
    )


def _triage(
    session: Session,
    request: ClaimRequest,
    plan: HealthPlan,
    line_of_business: str,
    named: Program | None,
    today: date,
) -> tuple[dict[Program, list[RequestedItem]], list[dict[str, Any]]]:
    """The items by the program that manages each for the member's coverage (the one the item or
    Claim names, when it manages the code, else the one ``requirement_for`` finds), and the items
    answered per item: no CPT or HCPCS code (information needed), or not managed for this member's
    coverage on the date (with the reason: contact the health plan)."""
    on = request.service_date or today
    groups: dict[Program, list[RequestedItem]] = {}
    answers = []
    for item in request.items:
        if item.cancelled:
            continue
        if not item.coded:
            answers.append(
                _answered(
                    item,
                    "information_needed",
                    f"{item.code} ({item.description or item.code_system}) is not a CPT or HCPCS code; "
                    "Precert reviews procedures and drugs by those codes. Send the code in an update "
                    "of this Claim, or ask the health plan about this service.",
                )
            )
            continue
        program, reason = _program_for(session, item, named, plan, line_of_business, on)
        if program is not None:
            program = _routed(session, plan, line_of_business, item.code, on, program)
        if program is None:
            answers.append(_answered(item, "not_managed", reason))
            continue
        groups.setdefault(program, []).append(item)
    return groups, answers


def _program_for(
    session: Session,
    item: RequestedItem,
    named: Program | None,
    plan: HealthPlan,
    line_of_business: str,
    on: date,
) -> tuple[Program | None, str]:
    """The program for one item: the one the item, its service type or the Claim names if it is
    delegated for the member's coverage and manages the code then, else the one
    ``requirement_for`` finds; None and the reason when no program manages it for this coverage."""
    said = [Program(item.program)] if item.program in {p.value for p in Program} else []
    if item.category in v.SERVICE_TYPE_PROGRAMS:
        said.append(Program(v.SERVICE_TYPE_PROGRAMS[item.category]))
    if named is not None:
        said.append(named)
    for program in said:
        if program not in PROGRAMS:
            continue
        delegated = delegation_in_force(
            session, plan_id=id_of(plan), program=program, line_of_business=line_of_business, on=on
        )
        index = code_index_in_force(
            session, plan=plan, program=program, line_of_business=line_of_business, on=on
        )
        if delegated is not None and item.code.strip().upper() in index:
            return program, ""
    needed = requirement_for(
        session, plan_id=id_of(plan), line_of_business=line_of_business, service_code=item.code, on_date=on
    )
    return (needed.program if needed.managed else None), needed.reason


def _routed(
    session: Session, plan: HealthPlan, line_of_business: str, code: str, on: date, program: Program
) -> Program:
    """The program the plan routes the code to (e.g. echo to cardiology), when that program is
    delegated for the member's coverage and its code list in force has the code."""
    routed = program_for(
        session,
        plan_id=id_of(plan),
        service_code=code,
        on_date=on,
        default=program,
        line_of_business=line_of_business,
    )
    if routed == program:
        return program
    delegated = delegation_in_force(
        session, plan_id=id_of(plan), program=routed, line_of_business=line_of_business, on=on
    )
    index = code_index_in_force(session, plan=plan, program=routed, line_of_business=line_of_business, on=on)
    return routed if delegated is not None and code.strip().upper() in index else program


def _enter_order(
    session: Session,
    principal: ApiPrincipal,
    request: ClaimRequest,
    member: Member,
    plan: HealthPlan,
    program: Program,
    today: date,
) -> Order:
    """One program's items through the wizard's steps, then submitted (rules engine)."""
    order_id = enter_draft(session, principal, request, member, plan, program, today)
    return _submit_step(session, principal, order_id, request, today)


def enter_draft(
    session: Session,
    principal: ApiPrincipal,
    request: ClaimRequest,
    member: Member,
    plan: HealthPlan,
    program: Program,
    today: date,
) -> int:
    """One program's items through the wizard's steps up to submission; the draft's id. A refused
    step discards the draft and raises its PasProblem (the CRD service reads it too)."""
    found = _look_up(session, request, member, plan, program)
    order_id = _start_step(session, principal, request, found, today)
    _member_step(session, principal, order_id, found)
    _providers_step(session, principal, order_id, request, found)
    _details_step(session, principal, order_id, request, found)
    _diagnoses_step(session, principal, order_id, request)
    _urgency_step(session, principal, order_id, request, today)
    _set_quantities(session, order_id, request)
    return order_id


def discard_draft(session: Session, principal: ApiPrincipal, order_id: int) -> None:
    """Remove a draft entered by ``enter_draft`` that will not be submitted."""
    _discard_draft(session, principal, order_id)


def _check_requester(principal: ApiPrincipal, request: ClaimRequest) -> None:
    """The requesting organization, when it gives a tax ID, is the client's own."""
    requester = request.requester
    if (
        requester
        and requester.tax_id
        and requester.tax_id.replace("-", "") != principal.tax_id.replace("-", "")
    ):
        raise PasProblem.one(
            403,
            "forbidden",
            "The requesting organization's tax ID is not the one this client is registered for.",
            "Claim.provider",
        )


def _refuse_bad_documents(attachments: Iterable[Attachment]) -> None:
    """Every document is of a type Precert keeps (PDF, PNG, JPEG, TIFF by content) and size."""
    for attachment in attachments:
        if problem := exchange_problem(attachment.content):
            raise PasProblem.one(
                422, "value", f"{attachment.filename}: {problem}", "DocumentReference.content"
            )


def _look_up(
    session: Session, request: ClaimRequest, member: Member, plan: HealthPlan, program: Program
) -> _Found:
    definition = built_program(program)
    ordering = _provider_by_npi(session, request.ordering, "ordering provider", "ServiceRequest.requester")
    servicing = _servicing(session, request.servicing)
    letter_address, letter_fax = _letter_contact(request, ordering)
    return _Found(member, plan, program, definition, ordering, servicing, letter_address, letter_fax)


def _letter_contact(request: ClaimRequest, ordering: Provider) -> tuple[str, str]:
    """(address, fax) for the decision letters: the requesting Organization's, else the ordering
    provider's as the Bundle gives them, else as Precert's directory has them."""
    sender = (
        request.requester if request.requester and request.requester.resource_type == "Organization" else None
    )
    address = (
        (sender.address if sender else "")
        or (request.ordering.address if request.ordering else "")
        or f"{ordering.address_line}, {ordering.city}, {ordering.state} {ordering.postal_code}"
    )
    fax = (sender.fax if sender else "") or (request.ordering.fax if request.ordering else "") or ordering.fax
    return address, fax


def _start_step(
    session: Session, principal: ApiPrincipal, request: ClaimRequest, found: _Found, today: date
) -> int:
    order_id, started = entry.start_draft(
        session,
        actor=principal.actor,
        plan_id=id_of(found.plan),
        program=found.program.value,
        service_date=request.service_date,
        today=today,
    )
    service_date = request.service_date
    if service_date is None:  # _new_request answers a request without one per item
        raise ValueError("a request without a date of service reached the wizard")
    plan = found.plan.name
    _step(
        session,
        principal,
        order_id,
        started.errors,
        {
            "plan": f"Your organization has no provider in {plan}'s network, so it cannot send this "
            "plan requests.",
            "program": f"{plan} does not delegate the {found.program.label.lower()} program to Precert on "
            f"{service_date.isoformat()}.",
        },
    )
    assert order_id is not None  # start_draft makes no draft only with errors, which _step refused
    return order_id


def _member_step(session: Session, principal: ApiPrincipal, order_id: int, found: _Found) -> None:
    chosen = entry.choose_member(
        session, actor=principal.actor, order_id=order_id, member_id=id_of(found.member), confirmed=True
    )
    _step(session, principal, order_id, chosen.errors)


def _providers_step(
    session: Session, principal: ApiPrincipal, order_id: int, request: ClaimRequest, found: _Found
) -> None:
    servicing_kind, servicing_id, servicing_name, servicing_npi = found.servicing
    chosen = entry.choose_providers(
        session,
        actor=principal.actor,
        order_id=order_id,
        ordering_provider_id=id_of(found.ordering),
        servicing_kind=servicing_kind,
        servicing_id=servicing_id,
        out_of_network_confirmed=v.ACK_OUT_OF_NETWORK in request.acknowledged,
        letter_address=found.letter_address,
        letter_fax=found.letter_fax or "none given",
    )
    _step(
        session,
        principal,
        order_id,
        chosen.errors,
        {
            "ordering": f"The ordering provider (NPI {found.ordering.npi}) does not bill under your "
            "organization's tax ID.",
            "servicing": f"{servicing_name} (NPI {servicing_npi}) is out of network for {found.plan.name}. "
            f"To go on anyway, add the extension {v.EXT_ACKNOWLEDGED} with valueCode "
            f"'{v.ACK_OUT_OF_NETWORK}' to the Claim.",
            "letters": "Give the requesting organization's address and fax number for the decision letters.",
        },
    )


def _details_step(
    session: Session, principal: ApiPrincipal, order_id: int, request: ClaimRequest, found: _Found
) -> None:
    saved = entry.save_program_details(
        session,
        actor=principal.actor,
        order_id=order_id,
        details=details_from_answers(found.definition.details_schema, _answers_for(request, found.program)),
        codes=[item.code for item in request.items],
    )
    _step(session, principal, order_id, saved.errors, questions=True)


def _answers_for(request: ClaimRequest, program: Program) -> dict[str, Any]:
    """The DTR answers for ``program``'s order: its own questionnaire's when the Claim carries one per
    program, else those of no program's questionnaire; all of them when no program is named."""
    if not request.program_answers:
        return request.answers
    return request.program_answers.get(program.value, request.program_answers.get("", {}))


def _diagnoses_step(session: Session, principal: ApiPrincipal, order_id: int, request: ClaimRequest) -> None:
    saved = entry.save_diagnoses(
        session, actor=principal.actor, order_id=order_id, codes=list(request.diagnoses)
    )
    _step(session, principal, order_id, saved.errors)


def _urgency_step(
    session: Session, principal: ApiPrincipal, order_id: int, request: ClaimRequest, today: date
) -> None:
    saved = entry.save_urgency_and_date(
        session,
        actor=principal.actor,
        order_id=order_id,
        urgency=Urgency.URGENT if request.urgent else Urgency.STANDARD,
        urgency_reason=request.urgency_reason,
        service_date=request.service_date,
        today=today,
    )
    _step(
        session,
        principal,
        order_id,
        saved.errors,
        {
            "urgency_reason": "An urgent request needs the clinical reason (extension "
            f"{v.EXT_URGENCY_REASON}, or a free-form message in supportingInfo)."
        },
    )


def _submit_step(
    session: Session, principal: ApiPrincipal, order_id: int, request: ClaimRequest, today: date
) -> Order:
    """`submit_order` (rules engine, review task); a similar request on file refuses unless the
    Claim acknowledges it. A pended request gets the documents and messages sent with it."""
    result = submit_order(
        session,
        actor=principal.actor,
        order_id=order_id,
        duplicates_acknowledged=v.ACK_DUPLICATE in request.acknowledged,
        today=today,
    )
    if result.problems:
        _step(session, principal, order_id, {f"submit{n}": text for n, text in enumerate(result.problems)})
    if result.duplicates:
        found = "; ".join(f"{d.order_number} ({d.status}, {d.window})" for d in result.duplicates)
        _discard_draft(session, principal, order_id)
        raise PasProblem.one(
            422,
            "duplicate",
            f"Similar requests are on file for this member: {found}. If this is "
            f"a different request, add the extension {v.EXT_ACKNOWLEDGED} with valueCode "
            f"'{v.ACK_DUPLICATE}' to the Claim.",
            "Claim.item",
        )
    order = get_existing(session, Order, order_id)
    session.refresh(order)
    return order


def _attach_to_first_pended(
    session: Session, principal: ApiPrincipal, entered: _Entered, request: ClaimRequest
) -> None:
    """For the reviewer: the documents and messages sent with the request, on its first order in review."""
    for number in entered.order_numbers:
        order = session.exec(select(Order).where(Order.order_number == number)).one()
        if order.status == OrderStatus.IN_PROGRESS:
            _attach(session, principal, order, request, only_changed=False)
            return


def _set_quantities(session: Session, order_id: int, request: ClaimRequest) -> None:
    """The units each line asks for (Claim.item.quantity). The wizard has no quantity step yet, so
    the draft's lines are set here before submission."""
    wanted = {item.code: item.quantity for item in request.items}
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all()
    changed = False
    for line in lines:
        quantity = wanted.get(line.code, 1)
        if line.quantity != quantity:
            line.quantity = quantity
            session.add(line)
            changed = True
    if changed:
        session.commit()


def _safe_filename(attachment: Attachment) -> str:
    """The document's name ending in the extension of what it really is (never .html and the like)."""
    found = sniff_exchange_type(attachment.content)
    extension = found[1] if found else ""
    stem = attachment.filename.rsplit(".", 1)[0] if "." in attachment.filename else attachment.filename
    return f"{stem}{extension}"


def _attach(
    session: Session, principal: ApiPrincipal, order: Order, request: ClaimRequest, *, only_changed: bool
) -> int:
    added = 0
    for attachment in request.attachments:
        if only_changed and attachment.change not in ("added", "changed"):
            continue
        try:
            store_document(
                session,
                actor=principal.actor,
                order_number=number_of(order),
                filename=_safe_filename(attachment),
                content=attachment.content,
                exchanged=True,
            )
        except DocumentRefused as refused:
            raise PasProblem.one(
                422, "business-rule", f"{attachment.filename}: {refused}", "DocumentReference"
            ) from None
        added += 1
    for text, change in request.messages:
        if only_changed and change not in ("added", "changed"):
            continue
        if request.urgent and text == request.urgency_reason and not only_changed:
            continue  # already the urgency reason
        add_clinical_information(session, actor=principal.actor, order_number=number_of(order), text=text)
        added += 1
    return added


# --- updates (related.claim) -----------------------------------------------------------------


@dataclass(frozen=True)
class _Update:
    """What an update asks of the order, checked: lines to cancel, lines to change (with the item
    that changes each), and documents and messages to add."""

    cancels: list[OrderLine]
    changes: list[tuple[RequestedItem, OrderLine]]
    documents: list[Attachment]
    messages: list[tuple[str, str]]
    added: bool = False


def _apply_update(session: Session, principal: ApiPrincipal, request: ClaimRequest, today: date) -> _Entered:
    """Cancel the order, or cancel and change some of its lines, add new items (reviewed as a new
    order of the request) and documents and information, through the order services; everything
    is checked before anything changes. A request answered only per item is entered again."""
    initial = _prior_submission(session, principal, request)
    if initial.order_id is None:
        return _reenter(session, principal, initial, request, today)
    order = _updatable_order(session, principal, initial)
    entered = _Entered(order.id, [{"initial": initial.id}], initial_id=initial.id)
    if request.cancels_everything:
        _cancel_everything(session, principal, order, request)
        return entered
    update = _planned_update(session, order, request)
    if update.changes:
        _change_lines(session, principal, order, update.changes, today)
    if update.cancels:
        _cancel_lines(session, principal, order, update.cancels, request)
    _attach(session, principal, get_existing(session, Order, order.id), request, only_changed=True)
    added = [item for item in request.items if item.change == "added" and not item.cancelled]
    if added:
        more = _new_request(session, principal, replace(request, items=tuple(added)), today)
        initial = get_existing(session, PasSubmission, initial.id)
        initial.items = [*initial.items, *more.items]
        session.add(initial)
        entered.order_numbers = more.order_numbers
    return entered


def _reenter(
    session: Session, principal: ApiPrincipal, initial: PasSubmission, request: ClaimRequest, today: date
) -> _Entered:
    """An update of a request that made no order (its items were answered per item): the update's
    items are triaged and entered as a new request would be; cancelled items are answered C."""
    if request.cancels_everything:
        live: list[RequestedItem] = []
    else:
        live = [item for item in request.items if not item.cancelled]
    more = (
        _new_request(session, principal, replace(request, items=tuple(live)), today)
        if live
        else _Entered(None)
    )
    cancelled = [
        _answered(item, "cancelled", "Cancelled at the ordering provider's request.")
        for item in request.items
        if item.cancelled or request.cancels_everything
    ]
    initial = get_existing(session, PasSubmission, initial.id)
    initial.items = more.items + cancelled
    initial.order_id = more.order_id
    session.add(initial)
    return _Entered(more.order_id, [{"initial": initial.id}], more.order_numbers, initial.id)


def _prior_submission(session: Session, principal: ApiPrincipal, request: ClaimRequest) -> PasSubmission:
    """The initial submission of the request the earlier Claim (Claim.related) belongs to."""
    if request.related is None:  # called for updates only
        raise ValueError("this Claim is not an update: it names no earlier Claim (Claim.related)")
    system, value = request.related
    prior = session.exec(
        select(PasSubmission).where(
            PasSubmission.practice_id == principal.practice_id,
            PasSubmission.identifier_value == value,
            PasSubmission.identifier_system == system,
            col(PasSubmission.completed_at).is_not(None),
        )
    ).first()
    if prior is None:
        raise PasProblem.one(
            404,
            "not-found",
            "No earlier request of your organization has the Claim identifier named in Claim.related.",
            "Claim.related.claim",
        )
    return _initial_of(session, prior)


def _updatable_order(session: Session, principal: ApiPrincipal, initial: PasSubmission) -> Order:
    """The order the earlier Claim made, if the client may see it and it may change."""
    order = session.get(Order, initial.order_id)
    if order is None or not may_read_order(session, principal.actor, order):
        raise PasProblem.one(
            404,
            "not-found",
            "No earlier request of your organization has the Claim identifier named in Claim.related.",
            "Claim.related.claim",
        )
    if order.status == OrderStatus.NON_AUTHORIZED:
        raise PasProblem.one(
            422,
            "business-rule",
            "A denied request cannot be updated. Submit a new request, or ask "
            "for a reconsideration or an appeal.",
            "Claim.related",
        )
    if order.status in _CLOSED:
        raise PasProblem.one(
            422,
            "business-rule",
            "This request was cancelled and cannot be updated; submit a new request.",
            "Claim.related",
        )
    return order


def _cancel_everything(
    session: Session, principal: ApiPrincipal, order: Order, request: ClaimRequest
) -> None:
    reason = (
        next((text for text, _ in request.messages), "")
        or f"Cancelled by the ordering provider's system (Claim {request.identifier_value})."
    )
    try:
        cancel_order(
            session,
            actor=principal.actor,
            order_number=number_of(order),
            entered_in_error=False,
            reason=reason,
        )
    except (ValueError, OrderNotFound) as refused:
        raise PasProblem.one(422, "business-rule", str(refused), "Claim.related") from None


def _planned_update(session: Session, order: Order, request: ClaimRequest) -> _Update:
    """The update's items matched to the order's lines and every change checked (PasProblem 422)."""
    initial = _initial_submission(session, id_of(order))
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.line_number))
    ).all()
    matched = [
        (item, _line_for(item, lines, initial))
        for item in request.items
        if item.cancelled or item.change == "changed"
    ]
    checked = [(item, _check_matched_item(item, line)) for item, line in matched]
    cancels = [line for item, line in checked if item.cancelled and line.decision != LineDecision.CANCELLED]
    changes = [(item, line) for item, line in checked if not item.cancelled and item.change == "changed"]
    for item, line in changes:
        _check_changeable_item(item, line)
    update = _Update(
        cancels,
        changes,
        [a for a in request.attachments if a.change in ("added", "changed")],
        [m for m in request.messages if m[1] in ("added", "changed")],
        any(item.change == "added" and not item.cancelled for item in request.items),
    )
    _check_additions(order, update)
    return update


def _item_expression(item: RequestedItem) -> str:
    return f"Claim.item.where(sequence={item.sequence})"


def _check_matched_item(item: RequestedItem, line: OrderLine | None) -> OrderLine:
    """An item flagged cancelled or changed is one of the order's lines, and not a denied one: that line."""
    if item.change == "added" and not item.cancelled:
        raise PasProblem.one(
            422,
            "not-supported",
            "Items cannot be added to a submitted request; submit a new request for them.",
            _item_expression(item),
        )
    if line is None:
        raise PasProblem.one(
            422,
            "not-found",
            f"Item {item.sequence} ({item.code}) is not part of the earlier request.",
            _item_expression(item),
        )
    if line.decision == LineDecision.NON_AUTHORIZED:
        raise PasProblem.one(
            422,
            "business-rule",
            f"Item {item.sequence} was denied and cannot be updated; submit a new request.",
            _item_expression(item),
        )
    return line


def _check_changeable_item(item: RequestedItem, line: OrderLine) -> None:
    if line.decision != LineDecision.PENDED:
        raise PasProblem.one(
            422,
            "business-rule",
            f"Item {item.sequence} has been decided already; only items "
            "still under review can be changed. Cancel it and submit a new request.",
            _item_expression(item),
        )


def _check_additions(order: Order, update: _Update) -> None:
    """Documents and messages only while in review, documents of a kind Precert keeps, and the
    update changes something."""
    if (update.documents or update.messages) and order.status != OrderStatus.IN_PROGRESS:
        raise PasProblem.one(
            422,
            "business-rule",
            "Documents and information can be added only while the request is in review.",
            "Claim.supportingInfo",
        )
    _refuse_bad_documents(update.documents)
    if not (update.cancels or update.changes or update.documents or update.messages or update.added):
        raise PasProblem.one(
            422,
            "business-rule",
            "The update changes nothing: flag cancelled items with the "
            "infoCancelled modifier extension, changed items and added documents with infoChanged.",
            "Claim.item",
        )


def _line_for(item, lines: Sequence[OrderLine], initial: PasSubmission | None) -> OrderLine | None:
    by_number = {line.line_number: line for line in lines}
    for kept in initial.items if initial else []:
        if item.trace_number and kept.get("trace_number") == item.trace_number:
            return by_number.get(kept["line_number"])
    for kept in initial.items if initial else []:
        if kept.get("sequence") == item.sequence and kept.get("code") == item.code:
            return by_number.get(kept["line_number"])
    return next((line for line in lines if line.code == item.code), None)


def _cancel_lines(
    session: Session, principal: ApiPrincipal, order: Order, cancels: list[OrderLine], request: ClaimRequest
) -> None:
    """Cancel some items (`order_changes.cancel_lines`); all of them cancels the order."""
    try:
        cancel_lines(
            session,
            actor=principal.actor,
            order_number=number_of(order),
            line_numbers=[line.line_number for line in cancels],
            by=f"the ordering provider's system (Claim {request.identifier_value})",
            reason=next((text for text, _ in request.messages), ""),
            audit_detail={"client_id": principal.client_id},
        )
    except ValueError as refused:  # ChangeRefused, or cancel_order's refusal
        raise PasProblem.one(422, "business-rule", str(refused), "Claim.item") from None


def _change_lines(
    session: Session,
    principal: ApiPrincipal,
    order: Order,
    changes: list[tuple[RequestedItem, OrderLine]],
    today: date,
) -> None:
    """New quantities (and date of service) for items still under review (`order_changes.change_lines`)."""
    dates = {item.service_date for item, _ in changes if item.service_date}
    if len(dates) > 1:
        raise PasProblem.one(
            422,
            "business-rule",
            "All items of a request share one date of service.",
            "Claim.item.servicedDate",
        )
    try:
        change_lines(
            session,
            actor=principal.actor,
            order_number=number_of(order),
            quantities={line.line_number: item.quantity for item, line in changes},
            service_date=next(iter(dates), None),
            today=today,
            by="the ordering provider's system",
            audit_detail={"client_id": principal.client_id},
        )
    except ChangeRefused as refused:
        expression = "Claim.item.servicedDate" if refused.about == "service_date" else "Claim.item"
        raise PasProblem.one(422, "business-rule", str(refused), expression) from None


# --- $inquire --------------------------------------------------------------------------------


def inquire(session: Session, *, principal: ApiPrincipal, bundle: Any) -> PasAnswer:
    """`Claim/$inquire`: the current response for requests matching the member ID and an ordering or
    rendering NPI that the calling organization answers for (PAS: member ID plus NPI must match)."""
    require(session, principal.actor, "pas.inquire", record="Claim/$inquire")
    legacy = _legacy_inquiry(bundle)
    if isinstance(bundle, dict) and bundle.get("resourceType") == "Parameters":  # STU 2.2: parameter resource
        bundle = next(
            (p.get("resource") for p in bundle.get("parameter", []) if p.get("name") == "resource"), None
        )
    try:
        inquiry = parse_inquiry(bundle)
    except PasProblem as problem:
        _audit(session, principal, "pas.inquiry_refused", outcome=AuditOutcome.FAILURE, status=problem.status)
        session.commit()
        raise
    mine = inquiry.npis & client_npis(session, principal)
    query = (
        select(Order)
        .join(Member, col(Member.id) == Order.member_id)
        .where(Member.member_number == inquiry.member_number, col(Order.order_number).is_not(None))
    )
    if inquiry.plan_code:
        query = query.join(HealthPlan, col(HealthPlan.id) == Order.plan_id).where(
            HealthPlan.code == inquiry.plan_code
        )
    if inquiry.identifier:
        named = session.exec(
            select(PasSubmission.order_id).where(
                PasSubmission.identifier_system == inquiry.identifier[0],
                PasSubmission.identifier_value == inquiry.identifier[1],
                col(PasSubmission.order_id).is_not(None),
            )
        ).all()
        if named:
            query = query.where(col(Order.id).in_(named))
    candidates = session.exec(
        query.order_by(col(Order.submitted_at).desc(), col(Order.id).desc()).limit(200)
    ).all()
    found = []
    for order in candidates:
        if (
            inquiry.patient_birth_date
            and get_existing(session, Member, order.member_id).date_of_birth != inquiry.patient_birth_date
        ):
            continue
        if mine & _order_npis(session, order) and (
            not inquiry.codes or inquiry.codes & _codes(session, order)
        ):
            found.append(order)
        if len(found) == MAX_INQUIRY_RESULTS:
            break
    answered = _answered_submissions(session, principal, inquiry, {id_of(order) for order in found})
    if not found and not answered:
        _audit(
            session,
            principal,
            "pas.inquiry_empty",
            outcome=AuditOutcome.DENIED if candidates else AuditOutcome.SUCCESS,
            reason="no NPI of the inquiring organization matches" if candidates else "no matching request",
            candidates=[order.id for order in candidates[:MAX_INQUIRY_RESULTS]],
        )
    for order in found:
        _audit(session, principal, "pas.inquiry", order_id=id_of(order), order_number=order.order_number)
    session.commit()
    initials = [_initial_submission(session, id_of(order)) for order in found]
    bundles = [
        submission_response(session, initial, inquiry=True)
        if initial is not None
        else response_bundle(order_view(session, order, None), Echo(), created=clock.now(), inquiry=True)
        for order, initial in zip(found, initials, strict=True)
    ]
    bundles += [submission_response(session, submission, inquiry=True) for submission in answered]
    for one in bundles:
        one["meta"] = {
            "profile": [v.PROFILE_RESPONSE_BUNDLE if legacy else v.PROFILE_INQUIRY_RESPONSE_BUNDLE]
        }
    if legacy:  # STU 2.0/2.1: one Bundle holding every ClaimResponse (none: an empty Bundle)
        entries = [entry for one in bundles for entry in one["entry"]]
        return PasAnswer(200, {**(bundles[0] if bundles else _empty_bundle()), "entry": entries})
    return PasAnswer(
        200,
        {"resourceType": "Parameters", "parameter": [{"name": "return", "resource": one} for one in bundles]},
    )


def _legacy_inquiry(body: Any) -> bool:
    """A request in the STU 2.0/2.1 style: its Bundle claims a 2.0 or 2.1 profile version."""
    profiles = ((body or {}).get("meta") or {}).get("profile", []) if isinstance(body, dict) else []
    return any("|2.0" in str(p) or "|2.1" in str(p) for p in profiles)


def _empty_bundle() -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": clock.now().isoformat(timespec="seconds"),
        "entry": [],
    }


def _answered_submissions(
    session: Session, principal: ApiPrincipal, inquiry: Any, seen: set[int]
) -> list[PasSubmission]:
    """The calling organization's own requests answered per item without an order, for the member."""
    query = select(PasSubmission).where(
        PasSubmission.practice_id == principal.practice_id,
        PasSubmission.kind == SubmissionKind.INITIAL,
        col(PasSubmission.order_id).is_(None),
        col(PasSubmission.completed_at).is_not(None),
    )
    if inquiry.identifier:
        query = query.where(
            PasSubmission.identifier_system == inquiry.identifier[0],
            PasSubmission.identifier_value == inquiry.identifier[1],
        )
    found = []
    for submission in session.exec(query.order_by(col(PasSubmission.id).desc()).limit(200)).all():
        kept = submission.request_bundle or {}
        index_entries = {e.get("fullUrl"): e.get("resource") or {} for e in kept.get("entry", [])}
        coverages = [r for r in index_entries.values() if r.get("resourceType") == "Coverage"]
        patients = [r for r in index_entries.values() if r.get("resourceType") == "Patient"]
        number = member_number_of(coverages[0] if coverages else None, patients[0] if patients else {})
        if number.upper() == inquiry.member_number:
            found.append(submission)
        if len(found) == MAX_INQUIRY_RESULTS:
            break
    return found


def _order_npis(session: Session, order: Order) -> frozenset[str]:
    npis = []
    for provider_id in (order.ordering_provider_id, order.servicing_provider_id):
        if provider_id:
            npis.append(get_existing(session, Provider, provider_id).npi)
    if order.facility_id:
        npis.append(get_existing(session, Facility, order.facility_id).npi)
    return frozenset(npis)


def _codes(session: Session, order: Order) -> frozenset[str]:
    return frozenset(session.exec(select(OrderLine.code).where(OrderLine.order_id == order.id)).all())


__all__ = ["PasAnswer", "inquire", "order_view", "response_for_order", "submit"]
