"""Provider and facility look-up."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import native_select, pager
from portal_app.state.directory import DirectoryLine, DirectoryState

D = DirectoryState


def _row(row: rx.Var[DirectoryLine]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.name), rx.table.cell(row.kind), rx.table.cell(row.detail), rx.table.cell(row.npi),
        rx.table.cell(row.city, " ", row.postal_code), rx.table.cell(row.phone), rx.table.cell(row.fax),
        rx.table.cell(row.network), rx.table.cell(row.modalities), rx.table.cell(row.quality_score),
    )


def directory_page() -> rx.Component:
    return page_shell(
        page_heading("Find a provider or facility"),
        rx.form(
            rx.hstack(
                labelled_input("Name, NPI, specialty, city or ZIP", name="text", required=False),
                native_select("Health plan", "plan_id", [("", "Any plan")], dynamic=D.plans),
                native_select("Kind", "kind", [("", "Providers and facilities"), ("provider", "Providers"),
                                                ("facility", "Facilities")]),
                native_select("Sort by", "sort", [("name", "Name"), ("city", "City"),
                                                   ("quality", "Quality score (facilities)")]),
                rx.button("Search", type="submit", margin_top="1.6em"),
                wrap="wrap",
                align="start",
            ),
            on_submit=D.apply_filter,
            reset_on_submit=False,
            margin_y="1em",
        ),
        rx.text("Network status is shown for the plan chosen.", size="1", color_scheme="gray"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                "Name", "Kind", "Specialty or type", "NPI", "City", "Phone", "Fax", "Network", "Modalities",
                "Quality score")])),
            rx.table.body(rx.foreach(D.rows, _row)),
            aria_label="Providers and facilities",
            width="100%",
        ),
        pager(D, "results"),
    )
