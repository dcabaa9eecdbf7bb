"""Plain HTML tables for wide data: a header row, a caption naming the table, and a scrolling
region that takes keyboard focus when the table is wider than the screen (WCAG 2.1.1)."""

from __future__ import annotations

import reflex as rx


def data_table(caption: str, headers: list[str] | tuple[str, ...], body: rx.Component) -> rx.Component:
    """``body`` is an ``rx.el.tbody`` (usually of ``rx.foreach`` rows made with ``table_row``)."""
    return rx.box(
        rx.el.table(
            rx.el.caption(caption, class_name="visually-hidden"),
            rx.el.thead(rx.el.tr(*[rx.el.th(title, scope="col") for title in headers])),
            body,
            class_name="data-table",
        ),
        overflow_x="auto",
        width="100%",
        tab_index=0,
        role="region",
        aria_label=caption,
    )


def table_row(*cells, **props) -> rx.Component:
    """A row of cells; each cell is a value or a component (several parts: pass a tuple)."""
    return rx.el.tr(*[rx.el.td(*(cell if isinstance(cell, tuple) else (cell,))) for cell in cells], **props)
