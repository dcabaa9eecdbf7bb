"""The import rules of docs/architecture.md ("The layers, and which way imports go"), read from the source.

- `state/` is thin: it calls services and never touches the database itself. No module under
  `portal_app/state/` imports sqlmodel, sqlalchemy, `portal_app.db` or `portal_app.models`, or calls
  anything that opens a session or an engine (it hands a service to `call_service`/`call_public`).
- `domain/` is pure: no reflex, no sqlmodel or sqlalchemy, and none of the outer layers (models,
  services, state, pages, components, api, the database module).

- a program package (`portal_app/programs/<program>/`) follows the same rules part by part: its
  `__init__`, `domain`, `help`, `pas` and `demo` modules are pure like `domain/`, its `step_state`
  like `state/`; a step state imports neither the wizard's state nor another program's package.

Each failure names the module and line, e.g. ``portal_app/state/x.py:12 imports sqlmodel``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "portal_app"
ROOT = PACKAGE.parent

STATE_FORBIDDEN_IMPORTS = ("sqlmodel", "sqlalchemy", "portal_app.db", "portal_app.models")
SESSION_OPENERS = frozenset(
    {"session_scope", "Session", "sessionmaker", "create_engine", "make_engine", "get_engine"}
)
DOMAIN_FORBIDDEN_IMPORTS = (
    "reflex",
    "sqlmodel",
    "sqlalchemy",
    "portal_app.db",
    "portal_app.models",
    "portal_app.services",
    "portal_app.state",
    "portal_app.pages",
    "portal_app.components",
    "portal_app.api",
)


def _modules(folder: str) -> list[Path]:
    found = sorted((PACKAGE / folder).rglob("*.py"))
    assert found, f"no modules under portal_app/{folder}"
    return found


def _imported_names(node: ast.AST) -> list[str]:
    """The dotted names an import statement brings in (``from a import b`` gives ``a`` and ``a.b``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def _matches(name: str, prefixes: tuple[str, ...]) -> str | None:
    return next((p for p in prefixes if name == p or name.startswith(p + ".")), None)


def _import_problems(source: str, where: str, prefixes: tuple[str, ...]) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source, filename=where)):
        for name in _imported_names(node):
            hit = _matches(name, prefixes)
            if hit:
                problems.append(f"{where}:{node.lineno} imports {name} (no {hit} here)")
                break
    return sorted(problems, key=_line)


def _opener_problems(source: str, where: str) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source, filename=where)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in SESSION_OPENERS:
                problems.append(f"{where}:{node.lineno} calls {name}() (opens a session)")
    return sorted(problems, key=_line)


def _line(problem: str) -> int:
    return int(problem.split(":")[1].split()[0])


def _where(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", _modules("state"), ids=lambda p: p.name)
def test_a_state_module_leaves_the_database_to_services(path):
    source, where = path.read_text(), _where(path)
    problems = _import_problems(source, where, STATE_FORBIDDEN_IMPORTS) + _opener_problems(source, where)
    assert not problems, "state must call a service instead:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", _modules("domain"), ids=lambda p: str(p.relative_to(PACKAGE / "domain")))
def test_a_domain_module_imports_no_framework_and_no_outer_layer(path):
    problems = _import_problems(path.read_text(), _where(path), DOMAIN_FORBIDDEN_IMPORTS)
    assert not problems, "the domain stays pure:\n" + "\n".join(problems)


PROGRAMS_DIR = PACKAGE / "programs"
PURE_PARTS = ("__init__.py", "domain.py", "help.py", "pas.py", "demo.py")


def _program_parts(names: tuple[str, ...]) -> list[Path]:
    found = sorted(path for path in PROGRAMS_DIR.glob("*/*.py") if path.name in names)
    assert found, f"no {', '.join(names)} modules under portal_app/programs"
    return found


def _program_id(path: Path) -> str:
    return str(path.relative_to(PROGRAMS_DIR))


@pytest.mark.parametrize("path", [PROGRAMS_DIR / "__init__.py", *_program_parts(PURE_PARTS)], ids=_program_id)
def test_a_program_packages_pure_parts_import_no_framework_and_no_outer_layer(path):
    problems = _import_problems(path.read_text(), _where(path), DOMAIN_FORBIDDEN_IMPORTS)
    assert not problems, "a program's domain, help, PAS and demo parts stay pure:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", _program_parts(("step_state.py",)), ids=_program_id)
def test_a_program_step_state_leaves_the_database_to_services(path):
    source, where = path.read_text(), _where(path)
    problems = _import_problems(source, where, STATE_FORBIDDEN_IMPORTS) + _opener_problems(source, where)
    assert not problems, "state must call a service instead:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", _program_parts(("step_state.py", "step_page.py")), ids=_program_id)
def test_a_program_step_imports_neither_the_wizard_nor_another_program(path):
    own = f"portal_app.programs.{path.parent.name}"
    others = tuple(
        f"portal_app.programs.{folder.name}"
        for folder in sorted(PROGRAMS_DIR.iterdir())
        if folder.is_dir() and folder.name != path.parent.name and (folder / "__init__.py").exists()
    )
    forbidden = ("portal_app.state.order_wizard", "portal_app.pages.order_wizard", *others)
    problems = [p for p in _import_problems(path.read_text(), _where(path), forbidden) if own not in p]
    assert not problems, "talk to the wizard through state/program_step.py:\n" + "\n".join(problems)


def test_the_checks_name_the_module_and_line_of_each_breach():
    # The rules pass on the real code; this proves they would fail, and say where.
    source = (
        "import reflex as rx\n"
        "from sqlalchemy.orm import Session\n"
        "from portal_app import db\n"
        "from portal_app.services.orders import search_my_orders\n"
        "def load():\n"
        "    with db.session_scope() as session:\n"
        "        return Session(session.bind)\n"
    )
    where = "portal_app/state/probe.py"
    assert _import_problems(source, where, STATE_FORBIDDEN_IMPORTS) == [
        "portal_app/state/probe.py:2 imports sqlalchemy.orm (no sqlalchemy here)",
        "portal_app/state/probe.py:3 imports portal_app.db (no portal_app.db here)",
    ]
    assert _opener_problems(source, where) == [
        "portal_app/state/probe.py:6 calls session_scope() (opens a session)",
        "portal_app/state/probe.py:7 calls Session() (opens a session)",
    ]
    assert [p.split(" imports ")[1] for p in _import_problems(source, where, DOMAIN_FORBIDDEN_IMPORTS)] == [
        "reflex (no reflex here)",
        "sqlalchemy.orm (no sqlalchemy here)",
        "portal_app.db (no portal_app.db here)",
        "portal_app.services.orders (no portal_app.services here)",
    ]
