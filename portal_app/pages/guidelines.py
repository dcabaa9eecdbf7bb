"""The public "Coming soon" page (no sign-in): guideline versions that take effect later, each with
its effective date and the criteria it adds, removes and changes against the version in force."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.tables import data_table, table_row
from portal_app.state.guidelines import ChangeLine, ComingSoonState, UpcomingLine

S = ComingSoonState


def _change(row: rx.Var[ChangeLine]) -> rx.Component:
    return table_row(row.change, row.criterion_id, row.text, row.was)


def _version(item: rx.Var[UpcomingLine]) -> rx.Component:
    return rx.el.section(
        rx.heading(item.title, size="4", as_="h2", margin_top="1em"),
        rx.text(
            rx.text.strong("Effective for services on or after "),
            item.effective,
            "; replaces ",
            item.replaces,
            ".",
        ),
        rx.cond(
            item.changes.length() > 0,
            data_table(
                "Changes in " + item.title,
                ("Change", "Criterion", "Criterion as it will read", "Before (or what changed)"),
                rx.el.tbody(rx.foreach(item.changes, _change)),
            ),
            rx.text("No criterion changes; only the version number and date change."),
        ),
    )


def coming_soon_page() -> rx.Component:
    return page_shell(
        page_heading("Coming soon: guideline changes"),
        rx.text(
            "Our clinical guidelines are reviewed every year and updated as needed. A new version applies "
            "to requests whose date of service is on or after its effective date; requests for earlier "
            "dates keep the version in force then. Each decision says which version it applied.",
        ),
        rx.cond(
            S.loaded & (S.upcoming.length() == 0),
            rx.text("No guideline changes are scheduled at the moment.", margin_top="1em"),
        ),
        rx.foreach(S.upcoming, _version),
        rx.text(
            "How each program's criteria work today is on the ",
            rx.el.a("help page", href=routes.HELP),
            ".",
            margin_top="1.5em",
        ),
    )
