"""The imaging and cardiology questions of the order wizard."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error, notice_box
from portal_app.components.program_fields import checklist, choice_select, number_field
from portal_app.programs.imaging import domain as imaging
from portal_app.programs.imaging.step_state import Alternative, ImagingStepState
from portal_app.state.program_step import choices_from

I = ImagingStepState


def _select(label: str, field: str, options, *, placeholder: str) -> rx.Component:
    return choice_select(
        I,
        "imaging",
        label,
        field,
        options,
        placeholder=placeholder,
        error_key="codes" if field == "code" else "",
    )


def _number(label: str, field: str, hint: str = "") -> rx.Component:
    return number_field(I, "imaging", label, field, hint)


def _checklist(legend: str, field: str, options) -> rx.Component:
    return checklist(I, legend, field, options)


def _pre_exam() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Cardiac pre-exam questions", size="3", as_="h3"),
            rx.text(
                "These questions are voluntary. Answered, a request that meets the criteria is approved "
                "at once; skipped, a nurse reviews it, which takes longer.",
                size="2",
                id="imaging-pre-exam-note",
            ),
            rx.checkbox(
                "Skip the pre-exam questions",
                checked=I.skip_pre_exam,
                on_change=I.mark_skip_pre_exam,
                aria_describedby="imaging-pre-exam-note",
            ),
            rx.cond(
                ~I.skip_pre_exam,
                rx.vstack(
                    _select(
                        "Chest symptoms",
                        "chest_pain_type",
                        choices_from(imaging.CHEST_PAIN_LABELS),
                        placeholder="Choose the kind of chest symptoms",
                    ),
                    _checklist("Risk factors", "risk_factors", choices_from(imaging.RISK_FACTOR_LABELS)),
                    _select(
                        "Most recent earlier heart test (optional)",
                        "prior_test",
                        choices_from(imaging.PRIOR_TEST_LABELS),
                        placeholder="None",
                    ),
                    rx.cond(
                        I.prior_test != "",
                        _select(
                            "Its result",
                            "prior_result",
                            choices_from(imaging.PRIOR_RESULT_LABELS),
                            placeholder="Choose the result",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            field_error(I.errors["cardiac"], field_id="imaging-cardiac"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _alternative(alt: rx.Var[Alternative]) -> rx.Component:
    return rx.el.li(
        rx.text(
            rx.text.strong(alt.name),
            " — ",
            alt.detail,
            ", ",
            alt.city,
            ". Score: ",
            alt.quality,
            ". Distance: ",
            alt.distance,
            ".",
            rx.cond(alt.cost != "", rx.fragment(" Cost level: ", alt.cost, "."), rx.fragment()),
            size="2",
        )
    )


def _site_of_care() -> rx.Component:
    return rx.vstack(
        rx.text(rx.text.strong("Site of care: "), I.site_label),
        rx.cond(
            I.asks_hospital_reason,
            notice_box(
                rx.vstack(
                    rx.text(
                        "CT and MR exams in a hospital outpatient department are reviewed for site of care. "
                        "These in-network sites can do the exam; go back to the providers step to choose "
                        "one, or give the clinical reason the hospital is needed."
                    ),
                    rx.cond(
                        I.alternatives.length() > 0,
                        rx.el.ul(rx.foreach(I.alternatives, _alternative), aria_label="Other sites of care"),
                        rx.text(
                            "No other in-network site that does this exam is within reach of the member's "
                            "home address.",
                            size="2",
                        ),
                    ),
                    rx.text(
                        "Registered sites are listed by their score for the exam, then by distance; sites "
                        "that have not registered have no score. A cost level is the plan's own relative "
                        "rating of the site, shown only where the plan supplies one.",
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.el.label(
                        "Reason for the hospital setting",
                        html_for="imaging-hospital_reason",
                        font_weight="500",
                    ),
                    rx.text_area(
                        id="imaging-hospital_reason",
                        value=I.hospital_reason,
                        on_change=lambda v: I.update_field("hospital_reason", v),
                        width="100%",
                    ),
                    field_error(I.errors["hospital_reason"], field_id="imaging-hospital_reason"),
                    width="100%",
                ),
            ),
        ),
        width="100%",
    )


def step() -> rx.Component:
    return rx.vstack(
        _select("Kind of exam", "modality", I.modality_options, placeholder="Choose the exam"),
        _select("Body part", "body_part", I.body_part_options, placeholder="Choose the body part"),
        rx.cond(
            I.needs_side,
            _select(
                "Side",
                "laterality",
                choices_from(imaging.LATERALITY_LABELS),
                placeholder="Choose the side",
            ),
        ),
        _select("Procedure", "code", I.code_options, placeholder="Choose the procedure code"),
        _select(
            "Reason for the exam",
            "clinical_indication",
            choices_from(imaging.INDICATION_LABELS),
            placeholder="Choose the reason",
        ),
        rx.hstack(
            _number("Weeks of symptoms", "weeks_of_symptoms"),
            _number(
                "Weeks of conservative care",
                "weeks_conservative_care",
                hint="Physical therapy, medicines, chiropractic care...",
            ),
            width="100%",
        ),
        rx.cond(
            I.red_flag_options.length() > 0,
            _checklist("Warning signs present", "red_flags", I.red_flag_options),
        ),
        rx.cond(I.asks_pre_exam, _pre_exam()),
        _site_of_care(),
        rx.vstack(
            rx.el.label("Clinical notes (optional)", html_for="imaging-clinical_notes", font_weight="500"),
            rx.text_area(
                id="imaging-clinical_notes",
                value=I.clinical_notes,
                on_change=lambda v: I.update_field("clinical_notes", v),
                width="100%",
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
