"""The public "Is prior authorization needed?" page (no sign-in)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import native_select
from portal_app.state.pa_needed import PaNeededState

S = PaNeededState


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            native_select("Health plan", "plan_id", [], dynamic=S.plans),
            native_select("Line of business", "line_of_business", [], dynamic=S.lines),
            labelled_input("CPT or HCPCS code", name="code"),
            labelled_input("Date of service", name="service_date", input_type="date"),
            rx.button("Check", type="submit"),
            align="start",
            spacing="3",
            max_width="28em",
        ),
        on_submit=S.ask,
        reset_on_submit=False,
        margin_y="1em",
        aria_label="Is prior authorization needed?",
    )


def _answer() -> rx.Component:
    return rx.cond(
        S.answered,
        rx.box(
            rx.heading(S.verdict, size="4", as_="h2"),
            rx.text(S.reason, size="2"),
            rx.cond(S.program != "", rx.text("Program: ", S.program, size="2")),
            rx.cond(
                S.documents.length() > 0,
                rx.vstack(
                    rx.heading("Documents usually needed", size="3", as_="h3"),
                    rx.el.ul(
                        rx.foreach(S.documents, lambda d: rx.el.li(d)), aria_label="Documents usually needed"
                    ),
                    spacing="1",
                ),
            ),
            role="status",
            aria_label="Answer",
            margin_top="1em",
        ),
    )


def pa_needed_page() -> rx.Component:
    return page_shell(
        page_heading("Is prior authorization needed?"),
        rx.text(
            "Choose the health plan, the member's line of business, the CPT or HCPCS code and the date of "
            "service. The answer comes from the same rules EHRs are answered with when an order is signed "
            "(Da Vinci CRD). No sign-in needed; nothing about a patient is asked or kept.",
            size="2",
        ),
        _form(),
        problem_callout(S.error),
        _answer(),
    )
