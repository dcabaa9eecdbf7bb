"""The rehabilitation questions of the order wizard (physical, occupational and speech therapy)."""

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
from portal_app.programs.rehabilitation.step_state import EpisodeLine, ItemRow, RehabStepState

R = RehabStepState
P = "rehab"


def _select(label: str, field: str, options, placeholder: str) -> rx.Component:
    return choice_select(R, P, label, field, options, placeholder=placeholder)


def _item(row: rx.Var[ItemRow]) -> rx.Component:
    return rx.vstack(
        rx.el.label(row.label, html_for=row.field_id, font_size="0.9em"),
        rx.input(
            id=row.field_id,
            type="number",
            value=row.value,
            on_change=lambda v: R.answer_item(row.index, v),
            width="8em",
        ),
        spacing="1",
    )


def _episode() -> rx.Component:
    return rx.vstack(
        rx.cond(
            R.episode_note != "", rx.callout(R.episode_note, color_scheme="blue", role="status", width="100%")
        ),
        rx.cond(
            R.episode_requests.length() > 0,
            rx.vstack(
                rx.text("Earlier requests in this episode:", size="2", font_weight="500"),
                rx.el.ul(
                    rx.foreach(R.episode_requests, lambda line: rx.el.li(rx.text(line.label, size="2"))),
                    aria_label="Earlier requests in this episode",
                ),
                spacing="1",
                width="100%",
            ),
        ),
        _select("Kind of episode", "episode_kind", R.episode_kind_options, "Choose the kind of episode"),
        text_field(
            R, P, "Initial evaluation date of the episode", "initial_evaluation_date", input_type="date"
        ),
        rx.cond(
            R.date_changed,
            text_area_field(
                R, P, "Why the initial evaluation date changes", "initial_evaluation_date_reason"
            ),
        ),
        spacing="3",
        width="100%",
    )


def _scores() -> rx.Component:
    return rx.vstack(
        rx.heading("Functional outcome", size="3", as_="h3"),
        rx.cond(
            R.tool_options.length() > 0,
            _select("Functional outcome tool", "outcome_tool", R.tool_options, "Choose the tool"),
        ),
        rx.cond(R.tool_note != "", rx.text(R.tool_note, size="2", color_scheme="gray")),
        rx.cond(
            R.outcome_tool != "",
            rx.cond(
                R.enters_total,
                text_field(R, P, "Total score on the licensed form", "current_score", input_type="number"),
                rx.vstack(
                    rx.flex(rx.foreach(R.item_rows, _item), wrap="wrap", gap="0.8em"),
                    field_error(R.errors["outcome_answers"], field_id="rehab-outcome_answers"),
                    width="100%",
                ),
            ),
        ),
        rx.cond(R.score_text != "", rx.text(R.score_text, size="2", role="status")),
        rx.cond(
            R.is_later & ~R.baseline_on_file & (R.outcome_tool != ""),
            rx.hstack(
                _select(
                    "Baseline tool (from the first treatment request)",
                    "baseline_tool",
                    R.tool_options,
                    "Choose the tool",
                ),
                text_field(R, P, "Baseline score", "baseline_score", input_type="number"),
                width="100%",
            ),
        ),
        rx.cond(
            R.change_text != "", rx.callout(R.change_text, color_scheme="blue", role="status", width="100%")
        ),
        spacing="3",
        width="100%",
    )


def _progress() -> rx.Component:
    return rx.vstack(
        rx.heading("Progress since the last request", size="3", as_="h3"),
        checklist(R, "Mitigating factors (when progress is small)", "mitigating_factors", R.factor_options),
        text_area_field(R, P, "Note on the mitigating factors", "mitigating_factor_note"),
        rx.checkbox(
            "The plan of care has changed",
            checked=R.plan_of_care_changed,
            on_change=lambda v: R.toggle_flag("plan_of_care_changed", v),
        ),
        rx.cond(
            R.plan_of_care_changed,
            text_area_field(R, P, "How the plan of care changed", "plan_of_care_change_note"),
        ),
        _select("Short-term goals met?", "short_term_goals_met", R.goals_options, "Not stated"),
        rx.checkbox(
            "The plan of care's functional goals are met (discharge planning)",
            checked=R.functional_goals_met,
            on_change=lambda v: R.toggle_flag("functional_goals_met", v),
        ),
        number_field(R, P, "Visits attended in this episode so far", "visits_attended"),
        rx.cond(R.burn_down_text != "", rx.text(R.burn_down_text, size="2", role="status")),
        spacing="3",
        width="100%",
    )


def _recommendation() -> rx.Component:
    return rx.cond(
        R.recommendation != "",
        notice_box(
            rx.heading("Visit recommendation", size="3", as_="h3"),
            rx.text(R.recommendation, font_weight="600"),
            rx.el.ul(
                rx.foreach(R.reasons, lambda reason: rx.el.li(rx.text(reason, size="2"))),
                aria_label="Reasons for the visit recommendation",
            ),
            rx.cond(R.outcome_note != "", rx.text(R.outcome_note, size="2")),
            color="blue",
        ),
    )


def step() -> rx.Component:
    return rx.vstack(
        _select("Therapy discipline", "discipline", R.discipline_options, "Choose the discipline"),
        _select("Body region", "body_region", R.region_options, "Choose the body region"),
        _select("Kind of request", "request_type", R.request_type_options, "Choose the kind of request"),
        rx.cond(
            (R.discipline != "") & (R.body_region != "") & (R.request_type != ""),
            rx.vstack(
                _episode(),
                rx.cond(R.asks_scores, _scores()),
                rx.cond(R.is_later, _progress()),
                checklist(R, "Procedure codes requested", "codes", R.code_options, on_toggle=R.toggle_code),
                number_field(
                    R,
                    P,
                    "Visits requested (optional)",
                    "visits_requested",
                    hint="Leave empty to ask for the visits the program recommends.",
                ),
                rx.checkbox(
                    "The member has reached the plan's benefit limit for the year",
                    checked=R.benefit_limit_reached,
                    on_change=lambda v: R.toggle_flag("benefit_limit_reached", v),
                ),
                _recommendation(),
                text_area_field(R, P, "Clinical notes (optional)", "clinical_notes"),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


__all__ = ["EpisodeLine", "step"]
