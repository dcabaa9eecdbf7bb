"""The program plug-in contract (portal_app/programs/__init__.py; docs/architecture.md, "How to add a
program"): every program of the `Program` enum is a package with all its parts, and everyone who
lists programs (the rules engine's catalogue, the wizard, the help page, the PAS API, the demo seed)
finds it through the one registry.

Each failure names the program and the missing or broken piece, e.g.
``genetic_testing: no help part: add portal_app/programs/genetic_testing/help.py defining
checklist() and guide()``. The wizard's page is rendered (no running app needed): the test fails
when a program's step component is not in it or is not bound to the program's step state.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from types import ModuleType

import pytest
import reflex as rx

from portal_app import clock, reference
from portal_app import programs as registry
from portal_app.domain import help as guides
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS, ProgramDefinition
from portal_app.pages import order_wizard as wizard_page
from portal_app.services import demo_data
from portal_app.services.pas import vocabulary
from portal_app.state.program_step import ProgramStep, step_state_for

STEP_METHODS = tuple(
    name for name, value in vars(ProgramStep).items() if name.startswith("_") and inspect.isfunction(value)
)


WIZARD_JS: dict[str, str] = {}  # rendered once per run


def _rendered_wizard() -> str:
    if "js" not in WIZARD_JS:
        WIZARD_JS["js"] = str(wizard_page.order_wizard_page())
    return WIZARD_JS["js"]


# --- one check per part; each returns the problems found, naming the program ----------------------


def _missing(program: Program, name: str) -> tuple[ModuleType | None, list[str]]:
    try:
        return registry.require(program, name), []
    except registry.MissingPart as missing:
        return None, [f"{program.value}: {missing}"]


def domain_problems(program: Program) -> list[str]:
    module, problems = _missing(program, "domain")
    if module is None:
        return problems
    definition = getattr(module, "PROGRAM", None)
    if not isinstance(definition, ProgramDefinition):
        return [f"{program.value}: domain.py defines no PROGRAM (a ProgramDefinition)"]
    if definition.code is not program:
        problems.append(f"{program.value}: domain.py's PROGRAM has the code {definition.code!r}")
    if PROGRAMS.get(program) is not definition:
        problems.append(
            f"{program.value}: PROGRAM is not in the catalogue (portal_app.domain.programs.PROGRAMS)"
        )
    return problems


def reference_problems(program: Program) -> list[str]:
    folder = registry.reference_dir(program)
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        return [f"{program.value}: no reference data (portal_app/programs/{program.value}/reference/*.csv)"]
    problems = []
    for path in files:
        try:
            reference.table(path.name)  # one file of that name; a source column filled on every row
        except (ValueError, FileNotFoundError) as problem:
            problems.append(f"{program.value}: reference/{path.name}: {problem}")
    definition = PROGRAMS.get(program)
    demo = registry.part(program, "demo")
    if definition is not None and demo is not None:
        for plan_code, delegated_from in getattr(demo, "DELEGATIONS", ()):
            years = range(delegated_from.year, max(delegated_from.year, clock.today().year) + 2)
            if not any(definition.has_code_list(plan_code, year) for year in years):
                problems.append(
                    f"{program.value}: no managed codes for demo plan {plan_code} from {delegated_from.year} "
                    "(the reference data has no code list for a plan that delegates the program)"
                )
    return problems


def step_problems(program: Program) -> list[str]:
    state_module, problems = _missing(program, "step_state")
    page_module, page_problems = _missing(program, "step_page")
    problems += page_problems
    if state_module is None or page_module is None:
        return problems
    state = getattr(state_module, "STEP_STATE", None)
    if not (isinstance(state, type) and issubclass(state, rx.State)):
        return [f"{program.value}: step_state.py defines no STEP_STATE (a Reflex state)"]
    missing = [name for name in STEP_METHODS if not callable(getattr(state, name, None))]
    if missing:
        problems.append(f"{program.value}: the step state lacks {', '.join(missing)} (state/program_step.py)")
    if step_state_for(program.value) is not state:
        problems.append(f"{program.value}: the wizard does not find the step state (step_state_for)")
    if not callable(getattr(page_module, "step", None)):
        return [*problems, f"{program.value}: step_page.py defines no step() component"]
    if program not in wizard_page.STEP_PAGES:
        problems.append(f"{program.value}: the wizard page does not list the step (pages/order_wizard.py)")
    shown = _case_in_wizard(program)
    if shown is None:
        problems.append(f"{program.value}: the wizard does not render the program's step")
    elif state.get_full_name() not in shown:
        problems.append(f"{program.value}: the step the wizard renders is not bound to {state.__name__}")
    return problems


def _case_in_wizard(program: Program) -> str | None:
    """The part of the rendered wizard shown when the program is chosen (up to the next program)."""
    js = _rendered_wizard()
    start = js.find(f'case JSON.stringify("{program.value}"):')
    if start < 0:
        return None
    others = [f'case JSON.stringify("{other.value}"):' for other in Program if other is not program]
    ends = [found for marker in others if (found := js.find(marker, start + 1)) > 0]
    return js[start : min(ends, default=len(js))]


def help_problems(program: Program) -> list[str]:
    module, problems = _missing(program, "help")
    if module is None:
        return problems
    try:
        items, guide = module.checklist(), module.guide()
    except (AttributeError, TypeError) as problem:
        return [f"{program.value}: help.py must define checklist() and guide(): {problem}"]
    if not items or not all(item.text for item in items):
        problems.append(f"{program.value}: the help checklist is empty")
    if guide.program != program.value or not (guide.wizard_asks and guide.decided_at_once and guide.validity):
        problems.append(f"{program.value}: the help guide is incomplete or names another program")
    if program not in guides.CHECKLISTS or program.value not in {g.program for g in guides.program_guides()}:
        problems.append(f"{program.value}: the help page does not list the program (domain/help.py)")
    return problems


def pas_problems(program: Program) -> list[str]:
    module, problems = _missing(program, "pas")
    if module is None:
        return problems
    service_types = getattr(module, "SERVICE_TYPES", None)
    if not isinstance(service_types, dict):
        return [f"{program.value}: pas.py defines no SERVICE_TYPES mapping (empty when the codes decide)"]
    for service_type in service_types:
        if vocabulary.SERVICE_TYPE_PROGRAMS.get(service_type) != program.value:
            problems.append(
                f"{program.value}: PAS service type {service_type} maps to "
                f"{vocabulary.SERVICE_TYPE_PROGRAMS.get(service_type)!r} (claimed by two programs?)"
            )
    return problems


def demo_problems(program: Program) -> list[str]:
    module, problems = _missing(program, "demo")
    if module is None:
        return problems
    delegations = getattr(module, "DELEGATIONS", ())
    if not delegations:
        return [f"{program.value}: demo.py delegates the program to no demo plan (DELEGATIONS)"]
    plans = {spec.code: spec for spec in demo_data.PLANS}
    for plan_code, delegated_from in delegations:
        if plan_code not in plans:
            problems.append(f"{program.value}: demo plan {plan_code} does not exist (services/demo_data.py)")
        elif (program, delegated_from) not in plans[plan_code].programs:
            problems.append(f"{program.value}: the demo seed does not delegate it to {plan_code}")
    return problems


CHECKS: dict[str, Callable[[Program], list[str]]] = {
    "domain definition": domain_problems,
    "reference data": reference_problems,
    "wizard step": step_problems,
    "help checklist": help_problems,
    "PAS mapping": pas_problems,
    "demo data": demo_problems,
}


# --- the contract, program by program --------------------------------------------------------


@pytest.mark.parametrize("piece", list(CHECKS))
@pytest.mark.parametrize("program", list(Program), ids=lambda p: p.value)
def test_every_program_has_every_part(program, piece):
    problems = CHECKS[piece](program)
    assert not problems, f"{program.value} breaks the program contract ({piece}):\n" + "\n".join(problems)


def test_every_program_package_is_a_program():
    packages = {
        path.parent.name
        for path in registry.PROGRAMS_DIR.glob("*/__init__.py")
        if path.parent != registry.PROGRAMS_DIR
    }
    strays = sorted(packages - {program.value for program in Program})
    assert not strays, (
        f"portal_app/programs/ has packages that are no Program value: {', '.join(strays)} "
        "(add the value to Program in portal_app/domain/enums.py: the one line that registers a program)"
    )


# --- the checks fail, and say what is missing ------------------------------------------------


@pytest.mark.parametrize("piece", ["domain", "help", "pas", "demo", "step_state", "step_page"])
def test_a_missing_part_is_named_with_its_program(monkeypatch, piece):
    real_part = registry.part

    def without(program, name):
        return None if (Program(program), name) == (Program.SLEEP, piece) else real_part(program, name)

    monkeypatch.setattr(registry, "part", without)
    problems = [problem for check in CHECKS.values() for problem in check(Program.SLEEP)]
    assert any(problem.startswith("sleep: ") and f"no {piece} part" in problem for problem in problems), (
        problems
    )


def test_a_step_the_wizard_does_not_render_is_named(monkeypatch):
    js = _rendered_wizard()
    hidden = re.sub(r'case JSON\.stringify\("rehabilitation"\):', "case JSON.stringify(null):", js)
    monkeypatch.setitem(WIZARD_JS, "js", hidden)
    assert "rehabilitation: the wizard does not render the program's step" in step_problems(
        Program.REHABILITATION
    )


def test_a_help_checklist_or_demo_data_left_empty_is_named(monkeypatch):
    monkeypatch.setattr(registry.require(Program.OUTPATIENT, "help"), "checklist", lambda: ())
    monkeypatch.setattr(registry.require(Program.OUTPATIENT, "demo"), "DELEGATIONS", ())
    assert "outpatient: the help checklist is empty" in help_problems(Program.OUTPATIENT)
    assert demo_problems(Program.OUTPATIENT) == [
        "outpatient: demo.py delegates the program to no demo plan (DELEGATIONS)"
    ]
