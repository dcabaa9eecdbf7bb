"""The CDS services: discovery, and one service per hook. Every call, accepted or refused, is stored
with its answer in ``crd_hook_calls`` (the record for disputes, which holds PHI) and leaves an audit
event without PHI (hook, service, status, how many orders, the numbers of orders authorized).

Primary hooks (order-sign, order-dispatch, appointment-book) always answer with coverage
information and may authorize; the secondary hooks (order-select, encounter-start,
encounter-discharge) answer from the code lists alone and never create an order.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from portal_app.domain.enums import AuditOutcome
from portal_app.models import CrdHookCall
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.crd import cards
from portal_app.services.crd import decisions as d
from portal_app.services.crd import fhir_orders as fo
from portal_app.services.crd.clients import CallRefused, CrdCaller, authenticate_call
from portal_app.services.crd.ehr_data import EhrData, MissingData
from portal_app.settings import get_settings

logger = logging.getLogger(__name__)

BASE_PATH = "/cds-services"
_COVERAGE = "Coverage?patient={{context.patientId}}&status=active"


@dataclass(frozen=True)
class CdsService:
    id: str
    hook: str
    title: str
    description: str
    prefetch: dict[str, str]
    primary: bool


SERVICES = {
    s.id: s
    for s in (
        CdsService(
            "order-sign-crd",
            "order-sign",
            "Precert coverage requirements at signing",
            "Whether the orders being signed need prior authorization through Precert; an authorization "
            "number when the order meets the program's guideline.",
            {"user": "{{context.userId}}", "patient": "Patient/{{context.patientId}}", "coverage": _COVERAGE},
            True,
        ),
        CdsService(
            "order-dispatch-crd",
            "order-dispatch",
            "Precert coverage requirements at dispatch",
            "Whether the dispatched orders need prior authorization through Precert, for their performer.",
            {
                "patient": "Patient/{{context.patientId}}",
                "performer": "{{context.performer}}",
                "coverage": _COVERAGE,
            },
            True,
        ),
        CdsService(
            "appointment-book-crd",
            "appointment-book",
            "Precert coverage requirements when booking",
            "Whether the services booked (and the orders they are based on) need prior authorization.",
            {"user": "{{context.userId}}", "patient": "Patient/{{context.patientId}}", "coverage": _COVERAGE},
            True,
        ),
        CdsService(
            "order-select-crd",
            "order-select",
            "Precert coverage requirements while ordering",
            "Whether the selected orders are managed by Precert (no authorization before signing).",
            {"user": "{{context.userId}}", "patient": "Patient/{{context.patientId}}", "coverage": _COVERAGE},
            False,
        ),
        CdsService(
            "encounter-start-crd",
            "encounter-start",
            "Precert coverage requirements at the start of an encounter",
            "Whether the encounter's coded services are managed by Precert.",
            {
                "user": "{{context.userId}}",
                "patient": "Patient/{{context.patientId}}",
                "encounter": "Encounter/{{context.encounterId}}",
                "coverage": _COVERAGE,
            },
            False,
        ),
        CdsService(
            "encounter-discharge-crd",
            "encounter-discharge",
            "Precert coverage requirements at discharge",
            "Whether the encounter's coded services are managed by Precert.",
            {
                "user": "{{context.userId}}",
                "patient": "Patient/{{context.patientId}}",
                "encounter": "Encounter/{{context.encounterId}}",
                "coverage": _COVERAGE,
            },
            False,
        ),
    )
}


@dataclass(frozen=True)
class HookAnswer:
    status: int
    body: dict[str, Any]


def service_url(service_id: str) -> str:
    return f"{get_settings().public_url}{BASE_PATH}/{service_id}"


def discovery() -> dict[str, Any]:
    return {
        "services": [
            {
                "hook": s.hook,
                "title": s.title,
                "description": s.description,
                "id": s.id,
                "prefetch": s.prefetch,
                "extension": cards.discovery_extension(),
            }
            for s in SERVICES.values()
        ]
    }


def _shape_problem(service: CdsService, body: Any) -> str:
    if not isinstance(body, dict):
        return "Send the hook request as a JSON object."
    if body.get("hook") != service.hook:
        return f"This service answers the {service.hook} hook."
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
        return "The request needs a hookInstance."
    if not isinstance(body.get("context"), dict) or not body["context"].get("patientId"):
        return "The request needs a context with the patientId."
    if body.get("fhirAuthorization") and not body.get("fhirServer"):
        return "fhirServer is required with fhirAuthorization."
    return ""


def _answers(session: Session, caller: CrdCaller, service: CdsService, data: EhrData, facts: d.CallFacts):
    answers = []
    for order in data.orders(service.hook):
        answers.append(d.answer_order(session, caller, data, facts, order, create=service.primary))
    for appointment in data.appointments():
        based_on = [data.resolve(ref, appointment) for ref in appointment.get("basedOn") or []]
        orders = [o for o in based_on if o and o.get("resourceType") == "ServiceRequest"]
        if orders:
            found = d.answer_order(session, caller, data, facts, orders[0], create=service.primary)
            answers.append(replace(found, resource=appointment))
        else:
            codes = fo.billing_codes(appointment)
            answers.append(
                d.requirement_answer(session, facts, appointment, codes, fo.service_date(appointment))[0]
            )
    if service.hook.startswith("encounter-"):
        encounter = data.encounter()
        if encounter is not None:
            codes = fo.billing_codes(encounter)
            answers.append(
                d.requirement_answer(session, facts, encounter, codes, fo.service_date(encounter))[0]
            )
    return answers


def _record(
    session: Session,
    *,
    service_id: str,
    caller: CrdCaller | None,
    client_address: str,
    body: Any,
    answer: HookAnswer,
    refusal: str = "",
    order_numbers: list[str] | None = None,
    configuration_problems: list[str] | None = None,
    started: float,
) -> None:
    hook_instance = str(body.get("hookInstance", ""))[:100] if isinstance(body, dict) else ""
    call = CrdHookCall(
        crd_client_id=caller.crd_client_id if caller else None,
        service_id=service_id[:60],
        hook_instance=hook_instance,
        status_code=answer.status,
        refusal=refusal[:300],
        request=body if caller is not None and isinstance(body, dict) else {},
        response=answer.body,
        order_numbers=order_numbers or [],
        elapsed_ms=int((time.perf_counter() - started) * 1000),
    )
    session.add(call)
    session.flush()
    audit.record(
        session,
        action="crd.hook_called" if answer.status == 200 else "crd.hook_refused",
        user_id=caller.user_id if caller else None,
        record_type="crd_hook_call",
        record_id=id_of(call),
        outcome=AuditOutcome.SUCCESS if answer.status == 200 else AuditOutcome.DENIED,
        client_address=client_address,
        detail={
            "client_id": caller.client_id if caller else "",
            "service": service_id[:60],
            "status": answer.status,
            "refusal": refusal[:300],
            "authorized": order_numbers or [],
            **({"configuration_ignored": configuration_problems} if configuration_problems else {}),
        },
    )
    session.commit()


def call_service(
    session: Session, *, service_id: str, authorization: str | None, body: Any, client_address: str = ""
) -> HookAnswer:
    """One hook call: authenticate, check its shape, answer, and store call and answer."""
    started = time.perf_counter()
    service = SERVICES.get(service_id)
    if service is None:
        return HookAnswer(404, {"error": f"No CDS service {service_id!r}."})
    try:
        caller = authenticate_call(session, authorization=authorization, audience=service_url(service_id))
        session.commit()
    except CallRefused as refused:
        session.rollback()
        answer = HookAnswer(401, {"error": refused.reason})
        _record(
            session,
            service_id=service_id,
            caller=None,
            client_address=client_address,
            body=body,
            answer=answer,
            refusal=refused.reason,
            started=started,
        )
        return answer
    problem = _shape_problem(service, body)
    if problem:
        # CRD: 400 for a body that is not JSON, 422 for JSON that is not a hook request.
        answer = HookAnswer(400 if body is None else 422, {"error": problem})
        _record(
            session,
            service_id=service_id,
            caller=caller,
            client_address=client_address,
            body=body,
            answer=answer,
            refusal=problem,
            started=started,
        )
        return answer
    data = EhrData(body, caller.fhir_servers)
    try:
        facts = d.call_facts(session, data)
        answers = _answers(session, caller, service, data, facts)
    except MissingData as missing:
        session.rollback()
        answer = HookAnswer(412, {"error": str(missing)})
        _record(
            session,
            service_id=service_id,
            caller=caller,
            client_address=client_address,
            body=body,
            answer=answer,
            refusal=str(missing),
            started=started,
        )
        return answer
    problems = cards.configuration_problems(body)
    if problems:  # CRD 119: logged (option codes and types only) for the payer to take up with the EHR
        logger.warning(
            "CRD client %s sent a configuration Precert ignored: %s", caller.client_id, "; ".join(problems)
        )
    answer = HookAnswer(
        200, cards.response(caller.client_id, facts.coverage_ref, answers, cards.configuration(body))
    )
    _record(
        session,
        service_id=service_id,
        caller=caller,
        client_address=client_address,
        body=body,
        answer=answer,
        order_numbers=facts.order_numbers,
        configuration_problems=problems,
        started=started,
    )
    return answer
