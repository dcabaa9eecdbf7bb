"""Form building blocks with visible labels bound to their inputs and error text beside them."""

from __future__ import annotations

from typing import Any

import reflex as rx


def field_error(message: Any, *, field_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(message, id=f"{field_id}-error", color_scheme="red", size="2", role="alert"),
    )


def labelled_input(
    label: str,
    *,
    name: str,
    input_type: str = "text",
    autocomplete: str = "off",
    required: bool = True,
    value: Any = None,
    on_change: Any = None,
    error: Any = "",
    hint: str = "",
    default_value: Any = None,
) -> rx.Component:
    """A text input with a visible label (so ``get_by_label`` finds it) and its error text.

    With ``value``/``on_change`` the input is controlled by state; otherwise it is read
    from the form on submit, starting from ``default_value`` if given (a state var: the input is
    made again when it changes, as React reads a default only once).
    """
    input_id = f"field-{name}"
    props: dict[str, Any] = {}
    if on_change is not None:
        props.update(value=value, on_change=on_change)
    elif default_value is not None:
        props.update(default_value=default_value, key=default_value)
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_weight="500"),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")) if hint else rx.fragment(),
        rx.input(
            id=input_id,
            name=name,
            type=input_type,
            auto_complete=autocomplete,
            required=required,
            width="100%",
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"{input_id}-error",
            **props,
        ),
        field_error(error, field_id=input_id),
        spacing="1",
        width="100%",
    )


def problem_callout(message: Any, *, color: str = "red") -> rx.Component:
    """A message shown when ``message`` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(message, color_scheme=color, role="alert" if color == "red" else "status", width="100%"),
    )


def notice_box(*children: rx.Component, color: str = "amber", role: str = "status") -> rx.Component:
    """A coloured box for notices that hold lists or controls (a callout takes text only)."""
    return rx.box(
        *children,
        role=role,
        width="100%",
        padding="1em",
        border_radius="8px",
        background=f"var(--{color}-3)",
        border=f"1px solid var(--{color}-7)",
    )


def labelled_upload(label: str, *children: rx.Component, upload_id: str, **props: Any) -> rx.Component:
    """A file drop zone whose hidden file input carries ``label`` as its accessible name (Reflex
    renders that input without props of its own, and screen readers would announce it unnamed)."""
    zone = rx.upload(*children, id=upload_id, **props)
    for child in _walk(zone):
        if getattr(child, "tag", None) == "input":
            child.custom_attrs["aria-label"] = label
    return zone


def _walk(component):
    yield component
    for child in getattr(component, "children", []):
        yield from _walk(child)
