"""The imaging and cardiology program's own wizard step (a program plug-in's state)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app.domain.enums import FacilityType, Role
from portal_app.domain.program_types import ManagedCode
from portal_app.programs.imaging import domain as imaging
from portal_app.services import order_entry as entry
from portal_app.state.auth import authorized, call_service
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext, choices_from
from portal_app.state.validation import errors_by_field

STAFF = Role.ORDERING_PROVIDER_STAFF
TEXT_FIELDS = (
    "modality",
    "body_part",
    "laterality",
    "clinical_indication",
    "weeks_of_symptoms",
    "weeks_conservative_care",
    "chest_pain_type",
    "prior_test",
    "prior_result",
    "hospital_reason",
    "clinical_notes",
    "code",
)
LIST_FIELDS = {"red_flags": imaging.RED_FLAGS, "risk_factors": imaging.RISK_FACTORS}
ERROR_KEYS = (
    "modality",
    "body_part",
    "laterality",
    "clinical_indication",
    "weeks_of_symptoms",
    "weeks_conservative_care",
    "red_flags",
    "risk_factors",
    "cardiac",
    "chest_pain_type",
    "prior_test",
    "prior_result",
    "site_of_care",
    "hospital_reason",
    "clinical_notes",
    "codes",
)


# The six columns of order_entry.ProviderMatch that the alternatives list shows.
@dataclass
class Alternative:
    name: str
    detail: str
    city: str
    quality: str
    distance: str
    cost: str  # the plan's relative cost level on the date of service; "" when it supplied none


def _site_of_care(kind: str, detail: str) -> str:
    """The site of care follows from the servicing choice: an individual provider works in an office."""
    if kind == "facility" and detail == FacilityType.HOSPITAL_OUTPATIENT.label:
        return "hospital_outpatient"
    if kind == "facility" and detail != FacilityType.PHYSICIAN_OFFICE.label:
        return "free_standing"
    return "physician_office"


def _error_target(key: str) -> str:
    """The field an error of the imaging details belongs to (the pre-exam's errors group together)."""
    if key == "cardiac.chest_pain_type":
        return "chest_pain_type"
    return "cardiac" if key.startswith("cardiac") else key.split(".")[0]


class ImagingStepState(rx.State):
    modality: str = ""
    body_part: str = ""
    laterality: str = "not_applicable"
    clinical_indication: str = ""
    weeks_of_symptoms: str = ""
    weeks_conservative_care: str = ""
    red_flags: list[str] = []
    chest_pain_type: str = ""
    skip_pre_exam: bool = False  # the pre-exam is voluntary (program FAQ): skipped, the line pends
    risk_factors: list[str] = []
    prior_test: str = ""
    prior_result: str = ""
    site_of_care: str = "physician_office"
    hospital_reason: str = ""
    clinical_notes: str = ""
    code: str = ""
    member_age: int = 0
    code_options: list[Choice] = []
    alternatives: list[Alternative] = []
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    _plan_code: str = ""
    _order_id: int = 0
    _service_year: int = 0
    _in_force: tuple[ManagedCode, ...] = ()  # the codes in force for the member's coverage
    _all_codes: list = []

    # --- choices for the page ---

    @rx.var
    def modality_options(self) -> list[Choice]:
        return choices_from(imaging.MODALITY_LABELS)

    @rx.var
    def body_part_options(self) -> list[Choice]:
        parts = imaging.MODALITY_BODY_PARTS.get(self.modality, ())
        return choices_from(imaging.BODY_PART_LABELS, parts)

    @rx.var
    def needs_side(self) -> bool:
        return self.body_part in imaging.PAIRED_BODY_PARTS

    @rx.var
    def red_flag_options(self) -> list[Choice]:
        flags = imaging.RED_FLAGS_BY_INDICATION.get(self.clinical_indication, ())
        return choices_from(imaging.RED_FLAG_LABELS, flags)

    @rx.var
    def asks_pre_exam(self) -> bool:
        return bool(self.modality) and imaging.needs_cardiac_pre_exam(self.modality, self.member_age)

    @rx.var
    def asks_hospital_reason(self) -> bool:
        return bool(self.modality) and imaging.needs_site_of_care_reason(self.modality, self.site_of_care)

    @rx.var
    def site_label(self) -> str:
        return imaging.SITE_OF_CARE_LABELS.get(self.site_of_care, "")

    # --- wiring from the wizard ---

    async def _prepare(self, context: StepContext) -> None:
        self._plan_code = context.plan_code
        self._order_id, self._service_year = context.order_id, context.service_year
        self._in_force = context.codes_in_force
        self.member_age = context.member_age
        self.site_of_care = _site_of_care(context.site_kind, context.site_detail)
        self._refresh_codes()
        await self._load_alternatives()

    async def _load_alternatives(self) -> None:
        """The other sites for this exam, shown when a CT or MR exam is asked for in a hospital."""
        if not self.asks_hospital_reason or not self._order_id:
            self.alternatives = []
            return
        found = await call_service(
            entry.site_of_care_alternatives, order_id=self._order_id, exam_modality=self.modality
        )
        self.alternatives = [
            Alternative(a.name, a.detail, a.city, a.quality, a.distance, a.cost) for a in found[:5]
        ]

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        for name in (
            "modality",
            "body_part",
            "laterality",
            "clinical_indication",
            "hospital_reason",
            "clinical_notes",
            "site_of_care",
        ):
            setattr(self, name, str(details.get(name) or getattr(self, name)))
        for name in ("weeks_of_symptoms", "weeks_conservative_care"):
            value = details.get(name)
            setattr(self, name, "" if value is None else str(value))
        self.red_flags = list(details.get("red_flags") or [])
        cardiac = details.get("cardiac") or {}
        self.skip_pre_exam = not cardiac and self.modality in imaging.PRE_EXAM_MODALITIES
        self.chest_pain_type = cardiac.get("chest_pain_type", "")
        self.risk_factors = list(cardiac.get("risk_factors") or [])
        prior = (cardiac.get("prior_tests") or [{}])[0] if cardiac.get("prior_tests") else {}
        self.prior_test, self.prior_result = prior.get("test", ""), prior.get("result", "")
        self.code = codes[0] if codes else ""

        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._refresh_codes()

    def _refresh_codes(self) -> None:
        found = (
            imaging.code_choices(
                self._plan_code,
                self._service_year,
                modality=self.modality,
                body_part=self.body_part,
                in_force=self._in_force,
            )
            if self.modality and self.body_part
            else []
        )
        self.code_options = [Choice(c.code, f"{c.code} — {c.label}") for c in found]
        if self.code not in {c.code for c in found}:
            self.code = found[0].code if len(found) == 1 else ""

    def _details_payload(self) -> dict:
        cardiac = None
        if self.asks_pre_exam and not self.skip_pre_exam:
            prior = [{"test": self.prior_test, "result": self.prior_result}] if self.prior_test else []
            cardiac = {
                "chest_pain_type": self.chest_pain_type,
                "risk_factors": list(self.risk_factors),
                "prior_tests": prior,
            }
        return {
            "modality": self.modality,
            "body_part": self.body_part,
            "laterality": self.laterality,
            "clinical_indication": self.clinical_indication,
            "weeks_of_symptoms": self.weeks_of_symptoms or None,
            "weeks_conservative_care": self.weeks_conservative_care or None,
            "red_flags": list(self.red_flags),
            "cardiac": cardiac,
            "site_of_care": self.site_of_care,
            "hospital_reason": self.hospital_reason,
            "clinical_notes": self.clinical_notes,
        }

    def _chosen_codes(self) -> list[str]:
        return [self.code] if self.code else []

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors_by_field(errors, ERROR_KEYS, _error_target)

    def _diagnosis_change(self) -> DiagnosisChange | None:
        return None

    # --- typed values ---

    @rx.event
    @authorized(STAFF)
    async def update_field(self, field: str, value: str):
        if field not in TEXT_FIELDS or not isinstance(value, str):
            return
        setattr(self, field, value[:4000])
        if field == "modality":
            self.body_part = ""
        if field in {"modality", "body_part"}:
            self._refresh_codes()
        if field == "modality":
            await self._load_alternatives()
        if field == "clinical_indication":
            allowed = set(imaging.RED_FLAGS_BY_INDICATION.get(value, ()))
            self.red_flags = [f for f in self.red_flags if f in allowed]

    @rx.event
    @authorized(STAFF)
    async def mark_skip_pre_exam(self, checked: bool):
        self.skip_pre_exam = checked is True

    @rx.event
    @authorized(STAFF)
    async def toggle_choice(self, field: str, value: str, checked: bool):
        allowed = LIST_FIELDS.get(field, ())
        if value not in allowed:
            return
        current = [v for v in getattr(self, field) if v != value]
        setattr(self, field, current + [value] if checked is True else current)


STEP_STATE = ImagingStepState
