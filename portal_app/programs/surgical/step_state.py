"""The surgical program's own wizard step: the procedure, its codes, the site of care and what each
criterion of the procedure needs (the questions are data: ``domain.QUESTIONS``)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app.domain.enums import FacilityType, Role
from portal_app.domain.program_types import ManagedCode
from portal_app.programs.surgical import domain as surgical
from portal_app.services import order_entry as entry
from portal_app.state.auth import authorized, call_service
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext, choices_from
from portal_app.state.validation import errors_by_field, toggled

STAFF = Role.ORDERING_PROVIDER_STAFF
QUESTION_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(q.field for questions in surgical.QUESTIONS.values() for q in questions)
)
LIST_FIELDS = surgical.LIST_FIELDS
TEXT_FIELDS: tuple[str, ...] = (
    "procedure",
    "hospital_reason",
    "clinical_notes",
    *(field for field in QUESTION_FIELDS if field not in LIST_FIELDS),
)
ERROR_KEYS = (*TEXT_FIELDS, *LIST_FIELDS, "site_of_care", "codes")
ALTERNATIVES_SHOWN = 5


# The six columns of order_entry.ProviderMatch that the alternatives list shows.
@dataclass
class Alternative:
    name: str
    detail: str
    city: str
    quality: str
    distance: str
    cost: str  # the plan's relative cost level on the date of service; "" when it supplied none


def site_of_care(kind: str, detail: str) -> str:
    """The site of care follows from the servicing choice: a hospital outpatient facility, or not."""
    if kind == "facility" and detail == FacilityType.HOSPITAL_OUTPATIENT.label:
        return "hospital_outpatient"
    return "ambulatory_surgery_center"


class SurgicalStepState(rx.State):
    procedure: str = ""
    site_of_care: str = "ambulatory_surgery_center"
    hospital_reason: str = ""
    clinical_notes: str = ""
    codes: list[str] = []
    procedure_options: list[Choice] = []
    code_options: list[Choice] = []
    alternatives: list[Alternative] = []
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    _plan_code: str = ""
    _order_id: int = 0
    _service_year: int = 0
    _in_force: tuple[ManagedCode, ...] = ()  # the codes in force for the member's coverage
    # The answers, one per question of domain.QUESTIONS (typed values as text, lists as values).
    egd_alarm_features: list[str] = []
    ppi_trial_weeks: str = ""
    colonoscopy_purpose: str = ""
    colonoscopy_indications: list[str] = []
    last_colonoscopy_date: str = ""
    last_colonoscopy_findings: str = ""
    family_history: str = ""
    sedation_risks: list[str] = []
    sinus_symptom_weeks: str = ""
    sinus_ct_disease: str = ""
    sinus_medical_therapy_weeks: str = ""
    septal_deviation_confirmed: str = ""
    nasal_medical_therapy_weeks: str = ""
    throat_infections_last_year: str = ""
    throat_infections_yearly_2_years: str = ""
    throat_infections_yearly_3_years: str = ""
    sleep_disordered_breathing: str = ""
    effusion_months: str = ""
    hearing_loss: str = ""
    ear_infections_6_months: str = ""
    ear_infections_12_months: str = ""
    effusion_present: str = ""
    gyn_indication: str = ""
    conservative_therapy_months: str = ""
    childbearing_complete: str = ""
    endometrial_sampling_benign: str = ""
    vision_limits_activities: str = ""
    best_corrected_acuity: str = ""
    blepharoplasty_purpose: str = ""
    superior_field_loss_degrees: str = ""
    breast_symptom_months: str = ""
    breast_tissue_grams: str = ""
    nerve_conduction_confirmed: str = ""
    hand_conservative_weeks: str = ""
    thenar_atrophy: str = ""
    venous_reflux_ms: str = ""
    vein_symptoms: str = ""
    compression_months: str = ""
    height_cm: str = ""
    weight_kg: str = ""
    comorbidities: list[str] = []
    supervised_program_months: str = ""
    psych_evaluation_done: str = ""

    # --- shown on the page ---

    @rx.var
    def asks_hospital_reason(self) -> bool:
        return surgical.needs_site_of_care_reason(self.site_of_care)

    @rx.var
    def site_label(self) -> str:
        return surgical.SITE_OF_CARE_LABELS.get(self.site_of_care, "")

    @rx.var
    def bmi_text(self) -> str:
        bmi = surgical.body_mass_index(_number(self.height_cm), _number(self.weight_kg))
        return f"BMI: {bmi}" if bmi is not None else ""

    # --- wiring from the wizard ---

    async def _prepare(self, context: StepContext) -> None:
        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._order_id = context.order_id
        self.site_of_care = site_of_care(context.site_kind, context.site_detail)
        self._refresh()
        await self._load_alternatives()

    async def _load_alternatives(self) -> None:
        """In-network sites other than a hospital, shown when a hospital outpatient site was chosen."""
        if not self.asks_hospital_reason or not self._order_id:
            self.alternatives = []
            return
        found = await call_service(entry.site_of_care_alternatives, order_id=self._order_id)
        self.alternatives = [
            Alternative(a.name, a.detail, a.city, a.quality, a.distance, a.cost)
            for a in found[:ALTERNATIVES_SHOWN]
        ]

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        for name in TEXT_FIELDS:
            value = details.get(name)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            setattr(self, name, "" if value is None else str(value))
        for name in LIST_FIELDS:
            setattr(self, name, [str(v) for v in details.get(name) or []])
        if details.get("site_of_care") in surgical.SITES_OF_CARE:
            self.site_of_care = str(details["site_of_care"])
        self.codes = list(codes)
        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._refresh()

    def _refresh(self) -> None:
        """The procedures the plan manages in the service year, and the chosen procedure's codes."""
        found = surgical.procedure_choices(self._plan_code, self._service_year, in_force=self._in_force)
        self.procedure_options = [Choice(value, label) for value, label in found]
        if self.procedure not in {value for value, _ in found}:
            self.procedure = ""
        offered = (
            surgical.codes_for_procedure(
                self._plan_code, self._service_year, self.procedure, in_force=self._in_force
            )
            if self.procedure
            else []
        )
        self.code_options = [Choice(c.code, f"{c.code} — {c.label}") for c in offered]
        self.codes = [c for c in self.codes if c in {o.code for o in offered}]

    def _details_payload(self) -> dict:
        current = {name: getattr(self, name) for name in QUESTION_FIELDS}
        answers = {
            q.field: (list(current[q.field]) if q.field in LIST_FIELDS else current[q.field] or None)
            for q in surgical.QUESTIONS.get(self.procedure, ())
            if q.asked(current)
        }
        return {
            "procedure": self.procedure,
            "site_of_care": self.site_of_care,
            "hospital_reason": self.hospital_reason,
            "clinical_notes": self.clinical_notes,
            **answers,
        }

    def _chosen_codes(self) -> list[str]:
        return list(self.codes)

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors_by_field(errors, ERROR_KEYS)

    def _diagnosis_change(self) -> DiagnosisChange | None:
        return None

    # --- typed values ---

    @rx.event
    @authorized(STAFF)
    async def update_field(self, field: str, value: str):
        if field not in TEXT_FIELDS or not isinstance(value, str):
            return
        setattr(self, field, value[:4000])
        if field == "procedure":
            self._refresh()

    @rx.event
    @authorized(STAFF)
    async def toggle_choice(self, field: str, value: str, checked: bool):
        if value not in LIST_FIELDS.get(field, ()):
            return
        setattr(self, field, toggled(getattr(self, field), value, checked))

    @rx.event
    @authorized(STAFF)
    async def toggle_code(self, code: str, checked: bool):
        if code not in {o.value for o in self.code_options}:
            return
        self.codes = toggled(self.codes, code, checked)


def _number(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def question_choices(question: surgical.Question) -> list[Choice]:
    """The options of a choice question (the colonoscopy ones come from the intervals data)."""
    labels = question.options or surgical.choice_labels(question.field)
    return choices_from(dict(labels))


STEP_STATE = SurgicalStepState
