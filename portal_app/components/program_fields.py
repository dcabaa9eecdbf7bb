"""Labelled fields for a program's wizard step, bound to that step's state.

A step state has ``errors`` (field -> message), ``update_field(field, value)`` for typed values and
``toggle_choice(field, value, checked)`` for lists; every id is ``{prefix}-{field}`` so the label,
the input and the error text belong together.
"""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error, labelled_input

SELECT_STYLE = {
    "padding": "0.4em",
    "border_radius": "6px",
    "border": "1px solid var(--gray-7)",
    "width": "100%",
}


def choice_select(
    state, prefix: str, label: str, field: str, options, *, placeholder: str, error_key: str = ""
) -> rx.Component:
    field_id = f"{prefix}-{field}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_weight="500"),
        rx.el.select(
            rx.el.option(placeholder, value=""),
            rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
            id=field_id,
            value=getattr(state, field),
            on_change=lambda v: state.update_field(field, v),
            aria_describedby=f"{field_id}-error",
            style=SELECT_STYLE,
        ),
        field_error(state.errors[error_key or field], field_id=field_id),
        spacing="1",
        width="100%",
    )


def number_field(state, prefix: str, label: str, field: str, hint: str = "") -> rx.Component:
    return labelled_input(
        label,
        name=f"{prefix}-{field}",
        input_type="number",
        required=False,
        value=getattr(state, field),
        on_change=lambda v: state.update_field(field, v),
        error=state.errors[field],
        hint=hint,
    )


def text_field(
    state, prefix: str, label: str, field: str, *, input_type: str = "text", error_key: str = ""
) -> rx.Component:
    return labelled_input(
        label,
        name=f"{prefix}-{field}",
        input_type=input_type,
        required=False,
        value=getattr(state, field),
        on_change=lambda v: state.update_field(field, v),
        error=state.errors[error_key or field],
    )


def text_area_field(state, prefix: str, label: str, field: str) -> rx.Component:
    field_id = f"{prefix}-{field}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_weight="500"),
        rx.text_area(
            id=field_id,
            value=getattr(state, field),
            on_change=lambda v: state.update_field(field, v),
            aria_describedby=f"{field_id}-error",
            width="100%",
        ),
        field_error(state.errors[field], field_id=field_id),
        width="100%",
    )


def checklist(state, legend: str, field: str, options, *, on_toggle=None) -> rx.Component:
    """Checkboxes for the values of a list field; ``on_toggle(value, checked)`` overrides the handler."""

    def box(option):
        handler = (
            (lambda checked: on_toggle(option.value, checked))
            if on_toggle is not None
            else (lambda checked: state.toggle_choice(field, option.value, checked))
        )
        return rx.checkbox(
            option.label, checked=getattr(state, field).contains(option.value), on_change=handler
        )

    return rx.el.fieldset(
        rx.el.legend(legend, font_weight="500"),
        rx.foreach(options, box),
        field_error(state.errors[field], field_id=f"list-{field}"),
        style={
            "display": "flex",
            "flex_direction": "column",
            "gap": "0.3em",
            "border": "none",
            "padding": "0",
        },
    )
