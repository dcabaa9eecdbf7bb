"""Review dashboard: volumes, shares and decision times as CMS-0057-F defines them, with charts."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import native_select
from portal_app.components.tables import data_table, table_row
from portal_app.domain.enums import Program
from portal_app.domain.survey_questions import QUESTIONS, Question
from portal_app.state.dashboard import (
    CountsLine,
    DashboardState,
    Definition,
    SurveyCommentLine,
    UrgencyLine,
)

D = DashboardState

_COUNT_COLUMNS = (
    ("Program", "program"),
    ("Plan", "plan"),
    ("Requests", "requests"),
    ("Approved at once by the rules engine", "approved_by_rules"),
    ("Approved after review", "approved_after_review"),
    ("Denied", "denied"),
    ("Appealed", "appealed"),
    ("Approved after appeal", "approved_after_appeal"),
    ("Pending", "pending"),
    ("Withdrawn", "withdrawn"),
)
_URGENCY_COLUMNS = (
    ("Requests", "label"),
    ("Decided", "decided"),
    ("Approved", "percent_approved"),
    ("Denied", "percent_denied"),
    ("Approved after appeal", "percent_approved_after_appeal"),
    ("Mean hours to decision", "mean_hours"),
    ("Median hours", "median_hours"),
    ("90th percentile hours", "p90_hours"),
)
_OUTCOME_SERIES = (
    ("Approved at once", "#2f855a"),
    ("Approved after review", "#68d391"),
    ("Denied", "#c53030"),
    ("Pending", "#a0aec0"),
)


def _date_input(label: str, name: str, value) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"field-{name}", font_weight="500"),
        rx.el.input(id=f"field-{name}", name=name, type="date", default_value=value, key=value),
        spacing="1",
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            _date_input("Submitted from", "date_from", D.date_from),
            _date_input("Submitted to", "date_to", D.date_to),
            native_select(
                "Program", "program", [("", "All programs")] + [(p.value, p.label) for p in Program]
            ),
            native_select("Plan", "plan_id", [("", "All plans")], dynamic=D.plans),
            rx.button("Show", type="submit", margin_top="1.6em", loading=D.loading),
            rx.button(
                "Export CSV",
                type="button",
                variant="outline",
                margin_top="1.6em",
                on_click=D.export_csv,
                loading=D.exporting,
            ),
            wrap="wrap",
            align="start",
        ),
        on_submit=D.apply_filter,
        reset_on_submit=False,
        margin_y="1em",
        aria_label="Dashboard filters",
    )


def _counts_row(row: rx.Var[CountsLine]) -> rx.Component:
    return table_row(*[getattr(row, key) for _, key in _COUNT_COLUMNS])


def _totals_row(row: rx.Var[CountsLine]) -> rx.Component:
    return table_row(*[getattr(row, key) for _, key in _COUNT_COLUMNS], font_weight="600")


def _counts_table() -> rx.Component:
    return data_table(
        "Requests by program and plan",
        [title for title, _ in _COUNT_COLUMNS],
        rx.el.tbody(rx.foreach(D.rows, _counts_row), rx.foreach(D.totals, _totals_row)),
    )


def _urgency_table() -> rx.Component:
    def line(row: rx.Var[UrgencyLine]) -> rx.Component:
        return table_row(*[getattr(row, key) for _, key in _URGENCY_COLUMNS])

    return data_table(
        "Shares and decision times by urgency",
        [title for title, _ in _URGENCY_COLUMNS],
        rx.el.tbody(rx.foreach(D.urgency_rows, line)),
    )


def _figure(label: str, value) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="2"), rx.heading(value, size="6", as_="p"), spacing="1"),
        aria_label=label,
    )


def _outcome_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        *[rx.recharts.bar(data_key=name, stack_id="outcome", fill=color) for name, color in _OUTCOME_SERIES],
        rx.recharts.x_axis(data_key="program"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.legend(),
        rx.recharts.graphing_tooltip(),
        data=D.outcome_chart,
        width="100%",
        height=300,
    )


def _hours_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.bar(data_key="Median hours", fill="#3182ce"),
        rx.recharts.bar(data_key="90th percentile hours", fill="#1a365d"),
        rx.recharts.x_axis(data_key="urgency"),
        rx.recharts.y_axis(),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.legend(),
        rx.recharts.graphing_tooltip(),
        data=D.hours_chart,
        width="100%",
        height=260,
    )


def _definition(item: rx.Var[Definition]) -> rx.Component:
    return rx.fragment(
        rx.el.dt(item.term, font_weight="600", margin_top="0.6em"), rx.el.dd(item.text, margin_left="0")
    )


def _survey_comment(comment: rx.Var[SurveyCommentLine]) -> rx.Component:
    return rx.el.li(
        rx.text(comment.text, size="2"),
        rx.text(comment.offered_on, " · ", comment.program, size="1", color_scheme="gray"),
        margin_bottom="0.5em",
    )


def _question_table(question: Question, offset: int) -> rx.Component:
    """One question's answers: the lines ``offset`` onwards of the state's flat list (the choices are
    data, so their number and order are known when the page is built)."""
    return data_table(
        question.text,
        ["Answer", "People", "Share of answers"],
        rx.el.tbody(
            *[
                table_row(
                    choice.label, D.survey_choices[offset + n].answers, D.survey_choices[offset + n].percent
                )
                for n, choice in enumerate(question.choices)
            ]
        ),
    )


def _question_tables() -> list[rx.Component]:
    tables, offset = [], 0
    for question in QUESTIONS:
        tables.append(rx.cond(D.survey_choices.length() > offset, _question_table(question, offset)))
        offset += len(question.choices)
    return tables


def _survey_section() -> rx.Component:
    """The satisfaction survey offered to ordering offices in the chosen dates, program and plan."""
    return rx.fragment(
        rx.heading("Satisfaction survey", size="4", as_="h2", margin_top="1em"),
        rx.text(
            "The seeds' questions, each optional, asked of ordering offices after a submitted request, at "
            "most once a month per person; counted by the day the survey was offered.",
            size="2",
        ),
        rx.hstack(
            _figure("Surveys offered", D.survey_offered),
            _figure("Answered", D.survey_answered),
            _figure("Not now", D.survey_dismissed),
            _figure("No answer yet", D.survey_open),
            wrap="wrap",
        ),
        rx.heading("Net Promoter Score", size="3", as_="h3", margin_top="0.8em"),
        rx.hstack(
            _figure("NPS", D.survey_nps),
            _figure("Answers to the recommend question", D.survey_nps_answers),
            _figure("Promoters (9–10)", D.survey_promoters),
            _figure("Passives (7–8)", D.survey_passives),
            _figure("Detractors (0–6)", D.survey_detractors),
            wrap="wrap",
        ),
        rx.heading("Answers by question", size="3", as_="h3", margin_top="0.8em"),
        *_question_tables(),
        rx.heading("Recent comments", size="3", as_="h3", margin_top="0.8em"),
        rx.cond(
            D.survey_comments.length() > 0,
            rx.el.ul(rx.foreach(D.survey_comments, _survey_comment), aria_label="Recent survey comments"),
            rx.text("No comments in these dates.", size="2"),
        ),
        rx.el.dl(rx.foreach(D.survey_definitions, _definition), aria_label="Survey definitions"),
    )


def dashboard_page() -> rx.Component:
    return page_shell(
        page_heading("Review dashboard"),
        rx.text(
            "Prior-authorization figures as the 2024 federal rule (CMS-0057-F) asks payers to publish them, "
            "for requests submitted in the chosen dates. The definitions are at the end of the page.",
            size="2",
        ),
        _filters(),
        problem_callout(D.error),
        rx.cond(D.loading, rx.hstack(rx.spinner(), rx.text("Computing the figures…"), role="status")),
        rx.text("Figures as of ", D.as_of, size="1", color_scheme="gray"),
        rx.hstack(
            _figure("Percent approved", D.overall_approved),
            _figure("Percent denied", D.overall_denied),
            _figure("Percent approved after appeal", D.overall_after_appeal),
            _figure("Review tasks past due", D.past_due),
            _figure("Live reviews asked for", D.live_reviews),
            _figure("Call backs asked for", D.call_backs),
            _figure("Extended reviews", D.extended_reviews),
            _figure("Percent approved after an extended review time frame", D.approved_after_extension),
            wrap="wrap",
        ),
        rx.heading("Requests that needed no review", size="4", as_="h2", margin_top="1em"),
        rx.hstack(
            _figure("Exempt providers (gold card, per service)", D.exempt_providers),
            _figure("Requests under a gold card", D.exempt_requests),
            _figure("Share of requests under a gold card", D.exempt_share),
            _figure("Transition-of-care authorizations honoured", D.transition_requests),
            wrap="wrap",
        ),
        rx.heading("Outcomes by program", size="4", as_="h2", margin_top="1em"),
        rx.box(
            _outcome_chart(), role="img", aria_label="Bar chart of request outcomes by program", width="100%"
        ),
        _counts_table(),
        rx.heading("Time from submission to decision", size="4", as_="h2", margin_top="1em"),
        rx.box(
            _hours_chart(),
            role="img",
            aria_label="Bar chart of median and 90th percentile hours by urgency",
            width="100%",
        ),
        _urgency_table(),
        _survey_section(),
        rx.heading("Definitions", size="4", as_="h2", margin_top="1em"),
        rx.el.dl(rx.foreach(D.definitions, _definition), aria_label="Definitions"),
    )
