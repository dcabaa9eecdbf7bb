"""Imaging facility registration: a facility's staff describe a site section by section, submit it,
and the portal scores each modality (domain/facility_scores.py); support asks for corrections.

The rules, in one place:

* **Who.** Facility staff (permission ``facility.register``) work on the registrations of their
  practices: any staff member of a practice the registration's author belongs to may open, edit and
  submit it. Support admins (``facility.review_registrations``) read every registration and ask for
  corrections. Every write is audited.
* **Sections.** ``SECTIONS`` in order. Saving a section keeps the answers as typed, errors or not,
  and marks it complete only without errors. Changing the modalities offered re-checks the
  per-modality sections, which become incomplete when a newly offered modality has no answers.
* **Submitting** needs every section complete. It creates the ``Facility`` (or links the facility
  already on file with the same NPI when its tax ID is one of the user's practices'), sets its
  modalities (the imaging program's exam modalities of the scored modalities offered) and quality
  score (the rounded mean of its modality scores), and writes one ``FacilityModalityScore`` per
  modality. A facility already on file keeps its name and address: those change through a
  demographic change request. A copy of the answers as submitted is kept under ``SUBMITTED_KEY``:
  later edits, and a correction request, leave the published scores as last submitted until the
  facility submits again.
* **Scores change by themselves** when an accreditation expires or the physicist survey runs out;
  ``current_modality_scores`` rescoring the rows whose ``rescore_on`` has come, from the answers as
  submitted, before returning them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from portal_app import clock
from portal_app.domain import facility_scores as scoring
from portal_app.domain.enums import AuditOutcome, FacilityRegistrationStatus, FacilityType
from portal_app.domain.facility_scores import SCORED_MODALITIES, ModalityScore
from portal_app.domain.identifiers import is_valid_npi, normalize_tax_id
from portal_app.models import (
    Facility,
    FacilityModalityScore,
    FacilityRegistration,
    Practice,
    PracticeMembership,
    User,
)
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, PermissionDenied, may, require
from portal_app.services.mail import MailKind, send_mail

SECTIONS: tuple[str, ...] = ("facility", "modalities", "equipment", "staff", "accreditation", "quality")
SECTION_LABELS: dict[str, str] = {
    "facility": "Facility details",
    "modalities": "Modalities offered",
    "equipment": "Equipment",
    "staff": "Staff qualifications",
    "accreditation": "Accreditation",
    "quality": "Quality control",
}
PER_MODALITY_SECTIONS = ("equipment", "staff", "accreditation", "quality")
SUBMITTED_KEY = "_submitted"
NOTE_MIN, NOTE_MAX = 5, 2000
ANSWER_MAX = 200
PAGE_SIZE = 20
FIRST_INSTALL_YEAR = 1980
MAX_UNITS = 50
MRI_TESLA_RANGE = (0.2, 7.0)
CT_SLICE_RANGE = (1, 640)
ACCREDITATION_YEARS_AHEAD = 4  # ACR and IAC accredit for 3 years; a little room for renewal dates
FACILITY_TYPES = (FacilityType.FREE_STANDING, FacilityType.PHYSICIAN_OFFICE, FacilityType.HOSPITAL_OUTPATIENT)
PHYSICS_MODALITIES = ("ct", "mri", "nuclear", "pet")
CONTRAST_MODALITIES = ("ct", "mri")
YES_NO: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("no", "No"))
BODY_CHOICES: tuple[tuple[str, str], ...] = (("acr", "ACR"), ("iac", "IAC"), ("none", "Not accredited"))

_ZIP = re.compile(r"^\d{5}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_PHONE = re.compile(r"^[\d\s().+-]{7,20}$")


class RegistrationNotFound(LookupError):
    """No registration with that id (or not one the actor may see)."""


@dataclass(frozen=True)
class FormField:
    """One question of the form. ``key`` is the answer's name within its section (and modality)."""

    key: str
    label: str
    kind: str  # text, number, yesno, choice, date
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    optional: bool = False


FACILITY_FIELDS: tuple[FormField, ...] = (
    FormField("npi", "Facility NPI", "text", hint="The site's 10-digit National Provider Identifier."),
    FormField("name", "Facility name", "text"),
    FormField(
        "facility_type", "Facility type", "choice", tuple((kind.value, kind.label) for kind in FACILITY_TYPES)
    ),
    FormField("address_line", "Street address", "text"),
    FormField("city", "City", "text"),
    FormField("state", "State", "text", hint="Two letters, for example CA."),
    FormField("postal_code", "ZIP code", "text", hint="Five digits."),
    FormField("phone", "Phone", "text"),
    FormField("fax", "Fax", "text"),
    FormField(
        "tax_id", "Tax ID of the practice", "text", hint="For example 12-3456789; one of your practices'."
    ),
)
QUALITY_SHARED_FIELDS: tuple[FormField, ...] = (
    FormField("qc_log", "Do you keep a daily or weekly quality control log for every unit?", "yesno", YES_NO),
    FormField(
        "dose_registry",
        "Do you monitor CT doses or send them to a dose registry?",
        "yesno",
        YES_NO,
        hint="For example the ACR Dose Index Registry. Asked when you offer CT.",
    ),
    FormField(
        "emergency_training",
        "Are emergency equipment and contrast reaction training in place?",
        "yesno",
        YES_NO,
    ),
)
_CREDENTIALS = {
    "ct": "ARRT (CT) or NMTCB CT",
    "mri": "ARRT (MR) or ARMRIT",
    "nuclear": "NMTCB or ARRT (N)",
    "pet": "NMTCB (PET) or ARRT (N)",
    "ultrasound": "ARDMS (RDMS) or ARRT (S)",
    "echo": "ARDMS (RDCS) or CCI (RCS)",
}
_BOARDS = {
    "ct": "ABR",
    "mri": "ABR",
    "nuclear": "ABNM, ABR or CBNC",
    "pet": "ABNM or ABR",
    "ultrasound": "ABR",
    "echo": "the National Board of Echocardiography (NBE)",
}


def modality_fields(section: str, modality: str) -> tuple[FormField, ...]:
    """The questions a per-modality section asks about ``modality``."""
    if section == "equipment":
        fields = [
            FormField("units", "Number of units", "number"),
            FormField("manufacturer_model", "Manufacturer and model (optional)", "text", optional=True),
            FormField("year_installed", "Year the oldest unit was installed", "number"),
        ]
        if modality == "ct":
            fields += [
                FormField("slices", "Slices (detector rows) of the least capable scanner", "number"),
                FormField("xr29", "Do all scanners meet NEMA XR-29 (Smart Dose)?", "yesno", YES_NO),
                FormField(
                    "iterative_reconstruction", "Is iterative reconstruction available?", "yesno", YES_NO
                ),
                FormField(
                    "automatic_exposure_control", "Is automatic exposure control used?", "yesno", YES_NO
                ),
                FormField("dose_records", "Is the dose of every exam recorded?", "yesno", YES_NO),
            ]
        if modality == "mri":
            fields.append(
                FormField(
                    "field_strength",
                    "Field strength of the weakest magnet (tesla)",
                    "number",
                    hint="Between 0.2 and 7, for example 1.5.",
                )
            )
        return tuple(fields)
    if section == "staff":
        fields = [
            FormField(
                "technologists_credentialed",
                f"Do all technologists hold {_CREDENTIALS[modality]}?",
                "yesno",
                YES_NO,
            ),
            FormField(
                "physicians_board_certified",
                f"Are all interpreting physicians certified by {_BOARDS[modality]}?",
                "yesno",
                YES_NO,
            ),
        ]
        if modality in CONTRAST_MODALITIES:
            fields.append(
                FormField(
                    "physician_on_site_contrast",
                    "Is a physician on site whenever contrast is given?",
                    "yesno",
                    YES_NO,
                )
            )
        return tuple(fields)
    if section == "accreditation":
        return (
            FormField("body", "Accrediting body", "choice", BODY_CHOICES),
            FormField(
                "expires_on",
                "Accreditation expiry date",
                "date",
                optional=True,
                hint="Needed when the modality is accredited.",
            ),
        )
    if section == "quality":
        if modality in PHYSICS_MODALITIES:
            return (FormField("physics_survey_on", "Date of the last medical physicist survey", "date"),)
        return ()
    raise ValueError(f"Not a per-modality section: {section}")


# --- views ---


@dataclass(frozen=True)
class RegistrationSummary:
    registration_id: int
    facility_name: str
    npi: str
    status: str
    status_label: str
    sections_complete: int
    sections_total: int
    updated_on: str
    submitted_on: str
    author: str
    author_email: str
    corrections_note: str
    facility_id: int | None


@dataclass(frozen=True)
class RegistrationView:
    registration_id: int
    status: str
    status_label: str
    sections: dict[str, Any]  # the answers as saved, without the submitted copy
    completed_sections: tuple[str, ...]
    offered: tuple[str, ...]
    corrections_note: str
    facility_id: int | None
    author: str
    submitted_on: str
    changed_since_submitted: bool

    @property
    def facility_name(self) -> str:
        return (
            str(self.sections.get("facility", {}).get("name", "")) or f"Registration {self.registration_id}"
        )


@dataclass(frozen=True)
class Scorecard:
    registration_id: int
    facility_name: str
    on: date
    preview: bool  # True: scores of the answers saved so far, not yet submitted
    scores: tuple[ModalityScore, ...]


def _today(today: date | None) -> date:
    return today or clock.today()


# --- access ---


def _practice_ids_of(session: Session, user_id: int) -> set[int]:
    return set(
        session.exec(
            select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user_id)
        ).all()
    )


def _actor_tax_ids(session: Session, actor: Actor) -> set[str]:
    if not actor.practice_ids:
        return set()
    return set(session.exec(select(Practice.tax_id).where(col(Practice.id).in_(actor.practice_ids))).all())


def _denied(session: Session, actor: Actor, permission: str, record: str) -> PermissionDenied:
    audit.record(
        session,
        action="access.denied",
        user_id=actor.user_id,
        outcome=AuditOutcome.DENIED,
        client_address=actor.client_address,
        detail={"permission": permission, "record": record},
    )
    session.commit()
    return PermissionDenied(permission)


def _registration(session: Session, registration_id: int) -> FacilityRegistration:
    found = session.get(FacilityRegistration, registration_id) if isinstance(registration_id, int) else None
    if found is None:
        raise RegistrationNotFound(registration_id)
    return found


def _owned(
    session: Session, actor: Actor, registration_id: int, *, allow_support: bool
) -> FacilityRegistration:
    """The registration, when the actor is on its author's practices' staff (or support, if allowed)."""
    record = f"facility_registration:{registration_id}"
    if allow_support and may(actor, "facility.review_registrations"):
        return _registration(session, registration_id)
    require(session, actor, "facility.register", record=record)
    registration = _registration(session, registration_id)
    if registration.user_id != actor.user_id and not (
        _practice_ids_of(session, registration.user_id) & set(actor.practice_ids)
    ):
        raise _denied(session, actor, "facility.register", record)
    return registration


# --- answers: shape and checks ---


def _clean(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)
    return " ".join(value.split())[:ANSWER_MAX] if isinstance(value, str) else ""


def _nested(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as stored: ``{"ct.units": "2"}`` and ``{"ct": {"units": "2"}}`` both become the latter."""
    shaped: dict[str, Any] = {}
    for key, value in (answers or {}).items():
        if not isinstance(key, str):
            continue
        if isinstance(value, Mapping) and key in SCORED_MODALITIES:
            shaped.setdefault(key, {}).update({str(k): _clean(v) for k, v in value.items()})
        elif "." in key:
            modality, _, field = key.partition(".")
            if modality in SCORED_MODALITIES:
                shaped.setdefault(modality, {})[field] = _clean(value)
        else:
            shaped[key] = _clean(value)
    return shaped


def _offered_from(answers: Mapping[str, Any]) -> list[str]:
    offered = answers.get("offered")
    if isinstance(offered, str):
        offered = offered.split(",")
    chosen = {str(item).strip() for item in offered} if isinstance(offered, (list, tuple, set)) else set()
    chosen |= {
        key for key, value in answers.items() if key in SCORED_MODALITIES and value in (True, "yes", "on")
    }
    return [modality for modality in SCORED_MODALITIES if modality in chosen]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phone_error(text: str, what: str) -> str:
    # The same rule as a user's phone at registration (services/registration.py).
    return "" if _PHONE.match(text) else f"Enter the {what} with 7 to 20 digits."


def _facility_errors(answers: dict[str, Any], tax_ids: set[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for spec in FACILITY_FIELDS:
        if not answers.get(spec.key):
            errors[spec.key] = (
                "Choose the facility type."
                if spec.kind == "choice"
                else f"Enter the {spec.label[0].lower()}{spec.label[1:]}."
            )
    npi = answers.get("npi", "")
    if npi and not is_valid_npi(npi):
        errors["npi"] = "An NPI is 10 digits with a valid check digit; check it against NPPES."
    if answers.get("facility_type") and answers["facility_type"] not in {
        kind.value for kind in FACILITY_TYPES
    }:
        errors["facility_type"] = "Choose the facility type."
    if answers.get("state"):
        answers["state"] = answers["state"].upper()
        if not _STATE.match(answers["state"]):
            errors["state"] = "Enter the state as two letters, for example CA."
    if answers.get("postal_code") and not _ZIP.match(answers["postal_code"]):
        errors["postal_code"] = "Enter the ZIP code as five digits."
    for key, what in (("phone", "phone number"), ("fax", "fax number")):
        if answers.get(key) and _phone_error(answers[key], what):
            errors[key] = _phone_error(answers[key], what)
    if answers.get("tax_id"):
        tax_id = normalize_tax_id(answers["tax_id"])
        if tax_id is None:
            errors["tax_id"] = "A tax ID has 9 digits, written 12-3456789."
        else:
            answers["tax_id"] = tax_id
            if tax_id not in tax_ids:
                errors["tax_id"] = (
                    "Use the tax ID of one of your practices; support links practices to your account."
                )
    return errors


def _number_error(text: str, *, low: float, high: float, whole: bool, what: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return f"Enter {what} as a number."
    if whole and value != int(value):
        return f"Enter {what} as a whole number."
    if not low <= value <= high:
        return f"Enter {what} between {low:g} and {high:g}."
    return ""


def _date_error(text: str, *, low: date, high: date, what: str) -> str:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return f"Enter {what} as a date (YYYY-MM-DD)."
    if not low <= day <= high:
        return f"Enter {what} between {low.isoformat()} and {high.isoformat()}."
    return ""


def _modality_errors(section: str, modality: str, answers: Mapping[str, str], today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    label = SCORED_MODALITIES[modality]
    for spec in modality_fields(section, modality):
        value = answers.get(spec.key, "")
        key = f"{modality}.{spec.key}"
        if not value:
            if not spec.optional:
                errors[key] = (
                    f"{label}: answer this question."
                    if spec.kind in ("yesno", "choice")
                    else f"{label}: enter the {spec.label.lower()}."
                )
            continue
        if spec.choices and value not in {choice for choice, _ in spec.choices}:
            errors[key] = f"{label}: choose one of the answers."
        elif spec.key == "units":
            errors[key] = _number_error(value, low=1, high=MAX_UNITS, whole=True, what="the number of units")
        elif spec.key == "year_installed":
            errors[key] = _number_error(
                value, low=FIRST_INSTALL_YEAR, high=today.year, whole=True, what="the year installed"
            )
        elif spec.key == "slices":
            errors[key] = _number_error(
                value, low=CT_SLICE_RANGE[0], high=CT_SLICE_RANGE[1], whole=True, what="the slice count"
            )
        elif spec.key == "field_strength":
            errors[key] = _number_error(
                value, low=MRI_TESLA_RANGE[0], high=MRI_TESLA_RANGE[1], whole=False, what="the field strength"
            )
        elif spec.key == "physics_survey_on":
            errors[key] = _date_error(
                value, low=date(FIRST_INSTALL_YEAR, 1, 1), high=today, what="the survey date"
            )
        elif spec.key == "expires_on":
            errors[key] = _date_error(
                value,
                low=date(2000, 1, 1),
                high=date(today.year + ACCREDITATION_YEARS_AHEAD, 12, 31),
                what="the expiry date",
            )
    if section == "accreditation":
        body, key = answers.get("body", ""), f"{modality}.expires_on"
        if body in ("acr", "iac") and not answers.get("expires_on"):
            errors[key] = f"{label}: enter the accreditation expiry date."
        if body == "acr" and modality == "echo":
            errors[f"{modality}.body"] = (
                "Echocardiography: the ACR does not accredit echocardiography; choose IAC."
            )
    return {key: message for key, message in errors.items() if message}


def section_errors(
    section: str,
    answers: dict[str, Any],
    *,
    offered: list[str] | tuple[str, ...],
    tax_ids: set[str],
    today: date,
) -> dict[str, str]:
    """The problems of one section's answers (tidied in place: NPI digits, state upper case, tax ID)."""
    if section == "facility":
        return _facility_errors(answers, tax_ids)
    if section == "modalities":
        return {} if answers.get("offered") else {"offered": "Choose at least one modality you offer."}
    if not offered:
        return {"offered": "Choose the modalities you offer first (section Modalities offered)."}
    errors: dict[str, str] = {}
    for modality in offered:
        errors.update(_modality_errors(section, modality, answers.get(modality, {}), today))
    if section == "quality":
        for spec in QUALITY_SHARED_FIELDS:
            if spec.key == "dose_registry" and "ct" not in offered:
                continue
            if answers.get(spec.key) not in ("yes", "no"):
                errors[spec.key] = "Answer this question."
    return errors


def _shape_section(section: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    if section == "modalities":
        return {"offered": _offered_from(answers or {})}
    shaped = _nested(answers)
    if section == "facility":
        shaped = {spec.key: shaped.get(spec.key, "") for spec in FACILITY_FIELDS}
        digits = _digits(shaped["npi"])
        shaped["npi"] = digits if len(digits) == 10 else shaped["npi"]
    return shaped


def _offered(sections: Mapping[str, Any]) -> list[str]:
    return list(scoring.offered_modalities(sections))


# --- the facility's work ---


def _summary(registration: FacilityRegistration, author: User | None) -> RegistrationSummary:
    facility = registration.sections.get("facility", {}) if isinstance(registration.sections, dict) else {}
    status = FacilityRegistrationStatus(registration.status)
    return RegistrationSummary(
        registration_id=id_of(registration),
        facility_name=str(facility.get("name", "")) or "(no name yet)",
        npi=str(facility.get("npi", "")),
        status=status.value,
        status_label=status.label,
        sections_complete=len([s for s in SECTIONS if s in registration.completed_sections]),
        sections_total=len(SECTIONS),
        updated_on=registration.updated_at.strftime("%Y-%m-%d"),
        submitted_on=registration.submitted_at.strftime("%Y-%m-%d") if registration.submitted_at else "",
        author=author.full_name if author else "",
        author_email=author.email if author else "",
        corrections_note=registration.corrections_note,
        facility_id=registration.facility_id,
    )


def list_my_registrations(session: Session, *, actor: Actor) -> list[RegistrationSummary]:
    """The registrations of the actor's practices (and the actor's own), newest first."""
    require(session, actor, "facility.register")
    colleagues = select(PracticeMembership.user_id).where(
        col(PracticeMembership.practice_id).in_(actor.practice_ids or (-1,))
    )
    rows = session.exec(
        select(FacilityRegistration, User)
        .join(User, col(User.id) == FacilityRegistration.user_id)
        .where(
            or_(
                col(FacilityRegistration.user_id) == actor.user_id,
                col(FacilityRegistration.user_id).in_(colleagues),
            )
        )
        .order_by(col(FacilityRegistration.id).desc())
        .limit(200)
    ).all()
    return [_summary(registration, author) for registration, author in rows]


def start_registration(session: Session, *, actor: Actor) -> int:
    """A new empty registration of the actor; returns its id."""
    require(session, actor, "facility.register")
    registration = FacilityRegistration(user_id=actor.user_id, sections={}, completed_sections=[])
    session.add(registration)
    session.flush()
    audit.record(
        session,
        action="facility_registration.started",
        user_id=actor.user_id,
        record_type="facility_registration",
        record_id=id_of(registration),
        client_address=actor.client_address,
    )
    session.commit()
    return id_of(registration)


def _view(session: Session, registration: FacilityRegistration) -> RegistrationView:
    sections = {key: value for key, value in (registration.sections or {}).items() if key != SUBMITTED_KEY}
    author = session.get(User, registration.user_id)
    status = FacilityRegistrationStatus(registration.status)
    submitted = registration.sections.get(SUBMITTED_KEY) if registration.sections else None
    return RegistrationView(
        registration_id=id_of(registration),
        status=status.value,
        status_label=status.label,
        sections=copy.deepcopy(sections),
        completed_sections=tuple(s for s in SECTIONS if s in registration.completed_sections),
        offered=tuple(_offered(sections)),
        corrections_note=registration.corrections_note,
        facility_id=registration.facility_id,
        author=author.full_name if author else "",
        submitted_on=registration.submitted_at.strftime("%Y-%m-%d") if registration.submitted_at else "",
        changed_since_submitted=submitted is not None and submitted != sections,
    )


def registration_view(session: Session, *, actor: Actor, registration_id: int) -> RegistrationView:
    """One registration as saved, for its practices' facility staff or for support."""
    return _view(session, _owned(session, actor, registration_id, allow_support=True))


def _recheck_modality_sections(
    session: Session, actor: Actor, sections: dict[str, Any], completed: list[str], today: date
) -> list[str]:
    """The completed sections still complete once the modalities offered changed."""
    offered = _offered(sections)
    tax_ids = _actor_tax_ids(session, actor)
    return [
        section
        for section in completed
        if section not in PER_MODALITY_SECTIONS
        or not section_errors(
            section, copy.deepcopy(sections.get(section, {})), offered=offered, tax_ids=tax_ids, today=today
        )
    ]


def save_section(
    session: Session,
    *,
    actor: Actor,
    registration_id: int,
    section: str,
    answers: dict,
    today: date | None = None,
) -> dict[str, str]:
    """Save one section's answers (always kept); returns the problems, {} when the section is complete."""
    registration = _owned(session, actor, registration_id, allow_support=False)
    if section not in SECTIONS:
        return {"section": "Unknown section."}
    today = _today(today)
    sections = copy.deepcopy(registration.sections or {})
    shaped = _shape_section(section, answers if isinstance(answers, Mapping) else {})
    offered = shaped["offered"] if section == "modalities" else _offered(sections)
    errors = section_errors(
        section, shaped, offered=offered, tax_ids=_actor_tax_ids(session, actor), today=today
    )
    sections[section] = shaped
    completed = [s for s in registration.completed_sections if s != section] + ([] if errors else [section])
    if section == "modalities":
        completed = _recheck_modality_sections(session, actor, sections, completed, today)
    registration.sections, registration.completed_sections = sections, [s for s in SECTIONS if s in completed]
    registration.updated_at = clock.now()
    session.add(registration)
    audit.record(
        session,
        action="facility_registration.section_saved",
        user_id=actor.user_id,
        record_type="facility_registration",
        record_id=id_of(registration),
        client_address=actor.client_address,
        detail={"section": section, "complete": not errors},
    )
    session.commit()
    return errors


def _facility_for(
    session: Session, actor: Actor, registration: FacilityRegistration, details: Mapping[str, Any]
) -> tuple[Facility | None, dict[str, str]]:
    """The facility this registration creates or links, or the problem."""
    linked = session.get(Facility, registration.facility_id) if registration.facility_id else None
    if linked is not None and linked.npi != details["npi"]:
        return None, {
            "npi": f"This registration is for NPI {linked.npi}; start a new registration for another site."
        }
    existing = session.exec(select(Facility).where(Facility.npi == details["npi"])).first()
    if existing is None:
        return Facility(
            npi=details["npi"],
            name=details["name"],
            facility_type=FacilityType(details["facility_type"]),
            address_line=details["address_line"],
            city=details["city"],
            state=details["state"],
            postal_code=details["postal_code"],
            phone=details["phone"],
            fax=details["fax"],
            tax_id=details["tax_id"],
        ), {}
    if existing.tax_id not in _actor_tax_ids(session, actor):
        return None, {
            "npi": f"A facility with NPI {existing.npi} is on file under a tax ID that is not one of "
            "your practices'. Ask support to check the facility's record."
        }
    other = session.exec(
        select(FacilityRegistration.id).where(
            FacilityRegistration.facility_id == existing.id, FacilityRegistration.id != registration.id
        )
    ).first()
    if other is not None:
        return None, {
            "npi": f"The facility with NPI {existing.npi} is already registered (registration {other}); "
            "update that registration instead."
        }
    return existing, {}


def _write_scores(
    session: Session, facility: Facility, scores: Mapping[str, ModalityScore], on: date
) -> None:
    rows = {
        row.modality: row
        for row in session.exec(
            select(FacilityModalityScore).where(FacilityModalityScore.facility_id == facility.id)
        ).all()
    }
    for modality, row in rows.items():
        if modality not in scores:
            session.delete(row)
    for modality, score in scores.items():
        row = rows.get(modality) or FacilityModalityScore(
            facility_id=id_of(facility), modality=modality, score=0, computed_on=on
        )
        row.score, row.computed_on, row.rescore_on = score.score, on, score.rescore_on
        session.add(row)
    exams = [exam for modality in scores for exam in scoring.exam_modalities_for(modality)]
    facility.modalities = ",".join(exams)
    facility.quality_score = scoring.overall_score(scores)
    session.add(facility)


def submit_registration(
    session: Session,
    *,
    actor: Actor,
    registration_id: int,
    today: date | None = None,
) -> dict[str, str]:
    """Submit (or resubmit) a registration; returns the problems, {} when it was submitted and scored."""
    registration = _owned(session, actor, registration_id, allow_support=False)
    today = _today(today)
    sections = {key: value for key, value in (registration.sections or {}).items() if key != SUBMITTED_KEY}
    missing = [s for s in SECTIONS if s not in registration.completed_sections]
    if missing:
        return {
            "sections": "Complete these sections first: "
            + ", ".join(SECTION_LABELS[s] for s in missing)
            + "."
        }
    offered, tax_ids = _offered(sections), _actor_tax_ids(session, actor)
    for section in SECTIONS:
        if section_errors(
            section, copy.deepcopy(sections.get(section, {})), offered=offered, tax_ids=tax_ids, today=today
        ):
            return {"sections": f"Check the section {SECTION_LABELS[section]} again and save it."}
    facility, errors = _facility_for(session, actor, registration, sections["facility"])
    if errors:
        return errors
    assert facility is not None  # _facility_for gives the facility whenever it finds no problem
    session.add(facility)
    session.flush()
    scores = scoring.score_registration(sections, today)
    _write_scores(session, facility, scores, today)
    first = registration.submitted_at is None
    registration.facility_id = id_of(facility)
    registration.status = FacilityRegistrationStatus.SUBMITTED
    registration.sections = {**copy.deepcopy(sections), SUBMITTED_KEY: copy.deepcopy(sections)}
    registration.submitted_at = registration.updated_at = clock.now()
    session.add(registration)
    audit.record(
        session,
        action="facility_registration.submitted" if first else "facility_registration.resubmitted",
        user_id=actor.user_id,
        record_type="facility_registration",
        record_id=id_of(registration),
        client_address=actor.client_address,
        detail={"facility_id": id_of(facility), "scores": {m: s.score for m, s in scores.items()}},
    )
    session.commit()
    return {}


def facility_scorecard(
    session: Session, *, actor: Actor, registration_id: int, today: date | None = None
) -> Scorecard:
    """The scores as submitted (rescored for ``today``), or a preview of the answers saved so far."""
    registration = _owned(session, actor, registration_id, allow_support=True)
    today = _today(today)
    submitted = (registration.sections or {}).get(SUBMITTED_KEY)
    sections = submitted if submitted is not None else registration.sections or {}
    scores = scoring.score_registration(sections, today)
    name = str(sections.get("facility", {}).get("name", "")) or f"Registration {registration.id}"
    return Scorecard(
        registration_id=id_of(registration),
        facility_name=name,
        on=today,
        preview=submitted is None,
        scores=tuple(scores.values()),
    )


# --- the site-of-care and directory code ---


def current_modality_scores(
    session: Session,
    facility_ids,
    *,
    today: date | None = None,
) -> dict[int, dict[str, int]]:
    """``{facility_id: {scored modality: score}}`` of registered facilities among ``facility_ids``,
    after rescoring those whose scores changed by themselves since they were computed."""
    today = _today(today)
    wanted = sorted({int(fid) for fid in facility_ids or () if isinstance(fid, int)})
    if not wanted:
        return {}
    due = set(
        session.exec(
            select(FacilityModalityScore.facility_id).where(
                col(FacilityModalityScore.facility_id).in_(wanted),
                col(FacilityModalityScore.rescore_on) <= today,
            )
        ).all()
    )
    for facility_id in sorted(due):
        _rescore(session, facility_id, today)
    if due:
        session.commit()
    result: dict[int, dict[str, int]] = {}
    for row in session.exec(
        select(FacilityModalityScore).where(col(FacilityModalityScore.facility_id).in_(wanted))
    ).all():
        result.setdefault(row.facility_id, {})[row.modality] = row.score
    return result


def _rescore(session: Session, facility_id: int, today: date) -> None:
    registration = session.exec(
        select(FacilityRegistration).where(FacilityRegistration.facility_id == facility_id)
    ).first()
    facility = session.get(Facility, facility_id)
    submitted = (registration.sections or {}).get(SUBMITTED_KEY) if registration else None
    if facility is None or submitted is None:
        return
    scores = scoring.score_registration(submitted, today)
    _write_scores(session, facility, scores, today)
    audit.record(
        session,
        action="facility_scores.rescored",
        user_id=None,
        record_type="facility",
        record_id=facility_id,
        detail={"scores": {m: s.score for m, s in scores.items()}},
    )


# --- support ---


def list_registrations(
    session: Session,
    *,
    actor: Actor,
    status: str = "",
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> tuple[list[RegistrationSummary], int]:
    """One page of registrations (optionally of one status), most recently changed first, and the total."""
    require(session, actor, "facility.review_registrations")
    query = select(FacilityRegistration, User).join(User, col(User.id) == FacilityRegistration.user_id)
    if status:
        if status not in {s.value for s in FacilityRegistrationStatus}:
            return [], 0
        query = query.where(FacilityRegistration.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    size = max(1, min(int(page_size), 100))
    rows = session.exec(
        query.order_by(col(FacilityRegistration.updated_at).desc(), col(FacilityRegistration.id).desc())
        .offset(max(int(page), 0) * size)
        .limit(size)
    ).all()
    return [_summary(registration, author) for registration, author in rows], total


def request_corrections(session: Session, *, actor: Actor, registration_id: int, note: str) -> dict[str, str]:
    """Ask the facility to correct a submitted registration; the note is shown to the facility."""
    require(
        session, actor, "facility.review_registrations", record=f"facility_registration:{registration_id}"
    )
    registration = _registration(session, registration_id)
    text = " ".join((note or "").split()) if isinstance(note, str) else ""
    if len(text) < NOTE_MIN:
        return {"note": "Say what the facility should correct."}
    if len(text) > NOTE_MAX:
        return {"note": f"Shorten the note to {NOTE_MAX} characters."}
    if registration.status != FacilityRegistrationStatus.SUBMITTED:
        return {"note": "Only a submitted registration can be sent back for corrections."}
    registration.status = FacilityRegistrationStatus.CORRECTIONS_REQUESTED
    registration.corrections_note, registration.corrections_requested_by_id = text, actor.user_id
    registration.corrections_requested_at = registration.updated_at = clock.now()
    session.add(registration)
    author = session.get(User, registration.user_id)
    if author is not None:
        send_mail(
            session,
            to=author.email,
            subject="Corrections requested for your facility registration",
            kind=MailKind.FACILITY_REGISTRATION,
            body=f"Our support team asked for corrections to facility registration {registration.id}. "
            "Sign in to Precert and open Facility registration to see what to correct, then submit it "
            "again. Your published scores stay as last submitted until then.",
        )
    audit.record(
        session,
        action="facility_registration.corrections_requested",
        user_id=actor.user_id,
        record_type="facility_registration",
        record_id=id_of(registration),
        client_address=actor.client_address,
    )
    session.commit()
    return {}
