"""The medical oncology program: cancer, biomarkers, pathway regimens, cycle dosing, determination.

Order of the wizard (issue "Programs: medical oncology"; program FAQ, shared/seeds/000, case-entry
enhancements): cancer type, setting, line and intent; then only the biomarker questions that
select a regimen for that cancer (`biomarker_questions`); then the pathway regimens for that
profile (`pathway_regimens`) *before* any dosing; then dosing per drug (`portal_app.domain.dosing`)
with the cycle range and days of administration.

Diagnosis rule (program FAQ, shared/seeds/000, "Requesting drugs with oncological and
non-oncological uses"): the program reviews a drug only with a primary cancer diagnosis; a
supportive drug (filgrastim, pegfilgrastim, epoetin alfa, darbepoetin alfa, denosumab) also
needs the treatment-related condition as the secondary diagnosis (`diagnosis_rule_problem`).

Determination (`determination`): on-pathway regimen, biomarkers consistent with it, schedule and
cycles within it, every dose within 10 % of the pathway dose -> every criterion met (the rules
engine authorizes the requested cycles); otherwise a criterion is not met and the engine sends the
case to an oncology nurse with the reasons. Nothing here denies.

Reference data (each row with its source) in `portal_app/reference/`: `oncology_regimens.csv`
(the pathway) and `oncology_supportive.csv` (supportive drugs and their accepted secondary
diagnoses). Drug codes are public CMS HCPCS Level II J-codes.

Registered in `PROGRAMS` (`portal_app/domain/programs/__init__.py`, from this package) with its wizard step
(`step_state.py` in this package). The diagnoses are asked on that step too: a request this
program does not review (a non-cancer primary diagnosis, or a supportive drug for a condition not
caused by the cancer or its treatment) stops there (`no_request_reason`), before anything is saved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from portal_app import reference
from portal_app.domain import dosing
from portal_app.domain.conversation import PeerToPeerPolicy
from portal_app.domain.dosing import DEFAULT_RENAL_SETTINGS, BsaFormula, DoseBasis, RenalSettings
from portal_app.domain.enums import Program, Specialty
from portal_app.domain.program_types import ManagedCode, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult
from portal_app.domain.validation import plain_errors
from portal_app.reference.icd10 import get_diagnosis

# ---------------------------------------------------------------------------------------------
# Cancer types, settings, lines, intent
# ---------------------------------------------------------------------------------------------

CancerType = Literal["breast", "nsclc", "colorectal", "prostate", "dlbcl", "multiple_myeloma"]
CANCER_TYPES: tuple[str, ...] = get_args(CancerType)
CANCER_TYPE_LABELS: dict[str, str] = {
    "breast": "Breast cancer",
    "nsclc": "Non-small-cell lung cancer",
    "colorectal": "Colon or rectal cancer",
    "prostate": "Prostate cancer",
    "dlbcl": "Diffuse large B-cell lymphoma",
    "multiple_myeloma": "Multiple myeloma",
}

Setting = Literal[
    "neoadjuvant",
    "adjuvant",
    "metastatic",
    "metastatic_hormone_sensitive",
    "metastatic_castration_resistant",
    "newly_diagnosed",
    "relapsed_refractory",
    "newly_diagnosed_transplant_eligible",
    "newly_diagnosed_transplant_ineligible",
]
SETTINGS: tuple[str, ...] = get_args(Setting)
SETTING_LABELS: dict[str, str] = {
    "neoadjuvant": "Before surgery (neoadjuvant)",
    "adjuvant": "After surgery (adjuvant)",
    "metastatic": "Advanced or metastatic",
    "metastatic_hormone_sensitive": "Metastatic, still responding to hormone therapy (hormone-sensitive)",
    "metastatic_castration_resistant": "Metastatic, growing despite hormone therapy (castration-resistant)",
    "newly_diagnosed": "Newly diagnosed, first treatment",
    "relapsed_refractory": "Came back or did not respond (relapsed or refractory)",
    "newly_diagnosed_transplant_eligible": "Newly diagnosed, stem cell transplant planned",
    "newly_diagnosed_transplant_ineligible": "Newly diagnosed, no stem cell transplant planned",
}
SETTINGS_BY_CANCER: dict[str, tuple[str, ...]] = {
    "breast": ("neoadjuvant", "adjuvant", "metastatic"),
    "nsclc": ("adjuvant", "metastatic"),
    "colorectal": ("adjuvant", "metastatic"),
    "prostate": ("metastatic_hormone_sensitive", "metastatic_castration_resistant"),
    "dlbcl": ("newly_diagnosed", "relapsed_refractory"),
    "multiple_myeloma": (
        "newly_diagnosed_transplant_eligible",
        "newly_diagnosed_transplant_ineligible",
        "relapsed_refractory",
    ),
}
# Treatment around surgery has no "line": it is always the first treatment of that setting.
SETTINGS_WITHOUT_LINES: frozenset[str] = frozenset({"neoadjuvant", "adjuvant"})
MAX_LINE = 10

Intent = Literal["curative", "palliative"]
INTENTS: tuple[str, ...] = get_args(Intent)
INTENT_LABELS: dict[str, str] = {
    "curative": "Cure (curative intent)",
    "palliative": "Control the disease or relieve symptoms (palliative intent)",
}

# ICD-10-CM categories a primary diagnosis of each cancer type falls in (ICD-10-CM FY2026,
# chapter 2; the shipped code file). Lung: C34 covers small-cell too, which the code cannot tell.
DIAGNOSIS_PREFIXES_BY_CANCER: dict[str, tuple[str, ...]] = {
    "breast": ("C50",),
    "nsclc": ("C34",),
    "colorectal": ("C18", "C19", "C20"),
    "prostate": ("C61",),
    "dlbcl": ("C83.3",),
    "multiple_myeloma": ("C90.0",),
}


def normalized_line(setting: str, line: int) -> int:
    """The line of therapy; treatment around surgery always counts as line 1."""
    return 1 if setting in SETTINGS_WITHOUT_LINES else line


# ---------------------------------------------------------------------------------------------
# Biomarkers: asked only when a regimen of that cancer is selected by them
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BiomarkerQuestion:
    key: str
    label: str
    help: str
    options: tuple[tuple[str, str], ...]  # (stored value, label shown)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.options)


_NOT_TESTED = ("not_tested", "Not tested, or result pending")
_POSITIVE_NEGATIVE = (("positive", "Positive"), ("negative", "Negative"), _NOT_TESTED)
_WILD_TYPE_MUTATED = (("wild_type", "No mutation (wild-type)"), ("mutated", "Mutation found"), _NOT_TESTED)

# Display order of the questions. Value sets: clinical-reference §2.5, "Biomarker value sets".
BIOMARKER_QUESTIONS: dict[str, BiomarkerQuestion] = {
    question.key: question
    for question in (
        BiomarkerQuestion(
            "her2",
            "HER2 status",
            "ASCO/CAP: positive = IHC 3+ or ISH amplified; low = IHC 1+, or IHC 2+ with ISH not amplified.",
            (("positive", "HER2-positive"), ("low", "HER2-low"), ("zero", "HER2 IHC 0"), _NOT_TESTED),
        ),
        BiomarkerQuestion(
            "hormone_receptor",
            "Estrogen and progesterone receptors (ER/PR)",
            "Positive when ER or PR is expressed in 1 % or more of tumor cells.",
            (
                ("positive", "ER and/or PR positive (1 % or more)"),
                ("negative", "ER and PR both negative"),
                _NOT_TESTED,
            ),
        ),
        BiomarkerQuestion(
            "histology",
            "Tumor type under the microscope (histology)",
            "",
            (("non_squamous", "Non-squamous (for example adenocarcinoma)"), ("squamous", "Squamous cell")),
        ),
        BiomarkerQuestion(
            "egfr",
            "EGFR mutation",
            "Positive means a sensitizing mutation (exon 19 deletion or L858R).",
            _POSITIVE_NEGATIVE,
        ),
        BiomarkerQuestion("alk", "ALK rearrangement", "", _POSITIVE_NEGATIVE),
        BiomarkerQuestion("ros1", "ROS1 rearrangement", "", _POSITIVE_NEGATIVE),
        BiomarkerQuestion(
            "pd_l1_tps",
            "PD-L1 tumor proportion score (TPS)",
            "Percentage of tumor cells staining for PD-L1.",
            (
                ("below_1", "Less than 1 %"),
                ("1_to_49", "1 % to 49 %"),
                ("50_or_more", "50 % or more"),
                _NOT_TESTED,
            ),
        ),
        BiomarkerQuestion("kras", "KRAS (exons 2, 3 and 4)", "", _WILD_TYPE_MUTATED),
        BiomarkerQuestion("nras", "NRAS (exons 2, 3 and 4)", "", _WILD_TYPE_MUTATED),
        BiomarkerQuestion("braf_v600e", "BRAF V600E", "", _WILD_TYPE_MUTATED),
        BiomarkerQuestion(
            "msi",
            "Microsatellite instability (MSI) or mismatch repair (MMR)",
            "",
            (
                ("msi_high", "MSI-high or mismatch-repair deficient (dMMR)"),
                ("mss", "Microsatellite stable or mismatch-repair proficient (pMMR)"),
                _NOT_TESTED,
            ),
        ),
        BiomarkerQuestion(
            "primary_tumor_side",
            "Side of the colon where the cancer started",
            "Left: from the splenic flexure to the rectum. Right: from the cecum to the transverse colon.",
            (("left", "Left side or rectum"), ("right", "Right side")),
        ),
    )
}


def _cancer_type(cancer_type: str) -> str:
    if cancer_type not in CANCER_TYPES:
        raise ValueError(f"Unknown cancer type: {cancer_type!r}.")
    return cancer_type


def biomarker_questions(cancer_type: str) -> list[BiomarkerQuestion]:
    """The biomarker questions for a cancer type: exactly those some pathway regimen selects on.

    Derived from the regimen table so that an irrelevant question cannot be asked; prostate
    cancer, DLBCL and myeloma get none (no regimen of theirs is selected by a biomarker).
    """
    used = {
        key
        for regimen in _all_regimens()
        if regimen.cancer_type == _cancer_type(cancer_type)
        for key in regimen.biomarker_rule
    }
    return [question for key, question in BIOMARKER_QUESTIONS.items() if key in used]


def biomarker_errors(cancer_type: str, answers: Mapping[str, str]) -> dict[str, str]:
    """Plain messages for unanswered or invalid biomarker questions ({} when all fine)."""
    errors: dict[str, str] = {}
    for question in biomarker_questions(cancer_type):
        value = (answers or {}).get(question.key)
        if value in (None, ""):
            errors[question.key] = f"Answer the question about {question.label}."
        elif value not in question.values:
            errors[question.key] = f"Choose one of the options offered for {question.label}."
    return errors


# ---------------------------------------------------------------------------------------------
# Regimens (reference data)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaySchedule:
    """The days of administration from cycle `first_cycle` to `last_cycle` (None = onwards)."""

    first_cycle: int
    last_cycle: int | None
    days: tuple[int, ...]

    def covers(self, cycle: int) -> bool:
        return self.first_cycle <= cycle and (self.last_cycle is None or cycle <= self.last_cycle)


@dataclass(frozen=True)
class RegimenDrug:
    component: str  # unique within the regimen, e.g. "fluorouracil_bolus"
    drug: str  # generic name
    label: str
    dose_basis: DoseBasis
    amount: float  # per dose basis (75 = 75 mg/m²; AUC 6 for carboplatin)
    first_cycle_amount: float | None  # a loading dose in cycle 1
    schedule: tuple[DaySchedule, ...]
    doses_per_day: int
    route: str
    first_cycle: int
    last_cycle: int | None  # None = until progression or unacceptable toxicity
    max_dose_mg: float | None
    hcpcs: str  # empty for oral drugs (pharmacy benefit)
    hcpcs_unit_mg: float | None

    def given_in(self, cycle: int) -> bool:
        return self.first_cycle <= cycle and (self.last_cycle is None or cycle <= self.last_cycle)

    def amount_in(self, cycle: int) -> float:
        if cycle == 1 and self.first_cycle_amount is not None:
            return self.first_cycle_amount
        return self.amount

    def days_in(self, cycle: int) -> tuple[int, ...]:
        for part in self.schedule:
            if part.covers(cycle):
                return part.days
        return ()

    @property
    def days_text(self) -> str:
        return "; ".join(
            (_cycles_text(part.first_cycle, part.last_cycle) + ": " if len(self.schedule) > 1 else "")
            + _days_text(part.days)
            for part in self.schedule
        )

    @property
    def dose_text(self) -> str:
        unit = {DoseBasis.MG_PER_M2: "mg/m²", DoseBasis.MG_PER_KG: "mg/kg", DoseBasis.FLAT: "mg"}
        if self.dose_basis is DoseBasis.AUC:
            return f"AUC {self.amount:g}"
        text = f"{self.amount:g} {unit[self.dose_basis]}"
        if self.first_cycle_amount is not None:
            text = f"{self.first_cycle_amount:g} {unit[self.dose_basis]} in cycle 1, then {text}"
        if self.max_dose_mg is not None:
            text += f" (at most {self.max_dose_mg:g} mg)"
        return text + (" twice a day" if self.doses_per_day == 2 else "")


def _cycles_text(first: int, last: int | None) -> str:
    if last is None:
        return f"cycle {first} onwards"
    return f"cycle {first}" if first == last else f"cycles {first}-{last}"


def _days_text(days: tuple[int, ...]) -> str:
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return f"D{days[0]}-D{days[-1]}"
    return ", ".join(f"D{day}" for day in days)


@dataclass(frozen=True)
class Regimen:
    regimen_id: str
    name: str
    cancer_type: str
    settings: frozenset[str]
    line_min: int
    line_max: int | None
    biomarker_rule: Mapping[str, frozenset[str]]  # question -> accepted answers; empty = any profile
    cycle_length_days: int
    drugs: tuple[RegimenDrug, ...]
    citation: str
    source: str

    @property
    def cycles(self) -> int | None:
        """The number of cycles of the protocol; None when given until progression."""
        if any(drug.last_cycle is None for drug in self.drugs):
            return None
        return max(drug.last_cycle or 0 for drug in self.drugs)

    @property
    def first_cycle(self) -> int:
        return min(drug.first_cycle for drug in self.drugs)

    @property
    def cycles_text(self) -> str:
        count = self.cycles
        if count is None:
            return f"{self.cycle_length_days}-day cycles until progression or unacceptable side effects"
        span = _cycles_text(self.first_cycle, count)
        return f"{count - self.first_cycle + 1} cycles of {self.cycle_length_days} days ({span})"

    def fits(self, setting: str, line: int) -> bool:
        line = normalized_line(setting, line)
        return (
            setting in self.settings
            and line >= self.line_min
            and (self.line_max is None or line <= self.line_max)
        )

    def biomarkers_match(self, answers: Mapping[str, str]) -> bool:
        return all((answers or {}).get(key) in accepted for key, accepted in self.biomarker_rule.items())

    def drug(self, component: str) -> RegimenDrug | None:
        return next((drug for drug in self.drugs if drug.component == component), None)

    def drugs_given_in(self, cycle_from: int, cycle_to: int) -> tuple[RegimenDrug, ...]:
        return tuple(
            drug
            for drug in self.drugs
            if any(drug.given_in(cycle) for cycle in range(cycle_from, cycle_to + 1))
        )


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


def _float_or_none(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def _cycle_span(text: str) -> tuple[int, int | None]:
    """ "1-6" -> (1, 6); "7-18" -> (7, 18); "1-" -> (1, None); "3" -> (3, 3)."""
    first, dash, last = text.strip().partition("-")
    if not dash:
        return int(first), int(first)
    return int(first), _int_or_none(last)


def _schedule(text: str, cycle_length: int) -> tuple[DaySchedule, ...]:
    """ "D1-D14" or per cycle "C1-2:D1,D8,D15,D22|C3-6:D1,D15|C7-:D1"."""
    parts: list[DaySchedule] = []
    for part in text.split("|"):
        cycles, colon, days = part.partition(":")
        if not colon:
            days, first, last = cycles, 1, None
        else:
            first, last = _cycle_span(cycles.strip().lstrip("Cc"))
        parts.append(DaySchedule(first, last, dosing.parse_days_of_administration(days, cycle_length)))
    return tuple(parts)


def _biomarker_rule(text: str) -> Mapping[str, frozenset[str]]:
    rule: dict[str, frozenset[str]] = {}
    for clause in filter(None, (item.strip() for item in text.split(";"))):
        key, _, values = clause.partition("=")
        key = key.strip()
        question = BIOMARKER_QUESTIONS.get(key)
        accepted = frozenset(value.strip() for value in values.split("|"))
        if question is None or not accepted <= set(question.values):
            raise ValueError(f"oncology_regimens.csv: unknown biomarker or answer in {clause!r}")
        rule[key] = accepted
    return MappingProxyType(rule)


def _regimen_drug(row: Mapping[str, str], cycle_length: int) -> RegimenDrug:
    first_cycle, last_cycle = _cycle_span(row["cycles"])
    return RegimenDrug(
        component=row["component"].strip(),
        drug=row["drug"].strip(),
        label=row["label"].strip(),
        dose_basis=DoseBasis(row["dose_basis"].strip()),
        amount=float(row["amount"]),
        first_cycle_amount=_float_or_none(row["first_cycle_amount"]),
        schedule=_schedule(row["days"], cycle_length),
        doses_per_day=int(row["doses_per_day"]),
        route=row["route"].strip(),
        first_cycle=first_cycle,
        last_cycle=last_cycle,
        max_dose_mg=_float_or_none(row["max_dose_mg"]),
        hcpcs=row["hcpcs"].strip().upper(),
        hcpcs_unit_mg=_float_or_none(row["hcpcs_unit_mg"]),
    )


# Columns that describe the regimen and must read the same on every row of it.
_REGIMEN_COLUMNS = (
    "regimen_name",
    "cancer_type",
    "settings",
    "line_min",
    "line_max",
    "biomarkers",
    "cycle_length_days",
    "citation",
)


@lru_cache(maxsize=1)
def _all_regimens() -> tuple[Regimen, ...]:
    rows_by_regimen: dict[str, list[Mapping[str, str]]] = {}
    for row in reference._cached_table("oncology_regimens.csv").to_dict("records"):
        rows_by_regimen.setdefault(row["regimen_id"].strip(), []).append(row)
    regimens = []
    for regimen_id, rows in rows_by_regimen.items():
        first = rows[0]
        for column in _REGIMEN_COLUMNS:
            if any(row[column] != first[column] for row in rows):
                raise ValueError(f"oncology_regimens.csv: {regimen_id} has different {column} values")
        cycle_length = int(first["cycle_length_days"])
        settings = frozenset(first["settings"].split("|"))
        cancer_type = first["cancer_type"]
        if cancer_type not in CANCER_TYPES or not settings <= set(SETTINGS_BY_CANCER[cancer_type]):
            raise ValueError(f"oncology_regimens.csv: {regimen_id} has an unknown cancer type or setting")
        drugs = tuple(_regimen_drug(row, cycle_length) for row in rows)
        if len({drug.component for drug in drugs}) != len(drugs):
            raise ValueError(f"oncology_regimens.csv: {regimen_id} repeats a component")
        regimens.append(
            Regimen(
                regimen_id=regimen_id,
                name=first["regimen_name"].strip(),
                cancer_type=first["cancer_type"].strip(),
                settings=settings,
                line_min=int(first["line_min"]),
                line_max=_int_or_none(first["line_max"]),
                biomarker_rule=_biomarker_rule(first["biomarkers"]),
                cycle_length_days=cycle_length,
                drugs=drugs,
                citation=first["citation"].strip(),
                source="; ".join(dict.fromkeys(row["source"].strip() for row in rows)),
            )
        )
    return tuple(regimens)


def all_regimens() -> tuple[Regimen, ...]:
    """Every regimen of the pathway table, in pathway order."""
    return _all_regimens()


@lru_cache(maxsize=1)
def _regimens_by_id() -> Mapping[str, Regimen]:
    return MappingProxyType({regimen.regimen_id: regimen for regimen in _all_regimens()})


def get_regimen(regimen_id: str) -> Regimen | None:
    return _regimens_by_id().get((regimen_id or "").strip())


def pathway_regimens(
    cancer_type: str, setting: str, line: int, biomarkers: Mapping[str, str]
) -> list[Regimen]:
    """The on-pathway regimens for the profile, most preferred first (the table's order)."""
    if setting not in SETTINGS_BY_CANCER[_cancer_type(cancer_type)]:
        raise ValueError(f"Setting {setting!r} is not offered for {CANCER_TYPE_LABELS[cancer_type]}.")
    return [
        regimen
        for regimen in _all_regimens()
        if regimen.cancer_type == cancer_type
        and regimen.fits(setting, line)
        and regimen.biomarkers_match(biomarkers)
    ]


# ---------------------------------------------------------------------------------------------
# Supportive drugs and the diagnosis rule
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportiveDrug:
    drug: str
    label: str
    hcpcs: str
    hcpcs_unit_amount: float
    hcpcs_unit: str
    secondary_prefixes: tuple[tuple[str, str], ...]  # (ICD-10-CM code prefix, plain label)


@lru_cache(maxsize=1)
def supportive_drugs() -> Mapping[str, SupportiveDrug]:
    """The supportive drugs the program reviews, keyed by drug (filgrastim, epoetin_alfa ...)."""
    rows_by_drug: dict[str, list[Mapping[str, str]]] = {}
    for row in reference._cached_table("oncology_supportive.csv").to_dict("records"):
        rows_by_drug.setdefault(row["drug"].strip(), []).append(row)
    drugs = {}
    for drug, rows in rows_by_drug.items():
        first = rows[0]
        drugs[drug] = SupportiveDrug(
            drug=drug,
            label=first["drug_label"].strip(),
            hcpcs=first["hcpcs"].strip().upper(),
            hcpcs_unit_amount=float(first["hcpcs_unit_amount"]),
            hcpcs_unit=first["hcpcs_unit"].strip(),
            secondary_prefixes=tuple(
                (row["secondary_code_prefix"].strip().upper(), row["secondary_label"].strip()) for row in rows
            ),
        )
    return MappingProxyType(drugs)


# Other names a user or the seed uses for the same drug (the seed says "Epoetin" and "Prolia").
_DRUG_ALIASES = {
    "epoetin": "epoetin_alfa",
    "darbepoetin": "darbepoetin_alfa",
    "prolia": "denosumab",
    "xgeva": "denosumab",
}


def _drug_key(drug: str) -> str:
    key = "_".join((drug or "").strip().lower().replace("-", " ").split())
    return _DRUG_ALIASES.get(key, key)


def is_supportive_drug(drug: str) -> bool:
    return _drug_key(drug) in supportive_drugs()


def is_cancer_diagnosis(code: str) -> bool:
    """True for a billable ICD-10-CM code of a malignant, in situ or uncertain-behavior neoplasm.

    ICD-10-CM chapter 2 blocks: C00-C96 malignant, D00-D09 in situ, D10-D36 and D3A benign,
    D37-D48 uncertain behavior (e.g. myelodysplastic syndromes), D49 unspecified behavior.
    Benign neoplasms and history-of-cancer Z codes do not count.
    """
    diagnosis = get_diagnosis(code or "")
    if diagnosis is None:
        return False
    letter, number = diagnosis.code[0], diagnosis.code[1:3]
    if letter == "C":
        return True
    if letter != "D" or not number.isdigit():
        return False
    return int(number) <= 9 or 37 <= int(number) <= 49


def diagnosis_matches_cancer_type(cancer_type: str, code: str) -> bool:
    diagnosis = get_diagnosis(code or "")
    prefixes = DIAGNOSIS_PREFIXES_BY_CANCER[_cancer_type(cancer_type)]
    return diagnosis is not None and diagnosis.code.startswith(prefixes)


def _accepted_secondary(drug: SupportiveDrug, code: str) -> bool:
    return any(code.startswith(prefix) for prefix, _ in drug.secondary_prefixes)


# The stop message of the wizard (program FAQ, shared/seeds/000): requests with a non-cancer
# primary diagnosis are not reviewed here; the member's health plan says who reviews them.
NON_CANCER_PRIMARY_MESSAGE = (
    "This program does not review {drug} with the primary diagnosis {code} ({description}): it reviews "
    "drugs only when the primary diagnosis is a cancer. Please ask the member's health plan who "
    "authorizes this drug for this diagnosis."
)
SWAP_HINT = (
    " If the cancer or its treatment caused this condition, enter the cancer as the primary diagnosis "
    "and {code} as the secondary diagnosis."
)


def diagnosis_rule_problem(drug: str, primary: str, secondary: str = "") -> str | None:
    """Why the program cannot take this drug with these diagnoses, or None when it can.

    Every drug needs a primary cancer diagnosis; a non-cancer primary gets the stop message
    (`NON_CANCER_PRIMARY_MESSAGE`). A supportive drug also needs, as the secondary diagnosis,
    one of the treatment-related conditions listed for it in oncology_supportive.csv.
    """
    key = _drug_key(drug)
    supportive = supportive_drugs().get(key)
    drug_label = supportive.label if supportive else (drug or "this drug").strip()
    if not (primary or "").strip():
        return "Enter the primary diagnosis: the cancer being treated."
    primary_dx = get_diagnosis(primary)
    if primary_dx is None:
        return f"{primary.strip()} is not a billable ICD-10-CM code; check the primary diagnosis."
    if not is_cancer_diagnosis(primary_dx.code):
        message = NON_CANCER_PRIMARY_MESSAGE.format(
            drug=drug_label, code=primary_dx.code, description=primary_dx.description
        )
        if supportive and _accepted_secondary(supportive, primary_dx.code):
            message += SWAP_HINT.format(code=primary_dx.code)
        return message
    if supportive is None:
        return None
    return _secondary_problem(supportive, secondary)


def _secondary_problem(drug: SupportiveDrug, secondary: str) -> str | None:
    accepted = "; ".join(f"{prefix} {label.lower()}" for prefix, label in drug.secondary_prefixes)
    if not (secondary or "").strip():
        return (
            f"Enter the secondary diagnosis: the condition {drug.label.lower()} treats that the cancer "
            f"or its treatment caused ({accepted})."
        )
    secondary_dx = get_diagnosis(secondary)
    if secondary_dx is None:
        return f"{secondary.strip()} is not a billable ICD-10-CM code; check the secondary diagnosis."
    if not _accepted_secondary(drug, secondary_dx.code):
        return (
            f"This program reviews {drug.label.lower()} for a condition caused by the cancer or its "
            f"treatment ({accepted}); {secondary_dx.code} ({secondary_dx.description}) is not one of them. "
            "Please ask the member's health plan who reviews this request."
        )
    return None


def diagnosis_stop(
    primary: str, secondary: str = "", supportive: tuple[str, ...] | list[str] = (), treatment: str = ""
) -> str | None:
    """The message that stops a request this program does not review with these diagnoses, or None.

    A stop: a primary diagnosis that is not a cancer (any request; a supportive drug's message
    names the drug), or a supportive drug whose secondary diagnosis is not a condition the cancer
    or its treatment caused. None while a code is missing or unreadable (the form asks for it)
    and when the program reviews the request. `treatment` names a non-supportive request.
    """
    primary_dx = get_diagnosis(primary or "")
    if primary_dx is None:
        return None
    drugs = [key for key in (_drug_key(item) for item in supportive) if key in supportive_drugs()]
    if not is_cancer_diagnosis(primary_dx.code):
        return diagnosis_rule_problem(drugs[0] if drugs else (treatment or "this treatment"), primary_dx.code)
    secondary_dx = get_diagnosis(secondary or "")
    if secondary_dx is None:
        return None
    for key in drugs:
        problem = _secondary_problem(supportive_drugs()[key], secondary_dx.code)
        if problem:
            return problem
    return None


# ---------------------------------------------------------------------------------------------
# Request details
# ---------------------------------------------------------------------------------------------

# Program choice: an off-pathway rationale must be at least a sentence.
MIN_RATIONALE_LENGTH = 20
MAX_TEXT = 2000
MAX_DRUGS = 12


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> Any:
    if value is None or value == "":
        raise PydanticCustomError("missing", "Please answer this question.", {})
    if value not in allowed:
        raise PydanticCustomError("choice", "Choose one of the options offered for {what}.", {"what": what})
    return value


def _text(value: Any, what: str) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_TEXT:
        raise PydanticCustomError(
            "too_long", "Shorten {what} to {maximum} characters.", {"what": what, "maximum": MAX_TEXT}
        )
    return text


def _dosing_call(call, *args, **kwargs):
    """Run a dosing function; its ValueError message becomes a plain validation error."""
    try:
        return call(*args, **kwargs)
    except ValueError as error:
        raise PydanticCustomError("dosing", "{message}", {"message": str(error)}) from None


def _positive_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PydanticCustomError("number", "Enter a number.", {})
    try:
        number = float(value)
    except ValueError:
        raise PydanticCustomError("number", "Enter a number.", {}) from None
    if not math.isfinite(number) or number <= 0:
        raise PydanticCustomError("number", "Enter a number greater than zero.", {})
    return number


class DrugDose(BaseModel):
    """One drug of the request, as the prescriber doses it."""

    model_config = ConfigDict(extra="ignore")

    component: str  # the regimen component; a free name for an off-pathway drug
    drug: str = ""
    dose_basis: DoseBasis
    amount: float  # per dose basis: 75 (mg/m²), 6 (mg/kg), 5 (AUC), 200 (mg)
    requested_dose_mg: float  # the dose to give at each administration (after any loading dose)
    loading_amount: float | None = None  # per dose basis, cycle 1 only (trastuzumab 8 mg/kg)
    loading_dose_mg: float | None = None  # the cycle 1 dose to give, when there is a loading dose
    days: str  # "D1", "D1-D14", "D1, D8, D15"
    doses_per_day: int = 1
    deviation_reason: str = ""
    hcpcs: str = ""

    @field_validator("component", mode="before")
    @classmethod
    def _component(cls, value: Any) -> Any:
        text = _text(value, "the drug")
        if not text:
            raise PydanticCustomError("missing", "Please answer this question.", {})
        return text

    @field_validator("dose_basis", mode="before")
    @classmethod
    def _basis(cls, value: Any) -> Any:
        return _choice(value, tuple(basis.value for basis in DoseBasis), "the dose basis")

    @field_validator("amount", "requested_dose_mg", mode="before")
    @classmethod
    def _positive(cls, value: Any) -> Any:
        return _positive_number(value)

    @field_validator("loading_amount", "loading_dose_mg", mode="before")
    @classmethod
    def _optional_positive(cls, value: Any) -> Any:
        return None if value in (None, "") else _positive_number(value)

    @field_validator("doses_per_day", mode="before")
    @classmethod
    def _per_day(cls, value: Any) -> Any:
        if value in (1, 2, "1", "2"):
            return int(value)
        raise PydanticCustomError("per_day", "Choose once or twice a day.", {})

    @field_validator("deviation_reason", "drug", mode="before")
    @classmethod
    def _free_text(cls, value: Any) -> Any:
        return _text(value, "this text")

    @field_validator("hcpcs", mode="before")
    @classmethod
    def _hcpcs(cls, value: Any) -> Any:
        return _text(value, "the drug code").upper()


class MedicalOncologyDetails(BaseModel):
    """What a medical oncology request says, beyond member, providers and codes.

    Validate with the member's age and sex when known, so that the carboplatin (AUC) dose and
    the 10 % rule can be checked: ``MedicalOncologyDetails.model_validate(data,
    context={"member_age": 61, "member_sex": "F"})``.
    """

    model_config = ConfigDict(extra="ignore")

    # Field order matters: later validators read the earlier, already validated fields.
    cancer_type: CancerType
    setting: Setting
    line: int = 1
    intent: Intent
    biomarkers: dict[str, str] = Field(default_factory=dict)
    regimen_id: str = ""  # empty: an off-pathway regimen
    off_pathway_name: str = Field(default="", validate_default=True)
    off_pathway_rationale: str = Field(default="", validate_default=True)
    height_cm: float
    weight_kg: float
    serum_creatinine_mg_dl: float | None = None
    bsa_formula: BsaFormula = BsaFormula.MOSTELLER
    bsa_cap_m2: float | None = None
    bsa_cap_reason: str = Field(default="", validate_default=True)
    cycle_length_days: int
    cycle_from: int = 1
    cycle_to: int
    first_cycle_start: date | None = None
    drugs: list[DrugDose] = Field(default_factory=list, validate_default=True)
    supportive_drugs: list[str] = Field(default_factory=list)
    # The diagnoses as the program's own wizard step asks them, so that a request this program does
    # not review stops there (`no_request_reason`) before anything is saved. Optional for a
    # treatment request, needed with a supportive drug. The criteria read the order's diagnoses.
    primary_diagnosis: str = Field(default="", validate_default=True)
    secondary_diagnosis: str = Field(default="", validate_default=True)

    @field_validator("cancer_type", mode="before")
    @classmethod
    def _cancer(cls, value: Any) -> Any:
        return _choice(value, CANCER_TYPES, "the cancer type")

    @field_validator("setting", mode="before")
    @classmethod
    def _setting(cls, value: Any, info: ValidationInfo) -> Any:
        cancer = info.data.get("cancer_type")
        return _choice(value, SETTINGS_BY_CANCER[cancer] if cancer else SETTINGS, "the stage or setting")

    @field_validator("line", mode="before")
    @classmethod
    def _line(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("setting") in SETTINGS_WITHOUT_LINES:
            return 1
        if isinstance(value, bool) or str(value).strip() not in {str(n) for n in range(1, MAX_LINE + 1)}:
            raise PydanticCustomError(
                "line", "Enter the line of therapy, from 1 to {maximum}.", {"maximum": MAX_LINE}
            )
        return int(value)

    @field_validator("intent", mode="before")
    @classmethod
    def _intent(cls, value: Any) -> Any:
        return _choice(value, INTENTS, "the goal of treatment")

    @field_validator("biomarkers", mode="before")
    @classmethod
    def _biomarkers(cls, value: Any, info: ValidationInfo) -> Any:
        cancer = info.data.get("cancer_type")
        answers = dict(value or {})
        if cancer is None:
            return answers
        errors = biomarker_errors(cancer, answers)
        if errors:
            raise PydanticCustomError("biomarkers", "{message}", {"message": next(iter(errors.values()))})
        # Answers to questions not asked for this cancer are dropped, never stored.
        return {question.key: answers[question.key] for question in biomarker_questions(cancer)}

    @field_validator("regimen_id", mode="before")
    @classmethod
    def _regimen(cls, value: Any, info: ValidationInfo) -> Any:
        regimen_id = _text(value, "the regimen")
        if not regimen_id:
            return ""
        regimen = get_regimen(regimen_id)
        if regimen is None or regimen.cancer_type != info.data.get("cancer_type", regimen.cancer_type):
            raise PydanticCustomError("regimen", "Choose one of the regimens offered, or enter your own.", {})
        return regimen_id

    @field_validator("off_pathway_name", mode="before")
    @classmethod
    def _off_name(cls, value: Any, info: ValidationInfo) -> Any:
        name = _text(value, "the regimen name")
        if info.data.get("regimen_id"):
            return ""
        if not name:
            raise PydanticCustomError(
                "off_pathway_name", "Choose one of the regimens offered, or name the regimen you request.", {}
            )
        return name

    @field_validator("off_pathway_rationale", mode="before")
    @classmethod
    def _rationale(cls, value: Any, info: ValidationInfo) -> Any:
        rationale = _text(value, "the reason")
        if info.data.get("regimen_id"):
            return ""
        if len(rationale) < MIN_RATIONALE_LENGTH:
            raise PydanticCustomError(
                "rationale",
                "Explain in a sentence or two why this patient needs a regimen that is not on the pathway.",
                {},
            )
        return rationale

    @field_validator("height_cm", mode="before")
    @classmethod
    def _height(cls, value: Any) -> Any:
        return _dosing_call(dosing.check_height_cm, _as_float(value))

    @field_validator("weight_kg", mode="before")
    @classmethod
    def _weight(cls, value: Any) -> Any:
        return _dosing_call(dosing.check_weight_kg, _as_float(value))

    @field_validator("serum_creatinine_mg_dl", mode="before")
    @classmethod
    def _creatinine(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        return _dosing_call(dosing.check_creatinine_mg_dl, _as_float(value))

    @field_validator("bsa_formula", mode="before")
    @classmethod
    def _formula(cls, value: Any) -> Any:
        formulas = tuple(formula.value for formula in BsaFormula)
        return _choice(value or BsaFormula.MOSTELLER.value, formulas, "the BSA formula")

    @field_validator("bsa_cap_m2", mode="before")
    @classmethod
    def _cap(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        return _dosing_call(dosing.check_positive, _as_float(value), "The body surface area cap")

    @field_validator("bsa_cap_reason", mode="before")
    @classmethod
    def _cap_reason(cls, value: Any, info: ValidationInfo) -> Any:
        reason = _text(value, "the reason for the cap")
        height, weight, cap = (info.data.get(name) for name in ("height_cm", "weight_kg", "bsa_cap_m2"))
        if cap is None or height is None or weight is None:
            return reason if cap is not None else ""
        surface = dosing.bsa(height, weight, info.data.get("bsa_formula", BsaFormula.MOSTELLER))
        _dosing_call(dosing.cap_bsa, surface, cap, reason)
        return reason

    @field_validator("cycle_length_days", mode="before")
    @classmethod
    def _cycle_length(cls, value: Any) -> Any:
        number = _as_int(value, "the cycle length")
        return _dosing_call(dosing.check_cycle_length, number)

    @field_validator("cycle_from", mode="before")
    @classmethod
    def _cycle_from(cls, value: Any) -> Any:
        number = _as_int(1 if value in (None, "") else value, "the first cycle")
        _dosing_call(dosing.check_cycle_range, number, number)
        return number

    @field_validator("cycle_to", mode="before")
    @classmethod
    def _cycle_to(cls, value: Any, info: ValidationInfo) -> Any:
        number = _as_int(value, "the last cycle")
        _dosing_call(dosing.check_cycle_range, info.data.get("cycle_from", 1), number)
        return number

    @field_validator("drugs", mode="before")
    @classmethod
    def _drugs(cls, value: Any) -> Any:
        drugs = list(value or [])
        if not drugs:
            raise PydanticCustomError("drugs", "Add the drugs of the regimen with their doses.", {})
        if len(drugs) > MAX_DRUGS:
            raise PydanticCustomError("drugs", "List at most {maximum} drugs.", {"maximum": MAX_DRUGS})
        return drugs

    @field_validator("drugs", mode="after")
    @classmethod
    def _drug_checks(cls, drugs: list[DrugDose], info: ValidationInfo) -> list[DrugDose]:
        length = info.data.get("cycle_length_days")
        if length is not None:
            for drug in drugs:
                _dosing_call(dosing.parse_days_of_administration, drug.days, length)
        if len({drug.component for drug in drugs}) != len(drugs):
            raise PydanticCustomError("drugs", "Each drug can be listed only once.", {})
        context = info.context or {}
        if "member_age" in context and all(
            name in info.data for name in ("height_cm", "weight_kg", "bsa_formula")
        ):
            _check_deviation_reasons(drugs, info.data, context)
        return drugs

    @field_validator("supportive_drugs", mode="before")
    @classmethod
    def _supportive(cls, value: Any) -> Any:
        keys = [_drug_key(item) for item in (value or [])]
        if any(key not in supportive_drugs() for key in keys):
            raise PydanticCustomError("supportive", "Choose supportive drugs from the list.", {})
        return list(dict.fromkeys(keys))

    @field_validator("primary_diagnosis", mode="before")
    @classmethod
    def _primary_diagnosis(cls, value: Any, info: ValidationInfo) -> Any:
        code = _text(value, "the primary diagnosis")
        if not code:
            if info.data.get("supportive_drugs"):
                raise PydanticCustomError(
                    "diagnosis", "Enter the primary diagnosis: the cancer being treated.", {}
                )
            return ""
        return _billable_code(code, "primary")

    @field_validator("secondary_diagnosis", mode="before")
    @classmethod
    def _secondary_diagnosis(cls, value: Any, info: ValidationInfo) -> Any:
        code = _text(value, "the secondary diagnosis")
        drugs = info.data.get("supportive_drugs") or []
        if not drugs:
            return ""  # asked only with a supportive drug; never stored otherwise
        if code:
            return _billable_code(code, "secondary")
        primary = info.data.get("primary_diagnosis") or ""
        if primary and is_cancer_diagnosis(primary):
            # With a non-cancer primary the request stops instead (`no_request_reason`).
            message = _secondary_problem(supportive_drugs()[drugs[0]], "")
            raise PydanticCustomError("diagnosis", "{message}", {"message": message})
        return ""


def _billable_code(code: str, which: str) -> str:
    diagnosis = get_diagnosis(code)
    if diagnosis is None:
        raise PydanticCustomError(
            "diagnosis",
            "{code} is not a billable ICD-10-CM code; check the {which} diagnosis.",
            {"code": code, "which": which},
        )
    return diagnosis.code


def _as_float(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise PydanticCustomError("number", "Enter a number.", {}) from None
    return value


def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise PydanticCustomError("whole", "Enter a whole number for {what}.", {"what": what})
    try:
        number = int(str(value).strip())
    except ValueError:
        raise PydanticCustomError("whole", "Enter a whole number for {what}.", {"what": what}) from None
    return number


def _check_deviation_reasons(
    drugs: list[DrugDose], data: Mapping[str, Any], context: Mapping[str, Any]
) -> None:
    # A context that says nothing about the member's sex (the services' generic validation context
    # has only the age) cannot give the creatinine clearance: the doses by AUC are then checked by
    # the criteria, which have the sex, instead of failing the whole validation.
    sex_known = "member_sex" in context
    checked = [drug for drug in drugs if sex_known or drug.dose_basis is not DoseBasis.AUC]
    measures = _dosing_call(
        patient_measures,
        height_cm=data["height_cm"],
        weight_kg=data["weight_kg"],
        bsa_formula=data["bsa_formula"],
        bsa_cap_m2=data.get("bsa_cap_m2"),
        bsa_cap_reason=data.get("bsa_cap_reason", ""),
        serum_creatinine_mg_dl=data.get("serum_creatinine_mg_dl"),
        member_age=context.get("member_age"),
        member_sex=context.get("member_sex", ""),
        needs_crcl=any(drug.dose_basis is DoseBasis.AUC for drug in checked),
        renal=context.get("renal_settings", DEFAULT_RENAL_SETTINGS),
    )
    regimen = get_regimen(data.get("regimen_id", ""))
    for drug in checked:
        pathway = regimen.drug(drug.component) if regimen else None
        ceiling = pathway.max_dose_mg if pathway else None  # e.g. vincristine at most 2 mg
        pairs = [(drug.amount, drug.requested_dose_mg)]
        if drug.loading_amount is not None and drug.loading_dose_mg is not None:
            pairs.append((drug.loading_amount, drug.loading_dose_mg))
        for amount, requested in pairs:
            calculated = _dosing_call(calculated_dose_mg, drug.dose_basis, amount, measures, ceiling)
            if dosing.deviation_needs_reason(requested, calculated) and not drug.deviation_reason:
                raise PydanticCustomError(
                    "deviation_reason",
                    "The dose of {drug} differs from the calculated {calculated} mg by more than 10 %; "
                    "say why.",
                    {
                        "drug": drug.drug or drug.component,
                        "calculated": f"{dosing.display_dose_mg(calculated):g}",
                    },
                )


def details_errors(
    data: Mapping[str, Any],
    *,
    member_age: int | None,
    member_sex: str = "",
    renal: RenalSettings = DEFAULT_RENAL_SETTINGS,
) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for wizard steps."""
    context = {}
    if member_age is not None:
        context = {"member_age": member_age, "member_sex": member_sex, "renal_settings": renal}
    try:
        MedicalOncologyDetails.model_validate(dict(data), context=context)
    except ValidationError as error:
        return plain_errors(error)
    return {}


# ---------------------------------------------------------------------------------------------
# Dosing for a request
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientMeasures:
    bsa_m2: float  # after any cap: the BSA to dose with
    bsa_uncapped_m2: float
    bsa_capped: bool
    bsa_cap_reason: str
    weight_kg: float  # actual weight: mg/kg doses use it (ASCO 2012, clinical-reference §2.4)
    crcl_ml_min: float | None  # for carboplatin; None when no drug is dosed by AUC


def _female(member_sex: str) -> bool:
    sex = (member_sex or "").strip().upper()
    if sex not in ("F", "M"):
        raise ValueError("The member's sex (female or male) is needed for the creatinine clearance.")
    return sex == "F"


def patient_measures(
    *,
    height_cm: float,
    weight_kg: float,
    bsa_formula: str = BsaFormula.MOSTELLER,
    bsa_cap_m2: float | None = None,
    bsa_cap_reason: str = "",
    serum_creatinine_mg_dl: float | None = None,
    member_age: int | None = None,
    member_sex: str = "",
    needs_crcl: bool = False,
    renal: RenalSettings = DEFAULT_RENAL_SETTINGS,
) -> PatientMeasures:
    """BSA (with an optional cap), weight and, when a drug is dosed by AUC, the creatinine clearance."""
    capped = dosing.cap_bsa(dosing.bsa(height_cm, weight_kg, bsa_formula), bsa_cap_m2, bsa_cap_reason)
    clearance = None
    if needs_crcl:
        if serum_creatinine_mg_dl is None:
            raise ValueError("Enter the serum creatinine: the carboplatin dose depends on it.")
        if member_age is None:
            raise ValueError("The member's age is needed for the creatinine clearance.")
        clearance = dosing.crcl_for_plan(
            member_age, height_cm, weight_kg, serum_creatinine_mg_dl, _female(member_sex), renal
        )
    return PatientMeasures(
        capped.value_m2, capped.uncapped_m2, capped.capped, capped.reason, weight_kg, clearance
    )


def measures_for(
    details: MedicalOncologyDetails,
    *,
    member_age: int | None,
    member_sex: str,
    renal: RenalSettings = DEFAULT_RENAL_SETTINGS,
) -> PatientMeasures:
    needs_crcl = any(drug.dose_basis is DoseBasis.AUC for drug in details.drugs) or any(
        drug.dose_basis is DoseBasis.AUC for drug in _regimen_drugs(details)
    )
    return patient_measures(
        height_cm=details.height_cm,
        weight_kg=details.weight_kg,
        bsa_formula=details.bsa_formula,
        bsa_cap_m2=details.bsa_cap_m2,
        bsa_cap_reason=details.bsa_cap_reason,
        serum_creatinine_mg_dl=details.serum_creatinine_mg_dl,
        member_age=member_age,
        member_sex=member_sex,
        needs_crcl=needs_crcl,
        renal=renal,
    )


def calculated_dose_mg(
    basis: DoseBasis | str, amount: float, measures: PatientMeasures, max_dose_mg: float | None = None
) -> float:
    """The dose in mg for one administration from a dose basis and the patient's measures."""
    return dosing.dose_for(
        basis,
        amount,
        bsa=measures.bsa_m2,
        weight_kg=measures.weight_kg,
        gfr=measures.crcl_ml_min,
        max_dose_mg=max_dose_mg,
    )


@dataclass(frozen=True)
class DoseLine:
    """One drug of the request as the dosing screen shows it."""

    component: str
    label: str
    calculated_mg: float  # from the amount the prescriber entered
    requested_mg: float
    deviation: float  # fraction: 0.12 = 12 %
    needs_reason: bool
    days: tuple[int, ...]
    dates: tuple[date, ...]  # empty without a start date
    number_of_doses: int
    hcpcs: str
    units_per_dose: int | None  # HCPCS billing units; None for a drug without a J-code
    total_units: int | None


def dose_lines(details: MedicalOncologyDetails, measures: PatientMeasures) -> list[DoseLine]:
    """Calculated dose, deviation, dates, doses and billing units for each requested drug."""
    regimen = get_regimen(details.regimen_id)
    return [_dose_line(details, drug, regimen, measures) for drug in details.drugs]


@dataclass(frozen=True)
class _Administrations:
    days: tuple[int, ...]
    dates: tuple[date, ...]  # empty without a start date
    number_of_doses: int
    hcpcs: str
    units_per_dose: int | None
    total_units: int | None


def _administrations(
    details: MedicalOncologyDetails, drug: DrugDose, regimen: Regimen | None, first_day: date | None
) -> _Administrations:
    """Days, dates, number of doses and billing units of one drug over the requested cycles."""
    days = dosing.parse_days_of_administration(drug.days, details.cycle_length_days)
    dates: tuple[date, ...] = ()
    if first_day is not None:
        dates = tuple(
            dosing.administration_dates(
                first_day, details.cycle_from, details.cycle_to, details.cycle_length_days, days
            )
        )
    doses = dosing.dose_count(details.cycle_from, details.cycle_to, days, drug.doses_per_day)
    hcpcs = _drug_code(drug, regimen)
    unit = _unit_size(hcpcs)
    per_dose = dosing.billing_units_per_dose(drug.requested_dose_mg, unit) if unit else None
    total = per_dose * doses if per_dose is not None else None
    if (
        total is not None
        and per_dose is not None
        and unit
        and drug.loading_dose_mg is not None
        and details.cycle_from == 1
    ):
        # Cycle 1 carries the loading dose instead of the maintenance dose.
        loading_doses = len(days) * drug.doses_per_day
        total += (dosing.billing_units_per_dose(drug.loading_dose_mg, unit) - per_dose) * loading_doses
    return _Administrations(days, dates, doses, hcpcs, per_dose, total)


def _dose_line(
    details: MedicalOncologyDetails, drug: DrugDose, regimen: Regimen | None, measures: PatientMeasures
) -> DoseLine:
    pathway_drug = regimen.drug(drug.component) if regimen else None
    calculated = calculated_dose_mg(
        drug.dose_basis, drug.amount, measures, pathway_drug.max_dose_mg if pathway_drug else None
    )
    given = _administrations(details, drug, regimen, details.first_cycle_start)
    return DoseLine(
        component=drug.component,
        label=pathway_drug.label if pathway_drug else (drug.drug or drug.component),
        calculated_mg=calculated,
        requested_mg=drug.requested_dose_mg,
        deviation=dosing.dose_deviation(drug.requested_dose_mg, calculated),
        needs_reason=dosing.deviation_needs_reason(drug.requested_dose_mg, calculated),
        days=given.days,
        dates=given.dates,
        number_of_doses=given.number_of_doses,
        hcpcs=given.hcpcs,
        units_per_dose=given.units_per_dose,
        total_units=given.total_units,
    )


def summary_lines(details: BaseModel, service_date: date) -> list[tuple[str, str]]:
    """The order summary's lines for the requested cycles: each drug's dose, dates, doses and units.

    The date of service is day 1 of the first requested cycle (as for the approval window) unless
    the details give that day themselves.
    """
    if not isinstance(details, MedicalOncologyDetails):
        return []
    regimen = get_regimen(details.regimen_id)
    first_day = details.first_cycle_start or service_date
    lines = [
        (
            "Regimen",
            f"{regimen.name} (on the pathway)"
            if regimen
            else f"{details.off_pathway_name} (not on the pathway)",
        ),
        (
            "Cycles requested",
            f"Cycles {details.cycle_from} to {details.cycle_to} of {details.cycle_length_days} "
            f"days; day 1 of cycle {details.cycle_from} is {first_day.isoformat()}",
        ),
    ]
    for drug in details.drugs:
        pathway = regimen.drug(drug.component) if regimen else None
        given = _administrations(details, drug, regimen, first_day)
        dose = f"{drug.requested_dose_mg:g} mg"
        if drug.loading_dose_mg is not None and details.cycle_from == 1:
            dose = f"{drug.loading_dose_mg:g} mg in cycle 1, then {dose}"
        units = ""
        if given.total_units is not None:
            units = f"; {given.total_units} billing units of {given.hcpcs}"
        dates = ", ".join(day.isoformat() for day in given.dates)
        lines.append(
            (
                pathway.label if pathway else (drug.drug or drug.component),
                f"{dose} on {_days_text(given.days)} of each cycle; {given.number_of_doses} doses{units}: "
                f"{dates}",
            )
        )
    return lines


@lru_cache(maxsize=1)
def _unit_sizes() -> Mapping[str, float]:
    """J-code -> billing unit size in mg, from the regimen table (one size per code)."""
    sizes: dict[str, float] = {}
    for regimen in _all_regimens():
        for drug in regimen.drugs:
            if not (drug.hcpcs and drug.hcpcs_unit_mg):
                continue
            if sizes.setdefault(drug.hcpcs, drug.hcpcs_unit_mg) != drug.hcpcs_unit_mg:
                raise ValueError(f"oncology_regimens.csv: {drug.hcpcs} has two unit sizes")
    return MappingProxyType(sizes)


def _unit_size(hcpcs: str) -> float | None:
    return _unit_sizes().get((hcpcs or "").strip().upper())


# ---------------------------------------------------------------------------------------------
# Determination
# ---------------------------------------------------------------------------------------------

CITATION_FAQ = "Program FAQ (shared/seeds/000): drugs are reviewed only with a primary cancer diagnosis"
CITATION_PATHWAY = "Oncology pathway table (reference/oncology_regimens.csv), regimen citation"
CITATION_DOSE = (
    "HOPA dose-rounding position statement (Fahrenbruch, JOP 2018): within 10 % of the calculated dose"
)
CITATION_DIAGNOSIS = "ICD-10-CM FY2026, chapter 2 (neoplasms)"
CITATION_SUPPORTIVE = "Program FAQ (shared/seeds/000): primary and secondary diagnosis table"


def _regimen_drugs(details: MedicalOncologyDetails) -> tuple[RegimenDrug, ...]:
    regimen = get_regimen(details.regimen_id)
    return regimen.drugs_given_in(details.cycle_from, details.cycle_to) if regimen else ()


def _primary_criteria(details: MedicalOncologyDetails, primary: str) -> list[CriterionResult]:
    cancer = is_cancer_diagnosis(primary)
    return [
        CriterionResult(
            "onc_primary_cancer_diagnosis",
            "The primary diagnosis is a cancer.",
            CITATION_FAQ,
            cancer,
        ),
        CriterionResult(
            "onc_diagnosis_matches_cancer_type",
            f"The primary diagnosis is a {CANCER_TYPE_LABELS[details.cancer_type].lower()} code.",
            CITATION_DIAGNOSIS,
            cancer and diagnosis_matches_cancer_type(details.cancer_type, primary),
        ),
    ]


def _pathway_criteria(details: MedicalOncologyDetails) -> list[CriterionResult]:
    regimen = get_regimen(details.regimen_id)
    if regimen is None:
        return [
            CriterionResult(
                "onc_on_pathway",
                f"Off-pathway regimen requested ({details.off_pathway_name}); the prescriber's reason: "
                f"{details.off_pathway_rationale}",
                CITATION_PATHWAY,
                False,
            )
        ]
    citation = f"{regimen.citation} (pathway table)"
    return [
        CriterionResult(
            "onc_on_pathway",
            f"{regimen.name} is on the pathway for this cancer, setting and line of therapy.",
            citation,
            regimen.cancer_type == details.cancer_type and regimen.fits(details.setting, details.line),
        ),
        CriterionResult(
            "onc_biomarkers_consistent",
            f"The biomarker results fit {regimen.name}.",
            citation,
            regimen.biomarkers_match(details.biomarkers),
        ),
        CriterionResult(
            "onc_cycles_within_regimen",
            f"Cycles {details.cycle_from} to {details.cycle_to} of {details.cycle_length_days} days fit "
            f"{regimen.name} ({regimen.cycles_text}).",
            citation,
            _cycles_fit(details, regimen),
        ),
        CriterionResult(
            "onc_drugs_and_days_match",
            f"The drugs and days of administration are those of {regimen.name} for these cycles.",
            citation,
            _drugs_and_days_fit(details, regimen),
        ),
    ]


def _cycles_fit(details: MedicalOncologyDetails, regimen: Regimen) -> bool:
    if details.cycle_length_days != regimen.cycle_length_days or details.cycle_from < regimen.first_cycle:
        return False
    return regimen.cycles is None or details.cycle_to <= regimen.cycles


def _drugs_and_days_fit(details: MedicalOncologyDetails, regimen: Regimen) -> bool:
    expected = {drug.component: drug for drug in regimen.drugs_given_in(details.cycle_from, details.cycle_to)}
    requested = {drug.component: drug for drug in details.drugs}
    if set(requested) != set(expected):
        return False
    for component, drug in requested.items():
        pathway = expected[component]
        try:
            days = dosing.parse_days_of_administration(drug.days, details.cycle_length_days)
        except ValueError:
            return False
        cycles = range(details.cycle_from, details.cycle_to + 1)
        if any(pathway.given_in(cycle) and pathway.days_in(cycle) != days for cycle in cycles):
            # A drug whose days change between cycles (daratumumab) must be requested one
            # schedule block at a time, so that the days asked for are those of every cycle.
            return False
        if pathway.dose_basis is not drug.dose_basis or pathway.doses_per_day != drug.doses_per_day:
            return False
    return True


def _dose_criteria(
    details: MedicalOncologyDetails, measures: PatientMeasures | None, components: set[str] | None = None
) -> list[CriterionResult]:
    regimen = get_regimen(details.regimen_id)
    if regimen is None:
        return []
    results = []
    for drug in details.drugs:
        pathway = regimen.drug(drug.component)
        if pathway is None or (components is not None and drug.component not in components):
            continue
        results.append(_dose_criterion(details, drug, pathway, measures))
    return results


def _dose_criterion(
    details: MedicalOncologyDetails, drug: DrugDose, pathway: RegimenDrug, measures: PatientMeasures | None
) -> CriterionResult:
    criterion_id = f"onc_dose_{drug.component}"
    if measures is None:
        text = f"The dose of {pathway.label} could not be calculated."
        return CriterionResult(criterion_id, text, CITATION_DOSE, None)
    checks = [(pathway.amount, drug.requested_dose_mg, "")]
    if details.cycle_from == 1 and pathway.first_cycle_amount is not None and pathway.given_in(1):
        # Cycle 1 has a loading dose; without a separate loading dose the same dose is given.
        loading = drug.loading_dose_mg if drug.loading_dose_mg is not None else drug.requested_dose_mg
        checks.append((pathway.first_cycle_amount, loading, "cycle 1 loading dose "))
        if details.cycle_to == 1:
            checks = checks[1:]
    parts, within = [], True
    for amount, requested, what in checks:
        calculated = calculated_dose_mg(pathway.dose_basis, amount, measures, pathway.max_dose_mg)
        deviation = dosing.dose_deviation(requested, calculated)
        within = within and not dosing.deviation_needs_reason(requested, calculated)
        parts.append(
            f"{what}requested {requested:g} mg, pathway {dosing.display_dose_mg(calculated):g} mg "
            f"(difference {dosing.round_half_up(deviation * 100, 1):g} %)"
        )
    text = f"{pathway.label} ({pathway.dose_text}), within 10 % of the pathway dose: {'; '.join(parts)}."
    if drug.deviation_reason:
        text += f" Prescriber's reason for the difference: {drug.deviation_reason}"
    return CriterionResult(criterion_id, text, CITATION_DOSE, within)


def _supportive_criteria(primary: str, secondary: str, drugs: list[str]) -> list[CriterionResult]:
    results = []
    for key in drugs:
        drug = supportive_drugs()[_drug_key(key)]
        problem = diagnosis_rule_problem(drug.drug, primary, secondary)
        results.append(
            CriterionResult(
                f"onc_supportive_{drug.drug}_diagnosis",
                problem
                or f"{drug.label}: the primary diagnosis is a cancer and the secondary diagnosis is a "
                "condition the cancer or its treatment caused.",
                CITATION_SUPPORTIVE,
                problem is None,
            )
        )
    return results


def determination(
    details: MedicalOncologyDetails,
    *,
    member_age: int | None,
    member_sex: str,
    primary_diagnosis: str,
    secondary_diagnosis: str = "",
    renal: RenalSettings = DEFAULT_RENAL_SETTINGS,
) -> list[CriterionResult]:
    """Every criterion of the request, in the order a reviewer reads them.

    All met -> the rules engine authorizes the requested cycles. Off-pathway, biomarkers that do
    not fit, cycles or days outside the regimen, or a dose more than 10 % from the pathway dose
    -> a criterion is not met and the engine pends the case to an oncology nurse.
    """
    try:
        measures = measures_for(details, member_age=member_age, member_sex=member_sex, renal=renal)
    except ValueError:
        measures = None
    return (
        _primary_criteria(details, primary_diagnosis)
        + _pathway_criteria(details)
        + _dose_criteria(details, measures)
        + _supportive_criteria(primary_diagnosis, secondary_diagnosis, details.supportive_drugs)
    )


def no_request_reason(details: BaseModel | Mapping[str, Any]) -> str | None:
    """For the `no_request_reason` hook: the stop message when the program does not review the
    request with the diagnoses given on its step (`diagnosis_stop`), else None. Takes the raw
    answers too, so the stop shows even while other answers are still missing."""
    if isinstance(details, Mapping):
        supportive = details.get("supportive_drugs") or ()
        return diagnosis_stop(
            str(details.get("primary_diagnosis") or ""),
            str(details.get("secondary_diagnosis") or ""),
            tuple(str(d) for d in supportive) if isinstance(supportive, (list, tuple)) else (),
        )
    if not isinstance(details, MedicalOncologyDetails):
        return None
    regimen = get_regimen(details.regimen_id)
    treatment = regimen.name if regimen else details.off_pathway_name
    return diagnosis_stop(
        details.primary_diagnosis, details.secondary_diagnosis, details.supportive_drugs, treatment
    )


def criteria_met(results: list[CriterionResult]) -> bool:
    """True when every criterion is met (what the rules engine authorizes)."""
    return bool(results) and all(result.met is True for result in results)


# ---------------------------------------------------------------------------------------------
# Managed codes, validity, criteria per code (the program definition)
# ---------------------------------------------------------------------------------------------

# An authorization lasts 180 days unless the requested cycles need longer (program choice:
# six months is a common payer authorization length for oncology drugs, e.g. a published
# bevacizumab policy, "Coverage will be provided for six months and may be renewed").
DEFAULT_VALIDITY_DAYS = 180


def _validity_days(plan_code: str) -> int:
    return DEFAULT_VALIDITY_DAYS


def authorized_through(
    first_cycle_start: date, cycle_from: int, cycle_to: int, cycle_length_days: int
) -> date:
    """The last day of the last requested cycle: an authorization for cycles N..M lasts until then."""
    cycles = dosing.number_of_cycles(cycle_from, cycle_to)
    return first_cycle_start + timedelta(days=cycles * dosing.check_cycle_length(cycle_length_days) - 1)


def approval_end(plan_code: str, service_date: date, details: BaseModel | None) -> date:
    """The last valid day of an approval whose service date is day 1 of the first requested cycle.

    For the `validity_end` hook of ProgramDefinition: the approval covers the requested cycles
    (issue: "authorized for the requested cycles"); without details, the default validity.
    """
    if isinstance(details, MedicalOncologyDetails):
        return authorized_through(
            service_date, details.cycle_from, details.cycle_to, details.cycle_length_days
        )
    return service_date + timedelta(days=_validity_days(plan_code) - 1)


@lru_cache(maxsize=1)
def _managed_codes() -> Mapping[str, ManagedCode]:
    codes: dict[str, ManagedCode] = {}
    for regimen in _all_regimens():
        for drug in regimen.drugs:
            if drug.hcpcs and drug.hcpcs not in codes:
                codes[drug.hcpcs] = ManagedCode(
                    code=drug.hcpcs,
                    label=f"{drug.drug.capitalize()}, per {drug.hcpcs_unit_mg:g} mg",
                    category="anticancer",
                    notification_only=False,
                    source="CMS HCPCS Level II (public); see oncology_regimens.csv",
                )
    for supportive in supportive_drugs().values():
        codes[supportive.hcpcs] = ManagedCode(
            code=supportive.hcpcs,
            label=f"{supportive.label}, per {supportive.hcpcs_unit_amount:g} {supportive.hcpcs_unit}",
            category="supportive",
            notification_only=False,
            source="CMS HCPCS Level II (public); see oncology_supportive.csv",
        )
    return MappingProxyType(codes)


_EMPTY: Mapping[str, ManagedCode] = MappingProxyType({})


def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    # One drug list for every plan and year (per-plan drug lists are not modelled yet).
    return _managed_codes() if (plan_code or "").strip() else _EMPTY


def _criteria_for(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    details = request.details if isinstance(request.details, MedicalOncologyDetails) else None
    if details is None:
        return None
    code = (code or "").strip().upper()
    primary = request.diagnosis_codes[0] if request.diagnosis_codes else ""
    secondary = request.diagnosis_codes[1] if len(request.diagnosis_codes) > 1 else ""
    supportive = [key for key in details.supportive_drugs if supportive_drugs()[key].hcpcs == code]
    regimen = get_regimen(details.regimen_id)
    components = {drug.component for drug in details.drugs if _drug_code(drug, regimen) == code}
    if supportive:
        return _primary_criteria(details, primary)[:1] + _supportive_criteria(primary, secondary, supportive)
    if not components and regimen is not None:
        text = f"The request does not describe drug code {code}."
        return [CriterionResult("onc_code_in_request", text, CITATION_PATHWAY, None)]
    try:
        measures = measures_for(details, member_age=request.member_age, member_sex=request.member_sex)
    except ValueError:
        measures = None
    return (
        _primary_criteria(details, primary)
        + _pathway_criteria(details)
        + _dose_criteria(details, measures, components)
    )


def _drug_code(drug: DrugDose, regimen: Regimen | None) -> str:
    if drug.hcpcs:
        return drug.hcpcs
    pathway = regimen.drug(drug.component) if regimen else None
    return pathway.hcpcs if pathway else ""


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.MEDICAL_ONCOLOGY,
    label=Program.MEDICAL_ONCOLOGY.label,
    details_schema=MedicalOncologyDetails,
    validity_policy=_validity_days,
    code_index=_code_index,
    criteria=_criteria_for,
    validity_end=approval_end,
    no_request_reason=no_request_reason,
    summary_extras=summary_lines,
    peer_to_peer=PeerToPeerPolicy(specialties=(Specialty.ONCOLOGY,)),
)
