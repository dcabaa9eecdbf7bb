"""What CRD answers for one order: the program that manages its codes for the member's plan, line of
business and date (``coverage_requirements.requirement_for``, the one place that question is asked),
and, on the primary hooks, the wizard's own steps and rules engine.

* no code managed -> covered, no prior authorization;
* managed, and the order (with the DTR answers it carries) meets the guideline or the ordering
  provider is exempt (gold card) -> the order is entered and submitted as the portal's wizard would,
  as the EHR's service user for the practice of the ordering NPI: ``satisfied`` with its number;
* managed, and something is missing -> ``auth-needed`` with the program's questionnaire, what is
  missing and the documents the program lists for the criteria still open (nothing is stored).

A repeated call for the same EHR order returns the authorization already given (``CrdAuthorization``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.documents_needed import documents_needed
from portal_app.domain.enums import OrderStatus, Program, Role
from portal_app.domain.programs import PROGRAMS
from portal_app.models import (
    CrdAuthorization,
    Determination,
    HealthPlan,
    Member,
    Order,
    OrderLine,
    Practice,
    Provider,
)
from portal_app.models.base import get_existing, id_of
from portal_app.models.orders import number_of
from portal_app.services import gold_card
from portal_app.services.api_clients import ApiPrincipal
from portal_app.services.authz import Actor
from portal_app.services.coverage_requirements import Requirement, requirement_for
from portal_app.services.crd import fhir_orders as fo
from portal_app.services.crd.clients import CrdCaller
from portal_app.services.crd.ehr_data import EhrData
from portal_app.services.order_submission import preview_submission, submit_order
from portal_app.services.pas import service as pas
from portal_app.services.pas.outcomes import PasProblem
from portal_app.services.pas.requests import ClaimRequest
from portal_app.settings import get_settings

COVERED, CONDITIONAL = "covered", "conditional"
NO_AUTH, AUTH_NEEDED, SATISFIED = "no-auth", "auth-needed", "satisfied"


@dataclass(frozen=True)
class OrderAnswer:
    """CRD's answer for one order (or appointment, encounter)."""

    resource: dict[str, Any]
    covered: str
    pa_needed: str
    reason: str
    codes: tuple[str, ...] = ()
    program: Program | None = None
    order_number: str = ""
    valid: tuple[date, date] | None = None
    questionnaire: str = ""
    missing: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    # Documentation is asked for (doc-needed, questionnaire): only on primary hooks (CRD requirement
    # 167: the secondary hooks do not ask for clinical or administrative information).
    documentation: bool = False


@dataclass
class CallFacts:
    """What one call shares between its orders: the member (None: unknown to Precert), the plan."""

    member: Member | None
    plan: HealthPlan | None
    coverage_ref: str
    patient: dict[str, Any]
    order_numbers: list[str] = field(default_factory=list)


def questionnaire_url(program: Program) -> str:
    """The DTR questionnaire of a program (canonical, served by the DTR part of the FHIR API)."""
    return f"{get_settings().public_url}/fhir/Questionnaire/{program.value}"


def call_facts(session: Session, data: EhrData) -> CallFacts:
    patient = data.patient()
    coverage = data.coverage()
    # No Coverage in the EHR: nothing to assert coverage against, so nothing is decided or authorized
    # (the answer says coverage could not be determined).
    member = fo.find_member(session, patient, coverage) if coverage else None
    plan = session.get(HealthPlan, member.plan_id) if member else None
    reference = f"Coverage/{coverage['id']}" if coverage and coverage.get("id") else ""
    return CallFacts(member, plan, reference, patient)


def _requirements(
    session: Session, facts: CallFacts, codes: list[str], on: date
) -> list[tuple[str, Requirement]]:
    assert facts.member is not None and facts.plan is not None
    return [
        (
            code,
            requirement_for(
                session,
                plan_id=id_of(facts.plan),
                line_of_business=facts.member.line_of_business,
                service_code=code,
                on_date=on,
            ),
        )
        for code in codes
    ]


def _notification_only(plan: HealthPlan, program: Program, codes: list[str], on: date) -> bool:
    """Every code is notification only for the plan that year: no authorization is asked for."""
    definition = PROGRAMS[program]
    found = [definition.managed_code(plan.code, on.year, code) for code in codes]
    return all(managed is not None and managed.notification_only for managed in found)


def requirement_answer(
    session: Session, facts: CallFacts, resource: dict[str, Any], codes: list[str], on: date
) -> tuple[OrderAnswer, list[str]]:
    """The answer from the code lists alone, and the codes the managing program reviews."""
    if facts.member is None or facts.plan is None:
        return OrderAnswer(
            resource,
            CONDITIONAL,
            CONDITIONAL,
            "Precert has no record of this patient's coverage: ask the health plan.",
        ), []
    if not codes:
        return OrderAnswer(
            resource,
            COVERED,
            NO_AUTH,
            "No CPT or HCPCS code on this order: Precert reviews procedures and drugs by those codes, so "
            "it needs no prior authorization through Precert.",
        ), []
    found = _requirements(session, facts, codes, on)
    managed = [(code, req) for code, req in found if req.managed]
    if not managed:
        return OrderAnswer(resource, COVERED, NO_AUTH, found[0][1].reason, tuple(codes)), []
    program = managed[0][1].program
    assert program is not None
    mine = [code for code, req in managed if req.program == program]
    if _notification_only(facts.plan, program, mine, on):
        return OrderAnswer(resource, COVERED, NO_AUTH, managed[0][1].reason, tuple(codes), program), []
    return OrderAnswer(
        resource,
        COVERED,
        AUTH_NEEDED,
        managed[0][1].reason,
        tuple(codes),
        program,
        questionnaire=questionnaire_url(program),
    ), mine


def answer_order(
    session: Session,
    caller: CrdCaller,
    data: EhrData,
    facts: CallFacts,
    resource: dict[str, Any],
    *,
    create: bool,
) -> OrderAnswer:
    codes = fo.billing_codes(resource)
    on = fo.service_date(resource)
    first, managed = requirement_answer(session, facts, resource, codes, on)
    if first.pa_needed != AUTH_NEEDED or not create:
        return first
    return _try_authorize(session, caller, data, facts, resource, first, managed, on)


def _needed(first: OrderAnswer, *missing: str, documents: tuple[str, ...] = ()) -> OrderAnswer:
    return OrderAnswer(
        first.resource,
        first.covered,
        AUTH_NEEDED,
        first.reason,
        first.codes,
        first.program,
        questionnaire=first.questionnaire,
        missing=tuple(m for m in missing if m),
        documents=documents,
        documentation=True,
    )


def _order_key(
    caller: CrdCaller, data: EhrData, resource: dict[str, Any], member: Member, codes: list[str]
) -> str:
    text = "|".join(
        [
            caller.client_id,
            str(data.hook.get("fhirServer") or ""),
            f"{resource.get('resourceType')}/{resource.get('id')}",
            str(member.id),
            ",".join(sorted(codes)),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _try_authorize(
    session: Session,
    caller: CrdCaller,
    data: EhrData,
    facts: CallFacts,
    resource: dict[str, Any],
    first: OrderAnswer,
    codes: list[str],
    on: date,
) -> OrderAnswer:
    assert facts.member is not None and facts.plan is not None and first.program is not None
    npi = fo.ordering_npi(data, resource)
    if not npi:
        return _needed(first, "The ordering provider's NPI (the order's requester or the user).")
    if npi not in caller.npis:
        return _needed(first, f"This EHR is not registered with Precert to request for NPI {npi}.")
    provider = session.exec(select(Provider).where(Provider.npi == npi)).first()
    practice = (
        session.exec(select(Practice).where(Practice.tax_id == provider.tax_id)).first() if provider else None
    )
    if provider is None or practice is None:
        return _needed(first, f"NPI {npi} is not in Precert's directory with a registered practice.")
    exempt = all(
        gold_card.is_exempt(session, npi, code, on, plan_id=id_of(facts.plan)).exempt for code in codes
    )
    if exempt:  # the submission applies the exemption; the office only completes the request
        first = replace(first, reason=f"{first.reason} NPI {npi} is exempt (gold card) for this service.")
    key = _order_key(caller, data, resource, facts.member, codes)
    earlier = _earlier_authorization(session, caller, key)
    if earlier is not None:
        return _satisfied(session, first, earlier, facts)
    principal = _principal(caller, practice)
    request = fo.claim_request(data, resource, facts.patient, facts.member, npi, codes, on)
    if isinstance(request, str):
        return _needed(first, request)
    return _enter(session, caller, principal, request, facts, first, key)


def _principal(caller: CrdCaller, practice: Practice) -> ApiPrincipal:
    actor = Actor(
        user_id=caller.user_id,
        role=Role.ORDERING_PROVIDER_STAFF,
        full_name=f"{caller.name} (CRD client)",
        practice_ids=(id_of(practice),),
    )
    return ApiPrincipal(
        0, caller.client_id, caller.name, id_of(practice), practice.tax_id, frozenset(), actor
    )


def _enter(
    session: Session,
    caller: CrdCaller,
    principal: ApiPrincipal,
    request: ClaimRequest,
    facts: CallFacts,
    first: OrderAnswer,
    key: str,
) -> OrderAnswer:
    assert facts.member is not None and facts.plan is not None and first.program is not None
    today = clock.today()
    try:
        order_id = pas.enter_draft(
            session, principal, request, facts.member, facts.plan, first.program, today
        )
    except PasProblem as problem:
        return _needed(first, *(issue.text for issue in problem.issues))
    preview = preview_submission(session, actor=principal.actor, order_id=order_id, today=today)
    if not preview.all_authorized:
        pas.discard_draft(session, principal, order_id)
        documents = tuple(d.document for d in documents_needed(first.program, preview.results))
        return _needed(first, *preview.problems, documents=documents)
    submit_order(session, actor=principal.actor, order_id=order_id, today=today)
    order = get_existing(session, Order, order_id)
    session.refresh(order)
    if order.status != OrderStatus.AUTHORIZED:
        return _needed(first, f"The request was entered as {number_of(order)} and is in review.")
    session.add(CrdAuthorization(crd_client_id=caller.crd_client_id, order_key=key, order_id=order_id))
    try:
        session.commit()
    except IntegrityError:  # the same order authorized by a concurrent call: keep the first
        session.rollback()
    return _satisfied(session, first, order, facts)


def _earlier_authorization(session: Session, caller: CrdCaller, key: str) -> Order | None:
    row = session.exec(
        select(CrdAuthorization).where(
            CrdAuthorization.crd_client_id == caller.crd_client_id, CrdAuthorization.order_key == key
        )
    ).first()
    order = session.get(Order, row.order_id) if row else None
    return order if order is not None and order.status == OrderStatus.AUTHORIZED else None


def _validity(session: Session, order: Order) -> tuple[date, date] | None:
    decisions = session.exec(
        select(Determination)
        .join(OrderLine, col(OrderLine.id) == Determination.order_line_id)
        .where(OrderLine.order_id == order.id, col(Determination.valid_from).is_not(None))
    ).all()
    starts = [d.valid_from for d in decisions if d.valid_from]
    ends = [d.valid_until for d in decisions if d.valid_until]
    return (min(starts), min(ends)) if starts and ends else None


def _satisfied(session: Session, first: OrderAnswer, order: Order, facts: CallFacts) -> OrderAnswer:
    number = number_of(order)
    facts.order_numbers.append(number)
    valid = _validity(session, order)
    when = f", valid {valid[0].isoformat()} to {valid[1].isoformat()}" if valid else ""
    return OrderAnswer(
        first.resource,
        COVERED,
        SATISFIED,
        f"Authorized by Precert as {number}{when}. {first.reason}",
        first.codes,
        first.program,
        order_number=number,
        valid=valid,
        questionnaire=first.questionnaire,
    )
