"""Components of the conversation after a request pends: notices (home page and order summary), the
office's peer-to-peer, live review and call back section, and the top of the review queue."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input, notice_box, problem_callout
from portal_app.components.tables import data_table, table_row
from portal_app.state.conversation import (
    AttentionLine,
    CallLine,
    NoticeLine,
    NoticeState,
    OfficeCallState,
    PhysicianCallsState,
)

N = NoticeState
O = OfficeCallState
P = PhysicianCallsState


def _notice(notice: rx.Var[NoticeLine]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(notice.created_at, " — ", size="2"),
            rx.link(notice.text, " (order ", notice.order_number, ")", href="/orders/" + notice.order_number),
            rx.button(
                "Mark as read",
                size="1",
                variant="ghost",
                on_click=N.mark_read(notice.notice_id),
                aria_label="Mark as read: " + notice.text,
            ),
            wrap="wrap",
            align="center",
        )
    )


def notices_panel() -> rx.Component:
    """The signed-in user's unread notices (on an order's page, that order's), loaded when shown."""
    return rx.box(
        rx.cond(
            N.notices.length() > 0,
            notice_box(
                rx.heading("Needs your attention", size="4", as_="h2"),
                rx.el.ul(rx.foreach(N.notices, _notice), aria_label="Notices"),
                color="amber",
            ),
        ),
        on_mount=N.load_notices,
        width="100%",
    )


def _radio(choice, name: str) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="radio", name=name, value=choice.value, required=True),
        " ",
        choice.label,
        style={"display": "flex", "gap": "0.5em"},
    )


def _phone() -> rx.Component:
    return labelled_input("Number the physician should call", name="call_phone", input_type="tel")


def _time_input(index: int) -> rx.Component:
    name = f"proposed_{index}"
    return rx.vstack(
        rx.el.label(f"Proposed time {index} (UTC)", html_for=f"field-{name}", font_weight="500"),
        rx.el.input(
            id=f"field-{name}",
            name=name,
            type="datetime-local",
            default_value=O.proposal_defaults[index - 1],
            required=index == 1,
        ),
        spacing="1",
    )


def _call_now_form() -> rx.Component:
    return rx.fragment(
        rx.form(
            rx.vstack(
                rx.heading("Talk to a physician reviewer now", size="3", as_="h3"),
                rx.text(
                    "A physician reviewer is available: they are called at once and ring you back within "
                    "minutes.",
                    size="2",
                ),
                _phone(),
                rx.button("Call a physician now", type="submit"),
                width="100%",
            ),
            on_submit=O.call_now,
            width="100%",
        ),
    )


def _schedule_forms() -> rx.Component:
    return rx.vstack(
        rx.cond(
            O.mode == "immediate",
            rx.text(
                "No physician reviewer is free for a call right now: schedule one instead.",
                size="2",
            ),
        ),
        rx.cond(
            O.published.length() > 0,
            rx.form(
                rx.vstack(
                    rx.heading("Take a time a physician published", size="3", as_="h3"),
                    rx.el.fieldset(
                        rx.el.legend("Published times (UTC)", font_weight="500"),
                        rx.foreach(O.published, lambda c: _radio(c, "published_id")),
                        style={"border": "none", "padding": "0"},
                    ),
                    labelled_input(
                        "Phone for the call at that time", name="published_phone", input_type="tel"
                    ),
                    rx.button("Schedule the call", type="submit"),
                    width="100%",
                ),
                on_submit=O.take_published,
                width="100%",
            ),
        ),
        rx.form(
            rx.vstack(
                rx.heading("Propose times for the call", size="3", as_="h3"),
                rx.hstack(_time_input(1), _time_input(2), _time_input(3), wrap="wrap"),
                labelled_input(
                    "Phone for the call at the time accepted", name="proposed_phone", input_type="tel"
                ),
                rx.button("Propose these times", type="submit", variant="outline"),
                width="100%",
            ),
            on_submit=O.propose_times,
            width="100%",
        ),
        width="100%",
    )


def _live_review() -> rx.Component:
    return rx.cond(
        O.may_ask_live_review,
        rx.vstack(
            rx.heading("The patient is returning soon?", size="3", as_="h3"),
            rx.cond(
                O.live_review_asked,
                rx.text(
                    "A live review is asked for: the case is at the top of the reviewers' queue.", size="2"
                ),
                rx.form(
                    rx.vstack(
                        rx.el.label(
                            "Date the patient returns", html_for="field-returning_on", font_weight="500"
                        ),
                        rx.el.input(id="field-returning_on", name="returning_on", type="date", required=True),
                        rx.el.label("What the reviewer should know (optional)", html_for="field-live_reason"),
                        rx.el.input(id="field-live_reason", name="live_reason", type="text"),
                        rx.button("Ask for a live review", type="submit", variant="outline"),
                        width="100%",
                    ),
                    on_submit=O.ask_live_review,
                    width="100%",
                ),
            ),
            rx.cond(
                O.call_back_asked,
                rx.text("You will be alerted here and by e-mail when the review is done.", size="2"),
                rx.button(
                    "Call me back when the review is done", variant="outline", on_click=O.ask_call_back
                ),
            ),
            width="100%",
        ),
    )


def office_conversation_section() -> rx.Component:
    """On the order summary, for the ordering office: the pend clock, peer-to-peer at any time (before
    or after the decision), live review and call back."""
    return rx.cond(
        O.shown,
        rx.vstack(
            rx.heading("Talk to a physician reviewer", size="4", as_="h2"),
            rx.cond(
                O.waiting_for_office != "",
                rx.callout(
                    "This case waits for your answer (information or a peer-to-peer call). "
                    + O.waiting_for_office
                    + ". Without an answer a physician reviewer decides on the information on file.",
                    color_scheme="amber",
                    role="status",
                ),
            ),
            problem_callout(O.error),
            problem_callout(O.message, color="green"),
            rx.cond(
                O.calls.length() > 0,
                rx.el.ul(rx.foreach(O.calls, lambda c: rx.el.li(c)), aria_label="Peer-to-peer calls"),
            ),
            rx.cond(
                O.may_request,
                rx.cond((O.mode == "immediate") & O.physician_free_now, _call_now_form(), _schedule_forms()),
            ),
            _live_review(),
            class_name="no-print",
            spacing="3",
            width="100%",
        ),
    )


def _call_row(call: rx.Var[CallLine]) -> rx.Component:
    return table_row(
        rx.cond(call.kind == "Call now", rx.badge(call.kind, color_scheme="red"), call.kind),
        rx.link(call.order_number, href="/review/case/" + call.order_number),
        call.program,
        call.when,
        call.phone,
        call.time_left,
        rx.fragment(
            rx.cond(
                call.kind == "Proposed time",
                rx.button(
                    "Accept",
                    size="1",
                    variant="outline",
                    on_click=P.accept(call.appointment_id),
                    aria_label="Accept the time for " + call.order_number,
                ),
                "",
            )
        ),
    )


def _attention_row(row: rx.Var[AttentionLine]) -> rx.Component:
    return table_row(
        rx.link(row.order_number, href="/review/case/" + row.order_number),
        row.program,
        rx.badge(row.flag, color_scheme="orange"),
        row.due_at,
    )


def _physician_calls() -> rx.Component:
    return rx.cond(
        P.is_physician,
        rx.vstack(
            rx.hstack(
                rx.el.label(
                    rx.checkbox(checked=P.available_now, on_change=P.change_availability),
                    " Available now for immediate peer-to-peer calls",
                    style={"display": "flex", "gap": "0.5em", "align_items": "center"},
                ),
                rx.cond(P.specialty != "", rx.text("Your specialty: ", P.specialty, size="2")),
                wrap="wrap",
                spacing="4",
            ),
            rx.cond(
                P.calls.length() > 0,
                data_table(
                    "Peer-to-peer calls",
                    ("Request", "Order", "Program", "When (UTC)", "Call", "Answer within", "Action"),
                    rx.el.tbody(rx.foreach(P.calls, _call_row)),
                ),
            ),
            rx.form(
                rx.hstack(
                    rx.vstack(
                        rx.el.label(
                            "Publish a time you are free (UTC)",
                            html_for="field-publish_at",
                            font_weight="500",
                        ),
                        rx.el.input(
                            id="field-publish_at",
                            name="publish_at",
                            type="datetime-local",
                            default_value=P.publish_default,
                        ),
                        spacing="1",
                    ),
                    rx.button("Publish the time", type="submit", variant="outline", margin_top="1.6em"),
                    wrap="wrap",
                ),
                on_submit=P.publish,
            ),
            width="100%",
        ),
    )


def queue_top() -> rx.Component:
    """Above the queue's table: cases an office asked a live review for, and a physician's calls."""
    return rx.vstack(
        problem_callout(P.error),
        problem_callout(P.message, color="green"),
        rx.cond(
            P.attention.length() > 0,
            rx.vstack(
                rx.heading("Live review asked for", size="4", as_="h2"),
                data_table(
                    "Live reviews",
                    ("Order", "Program", "Flag", "Due (UTC)"),
                    rx.el.tbody(rx.foreach(P.attention, _attention_row)),
                ),
                width="100%",
            ),
        ),
        _physician_calls(),
        width="100%",
        margin_bottom="1em",
    )


__all__ = ["notices_panel", "office_conversation_section", "queue_top"]
