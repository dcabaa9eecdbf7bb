"""The radiation oncology questions of the order wizard: the modality (never codes), the course,
the treatment site, the goal and the cancer."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import field_error
from portal_app.components.program_fields import choice_select, number_field, text_area_field
from portal_app.programs.radiation_oncology.step_state import RadOncStepState

R = RadOncStepState
P = "rad_onc"


def _select(label: str, field: str, options, placeholder: str) -> rx.Component:
    return choice_select(R, P, label, field, options, placeholder=placeholder)


def _codes() -> rx.Component:
    return rx.vstack(
        rx.cond(
            R.code_lines.length() > 0,
            rx.vstack(
                rx.text(
                    "The request lists the plan's codes for this kind of radiation (you do not choose "
                    "codes):",
                    size="2",
                ),
                rx.el.ul(
                    rx.foreach(R.code_lines, lambda line: rx.el.li(rx.text(line.label, size="2"))),
                    aria_label="Codes requested",
                ),
                rx.cond(
                    R.left_out.length() > 0,
                    rx.text(
                        "A request holds at most 10 codes; these codes of the list are not on it: ",
                        rx.foreach(R.left_out, lambda code: rx.text.span(code, " ")),
                        size="2",
                        color_scheme="amber",
                    ),
                ),
                width="100%",
            ),
        ),
        field_error(R.errors["codes"], field_id=f"{P}-codes"),
        rx.link(
            "See every radiation therapy code by plan and year (opens in a new tab)",
            href=routes.RADIATION_CODES,
            is_external=True,
            size="2",
        ),
        width="100%",
    )


def step() -> rx.Component:
    return rx.vstack(
        _select("Cancer type", "cancer_type", R.cancer_options, "Choose the cancer"),
        _select("Treatment site", "treatment_site", R.site_options, "Choose the site"),
        _select("Goal of treatment", "intent", R.intent_options, "Choose the goal"),
        _select("Kind of radiation (modality)", "modality", R.modality_options, "Choose the modality"),
        rx.cond(
            R.is_proton,
            _select("Reason for proton therapy", "proton_indication", R.proton_options, "Choose the reason"),
        ),
        rx.hstack(
            number_field(R, P, "Number of treatments (fractions)", "fractions"),
            number_field(R, P, "Total dose (Gy)", "total_dose_gy"),
            width="100%",
            align="end",
        ),
        rx.cond(R.dose_per_fraction != "", rx.text(R.dose_per_fraction, size="2", role="status")),
        rx.cond(R.modality != "", _codes()),
        text_area_field(R, P, "Clinical notes (optional)", "clinical_notes"),
        spacing="4",
        width="100%",
    )
