"""The musculoskeletal questions of the order wizard."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import notice_box
from portal_app.components.program_fields import checklist, choice_select, number_field, text_area_field
from portal_app.programs.musculoskeletal import domain as msk
from portal_app.programs.musculoskeletal.step_state import MskStepState
from portal_app.state.program_step import choices_from

M = MskStepState
P = "msk"


def _select(label: str, field: str, options, placeholder: str) -> rx.Component:
    return choice_select(M, P, label, field, options, placeholder=placeholder)


def _codes() -> rx.Component:
    return checklist(
        M,
        "Procedure codes requested (each is decided on its own)",
        "codes",
        M.code_options,
        on_toggle=M.toggle_code,
    )


def _surgery_questions() -> rx.Component:
    return rx.vstack(
        _select("Setting", "setting", choices_from(msk.SETTING_LABELS), "Choose inpatient or outpatient"),
        rx.cond(M.stay_note != "", rx.callout(M.stay_note, color_scheme="blue", role="status", width="100%")),
        rx.checkbox(
            "This redoes an earlier operation (revision)", checked=M.revision, on_change=M.mark_revision
        ),
        width="100%",
        spacing="3",
    )


def _pain_questions() -> rx.Component:
    return rx.vstack(
        rx.cond(
            M.asks_prior_relief,
            number_field(
                M,
                P,
                "Relief from the last session of this procedure (percent)",
                "prior_relief_percent",
                hint="Leave empty when this is the first one in the last 12 months.",
            ),
        ),
        rx.cond(
            M.asks_blocks,
            rx.hstack(
                number_field(M, P, "Diagnostic medial branch blocks done", "diagnostic_blocks"),
                number_field(
                    M, P, "Lowest relief from those blocks (percent)", "diagnostic_block_relief_percent"
                ),
                width="100%",
            ),
        ),
        rx.cond(
            M.asks_trial,
            number_field(
                M, P, "Relief during the stimulator trial (percent)", "stimulator_trial_relief_percent"
            ),
        ),
        width="100%",
    )


def _questions() -> rx.Component:
    return rx.vstack(
        _select("Kind of procedure", "category", M.category_options, "Choose the kind of procedure"),
        rx.cond(
            M.category != "", _select("Procedure", "procedure", M.procedure_options, "Choose the procedure")
        ),
        rx.cond(
            M.region_options.length() > 0,
            _select("Part of the spine", "spine_region", M.region_options, "Choose the part of the spine"),
        ),
        rx.cond(M.needs_levels, number_field(M, P, "Number of spinal levels", "levels")),
        rx.cond(M.needs_side, _select("Side", "side", choices_from(msk.SIDE_LABELS), "Choose the side")),
        rx.cond(M.is_surgery, _surgery_questions()),
        rx.cond(M.procedure != "", _codes()),
        number_field(
            M,
            P,
            "Weeks of conservative care",
            "weeks_conservative_care",
            hint="Physical therapy, medicines, injections, braces...",
        ),
        rx.cond(
            M.finding_options.length() > 0,
            checklist(M, "Imaging findings", "imaging_findings", M.finding_options),
        ),
        rx.cond(
            M.warning_options.length() > 0,
            checklist(M, "Warning signs present", "warning_signs", M.warning_options),
        ),
        rx.cond(
            M.asks_nonunion,
            checklist(
                M,
                "Risks that the fusion will not heal",
                "nonunion_risks",
                choices_from(msk.NONUNION_RISK_LABELS),
            ),
        ),
        _pain_questions(),
        text_area_field(M, P, "Clinical notes (optional)", "clinical_notes"),
        spacing="4",
        width="100%",
    )


def step() -> rx.Component:
    return rx.vstack(
        _select(
            "Is this an emergency-room case (acute fracture, injury or neurological emergency)?",
            "emergency_presentation",
            choices_from(msk.EMERGENCY_LABELS),
            "Choose",
        ),
        rx.cond(
            M.stop_message != "",
            notice_box(rx.text(M.stop_message), color="blue"),
            _questions(),
        ),
        spacing="4",
        width="100%",
    )
