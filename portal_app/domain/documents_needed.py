"""Which documents support a request: the office's list before submitting, and the reviewer's
check of what arrived.

Each program keeps one table, ``<program>_documents.csv`` (in its package's ``reference/``), keyed by the
``criterion_id`` of the rules engine's `CriterionResult` (a trailing ``*`` matches every id with
that prefix, for ids built per drug or modality), with the document, why it helps and a source
per row. The list for a request is the documents of the criteria it would pend on (not met or
not determinable): a request that meets every criterion is decided at once and needs none
(program FAQ, shared/seeds/000 tip 2: "a list of documents will be made available that are
required to complete the review of the case ... upload documentation prior to submitting").

Pure: reads packaged reference data only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.rules import CriterionResult

_COLUMNS = ("criterion_id", "document_id", "document", "why", "source")


@dataclass(frozen=True)
class DocumentRow:
    """One row of a program's documents table."""

    criterion_id: str  # exact id, or a prefix ending in "*"
    document_id: str
    document: str
    why: str
    source: str

    def matches(self, criterion_id: str) -> bool:
        if self.criterion_id.endswith("*"):
            return criterion_id.startswith(self.criterion_id[:-1])
        return criterion_id == self.criterion_id


@dataclass(frozen=True)
class NeededDocument:
    """A document that would help settle a request, and the criteria it supports."""

    document_id: str
    document: str
    why: str
    criteria: tuple[str, ...]


def _file_name(program: Program) -> str:
    return f"{program.value}_documents.csv"


@lru_cache(maxsize=16)
def document_rows(program: Program | str) -> tuple[DocumentRow, ...]:
    """The program's documents table (empty when the program has none)."""
    code = Program(program)
    try:
        path = reference.path_of(_file_name(code))
    except FileNotFoundError:
        return ()
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    reader = csv.DictReader(lines)
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise ValueError(f"{_file_name(code)}: expected the columns {', '.join(_COLUMNS)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        values = {name: (row.get(name) or "").strip() for name in _COLUMNS}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ValueError(f"{_file_name(code)} row {number}: {', '.join(missing)} missing")
        rows.append(DocumentRow(**values))
    return tuple(rows)


def _open_criteria(results: Iterable[CriterionResult | Mapping]) -> list[str]:
    """Ids of the criteria not met or not determinable (results, or their stored dict form)."""
    ids = []
    for result in results:
        if isinstance(result, CriterionResult):
            criterion_id, met = result.criterion_id, result.met
        else:
            criterion_id, met = str(result.get("id", "")), result.get("met")
        if met is not True and criterion_id:
            ids.append(criterion_id)
    return ids


def documents_needed(
    program: Program | str, results: Iterable[CriterionResult | Mapping]
) -> tuple[NeededDocument, ...]:
    """The documents supporting the criteria a request would pend on, each once, in table order.

    ``results`` are the rules engine's criterion results (or the ``{"id", "met"}`` dicts stored
    with a determination); met criteria need no document.
    """
    open_ids = _open_criteria(results)
    found: dict[str, tuple[DocumentRow, list[str]]] = {}
    for row in document_rows(program):
        for criterion_id in open_ids:
            if row.matches(criterion_id):
                _, criteria = found.setdefault(row.document_id, (row, []))
                if criterion_id not in criteria:
                    criteria.append(criterion_id)
    return tuple(
        NeededDocument(row.document_id, row.document, row.why, tuple(criteria))
        for row, criteria in found.values()
    )


def criteria_without_documents(program: Program | str, criterion_ids: Iterable[str]) -> list[str]:
    """The ids no row of the program's table covers (the contract test lists them)."""
    rows = document_rows(program)
    return [cid for cid in criterion_ids if not any(row.matches(cid) for row in rows)]


__all__ = [
    "DocumentRow",
    "NeededDocument",
    "criteria_without_documents",
    "document_rows",
    "documents_needed",
]
