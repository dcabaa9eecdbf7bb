"""Previous / next paging for lists paged on the server."""

from __future__ import annotations

import reflex as rx


def pager(state, noun: str) -> rx.Component:
    """Buttons and "page X of Y" for a state with ``page``, ``page_count``, ``total`` and ``turn_page``."""
    return rx.hstack(
        rx.button("Previous page", on_click=state.turn_page(-1), disabled=state.page == 0, variant="outline"),
        rx.text("Page ", state.page + 1, " of ", state.page_count, " (", state.total, f" {noun})", size="2"),
        rx.button(
            "Next page",
            on_click=state.turn_page(1),
            disabled=state.page + 1 >= state.page_count,
            variant="outline",
        ),
        align="center",
        margin_top="1em",
    )


def native_select(label: str, name: str, options: list[tuple[str, str]], *, dynamic=None) -> rx.Component:
    """A labelled native select read from the form on submit; ``dynamic`` adds state-driven options."""
    select_id = f"field-{name}"
    children = [rx.el.option(text, value=value) for value, text in options]
    if dynamic is not None:
        children.append(rx.foreach(dynamic, lambda o: rx.el.option(o.label, value=o.value)))
    return rx.vstack(
        rx.el.label(label, html_for=select_id, font_weight="500"),
        rx.el.select(
            *children,
            id=select_id,
            name=name,
            style={"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
        ),
        spacing="1",
    )
