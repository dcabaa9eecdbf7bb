"""The help desk's guides: per program, what the wizard asks, what is decided at once, how long an
approval lasts, and a "what you need before you start" checklist.

The checklists and the validity texts are derived from each program's criteria data, by the
program's own ``help.py`` (``portal_app/programs/<program>/help.py``, found through the program
registry), never
typed twice: a threshold, a warning sign or a question changed in the data changes the help page
with it. A criterion set, criterion or question the help page does not know how to explain raises
``UnknownCriterion`` (so the unit tests fail until a checklist line is written for it).

Pure functions over packaged reference data: no database, no settings. Each checklist item names
where it comes from (``source``: criterion ids and the reference file), as the criteria do.
"""

from __future__ import annotations

from collections.abc import Callable

from portal_app.domain.enums import Program
from portal_app.domain.guides import (
    GENERAL_DECISION,
    NOT_MANAGED,
    ChecklistItem,
    ProgramGuide,
    UnknownCriterion,
)
from portal_app.programs import parts, require

__all__ = [
    "CHECKLISTS",
    "GENERAL_DECISION",
    "NOT_MANAGED",
    "ChecklistItem",
    "ProgramGuide",
    "UnknownCriterion",
    "checklist",
    "every_request_checklist",
    "program_guide",
    "program_guides",
]

# ---------------------------------------------------------------------------------------------
# Every request, whatever the program
# ---------------------------------------------------------------------------------------------


def every_request_checklist() -> tuple[ChecklistItem, ...]:
    """What every request asks for (the wizard's common steps)."""
    return (
        ChecklistItem(
            "The member's ID card, or the member's last name and date of birth, to find the member."
        ),
        ChecklistItem("The ordering provider, and the servicing provider or facility (name, city or NPI)."),
        ChecklistItem("The office address and fax number where the decision letters should go."),
        ChecklistItem("The ICD-10-CM diagnosis codes, the main (primary) diagnosis first."),
        ChecklistItem("The date of service, and a reason if the request is urgent."),
    )


# ---------------------------------------------------------------------------------------------
# All programs: each program's help.py, found through the program registry
# ---------------------------------------------------------------------------------------------

CHECKLISTS: dict[Program, Callable[[], tuple[ChecklistItem, ...]]] = {
    program: module.checklist for program, module in parts("help").items()
}


def checklist(program: Program | str) -> tuple[ChecklistItem, ...]:
    """The "what you need before you start" checklist of one program, from its criteria data."""
    return require(program, "help").checklist()


def program_guide(program: Program | str) -> ProgramGuide:
    return require(program, "help").guide()


def program_guides() -> tuple[ProgramGuide, ...]:
    """Every program's guide, in the order of the programs."""
    return tuple(module.guide() for module in parts("help").values())
