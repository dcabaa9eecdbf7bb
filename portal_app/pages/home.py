"""The public home page: what Precert is and where to start."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import page_shell
from portal_app.state.session import SessionState

_AUDIENCES = [
    (
        "Ordering provider offices",
        "Enter a request once through a short wizard for your program and get a decision at "
        "once when the clinical guideline is met.",
    ),
    (
        "Servicing providers",
        "Check whether an order exists and is authorized before you perform the service.",
    ),
    (
        "Nurse and physician reviewers",
        "Work queues sorted by due time, see why a case pended, and decide with a specific reason.",
    ),
]


def _audience_card(title: str, text: str) -> rx.Component:
    return rx.card(
        rx.heading(title, size="4", as_="h2"),
        rx.text(text, size="2"),
        width="100%",
    )


def home_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Prior authorization without the phone calls", size="8", as_="h1"),
            rx.text(
                "Precert is the portal where provider offices request prior authorization for "
                "imaging, oncology, musculoskeletal, rehabilitation, sleep and transportation "
                "services that health plans have delegated to a benefits manager.",
                size="4",
            ),
            rx.cond(
                SessionState.is_signed_in,
                rx.hstack(
                    rx.text("Signed in as ", rx.text.strong(SessionState.display_name)),
                    rx.button("Sign out", on_click=SessionState.sign_out, variant="outline"),
                    align="center",
                ),
                rx.link(rx.button("Sign in", size="3"), href=routes.SIGN_IN),
            ),
            rx.grid(
                *[_audience_card(title, text) for title, text in _AUDIENCES],
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="4",
                width="100%",
            ),
            spacing="5",
        )
    )
