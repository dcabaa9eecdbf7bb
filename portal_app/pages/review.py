"""Reviewer pages: queues ordered by due time, and the case view with its actions."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import native_select, pager
from portal_app.domain.enums import Program, Urgency
from portal_app.pages.case_compliance import compliance_panel
from portal_app.pages.conversation import queue_top
from portal_app.state.review import CaseLineView, CaseState, Entry, QueueLine, ReviewQueueState

Q = ReviewQueueState
C = CaseState


def _queue_row(row: rx.Var[QueueLine]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.order_number, href="/review/case/" + row.order_number)),
        rx.table.cell(row.program),
        rx.table.cell(row.plan_name),
        rx.table.cell(row.member_name),
        rx.table.cell(row.urgency),
        rx.table.cell(row.kind),
        rx.table.cell(row.due_at),
        rx.table.cell(
            rx.cond(row.overdue, rx.badge(row.time_left, color_scheme="red"), rx.text(row.time_left))
        ),
        rx.table.cell(row.assignee),
        rx.table.cell(row.status),
        rx.table.cell(rx.cond(row.flag != "", rx.badge(row.flag, color_scheme="orange"), "")),
        rx.table.cell(
            rx.button(
                "Claim",
                size="1",
                variant="outline",
                on_click=Q.claim(row.task_id, row.order_number),
                aria_label="Claim " + row.order_number,
            )
        ),
    )


def queue_page() -> rx.Component:
    return page_shell(
        page_heading("Review queue"),
        rx.hstack(
            rx.button(
                "Nurse queue",
                variant=rx.cond(Q.queue == "nurse", "solid", "outline"),
                on_click=Q.choose_queue("nurse"),
            ),
            rx.button(
                "Physician queue",
                variant=rx.cond(Q.queue == "physician", "solid", "outline"),
                on_click=Q.choose_queue("physician"),
            ),
            rx.spacer(),
        ),
        rx.form(
            rx.hstack(
                native_select(
                    "Program", "program", [("", "All programs")] + [(p.value, p.label) for p in Program]
                ),
                native_select("Plan", "plan_id", [("", "All plans")], dynamic=Q.plans),
                native_select(
                    "Urgency", "urgency", [("", "Any urgency")] + [(u.value, u.label) for u in Urgency]
                ),
                native_select(
                    "Status", "status", [("", "Open or claimed"), ("open", "Open"), ("claimed", "Claimed")]
                ),
                native_select(
                    "Assigned to", "assignee", [("", "Anyone"), ("me", "Me"), ("unassigned", "Nobody")]
                ),
                native_select("Order", "sort", [("due", "Due soonest first"), ("-due", "Due latest first")]),
                rx.button("Filter", type="submit", margin_top="1.6em"),
                wrap="wrap",
                align="start",
            ),
            on_submit=Q.apply_filter,
            reset_on_submit=False,
            margin_y="1em",
        ),
        problem_callout(Q.error),
        queue_top(),
        rx.table.root(
            rx.el.caption("Cases", class_name="visually-hidden"),
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in (
                            "Order",
                            "Program",
                            "Plan",
                            "Member",
                            "Urgency",
                            "Kind",
                            "Due (UTC)",
                            "Time left",
                            "Assigned to",
                            "Status",
                            "Flag",
                            "",
                        )
                    ]
                )
            ),
            rx.table.body(rx.foreach(Q.rows, _queue_row)),
            width="100%",
        ),
        pager(Q, "cases"),
    )


def _item(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _criteria(line: rx.Var[CaseLineView]) -> rx.Component:
    return rx.el.ul(
        rx.foreach(
            line.criteria,
            lambda c: rx.el.li(
                rx.text(
                    rx.text.strong(c.met),
                    " — ",
                    c.criterion_id,
                    ": ",
                    c.text,
                    " (",
                    c.citation,
                    ")",
                    size="2",
                )
            ),
        ),
        aria_label="Rules engine criteria for " + line.code,
    )


def _line_card(line: rx.Var[CaseLineView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(
                "Line ", line.line_number, ": ", line.code, " — ", line.description, size="3", as_="h3"
            ),
            rx.text(rx.text.strong("Decision: "), line.decision),
            rx.cond(line.reason != "", rx.text(rx.text.strong("Why: "), line.reason, size="2")),
            rx.cond(
                line.guideline_version != "",
                rx.text(rx.text.strong("Criteria applied: "), line.guideline_version, size="2"),
            ),
            _criteria(line),
            rx.hstack(
                rx.cond(
                    C.can["approve"],
                    rx.button(
                        "Approve",
                        size="1",
                        on_click=C.open_action("approve", line.line_number),
                        aria_label="Approve line " + line.line_number.to_string(),
                    ),
                ),
                rx.cond(
                    C.can["partially_approve"],
                    rx.button(
                        "Partially approve",
                        size="1",
                        variant="outline",
                        on_click=C.open_action("partially_approve", line.line_number),
                        aria_label="Partially approve line " + line.line_number.to_string(),
                    ),
                ),
                rx.cond(
                    C.can["deny"],
                    rx.button(
                        "Deny",
                        size="1",
                        color_scheme="red",
                        variant="outline",
                        on_click=C.open_action("deny", line.line_number),
                        aria_label="Deny line " + line.line_number.to_string(),
                    ),
                ),
            ),
            spacing="2",
        ),
        width="100%",
    )


def _text_area(label: str, name: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"field-{name}", font_weight="500"),
        rx.text_area(id=f"field-{name}", name=name, width="100%"),
        width="100%",
    )


def _reason_select() -> rx.Component:
    return rx.vstack(
        rx.el.label("Specific reason", html_for="field-reason_code", font_weight="500"),
        rx.el.select(
            rx.foreach(C.reason_choices, lambda e: rx.el.option(e.value, value=e.key)),
            id="field-reason_code",
            name="reason_code",
            style={"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
        ),
        width="100%",
    )


def _slot_input(index: int) -> rx.Component:
    """A time to offer; its suggestion comes from the clock when the case is opened (state), not when
    the app is built."""
    name = f"slot_{index}"
    return rx.vstack(
        rx.el.label(f"Time {index} (UTC)", html_for=f"field-{name}", font_weight="500"),
        rx.el.input(
            id=f"field-{name}", name=name, type="datetime-local", default_value=C.slot_defaults[index - 1]
        ),
    )


def _saving_status() -> rx.Component:
    """Always in the page, so that screen readers announce the text when saving starts."""
    return rx.box(
        rx.cond(C.saving != "", rx.hstack(rx.spinner(), rx.text(C.saving, size="2"), align="center")),
        role="status",
        width="100%",
    )


def _action_form() -> rx.Component:
    titles = {
        "approve": "Approve the line",
        "request_information": "Request more information",
        "escalate": "Escalate to a physician",
        "deny": "Deny the line",
        "partially_approve": "Partially approve the line",
        "offer_peer_to_peer": "Offer a peer-to-peer conversation",
        "record_peer_to_peer": "Record the peer-to-peer outcome",
        "withdraw_duplicate": "Withdraw the case as a duplicate",
    }
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.match(C.action, *titles.items(), "")),
            rx.dialog.description("The decision is recorded with your name and the time."),
            rx.form(
                rx.vstack(
                    rx.cond((C.action == "deny") | (C.action == "partially_approve"), _reason_select()),
                    rx.cond(
                        C.action == "partially_approve",
                        rx.vstack(
                            rx.el.label(
                                "Quantity approved", html_for="field-approved_quantity", font_weight="500"
                            ),
                            rx.el.input(
                                id="field-approved_quantity", name="approved_quantity", type="number", min=1
                            ),
                        ),
                    ),
                    rx.cond(
                        C.action == "offer_peer_to_peer",
                        rx.vstack(_slot_input(1), _slot_input(2), _slot_input(3)),
                    ),
                    rx.cond(
                        C.action == "record_peer_to_peer",
                        rx.vstack(
                            rx.el.label("Appointment", html_for="field-appointment_id", font_weight="500"),
                            rx.el.select(
                                rx.foreach(C.peer_to_peer, lambda e: rx.el.option(e.value, value=e.key)),
                                id="field-appointment_id",
                                name="appointment_id",
                            ),
                            rx.el.label(
                                "Did the conversation take place?", html_for="field-held", font_weight="500"
                            ),
                            rx.el.select(
                                rx.el.option("Yes, we spoke", value="yes"),
                                rx.el.option("No, it was missed (nobody could be reached)", value="no"),
                                id="field-held",
                                name="held",
                            ),
                        ),
                    ),
                    rx.cond(C.action != "offer_peer_to_peer", _text_area("Explanation or message", "text")),
                    problem_callout(C.error),
                    _saving_status(),
                    rx.hstack(
                        rx.button(
                            rx.cond(C.saving != "", C.saving, "Confirm"),
                            type="submit",
                            disabled=C.saving != "",
                        ),
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="outline",
                            on_click=C.open_action("", 0),
                            disabled=C.saving != "",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=C.submit_action,
                reset_on_submit=True,
                aria_busy=rx.cond(C.saving != "", "true", "false"),
            ),
        ),
        open=C.action != "",
    )


def _case_actions() -> rx.Component:
    return rx.hstack(
        rx.cond(C.can["claim"], rx.button("Claim this case", on_click=C.claim)),
        rx.cond(
            C.can["request_information"],
            rx.button(
                "Request information", variant="outline", on_click=C.open_action("request_information", 0)
            ),
        ),
        rx.cond(
            C.can["escalate"],
            rx.button("Escalate to physician", variant="outline", on_click=C.open_action("escalate", 0)),
        ),
        rx.cond(
            C.can["offer_peer_to_peer"],
            rx.button(
                "Offer peer-to-peer", variant="outline", on_click=C.open_action("offer_peer_to_peer", 0)
            ),
        ),
        rx.cond(
            C.can["record_peer_to_peer"],
            rx.button(
                "Record peer-to-peer outcome",
                variant="outline",
                on_click=C.open_action("record_peer_to_peer", 0),
            ),
        ),
        rx.cond(
            C.can["withdraw_duplicate"],
            rx.button(
                "Withdraw as duplicate of " + C.case.duplicate_of,
                variant="outline",
                color_scheme="gray",
                on_click=C.open_action("withdraw_duplicate", 0),
            ),
        ),
        wrap="wrap",
    )


def _list(title: str, items, label: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4", as_="h2"),
        rx.cond(
            items.length() > 0,
            rx.el.ul(rx.foreach(items, lambda i: rx.el.li(rx.text(i, size="2"))), aria_label=label),
            rx.text("None.", size="2"),
        ),
        width="100%",
    )


def _document(entry: rx.Var[Entry]) -> rx.Component:
    return rx.el.li(rx.el.a(entry.value, href="/documents/" + entry.key, target="_blank", rel="noopener"))


def case_page() -> rx.Component:
    return page_shell(
        page_heading("Case review"),
        problem_callout(C.message, color="green"),
        rx.cond(C.action == "", problem_callout(C.error)),
        rx.cond(
            C.found,
            rx.vstack(
                rx.hstack(
                    rx.badge(C.case.status, size="3"),
                    rx.badge(C.case.urgency, size="3", color_scheme="amber"),
                    rx.text(
                        "Due ",
                        C.case.due_at,
                        " · ",
                        C.case.task_queue,
                        " queue · ",
                        C.case.task_kind,
                        " · assigned to ",
                        C.case.task_assignee,
                        size="2",
                    ),
                ),
                rx.cond(
                    C.case.flag != "",
                    rx.callout(
                        rx.text(rx.text.strong(C.case.flag, ": "), C.case.flag_note),
                        color_scheme="orange",
                        role="status",
                        aria_label="Why this case stands out",
                    ),
                ),
                rx.cond(
                    C.case.waiting_for_office != "",
                    rx.text("Waiting for the office: ", C.case.waiting_for_office, size="2"),
                ),
                _case_actions(),
                compliance_panel(),
                rx.data_list.root(
                    _item("Order number", C.case.order_number),
                    _item("Program", C.case.program),
                    _item("Health plan", C.case.plan_name),
                    _item("Member", C.case.member_name),
                    _item("Member ID", C.case.member_number),
                    _item("Date of birth", C.case.member_birth_date),
                    _item("Date of service", C.case.service_start),
                    _item("Submitted", C.case.submitted_at),
                    _item("Ordering provider", C.case.ordering_provider),
                    _item("Servicing", C.case.servicing),
                    _item("Urgency reason", C.case.urgency_reason),
                ),
                rx.heading("Request details", size="4", as_="h2"),
                rx.data_list.root(rx.foreach(C.details, lambda e: _item_var(e))),
                _list("Diagnoses", C.diagnoses, "Diagnoses"),
                rx.cond(
                    C.level_of_care.length() > 0, _list("Level of care", C.level_of_care, "Level of care")
                ),
                rx.heading("Lines and the rules engine's explanation", size="4", as_="h2"),
                rx.foreach(C.lines, _line_card),
                rx.heading("Documents", size="4", as_="h2"),
                rx.el.ul(rx.foreach(C.documents, _document), aria_label="Documents"),
                rx.cond(
                    C.documents_needed.length() > 0,
                    rx.vstack(
                        rx.heading("Documents listed for the office", size="3", as_="h3"),
                        rx.el.ul(
                            rx.foreach(
                                C.documents_needed,
                                lambda e: rx.el.li(rx.text(rx.text.strong(e.value), ": ", e.key, size="2")),
                            ),
                            aria_label="Documents listed for the office",
                        ),
                        width="100%",
                    ),
                ),
                rx.heading("Peer-to-peer", size="4", as_="h2"),
                rx.el.ul(rx.foreach(C.peer_to_peer, lambda e: rx.el.li(e.value)), aria_label="Peer-to-peer"),
                _list("Earlier orders of the member", C.earlier_orders, "Earlier orders"),
                _list("Notes", C.notes, "Notes"),
                _list("History", C.history, "History"),
                spacing="4",
                width="100%",
            ),
        ),
        _action_form(),
    )


def _item_var(entry: rx.Var[Entry]) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(entry.key), rx.data_list.value(entry.value))
