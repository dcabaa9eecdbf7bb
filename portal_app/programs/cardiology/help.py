"""The help page's guide to the cardiology program and its "what you need before you start"
checklist, derived from the program's criteria data (see portal_app/domain/help.py)."""

from __future__ import annotations

from portal_app.domain.enums import Program
from portal_app.domain.guides import (
    GENERAL_DECISION,
    NOT_MANAGED,
    ChecklistItem,
    ProgramGuide,
    UnknownCriterion,
    column,
    days_in,
    or_,
)
from portal_app.programs.cardiology import domain as cardiology

NUMBER_WORDS = {
    "lvef_pct": "Ejection fraction (%)",
    "days_since_mi": "Days since the heart attack",
    "qrs_ms": "QRS width (ms)",
    "months_since_prior_echo": "Months since the last echo",
    "months_cardiomyopathy": "Months with the cardiomyopathy on medical treatment",
}
CHOICE_WORDS = {
    "indication": ("Reason", cardiology.INDICATION_LABELS),
    "cardiomyopathy": ("Cardiomyopathy", cardiology.CARDIOMYOPATHY_LABELS),
    "nyha_class": ("NYHA class", cardiology.NYHA_LABELS),
    "stress_result": ("Stress test", cardiology.STRESS_RESULT_LABELS),
    "pretest": ("Pre-test probability of coronary disease", cardiology.PRETEST_LABELS),
}
FINDING_WORDS = {"findings_all": "All of", "findings_any": "Any of", "findings_none": "None of"}


def _condition_line(key: str, value: str) -> str:
    labels = value.split("|")
    if key in FINDING_WORDS:
        return f"{FINDING_WORDS[key]}: " + "; ".join(cardiology.FINDING_LABELS[f] for f in labels)
    field, _, kind = key.rpartition("_")
    if field in NUMBER_WORDS and kind in ("min", "max"):
        return f"{NUMBER_WORDS[field]}: {'at least' if kind == 'min' else 'at most'} {value}"
    if field in CHOICE_WORDS and kind == "in":
        words, names = CHOICE_WORDS[field]
        return f"{words}: {or_(names[v] for v in labels)}"
    raise UnknownCriterion(f"cardiology_criteria.csv: no help wording for the condition {key}")


def _item(spec: cardiology.CriterionSpec) -> ChecklistItem:
    procedures = or_(cardiology.PROCEDURE_LABELS[p] for p in cardiology.PROCEDURES if p in spec.procedures)
    reasons = (
        ""
        if "*" in spec.indications
        else ", for " + or_(cardiology.INDICATION_LABELS[i].lower() for i in sorted(spec.indications))
    )
    return ChecklistItem(
        spec.text,
        f"{procedures}{reasons}",
        tuple(_condition_line(key, value) for key, value in spec.conditions.items()),
        f"{spec.criterion_id}, cardiology_criteria.csv",
        spec.citation,
    )


def checklist() -> tuple[ChecklistItem, ...]:
    return (
        ChecklistItem(
            "The procedure and its reason, then the CPT code among the plan's codes.",
            source="cardiology/domain.py (procedure and reason choices)",
        ),
        ChecklistItem(
            "Echocardiograms (TTE, TEE, stress echo) are asked here only for plans that give echo to the "
            "cardiology program; for the others they are imaging requests. The portal sends an echo to the "
            "right program by itself.",
            source="program_routings (services/program_routing.py)",
        ),
        *[_item(spec) for spec in cardiology.criterion_specs()],
    )


def _validity_days() -> list[int]:
    return [cardiology.DEFAULT_VALIDITY_DAYS, *column("cardiology_plans.csv", "validity_days")]


def guide() -> ProgramGuide:
    return ProgramGuide(
        program=Program.CARDIOLOGY.value,
        title=Program.CARDIOLOGY.label,
        anchor="help-cardiology",
        covers=(
            "Heart catheterisation, PCI, arterial and venous duplex ultrasound, pacemakers, defibrillators, "
            "CRT, loop recorders, EP study and ablation, and echocardiography for plans that give echo to "
            "cardiology."
        ),
        wizard_asks=(
            "The procedure and the reason, then the CPT code among the plan's codes.",
            "The measurements the guideline needs: ejection fraction, NYHA class, days since a heart attack, "
            "QRS width, the stress test result or pre-test probability, the months since the last echo.",
            "The findings that apply (for example symptomatic slow heart rate, left bundle branch block, a "
            "documented shared decision-making visit).",
        ),
        decided_at_once=(GENERAL_DECISION, NOT_MANAGED),
        validity=f"{days_in(_validity_days())}, counted from the date of service.",
        checklist=checklist(),
    )
