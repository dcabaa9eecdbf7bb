"""The app shell: header with navigation, main landmark, footer."""

from __future__ import annotations

import reflex as rx

from portal_app import routes


def _header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.text("Precert", size="6", weight="bold"),
                href=routes.HOME,
                underline="none",
                aria_label="Precert home",
            ),
            rx.spacer(),
            rx.el.nav(
                rx.hstack(
                    rx.link("Sign in", href=routes.SIGN_IN),
                    spacing="5",
                ),
                aria_label="Main",
            ),
            align="center",
            width="100%",
        ),
        padding="1em 2em",
        border_bottom="1px solid var(--gray-5)",
    )


def _footer() -> rx.Component:
    return rx.el.footer(
        rx.text(
            "Precert is open-source software. The demo runs on synthetic data only.",
            size="1",
            color_scheme="gray",
        ),
        padding="1em 2em",
        border_top="1px solid var(--gray-5)",
    )


def page_shell(*children: rx.Component) -> rx.Component:
    """Wrap a page's content in the shared header, main landmark and footer."""
    return rx.box(
        _header(),
        rx.el.main(
            rx.container(*children, size="3", padding_y="2em"),
            id="main-content",
        ),
        _footer(),
        min_height="100vh",
    )
