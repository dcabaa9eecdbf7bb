"""Provider and facility look-up."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import native_select, pager
from portal_app.components.tables import data_table, table_row
from portal_app.state.directory import DirectoryLine, DirectoryState

D = DirectoryState


def _row(row: rx.Var[DirectoryLine]) -> rx.Component:
    return table_row(
        row.name,
        row.kind,
        row.detail,
        row.npi,
        (row.city, " ", row.postal_code),
        row.phone,
        row.fax,
        row.network,
        row.modalities,
        row.quality_score,
        row.distance,
    )


def directory_page() -> rx.Component:
    return page_shell(
        page_heading("Find a provider or facility"),
        rx.form(
            rx.hstack(
                labelled_input("Name, NPI, specialty, city or ZIP", name="text", required=False),
                native_select("Health plan", "plan_id", [("", "Any plan")], dynamic=D.plans),
                native_select(
                    "Kind",
                    "kind",
                    [("", "Providers and facilities"), ("provider", "Providers"), ("facility", "Facilities")],
                ),
                labelled_input(
                    "Near ZIP code",
                    name="near_zip",
                    required=False,
                    error=D.near_zip_error,
                    hint="Only what is within 60 miles.",
                ),
                native_select(
                    "Sort by",
                    "sort",
                    [("name", "Name"), ("city", "City"), ("quality", "Imaging score, then distance")],
                ),
                rx.button("Search", type="submit", margin_top="1.6em", aria_busy=D.searching),
                wrap="wrap",
                align="start",
            ),
            on_submit=D.apply_filter,
            reset_on_submit=False,
            margin_y="1em",
        ),
        rx.text(rx.cond(D.searching, "Searching…", ""), role="status", size="2"),
        problem_callout(D.error),
        rx.text(
            "Network status is shown for the plan chosen, as of today; distances are measured from the ZIP "
            "code given. Imaging sites that have registered show their score for each kind of imaging; the "
            "others have no score.",
            size="1",
            color_scheme="gray",
        ),
        data_table(
            "Providers and facilities",
            (
                "Name",
                "Kind",
                "Specialty or type",
                "NPI",
                "City",
                "Phone",
                "Fax",
                "Network",
                "Modalities",
                "Imaging score",
                "Distance",
            ),
            rx.el.tbody(rx.foreach(D.rows, _row)),
        ),
        pager(D, "results"),
    )
