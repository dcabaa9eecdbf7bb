"""Whether a service code needs prior authorization through Precert: for a plan, a line of business
and a date of service, the program that manages the code (the plan delegates the program to Precert
for that line on that date, and the program's code list for the plan and year has the code).

One answer for everyone who asks it: the CRD service (``services/crd``) and the public "Is prior
authorization needed?" page. No PHI is involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from portal_app.domain.documents_needed import document_rows
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS
from portal_app.models import HealthPlan, PlanLineOfBusiness
from portal_app.services.plan_setup import delegation_in_force


@dataclass(frozen=True)
class Requirement:
    """``managed``: Precert reviews the code for that plan, line and date, in ``program``; ``reason``
    says why in words an office reads."""

    managed: bool
    program: Program | None
    reason: str


def requirement_for(
    session: Session, *, plan_id: int, line_of_business: str, service_code: str, on_date: date
) -> Requirement:
    """Whether ``service_code`` is managed by Precert for the plan and line of business on ``on_date``."""
    plan = session.get(HealthPlan, plan_id)
    code = service_code.strip().upper()
    if plan is None:
        return Requirement(False, None, "Precert does not know this health plan.")
    if not code:
        return Requirement(False, None, "Give a CPT or HCPCS code.")
    for program, definition in PROGRAMS.items():
        delegated = delegation_in_force(
            session, plan_id=plan_id, program=program.value, line_of_business=line_of_business, on=on_date
        )
        if delegated is None:
            continue
        managed = definition.managed_code(plan.code, on_date.year, code)
        if managed is None:
            continue
        kind = "notification only" if managed.notification_only else "prior authorization"
        return Requirement(
            True,
            program,
            f"{code} needs {kind} through Precert's {definition.label.lower()} program for {plan.name} "
            f"on {on_date.isoformat()}.",
        )
    return Requirement(
        False,
        None,
        f"{code} is not managed by Precert for {plan.name} on {on_date.isoformat()}: no program the plan "
        "delegates to Precert for this line of business covers it. Ask the health plan about its own rules.",
    )


@dataclass(frozen=True)
class PublicAnswer:
    """What the public page shows: the requirement and the documents the program usually asks for."""

    requirement: Requirement
    program_label: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class PlanOption:
    plan_id: int
    name: str
    lines_of_business: tuple[str, ...]


def plan_options(session: Session) -> list[PlanOption]:
    """The plans (and their lines of business) the public page offers."""

    plans = session.exec(select(HealthPlan).order_by(HealthPlan.name)).all()
    lines = session.exec(select(PlanLineOfBusiness)).all()
    return [
        PlanOption(
            plan.id or 0,
            plan.name,
            tuple(sorted({row.line_of_business for row in lines if row.plan_id == plan.id})),
        )
        for plan in plans
    ]


def public_answer(
    session: Session, *, plan_id: int, line_of_business: str, service_code: str, on_date: date
) -> PublicAnswer:
    """The public page's answer, from the same function as CRD."""
    requirement = requirement_for(
        session,
        plan_id=plan_id,
        line_of_business=line_of_business,
        service_code=service_code,
        on_date=on_date,
    )
    if requirement.program is None:
        return PublicAnswer(requirement, "", ())
    seen: dict[str, str] = {}
    for row in document_rows(requirement.program):
        seen.setdefault(row.document_id, row.document)
    return PublicAnswer(requirement, requirement.program.label, tuple(seen.values()))
