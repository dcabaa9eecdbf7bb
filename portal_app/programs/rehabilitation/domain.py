"""The rehabilitation program (physical, occupational and speech therapy): episodes and visits.

Rules (program FAQ, shared/seeds/000, "Rehabilitation program tips"):

* Every request belongs to an episode of care with an initial evaluation date. Later requests
  keep that date; changing it needs a reason. The one exception is the annual re-evaluation:
  chronic, long-term or pediatric episodes that run past a year get a new evaluation and plan
  of care, and the new date is accepted without a reason
  (``initial_evaluation_date_problem``).
* Request types: initial evaluation, first treatment request, later treatment requests,
  discharge.
* The engine recommends the visits to authorize and says why (``allocate_visits``), mirroring
  the FAQ's reasons for a lower allocation: no baseline score from an in-scope outcome tool on
  the first treatment request, a score not on the tool's scale, no updated score from the same
  tool, little progress (less than the tool's MCID) without a mitigating factor or a change to
  the plan of care, the plan-of-care goals met (two visits for discharge planning and the home
  exercise program), the plan's benefit limit reached. Progress of at least the MCID gets the
  full allocation.
* Visits used and remaining per episode (``burn_down``).
* The determination (``authorized_visits``): the recommendation is authorized at once, reduced
  or full, with its reasons (the FAQ's request "receives a lower visit allocation"); asking for
  more visits than recommended, or the benefit limit, sends the request to a nurse.
* Outcome scores: tools licensed for commercial or electronic use are entered as the total the
  provider scored (``TOTAL_ENTRY_TOOLS``); the others item by item, scored by the portal.

Reference data (each row with its source) in ``portal_app/reference/``: ``rehab_visits.csv``
(full / reduced / discharge-planning visits by discipline and request type),
``rehab_plans.csv`` (validity and benefit limit per plan and discipline) and
``rehab_codes.csv`` (codes per plan and year; CPT is a registered trademark of the American
Medical Association). Outcome-tool scoring and MCIDs: ``portal_app.domain.outcome_tools``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, get_args

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
from portal_app.domain import outcome_tools
from portal_app.domain.code_tables import codes_by_plan_and_year, codes_for, true_or_false
from portal_app.domain.enums import Program
from portal_app.domain.program_answers import choice as _choice
from portal_app.domain.program_answers import text as _text
from portal_app.domain.program_types import ManagedCode, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult
from portal_app.domain.validation import plain_errors

# ---------------------------------------------------------------------------------------------
# Choices and their labels
# ---------------------------------------------------------------------------------------------

Discipline = Literal["PT", "OT", "ST"]
DISCIPLINES: tuple[str, ...] = get_args(Discipline)
DISCIPLINE_LABELS: dict[str, str] = {
    "PT": "Physical therapy",
    "OT": "Occupational therapy",
    "ST": "Speech therapy",
}

RequestType = Literal["initial_evaluation", "first_treatment", "later_treatment", "discharge"]
REQUEST_TYPES: tuple[str, ...] = get_args(RequestType)
REQUEST_TYPE_LABELS: dict[str, str] = {
    "initial_evaluation": "Initial evaluation",
    "first_treatment": "First treatment request",
    "later_treatment": "Second or later treatment request",
    "discharge": "Discharge",
}
TREATMENT_REQUESTS: frozenset[str] = frozenset({"first_treatment", "later_treatment"})

EpisodeKind = Literal["standard", "chronic", "long_term", "pediatric"]
EPISODE_KINDS: tuple[str, ...] = get_args(EpisodeKind)
EPISODE_KIND_LABELS: dict[str, str] = {
    "standard": "Short-term episode (injury, surgery or new problem)",
    "chronic": "Chronic condition",
    "long_term": "Long-term therapy",
    "pediatric": "Pediatric therapy",
}
# Program FAQ (shared/seeds/000): only chronic, long-term or pediatric episodes that run past a
# year may take a new initial evaluation date, the annual re-evaluation.
ANNUAL_REEVALUATION_KINDS: frozenset[str] = frozenset({"chronic", "long_term", "pediatric"})

BodyRegion = Literal["low_back", "neck", "upper_extremity", "hip", "knee", "ankle_foot", "other"]
BODY_REGIONS: tuple[str, ...] = get_args(BodyRegion)
BODY_REGION_LABELS: Mapping[str, str] = outcome_tools.BODY_REGION_LABELS

MitigatingFactor = Literal[
    "new_injury_or_surgery",
    "illness_or_hospitalization",
    "worsening_other_condition",
    "missed_visits",
    "home_or_social_situation",
    "other",
]
MITIGATING_FACTORS: tuple[str, ...] = get_args(MitigatingFactor)
MITIGATING_FACTOR_LABELS: dict[str, str] = {
    "new_injury_or_surgery": "A new injury or surgery since the last request",
    "illness_or_hospitalization": "An illness or a hospital stay that interrupted therapy",
    "worsening_other_condition": "Another health condition got worse",
    "missed_visits": "Visits were missed for reasons outside the patient's control",
    "home_or_social_situation": "A change at home or in the patient's support",
    "other": "Something else (describe it in the note)",
}

TEXT_MAX = 1000
CLINICAL_NOTES_MAX = 4000
MAX_VISITS_REQUESTED = 100
# Scores are typed in as totals; anything outside this is a typing error, not a score.
SCORE_ENTRY_LIMIT = 1000.0
MAX_VISITS_COUNTED = 1000

# How the wizard collects each tool (clinical-reference §1.1 "Instrument copyright": collect item
# scores, and show item text only for instruments the portal is licensed or permitted to use).
# Tools whose rights holder asks commercial or electronic users for a licence are entered as the
# total the provider scored on the licensed form; the others item by item, as numbers only (the
# portal never shows item wording), and the portal scores them (outcome_tools.score).
TOTAL_ENTRY_TOOLS: Mapping[str, str] = MappingProxyType(
    {
        # Fairbank; distributed by the Mapi Research Trust, fees for healthcare organizations,
        # commercial users and IT companies (PhenX toolkit ODI protocol; RehabMeasures ODI page).
        "ODI": (
            "The ODI is licensed through the Mapi Research Trust: score the licensed form and enter its "
            "total."
        ),
        # Vernon; also distributed through the Mapi Research Trust [K: check its licence terms].
        "NDI": "The NDI is licensed by its author: score the licensed form and enter its total.",
        # Institute for Work & Health: free for clinicians, a licence for commercial use
        # (clinical-reference §1.1).
        "QUICKDASH": (
            "The QuickDASH belongs to the Institute for Work & Health: score the licensed form and enter "
            "its total."
        ),
    }
)
# LEFS, PSFS, KOOS JR and HOOS JR are free to use (clinical-reference §1.1).
ITEM_ENTRY_TOOLS: frozenset[str] = frozenset(outcome_tools.TOOLS) - frozenset(TOTAL_ENTRY_TOOLS)


# ---------------------------------------------------------------------------------------------
# Episode of care: the initial evaluation date
# ---------------------------------------------------------------------------------------------


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February -> 1 March
        return date(day.year + 1, 3, 1)


def initial_evaluation_date_problem(
    previous: date | None,
    proposed: date,
    reason: str,
    episode_kind: str,
    *,
    today: date | None = None,
) -> str | None:
    """Why ``proposed`` cannot be the episode's initial evaluation date, or None when it can.

    ``previous`` is the date already on the episode (None on its first request). Later requests
    keep that date; a different date needs a reason, except the annual re-evaluation of a
    chronic, long-term or pediatric episode: a date at least one year after the previous one
    is accepted without a reason (program FAQ, shared/seeds/000). With ``today`` the date may
    not lie in the future (pass None for a request for an evaluation that is still to come).
    """
    if today is not None and proposed > today:
        return "The initial evaluation date is after today. Enter the date the evaluation took place."
    if previous is None or proposed == previous:
        return None
    if (reason or "").strip():
        return None
    shown = previous.strftime("%m/%d/%Y")
    if episode_kind in ANNUAL_REEVALUATION_KINDS:
        reevaluation_from = _one_year_after(previous)
        if proposed >= reevaluation_from:
            return None  # the annual re-evaluation
        return (
            f"This episode's initial evaluation date is {shown}. Keep it, or say why it changes. "
            f"A new date without a reason is accepted for the annual re-evaluation, from "
            f"{reevaluation_from.strftime('%m/%d/%Y')}."
        )
    return f"This episode's initial evaluation date is {shown}. Keep it, or say why it changes."


# ---------------------------------------------------------------------------------------------
# Request details
# ---------------------------------------------------------------------------------------------


def _item_answer(value: Any) -> int | None:
    """One item answer: a whole number, or None (blank); the tool's own range is checked when scored."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or len(text) > 3:
        raise PydanticCustomError(
            "answers", "Answer each item with a whole number from its scale, or leave it blank.", {}
        )
    return int(text)


def _score_entry(value: Any, what: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = "Enter {what} as a number."
    if isinstance(value, bool):
        raise PydanticCustomError("score", message, {"what": what})
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise PydanticCustomError("score", message, {"what": what}) from None
    if not -SCORE_ENTRY_LIMIT <= number <= SCORE_ENTRY_LIMIT:  # also rejects NaN
        raise PydanticCustomError("score", message, {"what": what})
    return number


class RehabDetails(BaseModel):
    """What a rehabilitation request says, beyond member, providers and codes.

    Validate with the episode's current initial evaluation date to apply the episode date
    rule: ``RehabDetails.model_validate(data, context={"previous_initial_evaluation_date": d,
    "today": t})``. ``baseline_tool`` and ``baseline_score`` come from the episode's first
    treatment request (prefilled on later requests); ``outcome_tool`` and ``current_score`` are
    this request's. On the first treatment request the baseline is this request's score.
    """

    model_config = ConfigDict(extra="ignore")

    # Field order matters: later validators read the earlier, already validated fields.
    discipline: Discipline
    request_type: RequestType
    episode_kind: EpisodeKind = "standard"
    body_region: BodyRegion
    # The date already on the episode, filled in by the portal from the member's earlier requests
    # (never typed); the episode date rule applies against it when no context date is given.
    episode_initial_evaluation_date: date | None = None
    initial_evaluation_date_reason: str = ""
    initial_evaluation_date: date
    outcome_tool: str = ""
    baseline_tool: str = ""
    baseline_score: float | None = None
    # The item answers of this request's tool, for tools entered item by item (see
    # ``ITEM_ENTRY_TOOLS``); when given, the portal scores them and they set ``current_score``.
    outcome_answers: list[int | None] = Field(default_factory=list)
    current_score: float | None = None
    mitigating_factors: list[MitigatingFactor] = Field(default_factory=list)
    mitigating_factor_note: str = ""
    plan_of_care_changed: bool = False
    plan_of_care_change_note: str = ""
    short_term_goals_met: bool | None = None
    functional_goals_met: bool = False
    benefit_limit_reached: bool = False
    visits_requested: int | None = None
    # Filled in by the portal: visits authorized on the member's earlier requests for this
    # discipline in the calendar year of the date of service (what the benefit limit counts).
    visits_authorized_this_year: int | None = None
    # Typed by the provider on later requests: visits attended so far in this episode (burn-down).
    visits_attended: int | None = None
    clinical_notes: str = ""

    @field_validator("discipline", mode="before")
    @classmethod
    def _discipline(cls, value: Any) -> Any:
        value = value.upper() if isinstance(value, str) else value
        return _choice(value, DISCIPLINES, "the therapy discipline")

    @field_validator("request_type", mode="before")
    @classmethod
    def _request_type(cls, value: Any) -> Any:
        return _choice(value, REQUEST_TYPES, "the kind of request")

    @field_validator("episode_kind", mode="before")
    @classmethod
    def _episode_kind(cls, value: Any) -> Any:
        return _choice(value or "standard", EPISODE_KINDS, "the kind of episode")

    @field_validator("body_region", mode="before")
    @classmethod
    def _body_region(cls, value: Any) -> Any:
        return _choice(value, BODY_REGIONS, "the body region")

    @field_validator("initial_evaluation_date_reason", mode="before")
    @classmethod
    def _date_reason(cls, value: Any) -> Any:
        return _text(value, maximum=TEXT_MAX, what="the reason for the new evaluation date")

    @field_validator("initial_evaluation_date")
    @classmethod
    def _episode_date(cls, value: date, info: ValidationInfo) -> date:
        context = info.context or {}
        previous = context.get("previous_initial_evaluation_date") or info.data.get(
            "episode_initial_evaluation_date"
        )
        problem = initial_evaluation_date_problem(
            previous,
            value,
            info.data.get("initial_evaluation_date_reason", ""),
            info.data.get("episode_kind", "standard"),
            today=context.get("today"),
        )
        if problem:
            raise PydanticCustomError("episode_date", problem, {})
        return value

    @field_validator("outcome_tool", "baseline_tool", mode="before")
    @classmethod
    def _tool(cls, value: Any, info: ValidationInfo) -> Any:
        code = outcome_tools.normalize_tool_code(value) if isinstance(value, str) else value
        if not code:
            return ""
        discipline, region = info.data.get("discipline"), info.data.get("body_region")
        offered = [tool.code for tool in outcome_tools.tools_for(discipline or "", region or "")]
        if code not in offered:
            raise PydanticCustomError(
                "tool", "Choose an outcome tool offered for this discipline and body region.", {}
            )
        return code

    @field_validator("baseline_score", mode="before")
    @classmethod
    def _baseline(cls, value: Any) -> Any:
        return _score_entry(value, "the baseline score")

    @field_validator("outcome_answers", mode="before")
    @classmethod
    def _answers(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or value == []:
            return []
        tool = info.data.get("outcome_tool") or ""
        if not tool:
            raise PydanticCustomError("answers", "Choose the outcome tool the answers belong to.", {})
        if tool not in ITEM_ENTRY_TOOLS:
            raise PydanticCustomError(
                "answers",
                "Enter the {tool} as its total score (its licence does not allow item entry here).",
                {"tool": outcome_tools.tool_info(tool).name},
            )
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or len(value) > 100:
            raise PydanticCustomError("answers", "Give the answers as a list, one per item.", {})
        answers = [_item_answer(item) for item in value]
        try:
            outcome_tools.score(tool, answers)
        except ValueError as problem:
            raise PydanticCustomError("answers", "{problem}", {"problem": str(problem)}) from None
        return answers

    @field_validator("current_score", mode="before")
    @classmethod
    def _current(cls, value: Any, info: ValidationInfo) -> Any:
        answers = info.data.get("outcome_answers") or []
        if answers and info.data.get("outcome_tool"):
            # Scored here, exactly as published; a total typed alongside the answers is ignored.
            return outcome_tools.score(info.data["outcome_tool"], answers)
        return _score_entry(value, "the updated score")

    @field_validator("mitigating_factors", mode="before")
    @classmethod
    def _factors(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
            raise PydanticCustomError("choice", "Choose the mitigating factors from the list.", {})
        picked = [_choice(item, MITIGATING_FACTORS, "the mitigating factors") for item in value]
        return list(dict.fromkeys(picked))

    @field_validator("mitigating_factor_note", mode="before")
    @classmethod
    def _factor_note(cls, value: Any, info: ValidationInfo) -> Any:
        note = _text(value, maximum=TEXT_MAX, what="the note on mitigating factors")
        if "other" in info.data.get("mitigating_factors", []) and not note:
            raise PydanticCustomError("note_required", "Describe the other mitigating factor.", {})
        return note

    @field_validator("plan_of_care_change_note", mode="before")
    @classmethod
    def _plan_note(cls, value: Any, info: ValidationInfo) -> Any:
        note = _text(value, maximum=TEXT_MAX, what="the note on the plan-of-care change")
        if info.data.get("plan_of_care_changed") and not note:
            raise PydanticCustomError("note_required", "Say how the plan of care changed.", {})
        return note

    @field_validator("visits_requested", mode="before")
    @classmethod
    def _visits(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= MAX_VISITS_REQUESTED:
            raise PydanticCustomError(
                "visits",
                "Enter the visits requested as a whole number from 1 to {maximum}.",
                {"maximum": MAX_VISITS_REQUESTED},
            )
        return int(text)

    @field_validator("visits_authorized_this_year", "visits_attended", mode="before")
    @classmethod
    def _visit_count(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit() or int(text) > MAX_VISITS_COUNTED:
            raise PydanticCustomError(
                "visits",
                "Enter the visits as a whole number from 0 to {maximum}.",
                {"maximum": MAX_VISITS_COUNTED},
            )
        return int(text)

    @field_validator("clinical_notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        return _text(value, maximum=CLINICAL_NOTES_MAX, what="the clinical notes")

    @model_validator(mode="after")
    def _first_treatment_baseline(self) -> RehabDetails:
        # On the first treatment request this request's score is the episode's baseline.
        if (
            self.request_type == "first_treatment"
            and self.baseline_score is None
            and self.current_score is not None
            and self.outcome_tool
            and self.baseline_tool in ("", self.outcome_tool)
        ):
            self.baseline_tool, self.baseline_score = self.outcome_tool, self.current_score
        return self

    @property
    def baseline_tool_code(self) -> str:
        """The tool of the episode's baseline (this request's tool on the first treatment request)."""
        if self.baseline_tool:
            return self.baseline_tool
        return self.outcome_tool if self.request_type == "first_treatment" else ""


def details_errors(
    data: Mapping[str, Any],
    *,
    previous_initial_evaluation_date: date | None = None,
    today: date | None = None,
) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for wizard steps."""
    context = {"previous_initial_evaluation_date": previous_initial_evaluation_date, "today": today}
    try:
        RehabDetails.model_validate(dict(data), context=context)
    except ValidationError as error:
        return plain_errors(error)
    return {}


# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------

ANY_PLAN = "*"
# Plans without a row in rehab_plans.csv: a plan of care is certified for at most 90 calendar
# days (optimispt, Noridian via clinical-reference §1.6), and no benefit limit.
DEFAULT_VALIDITY_DAYS = 90


def _rows(name: str) -> list[dict[str, str]]:
    # The packaged-table reader checks the `source` column; a public loader per file can be
    # added to portal_app.reference when other layers need these tables.
    return reference._cached_table(name).to_dict("records")


@dataclass(frozen=True)
class VisitAmounts:
    full: int
    reduced: int
    discharge_planning: int
    source: str


@lru_cache(maxsize=1)
def _visit_table() -> Mapping[tuple[str, str, str], VisitAmounts]:
    table: dict[tuple[str, str, str], VisitAmounts] = {}
    for row in _rows("rehab_visits.csv"):
        key = (
            row["plan_code"].strip().upper(),
            row["discipline"].strip().upper(),
            row["request_type"].strip(),
        )
        if key[1] not in DISCIPLINES or key[2] not in REQUEST_TYPES:
            raise ValueError(f"rehab_visits.csv: unknown discipline or request type in {key}")
        table[key] = VisitAmounts(
            int(row["full_visits"]),
            int(row["reduced_visits"]),
            int(row["discharge_planning_visits"]),
            row["source"].strip(),
        )
    return MappingProxyType(table)


def visit_amounts(plan_code: str, discipline: str, request_type: str) -> VisitAmounts:
    """The plan's visit amounts for a discipline and request type (the * row by default)."""
    table = _visit_table()
    plan = (plan_code or "").strip().upper()
    key = (discipline.upper(), request_type)
    amounts = table.get((plan, *key)) or table.get((ANY_PLAN, *key))
    if amounts is None:
        raise ValueError(f"rehab_visits.csv has no row for {discipline} {request_type}")
    return amounts


@dataclass(frozen=True)
class PlanSettings:
    validity_days: int
    visits_per_year: int | None
    source: str


@lru_cache(maxsize=1)
def _plan_table() -> Mapping[tuple[str, str], PlanSettings]:
    return MappingProxyType(
        {
            (row["plan_code"].strip().upper(), row["discipline"].strip().upper()): PlanSettings(
                int(row["validity_days"]),
                int(row["visits_per_year"]) if row["visits_per_year"].strip() else None,
                row["source"].strip(),
            )
            for row in _rows("rehab_plans.csv")
        }
    )


def benefit_limit(plan_code: str, discipline: str) -> int | None:
    """Visits per year the plan covers for the discipline; None when it sets no limit."""
    settings = _plan_table().get(((plan_code or "").strip().upper(), (discipline or "").upper()))
    return settings.visits_per_year if settings else None


def _validity_days(plan_code: str) -> int:
    plan = (plan_code or "").strip().upper()
    days = [settings.validity_days for (code, _), settings in _plan_table().items() if code == plan]
    return min(days) if days else DEFAULT_VALIDITY_DAYS


@dataclass(frozen=True)
class RehabCode:
    code: ManagedCode
    disciplines: frozenset[str]


REHAB_CODES = "rehab_codes.csv"


@lru_cache(maxsize=1)
def _code_table() -> Mapping[tuple[str, int], Mapping[str, RehabCode]]:
    def rehab_code(code: str, row) -> RehabCode:
        managed = ManagedCode(
            code=code,
            label=row["label"].strip(),
            category=row["category"].strip(),
            notification_only=true_or_false(row, "notification_only", file=REHAB_CODES, code=code),
            source=row["source"].strip(),
        )
        return RehabCode(managed, frozenset(row["disciplines"].upper().split()))

    return codes_by_plan_and_year(_rows(REHAB_CODES), rehab_code, file=REHAB_CODES)


def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    codes = codes_for(_code_table(), plan_code, year)
    return MappingProxyType({code: item.code for code, item in codes.items()})


@lru_cache(maxsize=1)
def _disciplines_of_code() -> Mapping[str, frozenset[str]]:
    """Code -> the disciplines that bill it, whatever the plan (a code means the same everywhere)."""
    return MappingProxyType(
        {code: item.disciplines for codes in _code_table().values() for code, item in codes.items()}
    )


def code_choices(
    plan_code: str, year: int, *, discipline: str = "", in_force: Iterable[ManagedCode] | None = None
) -> list[ManagedCode]:
    """The plan's managed codes for a year, narrowed to a discipline when given.

    ``in_force``: the list in force for the member's coverage (``services/code_lists``) instead of the
    packaged list; a code the program does not describe fits every narrowing."""
    items = _code_index(plan_code, year).values() if in_force is None else in_force
    discipline = (discipline or "").upper()
    known = _disciplines_of_code()
    return [
        item
        for item in sorted(items, key=lambda item: item.code)
        if not discipline or item.code not in known or discipline in known[item.code]
    ]


# ---------------------------------------------------------------------------------------------
# Visit allocation
# ---------------------------------------------------------------------------------------------

# Reason codes (stored with the recommendation; never rename without a data migration).
INITIAL_EVALUATION = "initial_evaluation"
DISCHARGE_REQUEST = "discharge_request"
NO_TOOL_IN_SCOPE = "no_tool_in_scope"
BASELINE_DOCUMENTED = "baseline_documented"
NO_BASELINE = "no_baseline_tool"
SCORE_OFF_SCALE = "score_off_scale"
NO_UPDATED_SCORE = "no_updated_score"
PROGRESS_MEETS_MCID = "progress_meets_mcid"
LITTLE_PROGRESS_EXPLAINED = "little_progress_explained"
LITTLE_PROGRESS = "little_progress"
GOALS_MET = "goals_met"
BENEFIT_LIMIT_REACHED = "benefit_limit_reached"
BENEFIT_LIMIT_CAPS = "benefit_limit_caps"

ALLOCATION_CITATION = "Rehabilitation program FAQ: reasons for a lower visit allocation; outcome-tool MCIDs"


@dataclass(frozen=True)
class Reason:
    code: str
    text: str  # one or two plain sentences for the provider
    problem: bool  # True: something the provider can fix, or a limit; False: supports the visits


@dataclass(frozen=True)
class Allocation:
    visits: int
    reasons: list[Reason]
    full_visits: int = 0  # the standard allocation for the discipline and request type
    needs_review: bool = False  # a person decides (the engine never refuses visits on its own)
    change: outcome_tools.Change | None = field(default=None, compare=False)

    @property
    def reason_codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    @property
    def is_full(self) -> bool:
        return not any(reason.problem for reason in self.reasons)


def _points(value: float) -> str:
    rounded = round(value, 1)
    return f"{rounded:g}" if float(rounded).is_integer() else f"{rounded:.1f}"


def _tool_name(code: str) -> str:
    return outcome_tools.tool_info(code).name


def _no_baseline() -> Reason:
    return Reason(
        NO_BASELINE,
        "No baseline score from an in-scope functional outcome tool is documented for the first "
        "treatment request, so a reduced number of visits is recommended. Record the tool and "
        "the baseline score to support further visits.",
        True,
    )


def _off_scale(tool: str, value: float, which: str) -> Reason:
    definition = outcome_tools.tool_info(tool)
    extra = " (use the converted interval score, not the raw total)" if tool in ("KOOS_JR", "HOOS_JR") else ""
    return Reason(
        SCORE_OFF_SCALE,
        f"The {which} {definition.name} score {_points(value)} is not on the scale the program "
        f"uses: {outcome_tools.scale_label(tool)}{extra}. A reduced number of visits is "
        f"recommended until the score is entered on that scale.",
        True,
    )


def _no_updated_score(baseline_tool: str) -> Reason:
    return Reason(
        NO_UPDATED_SCORE,
        f"No updated {_tool_name(baseline_tool)} score from the most recent visit is documented "
        f"(the same tool as the baseline is needed to measure progress), so a reduced number of "
        f"visits is recommended.",
        True,
    )


def _progress_reason(change: outcome_tools.Change, details: RehabDetails) -> Reason:
    name = _tool_name(change.tool)
    moved = f"The {name} score improved by {_points(change.improvement)} points"
    if change.improvement <= 0:
        moved = f"The {name} score did not improve (change {_points(change.improvement)} points)"
    if change.meets_mcid:
        return Reason(
            PROGRESS_MEETS_MCID,
            f"{moved}, at least its minimal clinically important difference of "
            f"{_points(change.mcid)} points: the full allocation is recommended.",
            False,
        )
    if details.mitigating_factors or details.plan_of_care_changed:
        why = "a mitigating factor" if details.mitigating_factors else "a change to the plan of care"
        return Reason(
            LITTLE_PROGRESS_EXPLAINED,
            f"{moved}, less than its minimal clinically important difference of "
            f"{_points(change.mcid)} points, but {why} is documented: the full allocation is recommended.",
            False,
        )
    return Reason(
        LITTLE_PROGRESS,
        f"{moved}, less than its minimal clinically important difference of {_points(change.mcid)} "
        f"points, and no mitigating factor or change to the plan of care is documented, so a "
        f"reduced number of visits is recommended.",
        True,
    )


def _baseline_problems(details: RehabDetails) -> list[Reason]:
    tool, value = details.baseline_tool_code, details.baseline_score
    if not tool or value is None:
        return [_no_baseline()]
    if not outcome_tools.is_on_scale(tool, value):
        return [_off_scale(tool, value, "baseline")]
    return []


def _update_problems(details: RehabDetails) -> list[Reason]:
    baseline_tool = details.baseline_tool_code
    if not baseline_tool:
        return []  # already reported as no baseline
    if details.outcome_tool != baseline_tool or details.current_score is None:
        return [_no_updated_score(baseline_tool)]
    if not outcome_tools.is_on_scale(baseline_tool, details.current_score):
        return [_off_scale(baseline_tool, details.current_score, "updated")]
    return []


def _treatment_allocation(
    details: RehabDetails, amounts: VisitAmounts
) -> tuple[int, list[Reason], outcome_tools.Change | None]:
    if not outcome_tools.tools_for(details.discipline, details.body_region):
        reason = Reason(
            NO_TOOL_IN_SCOPE,
            f"No functional outcome tool is in scope for {DISCIPLINE_LABELS[details.discipline].lower()} "
            f"of this body region yet, so the visits follow the plan of care.",
            False,
        )
        return amounts.full, [reason], None
    problems = _baseline_problems(details)
    if details.request_type == "later_treatment":
        problems += _update_problems(details)
    if problems:
        return amounts.reduced, problems, None
    if details.request_type == "first_treatment":
        documented = Reason(
            BASELINE_DOCUMENTED,
            f"A baseline {_tool_name(details.baseline_tool_code)} score is documented: the full "
            f"allocation is recommended.",
            False,
        )
        return amounts.full, [documented], None
    # _baseline_problems and _update_problems returned no problem: both scores are present.
    assert details.baseline_score is not None and details.current_score is not None
    change = outcome_tools.change_from_baseline(
        details.baseline_tool_code, details.baseline_score, details.current_score
    )
    reason = _progress_reason(change, details)
    return (amounts.reduced if reason.problem else amounts.full), [reason], change


def _clinical_allocation(
    details: RehabDetails, amounts: VisitAmounts
) -> tuple[int, list[Reason], outcome_tools.Change | None]:
    if details.request_type == "initial_evaluation":
        text = "One visit is recommended for the initial evaluation and plan of care."
        return amounts.full, [Reason(INITIAL_EVALUATION, text, False)], None
    if details.request_type == "discharge":
        text = (
            f"{amounts.full} visits are recommended for discharge planning and teaching the home "
            f"exercise program."
        )
        return amounts.full, [Reason(DISCHARGE_REQUEST, text, False)], None
    if details.request_type == "later_treatment" and details.functional_goals_met:
        text = (
            f"The plan of care's functional goals are met: {amounts.discharge_planning} visits are "
            f"recommended for discharge planning and teaching the home exercise program."
        )
        return amounts.discharge_planning, [Reason(GOALS_MET, text, False)], None
    return _treatment_allocation(details, amounts)


def _benefit_limit_reached(limit: int | None) -> Reason:
    within = f" of {limit} visits a year" if limit is not None else " for visits this year"
    return Reason(
        BENEFIT_LIMIT_REACHED,
        f"The member has reached the plan's benefit limit{within}, so no further visits are "
        f"recommended automatically; a reviewer will look at the request.",
        True,
    )


def allocate_visits(
    details: RehabDetails,
    *,
    plan_code: str = "",
    visits_used_this_year: int | None = None,
    visits_per_year_limit: int | None = None,
) -> Allocation:
    """The visits to recommend for a rehabilitation request, and the reasons in provider terms.

    Amounts come from rehab_visits.csv for the plan (default row ``*``), discipline and request
    type. The benefit limit is ``visits_per_year_limit`` when given, else the plan's limit for
    the discipline (rehab_plans.csv); it applies to ``visits_used_this_year`` or to the
    provider's own statement that the limit is reached.
    """
    amounts = visit_amounts(plan_code, details.discipline, details.request_type)
    visits, reasons, change = _clinical_allocation(details, amounts)
    limit = (
        visits_per_year_limit
        if visits_per_year_limit is not None
        else benefit_limit(plan_code, details.discipline)
    )
    used = visits_used_this_year
    if used is not None and used < 0:
        raise ValueError("Visits used this year cannot be negative.")
    if details.benefit_limit_reached or (limit is not None and used is not None and used >= limit):
        return Allocation(0, [*reasons, _benefit_limit_reached(limit)], amounts.full, True, change)
    if limit is not None and used is not None and visits > limit - used:
        remaining = limit - used
        cap = Reason(
            BENEFIT_LIMIT_CAPS,
            f"Only {remaining} visits remain under the plan's benefit limit of {limit} visits a "
            f"year, so the recommendation is capped at {remaining}.",
            True,
        )
        return Allocation(remaining, [*reasons, cap], amounts.full, False, change)
    return Allocation(visits, reasons, amounts.full, False, change)


class BurnDown(NamedTuple):
    used: int
    remaining: int


def burn_down(authorized_per_request: Iterable[int], used: int) -> BurnDown:
    """Visits used and remaining in an episode, from the visits authorized on each request.

    Remaining never goes below zero (visits beyond the authorizations show as used).
    """
    authorized = list(authorized_per_request)
    if any(isinstance(visits, bool) or not isinstance(visits, int) or visits < 0 for visits in authorized):
        raise ValueError("Authorized visits must be whole numbers of 0 or more.")
    if isinstance(used, bool) or not isinstance(used, int) or used < 0:
        raise ValueError("Visits used must be a whole number of 0 or more.")
    return BurnDown(used, max(sum(authorized) - used, 0))


# ---------------------------------------------------------------------------------------------
# The determination: what the engine may authorize
# ---------------------------------------------------------------------------------------------


def request_allocation(details: RehabDetails, plan_code: str) -> Allocation:
    """The allocation for a saved request: the plan's amounts and limit, and the visits the portal
    counted against the benefit limit this year (``details.visits_authorized_this_year``: the portal
    sees authorizations, not claims)."""
    return allocate_visits(
        details, plan_code=plan_code, visits_used_this_year=details.visits_authorized_this_year
    )


def authorized_visits(details: RehabDetails, allocation: Allocation) -> int | None:
    """The visits the engine authorizes at once, or None when a person must decide.

    The program FAQ (shared/seeds/000) describes a request that *receives* a lower allocation
    (2-4 visits) with the reasons, and a peer-to-peer call for the provider who disagrees; so a
    reduced allocation is authorized for the reduced number, with its reasons. The engine never
    refuses visits (shared/seeds/001: only a physician makes an adverse decision), so a request
    for more visits than recommended, or one at the benefit limit, goes to a nurse. A request
    for fewer visits than recommended gets what it asked for.
    """
    if allocation.needs_review or allocation.visits < 1:
        return None
    requested = details.visits_requested
    if requested is not None and requested > allocation.visits:
        return None
    return min(requested, allocation.visits) if requested is not None else allocation.visits


def _visits(count: int) -> str:
    return f"{count} visit{'s' if count != 1 else ''}"


def allocation_summary(details: RehabDetails, allocation: Allocation) -> str:
    """One paragraph for the provider: the visits recommended and why."""
    usual = (
        ""
        if allocation.visits == allocation.full_visits
        else f" (the usual allocation is {allocation.full_visits})"
    )
    why = " ".join(reason.text for reason in allocation.reasons)
    return f"Visits recommended: {allocation.visits}{usual}. {why}"


# ---------------------------------------------------------------------------------------------
# Criteria for the rules engine
# ---------------------------------------------------------------------------------------------


def _criteria_for(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    """The visit recommendation as criteria: met when the engine may authorize it.

    ``rehab.visit_allocation`` carries the recommended visits and every reason in the provider's
    terms; it is not met only at the benefit limit (no visits recommended automatically).
    ``rehab.visits_requested`` (when the provider asked for a number) is not met when more
    visits were asked for than recommended. See ``authorized_visits``.
    """
    details = request.details if isinstance(request.details, RehabDetails) else None
    if details is None:
        text = "The rehabilitation request details are complete."
        return [CriterionResult("rehab.details", text, "", None)]
    allocation = request_allocation(details, request.plan_code)
    limit_reached = BENEFIT_LIMIT_REACHED in allocation.reason_codes
    results = [
        CriterionResult(
            f"rehab.{BENEFIT_LIMIT_REACHED}" if limit_reached else "rehab.visit_allocation",
            allocation_summary(details, allocation),
            ALLOCATION_CITATION,
            not (allocation.needs_review or allocation.visits < 1),
        )
    ]
    if details.visits_requested is not None and not limit_reached:
        fits = details.visits_requested <= allocation.visits
        text = (
            f"{_visits(details.visits_requested)} requested; the program recommends {allocation.visits}."
            + ("" if fits else " A nurse reviews the request for the visits beyond the recommendation.")
        )
        results.append(CriterionResult("rehab.visits_requested", text, ALLOCATION_CITATION, fits))
    return results


def _summary_lines(details: BaseModel, service_date: date) -> list[tuple[str, str]]:
    """The change from baseline against the MCID, and how the score was entered."""
    if not isinstance(details, RehabDetails):
        return []
    lines: list[tuple[str, str]] = []
    tool = details.outcome_tool
    if tool:
        how = (
            "scored by the portal from the item answers"
            if details.outcome_answers
            else "total entered by the provider"
        )
        lines.append(
            (
                "Outcome score",
                f"{outcome_tools.tool_info(tool).name}: "
                + (
                    f"{_points(details.current_score)} ({how})"
                    if details.current_score is not None
                    else "none"
                ),
            )
        )
    baseline = details.baseline_tool_code
    if (
        details.request_type == "later_treatment"
        and baseline
        and tool == baseline
        and details.baseline_score is not None
        and details.current_score is not None
        and outcome_tools.is_on_scale(baseline, details.baseline_score)
        and outcome_tools.is_on_scale(baseline, details.current_score)
    ):
        change = outcome_tools.change_from_baseline(baseline, details.baseline_score, details.current_score)
        verdict = "reaches" if change.meets_mcid else "is below"
        lines.append(
            (
                "Change from baseline",
                f"{_points(change.baseline)} to {_points(change.current)}: "
                f"{'improved' if change.improvement > 0 else 'changed'} by {_points(change.improvement)} "
                f"points, which {verdict} the minimal clinically important difference of "
                f"{_points(change.mcid)} points "
                f"({outcome_tools.tool_info(baseline).direction_label.lower()})",
            )
        )
    return lines


# Codes billed once per evaluation, whatever the number of visits.
EVALUATION_CATEGORIES = frozenset(
    {"pt_evaluation", "ot_evaluation", "st_evaluation", "pt_reevaluation", "ot_reevaluation"}
)


def line_quantity(details: BaseModel, plan_code: str, managed: ManagedCode) -> int:
    """Visits a treatment line asks for: what the engine will authorize (the recommendation, or
    fewer when fewer were requested); when a person must decide, the number requested (or the usual
    allocation), for the nurse to approve in full or in part. Evaluation codes are one unit."""
    if managed.category in EVALUATION_CATEGORIES or not isinstance(details, RehabDetails):
        return 1
    allocation = request_allocation(details, plan_code)
    visits = authorized_visits(details, allocation)
    return visits if visits is not None else (details.visits_requested or allocation.full_visits or 1)


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.REHABILITATION,
    label=Program.REHABILITATION.label,
    details_schema=RehabDetails,
    validity_policy=_validity_days,
    code_index=_code_index,
    criteria=_criteria_for,
    summary_extras=_summary_lines,
    line_quantity=line_quantity,
)
