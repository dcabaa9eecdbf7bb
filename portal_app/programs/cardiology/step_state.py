"""The cardiology program's wizard step: the procedure, its reason, the plan's code, and the
measurements and findings its criteria name (``domain.fields_asked`` / ``findings_asked``)."""

from __future__ import annotations

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.domain.program_types import ManagedCode
from portal_app.programs.cardiology import domain as cardiology
from portal_app.state.auth import authorized
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext, choices_from
from portal_app.state.validation import errors_by_field, toggled

STAFF = Role.ORDERING_PROVIDER_STAFF
NUMBER_FIELDS = ("lvef_pct", "days_since_mi", "qrs_ms", "months_since_prior_echo", "months_cardiomyopathy")
CHOICE_FIELDS = ("cardiomyopathy", "nyha_class", "stress_result", "pretest")
TEXT_FIELDS = ("procedure", "indication", "code", "clinical_notes", *NUMBER_FIELDS, *CHOICE_FIELDS)
ERROR_KEYS = (*TEXT_FIELDS, "findings", "codes")


class CardiologyStepState(rx.State):
    procedure: str = ""
    indication: str = ""
    code: str = ""
    lvef_pct: str = ""
    days_since_mi: str = ""
    qrs_ms: str = ""
    months_since_prior_echo: str = ""
    months_cardiomyopathy: str = ""
    cardiomyopathy: str = ""
    nyha_class: str = ""
    stress_result: str = ""
    pretest: str = ""
    findings: list[str] = []
    clinical_notes: str = ""
    code_options: list[Choice] = []
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    _plan_code: str = ""
    _order_id: int = 0
    _service_year: int = 0
    _in_force: tuple[ManagedCode, ...] = ()  # the codes in force for the member's coverage

    # --- choices for the page ---

    @rx.var
    def procedure_options(self) -> list[Choice]:
        return choices_from(cardiology.PROCEDURE_LABELS)

    @rx.var
    def indication_options(self) -> list[Choice]:
        reasons = cardiology.INDICATIONS_BY_PROCEDURE.get(self.procedure, ())
        return choices_from(cardiology.INDICATION_LABELS, reasons)

    @rx.var
    def asked(self) -> list[str]:
        """The measurements and choices the criteria of this procedure need."""
        if self.procedure not in cardiology.PROCEDURES:
            return []
        return sorted(cardiology.fields_asked(self.procedure))

    @rx.var
    def finding_options(self) -> list[Choice]:
        if self.procedure not in cardiology.PROCEDURES:
            return []
        return choices_from(cardiology.FINDING_LABELS, cardiology.findings_asked(self.procedure))

    # --- wiring from the wizard ---

    async def _prepare(self, context: StepContext) -> None:
        if context.order_id != self._order_id:  # another draft starts from empty answers
            self.reset()
            self._order_id = context.order_id
        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._refresh_codes()

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        if context.order_id != self._order_id:
            self.reset()
            self._order_id = context.order_id
        self.code = codes[0] if codes else ""
        # A draft the plan's routing moved here (e.g. an echo) has its code but no answers yet.
        self.procedure = str(details.get("procedure") or cardiology.procedure_of_code().get(self.code, ""))
        for name in ("indication", "clinical_notes", *NUMBER_FIELDS, *CHOICE_FIELDS):
            value = details.get(name)
            setattr(self, name, "" if value is None else str(value))
        self.findings = [str(f) for f in details.get("findings") or [] if f in cardiology.FINDINGS]
        await self._prepare(context)

    def _refresh_codes(self) -> None:
        found = (
            cardiology.code_choices(
                self._plan_code, self._service_year, self.procedure, in_force=self._in_force
            )
            if self.procedure
            else []
        )
        self.code_options = [Choice(c.code, f"{c.code} — {c.label}") for c in found]
        if self.code not in {c.code for c in found}:
            self.code = found[0].code if len(found) == 1 else ""

    def _details_payload(self) -> dict:
        asked = set(self.asked)
        payload: dict = {"procedure": self.procedure, "indication": self.indication}
        for name in (*NUMBER_FIELDS, *CHOICE_FIELDS):
            payload[name] = (getattr(self, name) or None) if name in asked else None
        offered = {choice.value for choice in self.finding_options}
        payload["findings"] = [f for f in self.findings if f in offered]
        payload["clinical_notes"] = self.clinical_notes
        return payload

    def _chosen_codes(self) -> list[str]:
        return [self.code] if self.code else []

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
        setattr(self, field, value[: cardiology.CLINICAL_NOTES_MAX])
        if field == "procedure":
            self.indication = ""
            self.findings = []
            self._refresh_codes()

    @rx.event
    @authorized(STAFF)
    async def toggle_choice(self, field: str, value: str, checked: bool):
        if field != "findings" or value not in cardiology.FINDINGS:
            return
        self.findings = toggled(self.findings, value, checked)


STEP_STATE = CardiologyStepState
