"""Which program a requested service lands in for a plan on a date: the one place that decides it.

Most codes belong to one program. A few groups of services (``domain/service_groups.py``, e.g.
echocardiography) may be delegated by a plan to one program or another, with dates: that choice is
the plan's data (``program_routings``), never an ``if`` on a plan code nor the office's choice. The
wizard's program step (``order_entry.save_program_details``) and the PAS API
(``pas/service.py``) ask `program_for` for every requested code.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from portal_app.domain.enums import Program
from portal_app.domain.service_groups import service_group_of
from portal_app.models import ProgramRouting


def program_for(
    session: Session, *, plan_id: int, service_code: str, on_date: date, default: Program
) -> Program:
    """The program the plan routes ``service_code`` to on ``on_date``; ``default`` when the code is in
    no routable group or the plan has no routing for its group on that date. Of overlapping rows the
    one that started last wins."""
    group = service_group_of(service_code)
    if group is None:
        return default
    rows = session.exec(
        select(ProgramRouting)
        .where(
            ProgramRouting.plan_id == plan_id,
            ProgramRouting.service_group == group,
            col(ProgramRouting.starts_on) <= on_date,
        )
        .order_by(col(ProgramRouting.starts_on).desc())
    ).all()
    for row in rows:
        if row.ends_on is None or on_date <= row.ends_on:
            return Program(row.program)
    return default
