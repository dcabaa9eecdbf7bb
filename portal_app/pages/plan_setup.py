"""Support: health plans, their lines of business, delegated programs and letters' contacts."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import native_select
from portal_app.components.tables import data_table, table_row
from portal_app.state.plan_setup import (
    LINE_CHOICES,
    PROGRAM_CHOICES,
    ContactLine,
    DelegationLine,
    PlanLine,
    PlanSetupState,
)

S = PlanSetupState
_SELECT_STYLE = {"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"}


def _line_boxes(prefix: str, checked=None) -> rx.Component:
    """One checkbox per line of business (read from the form), ticked as the plan has them."""
    boxes = []
    for value, label in LINE_CHOICES:
        box_id = f"{prefix}-line-{value}"
        props = {"default_checked": checked.contains(value)} if checked is not None else {}
        boxes.append(
            rx.hstack(
                rx.el.input(type="checkbox", id=box_id, name=f"line_{value}", **props),
                rx.el.label(label, html_for=box_id),
                align="center",
                spacing="1",
            )
        )
    return rx.el.fieldset(
        rx.el.legend("Lines of business", font_weight="500"),
        rx.hstack(*boxes, wrap="wrap", spacing="4"),
        border="none",
        padding="0",
    )


def _plan_row(row: rx.Var[PlanLine]) -> rx.Component:
    return table_row(
        row.code,
        row.name,
        row.lines,
        row.programs,
        rx.button("Edit", size="1", on_click=S.open_plan(row.plan_id), aria_label="Edit plan " + row.code),
    )


def _new_plan() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("New plan", size="4", as_="h2"),
            rx.hstack(
                labelled_input("Plan code", name="code"),
                labelled_input("Plan name", name="name"),
                width="100%",
            ),
            _line_boxes("new"),
            rx.button("Create plan", type="submit"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.create_plan,
        reset_on_submit=True,
        width="100%",
    )


def _delegation_row(row: rx.Var[DelegationLine]) -> rx.Component:
    key = row.delegation_id.to_string()
    return table_row(
        row.program_label,
        row.line_label,
        row.delegated_from,
        rx.cond(row.delegated_until != "", row.delegated_until, "—"),
        row.validity_days,
        row.pend_clock,
        rx.cond(
            row.ended,
            rx.text("Ended", size="2"),
            rx.vstack(
                rx.form(
                    rx.hstack(
                        rx.el.input(type="hidden", name="delegation_id", value=key),
                        rx.el.label("Last day", html_for="last-" + key, class_name="visually-hidden"),
                        rx.el.input(type="date", id="last-" + key, name="last_day", required=True),
                        rx.button(
                            "End", type="submit", size="1", aria_label="End " + row.program_label + " " + key
                        ),
                        align="center",
                    ),
                    on_submit=S.end_delegation,
                ),
                rx.form(
                    rx.hstack(
                        rx.el.input(type="hidden", name="delegation_id", value=key),
                        rx.el.label(
                            "New validity days", html_for="days-" + key, class_name="visually-hidden"
                        ),
                        rx.el.input(
                            type="number",
                            id="days-" + key,
                            name="validity_days",
                            placeholder="days",
                            width="5em",
                        ),
                        rx.el.label("From", html_for="from-" + key, class_name="visually-hidden"),
                        rx.el.input(type="date", id="from-" + key, name="effective", required=True),
                        rx.button(
                            "Change validity",
                            type="submit",
                            size="1",
                            aria_label="Change the validity of " + row.program_label + " " + key,
                        ),
                        align="center",
                    ),
                    on_submit=S.change_validity,
                ),
                spacing="1",
            ),
        ),
    )


def _add_delegation() -> rx.Component:
    return rx.form(
        rx.hstack(
            native_select("Program", "program", PROGRAM_CHOICES),
            rx.vstack(
                rx.el.label("For", html_for="field-line_of_business", font_weight="500"),
                rx.el.select(
                    rx.foreach(S.line_options, lambda o: rx.el.option(o.label, value=o.value)),
                    id="field-line_of_business",
                    name="line_of_business",
                    style=_SELECT_STYLE,
                ),
                spacing="1",
            ),
            labelled_input("Delegated from", name="delegated_from", input_type="date"),
            labelled_input(
                "Delegated until (optional)", name="delegated_until", input_type="date", required=False
            ),
            labelled_input(
                "Validity days (empty: the program's usual)",
                name="validity_days",
                input_type="number",
                required=False,
            ),
            labelled_input(
                "Pend clock, business days (empty: the plan's)",
                name="pend_business_days",
                input_type="number",
                required=False,
            ),
            labelled_input(
                "Pend clock when urgent, hours (empty: the plan's)",
                name="pend_urgent_hours",
                input_type="number",
                required=False,
            ),
            rx.button("Add delegation", type="submit", margin_top="1.6em"),
            align="start",
            wrap="wrap",
        ),
        on_submit=S.add_delegation,
        reset_on_submit=True,
        width="100%",
    )


def _contact_row(row: rx.Var[ContactLine]) -> rx.Component:
    return table_row(row.effective_from, row.appeals_address, row.phone, row.fax)


def _add_contact() -> rx.Component:
    return rx.form(
        rx.hstack(
            labelled_input("Letters use these from", name="effective_from", input_type="date"),
            labelled_input("Address for appeals", name="appeals_address"),
            labelled_input("Phone", name="phone", input_type="tel"),
            labelled_input("Fax (optional)", name="fax", input_type="tel", required=False),
            rx.button("Save contact details", type="submit", margin_top="1.6em"),
            align="start",
            wrap="wrap",
        ),
        on_submit=S.add_contact,
        reset_on_submit=True,
        width="100%",
    )


def _plan_editor() -> rx.Component:
    return rx.vstack(
        rx.heading("Plan ", S.code, size="5", as_="h2"),
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.vstack(
                        rx.el.label("Plan name", html_for="field-edit-name", font_weight="500"),
                        rx.input(
                            id="field-edit-name", name="name", default_value=S.name, key=S.code + "-name"
                        ),
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.el.label(
                            "Days for a standard decision", html_for="field-review-days", font_weight="500"
                        ),
                        rx.input(
                            id="field-review-days",
                            name="review_days",
                            type="number",
                            default_value=S.review_days,
                            key=S.code + "-days",
                        ),
                        spacing="1",
                    ),
                    wrap="wrap",
                ),
                rx.box(_line_boxes("edit", S.lines), key=S.code + "-" + S.lines.join(",")),
                rx.button("Save plan", type="submit"),
                spacing="2",
            ),
            on_submit=S.save_plan,
            reset_on_submit=False,
        ),
        rx.heading("Delegated programs", size="4", as_="h3", margin_top="1em"),
        rx.text(
            "A delegation for one line of business applies to that line's members only; a change of "
            "validity applies to dates of service from its day on.",
            size="2",
        ),
        data_table(
            "Delegated programs",
            ("Program", "Line of business", "From", "Until", "Validity", "Pend clock", "Change"),
            rx.el.tbody(rx.foreach(S.delegations, _delegation_row)),
        ),
        _add_delegation(),
        rx.heading("Contact details in letters", size="4", as_="h3", margin_top="1em"),
        data_table(
            "Contact details in letters",
            ("From", "Address for appeals", "Phone", "Fax"),
            rx.el.tbody(rx.foreach(S.contacts, _contact_row)),
        ),
        _add_contact(),
        spacing="3",
        width="100%",
    )


def plan_setup_page() -> rx.Component:
    return page_shell(
        page_heading("Health plans"),
        rx.text(
            "What each plan offers and delegates. Every change is in the audit log and takes effect on "
            "its date.",
            size="2",
        ),
        problem_callout(S.message, color="green"),
        problem_callout(S.error),
        data_table(
            "Health plans",
            ("Code", "Name", "Lines of business", "Programs", ""),
            rx.el.tbody(rx.foreach(S.plans, _plan_row)),
        ),
        rx.cond(S.plan_id != 0, _plan_editor()),
        rx.divider(margin_y="1em"),
        _new_plan(),
    )
