"""The questions each program's wizard step shows, read from the rendered step (no running app):
``{field: label}`` for every labelled control (``<label for="{prefix}-{field}">``), every checkbox
bound to a field (its text) and every checklist (its legend, with errors under ``list-{field}``);
nested fields as ``parent.child``, in the order the wizard shows them.

``python -m tests.wizard_questions`` rewrites ``portal_app/reference/dtr_question_text.csv`` from the
wizard, the texts of the DTR questionnaires (``portal_app/domain/dtr.py``); the unit test
``tests/unit/test_dtr_questionnaire.py`` fails while the file and the wizard differ.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from functools import cache

from pydantic import BaseModel

from portal_app import reference
from portal_app.domain import dtr
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS
from portal_app.programs import require
from portal_app.reference import path_of

LABEL = re.compile(r'htmlFor:"(?:field-)?[a-z_]+-([a-z_0-9]+)" ?},("(?:[^"\\]|\\.)*")')
LEGEND = re.compile(r'jsx\("legend",\{[^}]*\}\)?\}?,("(?:[^"\\]|\\.)*")\)')
LIST_ERROR = re.compile(r'id:"list-([a-z_0-9]+)-error"')
CHECKBOX = re.compile(
    r'RadixThemesCheckbox,\{checked:[\w.]+?\.([a-z_0-9]+)_rx_state_,.{0,600}?\},\),("(?:[^"\\]|\\.)*")\)'
)


def _paths(model: type[BaseModel], prefix: str = "") -> dict[str, str]:
    """Every field name of the schema and its nested models -> its path (the first one wins)."""
    found: dict[str, str] = {}
    for name in model.model_fields:
        found.setdefault(name, f"{prefix}{name}")
    for name, info in model.model_fields.items():
        inner, _ = dtr._unwrap(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            for child, path in _paths(inner, f"{prefix}{name}.").items():
                found.setdefault(child, path)
    return found


@cache
def rendered_step(program: Program) -> str:
    return str(require(program, "step_page").step())


def _controls(program: Program) -> dict[str, str]:
    """{wizard control: details path} where the control's name is not the field's
    (``reference/dtr_wizard_controls.csv``)."""
    rows = reference.table("dtr_wizard_controls.csv").itertuples()
    return {row.control: row.link_id for row in rows if row.program == program.value}


def wizard_labels(program: Program) -> dict[str, str]:
    """{question path: label} of the program's rendered wizard step, for fields of its schema."""
    js = rendered_step(program)
    paths = _paths(PROGRAMS[program].details_schema) | _controls(program)
    found = [(m.start(), m.group(1), m.group(2)) for m in [*LABEL.finditer(js), *CHECKBOX.finditer(js)]]
    legends = list(LEGEND.finditer(js))
    for number, match in enumerate(legends):
        end = legends[number + 1].start() if number + 1 < len(legends) else len(js)
        field = LIST_ERROR.search(js, match.end(), end)
        if field:  # a checklist's legend (an address fieldset's has no list of its own)
            found.append((match.start(), field.group(1), match.group(1)))
    labels: dict[str, str] = {}
    for _, name, text in sorted(found):  # in the order the wizard shows them
        if name in paths:
            labels.setdefault(paths[name], json.loads(text))
    return labels


def write_texts() -> None:
    path = path_of("dtr_question_text.csv")
    header = path.read_text().split("\n")
    comments = [line for line in header if line.startswith("#")]
    rows = [
        [program.value, link, text, f"wizard step label, programs/{program.value}/step_page.py"]
        for program in PROGRAMS
        for link, text in wizard_labels(program).items()
    ]
    with path.open("w", newline="") as out:
        out.write("\n".join(comments) + "\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["program", "link_id", "text", "source"])
        writer.writerows(rows)


if __name__ == "__main__":
    write_texts()
    sys.exit(0)
