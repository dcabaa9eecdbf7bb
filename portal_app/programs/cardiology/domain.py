"""The cardiology program: request details, managed codes, validity and criteria.

Scope (issue 20; the seeds name cardiology among the benefits manager's programs, 000/001/003):
diagnostic heart catheterisation, PCI, arterial and venous duplex ultrasound, implantable cardiac
devices (pacemakers, ICDs, CRT, implantable loop recorders), electrophysiology study and ablation,
and echocardiography (TTE, TEE, stress echo) for the plans that delegate echo to cardiology rather
than to imaging. Which program an echo lands in is the plan's data with dates (the
``program_routings`` table, ``services/program_routing.program_for``), never the office's choice.

The wizard asks the procedure, the reason, and the measurements the criteria need (LVEF, NYHA
class, days since a heart attack, QRS width, the stress test result, the months since the last
echo) plus a short list of yes/no findings. Decisions: every requirement (``set_id``) that applies
to the line's procedure and reason must be met (rows of one set are alternatives); a line is
approved at once when a published criterion is met and pends naming the requirement otherwise.
No matching criterion means a person reviews; never a denial.

Reference data (each row with its source) in the package's ``reference/``:
``cardiology_codes.csv`` (codes per plan and year, our own labels; CPT is a registered trademark
of the American Medical Association), ``cardiology_criteria.csv`` (criteria as conditions on the
answers, with citations), ``cardiology_plans.csv`` (validity per plan) and
``cardiology_documents.csv`` (the documents that support each criterion).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from portal_app import reference
from portal_app.domain.code_tables import codes_by_plan_and_year, codes_for, true_or_false
from portal_app.domain.conversation import PeerToPeerPolicy
from portal_app.domain.enums import Program, Specialty
from portal_app.domain.program_answers import choice, choices, text, whole_number
from portal_app.domain.program_types import ManagedCode, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult
from portal_app.domain.validation import plain_errors

# ---------------------------------------------------------------------------------------------
# Choices and their labels (the wizard shows the labels; the database stores the values)
# ---------------------------------------------------------------------------------------------

Procedure = Literal[
    "diagnostic_cath",
    "pci",
    "arterial_duplex",
    "venous_duplex",
    "pacemaker",
    "icd",
    "crt",
    "loop_recorder",
    "ep_ablation",
    "tte",
    "tee",
    "stress_echo",
]
PROCEDURES: tuple[str, ...] = get_args(Procedure)
PROCEDURE_LABELS: dict[str, str] = {
    "diagnostic_cath": "Diagnostic heart catheterisation (coronary angiography)",
    "pci": "Coronary angioplasty or stent (PCI)",
    "arterial_duplex": "Arterial duplex ultrasound (neck or leg arteries)",
    "venous_duplex": "Venous duplex ultrasound (leg veins)",
    "pacemaker": "Pacemaker",
    "icd": "Implantable defibrillator (ICD)",
    "crt": "Cardiac resynchronisation therapy (CRT, biventricular device)",
    "loop_recorder": "Implantable loop recorder",
    "ep_ablation": "Electrophysiology study and catheter ablation",
    "tte": "Resting echocardiogram (TTE)",
    "tee": "Transesophageal echocardiogram (TEE)",
    "stress_echo": "Stress echocardiogram",
}
# The echo procedures: in this program only for plans whose routing sends echo to cardiology.
ECHO_PROCEDURES: frozenset[str] = frozenset({"tte", "tee", "stress_echo"})

Indication = Literal[
    "stable_angina",
    "high_risk_stress_test",
    "valve_surgery_planning",
    "acute_coronary_syndrome",
    "tia_or_stroke",
    "carotid_bruit",
    "claudication",
    "arterial_graft_surveillance",
    "suspected_dvt",
    "venous_insufficiency",
    "sinus_node_dysfunction",
    "av_block",
    "icd_secondary_prevention",
    "icd_primary_prevention",
    "heart_failure_dyssynchrony",
    "unexplained_syncope",
    "cryptogenic_stroke",
    "svt",
    "atrial_fibrillation",
    "ventricular_tachycardia",
    "suspected_heart_failure",
    "new_murmur",
    "known_valve_disease",
    "suspected_endocarditis",
    "cardioversion_planning",
    "cardioembolic_source",
    "suspected_cad",
    "other",
]
INDICATIONS: tuple[str, ...] = get_args(Indication)
INDICATION_LABELS: dict[str, str] = {
    "stable_angina": "Stable angina (chronic coronary disease)",
    "high_risk_stress_test": "A stress test with high-risk findings",
    "valve_surgery_planning": "Before planned heart valve surgery",
    "acute_coronary_syndrome": "Acute coronary syndrome (unstable angina or heart attack)",
    "tia_or_stroke": "Transient ischaemic attack or stroke",
    "carotid_bruit": "Bruit heard over a neck artery",
    "claudication": "Leg pain on walking (claudication)",
    "arterial_graft_surveillance": "Follow-up after an arterial bypass or stent",
    "suspected_dvt": "Suspected deep vein thrombosis",
    "venous_insufficiency": "Varicose veins or venous insufficiency",
    "sinus_node_dysfunction": "Sinus node dysfunction",
    "av_block": "Second-degree (Mobitz II) or third-degree heart block",
    "icd_secondary_prevention": "Survived cardiac arrest or sustained ventricular tachycardia",
    "icd_primary_prevention": "Weak heart muscle (cardiomyopathy), no arrest yet",
    "heart_failure_dyssynchrony": "Heart failure with a wide QRS",
    "unexplained_syncope": "Fainting without a known cause",
    "cryptogenic_stroke": "Stroke without a known cause (looking for atrial fibrillation)",
    "svt": "Supraventricular tachycardia",
    "atrial_fibrillation": "Atrial fibrillation",
    "ventricular_tachycardia": "Ventricular tachycardia",
    "suspected_heart_failure": "Suspected heart failure or weak heart muscle",
    "new_murmur": "A new heart murmur",
    "known_valve_disease": "Known valve disease, follow-up",
    "suspected_endocarditis": "Suspected endocarditis",
    "cardioversion_planning": "Before a cardioversion for atrial fibrillation or flutter",
    "cardioembolic_source": "Looking for a source of an embolus",
    "suspected_cad": "Chest pain or breathlessness: suspected coronary disease",
    "other": "Something else (describe it in the clinical notes)",
}
INDICATIONS_BY_PROCEDURE: dict[str, tuple[str, ...]] = {
    "diagnostic_cath": ("stable_angina", "high_risk_stress_test", "valve_surgery_planning", "other"),
    "pci": ("stable_angina", "acute_coronary_syndrome", "other"),
    "arterial_duplex": (
        "tia_or_stroke",
        "carotid_bruit",
        "claudication",
        "arterial_graft_surveillance",
        "other",
    ),
    "venous_duplex": ("suspected_dvt", "venous_insufficiency", "other"),
    "pacemaker": ("sinus_node_dysfunction", "av_block", "other"),
    "icd": ("icd_secondary_prevention", "icd_primary_prevention", "other"),
    "crt": ("heart_failure_dyssynchrony", "other"),
    "loop_recorder": ("unexplained_syncope", "cryptogenic_stroke", "other"),
    "ep_ablation": ("svt", "atrial_fibrillation", "ventricular_tachycardia", "other"),
    "tte": ("suspected_heart_failure", "new_murmur", "known_valve_disease", "other"),
    "tee": ("suspected_endocarditis", "cardioversion_planning", "cardioembolic_source", "other"),
    "stress_echo": ("suspected_cad", "other"),
}

Cardiomyopathy = Literal["ischemic", "nonischemic", "none"]
CARDIOMYOPATHIES: tuple[str, ...] = get_args(Cardiomyopathy)
CARDIOMYOPATHY_LABELS: dict[str, str] = {
    "ischemic": "Ischaemic (after heart attacks or coronary disease)",
    "nonischemic": "Non-ischaemic",
    "none": "No cardiomyopathy",
}
Nyha = Literal["I", "II", "III", "IV"]
NYHA_CLASSES: tuple[str, ...] = get_args(Nyha)
NYHA_LABELS: dict[str, str] = {
    "I": "Class I: no limit on ordinary activity",
    "II": "Class II: slight limit",
    "III": "Class III: marked limit",
    "IV": "Class IV: symptoms at rest",
}
StressResult = Literal["high_risk", "abnormal", "normal", "not_done"]
STRESS_RESULTS: tuple[str, ...] = get_args(StressResult)
STRESS_RESULT_LABELS: dict[str, str] = {
    "high_risk": "High-risk findings",
    "abnormal": "Abnormal, not high-risk",
    "normal": "Normal",
    "not_done": "No stress test",
}
Pretest = Literal["low", "intermediate", "high"]
PRETESTS: tuple[str, ...] = get_args(Pretest)
PRETEST_LABELS: dict[str, str] = {
    "low": "Low (under 10%)",
    "intermediate": "Intermediate (10 to 90%)",
    "high": "High (over 90%)",
}

Finding = Literal[
    "symptomatic_bradycardia",
    "reversible_cause",
    "recent_revascularization",
    "cardiogenic_shock",
    "shared_decision_documented",
    "lbbb",
    "refractory_on_medical_therapy",
    "significant_stenosis",
    "abnormal_abi",
    "planning_venous_intervention",
    "monitoring_nondiagnostic",
    "antiarrhythmic_failed",
    "icd_shocks",
    "change_in_symptoms",
    "unable_to_exercise",
    "uninterpretable_ecg",
]
FINDINGS: tuple[str, ...] = get_args(Finding)
FINDING_LABELS: dict[str, str] = {
    "symptomatic_bradycardia": "Slow heart rate with symptoms (fainting, dizziness, heart failure)",
    "reversible_cause": "A reversible cause (medicines, electrolytes, hypothyroidism) is not ruled out",
    "recent_revascularization": "Bypass surgery or PCI in the past 3 months",
    "cardiogenic_shock": "Cardiogenic shock",
    "shared_decision_documented": "A shared decision-making visit about the device is documented",
    "lbbb": "Left bundle branch block",
    "refractory_on_medical_therapy": "Angina despite the best medical treatment",
    "significant_stenosis": "A significant narrowing shown on angiography or CT",
    "abnormal_abi": "Abnormal ankle-brachial index",
    "planning_venous_intervention": "A vein treatment is being planned",
    "monitoring_nondiagnostic": "External heart monitoring did not find the cause",
    "antiarrhythmic_failed": "A rhythm medicine did not work or was not tolerated",
    "icd_shocks": "Repeated shocks from an implanted defibrillator",
    "change_in_symptoms": "Symptoms or examination have changed",
    "unable_to_exercise": "Cannot exercise enough for a treadmill test",
    "uninterpretable_ecg": "Resting ECG cannot be read for ischaemia (e.g. paced, LBBB)",
}

MAX_LVEF = 90
MAX_DAYS = 36500
MAX_MONTHS = 600
MAX_QRS_MS = 300
CLINICAL_NOTES_MAX = 4000

# Numbers and choices the criteria may name in their conditions (cardiology_criteria.csv).
NUMBER_FIELDS = frozenset(
    {"lvef_pct", "days_since_mi", "qrs_ms", "months_since_prior_echo", "months_cardiomyopathy"}
)
CHOICE_FIELDS = frozenset({"indication", "cardiomyopathy", "nyha_class", "stress_result", "pretest"})

# ---------------------------------------------------------------------------------------------
# Request details
# ---------------------------------------------------------------------------------------------


class CardiologyDetails(BaseModel):
    """What a cardiology request says, beyond member, providers and codes."""

    model_config = ConfigDict(extra="ignore")

    # Field order matters: the indication is checked against the procedure chosen before it.
    procedure: Procedure
    indication: Indication
    lvef_pct: int | None = None
    cardiomyopathy: Cardiomyopathy | None = None
    months_cardiomyopathy: int | None = None
    nyha_class: Nyha | None = None
    days_since_mi: int | None = None
    qrs_ms: int | None = None
    stress_result: StressResult | None = None
    pretest: Pretest | None = None
    months_since_prior_echo: int | None = None
    findings: list[Finding] = Field(default_factory=list)
    clinical_notes: str = ""

    @field_validator("procedure", mode="before")
    @classmethod
    def _procedure(cls, value: Any) -> Any:
        return choice(value, PROCEDURES, "the procedure")

    @field_validator("indication", mode="before")
    @classmethod
    def _indication(cls, value: Any, info: ValidationInfo) -> Any:
        value = choice(value, INDICATIONS, "the reason")
        procedure = info.data.get("procedure")
        if procedure and value not in INDICATIONS_BY_PROCEDURE[procedure]:
            raise PydanticCustomError(
                "indication", "Choose a reason offered for {what}.", {"what": PROCEDURE_LABELS[procedure]}
            )
        return value

    @field_validator("cardiomyopathy", "nyha_class", "stress_result", "pretest", mode="before")
    @classmethod
    def _optional_choice(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or value == "":
            return None
        allowed = {
            "cardiomyopathy": CARDIOMYOPATHIES,
            "nyha_class": NYHA_CLASSES,
            "stress_result": STRESS_RESULTS,
            "pretest": PRETESTS,
        }[str(info.field_name)]
        return choice(value, allowed, str(info.field_name).replace("_", " "))

    @field_validator("lvef_pct", mode="before")
    @classmethod
    def _lvef(cls, value: Any) -> Any:
        return whole_number(value, maximum=MAX_LVEF, what="the ejection fraction (%)")

    @field_validator("days_since_mi", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        return whole_number(value, maximum=MAX_DAYS, what="the days since the heart attack")

    @field_validator("months_cardiomyopathy", "months_since_prior_echo", mode="before")
    @classmethod
    def _months(cls, value: Any) -> Any:
        return whole_number(value, maximum=MAX_MONTHS, what="the months")

    @field_validator("qrs_ms", mode="before")
    @classmethod
    def _qrs(cls, value: Any) -> Any:
        return whole_number(value, maximum=MAX_QRS_MS, what="the QRS width (ms)")

    @field_validator("findings", mode="before")
    @classmethod
    def _findings(cls, value: Any) -> Any:
        return choices(value, FINDINGS, "the findings")

    @field_validator("clinical_notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        return text(value, maximum=CLINICAL_NOTES_MAX, what="the clinical notes")


def details_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for the wizard step."""
    try:
        CardiologyDetails.model_validate(dict(data))
    except ValidationError as error:
        return plain_errors(error)
    return {}


# ---------------------------------------------------------------------------------------------
# Managed codes and validity (reference data)
# ---------------------------------------------------------------------------------------------

# The seeds give 30 or 60 days for the imaging and cardiology solution (shared/seeds/001); 60
# unless the plan's row in cardiology_plans.csv says otherwise.
DEFAULT_VALIDITY_DAYS = 60


CARDIOLOGY_CODES = "cardiology_codes.csv"


@lru_cache(maxsize=1)
def _code_table() -> Mapping[tuple[str, int], Mapping[str, ManagedCode]]:
    def managed(code: str, row) -> ManagedCode:
        category = row["category"].strip()
        if category not in PROCEDURES:
            raise ValueError(f"{CARDIOLOGY_CODES}: {code} has an unknown category {category!r}")
        return ManagedCode(
            code=code,
            label=row["label"].strip(),
            category=category,
            notification_only=true_or_false(row, "notification_only", file=CARDIOLOGY_CODES, code=code),
            source=row["source"].strip(),
        )

    rows = reference.table(CARDIOLOGY_CODES).to_dict("records")
    return codes_by_plan_and_year(rows, managed, file=CARDIOLOGY_CODES)


def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    return codes_for(_code_table(), plan_code, year)


@lru_cache(maxsize=1)
def procedure_of_code() -> Mapping[str, str]:
    """Code -> procedure, whatever the plan (a code means the same procedure everywhere)."""
    return MappingProxyType(
        {code: item.category for codes in _code_table().values() for code, item in codes.items()}
    )


def code_choices(
    plan_code: str, year: int, procedure: str, *, in_force: Iterable[ManagedCode] | None = None
) -> list[ManagedCode]:
    """The plan's managed codes of one procedure for a service year, by code.

    ``in_force``: the list in force for the member's coverage (``services/code_lists``) instead of
    the packaged list; a code the program does not describe (no procedure) fits every procedure."""
    items = _code_index(plan_code, year).values() if in_force is None else in_force
    return [item for item in sorted(items, key=lambda i: i.code) if item.category in (procedure, "")]


@lru_cache(maxsize=1)
def _validity_table() -> Mapping[str, int]:
    rows = reference.table("cardiology_plans.csv").to_dict("records")
    return MappingProxyType({row["plan_code"].strip().upper(): int(row["validity_days"]) for row in rows})


def _validity_days(plan_code: str) -> int:
    return _validity_table().get((plan_code or "").strip().upper(), DEFAULT_VALIDITY_DAYS)


# ---------------------------------------------------------------------------------------------
# Criteria: conditions on the answers, as data (cardiology_criteria.csv)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    """One row of cardiology_criteria.csv.

    ``conditions``: ``<number>_min`` / ``<number>_max`` (inclusive), ``<choice>_in`` (one of the
    values), ``findings_all`` / ``findings_any`` / ``findings_none``; values separated by ``|``.
    """

    set_id: str
    criterion_id: str
    procedures: frozenset[str]
    indications: frozenset[str]  # "*" = any reason
    conditions: Mapping[str, str]
    text: str
    citation: str
    source: str

    def applies(self, procedure: str, indication: str) -> bool:
        return procedure in self.procedures and ("*" in self.indications or indication in self.indications)

    def values(self, name: str) -> frozenset[str]:
        return frozenset(part for part in self.conditions.get(name, "").split("|") if part)


def _parse_conditions(raw: str) -> Mapping[str, str]:
    pairs = (item.split("=", 1) for item in raw.split(";") if item.strip())
    return MappingProxyType({key.strip(): value.strip() for key, value in pairs})


def _check_condition(criterion_id: str, key: str, value: str) -> None:
    field, _, kind = key.rpartition("_")
    if key in {"findings_all", "findings_any", "findings_none"}:
        unknown = set(value.split("|")) - set(FINDINGS)
    elif kind in {"min", "max"} and field in NUMBER_FIELDS:
        unknown = set() if value.isdigit() else {value}
    elif kind == "in" and field in CHOICE_FIELDS:
        unknown = set()
    else:
        unknown = {key}
    if unknown:
        raise ValueError(
            f"cardiology_criteria.csv: {criterion_id} has an unknown condition {sorted(unknown)}"
        )


@lru_cache(maxsize=1)
def criterion_specs() -> tuple[CriterionSpec, ...]:
    """Every criterion of the program as loaded (and checked) from cardiology_criteria.csv."""
    specs = tuple(
        CriterionSpec(
            set_id=row["set_id"].strip(),
            criterion_id=row["criterion_id"].strip(),
            procedures=frozenset(row["procedures"].split()),
            indications=frozenset(row["indications"].split()),
            conditions=_parse_conditions(row["conditions"]),
            text=row["text"].strip(),
            citation=row["citation"].strip(),
            source=row["source"].strip(),
        )
        for row in reference.table("cardiology_criteria.csv").to_dict("records")
    )
    for spec in specs:
        if spec.procedures - set(PROCEDURES) or spec.indications - {*INDICATIONS, "*"}:
            raise ValueError(
                f"cardiology_criteria.csv: {spec.criterion_id} names an unknown procedure or reason"
            )
        for key, value in spec.conditions.items():
            _check_condition(spec.criterion_id, key, value)
    return specs


def _condition_fields(spec: CriterionSpec) -> set[str]:
    return {key.rpartition("_")[0] for key in spec.conditions if not key.startswith("findings_")}


@lru_cache(maxsize=32)
def fields_asked(procedure: str) -> frozenset[str]:
    """The numbers and choices the wizard asks for a procedure: those its criteria name."""
    return frozenset(
        field
        for spec in criterion_specs()
        if procedure in spec.procedures
        for field in _condition_fields(spec)
    ) - {"indication"}


@lru_cache(maxsize=32)
def findings_asked(procedure: str) -> tuple[str, ...]:
    """The findings the wizard offers for a procedure (those its criteria name), in FINDINGS order."""
    named = {
        finding
        for spec in criterion_specs()
        if procedure in spec.procedures
        for key in ("findings_all", "findings_any", "findings_none")
        for finding in spec.values(key)
    }
    return tuple(finding for finding in FINDINGS if finding in named)


def _condition_met(key: str, value: str, details: CardiologyDetails) -> bool | None:
    """One condition on the answers: True, False, or None when the answer it needs is missing."""
    findings = set(details.findings)
    wanted = frozenset(value.split("|"))
    if key == "findings_all":
        return wanted <= findings
    if key == "findings_any":
        return bool(wanted & findings)
    if key == "findings_none":
        return not wanted & findings
    field, _, kind = key.rpartition("_")
    answer = getattr(details, field)
    if answer is None:
        return None
    if kind == "in":
        return str(answer) in wanted
    return answer >= int(value) if kind == "min" else answer <= int(value)


def criterion_met(spec: CriterionSpec, details: CardiologyDetails) -> bool | None:
    """All of a row's conditions: False when one fails, None when one cannot be told, else True."""
    outcomes = [_condition_met(key, value, details) for key, value in spec.conditions.items()]
    if False in outcomes:
        return False
    return None if None in outcomes else True


def _set_result(specs: list[CriterionSpec], outcomes: list[bool | None]) -> CriterionResult:
    """One result per requirement: the first met row; otherwise the requirement with what it asks."""
    for spec, met in zip(specs, outcomes, strict=True):
        if met:
            return CriterionResult(spec.criterion_id, spec.text, spec.citation, True)
    if len(specs) == 1:
        return CriterionResult(specs[0].criterion_id, specs[0].text, specs[0].citation, outcomes[0])
    asked = " Or: ".join(spec.text for spec in specs)
    citations = "; ".join(dict.fromkeys(spec.citation for spec in specs))
    verdict = None if None in outcomes else False
    return CriterionResult(specs[0].set_id, f"None of these is met: {asked}", citations, verdict)


def evaluate_code(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    """The criteria results for one requested code; None when no published criterion is written for
    its procedure and reason (the engine then sends the line to a reviewer)."""
    procedure = procedure_of_code().get((code or "").strip().upper())
    details = request.details if isinstance(request.details, CardiologyDetails) else None
    if procedure is None or details is None or details.procedure != procedure:
        return None
    by_set: dict[str, list[CriterionSpec]] = {}
    for spec in criterion_specs():
        if spec.applies(procedure, details.indication):
            by_set.setdefault(spec.set_id, []).append(spec)
    if not by_set:
        return None
    return [_set_result(specs, [criterion_met(s, details) for s in specs]) for specs in by_set.values()]


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.CARDIOLOGY,
    label=Program.CARDIOLOGY.label,
    details_schema=CardiologyDetails,
    validity_policy=_validity_days,
    code_index=_code_index,
    criteria=evaluate_code,
    peer_to_peer=PeerToPeerPolicy(specialties=(Specialty.CARDIOLOGY,)),
)
