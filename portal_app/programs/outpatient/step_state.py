"""The additional outpatient program's wizard step: transportation, nutrition, hematology,
neuromuscular and other procedures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.domain.program_types import ManagedCode
from portal_app.programs.outpatient import domain as outpatient
from portal_app.state.auth import authorized
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext
from portal_app.state.validation import errors_by_field, toggled

STAFF = Role.ORDERING_PROVIDER_STAFF
ADDRESS_PARTS = ("line1", "city", "region", "postal_code", "country")
ADDRESS_FIELDS = tuple(f"{end}_{part}" for end in ("origin", "destination") for part in ADDRESS_PARTS)
TEXT_FIELDS = (
    "service_kind",
    "trip_type",
    "start_date",
    "end_date",
    "trip_count",
    "mobility",
    "medical_reason",
    "clinical_notes",
    *ADDRESS_FIELDS,
)
ERROR_KEYS = (*TEXT_FIELDS, "weekdays", "codes", "answers", "schedule", "transport")
TRIP_FIELDS = {"trip_type", "start_date", "end_date", "trip_count"}


# A question with the office's current answer (UI state).
@dataclass
class QuestionLine:
    question_id: str
    text: str
    answer: str


def _error_target(key: str) -> str:
    """The field an error of the details schema belongs to (``transport.origin.city`` -> origin_city)."""
    parts = key.split(".")
    if parts[0] != "transport" or len(parts) == 1:
        return parts[0]
    if parts[1] in {"origin", "destination"}:
        return f"{parts[1]}_{parts[2] if len(parts) > 2 else 'line1'}"
    return "schedule" if parts[1] == "schedule" else parts[1]


class OutpatientStepState(rx.State):
    service_kind: str = ""
    origin_line1: str = ""
    origin_city: str = ""
    origin_region: str = ""
    origin_postal_code: str = ""
    origin_country: str = "US"
    destination_line1: str = ""
    destination_city: str = ""
    destination_region: str = ""
    destination_postal_code: str = ""
    destination_country: str = "US"
    trip_type: str = ""
    weekdays: list[str] = []
    start_date: str = ""
    end_date: str = ""
    trip_count: str = ""
    mobility: str = ""
    medical_reason: str = ""
    clinical_notes: str = ""
    codes: list[str] = []
    answers: dict[str, str] = {}
    code_options: list[Choice] = []
    questions: list[QuestionLine] = []
    trip_preview: list[str] = []
    schedule_problem: str = ""
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    _plan_code: str = ""
    _service_year: int = 0
    _in_force: tuple[ManagedCode, ...] = ()  # the codes in force for the member's coverage
    _service_date: str = ""

    @rx.var
    def kind_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in outpatient.SERVICE_KIND_LABELS.items()]

    @rx.var
    def is_transport(self) -> bool:
        return self.service_kind == "transport"

    @rx.var
    def is_recurring(self) -> bool:
        return self.trip_type == "recurring"

    # --- wiring from the wizard ---

    async def _prepare(self, context: StepContext) -> None:
        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._service_date = context.service_date.isoformat() if context.service_date else ""
        self._refresh()

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        self.service_kind = str(details.get("service_kind") or "")
        transport = details.get("transport") or {}
        for end in ("origin", "destination"):
            for part in ADDRESS_PARTS:
                setattr(self, f"{end}_{part}", str((transport.get(end) or {}).get(part) or ""))
        for name in ("trip_type", "mobility", "medical_reason"):
            setattr(self, name, str(transport.get(name) or ""))
        schedule = transport.get("schedule") or {}
        self.weekdays = [str(d) for d in schedule.get("weekdays") or []]
        self.start_date, self.end_date = (
            str(schedule.get("start_date") or ""),
            str(schedule.get("end_date") or ""),
        )
        self.trip_count = str(schedule.get("trip_count") or "")
        self.answers = {str(k): str(v) for k, v in (details.get("answers") or {}).items()}
        self.clinical_notes = str(details.get("clinical_notes") or "")
        self.codes = list(codes)
        await self._prepare(context)

    def _refresh(self) -> None:
        offered = (
            outpatient.code_choices(
                self._plan_code, self._service_year, service_kind=self.service_kind, in_force=self._in_force
            )
            if self.service_kind
            else []
        )
        self.code_options = [Choice(c.code, f"{c.code} — {c.label}") for c in offered]
        self.codes = [c for c in self.codes if c in {o.code for o in offered}]
        asked = {q.question_id: q for code in self.codes for q in outpatient.questions_for(code)}
        self.questions = [
            QuestionLine(q.question_id, q.text, self.answers.get(q.question_id, "")) for q in asked.values()
        ]
        self._refresh_trips()

    def _schedule(self) -> dict:
        return {
            "weekdays": list(self.weekdays),
            "start_date": self.start_date or None,
            "end_date": self.end_date or None,
            "trip_count": self.trip_count or None,
        }

    def _refresh_trips(self) -> None:
        self._compute_trips()
        if self.errors.get("schedule"):  # an error shown after Next follows the schedule as it is now
            self.errors = {**self.errors, "schedule": self.schedule_problem}

    def _compute_trips(self) -> None:
        self.trip_preview, self.schedule_problem = [], ""
        if not (self.is_transport and self.is_recurring and self.weekdays and self.start_date):
            return
        try:
            dates = outpatient.trip_dates(
                self._schedule(),
                max_days=outpatient.validity_days(self._plan_code),
                first_allowed=date.fromisoformat(self._service_date) if self._service_date else None,
            )
        except ValueError as problem:
            self.schedule_problem = str(problem)
            return
        self.trip_preview = [f"{day:%A}, {day:%B} {day.day}, {day.year}" for day in dates]

    def _details_payload(self) -> dict:
        transport = None
        if self.is_transport:
            transport = {
                end: {part: getattr(self, f"{end}_{part}") for part in ADDRESS_PARTS}
                for end in ("origin", "destination")
            } | {
                "trip_type": self.trip_type,
                "mobility": self.mobility,
                "medical_reason": self.medical_reason,
                "schedule": self._schedule() if self.is_recurring else None,
            }
        asked = {q.question_id for q in self.questions}
        return {
            "service_kind": self.service_kind,
            "transport": transport,
            "answers": {k: v for k, v in self.answers.items() if k in asked and v},
            "clinical_notes": self.clinical_notes,
        }

    def _chosen_codes(self) -> list[str]:
        return list(self.codes)

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
        if field == "service_kind":
            self._refresh()
        elif field in TRIP_FIELDS:
            self._refresh_trips()

    @rx.event
    @authorized(STAFF)
    async def toggle_choice(self, field: str, value: str, checked: bool):
        if field != "weekdays" or value not in outpatient.WEEKDAYS:
            return
        chosen = {d for d in self.weekdays if d != value} | ({value} if checked is True else set())
        self.weekdays = [d for d in outpatient.WEEKDAYS if d in chosen]
        self._refresh_trips()

    @rx.event
    @authorized(STAFF)
    async def toggle_code(self, code: str, checked: bool):
        if code not in {o.value for o in self.code_options}:
            return
        self.codes = toggled(self.codes, code, checked)
        self._refresh()

    @rx.event
    @authorized(STAFF)
    async def answer(self, question_id: str, value: str):
        if question_id in {q.question_id for q in self.questions} and value in outpatient.ANSWERS:
            self.answers = {**self.answers, question_id: value}
            self._refresh()


STEP_STATE = OutpatientStepState
