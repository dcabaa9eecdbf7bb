"""Which program a requested service lands in for a plan on a date: the one place that decides it.

Most codes belong to one program. A few groups of services (``domain/service_groups.py``, e.g.
echocardiography) may be delegated by a plan to one program or another, with dates and, where the plan
says so, per line of business: that choice is the plan's data (``program_routings``), never an ``if``
on a plan code nor the office's choice. The wizard's program step (``order_entry.save_program_details``),
the PAS API (``pas/service.py``) and every caller of ``coverage_requirements.requirement_for`` (CRD, the
public page) ask `program_for` / `routed_program` for every requested code, with the member's line.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from portal_app.domain.enums import Program
from portal_app.domain.service_groups import service_group_of
from portal_app.models import ProgramRouting

ALL_LINES = ""


def routed_program(
    session: Session, *, plan_id: int, service_code: str, on_date: date, line_of_business: str = ""
) -> Program | None:
    """The program the plan routes ``service_code`` to on ``on_date`` for a member of that line of
    business, or None when the code is in no routable group or the plan has no routing in force for it.

    A row for the member's own line wins over the all-lines row (line ""); among rows of the same kind
    in force that day, the one that started last wins."""
    group = service_group_of(service_code)
    if group is None:
        return None
    lines = [ALL_LINES, line_of_business] if line_of_business else [ALL_LINES]
    rows = session.exec(
        select(ProgramRouting)
        .where(
            ProgramRouting.plan_id == plan_id,
            ProgramRouting.service_group == group,
            col(ProgramRouting.line_of_business).in_(lines),
            col(ProgramRouting.starts_on) <= on_date,
        )
        .order_by(col(ProgramRouting.starts_on).desc())
    ).all()
    in_force = [row for row in rows if row.ends_on is None or on_date <= row.ends_on]
    own = [row for row in in_force if line_of_business and row.line_of_business == line_of_business]
    chosen = (own or in_force)[:1]
    return Program(chosen[0].program) if chosen else None


def program_for(
    session: Session,
    *,
    plan_id: int,
    service_code: str,
    on_date: date,
    default: Program,
    line_of_business: str = "",
) -> Program:
    """The program the plan routes ``service_code`` to on ``on_date`` for the member's line of
    business (``routed_program``); ``default`` when no routing applies."""
    routed = routed_program(
        session,
        plan_id=plan_id,
        service_code=service_code,
        on_date=on_date,
        line_of_business=line_of_business,
    )
    return routed or default
