"""The program catalogue: the registry of every program's domain definition.

Each program is a plug-in package under ``portal_app/programs/<program code>/`` (see
``portal_app/programs/__init__.py`` and docs/architecture.md, "How to add a program"); its
``domain.py`` builds one `ProgramDefinition` (`PROGRAM`): its request-details schema, its validity
policy, its managed codes per plan and year (reference data) and its criteria. `PROGRAMS` maps each
program to that definition, loaded from the packages when this module is imported; the rules
engine (`portal_app.domain.rules`) and the services work only through these types.

The types live in `portal_app.domain.program_types` (program modules import them from there) and
are re-exported here.
"""

from __future__ import annotations

from portal_app.domain.enums import Program
from portal_app.domain.program_types import (
    ManagedCode,
    PriorService,
    ProgramDefinition,
    ProgramRequest,
    age_on,
)
from portal_app.programs import part

__all__ = [
    "PROGRAMS",
    "ManagedCode",
    "PriorService",
    "ProgramDefinition",
    "ProgramRequest",
    "age_on",
    "get_program",
    "register",
]

PROGRAMS: dict[Program, ProgramDefinition] = {}


def register(definition: ProgramDefinition) -> ProgramDefinition:
    PROGRAMS[definition.code] = definition
    return definition


def get_program(code: Program | str) -> ProgramDefinition:
    """The definition of a built program; KeyError for unknown or not-yet-built programs."""
    try:
        program = Program(code)
    except ValueError:
        raise KeyError(code) from None
    return PROGRAMS[program]


def _load() -> None:
    for program in Program:
        module = part(program, "domain")
        if module is not None:
            register(module.PROGRAM)


_load()
