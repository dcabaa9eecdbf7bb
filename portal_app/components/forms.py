"""Form building blocks with accessible labels and error text."""

from __future__ import annotations

import reflex as rx


def labelled_input(
    label: str,
    *,
    name: str,
    input_type: str = "text",
    autocomplete: str = "off",
    required: bool = True,
) -> rx.Component:
    """A text input with a visible label bound to it (so ``get_by_label`` finds it)."""
    input_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_weight="500"),
        rx.input(
            id=input_id,
            name=name,
            type=input_type,
            auto_complete=autocomplete,
            required=required,
            width="100%",
        ),
        spacing="1",
        width="100%",
    )
