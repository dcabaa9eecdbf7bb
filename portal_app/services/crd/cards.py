"""CRD answers as CDS Hooks JSON: the coverage-information system action (Da Vinci CRD 2.0
``ext-coverage-information`` added to the order, appointment or encounter in an ``update`` action),
the Instructions card for what is still needed, and an External Reference card to the program's help.

Coverage-assertion ids: every repetition for the same coverage in one answer has the same id, and the
same answers for the same coverage give the same id again (a keyed hash of what was asserted). An
order that already carries the same assertion is not sent again.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from typing import Any

from portal_app import clock, routes
from portal_app.services.crd.decisions import AUTH_NEEDED, SATISFIED, OrderAnswer
from portal_app.settings import get_settings

CRD = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition"
COVERAGE_INFORMATION = f"{CRD}/ext-coverage-information"
CARD_TYPES = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp"
CONFIGURATION_KEY = "davinci-crd.configuration"
# (code, name, description): the card types this service returns, each switched by a boolean, with
# the CRD card-type codes (CRD 115, 121). The Instructions card is a coverage-info card: switching
# coverage-info off removes it with the system action (CRD 116).
OPTIONS = (
    (
        "coverage-info",
        "Coverage information",
        "Whether the order is covered and needs prior authorization, stored on the order (system "
        "action), with the authorization number when the guideline is met; and the Instructions card "
        "saying what Precert still needs and the documents the program usually asks for.",
    ),
    ("guideline", "Program guidance", "A link to the program's published criteria."),
)
# Offered before the options were CRD card types; still honoured for clients configured with it
# (false: no Instructions card), no longer advertised.
FORMER_OPTIONS = ("instructions",)


def _sent_configuration(hook: dict[str, Any]) -> Any:
    extension = hook.get("extension")
    return extension.get(CONFIGURATION_KEY) if isinstance(extension, dict) else None


def configuration(hook: dict[str, Any]) -> dict[str, bool]:
    """The card types the client wants: the defaults (all on), changed by booleans it sent for codes
    this service offers; anything else it sent is ignored (never required) and reported by
    ``configuration_problems``."""
    chosen = {code: True for code in (*(code for code, _, _ in OPTIONS), *FORMER_OPTIONS)}
    sent = _sent_configuration(hook)
    if isinstance(sent, dict):
        for code, value in sent.items():
            if code in chosen and isinstance(value, bool):
                chosen[code] = value
    return chosen


def configuration_problems(hook: dict[str, Any]) -> list[str]:
    """What in the client's configuration makes no sense (CRD 119), in words safe to log: this
    service's own option codes and JSON type names; unknown codes are counted, never repeated (the
    client chose them, and the call with everything it sent is kept in ``crd_hook_calls``)."""
    sent = _sent_configuration(hook)
    if sent is None:
        return []
    if not isinstance(sent, dict):
        return [f"{CONFIGURATION_KEY} is a {type(sent).__name__}, not an object"]
    known = {code for code, _, _ in OPTIONS} | set(FORMER_OPTIONS)
    problems = [
        f"option {code!r} is a {type(value).__name__}, not a boolean"
        for code, value in sent.items()
        if code in known and not isinstance(value, bool)
    ]
    unknown = sum(1 for code in sent if code not in known)
    if unknown:
        problems.append(f"{unknown} unknown option(s)")
    if not any(configuration(hook)[code] for code, _, _ in OPTIONS):
        problems.append("every card type is switched off: the call can return nothing")
    return problems


def discovery_extension() -> dict[str, Any]:
    return {
        "davinci-crd.configuration-options": [
            {"code": code, "type": "boolean", "name": name, "description": text, "default": True}
            for code, name, text in OPTIONS
        ]
    }


def assertion_id(client_id: str, coverage_ref: str, answers: list[OrderAnswer]) -> str:
    asserted = sorted(
        (f"{a.resource.get('resourceType')}/{a.resource.get('id')}", a.covered, a.pa_needed, a.order_number)
        for a in answers
    )
    text = json.dumps([client_id, coverage_ref, asserted])
    return hmac.new(get_settings().secret_key.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def _extension(answer: OrderAnswer, coverage_ref: str, assertion: str) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"url": "coverage", "valueReference": {"reference": coverage_ref}},
        {"url": "covered", "valueCode": answer.covered},
        {"url": "pa-needed", "valueCode": answer.pa_needed},
    ]
    if answer.pa_needed == AUTH_NEEDED and answer.program is not None and answer.documentation:
        parts += [
            {"url": "doc-needed", "valueCode": "clinical"},
            {"url": "doc-purpose", "valueCode": "withpa"},
        ]
        parts.append({"url": "questionnaire", "valueCanonical": answer.questionnaire})
    for code in answer.codes[:1]:
        system = (
            "http://www.ama-assn.org/go/cpt"
            if code[:1].isdigit()
            else ("http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets")
        )
        parts.append({"url": "billingCode", "valueCoding": {"system": system, "code": code}})
    parts.append({"url": "reason", "valueCodeableConcept": {"text": answer.reason[:1000]}})
    if answer.valid is not None:
        parts.append(
            {
                "url": "detail",
                "extension": [
                    {"url": "code", "valueCodeableConcept": {"text": "Authorization valid"}},
                    {
                        "url": "value",
                        "valueString": f"{answer.valid[0].isoformat()} to {answer.valid[1].isoformat()}",
                    },
                ],
            }
        )
    parts += [
        {"url": "date", "valueDate": clock.today().isoformat()},
        {"url": "coverage-assertion-id", "valueString": assertion},
    ]
    if answer.pa_needed == SATISFIED:
        parts.append({"url": "satisfied-pa-id", "valueString": answer.order_number})
    return {"url": COVERAGE_INFORMATION, "extension": parts}


def _already_asserted(resource: dict[str, Any], assertion: str) -> bool:
    for extension in resource.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == COVERAGE_INFORMATION:
            for part in extension.get("extension") or []:
                if part.get("url") == "coverage-assertion-id" and part.get("valueString") == assertion:
                    return True
    return False


def system_actions(client_id: str, coverage_ref: str, answers: list[OrderAnswer]) -> list[dict[str, Any]]:
    """The coverage-information updates; none without a Coverage to assert them against (the
    extension's ``coverage`` is 1..1 in the CRD profile)."""
    if not coverage_ref:
        return []
    assertion = assertion_id(client_id, coverage_ref, answers)
    actions = []
    for answer in answers:
        if _already_asserted(answer.resource, assertion):
            continue  # unchanged: not sent again
        resource = copy.deepcopy(answer.resource)
        resource["extension"] = [
            e
            for e in resource.get("extension") or []
            if not (isinstance(e, dict) and e.get("url") == COVERAGE_INFORMATION)
        ] + [_extension(answer, coverage_ref, assertion)]
        actions.append(
            {
                "type": "update",
                "description": f"Coverage information: {answer.pa_needed}",
                "resource": resource,
            }
        )
    return actions


_TOPICS = {"coverage-info": "Coverage Information", "guideline": "Guideline"}


def _source(code: str) -> dict[str, Any]:
    return {
        "label": "Precert",
        "url": get_settings().public_url,
        "topic": {"system": CARD_TYPES, "code": code, "display": _TOPICS[code]},
    }


def instructions_card(answer: OrderAnswer) -> dict[str, Any]:
    label = answer.program.label if answer.program else "Precert"
    codes = f" ({', '.join(answer.codes)})" if answer.codes else ""
    lines = [f"For {answer.resource.get('resourceType')}/{answer.resource.get('id')}{codes}: {answer.reason}"]
    if answer.missing:
        lines.append("Still needed: " + " ".join(answer.missing))
    if answer.documents:
        lines.append("Documents the program usually asks for: " + "; ".join(answer.documents) + ".")
    lines.append(
        f"Answer the {label.lower()} questionnaire ({answer.questionnaire}) to request authorization."
    )
    return {
        "uuid": hashlib.sha256(json.dumps([answer.resource.get("id"), lines]).encode()).hexdigest()[:32],
        "summary": f"Prior authorization needed ({label})"[:140],
        "detail": "\n\n".join(lines),
        "indicator": "info",
        "source": _source("coverage-info"),
    }


def reference_card(answer: OrderAnswer) -> dict[str, Any]:
    label = answer.program.label if answer.program else "Precert"
    return {
        "uuid": hashlib.sha256(f"ref-{answer.resource.get('id')}".encode()).hexdigest()[:32],
        "summary": f"{label}: the criteria Precert applies"[:140],
        "indicator": "info",
        "source": _source("guideline"),
        "links": [
            {
                "label": f"{label} criteria",
                "url": f"{get_settings().public_url}{routes.HELP}",
                "type": "absolute",
            }
        ],
    }


def coverage_unknown_card(answers: list[OrderAnswer]) -> dict[str, Any]:
    """No Coverage was found in the EHR: no coverage information can be asserted (it must name the
    Coverage), so the user is told why and what to do."""
    about = ", ".join(f"{a.resource.get('resourceType')}/{a.resource.get('id')}" for a in answers)
    return {
        "uuid": hashlib.sha256(f"no-coverage-{about}".encode()).hexdigest()[:32],
        "summary": "Coverage requirements could not be determined",
        "detail": (
            f"No active Coverage for this patient was found in the EHR, so Precert cannot say whether "
            f"{about} is covered or needs prior authorization. Record the patient's coverage in the EHR "
            "and sign again, or ask the health plan."
        ),
        "indicator": "info",
        "source": _source("coverage-info"),
    }


def response(
    client_id: str, coverage_ref: str, answers: list[OrderAnswer], chosen: dict[str, bool]
) -> dict[str, Any]:
    """The CDS Hooks answer. ``systemActions`` is left out when there is none to send (CDS Hooks:
    JSON elements are never empty, but for the empty list of cards meaning "no guidance")."""
    cards = []
    if chosen["coverage-info"] and answers and not coverage_ref:
        cards.append(coverage_unknown_card(answers))
    for answer in answers:
        if answer.pa_needed != AUTH_NEEDED or answer.program is None:
            continue
        if chosen["coverage-info"] and chosen["instructions"]:
            cards.append(instructions_card(answer))
        if chosen["guideline"]:
            cards.append(reference_card(answer))
    body: dict[str, Any] = {"cards": cards}
    actions = system_actions(client_id, coverage_ref, answers) if chosen["coverage-info"] else []
    if actions:
        body["systemActions"] = actions
    return body
