"""Writing PAS response Bundles from an order's current state. Pure.

`response_bundle(view, echo, ...)` returns the Bundle `$submit` and `$inquire` answer with and a
subscription notification carries: the ClaimResponse first, then the Patient, insurer and
requestor it refers to (echoed with the request's own fullUrls, as PAS asks).

Per requested item (ClaimResponse.item, itemSequence = the Claim's item.sequence):

| order line            | reviewAction (X12 306) | also                                             |
|-----------------------|------------------------|--------------------------------------------------|
| authorized            | A1 certified in total  | itemPreAuthPeriod, itemPreAuthIssueDate          |
| notification only     | A1                     | the note says no approval was needed             |
| partially authorized  | A6 modified            | addItem with the authorized quantity (A1 there), |
|                       |                        | itemAuthorizedDetail.quantity                    |
| non-authorized        | A3 not certified       | reason and guideline in processNote              |
| pended                | A4 pended              | outcome = queued                                 |
| cancelled (line/order)| C cancelled            |                                                  |

The review action's reasonCode carries the guideline criterion the decision rests on, in
Precert's review-reason code system (the X12 886 codes are licensed and not mapped); the reason in
plain words is in processNote, which the item points to with noteNumber.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from portal_app.services.pas import vocabulary as v

_NAMESPACE = uuid.UUID("5f0c9a0e-8c1d-4b7e-9a55-2f8d9b0c6a11")

# Order line decisions (portal_app.domain.enums.LineDecision values) -> X12 306 review action.
REVIEW_ACTIONS = {
    "authorized": "A1",
    "notification_only": "A1",
    "partially_authorized": "A6",
    "non_authorized": "A3",
    "pended": "A4",
    "cancelled": "C",
    # Items answered without an order line (services/pas/service.py): codes no program of the plan
    # manages on the date (contact the health plan), and items waiting for information to be sent.
    "not_managed": "CT",
    "information_needed": "A4",
}
CANCELLED_ORDER_STATUSES = frozenset(
    {"voluntarily_cancelled", "not_reviewed_error_entry", "voluntarily_withdrawn"}
)


@dataclass(frozen=True)
class LineView:
    line_number: int
    sequence: int  # the Claim's item.sequence (the line number for orders entered in the portal)
    code_system: str
    code: str
    description: str
    quantity: int
    decision: str
    reason: str = ""
    reason_code: str = ""
    citation: str = ""
    approved_quantity: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    decided_on: date | None = None
    human_review: bool = False
    trace_number: dict[str, Any] | None = None
    order_number: str = ""  # the order holding the line, when the request was split by program
    number: str = ""  # the review action's number, for items answered without an order line


@dataclass(frozen=True)
class OrderView:
    order_number: str
    status: str  # OrderStatus value
    status_label: str
    program: str
    lines: tuple[LineView, ...]
    cancel_reason: str = ""
    member_number: str = ""
    member_family: str = ""
    member_given: str = ""
    member_birth_date: date | None = None
    member_sex: str = ""
    plan_code: str = ""
    plan_name: str = ""
    practice_name: str = ""
    practice_tax_id: str = ""


@dataclass(frozen=True)
class Echo:
    """What the response repeats from the request (empty for orders entered in the portal)."""

    claim_identifier: tuple[str, str] | None = None
    claim_type: dict[str, Any] = field(default_factory=dict)
    patient: dict[str, Any] = field(default_factory=dict)  # Bundle entries: fullUrl + resource
    insurer: dict[str, Any] = field(default_factory=dict)
    requester: dict[str, Any] = field(default_factory=dict)


def _urn(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '|'.join(parts))}"


def _coding(system: str, code: str, display: str = "") -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _period(start: date | None, end: date | None) -> dict[str, str]:
    period = {}
    if start:
        period["start"] = start.isoformat()
    if end:
        period["end"] = end.isoformat()
    return period


def review_action(view: OrderView, line: LineView) -> str:
    if view.status in CANCELLED_ORDER_STATUSES and not line.number:
        return "C"
    return REVIEW_ACTIONS.get(line.decision, "A4")


def _review_action_extension(code: str, number: str, line: LineView) -> dict[str, Any]:
    parts = [
        {
            "url": v.EXT_REVIEW_ACTION_CODE,
            "valueCodeableConcept": {
                "coding": [_coding(v.X12_REVIEW_ACTION, code, v.REVIEW_ACTION_DISPLAY[code])]
            },
        },
        {"url": "number", "valueString": number},
    ]
    if line.reason_code and code != "C":
        concept: dict[str, Any] = {"coding": [_coding(v.CS_REVIEW_REASON, line.reason_code)]}
        if line.reason:
            concept["text"] = line.reason[:500]
        parts.append({"url": "reasonCode", "valueCodeableConcept": concept})
    return {"url": v.EXT_REVIEW_ACTION, "extension": parts}


def _adjudication(code: str, number: str, line: LineView) -> list[dict[str, Any]]:
    return [
        {
            "extension": [_review_action_extension(code, number, line)],
            "category": {"coding": [_coding(v.ADJUDICATION, "submitted")]},
        }
    ]


def _note_text(view: OrderView, line: LineView, code: str) -> str:
    label = f"Item {line.sequence} ({line.code})"
    if code == "C":
        reason = f" {view.cancel_reason}" if view.cancel_reason else ""
        return f"{label}: cancelled at the ordering provider's request.{reason}"
    reason = line.reason or {"A4": "Pended for clinical review."}.get(code, "")
    text = f"{label}: {reason}".strip()
    if line.decision == "notification_only":
        text += " No approval is needed for this service; the order number records the notification."
    if code == "A6" and line.approved_quantity is not None:
        text += f" Authorized {line.approved_quantity} of the {line.quantity} units requested."
    if line.citation:
        text += f" Guideline: {line.citation}."
    return text


def claim_response(
    view: OrderView, echo: Echo, *, created: datetime, inquiry: bool = False
) -> dict[str, Any]:
    """The PAS ClaimResponse for the order as it stands now."""
    items, added = [], []
    notes: list[dict[str, Any]] = []
    approved_periods = []
    for line in view.lines:
        code = review_action(view, line)
        number = line.number or f"{line.order_number or view.order_number}-{line.line_number}"
        notes.append({"number": len(notes) + 1, "type": "display", "text": _note_text(view, line, code)})
        extensions: list[dict[str, Any]] = []
        if line.trace_number:
            extensions.append({"url": v.EXT_ITEM_TRACE_NUMBER, "valueIdentifier": line.trace_number})
        if code in ("A1", "A6", "A3") and line.decided_on:
            extensions.append(
                {"url": v.EXT_ITEM_PREAUTH_ISSUE_DATE, "valueDate": line.decided_on.isoformat()}
            )
        if code in ("A1", "A6") and (line.valid_from or line.valid_until):
            extensions.append(
                {"url": v.EXT_ITEM_PREAUTH_PERIOD, "valuePeriod": _period(line.valid_from, line.valid_until)}
            )
            approved_periods.append((line.valid_from, line.valid_until))
        if code == "A6" and line.approved_quantity is not None:
            extensions.append(
                {
                    "url": v.EXT_ITEM_AUTHORIZED_DETAIL,
                    "extension": [
                        {
                            "url": "productOrServiceCode",
                            "valueCodeableConcept": {"coding": [_code_coding(line)]},
                        },
                        {"url": "quantity", "valueQuantity": {"value": line.approved_quantity}},
                    ],
                }
            )
        item: dict[str, Any] = {
            "itemSequence": line.sequence,
            "noteNumber": [len(notes)],
            "adjudication": _adjudication(code, number, line),
        }
        if extensions:
            item["extension"] = extensions
        items.append(item)
        if code == "A6" and line.approved_quantity is not None:
            added_item: dict[str, Any] = {
                "itemSequence": [line.sequence],
                "productOrService": {"coding": [_code_coding(line)]},
                "quantity": {"value": line.approved_quantity},
                "noteNumber": [len(notes)],
                "adjudication": _adjudication("A1", f"{number}-authorized", line),
            }
            if line.valid_from or line.valid_until:
                added_item["extension"] = [
                    {
                        "url": v.EXT_ITEM_PREAUTH_PERIOD,
                        "valuePeriod": _period(line.valid_from, line.valid_until),
                    }
                ]
            added.append(added_item)
    codes = [review_action(view, line) for line in view.lines]
    resource: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "meta": {"profile": [v.PROFILE_INQUIRY_RESPONSE if inquiry else v.PROFILE_CLAIM_RESPONSE]},
        "identifier": [{"system": v.SID_ORDER_NUMBER, "value": view.order_number}],
        "status": "active",
        "type": echo.claim_type or {"coding": [_coding(v.CLAIM_TYPE, "professional")]},
        "use": "preauthorization",
        "patient": {"reference": echo.patient.get("fullUrl") or _urn("patient", view.member_number)},
        "created": created.isoformat(timespec="seconds"),
        "insurer": {"reference": echo.insurer.get("fullUrl") or _urn("insurer", view.plan_code)},
        "outcome": "queued" if "A4" in codes else "complete",
        "disposition": view.status_label,
    }
    if view.order_number:
        resource["preAuthRef"] = view.order_number
    else:
        resource.pop("identifier")
    if echo.requester.get("fullUrl") or view.practice_tax_id:
        resource["requestor"] = {
            "reference": echo.requester.get("fullUrl") or _urn("practice", view.practice_tax_id)
        }
    if echo.claim_identifier:
        system, value = echo.claim_identifier
        resource["request"] = {"identifier": {**({"system": system} if system else {}), "value": value}}
    starts = [s for s, _ in approved_periods if s]
    ends = [e for _, e in approved_periods if e]
    if starts or ends:
        resource["preAuthPeriod"] = _period(min(starts) if starts else None, max(ends) if ends else None)
    resource["item"] = items
    if added:
        resource["addItem"] = added
    resource["processNote"] = notes
    return resource


def _code_coding(line: LineView) -> dict[str, Any]:
    # HCPCS Level II codes start with a letter (J9355); CPT codes are five digits (or four and a letter).
    system = v.HCPCS if line.code_system == "HCPCS" or line.code[:1].isalpha() else v.CPT
    return _coding(system, line.code, line.description)


def _patient(view: OrderView) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [
            {
                "type": {"coding": [_coding(v.V2_0203, "MB")]},
                "system": v.SID_MEMBER,
                "value": view.member_number,
            }
        ],
        "name": [
            {"family": view.member_family, **({"given": [view.member_given]} if view.member_given else {})}
        ],
        "gender": {"F": "female", "M": "male"}.get(view.member_sex, "unknown"),
    }
    if view.member_birth_date:
        patient["birthDate"] = view.member_birth_date.isoformat()
    return patient


def response_bundle(
    view: OrderView,
    echo: Echo,
    *,
    created: datetime,
    inquiry: bool = False,
    extra: Sequence[tuple[OrderView, Echo]] = (),
) -> dict[str, Any]:
    """A PAS response Bundle: each ClaimResponse first, then the resources it refers to (once)."""
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(full_url: str, resource: dict[str, Any]) -> None:
        if full_url not in seen:
            seen.add(full_url)
            entries.append({"fullUrl": full_url, "resource": resource})

    for one_view, one_echo in [(view, echo), *extra]:
        response = claim_response(one_view, one_echo, created=created, inquiry=inquiry)
        add(_urn("claim-response", one_view.order_number), response)
    for one_view, one_echo in [(view, echo), *extra]:
        add(
            one_echo.patient.get("fullUrl") or _urn("patient", one_view.member_number),
            one_echo.patient.get("resource") or _patient(one_view),
        )
        add(
            one_echo.insurer.get("fullUrl") or _urn("insurer", one_view.plan_code),
            one_echo.insurer.get("resource")
            or {
                "resourceType": "Organization",
                "name": one_view.plan_name,
                "identifier": [{"system": v.SID_PLAN, "value": one_view.plan_code}],
            },
        )
        if one_echo.requester.get("fullUrl") or one_view.practice_tax_id:
            add(
                one_echo.requester.get("fullUrl") or _urn("practice", one_view.practice_tax_id),
                one_echo.requester.get("resource")
                or {
                    "resourceType": "Organization",
                    "name": one_view.practice_name,
                    "identifier": [{"system": v.TIN, "value": one_view.practice_tax_id}],
                },
            )
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [v.PROFILE_RESPONSE_BUNDLE]},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{uuid.uuid4()}"},
        "type": "collection",
        "timestamp": created.isoformat(timespec="seconds"),
        "entry": entries,
    }
