"""Keeps each order's initial determination (domain/outcomes.py) on the order row.

Called in the same transaction as every write that can change it: the rules engine's decisions at
submission, a reviewer's decision, an appeal being filed. The dashboard then reads the orders'
outcome index only (services/metrics.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from sqlmodel import Session, col, func, select

from portal_app.domain.enums import TaskKind
from portal_app.domain.outcomes import LineHistory, RecordedDecision, request_outcome
from portal_app.models import Determination, Order, OrderLine, ReviewTask
from portal_app.models.base import id_of


@overload
def _aware(value: datetime) -> datetime: ...
@overload
def _aware(value: datetime | None) -> datetime | None: ...
def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands timestamps back without their zone; they are stored in UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def refresh_outcome(session: Session, order: Order) -> None:
    """Recompute ``order``'s initial outcome from its lines, determinations and appeals (flushed
    first, so that rows added in this transaction count). Leaves committing to the caller."""
    if order.submitted_at is None:
        return
    session.flush()
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    determinations = (
        session.exec(
            select(Determination)
            .where(col(Determination.order_line_id).in_([line.id for line in lines]))
            .order_by(col(Determination.id))
        ).all()
        if lines
        else []
    )
    by_line: dict[int, list[RecordedDecision]] = {}
    for d in determinations:
        by_line.setdefault(d.order_line_id, []).append(
            RecordedDecision(d.decision, d.decided_by, _aware(d.decided_at))
        )
    appealed_at = session.exec(
        select(func.min(ReviewTask.created_at)).where(
            ReviewTask.order_id == order.id, ReviewTask.kind == TaskKind.APPEAL
        )
    ).one()
    result = request_outcome(
        _aware(order.submitted_at),
        [LineHistory(line.decision, by_line.get(id_of(line), [])) for line in lines],
        _aware(appealed_at),
    )
    order.initial_outcome = result.outcome
    order.initially_decided_at = result.decided_at
    order.decision_hours = result.hours
    order.appealed_at = result.appealed_at
    order.approved_after_appeal = result.approved_after_appeal
    session.add(order)
