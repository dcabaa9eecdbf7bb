"""The cardiology questions of the order wizard: the procedure and reason, the plan's code, then only
the measurements and findings the procedure's criteria need."""

from __future__ import annotations

import reflex as rx

from portal_app.components.program_fields import checklist, choice_select, number_field, text_area_field
from portal_app.programs.cardiology import domain as cardiology
from portal_app.programs.cardiology.step_state import CardiologyStepState
from portal_app.state.program_step import choices_from

C = CardiologyStepState
P = "cardiology"

NUMBERS = (
    ("lvef_pct", "Ejection fraction (%)", "The latest measured LVEF (echo, nuclear scan or angiography)."),
    ("days_since_mi", "Days since the heart attack", ""),
    ("months_cardiomyopathy", "Months with the cardiomyopathy on medical treatment", ""),
    ("qrs_ms", "QRS width (ms)", ""),
    ("months_since_prior_echo", "Months since the last echocardiogram", ""),
)
CHOICES = (
    ("cardiomyopathy", "Cardiomyopathy", cardiology.CARDIOMYOPATHY_LABELS),
    ("nyha_class", "NYHA class", cardiology.NYHA_LABELS),
    ("stress_result", "Stress test result", cardiology.STRESS_RESULT_LABELS),
    ("pretest", "Pre-test probability of coronary disease", cardiology.PRETEST_LABELS),
)


def _select(label: str, field: str, options, placeholder: str) -> rx.Component:
    return choice_select(
        C, P, label, field, options, placeholder=placeholder, error_key="codes" if field == "code" else ""
    )


def _asked(field: str, component: rx.Component) -> rx.Component:
    return rx.cond(C.asked.contains(field), component)


def step() -> rx.Component:
    return rx.vstack(
        _select("Procedure", "procedure", C.procedure_options, "Choose the procedure"),
        _select("Procedure code", "code", C.code_options, "Choose the procedure code"),
        _select("Reason for the procedure", "indication", C.indication_options, "Choose the reason"),
        *[
            _asked(field, _select(label, field, choices_from(labels), f"Choose the {label.lower()}"))
            for field, label, labels in CHOICES
        ],
        *[_asked(field, number_field(C, P, label, field, hint)) for field, label, hint in NUMBERS],
        rx.cond(
            C.finding_options.length() > 0,
            checklist(C, "Findings that apply", "findings", C.finding_options),
        ),
        text_area_field(C, P, "Clinical notes (optional)", "clinical_notes"),
        spacing="4",
        width="100%",
    )
