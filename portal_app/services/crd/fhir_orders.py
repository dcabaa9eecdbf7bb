"""Reading a CRD order (ServiceRequest, DeviceRequest, MedicationRequest, NutritionOrder) as the PAS
entry reads a Claim: its CPT/HCPCS codes, date of service, ordering and performing NPIs, diagnoses
and the DTR answers it carries (a QuestionnaireResponse contained in the order or named by its
``supportingInfo``; linkId = the program's details field, as in PAS)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models import Member
from portal_app.services.crd.ehr_data import EhrData
from portal_app.services.pas import vocabulary as v
from portal_app.services.pas.requests import ClaimRequest, Party, RequestedItem, questionnaire_answers

_URGENT = ("urgent", "asap", "stat")


def _codings(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [c for c in value.get("coding") or [] if isinstance(c, dict)]
    if isinstance(value, list):
        return [c for item in value for c in _codings(item)]
    return []


def _code_concepts(resource: dict[str, Any]) -> list[Any]:
    kind = resource.get("resourceType")
    if kind == "ServiceRequest":
        return [resource.get("code")]
    if kind == "DeviceRequest":
        return [resource.get("codeCodeableConcept")]
    if kind == "MedicationRequest":
        return [resource.get("medicationCodeableConcept")]
    if kind == "NutritionOrder":
        oral = resource.get("oralDiet") or {}
        enteral = resource.get("enteralFormula") or {}
        return [
            *(oral.get("type") or []),
            *[s.get("type") for s in resource.get("supplement") or []],
            enteral.get("baseFormulaType"),
            enteral.get("additiveType"),
        ]
    if kind in ("Appointment", "Encounter"):
        return [*(resource.get("serviceType") or []), *(resource.get("type") or [])]
    return []


def billing_codes(resource: dict[str, Any]) -> list[str]:
    """The order's CPT and HCPCS codes, each once, in order."""
    codes: list[str] = []
    for coding in _codings(_code_concepts(resource)):
        code = str(coding.get("code") or "").strip().upper()
        if coding.get("system") in v.CODE_SYSTEMS and code and code not in codes:
            codes.append(code)
    return codes


def _day(value: Any) -> date | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def service_date(resource: dict[str, Any]) -> date:
    """When the service is planned: the order's occurrence (or the appointment's start), else today."""
    period = resource.get("occurrencePeriod") or resource.get("period") or {}
    timing = ((resource.get("occurrenceTiming") or {}).get("repeat") or {}).get("boundsPeriod") or {}
    validity = (resource.get("dispenseRequest") or {}).get("validityPeriod") or {}
    for value in (
        resource.get("occurrenceDateTime"),
        period.get("start"),
        timing.get("start"),
        validity.get("start"),
        resource.get("start"),
    ):
        if (day := _day(value)) is not None:
            return day
    return clock.today()


def npi_of(resource: dict[str, Any] | None) -> str:
    for identifier in (resource or {}).get("identifier") or []:
        if isinstance(identifier, dict) and identifier.get("system") == v.NPI and identifier.get("value"):
            return str(identifier["value"]).strip()
    return ""


def _party_npi(data: EhrData, reference: Any, owner: dict[str, Any]) -> str:
    found = data.resolve(reference, owner)
    if found and found.get("resourceType") == "PractitionerRole":
        return npi_of(found) or npi_of(data.resolve(found.get("practitioner"), found))
    return npi_of(found)


def ordering_npi(data: EhrData, resource: dict[str, Any]) -> str:
    """The requester's NPI (NutritionOrder: the orderer), else the signing user's."""
    reference = (
        resource.get("orderer")
        if resource.get("resourceType") == "NutritionOrder"
        else resource.get("requester")
    )
    return (_party_npi(data, reference, resource) if reference else "") or npi_of(data.user())


def performer_npi(data: EhrData, resource: dict[str, Any]) -> str:
    performers = resource.get("performer")
    # a copy: extending the order's own list would send it back to the EHR with the extra entries
    candidates = list(performers) if isinstance(performers, list) else [performers] if performers else []
    candidates += [((resource.get("dispenseRequest") or {}).get("performer"))]
    if isinstance(data.context.get("performer"), str):  # order-dispatch: who is asked to do it
        candidates.append(data.context["performer"])
    for reference in candidates:
        if reference and (npi := _party_npi(data, reference, resource)):
            return npi
    return ""


def diagnoses(data: EhrData, resource: dict[str, Any]) -> tuple[str, ...]:
    concepts = list(resource.get("reasonCode") or [])
    for reference in resource.get("reasonReference") or []:
        condition = data.resolve(reference, resource)
        if condition:
            concepts.append(condition.get("code"))
    found: list[str] = []
    for coding in _codings(concepts):
        if coding.get("system") == v.ICD10CM and coding.get("code") and coding["code"] not in found:
            found.append(str(coding["code"]))
    return tuple(found)


def dtr_answers(data: EhrData, resource: dict[str, Any]) -> dict[str, Any]:
    responses = [
        c for c in resource.get("contained") or [] if c.get("resourceType") == "QuestionnaireResponse"
    ]
    for reference in resource.get("supportingInfo") or []:
        found = data.resolve(reference, resource)
        if found and found.get("resourceType") == "QuestionnaireResponse":
            responses.append(found)
    answers: dict[str, Any] = {}
    for response in responses:
        answers.update(questionnaire_answers(response.get("item") or []))
    return answers


def _member_ids(patient: dict[str, Any], coverage: dict[str, Any] | None) -> list[str]:
    ids = [str((coverage or {}).get("subscriberId") or "")]
    ids += [
        str(i.get("value") or "") for i in (coverage or {}).get("identifier") or [] if isinstance(i, dict)
    ]
    ids += [str(i.get("value") or "") for i in patient.get("identifier") or [] if isinstance(i, dict)]
    return [i.strip() for i in ids if i.strip()]


def find_member(session: Session, patient: dict[str, Any], coverage: dict[str, Any] | None) -> Member | None:
    """The member the Coverage (else the Patient) names, confirmed by the birth date when given."""
    birth = _day(patient.get("birthDate"))
    for member_id in _member_ids(patient, coverage):
        members = session.exec(select(Member).where(Member.member_number == member_id).limit(2)).all()
        if len(members) == 1 and (birth is None or members[0].date_of_birth == birth):
            return members[0]
    return None


def _family(patient: dict[str, Any]) -> str:
    return next(
        (str(n["family"]) for n in patient.get("name") or [] if isinstance(n, dict) and n.get("family")), ""
    )


def claim_request(
    data: EhrData,
    resource: dict[str, Any],
    patient: dict[str, Any],
    member: Member,
    npi: str,
    codes: list[str],
    on: date,
) -> ClaimRequest | str:
    """The order as the PAS entry reads a Claim, or what is missing for the wizard."""
    performer = performer_npi(data, resource)
    if not performer:
        return "Where the service will be performed (the order's performer, with an NPI)."
    found_diagnoses = diagnoses(data, resource)
    if not found_diagnoses:
        return "At least one ICD-10-CM diagnosis (the order's reasonCode or reasonReference)."
    quantity = (resource.get("quantityQuantity") or {}).get("value")
    items = tuple(
        RequestedItem(n, "CPT" if code[:1].isdigit() else "HCPCS", code, int(quantity) if quantity else 1)
        for n, code in enumerate(codes, start=1)
    )
    reference = f"{resource.get('resourceType')}/{resource.get('id')}"
    return ClaimRequest(
        claim_full_url=reference,
        identifier_system="urn:precert:crd",
        identifier_value=hashlib.sha256(reference.encode()).hexdigest()[:32],
        request_hash="",
        claim_type={},
        member_number=member.member_number,
        patient_family=_family(patient),
        patient_birth_date=member.date_of_birth,
        insurer=None,
        requester=None,
        ordering=Party(reference, "Practitioner", npi=npi),
        servicing=Party(reference, "Practitioner", npi=performer),
        urgent=str(resource.get("priority") or "") in _URGENT,
        urgency_reason="Marked urgent in the EHR's order."
        if str(resource.get("priority") or "") in _URGENT
        else "",
        service_date=on,
        diagnoses=found_diagnoses,
        items=items,
        program="",
        questionnaire="",
        answers=dtr_answers(data, resource),
        messages=(),
        attachments=(),
        acknowledged=frozenset(),
        related=None,
        certification_type="",
        cancelled_status=False,
    )
