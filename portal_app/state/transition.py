"""The office enters an active authorization its patient brings from a previous plan (transition
of care, services/continuity.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from portal_app.domain.enums import Program, Role
from portal_app.services import continuity
from portal_app.services.directory import plan_choices
from portal_app.state.auth import authorized, call_public, call_service
from portal_app.state.validation import as_int

_TEXT_FIELDS = (
    "member_number",
    "prior_plan_name",
    "prior_number",
    "prior_code",
    "prior_provider_npi",
    "requested_code",
    "servicing_npi",
    "ordering_npi",
)


# A select's value and label (UI only).
@dataclass
class TransitionChoice:
    value: str
    label: str


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


class TransitionState(rx.State):
    plans: list[TransitionChoice] = []
    programs: list[TransitionChoice] = [TransitionChoice(p.value, p.label) for p in Program]
    problems: list[str] = []
    order_number: str = ""
    result: str = ""

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def load_page(self):
        self.problems, self.order_number, self.result = [], "", ""
        self.plans = [TransitionChoice(str(pid), name) for pid, name in await call_public(plan_choices)]

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def submit(self, form_data: dict):
        self.problems, self.order_number, self.result = [], "", ""
        start, end = _day(form_data.get("prior_valid_from")), _day(form_data.get("prior_valid_until"))
        if start is None or end is None:
            self.problems = ["Enter the first and last day of the previous authorization."]
            return
        fields = {name: str(form_data.get(name, ""))[:200] for name in _TEXT_FIELDS}
        outcome = await call_service(
            continuity.enter_transition_authorization,
            plan_id=as_int(form_data.get("plan_id", "")),
            program=str(form_data.get("program", ""))[:40],
            prior_valid_from=start,
            prior_valid_until=end,
            **fields,
        )
        self.problems = list(outcome.problems)
        self.order_number, self.result = (
            outcome.order_number,
            (f"{outcome.status}: {outcome.message}" if outcome.order_number else ""),
        )
