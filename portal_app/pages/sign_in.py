"""The sign-in page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input
from portal_app.components.layout import page_shell
from portal_app.state.sign_in import SignInState


def sign_in_page() -> rx.Component:
    return page_shell(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Sign in to Precert", size="6", as_="h1"),
                    labelled_input("Email or username", name="identifier", autocomplete="username"),
                    labelled_input(
                        "Password", name="password", input_type="password",
                        autocomplete="current-password",
                    ),
                    rx.cond(
                        SignInState.error != "",
                        rx.callout(SignInState.error, color_scheme="red", role="alert", width="100%"),
                    ),
                    rx.button("Sign in", type="submit", loading=SignInState.working, width="100%"),
                    spacing="4",
                ),
                on_submit=SignInState.submit,
                reset_on_submit=False,
            ),
            max_width="28em",
            margin_x="auto",
        )
    )
