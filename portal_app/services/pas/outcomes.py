"""OperationOutcome: how the API says no. Pure.

PAS (specification, "Prior Authorization Error Handling"): 4xx with an OperationOutcome when the
request cannot be processed and resubmitting it unchanged will not help; 5xx when a retry may.
Every issue says what is wrong in plain words and, where it can, which element (FHIRPath).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Issue:
    code: str  # FHIR issue-type: invalid, structure, required, value, business-rule, not-found...
    text: str
    expression: str = ""
    severity: str = "error"


@dataclass
class PasProblem(Exception):
    """The request is refused; nothing it asked for was stored."""

    status: int
    issues: list[Issue] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(issue.text for issue in self.issues))

    @classmethod
    def one(cls, status: int, code: str, text: str, expression: str = "") -> PasProblem:
        return cls(status, [Issue(code, text, expression)])

    def outcome(self) -> dict[str, Any]:
        return operation_outcome(self.issues)


def operation_outcome(issues: Iterable[Issue]) -> dict[str, Any]:
    """An OperationOutcome resource (JSON) listing ``issues``."""
    rendered = []
    for issue in issues:
        item: dict[str, Any] = {
            "severity": issue.severity,
            "code": issue.code,
            "details": {"text": issue.text},
            "diagnostics": issue.text,
        }
        if issue.expression:
            item["expression"] = [issue.expression]
        rendered.append(item)
    if not rendered:
        rendered.append({"severity": "information", "code": "informational", "details": {"text": "OK"}})
    return {"resourceType": "OperationOutcome", "issue": rendered}


def fhirpath(location: Iterable[Any], root: str = "Bundle") -> str:
    """A pydantic error location as a FHIRPath-like expression: Bundle.entry[0].resource.status."""
    path = root
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("resource",) or not str(part).startswith("__"):
            path += f".{part}"
    return path
