"""The order summary (printable), my orders, and the servicing providers' verification page."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import labelled_input, labelled_upload, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.survey import survey_prompt
from portal_app.domain.enums import OrderStatus
from portal_app.pages.conversation import notices_panel, office_conversation_section
from portal_app.state.orders import LineRow, MyOrdersState, OrderListRow, OrderSummaryState, Pair, VerifyState

O = OrderSummaryState


def _item(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _line(line: rx.Var[LineRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(line.code, " — ", line.description, size="3", as_="h3"),
            rx.text(rx.text.strong("Decision: "), line.decision),
            rx.cond(line.reason != "", rx.text(rx.text.strong("Why: "), line.reason)),
            rx.cond(line.citation != "", rx.text(rx.text.strong("Guideline: "), line.citation, size="2")),
            rx.cond(
                line.valid_until != "",
                rx.text(rx.text.strong("Valid: "), line.valid_from, " to ", line.valid_until),
            ),
            rx.cond(
                line.criteria.length() > 0,
                rx.el.ul(
                    rx.foreach(line.criteria, lambda c: rx.el.li(rx.text(c, size="2"))),
                    aria_label="Criteria for " + line.code,
                ),
            ),
            spacing="1",
        ),
        role="group",
        aria_label="Requested " + line.code,
        width="100%",
    )


def _detail(pair: rx.Var[Pair]) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(pair.label), rx.data_list.value(pair.value))


def _upload_as() -> rx.Component:
    """Which listed document the files are (the reviewer sees which arrived)."""
    return rx.cond(
        O.needed_choices.length() > 0,
        rx.vstack(
            rx.el.label("These files are", html_for="field-upload_as", font_weight="500"),
            rx.el.select(
                rx.el.option("Another document", value=""),
                rx.foreach(O.needed_choices, lambda c: rx.el.option(c.label, value=c.value)),
                id="field-upload_as",
                value=O.upload_as,
                on_change=O.choose_upload_as,
            ),
            width="100%",
        ),
    )


def _uploads() -> rx.Component:
    return rx.vstack(
        _upload_as(),
        labelled_upload(
            "Choose documents to upload",
            rx.vstack(
                rx.text("Drop PDF, PNG, JPEG or TIFF files here (20 MB each at most), or"),
                rx.button("Choose files", type="button", variant="outline"),
                align="center",
            ),
            upload_id="documents",
            border="1px dashed var(--gray-7)",
            padding="1em",
            width="100%",
        ),
        rx.hstack(rx.foreach(rx.selected_files("documents"), lambda name: rx.badge(name))),
        rx.button(
            "Upload documents",
            on_click=O.upload_documents(rx.upload_files(upload_id="documents")),
            loading=O.uploading,
        ),
        spacing="3",
        width="100%",
    )


def _send_documents() -> rx.Component:
    """After a denial: documents instead of a reconsideration in words (seeds 002 and 003)."""
    return rx.cond(
        O.may_send_documents,
        rx.form(
            rx.vstack(
                rx.heading("Send supporting documents", size="4", as_="h2"),
                rx.text(O.documents_review_text, size="2"),
                rx.text("Upload the documents above, then send them to a physician reviewer.", size="2"),
                rx.el.label(
                    "Note for the physician (optional)", html_for="field-documents_note", font_weight="500"
                ),
                rx.text_area(id="field-documents_note", name="documents_note", width="100%"),
                rx.button("Send the documents for review", type="submit"),
                width="100%",
            ),
            on_submit=O.send_documents,
            reset_on_submit=True,
            width="100%",
        ),
    )


def _update_section() -> rx.Component:
    return rx.cond(
        O.summary.can_update | O.may_send_documents,
        rx.vstack(
            rx.heading("Add information", size="4", as_="h2"),
            rx.cond(
                O.summary.can_update,
                rx.form(
                    rx.vstack(
                        rx.el.label(
                            "Clinical information", html_for="field-clinical_information", font_weight="500"
                        ),
                        rx.text_area(
                            id="field-clinical_information", name="clinical_information", width="100%"
                        ),
                        rx.button("Add to the order", type="submit"),
                        width="100%",
                    ),
                    on_submit=O.add_information,
                    reset_on_submit=True,
                    width="100%",
                ),
            ),
            _uploads(),
            _send_documents(),
            spacing="3",
            width="100%",
            class_name="no-print",
        ),
    )


def _listed_documents() -> rx.Component:
    return rx.cond(
        O.documents_needed.length() > 0,
        rx.vstack(
            rx.heading("Documents that support this request", size="4", as_="h2"),
            rx.el.ul(
                rx.foreach(
                    O.documents_needed,
                    lambda d: rx.el.li(rx.text(d.label, " — ", rx.text.strong(d.value), size="2")),
                ),
                aria_label="Documents that support this request",
            ),
            width="100%",
        ),
    )


def _alternate_sites() -> rx.Component:
    return rx.cond(
        O.alternate_sites.length() > 0,
        rx.vstack(
            rx.heading("Where the exam can be done instead", size="4", as_="h2"),
            rx.text(
                "The hospital setting was not approved. These in-network sites outside a hospital can do the "
                "exam (quality score and distance from the member's home):",
                size="2",
            ),
            rx.el.ul(rx.foreach(O.alternate_sites, lambda a: rx.el.li(a)), aria_label="Alternate sites"),
            width="100%",
        ),
    )


def _cancel_section() -> rx.Component:
    return rx.cond(
        O.summary.can_cancel,
        rx.box(
            rx.button(
                "Cancel this order", color_scheme="red", variant="outline", on_click=O.open_cancel(True)
            ),
            rx.dialog.root(
                rx.dialog.content(
                    rx.dialog.title("Cancel the order"),
                    rx.dialog.description("The order and its history stay on file with the new status."),
                    rx.form(
                        rx.vstack(
                            rx.el.fieldset(
                                rx.el.legend("Kind of cancellation"),
                                rx.el.label(
                                    rx.el.input(
                                        type="radio", name="cancel_kind", value="cancel", default_checked=True
                                    ),
                                    " Cancelled by the office",
                                ),
                                rx.el.label(
                                    rx.el.input(type="radio", name="cancel_kind", value="error"),
                                    " Entered in error",
                                ),
                                style={
                                    "display": "flex",
                                    "flex_direction": "column",
                                    "gap": "0.3em",
                                    "border": "none",
                                },
                            ),
                            labelled_input("Reason", name="cancel_reason"),
                            rx.hstack(
                                rx.button("Confirm cancellation", type="submit", color_scheme="red"),
                                rx.button(
                                    "Keep the order",
                                    type="button",
                                    variant="outline",
                                    on_click=O.open_cancel(False),
                                ),
                            ),
                            spacing="3",
                        ),
                        on_submit=O.cancel,
                    ),
                ),
                open=O.cancel_open,
            ),
            class_name="no-print",
        ),
    )


def _peer_to_peer_section() -> rx.Component:
    return rx.cond(
        O.p2p_slots.length() > 0,
        rx.vstack(
            rx.heading("Peer-to-peer conversation", size="4", as_="h2"),
            rx.text(
                "A physician reviewer offers to discuss this request with the ordering physician. "
                "Choose a time and the number to call.",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    rx.el.fieldset(
                        rx.el.legend("Times offered (UTC)", font_weight="500"),
                        rx.foreach(
                            O.p2p_slots,
                            lambda slot: rx.el.label(
                                rx.el.input(
                                    type="radio", name="appointment_id", value=slot.value, required=True
                                ),
                                " ",
                                slot.label,
                                style={"display": "flex", "gap": "0.5em"},
                            ),
                        ),
                        style={"border": "none", "padding": "0"},
                    ),
                    labelled_input("Number to call", name="callback_phone", input_type="tel"),
                    rx.button("Schedule the conversation", type="submit"),
                ),
                on_submit=O.choose_slot,
            ),
            class_name="no-print",
            width="100%",
        ),
    )


def _reconsideration_section() -> rx.Component:
    return rx.cond(
        (O.summary.status_code == "non_authorized") | (O.summary.status_code == "multiple_decisions"),
        rx.vstack(
            rx.heading(
                rx.cond(O.may_reconsider, "Ask for a reconsideration", "Appeal the decision"),
                size="4",
                as_="h2",
            ),
            rx.text(O.reconsideration_text, size="2"),
            rx.form(
                rx.vstack(
                    rx.el.label("Additional information", html_for="field-information", font_weight="500"),
                    rx.text_area(id="field-information", name="information", width="100%"),
                    rx.button(
                        rx.cond(O.may_reconsider, "Request reconsideration", "File an appeal"), type="submit"
                    ),
                    width="100%",
                ),
                on_submit=O.ask_again,
                reset_on_submit=True,
                width="100%",
            ),
            class_name="no-print",
            width="100%",
        ),
    )


# The browser's own address: the summary is drawn only for the order it names, so the page never shows
# the order seen before for the moment the new one takes to load (that may be another patient's).
_ADDRESS = rx.Var(
    "(typeof window === 'undefined' ? '' : decodeURIComponent(window.location.pathname).replace(/\\/+$/, ''))"
).to(str)


def _showing_the_addressed_order() -> rx.Var:
    return O.found & _ADDRESS.lower().endswith("/orders/" + O.summary.order_number.lower())


def order_summary_page() -> rx.Component:
    shown = _showing_the_addressed_order()
    return page_shell(
        page_heading("Order summary"),
        problem_callout(O.error),
        problem_callout(O.message, color="green"),
        rx.cond(shown, notices_panel()),
        rx.cond(
            shown,
            rx.vstack(
                rx.hstack(
                    rx.badge(O.summary.status, size="3", color_scheme="teal"),
                    rx.spacer(),
                    rx.button(
                        "Print",
                        variant="outline",
                        on_click=rx.call_script("window.print()"),
                        class_name="no-print",
                    ),
                    width="100%",
                ),
                rx.cond(
                    O.summary.duplicate_of != "",
                    rx.callout(
                        "Submitted although a similar request is on file: " + O.summary.duplicate_of,
                        color_scheme="amber",
                    ),
                ),
                rx.data_list.root(
                    _item("Order number", O.summary.order_number),
                    _item("Case status", O.summary.status),
                    _item("Program", O.summary.program),
                    _item("Health plan", O.summary.plan_name),
                    _item("Member", O.summary.member_name),
                    _item("Member ID", O.summary.member_number),
                    _item("Date of birth", O.summary.member_birth_date),
                    _item("Ordering provider", O.summary.ordering_provider),
                    _item("Servicing provider or facility", O.summary.servicing),
                    _item("Letters to", O.summary.letter_address + " · fax " + O.summary.letter_fax),
                    _item("Urgency", O.summary.urgency),
                    _item("Date of service", O.summary.service_start),
                    _item("Submitted", O.summary.submitted_at),
                ),
                rx.cond(
                    O.summary.added_to_order != "",
                    rx.text(
                        rx.text.strong("Added on the day of service to order "), O.summary.added_to_order
                    ),
                ),
                rx.cond(
                    O.summary.cancel_reason != "",
                    rx.text(rx.text.strong("Cancellation reason: "), O.summary.cancel_reason),
                ),
                rx.heading("Request details", size="4", as_="h2"),
                rx.data_list.root(rx.foreach(O.details, _detail)),
                rx.heading("Diagnoses", size="4", as_="h2"),
                rx.el.ol(rx.foreach(O.diagnoses, lambda d: rx.el.li(d)), aria_label="Diagnoses"),
                rx.heading("Decisions", size="4", as_="h2"),
                rx.foreach(O.lines, _line),
                _alternate_sites(),
                _listed_documents(),
                survey_prompt(),
                rx.cond(
                    O.documents.length() > 0,
                    rx.vstack(
                        rx.heading("Documents and letters", size="4", as_="h2"),
                        rx.el.ul(
                            rx.foreach(
                                O.documents,
                                lambda d: rx.el.li(
                                    rx.el.a(
                                        d.label, href="/documents/" + d.value, target="_blank", rel="noopener"
                                    )
                                ),
                            ),
                            aria_label="Documents",
                        ),
                    ),
                ),
                _peer_to_peer_section(),
                office_conversation_section(),
                _reconsideration_section(),
                rx.cond(
                    O.notes.length() > 0,
                    rx.vstack(
                        rx.heading("Information added", size="4", as_="h2"),
                        rx.el.ul(rx.foreach(O.notes, lambda n: rx.el.li(n)), aria_label="Information added"),
                    ),
                ),
                _update_section(),
                _cancel_section(),
                spacing="4",
                width="100%",
            ),
        ),
    )


def _order_row(row: rx.Var[OrderListRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.order_number, href="/orders/" + row.order_number)),
        rx.table.cell(row.status),
        rx.table.cell(row.program),
        rx.table.cell(row.member_name),
        rx.table.cell(row.member_number),
        rx.table.cell(row.service_start),
        rx.table.cell(row.submitted_on),
    )


def _status_select() -> rx.Component:
    return rx.vstack(
        rx.el.label("Status", html_for="field-status", font_weight="500"),
        rx.el.select(
            rx.el.option("Any status", value=""),
            *[rx.el.option(s.label, value=s.value) for s in OrderStatus if s != OrderStatus.DRAFT],
            id="field-status",
            name="status",
            style={"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
        ),
        spacing="1",
    )


def my_orders_page() -> rx.Component:
    M = MyOrdersState
    return page_shell(
        page_heading("My orders"),
        rx.hstack(
            rx.link(
                rx.button("Start a new request", tab_index=-1),
                href=routes.ORDER_NEW,
                aria_label="Start a new request",
            )
        ),
        rx.cond(
            M.drafts.length() > 0,
            rx.vstack(
                rx.heading("Drafts", size="4", as_="h2"),
                rx.el.ul(
                    rx.foreach(
                        M.drafts,
                        lambda d: rx.el.li(
                            rx.link("Continue: " + d.label, href=routes.ORDER_NEW + "?draft=" + d.value)
                        ),
                    )
                ),
            ),
        ),
        rx.form(
            rx.hstack(
                labelled_input("Order number", name="order_number", required=False),
                labelled_input("Member ID or last name", name="member", required=False),
                _status_select(),
                labelled_input("Submitted from", name="submitted_from", input_type="date", required=False),
                labelled_input("Submitted to", name="submitted_to", input_type="date", required=False),
                rx.button("Search", type="submit", margin_top="1.6em"),
                wrap="wrap",
                align="start",
            ),
            on_submit=M.apply_filter,
            reset_on_submit=False,
            margin_y="1em",
        ),
        rx.table.root(
            rx.el.caption("Orders", class_name="visually-hidden"),
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in (
                            "Order number",
                            "Status",
                            "Program",
                            "Member",
                            "Member ID",
                            "Date of service",
                            "Submitted",
                        )
                    ]
                )
            ),
            rx.table.body(rx.foreach(M.rows, _order_row)),
            width="100%",
        ),
        rx.hstack(
            rx.button("Previous page", on_click=M.turn_page(-1), disabled=M.page == 0, variant="outline"),
            rx.text("Page ", M.page + 1, " of ", M.page_count, " (", M.total, " orders)", size="2"),
            rx.button(
                "Next page", on_click=M.turn_page(1), disabled=M.page + 1 >= M.page_count, variant="outline"
            ),
            align="center",
            margin_top="1em",
        ),
    )


def _added_procedure(V) -> rx.Component:
    """Seed 001: an extra procedure done on the day of an approved one, asked for within 2 business days."""
    return rx.form(
        rx.vstack(
            rx.heading("Add a procedure performed the same day", size="4", as_="h2"),
            rx.text(
                "If another procedure needing authorization was performed on the day of this approved one, "
                "request it within 2 business days. It is linked to this order and the ordering office is "
                "told.",
                size="2",
            ),
            rx.hstack(
                labelled_input("Procedure code", name="added_code"),
                labelled_input("Date performed", name="performed_on", input_type="date"),
                wrap="wrap",
            ),
            rx.el.label("Clinical information", html_for="field-added_information", font_weight="500"),
            rx.text_area(id="field-added_information", name="added_information", width="100%"),
            rx.button("Request the added procedure", type="submit"),
            problem_callout(V.added_message, color="green"),
            width="100%",
        ),
        on_submit=V.add_procedure,
        width="100%",
    )


def verify_page() -> rx.Component:
    V = VerifyState
    return page_shell(
        page_heading("Verify an order"),
        rx.text(
            "Enter the order number and the member ID. For an order of another practice, add the "
            "member's date of birth and the servicing provider's or facility's NPI.",
            size="2",
        ),
        rx.form(
            rx.hstack(
                labelled_input("Order number", name="order_number", default_value=V.asked_order),
                labelled_input("Member ID", name="member_number"),
                labelled_input("Member date of birth", name="birth_date", input_type="date", required=False),
                labelled_input("Servicing NPI", name="servicing_npi", required=False),
                rx.button("Verify", type="submit", margin_top="1.6em"),
                align="start",
                wrap="wrap",
            ),
            on_submit=V.verify,
            reset_on_submit=False,
            margin_y="1em",
        ),
        rx.cond(V.error != "", rx.callout(V.error, color_scheme="red", role="alert")),
        rx.cond(
            V.checked,
            rx.cond(
                V.found,
                rx.vstack(
                    rx.card(
                        rx.data_list.root(
                            _item("Order number", V.order_number),
                            _item("Status", V.status),
                            _item("Procedures", V.procedures),
                            _item("Valid", V.valid),
                        ),
                        role="status",
                    ),
                    rx.cond(V.is_renderer, _added_procedure(V)),
                    width="100%",
                ),
                rx.callout(
                    "No order matches that order number and member ID. For another practice's order, "
                    "the date of birth and the servicing NPI must match too.",
                    color_scheme="amber",
                    role="status",
                ),
            ),
        ),
    )
