"""Pages: provider and site changes, fax numbers for letters, and support's decisions on both."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error, labelled_input, notice_box, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import pager
from portal_app.components.tables import data_table, table_row
from portal_app.state.demographics import (
    COLUMN_LABELS,
    FIELD_CHOICES,
    STATUS_CHOICES,
    AdminChangesState,
    ChangeLine,
    Choice,
    DemographicChangesState,
    FaxConfirmationState,
    FaxLine,
    WaitingLine,
)

D = DemographicChangesState
F = FaxConfirmationState
A = AdminChangesState
_SELECT_STYLE = {
    "padding": "0.4em",
    "border_radius": "6px",
    "border": "1px solid var(--gray-7)",
    "width": "100%",
}


def _select(
    label: str, select_id: str, *, value, on_change, options, placeholder: str = "", error=None
) -> rx.Component:
    static = [rx.el.option(text, value=v) for v, text in options] if isinstance(options, list) else []
    dynamic = (
        []
        if isinstance(options, list)
        else [rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value))]
    )
    return rx.vstack(
        rx.el.label(label, html_for=select_id, font_weight="500"),
        rx.el.select(
            *([rx.el.option(placeholder, value="")] if placeholder else []),
            *static,
            *dynamic,
            id=select_id,
            value=value,
            on_change=on_change,
            aria_describedby=f"{select_id}-error",
            style=_SELECT_STYLE,
        ),
        field_error(error, field_id=select_id) if error is not None else rx.fragment(),
        spacing="1",
        width="100%",
    )


_VALUE_LABELS = {
    "npi": "New NPI",
    "tax_id": "New tax ID",
    "phone": "New phone number",
    "fax": "New fax number",
}


def _value_input(column: str, *, input_type: str = "text", hint: str = "") -> rx.Component:
    return labelled_input(
        _VALUE_LABELS.get(column, COLUMN_LABELS[column]),
        name=column,
        input_type=input_type,
        required=False,
        error=D.errors[column],
        hint=hint,
    )


def _new_values() -> rx.Component:
    return rx.match(
        D.field,
        ("npi", _value_input("npi", hint="10 digits; the last one is the check digit.")),
        ("tax_id", _value_input("tax_id", hint="9 digits, for example 12-3456789.")),
        (
            "address",
            rx.vstack(
                _value_input("address_line"),
                _value_input("city"),
                _value_input("state", hint="Two letters, for example IL."),
                _value_input("postal_code", hint="5 digits, or ZIP+4 written 62701-1234."),
                spacing="2",
                width="100%",
            ),
        ),
        ("phone", _value_input("phone", input_type="tel", hint="10 digits, for example 312-555-0142.")),
        (
            "fax",
            rx.vstack(
                _value_input("fax", input_type="tel", hint="10 digits, for example 312-555-0142."),
                rx.text(
                    "Letters with patient information are faxed to a new number only after it is confirmed "
                    "under Fax numbers.",
                    size="2",
                ),
                width="100%",
            ),
        ),
        rx.fragment(),
    )


def _request_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _select(
                "Provider or site",
                "field-change_target",
                value=D.target,
                on_change=D.choose_target,
                options=D.targets,
                placeholder="Choose a provider or site",
                error=D.errors["target"],
            ),
            _select(
                "What to change",
                "field-change_field",
                value=D.field,
                on_change=D.choose_field,
                options=FIELD_CHOICES,
                placeholder="Choose what to change",
                error=D.errors["field"],
            ),
            rx.cond(
                D.current_value != "", rx.text("On file now: ", rx.text.strong(D.current_value), size="2")
            ),
            _new_values(),
            labelled_input(
                "Takes effect on",
                name="effective_date",
                input_type="date",
                required=False,
                error=D.errors["effective_date"],
                hint="Today or a later day.",
            ),
            rx.vstack(
                rx.el.label("Reason (optional)", html_for="field-reason", font_weight="500"),
                rx.text_area(
                    id="field-reason", name="reason", width="100%", aria_describedby="field-reason-error"
                ),
                field_error(D.errors["reason"], field_id="field-reason"),
                spacing="1",
                width="100%",
            ),
            rx.button("Send the request to support", type="submit"),
            spacing="3",
            width="100%",
        ),
        id="change-request-form",
        on_submit=D.submit_request,
        reset_on_submit=False,
        width="100%",
    )


def _change_row(row: rx.Var[ChangeLine], *, with_target: bool) -> rx.Component:
    cells = [row.target_label] if with_target else []
    cells += [
        row.field_label,
        row.old_text,
        row.new_text,
        row.effective_date,
        row.status_label,
        (row.decision_note,),
        row.requested_at,
    ]
    return table_row(*cells)


_CHANGE_HEADERS = (
    "Change",
    "Old value",
    "New value",
    "Takes effect",
    "Status",
    "Support's note",
    "Requested",
)


def demographic_changes_page() -> rx.Component:
    return page_shell(
        page_heading("Provider and site changes"),
        rx.text(
            "Tell us about a new NPI, tax ID, address, phone or fax of a provider or site of your practice, "
            "including changes that take effect later. Support checks each request; the change is made on "
            "the day it takes effect.",
            size="2",
        ),
        problem_callout(D.message, color="green"),
        problem_callout(D.form_error),
        rx.heading("Ask for a change", size="4", as_="h2", margin_top="1em"),
        _request_form(),
        rx.cond(
            D.target != "",
            rx.vstack(
                rx.heading("History of ", D.target_label, size="4", as_="h2", margin_top="1.5em"),
                rx.cond(
                    D.history.length() == 0,
                    rx.text("No change has been asked for yet.", size="2"),
                    data_table(
                        "Change history",
                        _CHANGE_HEADERS,
                        rx.el.tbody(rx.foreach(D.history, lambda r: _change_row(r, with_target=False))),
                    ),
                ),
                width="100%",
            ),
        ),
        rx.heading("Your practice's requests", size="4", as_="h2", margin_top="1.5em"),
        rx.cond(
            D.total == 0,
            rx.text("No request yet.", size="2"),
            rx.vstack(
                data_table(
                    "Your practice's change requests",
                    ("Provider or site", *_CHANGE_HEADERS),
                    rx.el.tbody(rx.foreach(D.requests, lambda r: _change_row(r, with_target=True))),
                ),
                pager(D, "requests"),
                width="100%",
            ),
        ),
    )


# --- fax numbers ---


def _fax_row(row: rx.Var[FaxLine]) -> rx.Component:
    code_form = rx.form(
        rx.el.input(type="hidden", name="number", value=row.number),
        rx.hstack(
            rx.vstack(
                rx.el.label("Code from the test page to ", row.number, html_for="code-" + row.digits),
                rx.input(
                    id="code-" + row.digits,
                    name="code",
                    input_mode="numeric",
                    auto_complete="off",
                    max_length=6,
                    width="8em",
                ),
                spacing="1",
            ),
            rx.button(
                "Enter the code",
                type="submit",
                aria_label="Enter the code for " + row.number,
                margin_top="1.4em",
            ),
            align="start",
        ),
        on_submit=F.submit_code,
        reset_on_submit=True,
    )
    send = rx.button(
        "Send test page",
        type="button",
        variant="outline",
        on_click=F.send_test_page(row.number),
        aria_label="Send a test page to " + row.number,
    )
    actions = rx.match(
        row.status,
        ("code_sent", rx.vstack(code_form, send, spacing="2")),
        ("unconfirmed", send),
        ("rejected", send),
        rx.fragment(),
    )
    return table_row(row.number, row.used_for, rx.text.strong(row.status_label), row.next_step, actions)


def fax_confirmation_page() -> rx.Component:
    return page_shell(
        page_heading("Fax numbers for letters"),
        rx.text(
            "To keep patient information from reaching the wrong office, decision letters are faxed only to "
            "numbers that are confirmed. Until then they wait in our outbox, and you can read them in the "
            "portal.",
            size="2",
        ),
        notice_box(
            rx.heading("How a number is confirmed", size="3", as_="h2"),
            rx.el.ol(
                rx.el.li("Send a test page. It carries a 6-digit code and no patient information."),
                rx.el.li("Enter the code printed on the test page."),
                rx.el.li("Support checks the number and confirms it; letters held for it are then faxed."),
            ),
            color="blue",
        ),
        problem_callout(F.message, color="green"),
        problem_callout(F.error),
        rx.box(
            labelled_input(
                "Your name (who receives the test page)",
                name="fax_contact_name",
                value=F.contact_name,
                on_change=F.update_contact_name,
                required=False,
                error=F.errors["contact_name"],
            ),
            max_width="28em",
            margin_y="1em",
        ),
        rx.heading("Your practice's fax numbers", size="4", as_="h2"),
        rx.cond(
            F.numbers.length() == 0,
            rx.text("No fax number is on file for your practice.", size="2"),
            data_table(
                "Your practice's fax numbers",
                ("Number", "Used for", "Status", "Next step", "Actions"),
                rx.el.tbody(rx.foreach(F.numbers, _fax_row)),
            ),
        ),
        rx.heading("Another number", size="4", as_="h2", margin_top="1.5em"),
        rx.hstack(
            labelled_input(
                "Fax number",
                name="fax_new_number",
                input_type="tel",
                value=F.new_number,
                on_change=F.update_new_number,
                required=False,
                error=F.errors["new_number"],
                hint="10 digits, for example 312-555-0142.",
            ),
            rx.button(
                "Send test page",
                type="button",
                on_click=F.send_test_page_to_new_number,
                aria_label="Send a test page to the number typed",
                margin_top="2.6em",
            ),
            align="start",
            max_width="36em",
        ),
    )


# --- support ---


def _admin_change_row(row: rx.Var[ChangeLine]) -> rx.Component:
    label = "change request " + row.id.to_string()
    actions = rx.cond(
        row.status == "pending",
        rx.hstack(
            rx.button("Approve", size="1", on_click=A.approve_change(row.id), aria_label="Approve " + label),
            rx.button(
                "Reject",
                size="1",
                color_scheme="red",
                variant="outline",
                on_click=A.start_reject("change", row.id.to_string(), "Change request " + row.id.to_string()),
                aria_label="Reject " + label,
            ),
        ),
    )
    return table_row(
        row.id,
        row.target_label,
        row.field_label,
        row.old_text,
        row.new_text,
        row.effective_date,
        (row.reason,),
        row.requested_by,
        row.status_label,
        (row.decision_note,),
        actions,
    )


def _waiting_fax_row(row: rx.Var[WaitingLine]) -> rx.Component:
    actions = rx.hstack(
        rx.button(
            "Confirm", size="1", on_click=A.confirm_fax(row.digits), aria_label="Confirm " + row.number
        ),
        rx.button(
            "Reject",
            size="1",
            color_scheme="red",
            variant="outline",
            on_click=A.start_reject("fax", row.digits, "Fax number " + row.number),
            aria_label="Reject " + row.number,
        ),
    )
    return table_row(
        row.number,
        row.practice,
        row.contact_name,
        row.requested_by,
        row.code_entered_at,
        row.held_count,
        actions,
    )


def _reject_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reject: ", A.rejecting_label),
            rx.dialog.description("The office receives this note by e-mail."),
            rx.vstack(
                rx.el.label("Why it is rejected", html_for="field-reject-note", font_weight="500"),
                rx.text_area(
                    id="field-reject-note",
                    value=A.note,
                    on_change=A.update_note,
                    aria_describedby="field-reject-note-error",
                ),
                field_error(A.note_error, field_id="field-reject-note"),
                rx.hstack(
                    rx.button("Reject", on_click=A.confirm_reject, color_scheme="red"),
                    rx.button("Cancel", on_click=A.cancel_reject, variant="outline"),
                ),
                spacing="2",
                margin_top="1em",
            ),
        ),
        open=A.rejecting_kind != "",
    )


def admin_changes_page() -> rx.Component:
    return page_shell(
        page_heading("Changes and fax numbers"),
        problem_callout(A.message, color="green"),
        problem_callout(A.error),
        rx.heading("Fax numbers waiting for confirmation", size="4", as_="h2"),
        rx.text(
            "The office entered the code from the test page. Confirm only a number you have checked belongs "
            "to that office; confirming releases the letters held for it.",
            size="2",
        ),
        rx.cond(
            A.faxes.length() == 0,
            rx.text("No fax number is waiting.", size="2"),
            data_table(
                "Fax numbers waiting for confirmation",
                ("Number", "Practice", "Contact", "Asked by", "Code entered (UTC)", "Faxes held", "Actions"),
                rx.el.tbody(rx.foreach(A.faxes, _waiting_fax_row)),
            ),
        ),
        rx.heading("Provider and site change requests", size="4", as_="h2", margin_top="1.5em"),
        rx.box(
            _select(
                "Show requests",
                "field-change-status",
                value=A.status_filter,
                on_change=A.choose_status,
                options=STATUS_CHOICES,
            ),
            max_width="20em",
            margin_bottom="1em",
        ),
        rx.cond(
            A.total == 0,
            rx.text("No request to show.", size="2"),
            rx.vstack(
                data_table(
                    "Change requests",
                    (
                        "Request",
                        "Provider or site",
                        "Change",
                        "Old value",
                        "New value",
                        "Takes effect",
                        "Reason",
                        "Asked by",
                        "Status",
                        "Note",
                        "Actions",
                    ),
                    rx.el.tbody(rx.foreach(A.requests, _admin_change_row)),
                ),
                pager(A, "requests"),
                width="100%",
            ),
        ),
        _reject_dialog(),
    )


__all__ = ["Choice", "admin_changes_page", "demographic_changes_page", "fax_confirmation_page"]
