"""The sleep program's wizard step: sleep studies (home or lab), titration, PAP devices, continued
coverage and supplies, with the member's PAP adherence computed from imported device data.

Adherence, earlier supplies and the plan's grace days come from the portal's records and are kept
in backend variables: they are sent with the answers, never typed in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from portal_app import routes
from portal_app.domain import pap_compliance
from portal_app.domain.enums import Role
from portal_app.domain.program_types import ManagedCode
from portal_app.programs.sleep import domain as sleep
from portal_app.services import sleep_requests
from portal_app.state.auth import authorized, call_service
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext
from portal_app.state.validation import errors_by_field, toggled

STAFF = Role.ORDERING_PROVIDER_STAFF
TEXT_FIELDS = (
    "request_kind",
    "study_type",
    "prior_home_test",
    "lab_reason",
    "device_type",
    "device_model",
    "index_kind",
    "diagnostic_index",
    "recording_hours",
    "event_count",
    "setup_date",
    "clinical_notes",
)
LIST_FIELDS = {"lab_conditions": sleep.LAB_CONDITIONS, "findings": sleep.PAP_FINDINGS}
ERROR_KEYS = (*TEXT_FIELDS, "lab_conditions", "findings", "supplies", "codes", "adherence")
ADHERENCE_KINDS = ("pap_continued", "supplies")
DEVICE_KINDS = ("pap_device", "pap_continued")
UPLOAD_ROUTE = routes.SLEEP_DEVICE_DATA


# A supply line of the form: the typed quantity and its problem text (UI state).
@dataclass
class SupplyRow:
    item: str
    field_id: str
    label: str
    quantity: str
    problem: str


# A night of device data with the date and hours formatted for display.
@dataclass
class NightRow:
    night: str
    hours: str
    counted: bool


def _categories(kind: str, study_type: str, device_type: str) -> tuple[str, ...]:
    """The code categories (sleep_codes.csv) a request of this kind may ask for."""
    if kind == "sleep_study":
        return (study_type,) if study_type in sleep.STUDY_TYPES else ()
    if kind == "titration_study":
        return ("titration",)
    if kind in DEVICE_KINDS and device_type:
        return ("bilevel", "humidifier") if device_type == "bilevel" else ("pap_device", "humidifier")
    return ()


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min"


class SleepStepState(rx.State):
    request_kind: str = ""
    study_type: str = ""
    lab_conditions: list[str] = []
    prior_home_test: str = "none"
    lab_reason: str = ""
    device_type: str = ""
    device_model: str = ""
    index_kind: str = "AHI"
    diagnostic_index: str = ""
    recording_hours: str = ""
    event_count: str = ""
    findings: list[str] = []
    cpap_failed: bool = False
    setup_date: str = ""
    clinical_notes: str = ""
    codes: list[str] = []
    code_options: list[Choice] = []
    supply_rows: list[SupplyRow] = []
    # What the portal works out, for the page.
    setting_problem: str = ""
    coverage_problem: str = ""
    recall: str = ""
    adherence: str = ""
    adherence_source: str = ""
    window_nights: list[NightRow] = []
    has_device_data: bool = False
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    # From the portal's records (never from the browser).
    _order_id: int = 0
    _plan_code: str = ""
    _service_year: int = 0
    _in_force: tuple[ManagedCode, ...] = ()  # the codes in force for the member's coverage
    _service_date: str = ""
    _member_age: int = 0
    _compliant: bool | None = None
    _window_start: str = ""
    _nights_over_4h: int | None = None
    _previous: list[dict] = []
    _grace_days: int = 0

    # --- choices for the page ---

    @rx.var
    def kind_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in sleep.REQUEST_KIND_LABELS.items()]

    @rx.var
    def study_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in sleep.STUDY_TYPE_LABELS.items()]

    @rx.var
    def lab_condition_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in sleep.LAB_CONDITION_LABELS.items()]

    @rx.var
    def home_test_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in sleep.HOME_TEST_RESULT_LABELS.items()]

    @rx.var
    def device_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in sleep.DEVICE_TYPE_LABELS.items()]

    @rx.var
    def index_options(self) -> list[Choice]:
        return [Choice(v, v) for v in sleep.INDEX_KINDS]

    @rx.var
    def finding_options(self) -> list[Choice]:
        return [Choice(v, label) for v, label in sleep.PAP_FINDING_LABELS.items()]

    @rx.var
    def is_study(self) -> bool:
        return self.request_kind == "sleep_study"

    @rx.var
    def asks_diagnosis(self) -> bool:
        return self.request_kind in ("titration_study", "pap_device")

    @rx.var
    def asks_device(self) -> bool:
        return self.request_kind in DEVICE_KINDS

    @rx.var
    def asks_model(self) -> bool:
        return self.request_kind in ("pap_device", "pap_continued", "supplies")

    @rx.var
    def asks_adherence(self) -> bool:
        return self.request_kind in ADHERENCE_KINDS

    @rx.var
    def is_supplies(self) -> bool:
        return self.request_kind == "supplies"

    # --- wiring from the wizard ---

    async def _prepare(self, context: StepContext) -> None:
        self._order_id, self._member_age = context.order_id, context.member_age
        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._service_date = context.service_date.isoformat() if context.service_date else ""
        await self._load_history()

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        for name in TEXT_FIELDS:
            value = details.get(name)
            setattr(self, name, "" if value is None else str(value))
        self.prior_home_test = self.prior_home_test or "none"
        self.index_kind = self.index_kind or "AHI"
        for name in LIST_FIELDS:
            setattr(self, name, [str(v) for v in details.get(name) or []])
        self.cpap_failed = details.get("cpap_failed") is True
        quantities = {
            str(line.get("item")): str(line.get("quantity") or "")
            for line in details.get("supplies") or []
            if isinstance(line, dict)
        }
        self.supply_rows = [SupplyRow(item, "", "", quantity, "") for item, quantity in quantities.items()]
        self.codes = list(codes)
        await self._prepare(context)

    async def _load_history(self) -> None:
        """The member's adherence from device data (from the setup date), earlier supplies, grace days."""
        if not self._order_id:
            self._refresh()
            return
        history = await call_service(
            sleep_requests.sleep_history, order_id=self._order_id, setup_date=_parse(self.setup_date)
        )
        self._previous = [
            {"item": d.item, "dispensed_on": d.dispensed_on.isoformat(), "quantity": d.quantity}
            for d in history.previous_dispenses
        ]
        self._grace_days = history.grace_days
        found = history.compliance
        self.has_device_data = found is not None
        self._compliant, self._window_start, self._nights_over_4h = None, "", None
        self.window_nights, self.adherence_source = [], ""
        if found is not None:
            result = found.result
            self._compliant, self._nights_over_4h = result.compliant, result.nights_over_4h
            self._window_start = result.window_start.isoformat() if result.window_start else ""
            if not self.setup_date:
                self.setup_date = found.setup_date.isoformat()  # prefilled; the office may correct it
            self.adherence_source = (
                f"From {found.nights_on_file} nights of device data on file ({found.first_night:%m/%d/%Y} to "
                f"{found.last_night:%m/%d/%Y}, last file received {found.last_import:%m/%d/%Y}); the first "
                f"{pap_compliance.FIRST_PERIOD_NIGHTS} nights count from the setup date "
                f"{found.setup_date:%m/%d/%Y} ({found.setup_date_source})."
            )
            self.window_nights = [
                NightRow(f"{night.night:%a %m/%d/%Y}", _hours(night.minutes), night.over_4h)
                for night in result.window_nights
            ]
        self._refresh()

    def _supplies(self) -> list[dict]:
        return [
            {"item": row.item, "quantity": row.quantity} for row in self.supply_rows if row.quantity.strip()
        ]

    def _details_payload(self) -> dict:
        adherence = self.request_kind in ADHERENCE_KINDS
        return {
            "request_kind": self.request_kind,
            "study_type": self.study_type or None,
            "lab_conditions": list(self.lab_conditions) if self.is_study else [],
            "prior_home_test": self.prior_home_test if self.is_study else "none",
            "lab_reason": self.lab_reason if self.is_study else "",
            "device_type": (self.device_type or None) if self.asks_device else None,
            "device_model": self.device_model if self.asks_model else "",
            "index_kind": self.index_kind,
            "diagnostic_index": (self.diagnostic_index or None) if self.asks_diagnosis else None,
            "recording_hours": (self.recording_hours or None) if self.asks_diagnosis else None,
            "event_count": (self.event_count or None) if self.asks_diagnosis else None,
            "findings": list(self.findings) if self.asks_diagnosis else [],
            "cpap_failed": self.cpap_failed and self.asks_device,
            "setup_date": (self.setup_date or None) if self.asks_device or adherence else None,
            "adherence_compliant": self._compliant if adherence else None,
            "adherence_window_start": (self._window_start or None) if adherence else None,
            "adherence_nights_over_4h": self._nights_over_4h if adherence else None,
            "previous_dispenses": [dict(d) for d in self._previous] if self.is_supplies else [],
            "grace_days": self._grace_days,
            "supplies": self._supplies() if self.is_supplies else [],
            "clinical_notes": self.clinical_notes,
        }

    def _chosen_codes(self) -> list[str]:
        if self.is_supplies:
            return [row.item for row in self.supply_rows if row.quantity.strip()]
        return list(self.codes)

    def _diagnosis_change(self) -> DiagnosisChange | None:
        return None

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors_by_field(errors, ERROR_KEYS)

    def _refresh(self) -> None:
        found = (
            [
                c
                for category in _categories(self.request_kind, self.study_type, self.device_type)
                for c in sleep.code_choices(
                    self._plan_code, self._service_year, category=category, in_force=self._in_force
                )
            ]
            if self._plan_code
            else []
        )
        self.code_options = [Choice(c.code, f"{c.code} — {c.label}") for c in found]
        self.codes = [c for c in self.codes if c in {o.code for o in found}]
        self.setting_problem = ""
        if self.is_study and self.study_type:
            self.setting_problem = (
                sleep.study_setting_problem(
                    self.study_type,
                    self.lab_conditions,
                    self.prior_home_test,
                    self._member_age or None,
                    self.lab_reason,
                )
                or ""
            )
        self.coverage_problem = ""
        if self.request_kind == "pap_device" and _is_number(self.diagnostic_index):
            self.coverage_problem = (
                sleep.pap_coverage_problem(
                    float(self.diagnostic_index),
                    self.findings,
                    index_kind=self.index_kind,
                    recording_hours=float(self.recording_hours) if _is_number(self.recording_hours) else None,
                    event_count=int(self.event_count) if self.event_count.strip().isdigit() else None,
                )
                or ""
            )
        self.recall = (
            (sleep.recall_notice(self.device_model) or "") if self.asks_model and self.device_model else ""
        )
        self.adherence = (
            sleep.adherence_text(self._compliant, _parse(self._window_start), self._nights_over_4h)
            if self.asks_adherence
            else ""
        )
        self._refresh_supplies()

    def _refresh_supplies(self) -> None:
        if not self.is_supplies:
            return
        quantities = {row.item: row.quantity for row in self.supply_rows}
        managed = {
            c.code
            for c in sleep.code_choices(
                self._plan_code, self._service_year, category="supply", in_force=self._in_force
            )
        }
        on = _parse(self._service_date)
        dispenses = [
            sleep.Dispense(d["item"], date.fromisoformat(d["dispensed_on"]), d["quantity"])
            for d in self._previous
        ]
        rows = []
        for code, limit in sleep.supply_limits().items():
            if code not in managed:
                continue
            quantity = quantities.get(code, "")
            problem = ""
            if quantity.strip().isdigit() and int(quantity) >= 1 and on is not None:
                problem = (
                    sleep.supply_limit_problem(
                        code, int(quantity), on, dispenses, grace_days=self._grace_days
                    )
                    or ""
                )
            rows.append(
                SupplyRow(
                    code,
                    f"sleep-supply-{code}",
                    f"{code} — {limit.label} (at most {limit.max_quantity} per {limit.period_label})",
                    quantity,
                    problem,
                )
            )
        self.supply_rows = rows

    # --- typed values ---

    @rx.event
    @authorized(STAFF)
    async def update_field(self, field: str, value: str):
        if field not in TEXT_FIELDS or not isinstance(value, str):
            return
        setattr(self, field, value[:4000])
        if field == "setup_date" and (value == "" or _parse(value) is not None):
            await self._load_history()
        else:
            self._refresh()

    @rx.event
    @authorized(STAFF)
    async def update_quantity(self, item: str, value: str):
        if not isinstance(value, str) or item not in {row.item for row in self.supply_rows}:
            return
        text = value.strip()[:2]
        self.supply_rows = [
            SupplyRow(
                row.item, row.field_id, row.label, text if row.item == item else row.quantity, row.problem
            )
            for row in self.supply_rows
        ]
        self._refresh()

    @rx.event
    @authorized(STAFF)
    async def mark_cpap_failed(self, checked: bool):
        self.cpap_failed = checked is True

    @rx.event
    @authorized(STAFF)
    async def toggle_choice(self, field: str, value: str, checked: bool):
        allowed = LIST_FIELDS.get(field, ())
        if value not in allowed:
            return
        chosen = {v for v in getattr(self, field) if v != value} | ({value} if checked is True else set())
        setattr(self, field, [v for v in allowed if v in chosen])
        self._refresh()

    @rx.event
    @authorized(STAFF)
    async def toggle_code(self, code: str, checked: bool):
        if code not in {o.value for o in self.code_options}:
            return
        self.codes = toggled(self.codes, code, checked)


def _parse(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


STEP_STATE = SleepStepState
