"""The order summary page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.state.orders import LineRow, OrderSummaryState

O = OrderSummaryState


def _item(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _line(line: rx.Var[LineRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.line_number), rx.table.cell(line.code), rx.table.cell(line.description),
        rx.table.cell(line.decision),
    )


def order_summary_page() -> rx.Component:
    return page_shell(
        page_heading("Order summary"),
        problem_callout(O.error),
        rx.cond(
            O.found,
            rx.vstack(
                rx.data_list.root(
                    _item("Order number", O.summary.order_number),
                    _item("Case status", O.summary.status),
                    _item("Program", O.summary.program),
                    _item("Health plan", O.summary.plan_name),
                    _item("Member", O.summary.member_name),
                    _item("Member ID", O.summary.member_number),
                    _item("Date of birth", O.summary.member_birth_date),
                    _item("Urgency", O.summary.urgency),
                    _item("Date of service", O.summary.service_start),
                ),
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                   ("Line", "Code", "Description", "Decision")])),
                    rx.table.body(rx.foreach(O.lines, _line)),
                    aria_label="Order lines",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
