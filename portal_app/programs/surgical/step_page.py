"""The surgical questions of the order wizard: the procedure, its codes, the site of care and the
questions of the chosen procedure (``domain.QUESTIONS``)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error, notice_box
from portal_app.components.program_fields import (
    checklist,
    choice_select,
    number_field,
    text_area_field,
    text_field,
)
from portal_app.programs.surgical import domain as surgical
from portal_app.programs.surgical.step_state import Alternative, SurgicalStepState, question_choices

S = SurgicalStepState
P = "surgical"


def _question(question: surgical.Question) -> rx.Component:
    if question.when is None:
        return _field(question)
    field, values = question.when
    return rx.cond(rx.Var.create(list(values)).contains(getattr(S, field)), _field(question))


def _field(question: surgical.Question) -> rx.Component:
    if question.kind == "choices":
        return checklist(S, question.label, question.field, question_choices(question))
    if question.kind in {"choice", "yes_no"}:
        return choice_select(
            S, P, question.label, question.field, question_choices(question), placeholder="Choose"
        )
    if question.kind == "date":
        return text_field(S, P, question.label, question.field, input_type="date")
    return number_field(S, P, question.label, question.field, hint=question.hint)


def _procedure_questions() -> rx.Component:
    return rx.match(
        S.procedure,
        *[
            (procedure, rx.vstack(*[_question(q) for q in questions], spacing="3", width="100%"))
            for procedure, questions in surgical.QUESTIONS.items()
        ],
        rx.fragment(),
    )


def _alternative(alt: rx.Var[Alternative]) -> rx.Component:
    return rx.el.li(
        rx.text(
            rx.text.strong(alt.name),
            " — ",
            alt.detail,
            ", ",
            alt.city,
            ". Score: ",
            alt.quality,
            ". Distance: ",
            alt.distance,
            ".",
            rx.cond(alt.cost != "", rx.fragment(" Cost level: ", alt.cost, "."), rx.fragment()),
        )  # fmt: skip
    )


def _site_of_care() -> rx.Component:
    return rx.vstack(
        rx.text(rx.text.strong("Site of care: "), S.site_label),
        rx.cond(
            S.asks_hospital_reason,
            notice_box(
                rx.vstack(
                    rx.text(
                        "Procedures in a hospital outpatient department are reviewed for site of care by a "
                        "physician. These in-network sites may do the procedure; go back to the providers "
                        "step to choose one, or give the clinical reason the hospital is needed."
                    ),
                    rx.cond(
                        S.alternatives.length() > 0,
                        rx.el.ul(rx.foreach(S.alternatives, _alternative), aria_label="Other sites of care"),
                        rx.text(
                            "No other in-network site is within reach of the member's home address.", size="2"
                        ),
                    ),
                    rx.text(
                        "Ambulatory surgery centers in the plan's network near the member's home, nearest "
                        "first. A cost level is the plan's own relative rating of the site, shown only where "
                        "the plan supplies one.",
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.el.label(
                        "Reason for the hospital setting",
                        html_for="surgical-hospital_reason",
                        font_weight="500",
                    ),
                    rx.text_area(
                        id="surgical-hospital_reason",
                        value=S.hospital_reason,
                        on_change=lambda v: S.update_field("hospital_reason", v),
                        width="100%",
                    ),
                    field_error(S.errors["hospital_reason"], field_id="surgical-hospital_reason"),
                    width="100%",
                ),
            ),
        ),
        width="100%",
    )


def step() -> rx.Component:
    return rx.vstack(
        choice_select(
            S, P, "Procedure", "procedure", S.procedure_options, placeholder="Choose the procedure"
        ),
        rx.cond(
            S.procedure != "",
            rx.vstack(
                checklist(
                    S,
                    "Procedure codes requested (each is decided on its own)",
                    "codes",
                    S.code_options,
                    on_toggle=S.toggle_code,
                ),
                _site_of_care(),
                _procedure_questions(),
                rx.cond(S.bmi_text != "", rx.text(S.bmi_text, role="status")),
                text_area_field(S, P, "Clinical notes (optional)", "clinical_notes"),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
