"""Support-admin pages."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.tables import data_table, table_row
from portal_app.state.admin import (
    FAX_STATUS_CHOICES,
    AuditLine,
    AuditLogState,
    FaxOutboxLine,
    OutboxLine,
    OutboxState,
    PendingRow,
    RegistrationsState,
)

R = RegistrationsState


def _pending_card(row: rx.Var[PendingRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(row.full_name, size="4", as_="h2"),
            rx.data_list.root(
                rx.data_list.item(rx.data_list.label("E-mail"), rx.data_list.value(row.email)),
                rx.data_list.item(rx.data_list.label("Username"), rx.data_list.value(row.username)),
                rx.data_list.item(rx.data_list.label("Role"), rx.data_list.value(row.role_label)),
                rx.data_list.item(
                    rx.data_list.label("Phone / fax"), rx.data_list.value(row.phone + " / " + row.fax)
                ),
                rx.data_list.item(rx.data_list.label("Registered"), rx.data_list.value(row.registered_on)),
                rx.data_list.item(rx.data_list.label("Tax IDs"), rx.data_list.value(row.tax_ids)),
            ),
            rx.cond(
                row.unknown_tax_ids != "",
                rx.callout(
                    "Tax IDs unknown to the portal: " + row.unknown_tax_ids, color_scheme="amber", size="1"
                ),
            ),
            rx.hstack(
                rx.button(
                    "Approve", on_click=R.approve_registration(row.user_id), aria_label="Approve " + row.email
                ),
                rx.button(
                    "Reject",
                    on_click=R.start_reject(row.user_id),
                    color_scheme="red",
                    variant="outline",
                    aria_label="Reject " + row.email,
                ),
            ),
            spacing="2",
        ),
        width="100%",
    )


def _reject_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reject the registration"),
            rx.dialog.description("The registrant receives this reason by e-mail."),
            rx.vstack(
                rx.el.label("Reason for rejecting", html_for="field-reject-reason", font_weight="500"),
                rx.text_area(
                    id="field-reject-reason", value=R.reject_reason, on_change=R.update_reject_reason
                ),
                problem_callout(R.error),
                rx.hstack(
                    rx.button("Reject registration", on_click=R.confirm_reject, color_scheme="red"),
                    rx.button("Cancel", on_click=R.cancel_reject, variant="outline"),
                ),
                spacing="2",
                margin_top="1em",
            ),
        ),
        open=R.rejecting_user_id != 0,
    )


def registrations_page() -> rx.Component:
    return page_shell(
        page_heading("Pending registrations"),
        problem_callout(R.message, color="green"),
        problem_callout(R.error),
        rx.cond(
            R.pending.length() == 0,
            rx.text("No registration is waiting for approval."),
            rx.vstack(rx.foreach(R.pending, _pending_card), spacing="3", width="100%"),
        ),
        _reject_dialog(),
    )


def _audit_row(row: rx.Var[AuditLine]) -> rx.Component:
    return table_row(row.occurred_at, row.user, row.action, row.record, row.outcome, row.client_address)


def _pager(state, label: str) -> rx.Component:
    return rx.hstack(
        rx.button("Previous page", on_click=state.turn_page(-1), disabled=state.page == 0, variant="outline"),
        rx.text(
            "Page ", state.page + 1, " of ", state.page_count, " (", state.total, " ", label, ")", size="2"
        ),
        rx.button(
            "Next page",
            on_click=state.turn_page(1),
            disabled=state.page + 1 >= state.page_count,
            variant="outline",
        ),
        align="center",
    )


def audit_page() -> rx.Component:
    A = AuditLogState
    return page_shell(
        page_heading("Audit log"),
        rx.form(
            rx.hstack(
                labelled_input("User e-mail contains", name="user_email", required=False),
                labelled_input("Record (type:id or id)", name="record", required=False),
                labelled_input("From date", name="date_from", input_type="date", required=False),
                labelled_input("To date", name="date_to", input_type="date", required=False),
                rx.button("Filter", type="submit", margin_top="1.6em"),
                align="start",
                wrap="wrap",
            ),
            on_submit=A.apply_filter,
            reset_on_submit=False,
        ),
        problem_callout(A.error),
        # A plain table in a focusable scrolling region: long actions and records make it wider than the page.
        data_table(
            "Audit events",
            ("When (UTC)", "User", "Action", "Record", "Outcome", "From"),
            rx.el.tbody(rx.foreach(A.rows, _audit_row)),
        ),
        _pager(A, "events"),
    )


def _mail(mail: rx.Var[OutboxLine]) -> rx.Component:
    return table_row(
        mail.created_at, mail.to_address, mail.kind, rx.cond(mail.sent, "Sent", "Not sent (no SMTP server)")
    )


def _fax_row(fax: rx.Var[FaxOutboxLine]) -> rx.Component:
    return table_row(
        fax.number,
        fax.subject,
        rx.text.strong(fax.status_label),
        fax.held_reason,
        fax.created_at,
        fax.released_at,
    )


def _fax_section() -> rx.Component:
    O = OutboxState
    return rx.vstack(
        rx.heading("Faxes", size="5", as_="h2"),
        rx.text(
            "Letters with patient information wait here, held, until their fax number is confirmed. "
            "Without a fax service, released faxes stop here too.",
            size="2",
        ),
        rx.vstack(
            rx.el.label("Show faxes", html_for="field-fax-status", font_weight="500"),
            rx.el.select(
                *[rx.el.option(text, value=value) for value, text in FAX_STATUS_CHOICES],
                id="field-fax-status",
                value=O.fax_status,
                on_change=O.choose_fax_status,
                style={"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
            ),
            spacing="1",
        ),
        rx.cond(
            O.fax_total == 0,
            rx.text("No fax to show.", size="2"),
            data_table(
                "Faxes",
                ("To number", "Subject", "Status", "Why held", "Created (UTC)", "Released (UTC)"),
                rx.el.tbody(rx.foreach(O.faxes, _fax_row)),
            ),
        ),
        rx.hstack(
            rx.button(
                "Previous fax page", on_click=O.turn_fax_page(-1), disabled=O.fax_page == 0, variant="outline"
            ),
            rx.text(
                "Page ", O.fax_page + 1, " of ", O.fax_page_count, " (", O.fax_total, " faxes)", size="2"
            ),
            rx.button(
                "Next fax page",
                on_click=O.turn_fax_page(1),
                disabled=O.fax_page + 1 >= O.fax_page_count,
                variant="outline",
            ),
            align="center",
        ),
        spacing="3",
        width="100%",
        margin_bottom="2em",
    )


def outbox_page() -> rx.Component:
    return page_shell(
        page_heading("Outbox"),
        _fax_section(),
        rx.heading("E-mails", size="5", as_="h2"),
        rx.text(
            "The newest outgoing e-mails (",
            OutboxState.total,
            " in all): who was mailed which kind of message, and when. Message contents are not "
            "shown here: they may hold sign-in links or codes.",
            size="2",
        ),
        data_table(
            "E-mails",
            ("Created (UTC)", "To", "Kind", "Delivery"),
            rx.el.tbody(rx.foreach(OutboxState.mails, _mail)),
        ),
    )
