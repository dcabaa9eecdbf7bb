"""The additional outpatient questions of the order wizard (transportation and other services)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error
from portal_app.components.program_fields import (
    SELECT_STYLE,
    checklist,
    choice_select,
    text_area_field,
    text_field,
)
from portal_app.programs.outpatient import domain as outpatient
from portal_app.programs.outpatient.step_state import OutpatientStepState, QuestionLine
from portal_app.state.program_step import choices_from

O = OutpatientStepState
P = "outpatient"


def _address(end: str, title: str) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(title, font_weight="600"),
        text_field(O, P, f"{title}: street address", f"{end}_line1"),
        rx.hstack(
            text_field(O, P, f"{title}: city", f"{end}_city"),
            text_field(O, P, f"{title}: state or region", f"{end}_region"),
            text_field(O, P, f"{title}: ZIP or postal code", f"{end}_postal_code"),
            text_field(O, P, f"{title}: country code", f"{end}_country"),
            width="100%",
            wrap="wrap",
        ),
        style={
            "border": "1px solid var(--gray-6)",
            "border_radius": "8px",
            "padding": "0.8em",
            "width": "100%",
        },
    )


def _schedule() -> rx.Component:
    return rx.vstack(
        checklist(O, "Days of the week", "weekdays", choices_from(outpatient.WEEKDAY_LABELS)),
        rx.hstack(
            text_field(O, P, "First day", "start_date", input_type="date"),
            text_field(O, P, "Last day", "end_date", input_type="date"),
            text_field(O, P, "Or number of trips", "trip_count", input_type="number"),
            width="100%",
            wrap="wrap",
        ),
        field_error(O.errors["schedule"], field_id="outpatient-schedule"),
        field_error(O.schedule_problem, field_id="outpatient-schedule-preview"),
        rx.cond(
            O.trip_preview.length() > 0,
            rx.vstack(
                rx.text(rx.text.strong(O.trip_preview.length(), " trips"), " on these dates:", size="2"),
                rx.el.ol(rx.foreach(O.trip_preview, lambda d: rx.el.li(d)), aria_label="Trip dates"),
            ),
        ),
        width="100%",
    )


def _transport() -> rx.Component:
    return rx.vstack(
        _address("origin", "Pick-up"),
        _address("destination", "Destination"),
        choice_select(
            O,
            P,
            "Kind of trip",
            "trip_type",
            choices_from(outpatient.TRIP_TYPE_LABELS),
            placeholder="Choose the kind of trip",
        ),
        rx.cond(O.is_recurring, _schedule()),
        choice_select(
            O,
            P,
            "Help the member needs to travel",
            "mobility",
            choices_from(outpatient.MOBILITY_LABELS),
            placeholder="Choose",
        ),
        text_area_field(O, P, "Medical reason for the transport", "medical_reason"),
        spacing="3",
        width="100%",
    )


def _question(line: rx.Var[QuestionLine]) -> rx.Component:
    field_id = "outpatient-question-" + line.question_id
    return rx.vstack(
        rx.el.label(line.text, html_for=field_id, font_weight="500"),
        rx.el.select(
            rx.el.option("Choose", value=""),
            *[rx.el.option(label, value=value) for value, label in outpatient.ANSWER_LABELS.items()],
            id=field_id,
            value=line.answer,
            on_change=lambda v: O.answer(line.question_id, v),
            style=SELECT_STYLE,
        ),
        spacing="1",
        width="100%",
    )


def step() -> rx.Component:
    return rx.vstack(
        choice_select(
            O, P, "Kind of service", "service_kind", O.kind_options, placeholder="Choose the service"
        ),
        rx.cond(O.is_transport, _transport()),
        rx.cond(
            O.service_kind != "",
            checklist(O, "Procedure codes requested", "codes", O.code_options, on_toggle=O.toggle_code),
        ),
        rx.cond(
            O.questions.length() > 0,
            rx.vstack(
                rx.heading("Clinical questions", size="3", as_="h3"),
                rx.foreach(O.questions, _question),
                field_error(O.errors["answers"], field_id="outpatient-answers"),
                width="100%",
            ),
        ),
        text_area_field(O, P, "Clinical notes (optional)", "clinical_notes"),
        spacing="4",
        width="100%",
    )
