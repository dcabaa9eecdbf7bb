"""Support: load the codes a program manages for a plan, line of business and year; versions and diffs."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_upload, notice_box, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.tables import data_table, table_row
from portal_app.state.code_lists import ChangeLine, CodeListsState, ProblemLine, VersionLine

C = CodeListsState
UPLOAD_ID = "code_list_file"
_FIELD_STYLE = {"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"}


def _select(label: str, select_id: str, value, on_change, choices) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=select_id, font_weight="500"),
        rx.el.select(
            rx.foreach(choices, lambda c: rx.el.option(c.label, value=c.value)),
            id=select_id,
            value=value,
            on_change=on_change,
            style=_FIELD_STYLE,
        ),
        spacing="1",
    )


def _input(label: str, input_id: str, value, on_change, input_type: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_weight="500"),
        rx.el.input(
            id=input_id, type=input_type, value=value, on_change=on_change, style=_FIELD_STYLE, width="9em"
        ),
        spacing="1",
    )


def _problem(problem: rx.Var[ProblemLine]) -> rx.Component:
    return table_row(problem.where, problem.field, problem.problem)


def _change(line: rx.Var[ChangeLine]) -> rx.Component:
    return table_row(line.change, line.code, line.detail)


def _report() -> rx.Component:
    return rx.cond(
        C.summary != "",
        notice_box(
            rx.text(C.summary, font_weight="600"),
            rx.cond(
                C.problems.length() > 0,
                data_table(
                    "Problems in the code list",
                    ("Where", "Field", "Problem"),
                    rx.el.tbody(rx.foreach(C.problems, _problem)),
                ),
            ),
            color=rx.cond(C.loaded, "green", "red"),
            role="status",
        ),
    )


def _changes() -> rx.Component:
    return rx.cond(
        C.changes_title != "",
        rx.vstack(
            rx.heading(C.changes_title, size="4", as_="h2"),
            rx.cond(
                C.changes.length() > 0,
                data_table(
                    "Code list changes",
                    ("Change", "Code", "What"),
                    rx.el.tbody(rx.foreach(C.changes, _change)),
                ),
                rx.text("No code added, removed or changed.", size="2"),
            ),
            margin_top="1em",
            width="100%",
        ),
    )


def _version_row(row: rx.Var[VersionLine]) -> rx.Component:
    return table_row(
        row.plan_code,
        row.program_label,
        row.line_label,
        row.year,
        row.version,
        row.effective_from,
        row.code_count,
        row.file_name,
        row.loaded_at,
        rx.button(
            "Show changes",
            variant="ghost",
            size="1",
            on_click=C.show_changes(row.version_id),
            aria_label="Show the changes of code list version " + row.version_id.to_string(),
        ),
    )


def code_lists_page() -> rx.Component:
    return page_shell(
        page_heading("Plan code lists"),
        rx.text(
            "Load the codes a program manages for a plan, one line of business (or all of them) and one "
            "service year, as a CSV file (format in docs/data-files.md, Code lists). The file is checked "
            "first: a file with any problem changes nothing and its problems are listed by line and field. "
            "A good file becomes the next version from the day it takes effect and is compared with the "
            "version before; loading the same file again changes nothing.",
            size="2",
        ),
        rx.hstack(
            _select("Plan", "field-code-plan", C.plan_code, C.choose_plan, C.plans),
            _select("Program", "field-code-program", C.program, C.choose_program, C.programs),
            _select("Line of business", "field-code-line", C.line_of_business, C.choose_line, C.lines),
            _input("Year", "field-code-year", C.year, C.change_year, "number"),
            _input(
                "Takes effect on", "field-code-effective", C.effective_from, C.change_effective_from, "date"
            ),
            wrap="wrap",
            spacing="4",
            margin_top="1em",
        ),
        labelled_upload(
            "Code list file",
            rx.vstack(
                rx.text("Drop the CSV file here, or"),
                rx.button("Choose file", type="button", variant="outline"),
                align="center",
            ),
            upload_id=UPLOAD_ID,
            multiple=False,
            accept={"text/csv": [".csv"]},
            border="1px dashed var(--gray-7)",
            padding="1em",
            width="100%",
            margin_top="0.5em",
        ),
        rx.hstack(rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.badge(name))),
        rx.button(
            rx.cond(C.running, "Loading…", "Load the code list"),
            on_click=C.upload_list(rx.upload_files(upload_id=UPLOAD_ID)),
            disabled=C.running,
            margin_top="0.5em",
        ),
        problem_callout(C.error),
        _report(),
        _changes(),
        rx.heading("Versions", size="5", as_="h2", margin_top="1.5em"),
        data_table(
            "Code list versions",
            (
                "Plan",
                "Program",
                "Line of business",
                "Year",
                "Version",
                "From",
                "Codes",
                "File",
                "Loaded (UTC)",
                "",
            ),
            rx.el.tbody(rx.foreach(C.versions, _version_row)),
        ),
    )
