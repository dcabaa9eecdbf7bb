"""The registration wizard page."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import field_error, labelled_input, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.stepper import stepper
from portal_app.state.register import DONE_STEP, REVIEW_STEP, ROLE_CHOICES, STEPS, RegisterState, RuleRow

S = RegisterState


def _text(
    label: str,
    field: str,
    *,
    autocomplete: str = "off",
    input_type: str = "text",
    required: bool = True,
    hint: str = "",
) -> rx.Component:
    return labelled_input(
        label,
        name=field,
        input_type=input_type,
        autocomplete=autocomplete,
        required=required,
        value=getattr(S, field),
        on_change=lambda value: S.update_field(field, value),
        error=S.errors[field],
        hint=hint,
    )


def _role_select() -> rx.Component:
    return rx.vstack(
        rx.el.label("Your role", html_for="field-role", font_weight="500"),
        rx.el.select(
            rx.el.option("Choose your role", value="", disabled=True),
            *[rx.el.option(label, value=value) for value, label in ROLE_CHOICES],
            id="field-role",
            value=S.role,
            on_change=lambda value: S.update_field("role", value),
            aria_describedby="field-role-error",
            style={"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
        ),
        field_error(S.errors["role"], field_id="field-role"),
        spacing="1",
        width="100%",
    )


def _details_step() -> rx.Component:
    return rx.vstack(
        _text("Full name", "full_name", autocomplete="name"),
        _text("Work e-mail", "email", autocomplete="email", input_type="email"),
        _text("Phone", "phone", autocomplete="tel", input_type="tel"),
        _text("Fax (optional)", "fax", required=False, input_type="tel"),
        _role_select(),
        spacing="4",
        width="100%",
    )


def _rule(row: rx.Var[RuleRow]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.cond(
                row.met,
                rx.icon("circle-check", color="green", size=16),
                rx.icon("circle-x", color="gray", size=16),
            ),
            rx.text(row.rule, rx.cond(row.met, " — met", " — not met yet"), size="2"),
            align="center",
        ),
        list_style_type="none",
    )


def _password_input(label: str, name: str, handler, error) -> rx.Component:
    # Uncontrolled: the typed password is sent to the server but never echoed back.
    return rx.vstack(
        rx.el.label(label, html_for=f"field-{name}", font_weight="500"),
        rx.input(
            id=f"field-{name}",
            name=name,
            type="password",
            auto_complete="new-password",
            on_change=handler,
            width="100%",
            aria_describedby=f"field-{name}-error",
        ),
        field_error(error, field_id=f"field-{name}"),
        spacing="1",
        width="100%",
    )


def _credentials_step() -> rx.Component:
    return rx.vstack(
        _text(
            "Username",
            "username",
            autocomplete="username",
            hint="3 to 64 letters, digits, dots, dashes or underscores.",
        ),
        _password_input("Password", "password", S.update_password, S.errors["password"]),
        rx.el.ul(rx.foreach(S.password_rules, _rule), aria_label="Password rules", padding="0", margin="0"),
        _password_input(
            "Repeat the password", "password_again", S.update_password_again, S.errors["password_again"]
        ),
        spacing="4",
        width="100%",
    )


def _tax_id_row(tax_id: rx.Var[str]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(tax_id, font_family="monospace"),
            rx.button(
                "Remove",
                size="1",
                variant="ghost",
                on_click=S.remove_tax_id(tax_id),
                aria_label="Remove tax ID " + tax_id,
            ),
            align="center",
        ),
        list_style_type="none",
    )


def _practices_step() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Add the federal tax ID (TIN) of each practice whose orders you will enter or check. "
            "Our support team links your account to these practices when it approves your registration.",
            size="2",
        ),
        rx.hstack(
            labelled_input(
                "Practice tax ID",
                name="tax_id_input",
                required=False,
                value=S.tax_id_input,
                on_change=lambda value: S.update_field("tax_id_input", value),
                hint="For example 12-3456789",
            ),
            rx.button("Add tax ID", on_click=S.add_tax_id, type="button", margin_top="1.6em"),
            align="start",
            width="100%",
        ),
        field_error(S.errors["tax_ids"], field_id="field-tax_ids"),
        rx.el.ul(rx.foreach(S.tax_ids, _tax_id_row), aria_label="Tax IDs added", padding="0"),
        spacing="3",
        width="100%",
    )


def _review_row(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _review_step() -> rx.Component:
    return rx.vstack(
        rx.text("Check your answers, then send the registration.", size="2"),
        rx.data_list.root(
            _review_row("Full name", S.full_name),
            _review_row("Work e-mail", S.email),
            _review_row("Phone", S.phone),
            _review_row("Fax", S.fax),
            _review_row("Role", S.role_label),
            _review_row("Username", S.username),
            _review_row("Practice tax IDs", S.tax_ids.join(", ")),
        ),
        rx.text(
            "Support checks every tax ID before approving the account; an ID we do not know yet "
            "is checked with the practice.",
            size="1",
            color_scheme="gray",
        ),
        spacing="3",
        width="100%",
    )


def _done_step() -> rx.Component:
    return rx.vstack(
        rx.text(
            "We sent a confirmation link to ",
            rx.text.strong(S.email),
            ". Open it within 24 hours. After that, our support team reviews your registration and "
            "e-mails you when you can sign in.",
        ),
        rx.link("Back to the home page", href=routes.HOME),
        spacing="3",
    )


def _shown_on(step: int, content: rx.Component) -> rx.Component:
    # Every step stays mounted so that back and next keep what was typed.
    return rx.box(content, display=rx.cond(S.step == step, "block", "none"), width="100%")


def _buttons() -> rx.Component:
    return rx.hstack(
        rx.cond(S.step > 0, rx.button("Back", variant="outline", on_click=S.previous_step, type="button")),
        rx.spacer(),
        rx.cond(
            S.step == REVIEW_STEP,
            rx.button("Submit registration", on_click=S.submit, loading=S.submitting, type="button"),
            rx.button("Next", on_click=S.next_step, type="button"),
        ),
        width="100%",
        margin_top="1.5em",
    )


def register_page() -> rx.Component:
    return page_shell(
        page_heading("Register for Precert"),
        rx.text(
            "One account serves every program. If you already have one, sign in instead.",
            size="2",
            margin_bottom="1em",
        ),
        stepper(STEPS, S.step),
        rx.card(
            rx.vstack(
                rx.heading(rx.match(S.step, *[(i, s) for i, s in enumerate(STEPS)], ""), size="5", as_="h2"),
                problem_callout(S.form_error),
                _shown_on(0, _details_step()),
                _shown_on(1, _credentials_step()),
                _shown_on(2, _practices_step()),
                _shown_on(REVIEW_STEP, _review_step()),
                _shown_on(DONE_STEP, _done_step()),
                rx.cond(S.step < DONE_STEP, _buttons()),
                spacing="3",
                width="100%",
            ),
            max_width="40em",
        ),
    )
