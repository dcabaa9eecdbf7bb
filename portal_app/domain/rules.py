"""The generic rules engine: one outcome per requested code, with the reasons.

The engine knows no program's specifics. It asks the program definition whether the plan
manages the code in the service year, whether it is notification only, and which criteria
apply; then:

* not on the plan's managed list for the service year -> NOT_MANAGED;
* notification only (the code row says so, or the program's notification rule says so for
  this request, e.g. a code with a given primary diagnosis) -> NOTIFICATION_ONLY;
* criteria all met -> AUTHORIZED;
* any criterion not met or not determinable -> PENDED for a clinical reviewer;
* no criteria set for the code, or no code list loaded for the plan and year -> PENDED.

The engine never denies: only a physician reviewer may (program FAQ, shared/seeds/001:
"No adverse determination is made until the case has been reviewed by a physician
reviewer"). A possible duplicate (`request.duplicate_of`) sends every managed line to a
reviewer as well (same FAQ: a nurse checks duplicate notices).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - imports for type checkers only
    from portal_app.domain.guidelines import GuidelineVersion
    from portal_app.domain.program_types import ProgramDefinition, ProgramRequest

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    AUTHORIZED = "authorized"
    PENDED = "pended"
    NOTIFICATION_ONLY = "notification_only"
    NOT_MANAGED = "not_managed"


@dataclass(frozen=True)
class CriterionResult:
    criterion_id: str
    text: str  # what the criterion asks, in plain words
    citation: str  # guideline and section
    met: bool | None  # None = not determinable from the answers
    why_unknown: str = ""  # when met is None and the program knows why (e.g. questions skipped)


@dataclass(frozen=True)
class LineOutcome:
    code: str
    outcome: Outcome
    reason: str  # one plain sentence for the provider and reviewer
    citation: str
    results: tuple[CriterionResult, ...]


@dataclass(frozen=True)
class Determination:
    lines: tuple[LineOutcome, ...]
    guideline_version: int | None = None  # the program's guideline version applied (None: not given)

    @property
    def needs_review(self) -> bool:
        """True when any line went to a clinical reviewer."""
        return any(line.outcome is Outcome.PENDED for line in self.lines)

    @property
    def not_managed(self) -> tuple[LineOutcome, ...]:
        return self._with(Outcome.NOT_MANAGED)

    @property
    def pended(self) -> tuple[LineOutcome, ...]:
        return self._with(Outcome.PENDED)

    @property
    def authorized(self) -> tuple[LineOutcome, ...]:
        return self._with(Outcome.AUTHORIZED)

    @property
    def notification_only(self) -> tuple[LineOutcome, ...]:
        return self._with(Outcome.NOTIFICATION_ONLY)

    def _with(self, outcome: Outcome) -> tuple[LineOutcome, ...]:
        return tuple(line for line in self.lines if line.outcome is outcome)


# Plain sentences; kept here so the service layer and the tests use the same wording.
REASON_NOT_MANAGED = (
    "Code {code} is not on this plan's list of codes managed by the program for {year}, "
    "so the program does not review it."
)
REASON_NOTIFICATION = (
    "Code {code} needs notification only under this plan; it is recorded without clinical review."
)
REASON_NOTIFICATION_BY_RULE = (
    "Code {code} needs notification only for this request under the program's rules; it is "
    "recorded without clinical review."
)
REASON_AUTHORIZED = "Code {code} meets {what}."
REASON_NOT_MET = "Sent to a clinical reviewer: criterion {criterion} is not met by the answers given."
REASON_UNKNOWN = "Sent to a clinical reviewer: the answers do not settle criterion {criterion}."
REASON_UNKNOWN_BECAUSE = "Sent to a clinical reviewer: criterion {criterion} cannot be checked because {why}."
REASON_NO_CRITERIA = (
    "Sent to a clinical reviewer: no automatic criteria apply to code {code} for this indication."
)
REASON_NO_CODE_LIST = "Sent to a clinical reviewer: this plan's code list for {year} is not loaded."
REASON_ERROR = "Sent to a clinical reviewer: the criteria for code {code} could not be checked automatically."
REASON_DUPLICATE = "Possible duplicate of {order}; a reviewer will check it before any decision."


def _normalise(code: str) -> str:
    return (code or "").strip().upper()


def _judge(code: str, results: tuple[CriterionResult, ...]) -> tuple[Outcome, str, str]:
    citation = "; ".join(dict.fromkeys(result.citation for result in results if result.citation))
    not_met = [result for result in results if result.met is False]
    if not_met:
        return Outcome.PENDED, REASON_NOT_MET.format(criterion=not_met[0].criterion_id), citation
    unknown = [result for result in results if result.met is None]
    if unknown:
        first = unknown[0]
        reason = (
            REASON_UNKNOWN_BECAUSE.format(criterion=first.criterion_id, why=first.why_unknown)
            if first.why_unknown
            else REASON_UNKNOWN.format(criterion=first.criterion_id)
        )
        return Outcome.PENDED, reason, citation
    what = "its criterion" if len(results) == 1 else f"all {len(results)} of its criteria"
    return Outcome.AUTHORIZED, REASON_AUTHORIZED.format(code=code, what=what), citation


def _notification_by_rule(program: ProgramDefinition, request: ProgramRequest, code: str) -> bool:
    try:
        return program.is_notification_only(code, request)
    except Exception:  # a broken rule only loses the shortcut: the line still gets its criteria
        logger.exception("notification rule for %s in program %s failed", code, program.code)
        return False


def _criteria(
    program: ProgramDefinition, request: ProgramRequest, code: str, guideline: GuidelineVersion | None
) -> list[CriterionResult] | None:
    criteria = program.criteria_for(code, request)
    return guideline.apply(code, criteria) if guideline is not None else criteria


def _evaluate_line(
    program: ProgramDefinition, request: ProgramRequest, code: str, guideline: GuidelineVersion | None = None
) -> LineOutcome:
    year = request.service_date.year
    if not program.has_code_list(request.plan_code, year):
        return LineOutcome(code, Outcome.PENDED, REASON_NO_CODE_LIST.format(year=year), "", ())
    managed = program.managed_code(request.plan_code, year, code)
    if managed is None:
        return LineOutcome(code, Outcome.NOT_MANAGED, REASON_NOT_MANAGED.format(code=code, year=year), "", ())
    if managed.notification_only:
        outcome = LineOutcome(code, Outcome.NOTIFICATION_ONLY, REASON_NOTIFICATION.format(code=code), "", ())
    elif _notification_by_rule(program, request, code):
        outcome = LineOutcome(
            code, Outcome.NOTIFICATION_ONLY, REASON_NOTIFICATION_BY_RULE.format(code=code), "", ()
        )
    else:
        try:
            criteria = _criteria(program, request, code, guideline)
        except Exception:  # a broken rule must send the case to a person, never decide it
            logger.exception("criteria for %s in program %s failed", code, program.code)
            return LineOutcome(code, Outcome.PENDED, REASON_ERROR.format(code=code), "", ())
        if not criteria:
            outcome = LineOutcome(code, Outcome.PENDED, REASON_NO_CRITERIA.format(code=code), "", ())
        else:
            results = tuple(criteria)
            verdict, reason, citation = _judge(code, results)
            outcome = LineOutcome(code, verdict, reason, citation, results)
    if request.duplicate_of.strip():
        return LineOutcome(
            code,
            Outcome.PENDED,
            REASON_DUPLICATE.format(order=request.duplicate_of.strip()),
            outcome.citation,
            outcome.results,
        )
    return outcome


def evaluate(
    program: ProgramDefinition, request: ProgramRequest, guideline: GuidelineVersion | None = None
) -> Determination:
    """Decide each requested code of `request` under `program`; see the module docstring.

    `guideline`: the program's guideline version in force on the date of service, chosen and loaded
    by the service (``domain/guidelines.py``); None or version 1 applies the packaged criteria.
    """
    return Determination(
        tuple(_evaluate_line(program, request, _normalise(code), guideline) for code in request.codes),
        guideline.version if guideline is not None else None,
    )
