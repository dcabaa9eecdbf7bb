"""Support: load a plan's member (eligibility) or provider (network) file, and the loads so far."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_upload, notice_box, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import pager
from portal_app.components.tables import data_table, table_row
from portal_app.state.plan_files import LoadLine, PlanFilesState, ProblemLine

P = PlanFilesState
UPLOAD_ID = "plan_file"
_SELECT_STYLE = {"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"}


def _select(label: str, select_id: str, value, on_change, options) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=select_id, font_weight="500"),
        rx.el.select(*options, id=select_id, value=value, on_change=on_change, style=_SELECT_STYLE),
        spacing="1",
    )


def _problem(problem: rx.Var[ProblemLine]) -> rx.Component:
    return table_row(problem.where, problem.field, problem.problem)


def _report() -> rx.Component:
    return rx.cond(
        P.summary != "",
        notice_box(
            rx.text(P.summary, font_weight="600"),
            rx.cond(
                P.problems.length() > 0,
                data_table(
                    "Problems in the file",
                    ("Where", "Field", "Problem"),
                    rx.el.tbody(rx.foreach(P.problems, _problem)),
                ),
            ),
            rx.cond(P.more_problems > 0, rx.text("… and ", P.more_problems, " more.", size="2")),
            color=rx.cond(P.applied, "green", "red"),
            role="status",
        ),
    )


def _history_row(row: rx.Var[LoadLine]) -> rx.Component:
    return table_row(
        row.started_at,
        row.plan_code,
        row.kind,
        row.file_name,
        row.file_format,
        row.loaded_by,
        row.status,
        rx.button(
            row.counts,
            variant="ghost",
            size="1",
            on_click=P.show_load(row.load_id),
            aria_label="Show the report of load " + row.load_id.to_string(),
        ),
    )


def plan_files_page() -> rx.Component:
    return page_shell(
        page_heading("Plan member and provider files"),
        rx.text(
            "Load a plan's eligibility file (members and their coverage) or its provider file (practitioners "
            "and facilities with their network participation), as CSV or FHIR (NDJSON or a Bundle); the "
            "formats are described in docs/data-files.md. The whole file is checked first: a file with any "
            "problem changes nothing and its problems are listed by line. A good file is applied at once; "
            "loading the same file again changes nothing. A plan's facility cost levels (CSV: each site's "
            "relative cost on the plan's own scale, never prices) are checked and applied the same way. A "
            "file of guideline criteria versions (for every plan; the Plan and the checkbox do not apply) is "
            "checked and added the same way.",
            size="2",
        ),
        rx.hstack(
            _select(
                "Plan",
                "field-plan",
                P.plan_code,
                P.choose_plan,
                [rx.foreach(P.plans, lambda p: rx.el.option(p.label, value=p.value))],
            ),
            _select(
                "The file holds",
                "field-file-kind",
                P.kind,
                P.choose_kind,
                [
                    rx.el.option("Members (eligibility)", value="members"),
                    rx.el.option("Providers and facilities (network)", value="providers"),
                    rx.el.option("Facility cost levels (the plan's relative cost)", value="cost_levels"),
                    rx.el.option("Guideline criteria versions (every plan)", value="guidelines"),
                ],
            ),
            wrap="wrap",
            spacing="4",
            margin_top="1em",
        ),
        rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=P.complete,
                    on_change=P.choose_complete,
                    aria_label="The file lists all of the plan's members or providers: end those missing",
                ),
                rx.text(
                    "The file lists all of the plan's members (or providers): end those missing from it",
                    size="2",
                ),
                align="center",
            ),
            margin_top="0.5em",
        ),
        labelled_upload(
            "Plan file",
            rx.vstack(
                rx.text("Drop the CSV, NDJSON or JSON file here, or"),
                rx.button("Choose file", type="button", variant="outline"),
                align="center",
            ),
            upload_id=UPLOAD_ID,
            multiple=False,
            accept={
                "text/csv": [".csv"],
                "application/json": [".json"],
                "application/fhir+ndjson": [".ndjson", ".jsonl"],
            },
            border="1px dashed var(--gray-7)",
            padding="1em",
            width="100%",
            margin_top="0.5em",
        ),
        rx.hstack(rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.badge(name))),
        rx.button(
            rx.cond(P.running, "Loading…", "Load the file"),
            on_click=P.upload_file(rx.upload_files(upload_id=UPLOAD_ID)),
            disabled=P.running,
            margin_top="0.5em",
        ),
        rx.cond(P.progress != "", rx.text(P.progress, role="status", size="2")),
        problem_callout(P.error),
        _report(),
        rx.heading("Loads", size="5", as_="h2", margin_top="1.5em"),
        data_table(
            "Loads of plan files",
            ("Started (UTC)", "Plan", "File of", "File", "Format", "By", "Status", "Result"),
            rx.el.tbody(rx.foreach(P.rows, _history_row)),
        ),
        pager(P, "loads"),
    )
