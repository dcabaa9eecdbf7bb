"""The help page's guide to the genetic testing program and its "what you need before you start"
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
    semi,
)
from portal_app.programs.genetic_testing import domain as genetic_testing

# ---------------------------------------------------------------------------------------------
# Genetic testing (criteria in genetic_criteria.csv; validity in genetic_plans.csv)
# ---------------------------------------------------------------------------------------------


def checklist() -> tuple[ChecklistItem, ...]:
    tests = genetic_testing.TEST_LABELS
    items = [
        ChecklistItem(
            "The test (its category, then the test and its codes), the laboratory that performs it, whether "
            "the member had this germline test before, who gave pre-test genetic counselling, and how the "
            "result will change the member's care.",
            source="genetic_testing/domain.py (request details)",
        )
    ]
    for spec in genetic_testing.criterion_specs():
        named = [tests[test] for test in sorted(spec.tests) if test in tests]
        origins = [token[1:] for token in sorted(spec.tests) if token.startswith("@")]
        if not named and not origins:
            raise UnknownCriterion(spec.criterion_id)
        applies_to = semi(named) or f"Every {or_(origins)} test"
        items.append(
            ChecklistItem(
                spec.text,
                applies_to,
                source=f"{spec.criterion_id}, genetic_criteria.csv",
                citation=spec.citation,
            )
        )
    return tuple(items)


def guide() -> ProgramGuide:
    validity_days = [genetic_testing.DEFAULT_VALIDITY_DAYS, *column("genetic_plans.csv", "validity_days")]
    return ProgramGuide(
        program=Program.GENETIC_TESTING.value,
        title=Program.GENETIC_TESTING.label,
        anchor="help-genetic-testing",
        covers=f"{semi(genetic_testing.CATEGORY_LABELS.values())}.",
        wizard_asks=(
            "The category of test, then the test and its codes, and the laboratory.",
            "Personal and family history of cancer or heart conditions, pre-test counselling, and how the "
            "result will change care; per test the tumor, the drug planned, the pregnancy or the child's "
            "indication.",
        ),
        decided_at_once=(
            GENERAL_DECISION,
            "A germline test the member already had goes to a reviewer as a repeat.",
            NOT_MANAGED,
        ),
        validity=f"{days_in(validity_days)}, counted from the date of service.",
        checklist=checklist(),
    )
