"""Transition of care: the office enters an authorization from the patient's previous plan."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input, notice_box
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import native_select
from portal_app.state.transition import TransitionState

T = TransitionState


def transition_page() -> rx.Component:
    return page_shell(
        page_heading("Authorization from a previous plan"),
        rx.text(
            "A patient who joined one of our plans in the last 90 days may bring an active authorization "
            "from the previous plan. Enter it here: for the same service and provider it is honoured at "
            "once for up to 90 days after the patient joined; if the service or the provider changed, a "
            "nurse reviews it.",
            size="2",
        ),
        rx.form(
            rx.vstack(
                native_select("Health plan now", "plan_id", [], dynamic=T.plans),
                labelled_input("Member ID", name="member_number", required=False),
                native_select("Program", "program", [], dynamic=T.programs),
                labelled_input("Previous plan", name="prior_plan_name", required=False),
                labelled_input("Previous authorization number", name="prior_number", required=False),
                labelled_input(
                    "Service code of the previous authorization", name="prior_code", required=False
                ),
                labelled_input(
                    "NPI of the provider named in the previous authorization",
                    name="prior_provider_npi",
                    required=False,
                ),
                labelled_input(
                    "First day of the previous authorization",
                    name="prior_valid_from",
                    input_type="date",
                    required=False,
                ),
                labelled_input(
                    "Last day of the previous authorization",
                    name="prior_valid_until",
                    input_type="date",
                    required=False,
                ),
                labelled_input("Service code asked for now", name="requested_code", required=False),
                labelled_input(
                    "NPI of the provider who performs the service", name="servicing_npi", required=False
                ),
                labelled_input(
                    "NPI of the ordering provider (your practice)", name="ordering_npi", required=False
                ),
                rx.button("Enter the authorization", type="submit"),
                spacing="3",
                max_width="40em",
            ),
            on_submit=T.submit,
            reset_on_submit=False,
            aria_label="Authorization from a previous plan",
        ),
        rx.cond(
            T.problems.length() > 0,
            notice_box(rx.el.ul(rx.foreach(T.problems, lambda p: rx.el.li(p))), color="red", role="alert"),
        ),
        rx.cond(
            T.order_number != "",
            rx.callout(
                rx.text(
                    "Order ",
                    rx.link(T.order_number, href="/orders/" + T.order_number),
                    " — ",
                    T.result,
                ),
                color_scheme="green",
                role="status",
                width="100%",
            ),
        ),
    )
