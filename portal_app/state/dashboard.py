"""The review dashboard: CMS-0057-F figures for a date range, program and plan, with a CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta

import reflex as rx

from portal_app import clock
from portal_app.domain.enums import Role
from portal_app.services import gold_card as gold_card_service
from portal_app.services import metrics as metrics_service
from portal_app.services import survey as survey_service
from portal_app.services.directory import plan_choices
from portal_app.state.auth import authorized, call_public, call_service
from portal_app.state.validation import as_int

DASHBOARD_ROLES = (Role.NURSE_REVIEWER, Role.PHYSICIAN_REVIEWER, Role.SUPPORT_ADMIN)
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366  # a longer range is a report, not a dashboard


# The table's columns of metrics.MetricsRow (its program label and plan name, not their keys).
@dataclass
class CountsLine:
    program: str
    plan: str
    requests: int
    approved_by_rules: int
    approved_after_review: int
    denied: int
    appealed: int
    approved_after_appeal: int
    pending: int
    withdrawn: int


# metrics.UrgencyFigures with its percentages and hours formatted as strings for display.
@dataclass
class UrgencyLine:
    label: str
    decided: int
    percent_approved: str
    percent_denied: str
    percent_approved_after_appeal: str
    mean_hours: str
    median_hours: str
    p90_hours: str


# A select's value and label (UI only).
@dataclass
class Choice:
    value: str
    label: str


# A (term, text) pair of the service's definitions, as a dataclass for rx.foreach.
@dataclass
class Definition:
    term: str
    text: str


# survey_questions.ChoiceCount with its percent formatted as a string for display; the lines of
# every question one after another, in the survey's order (the page knows the offsets).
@dataclass
class SurveyChoiceLine:
    label: str
    answers: int
    percent: str


# survey.SurveyComment with the date as ISO text for display.
@dataclass
class SurveyCommentLine:
    offered_on: str
    program: str
    text: str


def _count_and_share(count: int, percent: float | None) -> str:
    return f"{count} ({percent:g} %)" if percent is not None else str(count)


def _shown(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:g}{suffix}"


def _counts_line(row: metrics_service.MetricsRow) -> CountsLine:
    return CountsLine(
        program=row.program_label,
        plan=row.plan_name,
        requests=row.requests,
        approved_by_rules=row.approved_by_rules,
        approved_after_review=row.approved_after_review,
        denied=row.denied,
        appealed=row.appealed,
        approved_after_appeal=row.approved_after_appeal,
        pending=row.pending,
        withdrawn=row.withdrawn,
    )


def _urgency_line(figures: metrics_service.UrgencyFigures) -> UrgencyLine:
    return UrgencyLine(
        label=figures.label,
        decided=figures.decided,
        percent_approved=_shown(figures.percent_approved, " %"),
        percent_denied=_shown(figures.percent_denied, " %"),
        percent_approved_after_appeal=_shown(figures.percent_approved_after_appeal, " %"),
        mean_hours=_shown(figures.mean_hours),
        median_hours=_shown(figures.median_hours),
        p90_hours=_shown(figures.p90_hours),
    )


def _parse_range(date_from: str, date_to: str) -> tuple[date, date]:
    """The chosen dates, or ValueError with a message for the page."""
    try:
        start, end = date.fromisoformat(date_from.strip()), date.fromisoformat(date_to.strip())
    except ValueError:
        raise ValueError("Enter both dates as year-month-day, for example 2026-09-01.") from None
    if end < start:
        raise ValueError("The end date is before the start date.")
    if (end - start).days > MAX_DAYS:
        raise ValueError("Choose at most three years at a time.")
    return start, end


class DashboardState(rx.State):
    date_from: str = ""
    date_to: str = ""
    program: str = ""
    plan_id: str = ""
    plans: list[Choice] = []
    rows: list[CountsLine] = []
    totals: list[CountsLine] = []
    urgency_rows: list[UrgencyLine] = []
    overall_approved: str = "—"
    overall_denied: str = "—"
    overall_after_appeal: str = "—"
    past_due: int = 0
    live_reviews: int = 0
    call_backs: int = 0
    as_of: str = ""
    # Chart data: one point per program (counts by outcome) and per urgency (hours).
    outcome_chart: list[dict[str, str | int]] = []
    hours_chart: list[dict[str, str | float]] = []
    definitions: list[Definition] = []
    # Issue 24: extended reviews, and requests that needed no review (gold card, transition of care).
    extended_reviews: int = 0
    approved_after_extension: str = "—"
    exempt_providers: int = 0
    exempt_requests: int = 0
    exempt_share: str = "—"
    transition_requests: int = 0
    # The satisfaction survey offered in the same dates (services/survey.py).
    survey_offered: int = 0
    survey_answered: int = 0
    survey_dismissed: int = 0
    survey_open: int = 0
    survey_nps: str = "—"
    survey_nps_answers: int = 0
    survey_promoters: str = "0"
    survey_passives: str = "0"
    survey_detractors: str = "0"
    survey_choices: list[SurveyChoiceLine] = []
    survey_comments: list[SurveyCommentLine] = []
    survey_definitions: list[Definition] = []
    loading: bool = False
    exporting: bool = False
    error: str = ""

    async def _compute(self) -> metrics_service.ReviewMetrics:
        start, end = _parse_range(self.date_from, self.date_to)
        return await call_service(
            metrics_service.review_metrics,
            date_from=start,
            date_to=end,
            program=self.program,
            plan_id=as_int(self.plan_id),
        )

    async def _compute_survey(
        self, comment_limit: int = survey_service.RECENT_COMMENTS
    ) -> survey_service.SurveyResults:
        start, end = _parse_range(self.date_from, self.date_to)
        return await call_service(
            survey_service.survey_results,
            date_from=start,
            date_to=end,
            program=self.program,
            plan_id=as_int(self.plan_id),
            comment_limit=comment_limit,
        )

    def _show_survey(self, results: survey_service.SurveyResults) -> None:
        self.survey_offered, self.survey_answered = results.offered, results.answered
        self.survey_dismissed, self.survey_open = results.dismissed, results.open
        nps = results.nps
        self.survey_nps, self.survey_nps_answers = _shown(nps.score), nps.answers
        self.survey_promoters = _count_and_share(nps.promoters, nps.percent_promoters)
        self.survey_passives = _count_and_share(nps.passives, nps.percent_passives)
        self.survey_detractors = _count_and_share(nps.detractors, nps.percent_detractors)
        self.survey_choices = [
            SurveyChoiceLine(c.label, c.answers, _shown(c.percent, " %"))
            for question in results.questions
            for c in question.choices
        ]
        self.survey_comments = [
            SurveyCommentLine(c.offered_on.isoformat(), c.program_label, c.text) for c in results.comments
        ]
        self.survey_definitions = [Definition(term, text) for term, text in results.definitions]

    async def _show_exempt(self) -> None:
        start, end = _parse_range(self.date_from, self.date_to)
        population = await call_service(
            gold_card_service.exempt_population,
            date_from=start,
            date_to=end,
            program=self.program,
            plan_id=as_int(self.plan_id),
        )
        self.exempt_providers, self.exempt_requests = population.exempt_providers, population.exempt_requests
        self.exempt_share = _shown(population.percent_exempt, " %")
        self.transition_requests = population.transition_requests

    def _show(self, figures: metrics_service.ReviewMetrics) -> None:
        self.extended_reviews = figures.extended
        self.approved_after_extension = _shown(figures.percent_approved_after_extension, " %")
        self.rows = [_counts_line(row) for row in figures.rows]
        self.totals = [_counts_line(figures.totals)]
        self.urgency_rows = [_urgency_line(figures.urgent), _urgency_line(figures.standard)]
        self.overall_approved = _shown(figures.percent_approved, " %")
        self.overall_denied = _shown(figures.percent_denied, " %")
        self.overall_after_appeal = _shown(figures.percent_approved_after_appeal, " %")
        self.past_due = figures.past_due
        self.live_reviews, self.call_backs = figures.live_reviews, figures.call_backs
        self.as_of = figures.as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        by_program: dict[str, dict[str, str | int]] = {}
        for row in figures.rows:
            point = by_program.setdefault(
                row.program_label,
                {
                    "program": row.program_label,
                    "Approved at once": 0,
                    "Approved after review": 0,
                    "Denied": 0,
                    "Pending": 0,
                },
            )
            point["Approved at once"] += row.approved_by_rules
            point["Approved after review"] += row.approved_after_review
            point["Denied"] += row.denied
            point["Pending"] += row.pending
        self.outcome_chart = list(by_program.values())
        self.hours_chart = [
            {
                "urgency": f.label,
                "Median hours": f.median_hours or 0,
                "90th percentile hours": f.p90_hours or 0,
            }
            for f in (figures.urgent, figures.standard)
        ]
        self.definitions = [Definition(term, text) for term, text in figures.definitions]

    async def _refresh(self):
        self.loading, self.error = True, ""
        yield
        try:
            self._show(await self._compute())
            self._show_survey(await self._compute_survey())
            await self._show_exempt()
        except ValueError as problem:
            self.error = str(problem)
        finally:
            self.loading = False

    @rx.event
    @authorized(*DASHBOARD_ROLES)
    async def load_page(self):
        today = clock.today()
        if not self.date_to:
            self.date_from = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
            self.date_to = today.isoformat()
        self.plans = [Choice(str(pid), name) for pid, name in await call_public(plan_choices)]
        async for _ in self._refresh():
            yield

    @rx.event
    @authorized(*DASHBOARD_ROLES)
    async def apply_filter(self, form_data: dict):
        self.date_from = str(form_data.get("date_from", ""))[:10]
        self.date_to = str(form_data.get("date_to", ""))[:10]
        self.program = str(form_data.get("program", ""))[:40]
        self.plan_id = str(as_int(form_data.get("plan_id", ""))) if form_data.get("plan_id") else ""
        async for _ in self._refresh():
            yield

    @rx.event
    @authorized(*DASHBOARD_ROLES)
    async def export_csv(self):
        """The figures now chosen, recomputed and downloaded as CSV; the button shows progress
        meanwhile (the work runs in a thread, so the page and other users are not held up)."""
        if self.exporting:
            return
        self.exporting, self.error = True, ""
        yield
        try:
            figures = await self._compute()
            survey = await self._compute_survey(survey_service.EXPORT_COMMENTS)
        except ValueError as problem:
            self.error = str(problem)
            return
        finally:
            self.exporting = False
        name = f"review-metrics-{figures.date_from.isoformat()}-to-{figures.date_to.isoformat()}.csv"
        data = metrics_service.review_metrics_csv(figures) + "\n" + survey_service.survey_results_csv(survey)
        yield rx.download(data=data, filename=name)
