"""The program plug-ins: one package per program, and the one registry that finds them.

A program is the package ``portal_app/programs/<code>/``, where ``<code>`` is its value of the
`Program` enum (``portal_app/domain/enums.py``): that enum value is the program's one line of
registration. The package holds every part of the program, each in a module of a fixed name:

=================  =========================================================================  =======
module             holds                                                                      layer
=================  =========================================================================  =======
``domain.py``      ``PROGRAM``: the `ProgramDefinition` (details schema, validity, codes,      domain
                   criteria, hooks), and the program's rules and labels
``reference/``     its reference data (CSV with a ``source`` column per row), read by         data
                   ``domain.py`` through ``portal_app.reference.table(name)``
``help.py``        ``checklist()`` and ``guide()``: the help page's "before you start"        domain
                   checklist and guide, derived from the criteria data; optionally
                   ``rules()``: the checks the program makes in code without criteria rows,
                   listed with their sources on the help page (``domain/help.program_rules``)
``pas.py``         ``SERVICE_TYPES``: the X12 1365 service types that name the program in a   domain
                   PAS Claim (may be empty: the codes decide), and ``QUESTIONNAIRE_NOTES``
``demo.py``        ``DELEGATIONS``: which demo plans delegate the program, from which date    domain
``step_state.py``  ``STEP_STATE``: the wizard step's Reflex state (see                        state
                   ``portal_app/state/program_step.py`` for the interface with the wizard)
``step_page.py``   ``step()``: the wizard step's component                                     pages
=================  =========================================================================  =======

Everyone reads the programs through `part` (or `require`): the domain catalogue
(``portal_app.domain.programs.PROGRAMS``), the help page (``portal_app.domain.help``), the PAS
vocabulary (``portal_app.services.pas.vocabulary``), the demo seed, the wizard's state and page.
``tests/unit/test_program_contract.py`` walks the registry and names any program missing a part.

This module is pure (it imports modules by name, on demand): the domain may use it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from portal_app.domain.enums import Program

PROGRAMS_DIR = Path(__file__).resolve().parent

# The parts of a program package and what each must define (the contract test checks them).
PARTS: dict[str, str] = {
    "domain": "PROGRAM (its ProgramDefinition)",
    "help": "checklist() and guide()",
    "pas": "SERVICE_TYPES (X12 1365 service types naming the program; may be empty)",
    "demo": "DELEGATIONS ((plan code, delegated from) pairs)",
    "step_state": "STEP_STATE (the wizard step's Reflex state)",
    "step_page": "step() (the wizard step's component)",
}


class MissingPart(LookupError):
    """A program package lacks a part every program must have."""


def package_name(program: Program | str) -> str:
    return f"{__name__}.{Program(program).value}"


def reference_dir(program: Program | str) -> Path:
    """The folder of a program's reference data files."""
    return PROGRAMS_DIR / Program(program).value / "reference"


def part(program: Program | str, name: str) -> ModuleType | None:
    """The module of one part of a program (``domain``, ``help``, ``step_state``...), or None when the
    program has no package or the package lacks that module. Any other import error is raised."""
    if name not in PARTS:
        raise ValueError(f"{name} is not a part of a program package (one of {', '.join(PARTS)})")
    module_name = f"{package_name(program)}.{name}"
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        if missing.name in (module_name, package_name(program)):
            return None
        raise


def require(program: Program | str, name: str) -> ModuleType:
    """Like `part`, but a missing part raises `MissingPart` naming the program and the part."""
    module = part(program, name)
    if module is None:
        raise MissingPart(
            f"Program {Program(program).value!r} has no {name} part: add "
            f"portal_app/programs/{Program(program).value}/{name}.py defining {PARTS[name]}."
        )
    return module


def parts(name: str) -> dict[Program, ModuleType]:
    """That part of every program that has it, in the order of the `Program` enum."""
    found = {program: part(program, name) for program in Program}
    return {program: module for program, module in found.items() if module is not None}
