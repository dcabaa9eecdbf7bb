"""The transportation and other outpatient services program.

Scope (program FAQ, shared/seeds/002, "Which modalities require review?"): non-emergent ground
transportation, domestic and international; and additional outpatient services: nutrition,
hematology, neuromuscular and other procedures. A transport request names the origin and
destination, the trip type (one way, round trip, or recurring on a schedule), the help the
member needs (ambulatory, wheelchair, stretcher) and the medical reason. Every code asks its own
clinical questions (reference data). Approvals last 60 calendar days unless the plan's state
rule says otherwise (same FAQ, "How long does my patient's approval last?").

Reference data (each row with its source) in `portal_app/reference/`: `outpatient_codes.csv`
(codes per plan and year; our own labels; CPT is a registered trademark of the American Medical
Association), `outpatient_plans.csv` (validity per plan) and `outpatient_questions.csv` (the
questions per code, the answer that meets each, citations).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
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
from portal_app.domain.windows import validity_window

# ---------------------------------------------------------------------------------------------
# Choices and their labels
# ---------------------------------------------------------------------------------------------

ServiceKind = Literal["transport", "nutrition", "hematology", "neuromuscular", "other"]
SERVICE_KINDS: tuple[str, ...] = get_args(ServiceKind)
SERVICE_KIND_LABELS: dict[str, str] = {
    "transport": "Non-emergency ground transportation",
    "nutrition": "Nutrition",
    "hematology": "Hematology (blood disorders)",
    "neuromuscular": "Neuromuscular",
    "other": "Other outpatient procedure",
}

TripType = Literal["one_way", "round_trip", "recurring"]
TRIP_TYPES: tuple[str, ...] = get_args(TripType)
TRIP_TYPE_LABELS: dict[str, str] = {
    "one_way": "One way",
    "round_trip": "Round trip (there and back the same day)",
    "recurring": "Recurring trips on a schedule",
}

Mobility = Literal["ambulatory", "wheelchair", "stretcher"]
MOBILITIES: tuple[str, ...] = get_args(Mobility)
MOBILITY_LABELS: dict[str, str] = {
    "ambulatory": "Walks (with or without a cane or walker)",
    "wheelchair": "Travels in a wheelchair",
    "stretcher": "Must lie down (stretcher)",
}

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)  # in date.weekday() order
WEEKDAY_LABELS: dict[str, str] = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}

Answer = Literal["yes", "no", "unknown"]
ANSWERS: tuple[str, ...] = get_args(Answer)
ANSWER_LABELS: dict[str, str] = {"yes": "Yes", "no": "No", "unknown": "Not known"}

# USPS codes of the states, the District of Columbia and the territories.
US_STATES: frozenset[str] = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
    ]
)
HOME_COUNTRY = "US"
_US_ZIP = re.compile(r"\d{5}(-\d{4})?")
_COUNTRY = re.compile(r"[A-Z]{2}")  # ISO 3166-1 alpha-2

ADDRESS_LINE_MAX = 200
POSTAL_CODE_MAX = 20
MEDICAL_REASON_MAX = 1000
CLINICAL_NOTES_MAX = 4000
MAX_TRIP_COUNT = 366  # a count beyond a year of daily trips is a typing mistake
MAX_EXPLICIT_DATES = 366

# Program FAQ (shared/seeds/002): "Unless otherwise required by state law, approvals are valid
# for 60 calendar days"; a plan's row in outpatient_plans.csv overrides it.
DEFAULT_VALIDITY_DAYS = 60

# ---------------------------------------------------------------------------------------------
# Addresses and trip schedules
# ---------------------------------------------------------------------------------------------


class Address(BaseModel):
    """A pick-up or drop-off address, in the United States or abroad."""

    model_config = ConfigDict(extra="ignore")

    line1: str
    line2: str = ""
    city: str
    country: str = HOME_COUNTRY
    region: str = Field(default="", validate_default=True)  # a state for U.S. addresses
    postal_code: str = Field(default="", validate_default=True)

    @field_validator("line1", mode="before")
    @classmethod
    def _line1(cls, value: Any) -> Any:
        text = _text(value, maximum=ADDRESS_LINE_MAX, what="the street address")
        if not text:
            raise PydanticCustomError("missing", "Please answer this question.", {})
        return text

    @field_validator("line2", mode="before")
    @classmethod
    def _line2(cls, value: Any) -> Any:
        return _text(value, maximum=ADDRESS_LINE_MAX, what="the second address line")

    @field_validator("city", mode="before")
    @classmethod
    def _city(cls, value: Any) -> Any:
        text = _text(value, maximum=ADDRESS_LINE_MAX, what="the city")
        if not text:
            raise PydanticCustomError("missing", "Please answer this question.", {})
        return text

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        text = _text(value or HOME_COUNTRY, maximum=ADDRESS_LINE_MAX, what="the country code").upper()
        if not _COUNTRY.fullmatch(text):
            raise PydanticCustomError(
                "country", "Enter the country as its two-letter code (for example US, CA or MX).", {}
            )
        return text

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any, info: ValidationInfo) -> Any:
        text = _text(value, maximum=ADDRESS_LINE_MAX, what="the state or region")
        if info.data.get("country") != HOME_COUNTRY:
            return text
        if text.upper() not in US_STATES:
            raise PydanticCustomError("state", "Enter the state as its two-letter code (for example IL).", {})
        return text.upper()

    @field_validator("postal_code", mode="before")
    @classmethod
    def _postal_code(cls, value: Any, info: ValidationInfo) -> Any:
        text = _text(value, maximum=POSTAL_CODE_MAX, what="the postal code")
        if info.data.get("country") == HOME_COUNTRY and not _US_ZIP.fullmatch(text):
            raise PydanticCustomError("zip", "Enter a ZIP code of 5 digits (or 5+4, like 62701-1234).", {})
        return text

    @property
    def domestic(self) -> bool:
        return self.country == HOME_COUNTRY

    def same_place_as(self, other: Address) -> bool:
        def key(address: Address) -> tuple[str, ...]:
            return tuple(
                " ".join(part.lower().split())
                for part in (address.line1, address.line2, address.city, address.postal_code, address.country)
            )

        return key(self) == key(other)


class TripScheduleError(ValueError):
    """A recurring schedule that yields no usable trip dates; the message is for the user."""


def _parse_date(value: Any, what: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise PydanticCustomError("date", "Enter {what} as a date (YYYY-MM-DD).", {"what": what}) from None


class TripSchedule(BaseModel):
    """When recurring trips happen: either weekdays from a start date until an end date or for a
    number of trips, or an explicit list of dates."""

    model_config = ConfigDict(extra="ignore")

    weekdays: list[Weekday] = Field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    trip_count: int | None = None
    dates: list[date] = Field(default_factory=list)

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekdays(cls, value: Any) -> Any:
        return _choices(value, WEEKDAYS, "the days of the week")

    @field_validator("start_date", mode="before")
    @classmethod
    def _start(cls, value: Any) -> Any:
        return _parse_date(value, "the first day")

    @field_validator("end_date", mode="before")
    @classmethod
    def _end(cls, value: Any) -> Any:
        return _parse_date(value, "the last day")

    @field_validator("trip_count", mode="before")
    @classmethod
    def _count(cls, value: Any) -> Any:
        count = _whole_number(value, maximum=MAX_TRIP_COUNT, what="the number of trips")
        if count == 0:
            raise PydanticCustomError("trip_count", "A schedule has at least one trip.", {})
        return count

    @field_validator("dates", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, (str, date)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise PydanticCustomError("dates", "List the trip dates one by one.", {})
        if len(value) > MAX_EXPLICIT_DATES:
            raise PydanticCustomError(
                "too_many", "List at most {maximum} trip dates.", {"maximum": MAX_EXPLICIT_DATES}
            )
        parsed = [_parse_date(item, "each trip date") for item in value]
        if None in parsed:
            raise PydanticCustomError("dates", "Enter each trip date (YYYY-MM-DD); leave no blank date.", {})
        return parsed

    @model_validator(mode="after")
    def _one_way_of_saying_when(self) -> TripSchedule:
        if self.dates:
            if self.weekdays or self.start_date or self.end_date or self.trip_count:
                raise PydanticCustomError(
                    "schedule", "Give either a list of dates or a weekly pattern, not both.", {}
                )
            return self
        if not self.weekdays or self.start_date is None:
            raise PydanticCustomError(
                "schedule", "Give the days of the week and the first day, or list the trip dates.", {}
            )
        if (self.end_date is None) == (self.trip_count is None):
            raise PydanticCustomError(
                "schedule", "Give either the last day or the number of trips (one of the two).", {}
            )
        return self


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _weekly_dates(schedule: TripSchedule, until: date) -> list[date]:
    wanted = {WEEKDAYS.index(day) for day in schedule.weekdays}
    found: list[date] = []
    day = schedule.start_date
    assert day is not None, "a weekly pattern has a first day (TripSchedule's model validator)"
    while day <= until and (schedule.trip_count is None or len(found) < schedule.trip_count):
        if day.weekday() in wanted:
            found.append(day)
        day += timedelta(days=1)
    return found


def trip_dates(
    schedule: TripSchedule | Mapping[str, Any],
    *,
    max_days: int = DEFAULT_VALIDITY_DAYS,
    first_allowed: date | None = None,
) -> list[date]:
    """Every trip date a recurring schedule covers, in order, without repeats.

    All trips must fall inside one approval: the `max_days` calendar days starting at
    `first_allowed` (the date of service), or at the schedule's first day when not given.
    Raises TripScheduleError, with a message for the user, when the schedule runs past that
    period, starts before the date of service, ends before it starts, or yields no trip.
    """
    if not isinstance(schedule, TripSchedule):
        try:
            schedule = TripSchedule.model_validate(dict(schedule))
        except ValidationError as error:
            raise TripScheduleError(next(iter(plain_errors(error).values()))) from None
    first_trip = min(schedule.dates) if schedule.dates else schedule.start_date
    assert first_trip is not None, "a weekly pattern has a first day (TripSchedule's model validator)"
    window = validity_window(start=first_allowed or first_trip, days=max_days)
    if first_trip < window.start:
        raise TripScheduleError(
            f"The first trip ({_long_date(first_trip)}) is before the date of service "
            f"({_long_date(window.start)})."
        )
    if schedule.end_date is not None and schedule.start_date and schedule.end_date < schedule.start_date:
        raise TripScheduleError("The last day of the schedule is before its first day.")
    if schedule.dates:
        found = sorted(set(schedule.dates))
    else:
        # A weekly pattern repeats within 7 days: looking one week past the approval is enough
        # to tell whether the schedule runs over it.
        horizon = window.end + timedelta(days=7)
        found = _weekly_dates(schedule, until=min(schedule.end_date or horizon, horizon))
        if schedule.trip_count is not None and len(found) < schedule.trip_count:
            found.append(horizon)  # the trips asked for do not fit: reported as running past
    if not found:
        raise TripScheduleError(
            "The schedule has no trip: none of the chosen days of the week falls between its "
            "first and last day."
        )
    if found[-1] > window.end:
        raise TripScheduleError(
            f"The schedule runs past the {max_days} days an approval lasts (last day covered: "
            f"{_long_date(window.end)}). Shorten it, and request the later trips separately."
        )
    return found


# ---------------------------------------------------------------------------------------------
# Request details
# ---------------------------------------------------------------------------------------------


class TransportDetails(BaseModel):
    """A non-emergency transport request.

    Validate with the date of service and the plan's validity days so that recurring trips are
    checked against the approval: ``context={"service_date": ..., "validity_days": 60}``.
    """

    model_config = ConfigDict(extra="ignore")

    # Field order matters: later validators read the earlier, already validated fields.
    origin: Address
    destination: Address
    trip_type: TripType
    schedule: TripSchedule | None = Field(default=None, validate_default=True)
    mobility: Mobility
    medical_reason: str

    @field_validator("destination", mode="after")
    @classmethod
    def _destination(cls, value: Address, info: ValidationInfo) -> Address:
        origin = info.data.get("origin")
        if origin is not None and value.same_place_as(origin):
            raise PydanticCustomError("same_place", "The destination is the same as the pick-up address.", {})
        return value

    @field_validator("trip_type", mode="before")
    @classmethod
    def _trip_type(cls, value: Any) -> Any:
        return _choice(value, TRIP_TYPES, "the kind of trip")

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule_needed(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("trip_type") != "recurring":
            return None
        if value is None or value == {}:
            raise PydanticCustomError("schedule_required", "Give the schedule of the recurring trips.", {})
        return value

    @field_validator("schedule", mode="after")
    @classmethod
    def _schedule_fits(cls, value: TripSchedule | None, info: ValidationInfo) -> TripSchedule | None:
        if value is None:
            return None
        context = info.context or {}
        try:
            trip_dates(
                value,
                max_days=int(context.get("validity_days") or DEFAULT_VALIDITY_DAYS),
                first_allowed=context.get("service_date"),
            )
        except TripScheduleError as error:
            raise PydanticCustomError("schedule", "{problem}", {"problem": str(error)}) from None
        return value

    @field_validator("mobility", mode="before")
    @classmethod
    def _mobility(cls, value: Any) -> Any:
        return _choice(value, MOBILITIES, "the help the member needs to travel")

    @field_validator("medical_reason", mode="before")
    @classmethod
    def _reason(cls, value: Any) -> Any:
        text = _text(value, maximum=MEDICAL_REASON_MAX, what="the medical reason")
        if not text:
            raise PydanticCustomError("missing", "Please answer this question.", {})
        return text

    @property
    def international(self) -> bool:
        return not (self.origin.domestic and self.destination.domestic)


class OutpatientDetails(BaseModel):
    """What a request of this program says, beyond member, providers, codes and diagnoses.

    `transport` is required for transportation and cleared for every other kind of service;
    `answers` maps question ids (outpatient_questions.csv) to yes, no or unknown.
    """

    model_config = ConfigDict(extra="ignore")

    service_kind: ServiceKind
    transport: TransportDetails | None = Field(default=None, validate_default=True)
    answers: dict[str, Answer] = Field(default_factory=dict)
    clinical_notes: str = ""

    @field_validator("service_kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        return _choice(value, SERVICE_KINDS, "the kind of service")

    @field_validator("transport", mode="before")
    @classmethod
    def _transport(cls, value: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("service_kind")
        if kind is None:
            return value  # cannot tell yet; keep what was given
        if kind != "transport":
            return None
        if value is None or value == {}:
            raise PydanticCustomError(
                "transport_required", "Give the trip: addresses, kind of trip, help needed and reason.", {}
            )
        return value

    @field_validator("answers", mode="before")
    @classmethod
    def _answers(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise PydanticCustomError("answers", "Answer the questions from the list.", {})
        known = questions_by_id()
        unknown = sorted(str(key) for key in value if key not in known)
        if unknown:
            raise PydanticCustomError(
                "unknown_question", "These questions are not asked here: {ids}.", {"ids": ", ".join(unknown)}
            )
        return {key: _choice(answer, ANSWERS, "yes, no or not known") for key, answer in value.items()}

    @field_validator("clinical_notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        return _text(value, maximum=CLINICAL_NOTES_MAX, what="the clinical notes")


def details_errors(
    data: Mapping[str, Any], *, service_date: date | None = None, plan_code: str = ""
) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for wizard steps."""
    context = {"service_date": service_date, "validity_days": validity_days(plan_code)}
    try:
        OutpatientDetails.model_validate(dict(data), context=context)
    except ValidationError as error:
        return plain_errors(error)
    return {}


# ---------------------------------------------------------------------------------------------
# Reference data: codes, validity, questions
# ---------------------------------------------------------------------------------------------


def _table(name: str):  # -> pandas.DataFrame
    # portal_app.reference has named loaders for the imaging files only; read these files through
    # its cached reader (same rules: "#" notes, every cell as text, a source on every row).
    return reference.table(name)


@dataclass(frozen=True)
class OutpatientCode:
    code: str
    label: str  # our own plain-language label
    code_system: str
    service_kind: str
    mobility: str  # transport codes: the help the vehicle gives; "" = any
    source: str

    def managed_code(self) -> ManagedCode:
        return ManagedCode(
            code=self.code,
            label=self.label,
            category=self.service_kind,
            notification_only=False,
            source=self.source,
        )


@lru_cache(maxsize=1)
def _code_table() -> Mapping[tuple[str, int], Mapping[str, OutpatientCode]]:
    table: dict[tuple[str, int], dict[str, OutpatientCode]] = {}
    for row in _table("outpatient_codes.csv").to_dict("records"):
        code = row["code"].strip().upper()
        kind, mobility = row["service_kind"].strip(), row["mobility"].strip()
        if kind not in SERVICE_KINDS or (mobility and mobility not in MOBILITIES):
            raise ValueError(f"outpatient_codes.csv: {code} has an unknown service kind or mobility")
        if row["notification_only"].strip().lower() != "false":
            raise ValueError(f"outpatient_codes.csv: {code}: no code of this program is notification only")
        key = (row["plan_code"].strip().upper(), int(row["year"]))
        table.setdefault(key, {})[code] = OutpatientCode(
            code=code,
            label=row["label"].strip(),
            code_system=row["code_system"].strip(),
            service_kind=kind,
            mobility=mobility,
            source=row["source"].strip(),
        )
    return MappingProxyType({key: MappingProxyType(codes) for key, codes in table.items()})


@lru_cache(maxsize=1)
def code_facts() -> Mapping[str, OutpatientCode]:
    """Code -> its kind of service and mobility, whatever the plan."""
    return MappingProxyType({code: item for codes in _code_table().values() for code, item in codes.items()})


@lru_cache(maxsize=64)
def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    codes = _code_table().get(((plan_code or "").strip().upper(), int(year)), {})
    return MappingProxyType({code: item.managed_code() for code, item in codes.items()})


def _outpatient_code(item: ManagedCode) -> OutpatientCode:
    """A code of a list in force as the program knows it; one it does not know keeps the list's words."""
    known = code_facts().get(item.code)
    if known is not None:
        return known
    system = "HCPCS" if item.code[:1].isalpha() else "CPT"
    return OutpatientCode(item.code, item.label, system, item.category, "", item.source)


def code_choices(
    plan_code: str, year: int, *, service_kind: str = "", in_force: Iterable[ManagedCode] | None = None
) -> list[OutpatientCode]:
    """The plan's codes for a service year, narrowed to a kind of service when given.

    ``in_force``: the list in force for the member's coverage (``services/code_lists``) instead of the
    packaged list; a code the program does not describe fits every narrowing."""
    if in_force is None:
        codes = list(_code_table().get(((plan_code or "").strip().upper(), int(year)), {}).values())
    else:
        codes = [_outpatient_code(item) for item in in_force]
    return sorted(
        (item for item in codes if not service_kind or item.service_kind in (service_kind, "")),
        key=lambda item: item.code,
    )


@lru_cache(maxsize=1)
def _validity_table() -> Mapping[str, int]:
    table = {}
    for row in _table("outpatient_plans.csv").to_dict("records"):
        days = int(row["validity_days"])
        if days < 1:
            raise ValueError("outpatient_plans.csv: an approval lasts at least one day")
        table[row["plan_code"].strip().upper()] = days
    return MappingProxyType(table)


def validity_days(plan_code: str) -> int:
    """Calendar days an approval lasts under the plan: 60 unless the plan's row says otherwise."""
    return _validity_table().get((plan_code or "").strip().upper(), DEFAULT_VALIDITY_DAYS)


@dataclass(frozen=True)
class Question:
    """One row of outpatient_questions.csv."""

    question_id: str
    codes: frozenset[str]
    category: str
    text: str
    expected_answer: str
    citation: str
    source: str


@lru_cache(maxsize=1)
def questions_by_id() -> Mapping[str, Question]:
    """Every clinical question of the program, by id."""
    questions: dict[str, Question] = {}
    for row in _table("outpatient_questions.csv").to_dict("records"):
        question = Question(
            question_id=row["question_id"].strip(),
            codes=frozenset(code.upper() for code in row["codes"].split()),
            category=row["category"].strip(),
            text=row["question_text"].strip(),
            expected_answer=row["expected_answer"].strip().lower(),
            citation=row["citation"].strip(),
            source=row["source"].strip(),
        )
        if question.expected_answer not in {"yes", "no"} or question.category not in SERVICE_KINDS:
            raise ValueError(f"outpatient_questions.csv: {question.question_id}: bad answer or category")
        if question.question_id in questions:
            raise ValueError(f"outpatient_questions.csv: {question.question_id} appears twice")
        questions[question.question_id] = question
    return MappingProxyType(questions)


def questions_for(code: str) -> list[Question]:
    """The questions the wizard asks for a code, in file order."""
    code = (code or "").strip().upper()
    return [question for question in questions_by_id().values() if code in question.codes]


# ---------------------------------------------------------------------------------------------
# Criteria
# ---------------------------------------------------------------------------------------------

KIND_CRITERION = (
    "OP-KIND",
    "The code belongs to the kind of service requested.",
    "Program scope (program FAQ)",
)
MOBILITY_CRITERION = (
    "TRN-MOB",
    "The vehicle matches the help the member needs (walking, wheelchair or stretcher).",
    "Program aim: the most clinically appropriate form of transportation (program FAQ)",
)


def _answer_result(question: Question, details: OutpatientDetails | None) -> CriterionResult:
    answer = details.answers.get(question.question_id) if details else None
    met = None if answer not in ("yes", "no") else answer == question.expected_answer
    return CriterionResult(question.question_id, question.text, question.citation, met)


def _criteria_for(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    code = (code or "").strip().upper()
    item = code_facts().get(code)
    if item is None:
        return None
    details = request.details if isinstance(request.details, OutpatientDetails) else None
    results = [
        CriterionResult(*KIND_CRITERION, details.service_kind == item.service_kind if details else None)
    ]
    if item.mobility:
        transport = details.transport if details else None
        matches = transport.mobility == item.mobility if transport else None
        results.append(CriterionResult(*MOBILITY_CRITERION, matches))
    results.extend(_answer_result(question, details) for question in questions_for(code))
    return results


def summary_lines(details: BaseModel, service_date: date) -> list[tuple[str, str]]:
    """For a recurring transport: every trip date the schedule covers, for the order summary."""
    transport = getattr(details, "transport", None)
    if transport is None or transport.schedule is None:
        return []
    # Already checked against the approval when saved; here only listed.
    dates = trip_dates(transport.schedule, max_days=MAX_EXPLICIT_DATES, first_allowed=service_date)
    return [
        ("Number of trips", str(len(dates))),
        ("Trip dates", "; ".join(f"{day:%a} {_long_date(day)}" for day in dates)),
    ]


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.OUTPATIENT,
    label=Program.OUTPATIENT.label,
    details_schema=OutpatientDetails,
    validity_policy=validity_days,
    code_index=_code_index,
    criteria=_criteria_for,
    summary_extras=summary_lines,
)
