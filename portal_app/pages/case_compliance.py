"""The case page's panel: gold-card exemption, the decision clock rule, and the extension form."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import problem_callout
from portal_app.domain.enums import Role
from portal_app.state.auth import AuthState
from portal_app.state.case_compliance import CaseComplianceState

K = CaseComplianceState


def _extension_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(
                rx.el.label("Extend by (calendar days)", html_for="field-extension-days", font_weight="500"),
                rx.el.input(
                    id="field-extension-days", name="days", type="number", min=1, max=K.extension_days_allowed
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.el.label("Reason for the extension", html_for="field-extension-reason", font_weight="500"),
                rx.el.textarea(id="field-extension-reason", name="reason", rows="2", cols="40"),
                spacing="1",
            ),
            rx.button("Extend the decision time", type="submit", margin_top="1.6em"),
            wrap="wrap",
            align="start",
        ),
        on_submit=K.extend,
        reset_on_submit=True,
        aria_label="Extend the decision time",
    )


def _rescission_form() -> rx.Component:
    def number(label: str, name: str) -> rx.Component:
        return rx.vstack(
            rx.el.label(label, html_for=f"field-{name}", font_weight="500"),
            rx.el.input(id=f"field-{name}", name=name, type="number", min=0, max=20),
            spacing="1",
        )

    return rx.el.details(
        rx.el.summary("Rescind this exemption (physician, after a claim sample review)"),
        rx.form(
            rx.hstack(
                number("Claims reviewed", "sample_size"),
                number("Claims that met the criteria", "sample_met"),
                rx.vstack(
                    rx.el.label(
                        "Reason for the rescission", html_for="field-rescission-reason", font_weight="500"
                    ),
                    rx.el.textarea(id="field-rescission-reason", name="reason", rows="2", cols="40"),
                    spacing="1",
                ),
                rx.button("Rescind the exemption", type="submit", color_scheme="red", margin_top="1.6em"),
                wrap="wrap",
                align="start",
            ),
            on_submit=K.rescind,
            reset_on_submit=True,
            aria_label="Rescind the exemption",
        ),
    )


def compliance_panel() -> rx.Component:
    return rx.vstack(
        problem_callout(K.message, color="green"),
        problem_callout(K.error),
        rx.cond(
            K.exemption != "",
            rx.callout(K.exemption, color_scheme="green", role="note", width="100%"),
        ),
        rx.cond((K.exemption_id > 0) & (AuthState.role == Role.PHYSICIAN_REVIEWER.value), _rescission_form()),
        rx.cond(
            K.clock_rule != "",
            rx.vstack(
                rx.text(rx.text.strong("Decision clock: "), K.clock_rule, " · due ", K.due_at, size="2"),
                rx.cond(
                    K.extended_due_at != "",
                    rx.text(
                        rx.text.strong("Extended: "),
                        "now due ",
                        K.extended_due_at,
                        " · ",
                        K.extension_reason,
                        size="2",
                    ),
                ),
                rx.cond(
                    K.extendable,
                    rx.vstack(
                        rx.text(
                            "This rule allows an extension of up to ",
                            K.extension_days_allowed,
                            " days.",
                            size="2",
                        ),
                        _extension_form(),
                        spacing="1",
                    ),
                ),
                spacing="1",
            ),
        ),
        width="100%",
        spacing="2",
    )
