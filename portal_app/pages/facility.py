"""Facility registration: the practice's registrations, the form one section at a time, the scorecard."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import field_error, labelled_input, notice_box, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.tables import data_table, table_row
from portal_app.domain.facility_scores import SCORED_MODALITIES
from portal_app.services import facility_registration as fr
from portal_app.state.facility import (
    FacilityRegistrationState,
    FacilityScoresState,
    FactorRow,
    RegistrationRow,
    ScoreCard,
    SectionLink,
)

S = FacilityRegistrationState
C = FacilityScoresState
_SELECT_STYLE = {"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)"}


def field_id(key: str) -> str:
    return "field-" + key.replace(".", "-")


def _control(key: str, spec: fr.FormField, label: str) -> rx.Component:
    """One question bound to ``answers[key]``, with its label and error text."""
    if spec.kind in ("yesno", "choice"):
        return rx.vstack(
            rx.el.label(label, html_for=field_id(key), font_weight="500"),
            rx.cond(spec.hint != "", rx.text(spec.hint, size="1", color_scheme="gray"))
            if spec.hint
            else rx.fragment(),
            rx.el.select(
                rx.el.option("Choose…", value=""),
                *[rx.el.option(text, value=value) for value, text in spec.choices],
                id=field_id(key),
                value=S.answers[key],
                on_change=lambda value: S.update_answer(key, value),
                aria_invalid=rx.cond(S.errors[key] != "", "true", "false"),
                aria_describedby=field_id(key) + "-error",
                style=_SELECT_STYLE,
            ),
            field_error(S.errors[key], field_id=field_id(key)),
            spacing="1",
            width="100%",
        )
    return labelled_input(
        label,
        name=key.replace(".", "-"),
        input_type="date" if spec.kind == "date" else "text",
        required=not spec.optional,
        value=S.answers[key],
        on_change=lambda value: S.update_answer(key, value),
        error=S.errors[key],
        hint=spec.hint,
    )


def _facility_section() -> rx.Component:
    return rx.vstack(
        *[_control(spec.key, spec, spec.label) for spec in fr.FACILITY_FIELDS], spacing="3", width="100%"
    )


def _modality_checkbox(modality: str, label: str) -> rx.Component:
    return rx.checkbox(
        label,
        checked=S.answers[f"offered.{modality}"] == "yes",
        on_change=lambda checked: S.toggle_modality(modality, checked),
    )


def _modalities_section() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("Modalities you offer at this site", font_weight="500"),
        rx.vstack(
            *[_modality_checkbox(modality, label) for modality, label in SCORED_MODALITIES.items()],
            spacing="2",
            margin_top="0.5em",
        ),
        field_error(S.errors["offered"], field_id="field-offered"),
        border="none",
        padding="0",
    )


def _per_modality(section: str) -> rx.Component:
    blocks = []
    for modality, name in SCORED_MODALITIES.items():
        questions = fr.modality_fields(section, modality)
        if not questions:
            continue
        blocks.append(
            rx.cond(
                S.offered.contains(modality),
                rx.el.fieldset(
                    rx.el.legend(name, font_weight="600"),
                    rx.vstack(
                        *[
                            _control(f"{modality}.{spec.key}", spec, f"{name}: {spec.label}")
                            for spec in questions
                        ],
                        spacing="3",
                        width="100%",
                    ),
                    border="1px solid var(--gray-5)",
                    border_radius="8px",
                    padding="1em",
                    width="100%",
                ),
            )
        )
    shared = []
    if section == "quality":
        shared = [
            rx.el.fieldset(
                rx.el.legend("Whole site", font_weight="600"),
                rx.vstack(
                    *[
                        rx.cond(S.offered.contains("ct"), _control(spec.key, spec, spec.label))
                        if spec.key == "dose_registry"
                        else _control(spec.key, spec, spec.label)
                        for spec in fr.QUALITY_SHARED_FIELDS
                    ],
                    spacing="3",
                    width="100%",
                ),
                border="1px solid var(--gray-5)",
                border_radius="8px",
                padding="1em",
                width="100%",
            )
        ]
    return rx.vstack(
        rx.cond(
            S.offered.length() == 0,
            rx.text("Choose the modalities you offer first (section Modalities offered)."),
        ),
        field_error(S.errors["offered"], field_id="field-offered"),
        *blocks,
        *shared,
        spacing="3",
        width="100%",
    )


def _section_link(link: rx.Var[SectionLink]) -> rx.Component:
    return rx.el.li(
        rx.button(
            link.label,
            rx.cond(link.complete, " (complete)", " (not complete)"),
            on_click=S.choose_section(link.section),
            variant=rx.cond(link.section == S.section, "solid", "ghost"),
            aria_current=rx.cond(link.section == S.section, "step", "false"),
        ),
        list_style_type="none",
    )


def _registration_form() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.button("Back to my registrations", on_click=S.back_to_list, variant="outline"),
            rx.link(
                "See the scorecard",
                href=routes.FACILITY_SCORES + "?registration=" + S.registration_id.to_string(),
            ),
            align="center",
            spacing="4",
        ),
        rx.text("Registration ", S.registration_id, " — status: ", S.status_label, size="2"),
        rx.cond(
            S.corrections_note != "",
            notice_box(
                rx.text("Support asks for corrections:", font_weight="600"),
                rx.text(S.corrections_note),
            ),
        ),
        rx.cond(
            S.changed_since_submitted,
            rx.callout(
                "You have saved changes that are not submitted yet. Your scores stay as last submitted "
                "until you submit again.",
                color_scheme="amber",
                role="status",
                width="100%",
            ),
        ),
        rx.el.nav(
            rx.el.ul(
                rx.foreach(S.sections, _section_link),
                padding="0",
                margin="0",
                style={"display": "flex", "flex_wrap": "wrap", "gap": "0.5em"},
            ),
            aria_label="Registration sections",
        ),
        rx.heading(S.section_label, size="5", as_="h2"),
        problem_callout(S.form_error),
        problem_callout(S.message, color="green"),
        rx.match(
            S.section,
            ("facility", _facility_section()),
            ("modalities", _modalities_section()),
            *[(section, _per_modality(section)) for section in fr.PER_MODALITY_SECTIONS],
            rx.fragment(),
        ),
        rx.hstack(
            rx.button("Save section", on_click=S.save_section, variant="outline"),
            rx.cond(~S.is_last_section, rx.button("Save and continue", on_click=S.save_and_continue)),
            rx.button("Submit registration", on_click=S.submit),
            spacing="3",
            margin_top="1em",
        ),
        spacing="3",
        width="100%",
    )


def _row(row: rx.Var[RegistrationRow]) -> rx.Component:
    return table_row(
        row.registration_id,
        row.facility_name,
        row.npi,
        row.status_label,
        row.progress,
        row.submitted_on,
        (
            rx.button(
                "Open",
                on_click=S.open_registration(row.registration_id),
                size="1",
                aria_label="Open registration " + row.registration_id.to_string(),
            ),
            rx.link(
                "Scores",
                href=routes.FACILITY_SCORES + "?registration=" + row.registration_id.to_string(),
                aria_label="Scores of registration " + row.registration_id.to_string(),
                margin_left="0.75em",
            ),
        ),
    )


def _registration_list() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Register each imaging site your practice runs: its details, the modalities it offers, the "
            "equipment, staff qualifications, accreditation and quality control. Each section is saved on "
            "its own. Once submitted, the portal scores every modality and shows ordering providers your "
            "site.",
            size="2",
        ),
        rx.button("Start a new registration", on_click=S.start_new),
        problem_callout(S.form_error),
        rx.cond(
            S.rows.length() == 0,
            rx.text("No registration yet."),
            data_table(
                "Facility registrations",
                ["Number", "Facility", "NPI", "Status", "Progress", "Submitted", "Actions"],
                rx.el.tbody(rx.foreach(S.rows, _row)),
            ),
        ),
        spacing="3",
        width="100%",
    )


def facility_registration_page() -> rx.Component:
    return page_shell(
        page_heading("Facility registration"),
        rx.cond(S.registration_id == 0, _registration_list(), _registration_form()),
    )


def _factor(row: rx.Var[FactorRow]) -> rx.Component:
    return table_row(row.label, row.points, row.result, row.explanation, row.standard)


def score_section(card: rx.Var[ScoreCard]) -> rx.Component:
    return rx.el.section(
        rx.heading(card.heading, size="5", as_="h2", id="score-" + card.modality),
        data_table(
            "Score factors",
            ["Item", "Points", "Result", "What raised or lowered it", "Standard"],
            rx.el.tbody(rx.foreach(card.factors, _factor)),
        ),
        rx.cond(card.changes != "", rx.text(card.changes, size="2")),
        rx.heading("What would raise this score", size="3", as_="h3", margin_top="0.75em"),
        rx.cond(
            card.raises.length() == 0,
            rx.text("Nothing: every item is met.", size="2"),
            rx.el.ul(rx.foreach(card.raises, lambda line: rx.el.li(line))),
        ),
        aria_labelledby="score-" + card.modality,
        margin_bottom="2em",
        width="100%",
    )


def facility_scores_page() -> rx.Component:
    return page_shell(
        page_heading("Facility scores"),
        rx.link("Back to facility registration", href=routes.FACILITY_REGISTRATION),
        problem_callout(C.error),
        rx.cond(
            C.facility_name != "",
            rx.text(C.facility_name, " — scored on ", C.as_of, font_weight="600", margin_top="0.5em"),
        ),
        rx.cond(
            C.preview,
            rx.callout(
                "Preview: these are the scores of the answers saved so far. They are published when you "
                "submit the registration.",
                color_scheme="amber",
                role="status",
                width="100%",
            ),
        ),
        rx.text(
            "Each modality is scored out of 100 from your answers; see how the score is worked out in the "
            "table of items below each heading. An accreditation or physicist survey that runs out earns no "
            "points from that day.",
            size="2",
            margin_y="0.5em",
        ),
        rx.vstack(rx.foreach(C.cards, score_section), width="100%"),
    )
