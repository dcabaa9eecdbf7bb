"""Whether a service needs a request through Precert, for one member's coverage on a date.

The one place that decides it: the plan's delegations (``plan_programs``, per line of business with
dates) and the code lists in force (``services/code_lists``, per line of business and year from
their effective dates) for the member's line of business on the date of service. The wizard's
procedure step, the PAS API, the CDS Hooks (CRD) service and the public "Is prior authorization
needed?" page all ask ``requirement_for``. No PHI is involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from portal_app.domain.documents_needed import document_rows
from portal_app.domain.enums import LineOfBusiness, Program
from portal_app.domain.programs import PROGRAMS
from portal_app.models import HealthPlan, PlanLineOfBusiness
from portal_app.services.code_lists import code_index_in_force
from portal_app.services.plan_setup import delegation_in_force
from portal_app.services.program_routing import routed_program

NOT_MANAGED = "not managed for this member's coverage"


@dataclass(frozen=True)
class Requirement:
    managed: bool  # True: a request (or a notification, see reason) goes through Precert
    program: Program | None  # the program that manages the code for this coverage
    reason: str
    # Managed, but the office only tells the plan (no review): not a prior authorization.
    notification_only: bool = False


def _line_label(line_of_business: str) -> str:
    try:
        return LineOfBusiness(line_of_business).label
    except ValueError:
        return line_of_business or "unknown"


def requirement_for(
    session: Session, *, plan_id: int, line_of_business: str, service_code: str, on_date: date
) -> Requirement:
    """Whether ``service_code`` needs a request for a member of the plan with that line of business
    on the date of service, which program manages it, and why (in words for the office)."""
    plan = session.get(HealthPlan, plan_id)
    code = (service_code or "").strip().upper()
    if plan is None:
        return Requirement(False, None, "The health plan is not known to Precert.")
    if not code:
        return Requirement(False, None, "Give a CPT or HCPCS code.")
    coverage = f"{plan.name} {_line_label(line_of_business)} coverage on {on_date:%m/%d/%Y}"
    listed_but_not_delegated: list[Program] = []
    # A group of services the plan routes to one program (e.g. echo to cardiology, possibly for this
    # line of business only) is looked for in that program first.
    routed = routed_program(
        session, plan_id=plan_id, service_code=code, on_date=on_date, line_of_business=line_of_business
    )
    for program in sorted(PROGRAMS, key=lambda p: p != routed):
        index = code_index_in_force(
            session, plan=plan, program=program, line_of_business=line_of_business, on=on_date
        )
        managed = index.get(code)
        if managed is None:
            continue
        delegation = delegation_in_force(
            session, plan_id=plan_id, program=program, line_of_business=line_of_business, on=on_date
        )
        if delegation is None:
            listed_but_not_delegated.append(program)
            continue
        kind = "notification only (no review)" if managed.notification_only else "a request is needed"
        return Requirement(
            True,
            program,
            f"{code} is managed by {program.label} for {coverage}: {kind}.",
            notification_only=managed.notification_only,
        )
    if listed_but_not_delegated:
        labels = ", ".join(p.label for p in listed_but_not_delegated)
        return Requirement(
            False,
            None,
            f"{code} is {NOT_MANAGED}: the plan does not delegate {labels} to Precert for {coverage}. "
            "Contact the health plan about whether it needs approval.",
        )
    return Requirement(
        False,
        None,
        f"{code} is {NOT_MANAGED}: it is on no code list Precert manages for {coverage}. "
        "Contact the health plan about whether it needs approval.",
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
