"""Support: facility registrations, one registration's answers and scores, asking for corrections."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import pager
from portal_app.components.tables import data_table, table_row
from portal_app.pages.facility import score_section
from portal_app.state.admin_facilities import STATUS_CHOICES, AdminFacilitiesState, AnswerRow, SupportRow

A = AdminFacilitiesState


def _row(row: rx.Var[SupportRow]) -> rx.Component:
    return table_row(
        row.registration_id,
        row.facility_name,
        row.npi,
        row.status_label,
        row.progress,
        (row.author, rx.el.br(), row.author_email),
        row.submitted_on,
        row.updated_on,
        rx.button(
            "Show",
            size="1",
            on_click=A.show_registration(row.registration_id),
            aria_label="Show registration " + row.registration_id.to_string(),
        ),
    )


def _answer(row: rx.Var[AnswerRow]) -> rx.Component:
    return table_row(row.section, row.question, row.answer)


def _corrections() -> rx.Component:
    return rx.cond(
        A.can_request_corrections,
        rx.vstack(
            rx.heading("Ask for corrections", size="4", as_="h3"),
            rx.el.label(
                "What should the facility correct?", html_for="field-corrections-note", font_weight="500"
            ),
            rx.text_area(
                id="field-corrections-note",
                value=A.note,
                on_change=A.update_note,
                width="100%",
                aria_describedby="field-corrections-note-error",
                aria_invalid=rx.cond(A.note_error != "", "true", "false"),
            ),
            field_error(A.note_error, field_id="field-corrections-note"),
            rx.text(
                "The facility sees this note when it opens the registration; the e-mail only tells it to "
                "sign in. Its scores stay as last submitted until it submits again.",
                size="1",
                color_scheme="gray",
            ),
            rx.button("Ask for corrections", on_click=A.ask_for_corrections),
            spacing="2",
            width="100%",
        ),
        rx.text("Corrections can be asked for once the registration is submitted.", size="2"),
    )


def _detail() -> rx.Component:
    return rx.el.section(
        rx.hstack(
            rx.heading(
                "Registration ",
                A.selected_id,
                ": ",
                A.selected_name,
                size="5",
                as_="h2",
                id="registration-detail",
            ),
            rx.button(
                "Close",
                on_click=A.close_registration,
                variant="outline",
                size="1",
                aria_label="Close registration " + A.selected_id.to_string(),
            ),
            align="center",
            justify="between",
            width="100%",
        ),
        rx.text("Status: ", A.selected_status_label, size="2"),
        rx.cond(A.selected_note != "", rx.text("Corrections asked: ", A.selected_note, size="2")),
        data_table(
            "Registration answers",
            ["Section", "Question", "Answer"],
            rx.el.tbody(rx.foreach(A.answers, _answer)),
        ),
        rx.cond(
            A.cards.length() > 0,
            rx.vstack(
                rx.heading("Scores as submitted", size="4", as_="h3", margin_top="1em"),
                rx.foreach(A.cards, score_section),
                width="100%",
            ),
        ),
        _corrections(),
        aria_labelledby="registration-detail",
        border="1px solid var(--gray-6)",
        border_radius="8px",
        padding="1em",
        margin_top="1.5em",
        width="100%",
    )


def admin_facilities_page() -> rx.Component:
    return page_shell(
        page_heading("Facility registrations"),
        problem_callout(A.message, color="green"),
        rx.hstack(
            rx.el.label("Status", html_for="field-registration-status", font_weight="500"),
            rx.el.select(
                *[rx.el.option(label, value=value) for value, label in STATUS_CHOICES],
                id="field-registration-status",
                value=A.status,
                on_change=A.filter_status,
                style={"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
            ),
            align="center",
            spacing="2",
        ),
        rx.cond(
            A.rows.length() == 0,
            rx.text("No registration matches.", margin_top="1em"),
            rx.vstack(
                data_table(
                    "Facility registrations",
                    [
                        "Number",
                        "Facility",
                        "NPI",
                        "Status",
                        "Sections complete",
                        "By",
                        "Submitted",
                        "Last change",
                        "Actions",
                    ],
                    rx.el.tbody(rx.foreach(A.rows, _row)),
                ),
                pager(A, "registrations"),
                width="100%",
            ),
        ),
        rx.cond(A.selected_id != 0, _detail()),
    )
