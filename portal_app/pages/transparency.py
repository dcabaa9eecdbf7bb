"""The public prior-authorization transparency page (no sign-in): per plan, the services that need
prior authorization per program and line of business, and the CMS-0057-F metrics of a chosen year."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import native_select
from portal_app.components.tables import data_table, table_row
from portal_app.state.transparency import (
    DefinitionLine,
    MetricsLine,
    ProgramSection,
    ServiceLine,
    TransparencyState,
)

T = TransparencyState

_METRIC_COLUMNS = (
    ("Requests", "requests"),
    ("Decided", "decided"),
    ("Approved", "percent_approved"),
    ("Denied", "percent_denied"),
    ("Approved after appeal", "percent_approved_after_appeal"),
    ("Approved after an extended review time frame", "percent_approved_after_extension"),
    ("Average hours to decision", "mean_hours"),
    ("Median hours to decision", "median_hours"),
)


def _filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            native_select("Health plan", "plan_id", [], dynamic=T.plans),
            native_select("Year", "year", [], dynamic=T.years),
            rx.button("Show", type="submit", margin_top="1.6em"),
            rx.button(
                "Download CSV", type="button", variant="outline", margin_top="1.6em", on_click=T.download_csv
            ),
            rx.button(
                "Download JSON",
                type="button",
                variant="outline",
                margin_top="1.6em",
                on_click=T.download_json,
            ),
            wrap="wrap",
            align="start",
        ),
        on_submit=T.choose,
        reset_on_submit=False,
        margin_y="1em",
        aria_label="Choose a plan and a year",
    )


def _service(row: rx.Var[ServiceLine]) -> rx.Component:
    return table_row(row.code, row.label, row.category, row.notification_only)


def _program(section: rx.Var[ProgramSection]) -> rx.Component:
    return rx.vstack(
        rx.heading(section.label, size="3", as_="h3"),
        rx.text(
            "Lines of business: ", section.lines_of_business, " · delegated ", section.delegated, size="2"
        ),
        data_table(
            "Managed services: " + section.label,
            ["Code", "Service", "Category", "Notification only (no prior authorization)"],
            rx.el.tbody(rx.foreach(section.services, _service)),
        ),
        width="100%",
        spacing="2",
        margin_bottom="1em",
    )


def _metrics_row(row: rx.Var[MetricsLine]) -> rx.Component:
    return table_row(*[getattr(row, key) for _, key in _METRIC_COLUMNS])


def _definition(item: rx.Var[DefinitionLine]) -> rx.Component:
    return rx.fragment(
        rx.el.dt(item.term, font_weight="600", margin_top="0.6em"), rx.el.dd(item.text, margin_left="0")
    )


def transparency_page() -> rx.Component:
    return page_shell(
        page_heading("Prior authorization: services and metrics"),
        rx.text(
            "What each health plan we serve requires prior authorization for, and how its requests were "
            "decided, as the 2024 federal interoperability and prior authorization rule (CMS-0057-F) asks "
            "payers to publish. No sign-in needed; the figures are totals and hold no patient information.",
            size="2",
        ),
        _filters(),
        problem_callout(T.error),
        rx.heading(T.plan_name, size="5", as_="h2"),
        rx.heading("Metrics for ", T.year, size="4", as_="h2", margin_top="0.5em"),
        rx.text("Figures as of ", T.as_of, size="1", color_scheme="gray"),
        data_table(
            "Prior authorization metrics",
            [title for title, _ in _METRIC_COLUMNS],
            rx.el.tbody(rx.foreach(T.metrics, _metrics_row)),
        ),
        rx.heading(
            "Services that need prior authorization in ", T.year, size="4", as_="h2", margin_top="1em"
        ),
        rx.foreach(T.programs, _program),
        rx.heading("Definitions", size="4", as_="h2", margin_top="1em"),
        rx.el.dl(rx.foreach(T.definitions, _definition), aria_label="Definitions"),
    )
