"""The help page's guide to the surgical and endoscopic procedures program and its "what you need
before you start" checklist, derived from the program's criteria data (see portal_app/domain/help.py)."""

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
    semi,
)
from portal_app.programs.surgical import domain as surgical


def _applies_to(spec: surgical.CriterionSpec) -> str:
    if "*" in spec.applies_to:
        return "Every procedure"
    named = [surgical.PROCEDURE_LABELS[p] for p in surgical.PROCEDURES if p in spec.applies_to]
    if not named:
        raise UnknownCriterion(spec.criterion_id)
    return semi(named)


def checklist() -> tuple[ChecklistItem, ...]:
    items = [
        ChecklistItem(
            "The procedure and its codes, the site of care (an ambulatory surgery center, or a hospital "
            "outpatient department with the reason it is needed), and the answers each criterion needs.",
            source="surgical/domain.py (request details)",
        )
    ]
    for spec in surgical.criterion_specs():
        details: tuple[str, ...] = ()
        if spec.set_id == "colonoscopy_interval":
            details = tuple(
                f"{item.label}: {item.months} months" for item in surgical.colonoscopy_intervals().values()
            )
        items.append(
            ChecklistItem(
                spec.text,
                _applies_to(spec),
                details,
                source=f"{spec.criterion_id}, surgical_criteria.csv",
                citation=spec.citation,
            )
        )
    return tuple(items)


def guide() -> ProgramGuide:
    validity_days = [surgical.DEFAULT_VALIDITY_DAYS, *column("surgical_plans.csv", "validity_days")]
    return ProgramGuide(
        program=Program.SURGICAL.value,
        title=Program.SURGICAL.label,
        anchor="help-surgical",
        covers=f"{semi(surgical.PROCEDURE_LABELS.values())}.",
        wizard_asks=(
            "The procedure, then its codes; the site of care follows from the servicing facility, and a "
            "hospital outpatient department asks for the reason (in-network alternatives are listed).",
            "What each criterion needs: for an EGD the alarm features and the PPI trial in weeks; for a "
            "colonoscopy its purpose, the last colonoscopy's date and findings and the family history; for "
            "bariatric surgery height and weight (BMI), related conditions, months of a supervised "
            "programme and the psychological evaluation; and so on for each procedure.",
        ),
        decided_at_once=(
            GENERAL_DECISION,
            "A hospital outpatient department always goes to a physician reviewer for the site of care.",
            NOT_MANAGED,
        ),
        validity=f"{days_in(validity_days)}, counted from the date of service.",
        checklist=checklist(),
    )
