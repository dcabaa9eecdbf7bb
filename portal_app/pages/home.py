"""The public home page: what Precert is and where to start."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import page_shell
from portal_app.pages.conversation import notices_panel
from portal_app.state.auth import AuthState

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
    (
        "Imaging facilities",
        "Register your site's equipment, staff and accreditation, see the score of each kind of imaging "
        "you offer, and be listed to ordering offices as a site of care.",
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
                AuthState.is_signed_in,
                rx.vstack(
                    rx.callout(
                        rx.text("Signed in as ", rx.text.strong(AuthState.display_name), "."),
                        color_scheme="teal",
                        role="status",
                    ),
                    notices_panel(),
                    width="100%",
                ),
                rx.hstack(
                    rx.link(
                        rx.button("Sign in", size="3", tab_index=-1),
                        href=routes.SIGN_IN,
                        aria_label="Sign in to Precert",
                    ),
                    rx.link(
                        rx.button("Register", size="3", variant="outline", tab_index=-1),
                        href=routes.REGISTER,
                        aria_label="Register for an account",
                    ),
                ),
            ),
            rx.grid(
                *[_audience_card(title, text) for title, text in _AUDIENCES],
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            spacing="5",
        )
    )


def not_allowed_page() -> rx.Component:
    return page_shell(
        rx.heading("This page is not available to your role", size="7", as_="h1"),
        rx.text("The attempt has been recorded. If you need this access, contact Precert support."),
        rx.link("Back to the home page", href=routes.HOME),
    )
