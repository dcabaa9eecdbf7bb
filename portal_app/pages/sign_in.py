"""The sign-in page."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import labelled_input, problem_callout
from portal_app.components.layout import page_shell
from portal_app.state.sign_in import SignInState


def sign_in_page() -> rx.Component:
    return page_shell(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Sign in to Precert", size="6", as_="h1"),
                    problem_callout(SignInState.notice, color="blue"),
                    labelled_input("Email or username", name="identifier", autocomplete="username"),
                    labelled_input(
                        "Password",
                        name="password",
                        input_type="password",
                        autocomplete="current-password",
                    ),
                    problem_callout(SignInState.error),
                    rx.button("Sign in", type="submit", loading=SignInState.working, width="100%"),
                    rx.hstack(
                        rx.link("Forgot your password?", href=routes.FORGOT_PASSWORD),
                        rx.spacer(),
                        rx.link("Register for an account", href=routes.REGISTER),
                        width="100%",
                    ),
                    rx.cond(
                        SignInState.sso_available,
                        # A plain anchor: the backend route must load as a full page.
                        rx.el.a("Sign in with single sign-on", href=routes.AUTH_OIDC_LOGIN),
                    ),
                    spacing="4",
                ),
                on_submit=SignInState.submit,
                reset_on_submit=False,
            ),
            max_width="28em",
            margin_x="auto",
        )
    )
