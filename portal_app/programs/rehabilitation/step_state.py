"""The rehabilitation program's wizard step: discipline, body region, request type, the episode of
care (its initial evaluation date and baseline score from the member's earlier requests), the
functional outcome tool, progress, and the engine's visit recommendation with its reasons.

What the portal found in its records (the episode's date and baseline, the visits authorized this
year) is kept in backend variables and sent with the answers, so the browser cannot change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx
from pydantic import ValidationError

from portal_app.domain import outcome_tools
from portal_app.domain.enums import Role
from portal_app.domain.program_types import ManagedCode
from portal_app.domain.validation import plain_errors
from portal_app.programs.rehabilitation import domain as rehab
from portal_app.services import episodes
from portal_app.state.auth import authorized, call_service
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext
from portal_app.state.validation import errors_by_field, toggled

STAFF = Role.ORDERING_PROVIDER_STAFF
TEXT_FIELDS = (
    "discipline",
    "body_region",
    "request_type",
    "episode_kind",
    "initial_evaluation_date",
    "initial_evaluation_date_reason",
    "outcome_tool",
    "baseline_tool",
    "baseline_score",
    "current_score",
    "mitigating_factor_note",
    "plan_of_care_change_note",
    "short_term_goals_met",
    "visits_requested",
    "visits_attended",
    "clinical_notes",
)
FLAGS = ("plan_of_care_changed", "functional_goals_met", "benefit_limit_reached")
ERROR_KEYS = (*TEXT_FIELDS, "outcome_answers", "mitigating_factors", "codes")
EPISODE_FIELDS = {"discipline", "body_region"}
GOALS_LABELS = {"yes": "Yes", "no": "No"}
MAX_ITEM_TEXT = 3


# An outcome-tool item with its field id, label and the typed answer (UI state).
@dataclass
class ItemRow:
    index: int
    field_id: str
    label: str
    value: str


# One line of text describing an earlier request of the episode (formatted for display).
@dataclass
class EpisodeLine:
    label: str


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _shown(day: date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else ""


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if float(value).is_integer() else f"{round(value, 2):g}"


def _item_label(tool: outcome_tools.OutcomeTool, position: int) -> str:
    if tool.code == "PSFS":
        return f"Activity {position}: rating from 0 (unable) to 10 (as before the problem)"
    return f"{tool.code.replace('_', ' ')} item {position} (answer {tool.item_min} to {tool.item_max})"


class RehabStepState(rx.State):
    discipline: str = ""
    body_region: str = ""
    request_type: str = ""
    episode_kind: str = "standard"
    initial_evaluation_date: str = ""
    initial_evaluation_date_reason: str = ""
    outcome_tool: str = ""
    answers: list[str] = []
    current_score: str = ""
    baseline_tool: str = ""
    baseline_score: str = ""
    mitigating_factors: list[str] = []
    mitigating_factor_note: str = ""
    plan_of_care_changed: bool = False
    plan_of_care_change_note: str = ""
    short_term_goals_met: str = ""
    functional_goals_met: bool = False
    benefit_limit_reached: bool = False
    visits_requested: str = ""
    visits_attended: str = ""
    clinical_notes: str = ""
    codes: list[str] = []
    code_options: list[Choice] = []
    tool_options: list[Choice] = []
    item_rows: list[ItemRow] = []
    # What the portal works out, for the page.
    tool_note: str = ""
    score_text: str = ""
    change_text: str = ""
    episode_note: str = ""
    episode_requests: list[EpisodeLine] = []
    burn_down_text: str = ""
    recommendation: str = ""
    reasons: list[str] = []
    outcome_note: str = ""
    baseline_on_file: bool = False
    date_changed: bool = False  # the date differs from the episode's: the page asks why
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    # From the portal's records (never from the browser).
    _order_id: int = 0
    _plan_code: str = ""
    _service_year: int = 0
    _in_force: tuple[ManagedCode, ...] = ()  # the codes in force for the member's coverage
    _episode_date: str = ""
    _episode_kind: str = ""
    _baseline_tool: str = ""
    _baseline_score: float | None = None
    _visits_authorized_this_year: int = 0
    _authorized_per_request: list[int] = []

    # --- choices for the page ---

    @rx.var
    def discipline_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in rehab.DISCIPLINE_LABELS.items()]

    @rx.var
    def region_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in rehab.BODY_REGION_LABELS.items()]

    @rx.var
    def request_type_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in rehab.REQUEST_TYPE_LABELS.items()]

    @rx.var
    def episode_kind_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in rehab.EPISODE_KIND_LABELS.items()]

    @rx.var
    def factor_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in rehab.MITIGATING_FACTOR_LABELS.items()]

    @rx.var
    def goals_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in GOALS_LABELS.items()]

    @rx.var
    def asks_scores(self) -> bool:
        return self.request_type in ("first_treatment", "later_treatment", "discharge")

    @rx.var
    def is_later(self) -> bool:
        return self.request_type in ("later_treatment", "discharge")

    @rx.var
    def enters_total(self) -> bool:
        return self.outcome_tool in rehab.TOTAL_ENTRY_TOOLS

    # --- wiring from the wizard ---

    async def _prepare(self, context: StepContext) -> None:
        self._order_id = context.order_id
        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        if not self.initial_evaluation_date and context.service_date:
            self.initial_evaluation_date = context.service_date.isoformat()
        await self._load_episode()

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        for name in TEXT_FIELDS:
            value = details.get(name)
            if name == "short_term_goals_met":
                value = {True: "yes", False: "no"}.get(value, "")
            setattr(self, name, "" if value is None else str(value))
        self.episode_kind = self.episode_kind or "standard"
        self.answers = ["" if a is None else str(a) for a in details.get("outcome_answers") or []]
        for name in FLAGS:
            setattr(self, name, details.get(name) is True)
        self.mitigating_factors = [str(f) for f in details.get("mitigating_factors") or []]
        self.codes = list(codes)
        await self._prepare(context)

    async def _load_episode(self) -> None:
        """The episode this request continues, from the member's earlier requests."""
        self._episode_date, self._episode_kind, self._baseline_tool, self._baseline_score = "", "", "", None
        self._visits_authorized_this_year, self._authorized_per_request, self.episode_requests = 0, [], []
        if self._order_id and self.discipline in rehab.DISCIPLINES and self.body_region in rehab.BODY_REGIONS:
            found = await call_service(
                episodes.find_episode,
                order_id=self._order_id,
                discipline=self.discipline,
                body_region=self.body_region,
            )
            self._episode_date = (
                found.initial_evaluation_date.isoformat() if found.initial_evaluation_date else ""
            )
            self._episode_kind = found.episode_kind if found.initial_evaluation_date else ""
            self._baseline_tool, self._baseline_score = found.baseline_tool, found.baseline_score
            self._visits_authorized_this_year = found.visits_authorized_this_year
            self._authorized_per_request = found.authorized_per_request
            self.episode_requests = [
                EpisodeLine(
                    f"{r.order_number}, {_shown(r.service_date)}: "
                    f"{rehab.REQUEST_TYPE_LABELS.get(r.request_type, r.request_type)} — "
                    f"{r.visits_authorized} visits authorized ({r.status})"
                )
                for r in found.requests
            ]
            self._prefill_from_episode()
        self._refresh()

    def _prefill_from_episode(self) -> None:
        if (
            self.request_type not in ("first_treatment", "later_treatment", "discharge")
            or not self._episode_date
        ):
            return
        if not self.initial_evaluation_date_reason.strip():
            self.initial_evaluation_date = self._episode_date
        self.episode_kind = self._episode_kind or self.episode_kind
        if self._baseline_tool:
            self.outcome_tool = self.outcome_tool or self._baseline_tool

    # --- what the portal works out ---

    def _answers(self, tool: outcome_tools.OutcomeTool) -> list[int | None]:
        values = [int(a) if a.strip().isdigit() else None for a in self.answers[: tool.item_count]]
        if tool.code == "PSFS":
            return [v for v in values if v is not None]
        return values + [None] * (tool.item_count - len(values))

    def _score_fields(self) -> dict:
        tool = self.outcome_tool if self.asks_scores else ""
        fields: dict = {
            "outcome_tool": tool,
            "outcome_answers": [],
            "current_score": None,
            "baseline_tool": "",
            "baseline_score": None,
        }
        if not tool:
            return fields
        if tool in rehab.ITEM_ENTRY_TOOLS:
            answers = self._answers(outcome_tools.tool_info(tool))
            fields["outcome_answers"] = answers if any(a is not None for a in answers) else []
        else:
            fields["current_score"] = self.current_score or None
        if self.is_later:
            if self._baseline_tool:  # on file: from the episode's first scored request
                fields["baseline_tool"], fields["baseline_score"] = self._baseline_tool, self._baseline_score
            else:
                fields["baseline_tool"], fields["baseline_score"] = (
                    self.baseline_tool,
                    self.baseline_score or None,
                )
        return fields

    def _details_payload(self) -> dict:
        later = self.request_type != "initial_evaluation"
        return {
            "discipline": self.discipline,
            "request_type": self.request_type,
            "episode_kind": self.episode_kind,
            "body_region": self.body_region,
            "episode_initial_evaluation_date": (self._episode_date or None) if later else None,
            "initial_evaluation_date_reason": self.initial_evaluation_date_reason,
            "initial_evaluation_date": self.initial_evaluation_date or None,
            **self._score_fields(),
            "mitigating_factors": list(self.mitigating_factors) if self.is_later else [],
            "mitigating_factor_note": self.mitigating_factor_note if self.is_later else "",
            "plan_of_care_changed": self.plan_of_care_changed and self.is_later,
            "plan_of_care_change_note": self.plan_of_care_change_note if self.is_later else "",
            "short_term_goals_met": {"yes": True, "no": False}.get(self.short_term_goals_met)
            if self.is_later
            else None,
            "functional_goals_met": self.functional_goals_met and self.is_later,
            "benefit_limit_reached": self.benefit_limit_reached,
            "visits_requested": self.visits_requested or None,
            "visits_authorized_this_year": self._visits_authorized_this_year,
            "visits_attended": (self.visits_attended or None) if self.is_later else None,
            "clinical_notes": self.clinical_notes,
        }

    def _chosen_codes(self) -> list[str]:
        return list(self.codes)

    def _diagnosis_change(self) -> DiagnosisChange | None:
        return None

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors_by_field(errors, ERROR_KEYS)

    def _refresh(self) -> None:
        """Codes and tools on offer, the score, the change from baseline and the recommendation."""
        offered = (
            rehab.code_choices(
                self._plan_code, self._service_year, discipline=self.discipline, in_force=self._in_force
            )
            if self.discipline and self._plan_code
            else []
        )
        self.code_options = [Choice(c.code, f"{c.code} — {c.label}") for c in offered]
        self.codes = [c for c in self.codes if c in {o.code for o in offered}]
        tools = outcome_tools.tools_for(self.discipline, self.body_region) if self.body_region else []
        self.tool_options = [Choice(t.code, t.name) for t in tools]
        if self.outcome_tool not in {t.code for t in tools}:
            self.outcome_tool = ""
        self.baseline_on_file = bool(self._baseline_tool) and self.is_later
        self.date_changed = (
            bool(self._episode_date)
            and self.request_type != "initial_evaluation"
            and self.initial_evaluation_date != self._episode_date
        )
        self._refresh_tool()
        self._refresh_episode_note()
        self._refresh_recommendation()

    def _refresh_tool(self) -> None:
        self.item_rows, self.tool_note, self.score_text, self.change_text = [], "", "", ""
        if not self.outcome_tool:
            if self.body_region and self.asks_scores and not self.tool_options:
                self.tool_note = (
                    "No functional outcome tool is in scope for this discipline and body region yet."
                )
            return
        tool = outcome_tools.tool_info(self.outcome_tool)
        scale = outcome_tools.scale_label(tool.code)
        if tool.code in rehab.TOTAL_ENTRY_TOOLS:
            self.tool_note = f"{rehab.TOTAL_ENTRY_TOOLS[tool.code]} Scale: {scale}."
            score = float(self.current_score) if _is_number(self.current_score) else None
        else:
            self.tool_note = (
                f"Enter each item's answer as a number; the portal scores it as published. "
                f"{tool.missing_rule} Scale: {scale}."
            )
            self.answers = (self.answers + [""] * tool.item_count)[: tool.item_count]
            self.item_rows = [
                ItemRow(i, f"rehab-item-{i + 1}", _item_label(tool, i + 1), self.answers[i])
                for i in range(tool.item_count)
            ]
            try:
                answers = self._answers(tool)
                score = outcome_tools.score(tool.code, answers) if answers else None
            except ValueError as problem:
                self.score_text, score = str(problem), None
        if score is not None:
            self.score_text = f"Score: {_number(score)} ({tool.direction_label.lower()})."
        baseline_tool = self._baseline_tool or self.baseline_tool
        baseline = (
            self._baseline_score
            if self._baseline_tool
            else (float(self.baseline_score) if _is_number(self.baseline_score) else None)
        )
        if self.is_later and score is not None and baseline is not None and baseline_tool == tool.code:
            try:
                change = outcome_tools.change_from_baseline(tool.code, baseline, score)
            except ValueError as problem:
                self.change_text = str(problem)
                return
            verdict = "reaches" if change.meets_mcid else "is less than"
            self.change_text = (
                f"Change from the baseline of {_number(change.baseline)}: "
                f"{_number(change.improvement)} points of "
                f"improvement, which {verdict} the minimal clinically important difference of "
                f"{_number(change.mcid)} points ({tool.mcid_source})."
            )

    def _refresh_episode_note(self) -> None:
        if not self._episode_date:
            self.episode_note = (
                "No earlier request of this episode is on file: this request starts the episode."
                if self.discipline and self.body_region
                else ""
            )
        elif self.request_type == "initial_evaluation":
            self.episode_note = (
                f"An episode with an initial evaluation on {_shown(_date(self._episode_date))} is "
                f"on file; an initial evaluation request starts a new episode."
            )
        else:
            self.episode_note = (
                f"This request continues the episode with the initial evaluation on "
                f"{_shown(_date(self._episode_date))}. Keep that date; to change it, say why."
            )
        authorized = sum(self._authorized_per_request)
        self.burn_down_text = ""
        if self._authorized_per_request and self.is_later:
            attended = int(self.visits_attended) if self.visits_attended.strip().isdigit() else None
            if attended is None:
                self.burn_down_text = (
                    f"Visits authorized in this episode: {authorized}. Enter the visits attended "
                    f"to see how many remain."
                )
            else:
                used, remaining = rehab.burn_down(self._authorized_per_request, attended)
                self.burn_down_text = (
                    f"Visits authorized in this episode: {authorized}; attended: {used}; "
                    f"remaining: {remaining}."
                )

    def _refresh_recommendation(self) -> None:
        self.recommendation, self.reasons, self.outcome_note = "", [], ""
        if not (self.discipline and self.body_region and self.request_type and self.initial_evaluation_date):
            return
        try:
            details = rehab.RehabDetails.model_validate(self._details_payload())
        except ValidationError as invalid:
            problems = plain_errors(invalid)
            self.recommendation = "Answer the questions above to see the visit recommendation."
            self.reasons = [problems[key] for key in list(problems)[:1]]
            return
        allocation = rehab.request_allocation(details, self._plan_code)
        self.reasons = [reason.text for reason in allocation.reasons]
        usual = (
            ""
            if allocation.visits == allocation.full_visits
            else f" (the usual allocation is {allocation.full_visits})"
        )
        self.recommendation = f"The program recommends {allocation.visits} visits{usual}."
        limit = rehab.benefit_limit(self._plan_code, self.discipline)
        year = (
            f"Visits authorized this year for {rehab.DISCIPLINE_LABELS[self.discipline].lower()}: "
            f"{self._visits_authorized_this_year}" + (f" of the plan's {limit} a year." if limit else ".")
        )
        visits = rehab.authorized_visits(details, allocation)
        if visits is not None:
            self.outcome_note = f"On submit, the request is authorized for {visits} visits. {year}"
        else:
            self.outcome_note = (
                f"On submit, a nurse reviews the request; nothing is refused automatically. {year}"
            )

    # --- typed values ---

    @rx.event
    @authorized(STAFF)
    async def update_field(self, field: str, value: str):
        if field not in TEXT_FIELDS or not isinstance(value, str):
            return
        setattr(self, field, value[:4000])
        if field == "outcome_tool":
            self.answers, self.current_score = [], ""
        if field == "request_type":
            self._prefill_from_episode()
        if field in EPISODE_FIELDS:
            await self._load_episode()
        else:
            self._refresh()

    @rx.event
    @authorized(STAFF)
    async def answer_item(self, index: int, value: str):
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self.item_rows):
            return
        if not isinstance(value, str) or len(value.strip()) > MAX_ITEM_TEXT:
            return
        answers = list(self.answers)
        answers[index] = value.strip()
        self.answers = answers
        self._refresh()

    @rx.event
    @authorized(STAFF)
    async def toggle_flag(self, field: str, checked: bool):
        if field in FLAGS:
            setattr(self, field, checked is True)
            self._refresh()

    @rx.event
    @authorized(STAFF)
    async def toggle_choice(self, field: str, value: str, checked: bool):
        if field != "mitigating_factors" or value not in rehab.MITIGATING_FACTORS:
            return
        chosen = {f for f in self.mitigating_factors if f != value} | ({value} if checked is True else set())
        self.mitigating_factors = [f for f in rehab.MITIGATING_FACTORS if f in chosen]
        self._refresh()

    @rx.event
    @authorized(STAFF)
    async def toggle_code(self, code: str, checked: bool):
        if code not in {o.value for o in self.code_options}:
            return
        self.codes = toggled(self.codes, code, checked)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


STEP_STATE = RehabStepState
