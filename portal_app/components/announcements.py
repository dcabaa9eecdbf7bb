"""An announcement as the pages show it: title, date, program and the Markdown text, rendered with
raw HTML off (the second guard; the first is ``domain/safe_markdown.py`` before storing)."""

from __future__ import annotations

import reflex as rx


def safe_markdown(text) -> rx.Component:
    """Markdown rendered by react-markdown without the raw-HTML plugin (HTML stays text), without
    maths (no KaTeX), and with react-markdown's own URL filter (no ``javascript:`` links)."""
    return rx.markdown(text, use_raw=False, use_math=False, use_katex=False, use_unwrap_images=False)


def announcement_article(row, *, heading_level: str = "h2", id_prefix: str = "announcement") -> rx.Component:
    """One announcement, an ``article`` named by its title."""
    heading_id = f"{id_prefix}-" + row.id.to_string()
    return rx.el.article(
        rx.heading(row.title, size="4", as_=heading_level, id=heading_id),
        rx.text(
            "Published ",
            rx.el.time(row.published_on),
            rx.cond(row.program != "", rx.fragment(" · ", row.program)),
            size="1",
            color_scheme="gray",
        ),
        rx.box(safe_markdown(row.body), class_name="announcement-body"),
        aria_labelledby=heading_id,
        style={"border_bottom": "1px solid var(--gray-5)", "padding_bottom": "1em", "margin_bottom": "1em"},
    )
