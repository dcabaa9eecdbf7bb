"""The medical oncology questions of the order wizard: diagnoses, cancer and biomarkers, the pathway
regimens (before any dosing), then the dosing of each drug over the requested cycles."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error, notice_box
from portal_app.components.program_fields import (
    SELECT_STYLE,
    checklist,
    choice_select,
    number_field,
    text_area_field,
    text_field,
)
from portal_app.domain.dosing import DOSE_BASIS_LABELS
from portal_app.programs.medical_oncology import domain as onc
from portal_app.programs.medical_oncology.step_state import DrugRow, MedOncStepState, RegimenCard
from portal_app.state.program_step import Choice, choices_from

M = MedOncStepState
P = "med_onc"
BSA_FORMULAS = [Choice("mosteller", "Mosteller (the usual choice)"), Choice("dubois", "DuBois and DuBois")]


def _echo(text) -> rx.Component:
    return rx.cond(text != "", rx.text(text, size="2", color_scheme="gray"))


# --- diagnoses ---


def _diagnoses() -> rx.Component:
    return rx.vstack(
        rx.heading("Diagnoses", size="3", as_="h3"),
        rx.text(
            "This program reviews drugs only when the primary diagnosis is a cancer. The diagnoses you give "
            "here are put on the Diagnosis step for you.",
            size="2",
        ),
        text_field(
            M, P, "Primary diagnosis: ICD-10-CM code of the cancer being treated", "primary_diagnosis"
        ),
        _echo(M.primary_text),
        checklist(
            M,
            "Supportive drugs requested with this treatment (optional)",
            "supportive_drugs",
            M.supportive_options,
            on_toggle=M.toggle_supportive,
        ),
        rx.cond(
            M.supportive_drugs.length() > 0,
            rx.vstack(
                text_field(
                    M,
                    P,
                    "Secondary diagnosis: ICD-10-CM code of the condition the supportive drug treats",
                    "secondary_diagnosis",
                ),
                rx.text(M.secondary_hint, size="1", color_scheme="gray"),
                _echo(M.secondary_text),
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


# --- cancer, setting, biomarkers ---


def _biomarker(question: onc.BiomarkerQuestion) -> rx.Component:
    field_id = f"{P}-biomarker-{question.key}"
    return rx.cond(
        M.biomarker_keys.contains(question.key),
        rx.vstack(
            rx.el.label(question.label, html_for=field_id, font_weight="500"),
            rx.text(question.help, size="1", color_scheme="gray") if question.help else rx.fragment(),
            rx.el.select(
                rx.el.option("Choose", value=""),
                *[rx.el.option(label, value=value) for value, label in question.options],
                id=field_id,
                value=M.biomarkers[question.key],
                on_change=lambda value: M.answer_biomarker(question.key, value),
                style=SELECT_STYLE,
            ),
            spacing="1",
            width="100%",
        ),
    )


def _cancer() -> rx.Component:
    return rx.vstack(
        rx.heading("Cancer and goal of treatment", size="3", as_="h3"),
        choice_select(M, P, "Cancer type", "cancer_type", M.cancer_options, placeholder="Choose the cancer"),
        rx.cond(
            M.cancer_type != "",
            choice_select(
                M, P, "Stage or setting", "setting", M.setting_options, placeholder="Choose the setting"
            ),
        ),
        rx.cond(
            M.asks_line,
            number_field(
                M,
                P,
                "Line of therapy",
                "line",
                hint="1 for the first treatment in this setting, 2 for the next one...",
            ),
        ),
        choice_select(
            M,
            P,
            "Goal of treatment",
            "intent",
            choices_from(onc.INTENT_LABELS),
            placeholder="Choose the goal",
        ),
        rx.cond(
            M.biomarker_keys.length() > 0,
            rx.el.fieldset(
                rx.el.legend("Biomarkers", font_weight="600"),
                rx.text(
                    "Only the tests that select a regimen for this cancer are asked.",
                    size="1",
                    color_scheme="gray",
                ),
                *[_biomarker(question) for question in onc.BIOMARKER_QUESTIONS.values()],
                field_error(M.errors["biomarkers"], field_id=f"{P}-biomarkers"),
                style={
                    "display": "flex",
                    "flex_direction": "column",
                    "gap": "0.6em",
                    "border": "none",
                    "padding": "0",
                    "width": "100%",
                },
            ),
        ),
        spacing="3",
        width="100%",
    )


# --- pathway regimens (before any dosing) ---


def _regimen_card(card: rx.Var[RegimenCard]) -> rx.Component:
    chosen = M.regimen_id == card.regimen_id
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(card.name, size="3", as_="h4"),
                rx.cond(chosen, rx.badge("Chosen", color_scheme="green")),
                align="center",
            ),
            rx.text(card.cycles, size="2"),
            rx.el.ul(
                rx.foreach(card.drugs, lambda drug: rx.el.li(rx.text(drug, size="2"))),
                aria_label="Drugs of " + card.name,
            ),
            rx.text(rx.text.strong("Evidence: "), card.citation, size="2"),
            rx.el.details(rx.el.summary("Sources of the doses and codes"), rx.text(card.source, size="1")),
            rx.button(
                "Choose this regimen",
                on_click=M.choose_regimen(card.regimen_id),
                type="button",
                variant=rx.cond(chosen, "solid", "outline"),
                aria_label="Choose " + card.name,
            ),
            spacing="2",
            align="start",
        ),
        role="group",
        aria_label="Regimen " + card.name,
        width="100%",
    )


def _off_pathway() -> rx.Component:
    return rx.vstack(
        text_field(M, P, "Name of the regimen you request", "off_pathway_name"),
        text_area_field(
            M, P, "Why this patient needs a regimen that is not on the pathway", "off_pathway_rationale"
        ),
        width="100%",
    )


def _regimens() -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.heading("Pathway regimens for these answers", size="3", as_="h3", id="med-onc-regimens"),
            rx.text("Choose a regimen on the pathway, or request another regimen and say why.", size="2"),
            rx.cond(
                M.regimens.length() > 0,
                rx.vstack(rx.foreach(M.regimens, _regimen_card), width="100%"),
                rx.text("No regimen on the pathway fits these answers.", size="2"),
            ),
            rx.button(
                "Request a regimen that is not on the pathway",
                on_click=M.choose_off_pathway,
                type="button",
                variant=rx.cond(M.off_pathway, "solid", "outline"),
            ),
            rx.cond(M.off_pathway, _off_pathway()),
            field_error(M.errors["regimen_id"], field_id=f"{P}-regimen_id"),
            spacing="3",
            width="100%",
        ),
        aria_labelledby="med-onc-regimens",
        width="100%",
    )


# --- dosing ---


def _drug_input(row: rx.Var[DrugRow], field: str, label: str, value, *, hint: str = "") -> rx.Component:
    field_id = f"{P}-drug-" + row.component + f"-{field}"
    return rx.vstack(
        rx.el.label(row.label, f": {label}", html_for=field_id, font_weight="500"),
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        rx.input(
            id=field_id, value=value, on_change=lambda v: M.update_drug(row.component, field, v), width="100%"
        ),
        spacing="1",
        width="100%",
    )


def _drug_card(row: rx.Var[DrugRow]) -> rx.Component:
    basis_id = f"{P}-drug-" + row.component + "-dose_basis"
    return rx.card(
        rx.vstack(
            rx.heading(row.label, rx.cond(row.hcpcs != "", " (" + row.hcpcs + ")", ""), size="3", as_="h4"),
            rx.cond(row.pathway_dose != "", rx.text("Pathway dose: ", row.pathway_dose, size="2")),
            rx.hstack(
                rx.vstack(
                    rx.el.label(row.label, ": dose basis", html_for=basis_id, font_weight="500"),
                    rx.el.select(
                        *[
                            rx.el.option(label, value=str(value))
                            for value, label in DOSE_BASIS_LABELS.items()
                        ],
                        id=basis_id,
                        value=row.dose_basis,
                        on_change=lambda v: M.update_drug(row.component, "dose_basis", v),
                        style=SELECT_STYLE,
                    ),
                    spacing="1",
                    width="100%",
                ),
                _drug_input(
                    row,
                    "amount",
                    "amount per dose basis",
                    row.amount,
                    hint="mg/m², mg/kg, the target AUC, or mg for a fixed dose",
                ),
                width="100%",
                align="end",
            ),
            rx.cond(
                row.has_loading,
                rx.hstack(
                    _drug_input(row, "loading_amount", "cycle 1 loading amount", row.loading_amount),
                    _drug_input(row, "loading_dose_mg", "cycle 1 dose to give (mg)", row.loading_dose_mg),
                    width="100%",
                ),
            ),
            rx.cond(
                row.loading_calculated != "",
                rx.text("Calculated cycle 1 dose: ", rx.text.strong(row.loading_calculated), size="2"),
            ),
            rx.hstack(
                _drug_input(row, "requested_dose_mg", "dose to give (mg)", row.requested_dose_mg),
                _drug_input(
                    row,
                    "days",
                    "days of administration in each cycle",
                    row.days,
                    hint="For example D1, D1-D14, or D1, D8, D15",
                ),
                width="100%",
            ),
            rx.cond(
                row.calculated != "",
                rx.text(
                    "Calculated dose: ",
                    rx.text.strong(row.calculated),
                    rx.cond(
                        row.deviation != "", "; the dose to give differs from it by " + row.deviation, ""
                    ),
                    size="2",
                    role="status",
                ),
            ),
            rx.cond(
                row.needs_reason | (row.deviation_reason != ""),
                rx.vstack(
                    rx.cond(
                        row.needs_reason,
                        rx.text(
                            "The dose to give differs from the calculated dose by more than 10 %: say why.",
                            size="2",
                            color_scheme="amber",
                        ),
                    ),
                    _drug_input(
                        row,
                        "deviation_reason",
                        "reason the dose differs from the calculated dose",
                        row.deviation_reason,
                    ),
                    width="100%",
                ),
            ),
            rx.cond(
                row.dose_count != "",
                rx.text(
                    rx.text.strong(row.dose_count, " doses"),
                    rx.cond(row.units != "", "; " + row.units, ""),
                    size="2",
                ),
            ),
            rx.cond(row.dates != "", rx.text("Administration dates: ", row.dates, size="2")),
            rx.cond(row.problem != "", rx.text(row.problem, size="2", color_scheme="red", role="alert")),
            rx.cond(
                M.drug_errors.contains(row.component),
                rx.text(M.drug_errors[row.component], size="2", color_scheme="red", role="alert"),
            ),
            rx.cond(
                M.off_pathway,
                rx.button(
                    "Remove this drug",
                    on_click=M.remove_drug(row.component),
                    type="button",
                    variant="ghost",
                    aria_label="Remove " + row.label,
                ),
            ),
            spacing="2",
            width="100%",
        ),
        role="group",
        aria_label="Dose of " + row.label,
        width="100%",
    )


def _off_pathway_adder() -> rx.Component:
    return rx.vstack(
        rx.el.label("Add a drug to the regimen", html_for=f"{P}-add-drug", font_weight="500"),
        rx.el.select(
            rx.el.option("Choose a drug to add", value=""),
            rx.foreach(M.off_pathway_drug_options, lambda o: rx.el.option(o.label, value=o.value)),
            id=f"{P}-add-drug",
            value="",
            on_change=M.add_off_pathway_drug,
            style=SELECT_STYLE,
        ),
        width="100%",
    )


def _measures() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Age ",
            M.member_age,
            rx.cond(M.member_sex_label != "", ", " + M.member_sex_label, ""),
            " (from the member's record).",
            size="2",
        ),
        rx.hstack(
            number_field(M, P, "Height (cm)", "height_cm"),
            number_field(M, P, "Weight (kg)", "weight_kg"),
            number_field(
                M,
                P,
                "Serum creatinine (mg/dL)",
                "serum_creatinine_mg_dl",
                hint="Needed when a drug is dosed by AUC (carboplatin).",
            ),
            width="100%",
            align="end",
        ),
        rx.hstack(
            choice_select(
                M, P, "Body surface area formula", "bsa_formula", BSA_FORMULAS, placeholder="Choose"
            ),
            number_field(M, P, "Cap the body surface area at (m², optional)", "bsa_cap_m2"),
            width="100%",
            align="end",
        ),
        rx.cond(
            M.bsa_cap_m2 != "", text_field(M, P, "Reason for capping the body surface area", "bsa_cap_reason")
        ),
        rx.cond(
            M.bsa_text != "",
            rx.text("Body surface area: ", rx.text.strong(M.bsa_text), size="2", role="status"),
        ),
        rx.cond(
            M.crcl_text != "",
            rx.text("Creatinine clearance: ", rx.text.strong(M.crcl_text), size="2", role="status"),
        ),
        rx.cond(M.measures_problem != "", rx.text(M.measures_problem, size="2", color_scheme="amber")),
        width="100%",
        spacing="2",
    )


def _dosing() -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.heading("Dosing", size="3", as_="h3", id="med-onc-dosing"),
            _measures(),
            rx.hstack(
                number_field(M, P, "From cycle", "cycle_from"),
                number_field(M, P, "To cycle", "cycle_to"),
                number_field(M, P, "Cycle length (days)", "cycle_length_days"),
                width="100%",
                align="end",
            ),
            rx.text(
                "Day 1 of the first requested cycle is the date of service, ", M.service_date, ".", size="2"
            ),
            rx.cond(M.off_pathway, _off_pathway_adder()),
            rx.foreach(M.drugs, _drug_card),
            field_error(M.errors["drugs"], field_id=f"{P}-drugs"),
            rx.cond(
                M.no_billed_drug,
                notice_box(
                    rx.text(
                        "These drugs are taken by mouth and have no drug code for the medical benefit, so "
                        "this program has nothing to review. Ask the member's health plan how its pharmacy "
                        "benefit authorizes them."
                    )
                ),
            ),
            rx.cond(
                M.requested_codes.length() > 0,
                rx.text(
                    "Drug codes requested (one line each): ",
                    rx.foreach(M.requested_codes, lambda c: rx.text.span(c, " ")),
                    size="2",
                ),
            ),
            field_error(M.errors["codes"], field_id=f"{P}-codes"),
            spacing="3",
            width="100%",
        ),
        aria_labelledby="med-onc-dosing",
        width="100%",
    )


def step() -> rx.Component:
    return rx.vstack(
        _diagnoses(),
        rx.cond(
            M.stop_message != "",
            notice_box(rx.text(M.stop_message), color="blue", role="alert"),
            rx.vstack(
                _cancer(),
                rx.cond(M.profile_complete, _regimens()),
                rx.cond(M.dosing_open, _dosing()),
                spacing="5",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
