"""Support's plan set-up page: plans, lines of business, delegated programs, letter contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from portal_app import clock
from portal_app.domain.enums import LineOfBusiness, Program, Role
from portal_app.services import plan_setup
from portal_app.services.plan_setup import ContactRow, DelegationRow, PlanSetupRefused, PlanSummary
from portal_app.state.auth import authorized, call_service
from portal_app.state.validation import as_int

# Reused as is: the service's rows hold just what the page shows.
PlanLine = PlanSummary
DelegationLine = DelegationRow
ContactLine = ContactRow

LINE_CHOICES = [(line.value, line.label) for line in LineOfBusiness]
PROGRAM_CHOICES = [(program.value, program.label) for program in Program]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip()[:10]) if value else None
    except ValueError:
        return None


def _lines(form: dict) -> list[str]:
    return [value for value, _ in LINE_CHOICES if form.get(f"line_{value}") in ("on", True, "true")]


def _days(value) -> int | None:
    text = str(value or "").strip()
    return as_int(text, default=-1) if text else None


class PlanSetupState(rx.State):
    plans: list[PlanLine] = []
    plan_id: int = 0
    code: str = ""
    name: str = ""
    review_days: str = ""
    lines: list[str] = []
    line_options: list[Choice] = []
    delegations: list[DelegationLine] = []
    contacts: list[ContactLine] = []
    message: str = ""
    error: str = ""

    async def _reload(self) -> None:
        self.plans = list(await call_service(plan_setup.list_plans))
        if not self.plan_id:
            return
        try:
            detail = await call_service(plan_setup.plan_detail, plan_id=self.plan_id, today=clock.today())
        except PlanSetupRefused:
            self.plan_id = 0
            return
        self.code, self.name = detail.code, detail.name
        self.review_days = str(detail.standard_review_days)
        self.lines = list(detail.lines)
        self.line_options = [Choice("", "All lines of business")] + [
            Choice(line, LineOfBusiness(line).label) for line in detail.lines
        ]
        self.delegations = list(detail.delegations)
        self.contacts = list(detail.contacts)

    async def _act(self, fn, done: str, **kwargs) -> None:
        try:
            result = await call_service(fn, **kwargs)
        except PlanSetupRefused as refused:
            self.error, self.message = str(refused), ""
            return
        if fn is plan_setup.create_plan:
            self.plan_id = result
        self.error, self.message = "", done
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        self.message = self.error = ""
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def open_plan(self, plan_id: int):
        self.plan_id, self.message, self.error = as_int(plan_id), "", ""
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def create_plan(self, form: dict):
        if not isinstance(form, dict):
            return
        await self._act(
            plan_setup.create_plan,
            "The plan was created. Add the programs it delegates below.",
            code=str(form.get("code", ""))[:20],
            name=str(form.get("name", ""))[:200],
            lines=_lines(form),
        )

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def save_plan(self, form: dict):
        if not isinstance(form, dict) or not self.plan_id:
            return
        await self._act(
            plan_setup.save_plan,
            "The plan was saved.",
            plan_id=self.plan_id,
            name=str(form.get("name", ""))[:200],
            standard_review_days=as_int(form.get("review_days", "")),
            lines=_lines(form),
        )

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def add_delegation(self, form: dict):
        if not isinstance(form, dict) or not self.plan_id:
            return
        start = _day(form.get("delegated_from"))
        if start is None:
            self.error, self.message = "Give the first day of the delegation (YYYY-MM-DD).", ""
            return
        await self._act(
            plan_setup.add_delegation,
            "The delegation was added.",
            plan_id=self.plan_id,
            program=str(form.get("program", ""))[:40],
            line_of_business=str(form.get("line_of_business", ""))[:40],
            delegated_from=start,
            delegated_until=_day(form.get("delegated_until")),
            validity_days=_days(form.get("validity_days")),
            pend_business_days=_days(form.get("pend_business_days")),
            pend_urgent_hours=_days(form.get("pend_urgent_hours")),
        )

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def end_delegation(self, form: dict):
        if not isinstance(form, dict):
            return
        last_day = _day(form.get("last_day"))
        if last_day is None:
            self.error, self.message = "Give the delegation's last day (YYYY-MM-DD).", ""
            return
        await self._act(
            plan_setup.end_delegation,
            "The delegation ends on the day given.",
            delegation_id=as_int(form.get("delegation_id", "")),
            last_day=last_day,
        )

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def change_validity(self, form: dict):
        if not isinstance(form, dict):
            return
        effective = _day(form.get("effective"))
        if effective is None:
            self.error, self.message = "Give the day the new validity takes effect (YYYY-MM-DD).", ""
            return
        await self._act(
            plan_setup.change_validity,
            "The new validity applies to dates of service from the day given.",
            delegation_id=as_int(form.get("delegation_id", "")),
            validity_days=_days(form.get("validity_days")),
            effective=effective,
        )

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def add_contact(self, form: dict):
        if not isinstance(form, dict) or not self.plan_id:
            return
        effective = _day(form.get("effective_from"))
        if effective is None:
            self.error, self.message = "Give the day letters start using these details (YYYY-MM-DD).", ""
            return
        await self._act(
            plan_setup.add_letter_contact,
            "Letters give these contact details from the day given.",
            plan_id=self.plan_id,
            effective_from=effective,
            appeals_address=str(form.get("appeals_address", ""))[:300],
            phone=str(form.get("phone", ""))[:32],
            fax=str(form.get("fax", ""))[:32],
        )
