"""The help page's guide to the outpatient program and its "what you need before you start"
checklist, derived from the program's criteria data (see portal_app/domain/help.py)."""

from __future__ import annotations

from portal_app.domain.enums import Program
from portal_app.domain.guides import (
    NOT_MANAGED,
    ChecklistItem,
    ProgramGuide,
    UnknownCriterion,
    and_,
    codes_text,
    column,
    days_in,
    lowered,
)
from portal_app.programs.outpatient import domain as outpatient

# ---------------------------------------------------------------------------------------------
# Transportation and other outpatient services (outpatient_questions.csv, outpatient_plans.csv)
# ---------------------------------------------------------------------------------------------


def checklist() -> tuple[ChecklistItem, ...]:
    items = [
        ChecklistItem(
            "For a trip: the pick-up and drop-off addresses; one way, round trip or recurring (with the "
            "days of the week and the first and last dates); the medical reason; and how the member "
            "travels:",
            outpatient.SERVICE_KIND_LABELS["transport"],
            tuple(outpatient.MOBILITY_LABELS.values()),
            "outpatient.py (trip)",
        ),
    ]
    for question in outpatient.questions_by_id().values():
        if question.category not in outpatient.SERVICE_KIND_LABELS:
            raise UnknownCriterion(
                f"outpatient_questions.csv: {question.question_id} has an unknown category"
            )
        items.append(
            ChecklistItem(
                f"The answer to: {question.text}",
                codes_text(question.codes),
                (),
                f"{question.question_id}, outpatient_questions.csv",
                question.citation,
            )
        )
    return tuple(items)


def guide() -> ProgramGuide:
    validity_days = [outpatient.DEFAULT_VALIDITY_DAYS, *column("outpatient_plans.csv", "validity_days")]
    return ProgramGuide(
        program=Program.OUTPATIENT.value,
        title=Program.OUTPATIENT.label,
        anchor="help-outpatient",
        covers=f"{and_(lowered(outpatient.SERVICE_KIND_LABELS.values()))}.".capitalize(),
        wizard_asks=(
            "The kind of service and its codes.",
            "For transportation: the addresses, the kind of trip and its schedule, the help the member "
            "needs and the medical reason.",
            "The clinical questions for each code, answered yes, no or not known.",
        ),
        decided_at_once=(
            "Every question answered as the criterion expects, and for trips a vehicle that matches the "
            'help the member needs: authorized at once. "Not known" or another answer: a nurse reviews '
            "the line.",
            "Recurring trips must fall within the approval; the summary lists every trip date.",
            NOT_MANAGED,
        ),
        validity=(
            f"{days_in(validity_days)}, counted from the date of service (state law may set another length)."
        ),
        checklist=checklist(),
    )
