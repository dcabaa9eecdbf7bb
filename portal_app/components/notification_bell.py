"""The header's notification bell for signed-in users: a link to /notifications whose accessible name
says how many are unread, with the number as a badge. Its count is loaded when the header is shown."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.state.notifications import NotificationBellState as B


def notification_bell() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("bell", size=18, aria_hidden="true"),
            rx.cond(
                B.unread > 0,
                rx.badge(
                    B.unread,
                    color_scheme="red",
                    variant="solid",
                    high_contrast=True,  # white on Radix's red 9 is under 4.5:1 (axe color-contrast)
                    radius="full",
                    aria_hidden="true",
                ),
            ),
            spacing="1",
            align="center",
        ),
        href=routes.NOTIFICATIONS,
        aria_label=B.label,
        title=B.label,
        on_mount=B.refresh,
        underline="none",
    )
