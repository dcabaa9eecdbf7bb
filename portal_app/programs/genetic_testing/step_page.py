"""The genetic testing questions of the order wizard: the category, then the test; the member's
history and a short pedigree; counselling; how the result changes care; and the chosen test's own
questions."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error
from portal_app.components.program_fields import (
    SELECT_STYLE,
    checklist,
    choice_select,
    number_field,
    text_area_field,
)
from portal_app.programs.genetic_testing.step_state import GeneticTestingStepState

G = GeneticTestingStepState
P = "genetic"


def _select(label: str, field: str, options, placeholder: str) -> rx.Component:
    return choice_select(G, P, label, field, options, placeholder=placeholder)


def _row_select(index, row, key: str, label: str, options, placeholder: str) -> rx.Component:
    field_id = f"{P}-relative-{index}-{key}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_weight="500"),
        rx.el.select(
            rx.el.option(placeholder, value=""),
            rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
            id=field_id,
            value=row[key],
            on_change=lambda v: G.update_relative(index, key, v),
            style=SELECT_STYLE,
        ),
        spacing="1",
        width="100%",
    )


def _relative_row(row, index) -> rx.Component:
    number = index + 1
    age_id = f"{P}-relative-{index}-age"
    return rx.el.fieldset(
        rx.el.legend("Relative ", number, font_weight="500"),
        rx.flex(
            _row_select(index, row, "relative", "Relative", G.relative_options, "Choose the relative"),
            _row_select(index, row, "side", "Side of the family", G.side_options, "Not applicable"),
            _row_select(index, row, "condition", "Condition", G.condition_options, "Choose the condition"),
            rx.vstack(
                rx.el.label("Relative's age at diagnosis", html_for=age_id, font_weight="500"),
                rx.input(
                    id=age_id,
                    type="number",
                    value=row["age"],
                    on_change=lambda v: G.update_relative(index, "age", v),
                ),
                spacing="1",
            ),
            rx.button(
                "Remove relative ",
                number,
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=G.remove_relative(index),
            ),
            gap="2",
            wrap="wrap",
            align="end",
            width="100%",
        ),
        style={"border": "1px solid var(--gray-6)", "border_radius": "6px", "padding": "0.5em"},
    )


def _pedigree() -> rx.Component:
    return rx.vstack(
        rx.heading("Family history", as_="h3", size="3"),
        rx.text("Blood relatives with a cancer or heart condition, one row each.", size="2"),
        rx.foreach(G.relatives, _relative_row),
        field_error(G.errors["family_history"], field_id=f"{P}-family_history"),
        rx.button("Add a relative", type="button", variant="outline", on_click=G.add_relative),
        width="100%",
    )


def _history() -> rx.Component:
    return rx.vstack(
        rx.heading("The member's own cancer", as_="h3", size="3"),
        _select("Cancer the member has had (if any)", "cancer_type", G.cancer_options, "None"),
        rx.cond(
            G.cancer_type != "",
            rx.vstack(
                number_field(G, P, "Age at diagnosis", "cancer_age"),
                rx.cond(
                    G.feature_options.length() > 0,
                    checklist(G, "Features of this cancer", "cancer_features", G.feature_options),
                ),
                width="100%",
            ),
        ),
        width="100%",
    )


def _category_questions() -> rx.Component:
    return rx.vstack(
        rx.cond(
            G.is_tumor,
            rx.vstack(
                _select("Tumor type", "tumor_type", G.tumor_options, "Choose the tumor"),
                _select(
                    "Is the cancer advanced, recurrent or metastatic?",
                    "advanced_disease",
                    G.yes_no_options,
                    "Choose",
                ),
                width="100%",
            ),
        ),
        rx.cond(
            G.is_drug,
            _select("Drug planned", "planned_drug", G.drug_options, "Choose the drug"),
        ),
        rx.cond(
            G.is_clopidogrel,
            _select("Why clopidogrel is planned", "drug_indication", G.drug_indication_options, "Choose"),
        ),
        rx.cond(
            G.is_cardiac,
            _select("The member's heart diagnosis", "cardiac_diagnosis", G.cardiac_options, "Choose"),
        ),
        rx.cond(G.is_fh, number_field(G, P, "Untreated LDL cholesterol (mg/dL)", "ldl_mg_dl")),
        rx.cond(
            G.is_pregnancy,
            rx.vstack(
                _select("Is the member pregnant?", "pregnant", G.yes_no_options, "Choose"),
                rx.cond(G.pregnant == "yes", number_field(G, P, "Weeks of pregnancy", "weeks_pregnant")),
                width="100%",
            ),
        ),
        rx.cond(
            G.is_child,
            rx.vstack(
                checklist(G, "Reason for testing the child", "child_indications", G.child_options),
                _select("Who has evaluated the child", "evaluated_by", G.evaluator_options, "Choose"),
                width="100%",
            ),
        ),
        width="100%",
    )


def _codes() -> rx.Component:
    return rx.vstack(
        rx.cond(
            G.code_lines.length() > 0,
            rx.vstack(
                rx.text(
                    "The request lists the plan's codes for this test (you do not choose codes):", size="2"
                ),
                rx.el.ul(
                    rx.foreach(G.code_lines, lambda line: rx.el.li(rx.text(line.label, size="2"))),
                    aria_label="Codes requested",
                ),
                width="100%",
            ),
        ),
        field_error(G.errors["codes"], field_id=f"{P}-codes"),
        width="100%",
    )


def step() -> rx.Component:
    return rx.vstack(
        _select("Kind of test", "category", G.category_options, "Choose the kind of test"),
        rx.cond(G.category != "", _select("Test", "test", G.test_options, "Choose the test")),
        rx.cond(G.test != "", _codes()),
        _select("Has the member had this test before?", "had_test_before", G.before_options, "Choose"),
        _history(),
        _pedigree(),
        _select("Pre-test genetic counselling", "counselling", G.counselling_options, "Choose"),
        rx.cond(
            G.counselling == "done",
            _select("Who gave the counselling", "counselled_by", G.counsellor_options, "Choose"),
        ),
        checklist(
            G, "How the result will change the member's care", "management_changes", G.management_options
        ),
        _category_questions(),
        text_area_field(G, P, "Clinical notes (optional)", "clinical_notes"),
        spacing="4",
        width="100%",
    )
