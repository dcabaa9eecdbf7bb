"""The help page's guide to the rehabilitation program and its "what you need before you start"
checklist, derived from the program's criteria data (see portal_app/domain/help.py)."""

from __future__ import annotations

from portal_app.domain import outcome_tools
from portal_app.domain.enums import Program
from portal_app.domain.guidelines import GuidelineCriterion
from portal_app.domain.guides import (
    ChecklistItem,
    ProgramGuide,
    and_,
    column,
    days_in,
    lower_first,
    lowered,
    num,
    or_,
)
from portal_app.programs.rehabilitation import domain as rehabilitation

# ---------------------------------------------------------------------------------------------
# Rehabilitation (rehab_visits.csv, rehab_plans.csv, outcome tools)
# ---------------------------------------------------------------------------------------------


def _visit_rule(request_type: str) -> tuple[int, int, int]:
    amounts = {rehabilitation.visit_amounts("", d, request_type) for d in rehabilitation.DISCIPLINES}
    full = sorted({a.full for a in amounts})
    reduced = sorted({a.reduced for a in amounts})
    planning = sorted({a.discharge_planning for a in amounts})
    return full[-1], reduced[-1], planning[-1]


def checklist() -> tuple[ChecklistItem, ...]:
    tools = tuple(
        f"{tool.name}: {or_(lowered(outcome_tools.BODY_REGION_LABELS[r] for r in tool.body_regions))}; "
        f"{and_(tool.disciplines)}; progress of at least {num(tool.mcid)} points counts"
        for tool in outcome_tools.TOOLS.values()
    )
    full, reduced, planning = _visit_rule("later_treatment")
    yearly = sorted(set(column("rehab_plans.csv", "visits_per_year")))
    kinds = or_(
        lower_first(rehabilitation.EPISODE_KIND_LABELS[k])
        for k in rehabilitation.EPISODE_KINDS
        if k in rehabilitation.ANNUAL_REEVALUATION_KINDS
    )
    items = [
        ChecklistItem(
            "The therapy (physical, occupational or speech), the body region and the kind of request.",
            source="rehabilitation.py",
        ),
        ChecklistItem(
            f"The date of the initial evaluation of this episode of care. Later requests keep it; a new "
            f"date needs a reason, except the yearly re-evaluation of a {kinds}.",
            source="rehabilitation.py (episode date rule)",
        ),
        ChecklistItem(
            "A score from an outcome tool for the body region: the first treatment request's score is the "
            "baseline, later requests give an updated score with the same tool.",
            "",
            tools,
            "outcome_tools.py (MCID per tool)",
        ),
        ChecklistItem(
            f"On later requests: the visits attended so far, and if progress is below the tool's MCID, what "
            f"slowed it or how the plan of care changed. Enough progress gets {full} visits a request; "
            f"otherwise {reduced}.",
            "",
            tuple(rehabilitation.MITIGATING_FACTOR_LABELS.values()),
            "rehab_visits.csv",
        ),
        ChecklistItem(
            f"Whether the plan-of-care goals are met: then {planning} visits for discharge planning and "
            f"the home exercise program.",
            source="rehab_visits.csv",
        ),
    ]
    if yearly:
        items.append(
            ChecklistItem(
                "The visits already used this year when the health plan limits them "
                f"({or_(str(v) for v in yearly)} visits a year); the portal counts those it authorized.",
                source="rehab_plans.csv",
            )
        )
    return tuple(items)


def rules() -> tuple[GuidelineCriterion, ...]:
    """The criteria the program checks in code (it has no criteria rows in its reference data), with the
    citation the engine records and the reference files the numbers come from, for the help page."""
    full, reduced, planning = _visit_rule("later_treatment")
    citation = rehabilitation.ALLOCATION_CITATION
    return (
        GuidelineCriterion(
            "rehab.visit_allocation",
            f"The visits are allocated from the evaluation and the outcome scores: {full} a request with "
            f"enough progress, otherwise {reduced}; {planning} for discharge planning once the goals are "
            "met.",
            citation,
            f"{citation}; visits per request type in rehab_visits.csv",
        ),
        GuidelineCriterion(
            "rehab.visits_requested",
            "More visits than recommended go to a nurse reviewer.",
            citation,
            citation,
        ),
        GuidelineCriterion(
            f"rehab.{rehabilitation.BENEFIT_LIMIT_REACHED}",
            "At the plan's benefit limit no visits are recommended automatically; a reviewer looks at the "
            "request.",
            citation,
            f"{citation}; benefit limits per plan in rehab_plans.csv",
        ),
    )


def guide() -> ProgramGuide:
    return ProgramGuide(
        program=Program.REHABILITATION.value,
        title=Program.REHABILITATION.label,
        anchor="help-rehabilitation",
        covers=f"{and_(rehabilitation.DISCIPLINE_LABELS.values())}, by episode of care.".capitalize(),
        wizard_asks=(
            f"The therapy, the body region and the kind of request: "
            f"{or_(lowered(rehabilitation.REQUEST_TYPE_LABELS.values()))}.",
            "The initial evaluation date (filled in from the episode on later requests).",
            "The outcome tool and its score, scored by the portal from the item answers where the tool "
            "allows it.",
            "The visits requested.",
        ),
        decided_at_once=(
            "The portal recommends the visits and says why; the recommendation is authorized at once.",
            "Asking for more visits than recommended, or reaching the plan's yearly limit, sends the "
            "request to a nurse.",
        ),
        validity=(
            f"{days_in([rehabilitation.DEFAULT_VALIDITY_DAYS, *column('rehab_plans.csv', 'validity_days')])},"
            f" counted from the date of service."
        ),
        checklist=checklist(),
    )
