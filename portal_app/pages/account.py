"""Pages about one's own account: confirm e-mail, forgotten password, reset, change."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import labelled_input, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.state.account import (
    ChangePasswordState,
    ConfirmEmailState,
    ForgotPasswordState,
    ResetPasswordState,
)
from portal_app.state.auth import AuthState
from portal_app.state.notifications import PREFERENCE_CHOICES, EmailPreferenceState

_POLICY = "At least 12 characters, not containing your username, and not a commonly used password."


def confirm_email_page() -> rx.Component:
    return page_shell(
        page_heading("Confirm your e-mail address"),
        problem_callout(ConfirmEmailState.message, color="green"),
        problem_callout(ConfirmEmailState.error),
    )


def forgot_password_page() -> rx.Component:
    return page_shell(
        page_heading("Forgot your password?"),
        problem_callout(ForgotPasswordState.error),
        rx.cond(
            ForgotPasswordState.sent,
            rx.callout(
                "If an account uses that address, we have sent it a link to choose a new password. "
                "The link works once, within 24 hours.",
                color_scheme="green",
                role="status",
            ),
            rx.form(
                rx.vstack(
                    labelled_input("Work e-mail", name="email", input_type="email", autocomplete="email"),
                    rx.button("Send me a reset link", type="submit"),
                    spacing="3",
                    max_width="28em",
                ),
                on_submit=ForgotPasswordState.submit,
            ),
        ),
    )


def _new_password_fields() -> list[rx.Component]:
    return [
        labelled_input(
            "New password",
            name="new_password",
            input_type="password",
            autocomplete="new-password",
            hint=_POLICY,
        ),
        labelled_input(
            "Repeat the new password",
            name="new_password_again",
            input_type="password",
            autocomplete="new-password",
        ),
    ]


def reset_password_page() -> rx.Component:
    return page_shell(
        page_heading("Choose a new password"),
        rx.cond(
            ResetPasswordState.done,
            rx.callout(
                rx.text("Your password has been changed. ", rx.link("Sign in", href=routes.SIGN_IN), "."),
                color_scheme="green",
                role="status",
            ),
            rx.form(
                rx.vstack(
                    *_new_password_fields(),
                    problem_callout(ResetPasswordState.error),
                    rx.button("Save the new password", type="submit"),
                    spacing="3",
                    max_width="28em",
                ),
                on_submit=ResetPasswordState.submit,
                reset_on_submit=False,
            ),
        ),
    )


def account_page() -> rx.Component:
    return page_shell(
        page_heading("My account"),
        rx.text("Signed in as ", rx.text.strong(AuthState.display_name), " (", AuthState.role_label, ")."),
        rx.heading("Change password", size="5", as_="h2", margin_top="1em"),
        rx.text("Changing your password signs you out everywhere, this browser included.", size="2"),
        rx.form(
            rx.vstack(
                labelled_input(
                    "Current password",
                    name="current_password",
                    input_type="password",
                    autocomplete="current-password",
                ),
                *_new_password_fields(),
                problem_callout(ChangePasswordState.error),
                rx.button("Change password", type="submit"),
                spacing="3",
                max_width="28em",
            ),
            on_submit=ChangePasswordState.submit,
            reset_on_submit=True,
        ),
        _email_preference(),
    )


def _email_preference() -> rx.Component:
    return rx.fragment(
        rx.heading("E-mail about notifications", size="5", as_="h2", margin_top="1em"),
        rx.text(
            "Notifications always appear under the bell. E-mails hold no patient information, only a link.",
            size="2",
        ),
        rx.form(
            rx.vstack(
                rx.el.fieldset(
                    rx.el.legend("E-mail me", font_weight="500"),
                    *[_preference_choice(value, label) for value, label in PREFERENCE_CHOICES],
                ),
                rx.cond(
                    EmailPreferenceState.message != "",
                    rx.text(EmailPreferenceState.message, role="status", size="2"),
                ),
                rx.button("Save e-mail preference", type="submit"),
                spacing="3",
                max_width="28em",
            ),
            on_submit=EmailPreferenceState.save,
            reset_on_submit=False,
        ),
    )


def _preference_choice(value: str, label: str) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="email_preference",
            value=value,
            checked=EmailPreferenceState.preference == value,
            on_change=EmailPreferenceState.choose(value),
        ),
        " ",
        label,
        style={"display": "flex", "gap": "0.5em"},
    )
