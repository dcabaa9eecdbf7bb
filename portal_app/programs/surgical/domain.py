"""The surgical and endoscopic procedures program: outpatient, non-emergency procedures.

Scope (issue 20): upper GI endoscopy (EGD), colonoscopy (diagnostic, screening and surveillance),
monitored anaesthesia care for GI endoscopy, sinus surgery (endoscopic and balloon dilation),
septoplasty, tonsillectomy and adenoidectomy, ear tubes, hysterectomy, endometrial ablation, cataract
surgery, blepharoplasty, breast reduction, carpal tunnel release, varicose vein treatment and bariatric
surgery.

Everything clinical is data in ``reference/``: the managed codes per plan and year
(``surgical_codes.csv``), the criteria with their thresholds and sources (``surgical_criteria.csv``,
one evaluator per ``set_id`` below), the colonoscopy intervals (``surgical_colonoscopy_intervals.csv``)
and the plans' own validity (``surgical_plans.csv``; 60 calendar days otherwise). The site of care is
reviewed like imaging's: an ambulatory surgery center needs nothing more; a hospital outpatient
department needs a reason and pends for a physician (SOC-1, ``physician_only_criteria.csv``).
A request that meets every criterion is approved at once; anything else pends, never a denial.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.program_answers import choice as _choice
from portal_app.domain.program_answers import choices as _choices
from portal_app.domain.program_answers import text as _text
from portal_app.domain.program_answers import whole_number as _whole_number
from portal_app.domain.program_types import ManagedCode, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult
from portal_app.domain.validation import plain_errors

# ---------------------------------------------------------------------------------------------
# Procedures, sites and the choices each question offers (the wizard shows the labels)
# ---------------------------------------------------------------------------------------------

Procedure = Literal[
    "egd",
    "colonoscopy",
    "endoscopy_anesthesia",
    "fess",
    "balloon_sinus",
    "septoplasty",
    "tonsillectomy",
    "tympanostomy",
    "hysterectomy",
    "endometrial_ablation",
    "cataract",
    "blepharoplasty",
    "reduction_mammaplasty",
    "carpal_tunnel",
    "varicose_veins",
    "bariatric",
]
PROCEDURES: tuple[str, ...] = get_args(Procedure)
PROCEDURE_LABELS: dict[str, str] = {
    "egd": "Upper GI endoscopy (EGD)",
    "colonoscopy": "Colonoscopy",
    "endoscopy_anesthesia": "Anaesthesia care (MAC) for GI endoscopy",
    "fess": "Endoscopic sinus surgery (FESS)",
    "balloon_sinus": "Balloon sinus dilation",
    "septoplasty": "Septoplasty",
    "tonsillectomy": "Tonsillectomy or adenoidectomy",
    "tympanostomy": "Ear tubes (tympanostomy)",
    "hysterectomy": "Hysterectomy",
    "endometrial_ablation": "Endometrial ablation",
    "cataract": "Cataract surgery",
    "blepharoplasty": "Upper eyelid surgery (blepharoplasty)",
    "reduction_mammaplasty": "Breast reduction (reduction mammaplasty)",
    "carpal_tunnel": "Carpal tunnel release",
    "varicose_veins": "Varicose vein treatment",
    "bariatric": "Bariatric (weight-loss) surgery",
}

SiteOfCare = Literal["ambulatory_surgery_center", "hospital_outpatient"]
SITES_OF_CARE: tuple[str, ...] = get_args(SiteOfCare)
SITE_OF_CARE_LABELS: dict[str, str] = {
    "ambulatory_surgery_center": "Ambulatory surgery center or office",
    "hospital_outpatient": "Hospital outpatient department",
}

ALARM_FEATURES: dict[str, str] = {
    "dysphagia": "Trouble swallowing",
    "odynophagia": "Pain on swallowing",
    "gi_bleeding": "Bleeding from the gut (vomiting blood, black stools)",
    "iron_deficiency_anemia": "Iron-deficiency anaemia",
    "weight_loss": "Unintended weight loss",
    "persistent_vomiting": "Persistent vomiting",
}
COLONOSCOPY_PURPOSES: dict[str, str] = {
    "diagnostic": "Diagnostic (a sign or symptom to explain)",
    "screening": "Screening (no symptoms)",
    "surveillance": "Surveillance after earlier polyps",
}
COLONOSCOPY_INDICATIONS: dict[str, str] = {
    "rectal_bleeding": "Rectal bleeding",
    "iron_deficiency_anemia": "Iron-deficiency anaemia",
    "positive_stool_test": "Positive stool test (FIT, stool DNA)",
    "abnormal_imaging": "Abnormal finding on imaging",
    "chronic_diarrhea": "Chronic diarrhoea",
    "change_in_bowel_habit": "Lasting change in bowel habit",
}
SEDATION_RISKS: dict[str, str] = {
    "asa_3_or_higher": "ASA physical status 3 or higher",
    "obstructive_sleep_apnea": "Obstructive sleep apnoea",
    "bmi_40_or_more": "BMI of 40 or more",
    "difficult_airway": "Difficult airway",
    "failed_moderate_sedation": "Moderate sedation failed before",
    "chronic_opioid_or_benzodiazepine": "Long-term opioid or benzodiazepine use",
    "uncooperative": "Cannot cooperate (e.g. cognitive impairment)",
}
GYN_INDICATIONS: dict[str, str] = {
    "fibroids": "Symptomatic fibroids",
    "abnormal_bleeding": "Abnormal uterine bleeding",
    "endometriosis": "Endometriosis or adenomyosis pain",
    "prolapse": "Pelvic organ prolapse",
    "precancer_or_cancer": "Precancerous or cancerous condition",
    "other": "Other",
}
BLEPHAROPLASTY_PURPOSES: dict[str, str] = {
    "functional": "Functional (the lid blocks vision)",
    "cosmetic": "Cosmetic",
}
COMORBIDITIES: dict[str, str] = {
    "type2_diabetes": "Type 2 diabetes",
    "hypertension": "High blood pressure",
    "obstructive_sleep_apnea": "Obstructive sleep apnoea",
    "dyslipidemia": "High cholesterol or triglycerides",
    "fatty_liver_disease": "Fatty liver disease",
    "osteoarthritis": "Osteoarthritis of a weight-bearing joint",
    "cardiovascular_disease": "Heart disease",
}
YES_NO: dict[str, str] = {"yes": "Yes", "no": "No"}

MAX_WEEKS = 520
MAX_MONTHS = 240
MAX_EPISODES = 50
MAX_REFLUX_MS = 10000
MAX_TISSUE_GRAMS = 5000
MAX_ACUITY_DENOMINATOR = 800  # 20/800: counting fingers is beyond the chart
MAX_FIELD_DEGREES = 90
MAX_HEIGHT_CM = 250
MAX_WEIGHT_KG = 400
HOSPITAL_REASON_MAX = 1000
CLINICAL_NOTES_MAX = 4000
DEFAULT_VALIDITY_DAYS = 60


@dataclass(frozen=True)
class Question:
    """One question of the wizard step: ``kind`` is number, yes_no, choice, choices or date."""

    field: str
    kind: str
    label: str
    options: Mapping[str, str] = dataclass_field(default_factory=dict)
    hint: str = ""
    # (another question's field, its values): asked only when that answer is one of them.
    when: tuple[str, tuple[str, ...]] | None = None

    def asked(self, answers: Mapping[str, Any]) -> bool:
        return self.when is None or answers.get(self.when[0]) in self.when[1]


def _q(
    field: str,
    kind: str,
    label: str,
    options: Mapping[str, str] | None = None,
    hint: str = "",
    when: tuple[str, tuple[str, ...]] | None = None,
) -> Question:
    return Question(field, kind, label, MappingProxyType(dict(options or {})), hint, when)


DIAGNOSTIC = ("colonoscopy_purpose", ("diagnostic",))
SCREENING_OR_SURVEILLANCE = ("colonoscopy_purpose", ("screening", "surveillance"))
SINUS_QUESTIONS = (
    _q("sinus_symptom_weeks", "number", "Weeks of sinus symptoms"),
    _q("sinus_ct_disease", "yes_no", "Does a sinus CT show disease?", YES_NO),
    _q("sinus_medical_therapy_weeks", "number", "Weeks of medical treatment (steroid spray, rinses)"),
)
# What the wizard asks for each procedure, in order (each criterion's answers).
QUESTIONS: dict[str, tuple[Question, ...]] = {
    "egd": (
        _q("egd_alarm_features", "choices", "Alarm features present", ALARM_FEATURES),
        _q("ppi_trial_weeks", "number", "Weeks of PPI trial without relief", hint="Leave empty if none."),
    ),
    "colonoscopy": (
        _q("colonoscopy_purpose", "choice", "Purpose of the colonoscopy", COLONOSCOPY_PURPOSES),
        _q(
            "colonoscopy_indications",
            "choices",
            "Signs or symptoms to explain",
            COLONOSCOPY_INDICATIONS,
            when=DIAGNOSTIC,
        ),
        _q(
            "last_colonoscopy_date",
            "date",
            "Date of the last colonoscopy",
            hint="Leave empty if none.",
            when=SCREENING_OR_SURVEILLANCE,
        ),
        _q(
            "last_colonoscopy_findings",
            "choice",
            "Findings of the last colonoscopy",
            when=SCREENING_OR_SURVEILLANCE,
        ),
        _q("family_history", "choice", "Family history of colorectal cancer", when=SCREENING_OR_SURVEILLANCE),
    ),
    "endoscopy_anesthesia": (
        _q("sedation_risks", "choices", "Reasons moderate sedation is not enough", SEDATION_RISKS),
    ),
    "fess": SINUS_QUESTIONS,
    "balloon_sinus": SINUS_QUESTIONS,
    "septoplasty": (
        _q("septal_deviation_confirmed", "yes_no", "Deviated septum seen on examination?", YES_NO),
        _q("nasal_medical_therapy_weeks", "number", "Weeks of medical treatment for the obstruction"),
    ),
    "tonsillectomy": (
        _q("throat_infections_last_year", "number", "Throat infections in the past year"),
        _q("throat_infections_yearly_2_years", "number", "Fewest throat infections a year, past 2 years"),
        _q("throat_infections_yearly_3_years", "number", "Fewest throat infections a year, past 3 years"),
        _q("sleep_disordered_breathing", "yes_no", "Obstructive sleep-disordered breathing?", YES_NO),
    ),
    "tympanostomy": (
        _q("effusion_months", "number", "Months of fluid behind the ear drum"),
        _q("hearing_loss", "yes_no", "Hearing difficulty?", YES_NO),
        _q("ear_infections_6_months", "number", "Ear infections in the past 6 months"),
        _q("ear_infections_12_months", "number", "Ear infections in the past 12 months"),
        _q("effusion_present", "yes_no", "Fluid present at this visit?", YES_NO),
    ),
    "hysterectomy": (
        _q("gyn_indication", "choice", "Reason for the hysterectomy", GYN_INDICATIONS),
        _q("conservative_therapy_months", "number", "Months of medical or less invasive treatment"),
    ),
    "endometrial_ablation": (
        _q("childbearing_complete", "yes_no", "Is childbearing complete?", YES_NO),
        _q("endometrial_sampling_benign", "yes_no", "Has sampling ruled out cancer and hyperplasia?", YES_NO),
    ),
    "cataract": (
        _q("vision_limits_activities", "yes_no", "Does the cataract limit daily activities?", YES_NO),
        _q("best_corrected_acuity", "number", "Best-corrected acuity (the x of 20/x)"),
    ),
    "blepharoplasty": (
        _q("blepharoplasty_purpose", "choice", "Purpose of the eyelid surgery", BLEPHAROPLASTY_PURPOSES),
        _q("superior_field_loss_degrees", "number", "Upper visual field blocked (degrees)"),
    ),
    "reduction_mammaplasty": (
        _q("breast_symptom_months", "number", "Months of symptoms despite conservative care"),
        _q("breast_tissue_grams", "number", "Planned tissue removed per breast (grams)"),
    ),
    "carpal_tunnel": (
        _q("nerve_conduction_confirmed", "yes_no", "Do nerve conduction studies confirm it?", YES_NO),
        _q("hand_conservative_weeks", "number", "Weeks of splinting or injection"),
        _q("thenar_atrophy", "yes_no", "Are the thumb muscles wasting?", YES_NO),
    ),
    "varicose_veins": (
        _q("venous_reflux_ms", "number", "Reflux on duplex ultrasound (milliseconds)"),
        _q("vein_symptoms", "yes_no", "Do the veins cause symptoms that limit daily life?", YES_NO),
        _q("compression_months", "number", "Months of compression stockings"),
    ),
    "bariatric": (
        _q("height_cm", "number", "Height (cm)"),
        _q("weight_kg", "number", "Weight (kg)"),
        _q("comorbidities", "choices", "Obesity-related conditions", COMORBIDITIES),
        _q("supervised_program_months", "number", "Months in a supervised weight-loss programme"),
        _q("psych_evaluation_done", "yes_no", "Psychological evaluation done?", YES_NO),
    ),
}
NUMBER_LIMITS: dict[str, int] = {
    "ppi_trial_weeks": MAX_WEEKS,
    "sinus_symptom_weeks": MAX_WEEKS,
    "sinus_medical_therapy_weeks": MAX_WEEKS,
    "nasal_medical_therapy_weeks": MAX_WEEKS,
    "throat_infections_last_year": MAX_EPISODES,
    "throat_infections_yearly_2_years": MAX_EPISODES,
    "throat_infections_yearly_3_years": MAX_EPISODES,
    "effusion_months": MAX_MONTHS,
    "ear_infections_6_months": MAX_EPISODES,
    "ear_infections_12_months": MAX_EPISODES,
    "conservative_therapy_months": MAX_MONTHS,
    "best_corrected_acuity": MAX_ACUITY_DENOMINATOR,
    "superior_field_loss_degrees": MAX_FIELD_DEGREES,
    "breast_symptom_months": MAX_MONTHS,
    "breast_tissue_grams": MAX_TISSUE_GRAMS,
    "hand_conservative_weeks": MAX_WEEKS,
    "venous_reflux_ms": MAX_REFLUX_MS,
    "compression_months": MAX_MONTHS,
    "height_cm": MAX_HEIGHT_CM,
    "weight_kg": MAX_WEIGHT_KG,
    "supervised_program_months": MAX_MONTHS,
}
YES_NO_FIELDS: tuple[str, ...] = tuple(
    sorted({q.field for qs in QUESTIONS.values() for q in qs if q.kind == "yes_no"})
)
LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "egd_alarm_features": tuple(ALARM_FEATURES),
    "colonoscopy_indications": tuple(COLONOSCOPY_INDICATIONS),
    "sedation_risks": tuple(SEDATION_RISKS),
    "comorbidities": tuple(COMORBIDITIES),
}


def needs_site_of_care_reason(site_of_care: str) -> bool:
    """A hospital outpatient department needs a reason (site-of-care review, like imaging's)."""
    return site_of_care == "hospital_outpatient"


def body_mass_index(height_cm: int | None, weight_kg: int | None) -> float | None:
    """BMI (kg/m²) to one decimal, None when height or weight is missing or zero."""
    if not height_cm or not weight_kg:
        return None
    return round(weight_kg / (height_cm / 100) ** 2, 1)


# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------


def _table(name: str):  # -> pandas.DataFrame
    return reference.table(name)


@dataclass(frozen=True)
class Interval:
    """One row of surgical_colonoscopy_intervals.csv."""

    basis: str  # finding or family
    value: str
    months: int
    label: str
    source: str


@lru_cache(maxsize=1)
def colonoscopy_intervals() -> Mapping[tuple[str, str], Interval]:
    """(basis, value) -> the interval to the next colonoscopy."""
    rows: dict[tuple[str, str], Interval] = {}
    for row in _table("surgical_colonoscopy_intervals.csv").to_dict("records"):
        basis = row["basis"].strip()
        if basis not in {"finding", "family"}:
            raise ValueError(f"surgical_colonoscopy_intervals.csv: unknown basis {basis!r}")
        item = Interval(
            basis, row["value"].strip(), int(row["interval_months"]), row["label"].strip(), row["source"]
        )
        rows[(item.basis, item.value)] = item
    return MappingProxyType(rows)


def interval_labels(basis: str) -> dict[str, str]:
    return {item.value: item.label for (b, _), item in colonoscopy_intervals().items() if b == basis}


@dataclass(frozen=True)
class SurgicalCode:
    code: str
    label: str
    code_system: str
    procedure: str
    source: str

    def managed_code(self) -> ManagedCode:
        return ManagedCode(
            code=self.code,
            label=self.label,
            category=self.procedure,
            notification_only=False,
            source=self.source,
        )


@lru_cache(maxsize=1)
def _code_table() -> Mapping[tuple[str, int], Mapping[str, SurgicalCode]]:
    table: dict[tuple[str, int], dict[str, SurgicalCode]] = {}
    for row in _table("surgical_codes.csv").to_dict("records"):
        code, procedure = row["code"].strip().upper(), row["procedure"].strip()
        if procedure not in PROCEDURES:
            raise ValueError(f"surgical_codes.csv: {code} has an unknown procedure {procedure!r}")
        key = (row["plan_code"].strip().upper(), int(row["year"]))
        table.setdefault(key, {})[code] = SurgicalCode(
            code, row["label"].strip(), row["code_system"].strip(), procedure, row["source"].strip()
        )
    return MappingProxyType({key: MappingProxyType(codes) for key, codes in table.items()})


@lru_cache(maxsize=1)
def code_facts() -> Mapping[str, SurgicalCode]:
    """Code -> its procedure, whatever the plan (a code means the same everywhere)."""
    facts: dict[str, SurgicalCode] = {}
    for codes in _code_table().values():
        for code, item in codes.items():
            if facts.setdefault(code, item).procedure != item.procedure:
                raise ValueError(f"surgical_codes.csv: {code} belongs to two procedures")
    return MappingProxyType(facts)


@lru_cache(maxsize=64)
def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    codes = _code_table().get(((plan_code or "").strip().upper(), int(year)), {})
    return MappingProxyType({code: item.managed_code() for code, item in codes.items()})


def _surgical_code(item: ManagedCode) -> SurgicalCode:
    """A code of a list in force as the program knows it; one it does not know keeps the list's words
    (its procedure is then unknown, "", and it fits every procedure)."""
    known = code_facts().get(item.code)
    if known is not None:
        return dataclasses.replace(known, source=item.source or known.source)
    system = "HCPCS" if item.code[:1].isalpha() else "CPT"
    return SurgicalCode(item.code, item.label, system, item.category, item.source)


def _plan_codes(
    plan_code: str, year: int | None, in_force: Iterable[ManagedCode] | None
) -> list[SurgicalCode]:
    if in_force is not None:
        return [_surgical_code(item) for item in in_force]
    return list(_code_table().get(((plan_code or "").strip().upper(), int(year or 0)), {}).values())


def codes_for_procedure(
    plan_code: str, year: int, procedure: str, *, in_force: Iterable[ManagedCode] | None = None
) -> list[SurgicalCode]:
    """The plan's codes for a procedure in a service year, by code (``in_force``: the list in force
    for the member's coverage, ``services/code_lists``, instead of the packaged list)."""
    return sorted(
        (item for item in _plan_codes(plan_code, year, in_force) if item.procedure in (procedure, "")),
        key=lambda item: item.code,
    )


def procedure_choices(
    plan_code: str = "", year: int | None = None, *, in_force: Iterable[ManagedCode] | None = None
) -> list[tuple[str, str]]:
    """(value, label) of the procedures to offer: those the plan manages in the year (or those of the
    list in force, ``in_force``) when given."""
    offered = PROCEDURES
    if in_force is not None or (plan_code and year is not None):
        codes = _plan_codes(plan_code, year, in_force)
        managed = {item.procedure for item in codes}
        offered = PROCEDURES if "" in managed else tuple(p for p in PROCEDURES if p in managed)
    return [(procedure, PROCEDURE_LABELS[procedure]) for procedure in offered]


@lru_cache(maxsize=1)
def _validity_table() -> Mapping[str, int]:
    return MappingProxyType(
        {
            row["plan_code"].strip().upper(): int(row["validity_days"])
            for row in _table("surgical_plans.csv").to_dict("records")
        }
    )


def validity_days(plan_code: str) -> int:
    """The plan's approval length in calendar days (60 unless the plan's row says otherwise)."""
    return _validity_table().get((plan_code or "").strip().upper(), DEFAULT_VALIDITY_DAYS)


# ---------------------------------------------------------------------------------------------
# Request details
# ---------------------------------------------------------------------------------------------


def _yes_no(value: Any, what: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "true"}:
        return True
    if text in {"no", "false"}:
        return False
    if not text:
        return None
    raise PydanticCustomError("yes_no", "Answer yes or no for {what}.", {"what": what})


def _what(field: str) -> str:
    return next(
        (q.label.rstrip("?").lower() for qs in QUESTIONS.values() for q in qs if q.field == field), field
    )


class SurgicalDetails(BaseModel):
    """What a surgical request says, beyond member, providers, codes and diagnoses. Every answer
    but the procedure and the site may be left empty: a criterion it decides then pends."""

    model_config = ConfigDict(extra="ignore")

    procedure: Procedure
    site_of_care: SiteOfCare = "ambulatory_surgery_center"
    hospital_reason: str = Field(default="", validate_default=True)
    egd_alarm_features: list[str] = Field(default_factory=list)
    ppi_trial_weeks: int | None = None
    colonoscopy_purpose: str = ""
    colonoscopy_indications: list[str] = Field(default_factory=list)
    last_colonoscopy_date: date | None = None
    last_colonoscopy_findings: str = ""
    family_history: str = ""
    sedation_risks: list[str] = Field(default_factory=list)
    sinus_symptom_weeks: int | None = None
    sinus_ct_disease: bool | None = None
    sinus_medical_therapy_weeks: int | None = None
    septal_deviation_confirmed: bool | None = None
    nasal_medical_therapy_weeks: int | None = None
    throat_infections_last_year: int | None = None
    throat_infections_yearly_2_years: int | None = None
    throat_infections_yearly_3_years: int | None = None
    sleep_disordered_breathing: bool | None = None
    effusion_months: int | None = None
    hearing_loss: bool | None = None
    ear_infections_6_months: int | None = None
    ear_infections_12_months: int | None = None
    effusion_present: bool | None = None
    gyn_indication: str = ""
    conservative_therapy_months: int | None = None
    childbearing_complete: bool | None = None
    endometrial_sampling_benign: bool | None = None
    vision_limits_activities: bool | None = None
    best_corrected_acuity: int | None = None
    blepharoplasty_purpose: str = ""
    superior_field_loss_degrees: int | None = None
    breast_symptom_months: int | None = None
    breast_tissue_grams: int | None = None
    nerve_conduction_confirmed: bool | None = None
    hand_conservative_weeks: int | None = None
    thenar_atrophy: bool | None = None
    venous_reflux_ms: int | None = None
    vein_symptoms: bool | None = None
    compression_months: int | None = None
    height_cm: int | None = None
    weight_kg: int | None = None
    comorbidities: list[str] = Field(default_factory=list)
    supervised_program_months: int | None = None
    psych_evaluation_done: bool | None = None
    clinical_notes: str = ""

    @field_validator("procedure", mode="before")
    @classmethod
    def _procedure(cls, value: Any) -> Any:
        return _choice(value, PROCEDURES, "the procedure")

    @field_validator("site_of_care", mode="before")
    @classmethod
    def _site(cls, value: Any) -> Any:
        return _choice(value or "ambulatory_surgery_center", SITES_OF_CARE, "the site of care")

    @field_validator("hospital_reason", mode="before")
    @classmethod
    def _hospital_reason(cls, value: Any, info: ValidationInfo) -> Any:
        reason = _text(value, maximum=HOSPITAL_REASON_MAX, what="the reason for a hospital setting")
        if not needs_site_of_care_reason(info.data.get("site_of_care", "")):
            return ""
        if not reason:
            raise PydanticCustomError(
                "hospital_reason_required",
                "Say why this procedure needs a hospital outpatient department, or choose an ambulatory "
                "surgery center.",
                {},
            )
        return reason

    @field_validator(*LIST_FIELDS, mode="before")
    @classmethod
    def _lists(cls, value: Any, info: ValidationInfo) -> Any:
        return _choices(value, LIST_FIELDS[str(info.field_name)], _what(str(info.field_name)))

    @field_validator(*NUMBER_LIMITS, mode="before")
    @classmethod
    def _numbers(cls, value: Any, info: ValidationInfo) -> Any:
        name = str(info.field_name)
        return _whole_number(value, maximum=NUMBER_LIMITS[name], what=_what(name))

    @field_validator(*YES_NO_FIELDS, mode="before")
    @classmethod
    def _yes_nos(cls, value: Any, info: ValidationInfo) -> Any:
        return _yes_no(value, _what(str(info.field_name)))

    @field_validator(
        "colonoscopy_purpose", "last_colonoscopy_findings", "family_history", "gyn_indication",
        "blepharoplasty_purpose", mode="before",
    )  # fmt: skip
    @classmethod
    def _single_choices(cls, value: Any, info: ValidationInfo) -> Any:
        if value in (None, ""):
            return ""
        name = str(info.field_name)
        return _choice(value, tuple(choice_labels(name)), _what(name))

    @field_validator("last_colonoscopy_date", mode="before")
    @classmethod
    def _last_date(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise PydanticCustomError(
                "date", "Enter the date of the last colonoscopy as a date (year, month, day).", {}
            ) from None

    @field_validator("clinical_notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        return _text(value, maximum=CLINICAL_NOTES_MAX, what="the clinical notes")


def choice_labels(field: str) -> dict[str, str]:
    """value -> label of a single-choice question (the colonoscopy ones come from the intervals data)."""
    if field == "last_colonoscopy_findings":
        return interval_labels("finding")
    if field == "family_history":
        return interval_labels("family")
    return {
        "colonoscopy_purpose": COLONOSCOPY_PURPOSES,
        "gyn_indication": GYN_INDICATIONS,
        "blepharoplasty_purpose": BLEPHAROPLASTY_PURPOSES,
    }[field]


def details_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for wizard steps."""
    try:
        SurgicalDetails.model_validate(dict(data))
    except ValidationError as error:
        return plain_errors(error)
    return {}


# ---------------------------------------------------------------------------------------------
# Criteria
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    """One row of surgical_criteria.csv."""

    set_id: str
    criterion_id: str
    applies_to: frozenset[str]  # procedures, or "*"
    parameters: Mapping[str, str]
    text: str
    citation: str
    source: str

    def applies(self, procedure: str) -> bool:
        return "*" in self.applies_to or procedure in self.applies_to

    def values(self, name: str) -> frozenset[str]:
        return frozenset(part for part in self.parameters.get(name, "").split("|") if part)

    def number(self, name: str) -> int:
        return int(self.parameters[name])


def _parse_parameters(text: str) -> Mapping[str, str]:
    pairs = (item.split("=", 1) for item in text.split(";") if item.strip())
    return MappingProxyType({key.strip(): value.strip() for key, value in pairs})


@lru_cache(maxsize=1)
def criterion_specs() -> tuple[CriterionSpec, ...]:
    """Every criterion of the program as loaded from surgical_criteria.csv, checked."""
    specs = tuple(
        CriterionSpec(
            set_id=row["set_id"].strip(),
            criterion_id=row["criterion_id"].strip(),
            applies_to=frozenset(row["applies_to"].split()),
            parameters=_parse_parameters(row["parameters"]),
            text=row["text"].strip(),
            citation=row["citation"].strip(),
            source=row["source"].strip(),
        )
        for row in _table("surgical_criteria.csv").to_dict("records")
    )
    for spec in specs:
        if spec.set_id not in EVALUATORS:
            raise ValueError(f"surgical_criteria.csv: no rule is written for set {spec.set_id}")
        unknown = spec.applies_to - set(PROCEDURES) - {"*"}
        if unknown:
            raise ValueError(
                f"surgical_criteria.csv: {spec.criterion_id} applies to unknown {sorted(unknown)}"
            )
        read = {spec.parameters[key] for key in ("field", "list_field") if key in spec.parameters}
        read |= {pair.partition(":")[0] for pair in spec.values("unless")}
        if read - set(SurgicalDetails.model_fields):
            raise ValueError(
                f"surgical_criteria.csv: {spec.criterion_id} reads an unknown answer {sorted(read)}"
            )
    return specs


SKIP = "skip"  # an evaluator's answer when the criterion does not apply to this request


class Unknown(str):
    """An evaluator's answer when the criterion cannot be checked, saying why (for the reviewer)."""


Outcome = bool | None | str


def _answer(details: SurgicalDetails, field: str) -> Any:
    return getattr(details, field)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _excused(spec: CriterionSpec, details: SurgicalDetails) -> bool:
    """The row's ``unless=field:value|field:value``: an answer that makes the criterion unnecessary."""
    for pair in spec.values("unless"):
        field, _, wanted = pair.partition(":")
        if _as_text(_answer(details, field)) == wanted:
            return True
    return False


def _at_least_value(value: int | None, minimum: int) -> bool | None:
    return None if value is None else value >= minimum


def _yes(spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails) -> Outcome:
    return _answer(details, spec.parameters["field"])


def _at_least(spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails) -> Outcome:
    if _excused(spec, details):
        return True
    return _at_least_value(_answer(details, spec.parameters["field"]), spec.number("min"))


def _any_of(spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails) -> Outcome:
    value = _answer(details, spec.parameters["field"])
    chosen = set(value) if isinstance(value, list) else ({value} if value else set())
    if not chosen and not isinstance(value, list):
        return None  # a single choice left empty: not determinable
    return bool(chosen & spec.values("values"))


def _any_or_at_least(spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails) -> Outcome:
    if set(_answer(details, spec.parameters["list_field"])) & spec.values("values"):
        return True
    return _at_least_value(_answer(details, spec.parameters["field"]), spec.number("min"))


def _colonoscopy_indication(
    spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails
) -> Outcome:
    if details.colonoscopy_purpose != "diagnostic":
        return SKIP
    return bool(set(details.colonoscopy_indications) & spec.values("values"))


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (a month counts once its day is reached)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def colonoscopy_interval_months(findings: str, family_history: str) -> int | None:
    """Months from the last colonoscopy to the next one due: the shorter of the findings' and the
    family history's intervals; None when neither is known."""
    intervals = colonoscopy_intervals()
    known = [
        intervals[key].months
        for key in (("finding", findings), ("family", family_history))
        if key in intervals
    ]
    return min(known) if known else None


def _family_shortens_interval(family_history: str) -> bool:
    """A family history whose interval is shorter than average risk's (screening starts earlier)."""
    intervals = colonoscopy_intervals()
    family, average = intervals.get(("family", family_history)), intervals.get(("family", "none"))
    return family is not None and average is not None and family.months < average.months


def colonoscopy_due(
    details: SurgicalDetails, service_date: date, member_age: int, min_age: int
) -> bool | None:
    """Whether a screening or surveillance colonoscopy is due on the date of service."""
    if details.last_colonoscopy_date is None:
        if details.colonoscopy_purpose == "surveillance":
            return None  # surveillance follows an earlier colonoscopy: its date is needed
        if member_age >= min_age or _family_shortens_interval(details.family_history):
            return True
        return False if details.family_history else None  # under the age: the family history decides
    interval = colonoscopy_interval_months(
        details.last_colonoscopy_findings, details.family_history or "none"
    )
    if interval is None or not details.last_colonoscopy_findings:
        return None
    return months_between(details.last_colonoscopy_date, service_date) >= interval


def recorded_colonoscopy(request: ProgramRequest) -> date | None:
    """The member's latest colonoscopy before the date of service in the portal's own records."""
    facts = code_facts()
    dates = [
        prior.service_date
        for prior in request.prior_services
        if prior.service_date < request.service_date
        and getattr(facts.get((prior.code or "").strip().upper()), "procedure", "") == "colonoscopy"
    ]
    return max(dates, default=None)


def _colonoscopy_interval(spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails) -> Outcome:
    if details.colonoscopy_purpose not in {"screening", "surveillance"}:
        return SKIP if details.colonoscopy_purpose == "diagnostic" else None
    recorded = recorded_colonoscopy(request)
    if recorded is not None and (
        details.last_colonoscopy_date is None or recorded > details.last_colonoscopy_date
    ):
        # The records know a later colonoscopy than the answers: its findings decide.
        return Unknown(
            f"the portal's records show a colonoscopy on {recorded.isoformat()}, whose findings decide"
        )
    return colonoscopy_due(details, request.service_date, request.member_age, spec.number("min_age"))


def _tonsil_indication(spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails) -> Outcome:
    if details.sleep_disordered_breathing:
        return True
    counts = (
        (details.throat_infections_last_year, spec.number("min_1y")),
        (details.throat_infections_yearly_2_years, spec.number("min_2y")),
        (details.throat_infections_yearly_3_years, spec.number("min_3y")),
    )
    results = [_at_least_value(count, minimum) for count, minimum in counts]
    if any(results):
        return True
    return False if all(result is False for result in results) else None


def _both(first: bool | None, second: bool | None) -> bool | None:
    """Three-valued "and": False when either is False, None when either is unknown."""
    if first is False or second is False:
        return False
    return None if first is None or second is None else True


def _either(first: bool | None, second: bool | None) -> bool | None:
    """Three-valued "or": True when either is True, None when either is unknown."""
    if first is True or second is True:
        return True
    return None if first is None or second is None else False


def _ear_tubes(spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails) -> Outcome:
    # Lasting effusion with hearing difficulty, or recurrent acute otitis media with effusion present.
    lasting = _at_least_value(details.effusion_months, spec.number("min_effusion_months"))
    recurrent = _either(
        _at_least_value(details.ear_infections_6_months, spec.number("min_aom_6_months")),
        _at_least_value(details.ear_infections_12_months, spec.number("min_aom_12_months")),
    )
    return _either(_both(lasting, details.hearing_loss), _both(recurrent, details.effusion_present))


def _bmi(spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails) -> Outcome:
    bmi = body_mass_index(details.height_cm, details.weight_kg)
    if bmi is None:
        return None
    if bmi >= spec.number("min_bmi"):
        return True
    return bmi >= spec.number("min_bmi_with_comorbidity") and bool(
        set(details.comorbidities) & spec.values("comorbidities")
    )


def _site_of_care(spec: CriterionSpec, request: ProgramRequest, details: SurgicalDetails) -> Outcome:
    # A physician decides whether the hospital setting is needed: never automatic.
    return None if details.site_of_care in spec.values("site") else SKIP


Evaluator = Callable[[CriterionSpec, ProgramRequest, SurgicalDetails], Outcome]
EVALUATORS: dict[str, Evaluator] = {
    "yes": _yes,
    "at_least": _at_least,
    "any_of": _any_of,
    "any_or_at_least": _any_or_at_least,
    "colonoscopy_indication": _colonoscopy_indication,
    "colonoscopy_interval": _colonoscopy_interval,
    "tonsil_indication": _tonsil_indication,
    "ear_tubes": _ear_tubes,
    "bmi": _bmi,
    "site_of_care": _site_of_care,
}


def _why_unknown(outcome: Outcome, spec: CriterionSpec) -> str:
    if isinstance(outcome, Unknown):
        return str(outcome)
    return "the answers it needs were left empty" if outcome is None and spec.set_id != "site_of_care" else ""


def _criteria_for(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    item = code_facts().get((code or "").strip().upper())
    if item is None:
        return None
    details = request.details if isinstance(request.details, SurgicalDetails) else None
    results = []
    for spec in criterion_specs():
        if not spec.applies(item.procedure):
            continue
        outcome: Outcome = EVALUATORS[spec.set_id](spec, request, details) if details else None
        if outcome == SKIP and not isinstance(outcome, Unknown):
            continue
        met = outcome if isinstance(outcome, bool) else None
        results.append(
            CriterionResult(spec.criterion_id, spec.text, spec.citation, met, _why_unknown(outcome, spec))
        )
    return results or None


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.SURGICAL,
    label=Program.SURGICAL.label,
    details_schema=SurgicalDetails,
    validity_policy=validity_days,
    code_index=_code_index,
    criteria=_criteria_for,
)
