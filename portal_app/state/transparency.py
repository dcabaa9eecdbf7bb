"""The public transparency page: a plan's managed services and its metrics for a chosen year.

No sign-in: the handlers call public services (call_public) that return only public data (code
lists and aggregate figures). Downloads are rate-limited per client address by the service.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app import clock
from portal_app.services import transparency as service
from portal_app.services.rate_limits import RateLimited
from portal_app.state.auth import call_public
from portal_app.state.validation import as_int

YEARS_SHOWN = 5


# A select's value and label (UI only).
@dataclass
class Option:
    value: str
    label: str


# service.PublicService with "yes"/"no" for display.
@dataclass
class ServiceLine:
    code: str
    label: str
    category: str
    notification_only: str


# service.PublicProgram with its services as ServiceLine (rx.foreach needs plain fields).
@dataclass
class ProgramSection:
    label: str
    lines_of_business: str
    delegated: str
    services: list[ServiceLine]


# service.PublicMetricsRow with the numbers formatted for display.
@dataclass
class MetricsLine:
    requests: str
    decided: int
    percent_approved: str
    percent_denied: str
    percent_approved_after_appeal: str
    percent_approved_after_extension: str
    mean_hours: str
    median_hours: str


# A (term, text) pair of the definitions, as a dataclass for rx.foreach.
@dataclass
class DefinitionLine:
    term: str
    text: str


def _shown(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:g}{suffix}"


class TransparencyState(rx.State):
    plans: list[Option] = []
    years: list[Option] = []
    plan_id: str = ""
    year: str = ""
    plan_name: str = ""
    as_of: str = ""
    programs: list[ProgramSection] = []
    metrics: list[MetricsLine] = []
    definitions: list[DefinitionLine] = []
    error: str = ""

    async def _show(self) -> None:
        self.error = ""
        report = await call_public(service.plan_report, plan_id=as_int(self.plan_id), year=as_int(self.year))
        if report is None:
            self.programs, self.metrics, self.plan_name = [], [], ""
            self.error = "Choose a plan and a year that has begun."
            return
        self.plan_name, self.as_of = report.plan_name, report.as_of
        self.programs = [
            ProgramSection(
                label=p.label,
                lines_of_business=", ".join(p.lines_of_business),
                delegated=f"from {p.delegated_from}"
                + (f" to {p.delegated_until}" if p.delegated_until else ""),
                services=[
                    ServiceLine(s.code, s.label, s.category, "yes" if s.notification_only else "no")
                    for s in p.services
                ],
            )
            for p in report.programs
        ]
        self.metrics = [
            MetricsLine(
                requests=r.requests,
                decided=r.decided,
                percent_approved=_shown(r.percent_approved, " %"),
                percent_denied=_shown(r.percent_denied, " %"),
                percent_approved_after_appeal=_shown(r.percent_approved_after_appeal, " %"),
                percent_approved_after_extension=_shown(r.percent_approved_after_extension, " %"),
                mean_hours=_shown(r.mean_hours),
                median_hours=_shown(r.median_hours),
            )
            for r in report.metrics
        ]
        self.definitions = [DefinitionLine(term, text) for term, text in report.definitions]

    @rx.event
    async def load_page(self):
        this_year = clock.today().year
        self.years = [Option(str(y), str(y)) for y in range(this_year - 1, this_year - 1 - YEARS_SHOWN, -1)]
        self.plans = [Option(str(pid), name) for pid, name in await call_public(service.public_plans)]
        if not self.year:
            self.year = str(this_year - 1)  # the previous year: what CMS-0057-F has payers post
        if not self.plan_id and self.plans:
            self.plan_id = self.plans[0].value
        await self._show()

    @rx.event
    async def choose(self, form_data: dict):
        self.plan_id = str(as_int(form_data.get("plan_id", "")))
        self.year = str(as_int(form_data.get("year", "")))
        await self._show()

    async def _download(self, kind: str):
        try:
            name, text = await call_public(
                service.download,
                plan_id=as_int(self.plan_id),
                year=as_int(self.year),
                kind=kind,
                client_address=self.router.session.client_ip,
            )
        except (RateLimited, ValueError) as refused:
            self.error = str(refused)
            return None
        return rx.download(data=text, filename=name)

    @rx.event
    async def download_csv(self):
        return await self._download("csv")

    @rx.event
    async def download_json(self):
        return await self._download("json")
