"""The help desk's radiation therapy code look-up page: a plan's managed codes for a year."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import pager
from portal_app.components.program_fields import SELECT_STYLE
from portal_app.state.code_lookup import CodeLookupState, CodeRow

C = CodeLookupState


def _picker(label: str, field_id: str, options, value, on_change, *, option_label=None) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_weight="500"),
        rx.el.select(
            rx.foreach(options, option_label or (lambda option: rx.el.option(option, value=option))),
            id=field_id,
            value=value,
            on_change=on_change,
            style=SELECT_STYLE,
        ),
        spacing="1",
        width="100%",
    )


def _sort_header(label: str, column: str, aria_sort) -> rx.Component:
    arrow = rx.cond(aria_sort == "ascending", " ▲", rx.cond(aria_sort == "descending", " ▼", ""))
    return rx.table.column_header_cell(
        rx.button(
            label,
            rx.el.span(arrow, aria_hidden="true"),
            on_click=C.sort(column),
            variant="ghost",
            type="button",
            aria_label=f"Sort by {label.lower()}",
        ),
        aria_sort=aria_sort,
        scope="col",
    )


def _row(row: rx.Var[CodeRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.code),
        rx.table.cell(row.description),
        rx.table.cell(row.category),
    )


def _code_check() -> rx.Component:
    return rx.vstack(
        labelled_input(
            "Is a code on the list? Type the code",
            name="code-check",
            required=False,
            value=C.code_query,
            on_change=C.check_code,
            hint="For example 77301. A code that is not on the list is not managed by the program.",
        ),
        rx.cond(
            C.code_answer != "",
            rx.callout(
                C.code_answer,
                color_scheme=rx.cond(C.code_managed, "teal", "amber"),
                role="status",
                width="100%",
            ),
        ),
        width="100%",
    )


def code_lookup_page() -> rx.Component:
    return page_shell(
        page_heading("Radiation therapy code look-up"),
        rx.text(
            "The radiation oncology program manages its own list of CPT and HCPCS codes for each health "
            "plan, line of business and year. Requests name a kind of radiation (a modality), never single "
            "codes; a code that is not on the list is not managed by the program, and the health plan "
            "answers questions about it.",
            size="2",
        ),
        rx.hstack(
            _picker(
                "Health plan",
                "lookup-plan",
                C.plan_options,
                C.plan,
                C.choose_plan,
                option_label=lambda option: rx.el.option(option.label, value=option.value),
            ),
            _picker(
                "Line of business",
                "lookup-line",
                C.line_options,
                C.line_of_business,
                C.choose_line,
                option_label=lambda option: rx.el.option(option.label, value=option.value),
            ),
            _picker("Year", "lookup-year", C.year_options, C.year, C.choose_year),
            width="100%",
            margin_top="1em",
        ),
        _code_check(),
        labelled_input(
            "Filter by code, description or category",
            name="code-filter",
            required=False,
            value=C.filter_text,
            on_change=C.filter_codes,
        ),
        rx.text(
            C.total,
            " codes managed for ",
            C.plan_name,
            " in ",
            C.year,
            ".",
            size="2",
            role="status",
            margin_y="0.8em",
        ),
        rx.table.root(
            rx.el.caption("Managed radiation therapy codes", class_name="visually-hidden"),
            rx.table.header(
                rx.table.row(
                    _sort_header("Code", "code", C.code_sort),
                    _sort_header("Description", "description", C.description_sort),
                    _sort_header("Category", "category", C.category_sort),
                )
            ),
            rx.table.body(rx.foreach(C.rows, _row)),
            width="100%",
        ),
        pager(C, "codes"),
        rx.text(
            "CPT is a registered trademark of the American Medical Association. The descriptions are short "
            "texts written for this portal; HCPCS G-codes are public CMS codes.",
            size="1",
            color_scheme="gray",
            margin_top="1em",
        ),
    )
