"""The public "Is prior authorization needed?" page: plan, line of business, code and date of
service -> whether Precert manages the code, in which program, and the documents that program
usually asks for. No sign-in: the handler calls a public service that returns no PHI, the same
``coverage_requirements.requirement_for`` the CRD service answers EHRs with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from portal_app import clock
from portal_app.domain.enums import LineOfBusiness
from portal_app.services import coverage_requirements as service
from portal_app.state.auth import call_public
from portal_app.state.validation import as_int

MAX_CODE_LENGTH = 10


# A select's value and label (UI only).
@dataclass
class Choice:
    value: str
    label: str


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


class PaNeededState(rx.State):
    plans: list[Choice] = []
    lines: list[Choice] = []
    plan_id: str = ""
    line_of_business: str = ""
    code: str = ""
    service_date: str = ""
    answered: bool = False
    verdict: str = ""
    reason: str = ""
    program: str = ""
    documents: list[str] = []
    error: str = ""

    @rx.event
    async def load_page(self):
        options = await call_public(service.plan_options)
        self.plans = [Choice(str(o.plan_id), o.name) for o in options]
        self.lines = [Choice(line.value, line.label) for line in LineOfBusiness]
        self.plan_id = self.plan_id or (self.plans[0].value if self.plans else "")
        self.line_of_business = self.line_of_business or LineOfBusiness.COMMERCIAL_HMO_POS.value
        self.service_date = self.service_date or clock.today().isoformat()
        self.answered, self.error = False, ""

    @rx.event
    async def ask(self, form_data: dict):
        self.answered, self.error, self.documents = False, "", []
        self.plan_id = str(as_int(form_data.get("plan_id", "")))
        line = str(form_data.get("line_of_business", ""))
        self.line_of_business = line if line in {lob.value for lob in LineOfBusiness} else ""
        self.code = str(form_data.get("code", "")).strip().upper()[:MAX_CODE_LENGTH]
        self.service_date = str(form_data.get("service_date", ""))[:10]
        on = _day(self.service_date)
        if not self.code.isalnum() or on is None or not self.line_of_business:
            self.error = "Give a CPT or HCPCS code, a line of business and a date of service."
            return
        answer = await call_public(
            service.public_answer,
            plan_id=as_int(self.plan_id),
            line_of_business=self.line_of_business,
            service_code=self.code,
            on_date=on,
        )
        self.answered = True
        self.verdict = _verdict(answer.requirement)
        self.reason = answer.requirement.reason
        self.program = answer.program_label
        self.documents = list(answer.documents)


def _verdict(requirement: service.Requirement) -> str:
    if not requirement.managed:
        return "Not managed by Precert."
    if requirement.notification_only:
        return "No prior authorization is needed: notify the plan through Precert."
    return "Prior authorization is needed through Precert."
