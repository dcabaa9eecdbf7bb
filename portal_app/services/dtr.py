"""Da Vinci DTR payer operations: `$questionnaire-package`, SDC `$next-question` and
`$log-questionnaire-errors`, for an API client authenticated as for the PAS API.

The questionnaires are the programs' own questions (``domain/dtr.py``); a QuestionnaireResponse
completed from one comes back in a PAS `$submit` and is read like the wizard's answers
(``services/pas/programs.details_from_answers``). Nothing a client sends here is stored: each call is
audited without the resources' content (no PHI).
"""

from __future__ import annotations

import copy
import uuid
from datetime import date
from typing import Any

from sqlmodel import Session, select

from portal_app.clock import today
from portal_app.domain import dtr
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS, ProgramDefinition
from portal_app.models import HealthPlan
from portal_app.services import audit
from portal_app.services.api_clients import ApiPrincipal
from portal_app.services.pas.outcomes import Issue, PasProblem, operation_outcome
from portal_app.services.pas.requests import questionnaire_answers, read_program
from portal_app.services.subscriptions import fhir_base

ORDER_TYPES = frozenset(
    {"ServiceRequest", "DeviceRequest", "MedicationRequest", "NutritionOrder", "Appointment", "Encounter"}
)
PROFILE_OUTPUT = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/dtr-qpackage-output-parameters"


def _parameters(raw: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(raw, dict) or raw.get("resourceType") != "Parameters":
        found = raw.get("resourceType") if isinstance(raw, dict) else type(raw).__name__
        raise PasProblem.one(
            400, "structure", f"Send a Parameters resource ({what}), not {found}.", "Parameters"
        )
    parameters = raw.get("parameter")
    if not isinstance(parameters, list) or not all(isinstance(p, dict) for p in parameters):
        raise PasProblem.one(
            400, "required", f"The Parameters carry no parameter ({what}).", "Parameters.parameter"
        )
    return parameters


def _resources(parameters: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [
        p["resource"] for p in parameters if p.get("name") == name and isinstance(p.get("resource"), dict)
    ]


def _audit(session: Session, principal: ApiPrincipal, action: str, detail: dict[str, Any]) -> None:
    audit.record(
        session,
        action=action,
        user_id=principal.actor.user_id,
        client_address=principal.actor.client_address,
        detail={"client_id": principal.client_id, **detail},
    )
    session.commit()


# --- $questionnaire-package -------------------------------------------------------------------


def check_package_input(raw: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """The coverages, orders and questionnaire canonicals of a `$questionnaire-package` input
    (DTR dtr-qpackage-input-parameters); PasProblem (400) listing what does not conform."""
    parameters = _parameters(raw, "dtr-qpackage-input-parameters")
    issues = []
    coverages = _resources(parameters, "coverage")
    if not coverages or any(c.get("resourceType") != "Coverage" for c in coverages):
        issues.append(
            Issue(
                "required",
                "Send at least one 'coverage' parameter holding a Coverage.",
                "Parameters.parameter",
            )
        )
    orders = _resources(parameters, "order")
    for number, order in enumerate(orders):
        if order.get("resourceType") not in ORDER_TYPES:
            issues.append(
                Issue(
                    "value",
                    f"The 'order' parameter {number + 1} is a {order.get('resourceType')}, not an order "
                    f"({', '.join(sorted(ORDER_TYPES))}).",
                    "Parameters.parameter",
                )
            )
    wanted = [str(p.get("valueCanonical") or "") for p in parameters if p.get("name") == "questionnaire"]
    if not orders and not wanted:
        issues.append(
            Issue(
                "required",
                "Send the 'order' the questions are for, or the 'questionnaire' wanted.",
                "Parameters",
            )
        )
    if issues:
        raise PasProblem(400, issues)
    return coverages, orders, wanted


def questionnaire_package(session: Session, *, principal: ApiPrincipal, parameters: Any) -> dict[str, Any]:
    """One DTR package Bundle per relevant program questionnaire (Questionnaire first, its ValueSets
    expanded, an initial QuestionnaireResponse pre-filled with origin ``auto``), in an output
    Parameters with an ``outcome`` when something could not be understood."""
    coverages, orders, wanted = check_package_input(parameters)
    on = _service_date(orders)
    programs, warnings = _requested(wanted)
    if not wanted:
        programs, warnings = _for_orders(session, coverages, orders, on)
    base = fhir_base()
    context = {"coverage": coverages[0], "order": orders[0] if orders else {}}
    output: list[dict[str, Any]] = [
        {"name": "PackageBundle", "resource": package_bundle(PROGRAMS[p], base, context, on)}
        for p in programs
    ]
    if warnings:
        output.append({"name": "outcome", "resource": operation_outcome(warnings)})
    _audit(
        session,
        principal,
        "dtr.questionnaire_package",
        {"programs": [p.value for p in programs], "orders": len(orders)},
    )
    return {"resourceType": "Parameters", "meta": {"profile": [PROFILE_OUTPUT]}, "parameter": output}


def package_bundle(
    definition: ProgramDefinition, base: str, context: dict[str, dict[str, Any]], on: date
) -> dict[str, Any]:
    questionnaire = dtr.questionnaire(definition, base)
    entries = [{"fullUrl": questionnaire["url"], "resource": questionnaire}]
    entries += [{"fullUrl": vs["url"], "resource": vs} for vs in dtr.value_sets(definition, base, on)]
    response = dtr.initial_response(definition, base, context)
    entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": response})
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [dtr.PROFILE_PACKAGE_BUNDLE]},
        "type": "collection",
        "entry": entries,
    }


def _requested(wanted: list[str]) -> tuple[list[Program], list[Issue]]:
    programs, warnings = [], []
    for canonical in wanted:
        named = read_program({}, canonical)
        if named in {p.value for p in PROGRAMS}:
            programs.append(Program(named))
        else:
            warnings.append(
                Issue("not-found", f"No questionnaire {canonical} here.", "Parameters", "warning")
            )
    return list(dict.fromkeys(programs)), warnings


def _service_date(orders: list[dict[str, Any]]) -> date:
    for order in orders:
        for key in ("occurrenceDateTime", "authoredOn"):
            try:
                return date.fromisoformat(str(order.get(key, ""))[:10])
            except ValueError:
                continue
    return today()


def _order_codes(order: dict[str, Any]) -> list[str]:
    concept = (
        order.get("code") or order.get("codeCodeableConcept") or order.get("medicationCodeableConcept") or {}
    )
    return [str(c.get("code", "")).strip() for c in concept.get("coding", []) if c.get("code")]


def _plan_codes(session: Session, coverages: list[dict[str, Any]]) -> list[str]:
    known = list(session.exec(select(HealthPlan.code)).all())
    named = {
        str(value).strip().upper()
        for coverage in coverages
        for value in [*(c.get("value") for c in coverage.get("class", [])), *_payer_identifiers(coverage)]
        if value
    }
    return [code for code in known if code.upper() in named] or known


def _payer_identifiers(coverage: dict[str, Any]) -> list[str]:
    return [
        str(i.get("value", ""))
        for payer in coverage.get("contained", [])
        for i in payer.get("identifier", [])
        if payer.get("resourceType") == "Organization"
    ]


def _for_orders(
    session: Session, coverages: list[dict[str, Any]], orders: list[dict[str, Any]], on: date
) -> tuple[list[Program], list[Issue]]:
    """The programs that manage an ordered code under the coverage's plan (any plan when the
    coverage names none Precert knows); every program, with a warning, when no code tells."""
    plans = _plan_codes(session, coverages)
    codes = [code for order in orders for code in _order_codes(order)]
    found = [
        program
        for program, definition in PROGRAMS.items()
        if any(definition.managed_code(plan, on.year, code) for plan in plans for code in codes)
    ]
    if found:
        return found, []
    warning = Issue(
        "not-found",
        "No program manages the ordered code(s) for this coverage; every program's questionnaire is "
        "returned so the provider can choose the one that fits.",
        "Parameters.parameter",
        "warning",
    )
    return list(PROGRAMS), [warning]


def questionnaire_resource(code: str) -> dict[str, Any]:
    """The program's Questionnaire (GET [base]/Questionnaire/<program>, the canonical CRD cards name)."""
    found = [p for p in PROGRAMS if code in (p.value, dtr.resource_id(p))]
    if not found:
        raise PasProblem.one(404, "not-found", f"No questionnaire '{code[:40]}' here.", "Questionnaire")
    return dtr.questionnaire(PROGRAMS[found[0]], fhir_base())


# --- $next-question ---------------------------------------------------------------------------


def next_question(session: Session, *, principal: ApiPrincipal, parameters: Any) -> dict[str, Any]:
    """SDC adaptive form: the QuestionnaireResponse back with the next question the answers enable
    added to its contained Questionnaire, or completed when none is left (answers are not kept)."""
    found = _resources(
        _parameters(parameters, "parameters-questionnaire-next-question-in"), "questionnaire-response"
    )
    if not found or found[0].get("resourceType") != "QuestionnaireResponse":
        raise PasProblem.one(
            400,
            "required",
            "Send the 'questionnaire-response' parameter holding a QuestionnaireResponse.",
            "Parameters",
        )
    response = copy.deepcopy(found[0])
    answers = questionnaire_answers(response.get("item", []))
    if _served_program(str(response.get("questionnaire") or "")):
        response = _as_adaptive(response, answers)
    contained = _contained_questionnaire(response)
    definition = _adaptive_program(response, contained)
    question = dtr.next_question(definition, answers)
    if question is None:
        response["status"] = "completed"
    else:
        contained.setdefault("item", []).append(dtr.item_json(question, fhir_base(), definition.code))
        response["status"] = "in-progress"
    _audit(
        session, principal, "dtr.next_question", {"program": definition.code.value, "done": question is None}
    )
    return response


def _served_program(canonical: str) -> ProgramDefinition | None:
    named = read_program({}, canonical) if not canonical.startswith("#") else ""
    return PROGRAMS[Program(named)] if named in {p.value for p in PROGRAMS} else None


def _as_adaptive(response: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """A response to the served (static) form, e.g. the package's initial one, continued as the
    adaptive form: the contained Questionnaire holds the questions answered so far."""
    definition = _served_program(str(response["questionnaire"]))
    assert definition is not None
    start = adaptive_start(definition, fhir_base())
    asked = [q for q in dtr.questions(definition) if q.link_id in answers]
    start["contained"][0]["item"] = [dtr.item_json(q, fhir_base(), definition.code) for q in asked]
    kept = {key: value for key, value in response.items() if key not in ("questionnaire", "contained")}
    return {**kept, "questionnaire": start["questionnaire"], "contained": start["contained"]}


def _contained_questionnaire(response: dict[str, Any]) -> dict[str, Any]:
    reference = str(response.get("questionnaire") or "")
    for resource in response.get("contained", []):
        if resource.get("resourceType") == "Questionnaire" and f"#{resource.get('id')}" == reference:
            return resource
    raise PasProblem.one(
        400,
        "required",
        "The QuestionnaireResponse must reference ('#id') the adaptive Questionnaire it contains.",
        "QuestionnaireResponse.questionnaire",
    )


def _adaptive_program(response: dict[str, Any], contained: dict[str, Any]) -> ProgramDefinition:
    for canonical in [str(contained.get("url") or ""), *map(str, contained.get("derivedFrom", []))]:
        named = read_program({}, canonical)
        if named in {p.value for p in PROGRAMS}:
            return PROGRAMS[Program(named)]
    raise PasProblem.one(
        422,
        "not-supported",
        f"The contained Questionnaire is none of this payer's ({fhir_base()}/Questionnaire/<program>).",
        "QuestionnaireResponse.contained",
    )


def adaptive_start(definition: ProgramDefinition, base: str) -> dict[str, Any]:
    """An empty QuestionnaireResponse for the program's adaptive form (the first `$next-question` input)."""
    questionnaire = dtr.questionnaire(definition, base, adaptive=True)
    questionnaire["id"] = "adaptive"
    questionnaire["derivedFrom"] = [questionnaire["url"]]
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "questionnaire": "#adaptive",
        "contained": [questionnaire],
    }


# --- $log-questionnaire-errors ----------------------------------------------------------------


def log_questionnaire_errors(session: Session, *, principal: ApiPrincipal, parameters: Any) -> dict[str, Any]:
    """Keep the count and kinds of the errors a DTR client met in a questionnaire (no texts: they may
    hold patient data) for the payer's support, and acknowledge them."""
    parameters_list = _parameters(parameters, "log-questionnaire-errors input")
    outcomes = [
        r for r in _resources(parameters_list, "errors") if r.get("resourceType") == "OperationOutcome"
    ]
    if not outcomes:
        raise PasProblem.one(
            400, "required", "Send the 'errors' parameter holding an OperationOutcome.", "Parameters"
        )
    codes = sorted({str(i.get("code", "")) for o in outcomes for i in o.get("issue", [])} - {""})
    questionnaire = str(parameters_list[0].get("valueCanonical") or "") if parameters_list else ""
    program = read_program({}, questionnaire) if "/Questionnaire/" in questionnaire else ""
    _audit(
        session,
        principal,
        "dtr.questionnaire_errors",
        {
            "program": program[:40],
            "issues": sum(len(o.get("issue", [])) for o in outcomes),
            "codes": codes[:10],
        },
    )
    return operation_outcome([])
