"""A wizard's step indicator: an ordered list with the current step marked for assistive tech."""

from __future__ import annotations

from typing import Any

import reflex as rx


def stepper(steps: list[str], current: Any) -> rx.Component:
    """Render ``steps`` with the one at index ``current`` marked ``aria-current="step"``."""
    return rx.el.nav(
        rx.el.ol(
            *[
                rx.el.li(
                    rx.badge(
                        f"{index + 1}. {label}",
                        color_scheme=rx.cond(current == index, "indigo", "gray"),
                        variant=rx.cond(current == index, "solid", "soft"),
                        size="2",
                    ),
                    aria_current=rx.cond(current == index, "step", "false"),
                    list_style_type="none",
                )
                for index, label in enumerate(steps)
            ],
            display="flex",
            flex_wrap="wrap",
            gap="0.5em",
            padding="0",
            margin="0",
        ),
        aria_label="Progress",
        margin_bottom="1.5em",
    )
