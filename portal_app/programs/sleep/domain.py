"""The sleep program: sleep studies, PAP devices, continued coverage and supplies, recalls.

* Sleep studies: a home sleep test (HST) or an in-lab polysomnogram (PSG). The AASM 2017
  guideline (Kapur et al., JCSM 2017;13(3):479; clinical-reference §3.5) allows either for
  uncomplicated adults and sends to the lab members with significant cardiorespiratory
  disease, neuromuscular disease with respiratory muscle weakness, hypoventilation, chronic
  opioid use, a history of stroke or severe insomnia, and after a negative, inconclusive or
  technically inadequate home test. Titration studies need an objective diagnosis.
* PAP devices (CPAP, APAP, bilevel): CMS NCD 240.4 / LCD L33718 (clinical-reference §3.2):
  AHI or RDI of 15 or more, or 5 to 14 with documented symptoms or comorbidities; bilevel
  without backup rate after CPAP failed or was not tolerated.
* Continued coverage and supplies: the adherence rule (``portal_app.domain.pap_compliance``),
  prefilled from device data; supplies within their replacement limits
  (``supply_limit_problem``).
* Product-recall notices per device model (``recall_notice``).

Reference data (each row with its source) in ``portal_app/reference/``: ``sleep_codes.csv``,
``sleep_plans.csv``, ``sleep_criteria.csv``, ``sleep_supply_limits.csv`` and
``sleep_device_recalls.csv``. CPT is a registered trademark of the American Medical
Association.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from portal_app import reference
from portal_app.domain import pap_compliance
from portal_app.domain.code_tables import codes_by_plan_and_year, codes_for, true_or_false
from portal_app.domain.enums import Program
from portal_app.domain.program_answers import choice as _choice
from portal_app.domain.program_answers import choices as _choices
from portal_app.domain.program_answers import text as _text
from portal_app.domain.program_types import ManagedCode, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult
from portal_app.domain.validation import plain_errors

# ---------------------------------------------------------------------------------------------
# Choices and their labels
# ---------------------------------------------------------------------------------------------

RequestKind = Literal["sleep_study", "titration_study", "pap_device", "pap_continued", "supplies"]
REQUEST_KINDS: tuple[str, ...] = get_args(RequestKind)
REQUEST_KIND_LABELS: dict[str, str] = {
    "sleep_study": "Diagnostic sleep study",
    "titration_study": "PAP titration study",
    "pap_device": "PAP device (first 3 months)",
    "pap_continued": "PAP device, continued coverage after the first 3 months",
    "supplies": "PAP supplies",
}

StudyType = Literal["home_sleep_test", "in_lab_psg"]
STUDY_TYPES: tuple[str, ...] = get_args(StudyType)
STUDY_TYPE_LABELS: dict[str, str] = {
    "home_sleep_test": "Home sleep test",
    "in_lab_psg": "In-lab sleep study (polysomnography)",
}

# AASM 2017 (clinical-reference §3.5): the conditions that call for an in-lab study.
LabCondition = Literal[
    "cardiorespiratory_disease",
    "neuromuscular_weakness",
    "hypoventilation",
    "chronic_opioids",
    "stroke_history",
    "severe_insomnia",
]
LAB_CONDITIONS: tuple[str, ...] = get_args(LabCondition)
LAB_CONDITION_LABELS: dict[str, str] = {
    "cardiorespiratory_disease": "Significant heart or lung disease",
    "neuromuscular_weakness": "Neuromuscular disease with weak breathing muscles",
    "hypoventilation": "Shallow breathing while awake, or a high risk of it during sleep (hypoventilation)",
    "chronic_opioids": "Takes opioid medicines long term",
    "stroke_history": "Has had a stroke",
    "severe_insomnia": "Severe insomnia",
}

HomeTestResult = Literal["none", "positive", "negative", "inconclusive", "technically_inadequate"]
HOME_TEST_RESULTS: tuple[str, ...] = get_args(HomeTestResult)
HOME_TEST_RESULT_LABELS: dict[str, str] = {
    "none": "No earlier home sleep test",
    "positive": "Earlier home test showed sleep apnea",
    "negative": "Earlier home test did not show sleep apnea",
    "inconclusive": "Earlier home test was inconclusive",
    "technically_inadequate": "Earlier home test could not be read (technically inadequate)",
}

DeviceType = Literal["cpap", "apap", "bilevel"]
DEVICE_TYPES: tuple[str, ...] = get_args(DeviceType)
DEVICE_TYPE_LABELS: dict[str, str] = {
    "cpap": "CPAP (fixed pressure)",
    "apap": "Auto-adjusting PAP (APAP)",
    "bilevel": "Bilevel PAP without backup rate",
}

IndexKind = Literal["AHI", "RDI"]
INDEX_KINDS: tuple[str, ...] = get_args(IndexKind)

# CMS NCD 240.4 (clinical-reference §3.2): what makes an AHI or RDI of 5-14 qualify.
PapFinding = Literal[
    "daytime_sleepiness",
    "impaired_cognition",
    "mood_disorder",
    "insomnia",
    "hypertension",
    "ischemic_heart_disease",
    "stroke_history",
]
PAP_FINDINGS: tuple[str, ...] = get_args(PapFinding)
PAP_FINDING_LABELS: dict[str, str] = {
    "daytime_sleepiness": "Excessive daytime sleepiness",
    "impaired_cognition": "Impaired thinking or memory",
    "mood_disorder": "Mood disorder",
    "insomnia": "Insomnia",
    "hypertension": "High blood pressure",
    "ischemic_heart_disease": "Ischemic heart disease",
    "stroke_history": "Has had a stroke",
}

# AHI severity in adults (AASM 1999 "Chicago" criteria; clinical-reference §3.1, confirmed by
# sleepapnea.org and a second summary): under 5 normal, 5 to <15 mild, 15 to <30 moderate,
# 30 or more severe.
SEVERITY_BANDS: tuple[tuple[float, str], ...] = ((30, "severe"), (15, "moderate"), (5, "mild"), (0, "none"))

MAX_INDEX = 200.0
MAX_RECORDING_HOURS = 24.0
MAX_EVENTS = 5000
MAX_SUPPLY_LINES = 20
MAX_PREVIOUS_DISPENSES = 500
MAX_SUPPLY_QUANTITY = 20
CLINICAL_NOTES_MAX = 4000
MODEL_MAX = 100


def severity(index: float) -> str:
    """``"none"``, ``"mild"``, ``"moderate"`` or ``"severe"`` for an adult AHI or RDI."""
    if not index >= 0:
        raise ValueError("An AHI or RDI is a number of 0 or more.")
    return next(label for floor, label in SEVERITY_BANDS if index >= floor)


# ---------------------------------------------------------------------------------------------
# Criteria data (sleep_criteria.csv)
# ---------------------------------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    # The packaged-table reader checks the `source` column; a public loader per file can be
    # added to portal_app.reference when other layers need these tables.
    return reference._cached_table(name).to_dict("records")


@dataclass(frozen=True)
class CriterionSpec:
    """One row of sleep_criteria.csv."""

    criterion_id: str
    kinds: frozenset[str]
    codes: frozenset[str]
    parameters: Mapping[str, str]
    text: str
    citation: str
    source: str

    def values(self, name: str) -> frozenset[str]:
        return frozenset(part for part in self.parameters.get(name, "").split("|") if part)

    def number(self, name: str) -> float:
        return float(self.parameters[name])


def _parse_parameters(text: str) -> Mapping[str, str]:
    pairs = (item.split("=", 1) for item in text.split(";") if item.strip())
    return MappingProxyType({key.strip(): value.strip() for key, value in pairs})


@lru_cache(maxsize=1)
def criterion_specs() -> Mapping[str, CriterionSpec]:
    """Every criterion of the program, by id, as loaded from sleep_criteria.csv."""
    return MappingProxyType(
        {
            row["criterion_id"].strip(): CriterionSpec(
                criterion_id=row["criterion_id"].strip(),
                kinds=frozenset(row["kinds"].split()),
                codes=frozenset(row["codes"].upper().split()),
                parameters=_parse_parameters(row["parameters"]),
                text=row["text"].strip(),
                citation=row["citation"].strip(),
                source=row["source"].strip(),
            )
            for row in _rows("sleep_criteria.csv")
        }
    )


def _spec(criterion_id: str) -> CriterionSpec:
    return criterion_specs()[criterion_id]


# ---------------------------------------------------------------------------------------------
# Sleep studies: home or lab
# ---------------------------------------------------------------------------------------------


def in_lab_reasons(
    lab_conditions: Iterable[str], prior_home_test: str = "none", member_age: int | None = None
) -> list[str]:
    """Plain reasons that send the member to an in-lab study ([] = a home test suits them).

    AASM 2017 (clinical-reference §3.5): the listed conditions; a negative, inconclusive or
    technically inadequate earlier home test; the home test is endorsed for adults only.
    """
    spec = _spec("hst_uncomplicated_adult")
    present = set(lab_conditions) & spec.values("lab_conditions")
    reasons = [LAB_CONDITION_LABELS[item] for item in LAB_CONDITIONS if item in present]
    if prior_home_test in spec.values("failed_home_results"):
        reasons.append(HOME_TEST_RESULT_LABELS[prior_home_test])
    if member_age is not None and member_age < spec.number("min_age"):
        reasons.append(f"The member is under {int(spec.number('min_age'))}")
    return reasons


def study_setting_problem(
    study_type: str,
    lab_conditions: Iterable[str],
    prior_home_test: str = "none",
    member_age: int | None = None,
    lab_reason: str = "",
) -> str | None:
    """Why the requested study setting does not fit the member, or None when it does.

    An in-lab study for a member a home test suits needs a stated reason (AASM allows either
    test for uncomplicated adults; the plan reviews the choice).
    """
    reasons = in_lab_reasons(lab_conditions, prior_home_test, member_age)
    if study_type == "home_sleep_test" and reasons:
        return (
            "An in-lab sleep study is the right test for this member instead of a home test: "
            + "; ".join(reason[0].lower() + reason[1:] for reason in reasons)
            + "."
        )
    if study_type == "in_lab_psg" and not reasons and not (lab_reason or "").strip():
        return (
            "A home sleep test suits this member (an adult with no condition that calls for the "
            "lab); say why an in-lab study is needed, or request a home test."
        )
    return None


# ---------------------------------------------------------------------------------------------
# PAP coverage (NCD 240.4)
# ---------------------------------------------------------------------------------------------


def pap_coverage_problem(
    index: float | None,
    findings: Iterable[str] = (),
    *,
    index_kind: str = "AHI",
    recording_hours: float | None = None,
    event_count: int | None = None,
) -> str | None:
    """Why the sleep test does not qualify for PAP under NCD 240.4, or None when it does.

    AHI or RDI of 15 or more; or 5 to under 15 with a listed symptom or comorbidity. An index
    from under 2 hours of recording needs at least the events 2 hours would need at that
    threshold (30 or 10); the check is skipped when the recording time is not given.
    """
    spec = _spec("pap_coverage")
    high, low = spec.number("high_index"), spec.number("low_index")
    if index is None:
        return f"Enter the {index_kind} from the diagnostic sleep test."
    if index >= high:
        threshold = high
    elif index >= low and set(findings) & spec.values("findings"):
        threshold = low
    elif index >= low:
        return (
            f"An {index_kind} of {index:g} qualifies for PAP only with a documented symptom or "
            f"condition (daytime sleepiness, thinking or mood problems, insomnia, high blood "
            f"pressure, ischemic heart disease or a past stroke)."
        )
    else:
        return f"An {index_kind} of {index:g} is below {low:g} an hour, the lowest that qualifies for PAP."
    minimum_hours = spec.number("min_recording_hours")
    if recording_hours is not None and recording_hours < minimum_hours:
        needed = math.ceil(threshold * minimum_hours)
        if event_count is None or event_count < needed:
            return (
                f"The test recorded under {minimum_hours:g} hours, so it needs at least {needed} "
                f"events to qualify; enter the number of events."
                if event_count is None
                else f"The test recorded under {minimum_hours:g} hours and counted {event_count} "
                f"events; at least {needed} are needed to qualify."
            )
    return None


def meets_pap_coverage(index: float | None, findings: Iterable[str] = (), **test: Any) -> bool:
    return pap_coverage_problem(index, findings, **test) is None


# ---------------------------------------------------------------------------------------------
# Supplies and their replacement limits
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplyLimit:
    code: str
    label: str
    category: str
    max_quantity: int
    period_months: int
    source: str

    @property
    def period_label(self) -> str:
        return "month" if self.period_months == 1 else f"{self.period_months} months"


@lru_cache(maxsize=1)
def supply_limits() -> Mapping[str, SupplyLimit]:
    """The replacement schedule by HCPCS code (sleep_supply_limits.csv)."""
    return MappingProxyType(
        {
            row["code"].strip().upper(): SupplyLimit(
                row["code"].strip().upper(),
                row["label"].strip(),
                row["category"].strip(),
                int(row["max_quantity"]),
                int(row["period_months"]),
                row["source"].strip(),
            )
            for row in _rows("sleep_supply_limits.csv")
        }
    )


class DispenseLike(Protocol):
    item: str
    dispensed_on: date
    quantity: int


@dataclass(frozen=True)
class Dispense:
    """An earlier supply of an item to the member."""

    item: str  # HCPCS code
    dispensed_on: date
    quantity: int = 1


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan -> 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _counts_until(dispense: DispenseLike, limit: SupplyLimit, grace_days: int) -> date:
    """The first day a dispense no longer counts against the limit."""
    return add_months(dispense.dispensed_on, limit.period_months) - timedelta(days=grace_days)


def supply_limit_problem(
    item: str,
    quantity: int,
    request_date: date,
    previous_dispenses: Iterable[DispenseLike],
    *,
    grace_days: int = 0,
) -> str | None:
    """Why ``quantity`` of ``item`` cannot be supplied on ``request_date``, or None when it can.

    The limit (sleep_supply_limits.csv) is a maximum per rolling period counted back from the
    request date: a dispense counts until the same day ``period_months`` later (less the plan's
    grace days). The message names the item and the date it can next be supplied.
    ValueError for an item without a replacement limit or a quantity below 1.
    """
    code = (item or "").strip().upper()
    limit = supply_limits().get(code)
    if limit is None:
        raise ValueError(f"{item!r} is not a PAP supply with a replacement limit.")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValueError("The quantity must be a whole number of 1 or more.")
    name = f"{limit.label} ({limit.code})"
    allowed = f"at most {limit.max_quantity} per {limit.period_label}"
    if quantity > limit.max_quantity:
        return f"{name}: {allowed}, so no more than {limit.max_quantity} can be requested at once."
    counting = sorted(
        (
            dispense
            for dispense in previous_dispenses
            if dispense.item.strip().upper() == code
            and dispense.dispensed_on <= request_date < _counts_until(dispense, limit, grace_days)
        ),
        key=lambda dispense: dispense.dispensed_on,
    )
    supplied = sum(dispense.quantity for dispense in counting)
    if supplied + quantity <= limit.max_quantity:
        return None
    next_allowed = _next_allowed(counting, supplied + quantity - limit.max_quantity, limit, grace_days)
    return (
        f"{name}: {allowed}; {supplied} already supplied since "
        f"{counting[0].dispensed_on.strftime('%m/%d/%Y')}. "
        f"The {quantity} requested can be supplied from {next_allowed.strftime('%m/%d/%Y')}."
    )


def _next_allowed(counting: list[DispenseLike], excess: int, limit: SupplyLimit, grace_days: int) -> date:
    # The oldest dispenses drop out first; once enough have, the request fits.
    dropped = 0
    for dispense in counting:
        dropped += dispense.quantity
        if dropped >= excess:
            return _counts_until(dispense, limit, grace_days)
    return _counts_until(counting[-1], limit, grace_days)  # pragma: no cover - excess <= supplied


# ---------------------------------------------------------------------------------------------
# Recall notices
# ---------------------------------------------------------------------------------------------


def _model_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", (text or "").lower())


@dataclass(frozen=True)
class RecallNotice:
    manufacturer: str
    model: str
    notice: str
    source: str


@lru_cache(maxsize=1)
def _recall_index() -> Mapping[str, RecallNotice]:
    index: dict[str, RecallNotice] = {}
    for row in _rows("sleep_device_recalls.csv"):
        manufacturers = [name.strip() for name in row["manufacturer"].split("|") if name.strip()]
        notice = RecallNotice(
            manufacturers[0], row["model"].strip(), row["notice"].strip(), row["source"].strip()
        )
        for model in [notice.model, *(alias for alias in row["aliases"].split("|") if alias.strip())]:
            index[_model_key(model)] = notice
            for manufacturer in manufacturers:
                index[_model_key(f"{manufacturer} {model}")] = notice
    return MappingProxyType(index)


def recall_notice(model: str) -> str | None:
    """The recall notice attached to a device model, or None.

    Case, spaces and punctuation do not matter, and the maker's name may come first
    ("Philips DreamStation"); otherwise the model must match exactly, so "DreamStation 2"
    (not recalled) does not match "DreamStation".
    """
    notice = _recall_index().get(_model_key(model))
    return notice.notice if notice else None


# ---------------------------------------------------------------------------------------------
# Request details
# ---------------------------------------------------------------------------------------------


def _number(value: Any, *, maximum: float, what: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = "Enter {what} as a number from 0 to {maximum}."
    context = {"what": what, "maximum": f"{maximum:g}"}
    if isinstance(value, bool):
        raise PydanticCustomError("number", message, context)
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise PydanticCustomError("number", message, context) from None
    if not 0 <= number <= maximum:  # also rejects NaN
        raise PydanticCustomError("number", message, context)
    return number


def _whole(value: Any, *, maximum: int, what: str) -> int | None:
    number = _number(value, maximum=maximum, what=what)
    if number is not None and not number.is_integer():
        raise PydanticCustomError("whole_number", "Enter {what} as a whole number.", {"what": what})
    return None if number is None else int(number)


class SupplyLine(BaseModel):
    """One supply item and how many are requested."""

    model_config = ConfigDict(extra="ignore")

    item: str
    quantity: int = 1

    @field_validator("item", mode="before")
    @classmethod
    def _item(cls, value: Any) -> Any:
        code = value.strip().upper() if isinstance(value, str) else value
        return _choice(code, tuple(supply_limits()), "the supply item")

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, value: Any) -> Any:
        quantity = _whole(value, maximum=MAX_SUPPLY_QUANTITY, what="the quantity")
        if not quantity:
            raise PydanticCustomError("quantity", "Enter a quantity of at least 1.", {})
        return quantity


class PreviousDispense(BaseModel):
    """An earlier supply of an item (from the member's history, prefilled by the portal)."""

    model_config = ConfigDict(extra="ignore")

    item: str
    dispensed_on: date
    quantity: int = 1

    @field_validator("item", mode="before")
    @classmethod
    def _item(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value


class SleepDetails(BaseModel):
    """What a sleep request says, beyond member, providers and codes.

    The adherence fields are prefilled from imported device data
    (``pap_compliance.evaluate``) on continued-coverage and supply requests.
    """

    model_config = ConfigDict(extra="ignore")

    request_kind: RequestKind
    study_type: StudyType | None = Field(default=None, validate_default=True)
    lab_conditions: list[LabCondition] = Field(default_factory=list)
    prior_home_test: HomeTestResult = "none"
    lab_reason: str = ""
    device_type: DeviceType | None = Field(default=None, validate_default=True)
    device_model: str = ""
    index_kind: IndexKind = "AHI"
    diagnostic_index: float | None = None
    recording_hours: float | None = None
    event_count: int | None = None
    findings: list[PapFinding] = Field(default_factory=list)
    cpap_failed: bool = False
    setup_date: date | None = None
    adherence_compliant: bool | None = None
    adherence_window_start: date | None = None
    adherence_nights_over_4h: int | None = None
    # Filled in by the portal: the member's earlier supplies (from their authorized requests) and
    # the plan's grace days; listed before ``supplies``, whose limits are checked against them.
    previous_dispenses: list[PreviousDispense] = Field(default_factory=list)
    grace_days: int = 0
    supplies: list[SupplyLine] = Field(default_factory=list, validate_default=True)
    clinical_notes: str = ""

    @field_validator("request_kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        return _choice(value, REQUEST_KINDS, "the kind of request")

    @field_validator("study_type", mode="before")
    @classmethod
    def _study(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("request_kind") != "sleep_study":
            return None
        return _choice(value, STUDY_TYPES, "the kind of sleep study")

    @field_validator("lab_conditions", mode="before")
    @classmethod
    def _conditions(cls, value: Any) -> Any:
        return _choices(value, LAB_CONDITIONS, "the member's conditions")

    @field_validator("prior_home_test", mode="before")
    @classmethod
    def _prior(cls, value: Any) -> Any:
        return _choice(value or "none", HOME_TEST_RESULTS, "the result of the earlier home test")

    @field_validator("lab_reason", mode="before")
    @classmethod
    def _lab_reason(cls, value: Any) -> Any:
        return _text(value, maximum=CLINICAL_NOTES_MAX, what="the reason for an in-lab study")

    @field_validator("device_type", mode="before")
    @classmethod
    def _device(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("request_kind") not in ("pap_device", "pap_continued"):
            return None if value in (None, "") else _choice(value, DEVICE_TYPES, "the kind of PAP device")
        return _choice(value, DEVICE_TYPES, "the kind of PAP device")

    @field_validator("device_model", mode="before")
    @classmethod
    def _model(cls, value: Any) -> Any:
        return _text(value, maximum=MODEL_MAX, what="the device model")

    @field_validator("index_kind", mode="before")
    @classmethod
    def _index_kind(cls, value: Any) -> Any:
        value = (value or "AHI").upper() if isinstance(value, str) else value
        return _choice(value, INDEX_KINDS, "AHI or RDI")

    @field_validator("diagnostic_index", mode="before")
    @classmethod
    def _index(cls, value: Any) -> Any:
        return _number(value, maximum=MAX_INDEX, what="the AHI or RDI")

    @field_validator("recording_hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        return _number(value, maximum=MAX_RECORDING_HOURS, what="the hours recorded")

    @field_validator("event_count", mode="before")
    @classmethod
    def _events(cls, value: Any) -> Any:
        return _whole(value, maximum=MAX_EVENTS, what="the number of events")

    @field_validator("findings", mode="before")
    @classmethod
    def _findings(cls, value: Any) -> Any:
        return _choices(value, PAP_FINDINGS, "the symptoms and conditions")

    @field_validator("adherence_nights_over_4h", mode="before")
    @classmethod
    def _nights(cls, value: Any) -> Any:
        return _whole(value, maximum=30, what="the nights with 4 hours or more")

    @field_validator("supplies", mode="before")
    @classmethod
    def _supplies(cls, value: Any, info: ValidationInfo) -> Any:
        lines = value or []
        if isinstance(lines, (list, tuple)) and len(lines) > MAX_SUPPLY_LINES:
            raise PydanticCustomError(
                "too_many", "List at most {maximum} supply items.", {"maximum": MAX_SUPPLY_LINES}
            )
        if info.data.get("request_kind") == "supplies" and not lines:
            raise PydanticCustomError("supplies_required", "Choose at least one supply item.", {})
        return lines

    @field_validator("supplies")
    @classmethod
    def _within_limits(cls, lines: list[SupplyLine], info: ValidationInfo) -> list[SupplyLine]:
        # With the date of service (the wizard's context), an item over its replacement limit is
        # refused, naming the item and the date it can next be supplied.
        service_date = (info.context or {}).get("service_date")
        if info.data.get("request_kind") != "supplies" or not isinstance(service_date, date):
            return lines
        previous = info.data.get("previous_dispenses") or []
        for line in lines:
            problem = supply_limit_problem(
                line.item, line.quantity, service_date, previous, grace_days=info.data.get("grace_days") or 0
            )
            if problem:
                raise PydanticCustomError("supply_limit", "{problem}", {"problem": problem})
        return lines

    @field_validator("grace_days", mode="before")
    @classmethod
    def _grace(cls, value: Any) -> Any:
        return _whole(value, maximum=31, what="the grace days") or 0

    @field_validator("previous_dispenses", mode="before")
    @classmethod
    def _previous(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) > MAX_PREVIOUS_DISPENSES:
            raise PydanticCustomError("too_many", "The supply history is too long.", {})
        return value or []

    @field_validator("clinical_notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        return _text(value, maximum=CLINICAL_NOTES_MAX, what="the clinical notes")

    def quantity_of(self, item: str) -> int:
        code = (item or "").strip().upper()
        return sum(line.quantity for line in self.supplies if line.item == code) or 1


def details_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for wizard steps."""
    try:
        SleepDetails.model_validate(dict(data))
    except ValidationError as error:
        return plain_errors(error)
    return {}


# ---------------------------------------------------------------------------------------------
# Managed codes and validity (reference data)
# ---------------------------------------------------------------------------------------------

# Program FAQ default (shared/seeds/002): approvals are valid for 60 calendar days.
DEFAULT_VALIDITY_DAYS = 60


SLEEP_CODES = "sleep_codes.csv"


@lru_cache(maxsize=1)
def _code_table() -> Mapping[tuple[str, int], Mapping[str, ManagedCode]]:
    def managed(code: str, row) -> ManagedCode:
        return ManagedCode(
            code=code,
            label=row["label"].strip(),
            category=row["category"].strip(),
            notification_only=true_or_false(row, "notification_only", file=SLEEP_CODES, code=code),
            source=row["source"].strip(),
        )

    return codes_by_plan_and_year(_rows(SLEEP_CODES), managed, file=SLEEP_CODES)


def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    return codes_for(_code_table(), plan_code, year)


def code_choices(
    plan_code: str, year: int, *, category: str = "", in_force: Iterable[ManagedCode] | None = None
) -> list[ManagedCode]:
    """The plan's managed codes for a year, narrowed to a category when given.

    ``in_force``: the list in force for the member's coverage (``services/code_lists``) instead of the
    packaged list; a code the program does not describe fits every narrowing."""
    items = _code_index(plan_code, year).values() if in_force is None else in_force
    return [
        item
        for item in sorted(items, key=lambda item: item.code)
        if not category or item.category in (category, "")
    ]


@lru_cache(maxsize=1)
def _plan_table() -> Mapping[str, tuple[int, int]]:
    return MappingProxyType(
        {
            row["plan_code"].strip().upper(): (int(row["validity_days"]), int(row["supply_grace_days"]))
            for row in _rows("sleep_plans.csv")
        }
    )


def _validity_days(plan_code: str) -> int:
    return _plan_table().get((plan_code or "").strip().upper(), (DEFAULT_VALIDITY_DAYS, 0))[0]


def supply_grace_days(plan_code: str) -> int:
    """Days before the end of a replacement period that the plan lets a refill ship."""
    return _plan_table().get((plan_code or "").strip().upper(), (DEFAULT_VALIDITY_DAYS, 0))[1]


# ---------------------------------------------------------------------------------------------
# Criteria for the rules engine
# ---------------------------------------------------------------------------------------------


def _hst_fits(spec: CriterionSpec, code: str, request: ProgramRequest, details: SleepDetails) -> bool | None:
    return not in_lab_reasons(details.lab_conditions, details.prior_home_test, request.member_age)


def _lab_supported(
    spec: CriterionSpec, code: str, request: ProgramRequest, details: SleepDetails
) -> bool | None:
    if in_lab_reasons(details.lab_conditions, details.prior_home_test, request.member_age):
        return True
    return None if details.lab_reason else False  # a stated reason goes to a reviewer


def _diagnosed(spec: CriterionSpec, code: str, request: ProgramRequest, details: SleepDetails) -> bool | None:
    if details.diagnostic_index is None:
        return None
    return details.diagnostic_index >= spec.number("min_index")


def _pap_coverage(
    spec: CriterionSpec, code: str, request: ProgramRequest, details: SleepDetails
) -> bool | None:
    if details.diagnostic_index is None:
        return None
    return meets_pap_coverage(
        details.diagnostic_index,
        details.findings,
        index_kind=details.index_kind,
        recording_hours=details.recording_hours,
        event_count=details.event_count,
    )


def _cpap_failed(
    spec: CriterionSpec, code: str, request: ProgramRequest, details: SleepDetails
) -> bool | None:
    return details.cpap_failed


def _adherent(spec: CriterionSpec, code: str, request: ProgramRequest, details: SleepDetails) -> bool | None:
    return details.adherence_compliant


def _within_supply_limit(
    spec: CriterionSpec, code: str, request: ProgramRequest, details: SleepDetails
) -> bool | None:
    problem = supply_limit_problem(
        code,
        details.quantity_of(code),
        request.service_date,
        details.previous_dispenses,
        grace_days=supply_grace_days(request.plan_code),
    )
    return problem is None


Evaluator = Callable[[CriterionSpec, str, ProgramRequest, SleepDetails], bool | None]
EVALUATORS: dict[str, Evaluator] = {
    "hst_uncomplicated_adult": _hst_fits,
    "psg_reason": _lab_supported,
    "titration_diagnosis": _diagnosed,
    "pap_coverage": _pap_coverage,
    "bilevel_cpap_failed": _cpap_failed,
    "pap_adherence": _adherent,
    "supply_limit": _within_supply_limit,
}


def _criterion_text(
    spec: CriterionSpec, code: str, request: ProgramRequest, details: SleepDetails, met: bool | None
) -> str:
    # Supplies over the limit: say which item and when it is next allowed.
    if spec.criterion_id == "supply_limit" and met is False:
        return (
            supply_limit_problem(
                code,
                details.quantity_of(code),
                request.service_date,
                details.previous_dispenses,
                grace_days=supply_grace_days(request.plan_code),
            )
            or spec.text
        )
    return spec.text


def _criteria_for(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    code = (code or "").strip().upper()
    details = request.details if isinstance(request.details, SleepDetails) else None
    specs = [spec for spec in criterion_specs().values() if code in spec.codes]
    if details is None:
        return [CriterionResult(spec.criterion_id, spec.text, spec.citation, None) for spec in specs] or None
    results = []
    for spec in specs:
        if details.request_kind not in spec.kinds:
            continue
        met = EVALUATORS[spec.criterion_id](spec, code, request, details)
        text = _criterion_text(spec, code, request, details, met)
        results.append(CriterionResult(spec.criterion_id, text, spec.citation, met))
    return results or None


def adherence_text(compliant: bool | None, window_start: date | None, nights_over_4h: int | None) -> str:
    """The adherence result in plain words, e.g. for the order summary."""
    if compliant is None:
        return "No device data on file: a nurse will ask for the usage report."
    nights = nights_over_4h or 0
    rule = (
        f"the rule asks for {pap_compliance.REQUIRED_NIGHTS} of {pap_compliance.WINDOW_NIGHTS} nights "
        f"(70 %) in the first {pap_compliance.FIRST_PERIOD_NIGHTS} nights"
    )
    if window_start is None:
        return f"No night with 4 hours of use or more: {rule}, so the rule is not met."
    end = window_start + timedelta(days=pap_compliance.WINDOW_NIGHTS - 1)
    percent = nights * 100 / pap_compliance.WINDOW_NIGHTS
    verdict = "meets" if compliant else "does not meet"
    return (
        f"{nights} of {pap_compliance.WINDOW_NIGHTS} nights with 4 hours of use or more, from "
        f"{window_start.strftime('%m/%d/%Y')} to {end.strftime('%m/%d/%Y')} ({percent:.0f} %): this "
        f"{verdict} the adherence rule ({rule})."
    )


def _summary_lines(details: BaseModel, service_date: date) -> list[tuple[str, str]]:
    """The recall notice of the requested device model, and the adherence from device data."""
    if not isinstance(details, SleepDetails):
        return []
    lines: list[tuple[str, str]] = []
    notice = recall_notice(details.device_model) if details.device_model else None
    if notice:
        lines.append(("Recall notice", notice))
    if details.request_kind in ("pap_continued", "supplies"):
        lines.append(
            (
                "PAP use from device data",
                adherence_text(
                    details.adherence_compliant,
                    details.adherence_window_start,
                    details.adherence_nights_over_4h,
                ),
            )
        )
    return lines


def line_quantity(details: BaseModel, plan_code: str, managed: ManagedCode) -> int:
    """A supply line asks for the quantity requested; every other line for one."""
    if isinstance(details, SleepDetails) and details.request_kind == "supplies":
        return details.quantity_of(managed.code)
    return 1


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.SLEEP,
    label=Program.SLEEP.label,
    details_schema=SleepDetails,
    validity_policy=_validity_days,
    code_index=_code_index,
    criteria=_criteria_for,
    summary_extras=_summary_lines,
    line_quantity=line_quantity,
)
