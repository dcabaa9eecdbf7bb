"""The sleep questions of the order wizard: studies, titration, PAP devices, continued coverage and
supplies, with the member's PAP adherence from imported device data."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error, notice_box
from portal_app.components.program_fields import (
    checklist,
    choice_select,
    number_field,
    text_area_field,
    text_field,
)
from portal_app.programs.sleep.step_state import UPLOAD_ROUTE, NightRow, SleepStepState, SupplyRow

S = SleepStepState
P = "sleep"


def _select(label: str, field: str, options, placeholder: str) -> rx.Component:
    return choice_select(S, P, label, field, options, placeholder=placeholder)


def _warning(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, color_scheme="amber", role="status", width="100%"))


def _study() -> rx.Component:
    return rx.vstack(
        _select("Kind of sleep study", "study_type", S.study_options, "Choose the kind of study"),
        checklist(S, "Conditions that call for an in-lab study", "lab_conditions", S.lab_condition_options),
        _select("Earlier home sleep test", "prior_home_test", S.home_test_options, "Choose"),
        text_area_field(S, P, "Why an in-lab study is needed (if none of the above applies)", "lab_reason"),
        _warning(S.setting_problem),
        spacing="3",
        width="100%",
    )


def _diagnosis() -> rx.Component:
    return rx.vstack(
        rx.heading("Diagnostic sleep test", size="3", as_="h3"),
        rx.hstack(
            _select("Index reported", "index_kind", S.index_options, "Choose AHI or RDI"),
            number_field(S, P, "Events per hour (AHI or RDI)", "diagnostic_index"),
            width="100%",
        ),
        rx.hstack(
            number_field(S, P, "Hours recorded", "recording_hours"),
            number_field(S, P, "Number of events recorded", "event_count"),
            width="100%",
        ),
        checklist(S, "Symptoms and conditions documented", "findings", S.finding_options),
        _warning(S.coverage_problem),
        spacing="3",
        width="100%",
    )


def _device() -> rx.Component:
    return rx.vstack(
        _select("Kind of PAP device", "device_type", S.device_options, "Choose the device"),
        rx.checkbox(
            "CPAP was tried and did not work or was not tolerated",
            checked=S.cpap_failed,
            on_change=S.mark_cpap_failed,
        ),
        spacing="3",
        width="100%",
    )


def _night(row: rx.Var[NightRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.night),
        rx.table.cell(row.hours),
        rx.table.cell(rx.cond(row.counted, "4 hours or more", "under 4 hours")),
    )


def _adherence() -> rx.Component:
    return rx.vstack(
        rx.heading("PAP use from device data", size="3", as_="h3"),
        text_field(S, P, "PAP setup date", "setup_date", input_type="date"),
        rx.box(
            rx.text(S.adherence, font_weight="600"),
            rx.cond(S.adherence_source != "", rx.text(S.adherence_source, size="2")),
            rx.cond(
                ~S.has_device_data,
                rx.text(
                    "Upload the member's device data on the ",
                    rx.link("device data page", href=UPLOAD_ROUTE),
                    " to fill this in.",
                    size="2",
                ),
            ),
            role="status",
            aria_label="PAP adherence",
            width="100%",
        ),
        rx.cond(
            S.window_nights.length() > 0,
            rx.table.root(
                rx.el.caption("Nights of the best 30-night window", class_name="visually-hidden"),
                rx.table.header(
                    rx.table.row(*[rx.table.column_header_cell(h) for h in ("Night", "Use", "")])
                ),
                rx.table.body(rx.foreach(S.window_nights, _night)),
                aria_label="Nights of the best 30-night window",
                width="100%",
                size="1",
            ),
        ),
        field_error(S.errors["adherence"], field_id="sleep-adherence"),
        spacing="3",
        width="100%",
    )


def _supply(row: rx.Var[SupplyRow]) -> rx.Component:
    return rx.vstack(
        rx.el.label(row.label, html_for=row.field_id),
        rx.input(
            id=row.field_id,
            type="number",
            value=row.quantity,
            width="6em",
            on_change=lambda v: S.update_quantity(row.item, v),
        ),
        rx.cond(row.problem != "", rx.text(row.problem, color_scheme="red", size="2", role="alert")),
        spacing="1",
        width="100%",
    )


def _supplies() -> rx.Component:
    return rx.vstack(
        rx.heading("Supplies requested", size="3", as_="h3"),
        rx.text("Enter a quantity for each item requested; leave the others empty.", size="2"),
        rx.foreach(S.supply_rows, _supply),
        field_error(S.errors["supplies"], field_id="sleep-supplies"),
        spacing="2",
        width="100%",
    )


def step() -> rx.Component:
    return rx.vstack(
        _select("Kind of request", "request_kind", S.kind_options, "Choose the kind of request"),
        rx.cond(S.is_study, _study()),
        rx.cond(S.asks_diagnosis, _diagnosis()),
        rx.cond(S.asks_device, _device()),
        rx.cond(S.asks_model, text_field(S, P, "Device make and model", "device_model")),
        rx.cond(
            S.recall != "", notice_box(rx.text(rx.text.strong("Recall notice: "), S.recall), role="alert")
        ),
        rx.cond(S.asks_adherence, _adherence()),
        rx.cond(
            S.is_supplies,
            _supplies(),
            rx.cond(
                S.code_options.length() > 0,
                checklist(S, "Procedure codes requested", "codes", S.code_options, on_toggle=S.toggle_code),
            ),
        ),
        text_area_field(S, P, "Clinical notes (optional)", "clinical_notes"),
        spacing="4",
        width="100%",
    )
