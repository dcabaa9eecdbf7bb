"""Clinical review: the nurse and physician queues, a case on screen, decisions, peer-to-peer
calls, reconsideration and appeal.

The rules (who may do what in which state, status from line decisions, due times, the
reconsideration window) live in `portal_app.domain.review`; this module loads the case, asks
those rules, writes the determination and the audit trail, and commits once.

Every decision carries the version of the order the reviewer saw. A decision on an older
version is refused with `StaleCase`, naming who changed the case and when; two decisions
racing each other are caught by the order's version column (`StaleDataError`) the same way.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NoReturn, overload

from sqlalchemy import ColumnElement, union_all, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, or_, select

from portal_app import clock
from portal_app.domain import conversation as conversation_rules
from portal_app.domain import review as rules
from portal_app.domain.enums import (
    AuditOutcome,
    DecidedBy,
    LineDecision,
    NoteVisibility,
    NoticeKind,
    OrderStatus,
    PeerToPeerMode,
    PeerToPeerStatus,
    Program,
    ReviewQueue,
    Role,
    TaskFlag,
    TaskKind,
    TaskStatus,
    Urgency,
    UserStatus,
)
from portal_app.domain.guidelines import guideline_version_text
from portal_app.domain.level_of_care import (
    SETTING_LABELS,
    approved_setting_sentence,
    criteria_for_setting,
    requested_setting,
)
from portal_app.domain.physician_criteria import physician_only
from portal_app.domain.statuses import status_label
from portal_app.models import (
    AuditEvent,
    Determination,
    Document,
    HealthPlan,
    Member,
    Note,
    Order,
    OrderDiagnosis,
    OrderLine,
    PeerToPeerAppointment,
    Provider,
    ReviewTask,
    User,
)
from portal_app.models.base import get_existing, id_of
from portal_app.services import audit, pend_clock
from portal_app.services.authz import Actor, may, require
from portal_app.services.notices import notify_order_office
from portal_app.services.order_submission import approval_window
from portal_app.services.orders import OrderNotFound, _party_name, _plain, may_read_order
from portal_app.services.outcomes import refresh_outcome

OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED)
MAX_PAGE_SIZE = 100
MAX_SLOTS = 10
# Audit actions that only read the case; the case history shows what changed, not who looked.
_READ_ACTIONS = frozenset({"case.viewed", "order.read", "order.read_denied"})


class StaleCase(Exception):
    """The case changed since the reviewer loaded it; the message names who changed it and when."""


class ActionRefused(ValueError):
    """The action is not allowed in the case's current state; the message says why, plainly."""


# --- small helpers ---------------------------------------------------------------------------


@overload
def _aware(value: datetime) -> datetime: ...
@overload
def _aware(value: datetime | None) -> datetime | None: ...
def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without their zone; they are all UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _when(value: datetime | None) -> str:
    return _aware(value).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else ""


def _office_order(session: Session, actor: Actor, order_number: str) -> Order:
    """The order, if ``actor`` may read it (``may_read_order``); a refusal is audited and looks like a
    missing order. Allowed reads are not audited here: what they show is not the member's record,
    and every change they lead to is audited itself."""
    number = (order_number or "").strip().upper()
    order = session.exec(select(Order).where(Order.order_number == number)).first() if number else None
    if order is None or not may_read_order(session, actor, order):
        audit.record(
            session,
            action="order.read_denied",
            user_id=actor.user_id,
            record_type="order",
            record_id=id_of(order) if order else number[:40],
            outcome=AuditOutcome.DENIED,
            client_address=actor.client_address,
        )
        session.commit()
        raise OrderNotFound(order_number)
    return order


def _find_order(session: Session, order_number: str) -> Order:
    number = (order_number or "").strip().upper()
    order = session.exec(select(Order).where(Order.order_number == number)).first() if number else None
    if order is None:
        raise OrderNotFound(order_number)
    return order


def _stale(session: Session, actor: Actor, order: Order) -> StaleCase:
    name = _name(session, order.updated_by_id) or "another user"
    at = _aware(order.updated_at).strftime("%H:%M UTC")
    audit.record(
        session,
        action="review.stale_version",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        outcome=AuditOutcome.FAILURE,
        client_address=actor.client_address,
        detail={"current_version": order.version},
    )
    session.commit()
    return StaleCase(f"This case was changed by {name} at {at}. Reload it to see the change.")


def _check_version(session: Session, actor: Actor, order: Order, version: int) -> None:
    if version != order.version:
        raise _stale(session, actor, order)


def _refuse(session: Session, actor: Actor, order: Order | None, action: str, message: str) -> NoReturn:
    """Audit a refused action and raise. Call only before the session holds any change."""
    audit.record(
        session,
        action="review.action_refused",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order) if order else "",
        outcome=AuditOutcome.DENIED,
        client_address=actor.client_address,
        detail={"action": action, "reason": message},
    )
    session.commit()
    raise ActionRefused(message)


def _commit(session: Session, actor: Actor, order_id: int, *, final: bool = False) -> None:
    """Write the change; letters go in the same transaction when the review is finished."""
    try:
        session.flush()
        refresh_outcome(session, get_existing(session, Order, order_id))
        if final:
            _create_letters(session, order_id)
            from portal_app.services.subscriptions import queue_decision_notifications  # PAS rest-hook outbox

            queue_decision_notifications(session, order_id=order_id)
        session.commit()
    except StaleDataError:
        session.rollback()
        raise _stale(session, actor, get_existing(session, Order, order_id)) from None


def _create_letters(session: Session, order_id: int) -> None:
    """Determination letters, if the letters service is installed (another module writes them)."""
    try:
        letters = importlib.import_module("portal_app.services.letters")
    except ModuleNotFoundError as error:
        if error.name != "portal_app.services.letters":  # a module the letters need is missing
            raise
        return
    letters.create_determination_letters(session, order_id=order_id)


def _audit(session: Session, actor: Actor, action: str, order_id: int | None, **detail) -> None:
    """Append an event about an order to the audit trail (the caller commits)."""
    audit.record(
        session,
        action=action,
        user_id=actor.user_id,
        record_type="order",
        record_id=order_id or "",
        client_address=actor.client_address,
        detail=detail,
    )


def _touch(order: Order, actor: Actor, now: datetime) -> None:
    """Record who changed the order last; the UPDATE also moves its version on."""
    order.updated_by_id = actor.user_id
    order.updated_at = now


# --- the case as the rules see it ------------------------------------------------------------


@dataclass
class _Case:
    order: Order
    task: ReviewTask | None
    lines: list[OrderLine]
    first: dict[int, Determination]  # the rules engine's determination of each line
    latest: dict[int, Determination]
    awaiting: list[OrderLine]  # lines the open task still has to decide
    state: rules.CaseState

    def line(self, line_number: int) -> OrderLine | None:
        return next((line for line in self.lines if line.line_number == line_number), None)


def _open_task(session: Session, order_id: int) -> ReviewTask | None:
    return session.exec(
        select(ReviewTask)
        .where(ReviewTask.order_id == order_id, col(ReviewTask.status).in_(OPEN_STATUSES))
        .order_by(col(ReviewTask.id).desc())
    ).first()


def _awaiting(
    task: ReviewTask | None,
    lines: list[OrderLine],
    latest: dict[int, Determination],
) -> list[OrderLine]:
    """Lines the open task must decide: pended ones, and for a reconsideration or appeal the
    adverse ones not decided again since the request came in."""
    if task is None:
        return []
    if task.kind == TaskKind.INITIAL:
        return [line for line in lines if line.decision == LineDecision.PENDED]
    since = _aware(task.created_at)
    return [
        line
        for line in lines
        if line.decision == LineDecision.PENDED
        or (
            line.decision in rules.ADVERSE
            and (line.id not in latest or _aware(latest[line.id].decided_at) < since)
        )
    ]


def _excluded(session: Session, task: ReviewTask | None, user_id: int) -> bool:
    """An appeal is decided by a physician who made no adverse decision on the order before it."""
    if task is None:
        return False
    if task.excluded_reviewer_id == user_id:
        return True
    if task.kind != TaskKind.APPEAL:
        return False
    decided = session.exec(
        select(Determination.decided_at)
        .join(OrderLine, col(OrderLine.id) == Determination.order_line_id)
        .where(
            OrderLine.order_id == task.order_id,
            Determination.decided_by_user_id == user_id,
            col(Determination.decision).in_(tuple(rules.ADVERSE)),
        )
    ).all()
    since = _aware(task.created_at)
    return any(_aware(at) < since for at in decided)


def _scheduled_call(session: Session, order_id: int) -> PeerToPeerAppointment | None:
    return session.exec(
        select(PeerToPeerAppointment)
        .where(
            PeerToPeerAppointment.order_id == order_id,
            or_(
                PeerToPeerAppointment.status == PeerToPeerStatus.SCHEDULED,
                (PeerToPeerAppointment.status == PeerToPeerStatus.REQUESTED)
                & (PeerToPeerAppointment.mode == PeerToPeerMode.IMMEDIATE),
            ),
        )
        .order_by(col(PeerToPeerAppointment.starts_at))
    ).first()


def _load_case(session: Session, actor: Actor, order: Order) -> _Case:
    task = _open_task(session, id_of(order))
    lines = list(
        session.exec(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.line_number))
        ).all()
    )
    first: dict[int, Determination] = {}
    latest: dict[int, Determination] = {}
    if lines:
        for determination in session.exec(
            select(Determination)
            .where(col(Determination.order_line_id).in_([line.id for line in lines]))
            .order_by(col(Determination.id))
        ).all():
            first.setdefault(determination.order_line_id, determination)
            latest[determination.order_line_id] = determination
    awaiting = _awaiting(task, lines, latest)
    # The office left unanswered a case pended for it (the pend notice offers the peer-to-peer): that
    # counts as the offer an adverse decision needs.
    offered = (task is not None and task.flag == TaskFlag.NO_RESPONSE) or (
        session.exec(
            select(PeerToPeerAppointment.id).where(PeerToPeerAppointment.order_id == order.id)
        ).first()
        is not None
    )
    call = _scheduled_call(session, id_of(order))
    assignee = "none"
    if task is not None and task.assignee_id is not None:
        assignee = "me" if task.assignee_id == actor.user_id else "other"
    state = rules.CaseState(
        has_open_task=task is not None,
        own_queue=task is not None and rules.QUEUE_OF_ROLE.get(actor.role) == task.queue,
        task_queue=ReviewQueue(task.queue).value if task else "",
        excluded=_excluded(session, task, actor.user_id),
        assignee=assignee,
        assignee_name=_name(session, task.assignee_id) if task and assignee == "other" else "",
        lines_awaiting=bool(awaiting),
        partial_possible=any(line.quantity > 1 for line in awaiting),
        peer_to_peer_offered=offered,
        peer_to_peer_scheduled=_when(call.starts_at) if call else "",
        possible_duplicate=bool(order.duplicate_of),
    )
    return _Case(order, task, lines, first, latest, awaiting, state)


def _begin(
    session: Session,
    actor: Actor,
    *,
    permission: str,
    action: str,
    order_number: str,
    version: int,
) -> _Case:
    """Permission, the order, the version, then the state of the case, in that order."""
    require(session, actor, permission, record=f"order:{order_number}"[:60])
    order = _find_order(session, order_number)
    _check_version(session, actor, order, version)
    case = _load_case(session, actor, order)
    if reason := rules.refusal(action, case.state):
        _refuse(session, actor, order, action, reason)
    return case


def _awaiting_line(session: Session, actor: Actor, case: _Case, line_number: int, action: str) -> OrderLine:
    line = case.line(line_number)
    if line is None:
        _refuse(session, actor, case.order, action, f"This order has no line {line_number}.")
    if line.id not in {item.id for item in case.awaiting}:
        state = LineDecision(line.decision).label.lower()
        _refuse(
            session,
            actor,
            case.order,
            action,
            f"Line {line_number} is not waiting for a decision (it is {state}).",
        )
    return line


def _criteria(determination: Determination | None) -> list[dict]:
    return list((determination.explanation or {}).get("criteria", [])) if determination else []


def _decided_notice(task: ReviewTask) -> NoticeKind:
    """What the office is told when a task's last line is decided (one notification per decision)."""
    if task.call_back_requested_at is not None:  # the office asked to be told when the review is done
        return NoticeKind.REVIEW_DONE
    if task.kind == TaskKind.APPEAL:
        return NoticeKind.APPEAL_DECIDED
    if task.kind == TaskKind.RECONSIDERATION:
        return NoticeKind.RECONSIDERATION_DECIDED
    return NoticeKind.DECISION_MADE


def _decide(
    session: Session,
    actor: Actor,
    case: _Case,
    line: OrderLine,
    decision: LineDecision,
    *,
    reason: str,
    audit_action: str,
    reason_code: str = "",
    citation: str = "",
    approved_quantity: int | None = None,
) -> None:
    now = clock.now()
    order, task = case.order, case.task
    assert task is not None  # rules.refusal passed: an open task
    valid_from = valid_until = None
    if decision in (LineDecision.AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED) and order.service_start:
        window = approval_window(session, order)
        valid_from, valid_until = window.start, window.end
    engine = case.first.get(id_of(line))
    session.add(
        Determination(
            order_line_id=id_of(line),
            decision=decision,
            reason_code=reason_code[:40],
            reason=reason[:2000],
            approved_quantity=approved_quantity,
            guideline_citation=citation[:300],
            explanation=dict(engine.explanation) if engine else {},
            guideline_version=engine.guideline_version if engine else None,
            decided_by=DecidedBy.PHYSICIAN if actor.role == Role.PHYSICIAN_REVIEWER else DecidedBy.NURSE,
            decided_by_user_id=actor.user_id,
            decided_at=now,
            valid_from=valid_from,
            valid_until=valid_until,
        )
    )
    line.decision = decision
    session.add(line)
    order.status = rules.order_status_for([item.decision for item in case.lines])
    _touch(order, actor, now)
    session.add(order)
    remaining = [item for item in case.awaiting if item.id != line.id]
    if task.assignee_id is None:
        task.assignee_id, task.status = actor.user_id, TaskStatus.CLAIMED
    if not remaining:
        task.status, task.closed_at = TaskStatus.DONE, now
        task.office_reply_due = None
        notify_order_office(session, order=order, kind=_decided_notice(task))
    session.add(task)
    _audit(
        session,
        actor,
        audit_action,
        order.id,
        line=line.line_number,
        decision=decision.value,
        reason_code=reason_code,
        approved_quantity=approved_quantity,
        task_id=task.id,
        task_kind=task.kind,
        status=order.status,
        review_finished=not remaining,
    )
    _commit(session, actor, id_of(order), final=not remaining)


# --- the queues ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    program: str = ""
    plan_id: int = 0
    urgency: str = ""
    status: str = ""  # task status: open or claimed ("" both)
    assignee: str = ""  # "" anyone, "me", "unassigned"


@dataclass(frozen=True)
class QueueRow:
    task_id: int
    order_number: str
    program: str
    plan_name: str
    member_name: str
    urgency: str
    kind: str
    due_at: str
    time_left: str
    overdue: bool
    assignee: str
    status: str
    flag: str = ""  # e.g. "No response from the office", "Live review requested"


def _queue(queue: str) -> ReviewQueue:
    try:
        return ReviewQueue(queue)
    except ValueError:
        raise ActionRefused(f"There is no {queue!r} queue.") from None


def list_queue(
    session: Session,
    *,
    actor: Actor,
    queue: str,
    queue_filter: QueueFilter,
    sort: str = "due",
    page: int = 0,
    page_size: int = 25,
) -> tuple[list[QueueRow], int]:
    """One page of the open and claimed tasks of a queue, by due time, and how many there are.

    Built for a million cases: each task status is read in due order straight from one of the
    (queue, status[, program | urgency | plan], due_at) indexes of review tasks (the task carries its
    order's program, plan and urgency), only as far as the page needs, then joined to order, member,
    plan and assignee on primary keys; with both statuses the two index ranges are merged (UNION ALL,
    one statement). The count reads the same index. An appeal does not show to the physician it
    excludes.
    """
    require(session, actor, "review.work_queue", record=f"queue:{queue}"[:60])
    chosen = _queue(queue)
    page, page_size = max(page, 0), min(max(page_size, 1), MAX_PAGE_SIZE)
    descending = sort == "-due"
    statuses = (
        [TaskStatus(queue_filter.status)]
        if queue_filter.status in {s.value for s in OPEN_STATUSES}
        else list(OPEN_STATUSES)
    )
    # SQLModel types `ReviewTask.x == y` as bool; `where()` takes both.
    conditions: list[ColumnElement[bool] | bool] = [ReviewTask.queue == chosen]
    if actor.role == Role.PHYSICIAN_REVIEWER:  # only physicians are ever excluded (from appeals)
        conditions.append(
            or_(
                col(ReviewTask.excluded_reviewer_id).is_(None),
                ReviewTask.excluded_reviewer_id != actor.user_id,
            )
        )
    if queue_filter.assignee == "me":
        conditions.append(ReviewTask.assignee_id == actor.user_id)
    elif queue_filter.assignee == "unassigned":
        conditions.append(col(ReviewTask.assignee_id).is_(None))
    if queue_filter.program in {p.value for p in Program}:
        conditions.append(ReviewTask.program == queue_filter.program)
    if queue_filter.plan_id:
        conditions.append(ReviewTask.plan_id == queue_filter.plan_id)
    if queue_filter.urgency in {u.value for u in Urgency}:
        conditions.append(ReviewTask.urgency == queue_filter.urgency)

    assignee = aliased(User)

    def in_due_order(query, due, task_id):
        return query.order_by(due.desc(), task_id.desc()) if descending else query.order_by(due, task_id)

    def in_statuses(wanted: list[TaskStatus], rows_needed: int):
        query = (
            select(  # type: ignore[call-overload]  # sqlmodel's select() is typed for at most 4 columns
                col(ReviewTask.id).label("task_id"),
                col(ReviewTask.kind).label("kind"),
                col(ReviewTask.status).label("status"),
                col(ReviewTask.due_at).label("due_at"),
                col(ReviewTask.flag).label("flag"),
                col(Order.order_number).label("order_number"),
                col(Order.program).label("program"),
                col(Order.urgency).label("urgency"),
                col(HealthPlan.name).label("plan_name"),
                col(Member.first_name).label("first_name"),
                col(Member.last_name).label("last_name"),
                col(assignee.full_name).label("assignee_name"),
            )
            .join(Order, Order.id == ReviewTask.order_id)
            .join(Member, Member.id == Order.member_id)
            .join(HealthPlan, HealthPlan.id == Order.plan_id)
            .outerjoin(assignee, assignee.id == ReviewTask.assignee_id)
            .where(col(ReviewTask.status).in_(wanted), *conditions)
        )
        return in_due_order(query, ReviewTask.due_at, ReviewTask.id).limit(rows_needed)

    offset = page * page_size
    if len(statuses) == 1:
        query = in_statuses(statuses, page_size).offset(offset)
    else:
        # Each status is read in due order as far as this page needs, then the two are merged.
        parts = [in_statuses([status], offset + page_size).subquery() for status in statuses]
        merged = union_all(*(select(*part.c) for part in parts)).subquery()
        query = in_due_order(select(*merged.c), merged.c.due_at, merged.c.task_id)
        query = query.offset(offset).limit(page_size)
    rows = session.exec(query).all()

    if len(rows) < page_size and (rows or page == 0):
        total = offset + len(rows)  # the last page: no need to count
    else:
        total = session.exec(
            select(func.count())
            .select_from(ReviewTask)
            .where(col(ReviewTask.status).in_(statuses), *conditions)
        ).one()

    audit.record(
        session,
        action="review.queue_listed",
        user_id=actor.user_id,
        client_address=actor.client_address,
        detail={"queue": chosen.value, "results": len(rows), "page": page, "total": total},
    )
    session.commit()
    now = clock.now()
    result = []
    for (
        task_id,
        kind,
        status,
        due_at,
        flag,
        number,
        program,
        urgency,
        plan,
        first,
        last,
        assignee_name,
    ) in rows:
        due = _aware(due_at)
        result.append(
            QueueRow(
                task_id=task_id,
                order_number=number or "",
                program=Program(program).label,
                plan_name=plan,
                member_name=f"{first} {last}",
                urgency=Urgency(urgency).label,
                kind=TaskKind(kind).label,
                due_at=_when(due),
                time_left=rules.time_left(due, now),
                overdue=due < now,
                assignee=assignee_name or "",
                status=TaskStatus(status).label,
                flag=TaskFlag(flag or "").label,
            )
        )
    return result, total


def _task_and_order(session: Session, actor: Actor, task_id: int, action: str) -> tuple[ReviewTask, Order]:
    task = session.get(ReviewTask, task_id) if task_id else None
    if task is None or task.status not in OPEN_STATUSES:
        _refuse(session, actor, None, action, "This case is no longer waiting in a queue.")
    return task, get_existing(session, Order, task.order_id)


def claim_task(session: Session, *, actor: Actor, task_id: int) -> None:
    """The reviewer takes the task; refused when another reviewer has it. Claiming twice is harmless."""
    require(session, actor, "review.work_queue", record=f"task:{task_id}")
    task, order = _task_and_order(session, actor, task_id, "claim")
    case = _load_case(session, actor, order)
    if case.task is None or case.task.id != task.id:
        _refuse(session, actor, order, "claim", "This case is no longer waiting in a queue.")
    if case.state.assignee == "me":
        return
    if reason := rules.refusal("claim", case.state):
        _refuse(session, actor, order, "claim", reason)
    # Conditional UPDATE: of two reviewers claiming at once, only one gets the task.
    claimed = session.exec(
        update(ReviewTask)
        .where(
            col(ReviewTask.id) == task.id,
            col(ReviewTask.assignee_id).is_(None),
            col(ReviewTask.status).in_(OPEN_STATUSES),
        )
        .values(assignee_id=actor.user_id, status=TaskStatus.CLAIMED)
    )
    if claimed.rowcount != 1:
        session.rollback()
        task = get_existing(session, ReviewTask, task_id)
        _refuse(
            session,
            actor,
            order,
            "claim",
            rules.CLAIMED_BY_OTHER.format(name=_name(session, task.assignee_id) or "Another reviewer"),
        )
    _audit(session, actor, "review.claimed", order.id, task_id=task.id)
    session.commit()


def assign_task(session: Session, *, actor: Actor, task_id: int, assignee_id: int) -> None:
    """A lead gives the task to a reviewer of its queue (``assignee_id`` 0 puts it back unassigned)."""
    require(session, actor, "review.assign", record=f"task:{task_id}")
    task, order = _task_and_order(session, actor, task_id, "assign")
    if assignee_id:
        user = session.get(User, assignee_id)
        wanted = Role.NURSE_REVIEWER if task.queue == ReviewQueue.NURSE else Role.PHYSICIAN_REVIEWER
        if user is None or user.role != wanted or user.status != UserStatus.ACTIVE:
            _refuse(
                session,
                actor,
                order,
                "assign",
                f"Choose an active {ReviewQueue(task.queue).value} reviewer for this case.",
            )
        if _excluded(session, task, assignee_id):
            _refuse(
                session,
                actor,
                order,
                "assign",
                f"{user.full_name} made the decision under appeal; choose another physician.",
            )
        task.assignee_id, task.status = assignee_id, TaskStatus.CLAIMED
    else:
        task.assignee_id, task.status = None, TaskStatus.OPEN
    session.add(task)
    _audit(session, actor, "review.assigned", order.id, task_id=task.id, assignee_id=assignee_id or None)
    session.commit()


def reviewers(session: Session, *, actor: Actor, queue: str) -> list[tuple[int, str]]:
    """Active reviewers who work ``queue``, by name: the choices for assigning a task."""
    require(session, actor, "review.assign", record=f"queue:{queue}"[:60])
    role = Role.NURSE_REVIEWER if _queue(queue) == ReviewQueue.NURSE else Role.PHYSICIAN_REVIEWER
    users = session.exec(
        select(User.id, User.full_name)
        .where(User.role == role, User.status == UserStatus.ACTIVE)
        .order_by(col(User.full_name), col(User.id))
    ).all()
    return [(user_id, name) for user_id, name in users if user_id is not None]  # (never None: the key)


# --- a case on screen ------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLine:
    line_id: int
    line_number: int
    code: str
    description: str
    decision: str
    reason: str
    citation: str
    valid_until: str
    # (criterion id, text, citation, "met" / "not met" / "not determinable")
    criteria: tuple[tuple[str, str, str, str], ...]
    guideline_version: str = ""  # which version of the program's criteria the engine applied


@dataclass(frozen=True)
class CaseView:
    order_number: str
    version: int
    status: str
    program: str
    plan_name: str
    urgency: str
    urgency_reason: str
    member_name: str
    member_number: str
    member_birth_date: str
    service_start: str
    submitted_at: str
    ordering_provider: str
    servicing: str
    details: tuple[tuple[str, str], ...]
    diagnoses: tuple[str, ...]
    lines: tuple[CaseLine, ...]
    documents: tuple[tuple[int, str], ...]  # (document id, "name (type, size)")
    earlier_orders: tuple[str, ...]
    notes: tuple[str, ...]
    history: tuple[str, ...]  # the audit trail of changes, oldest first
    task_id: int
    task_queue: str
    task_kind: str
    task_assignee: str
    due_at: str
    peer_to_peer: tuple[tuple[int, str, str], ...]  # (appointment id, when, status/outcome)
    p2p_offered: bool
    actions: tuple[str, ...]  # what this actor may do now
    flag: str = ""  # why the case stands out: "No response from the office", "Live review requested"
    flag_note: str = ""  # and what the office or the pend clock said
    waiting_for_office: str = ""  # the pend clock while the case waits for the office
    no_response_reason: bool = False  # "information not provided" is one of the reasons to choose
    # The listed documents (services/supporting_documents.py): (document, "Received: files" / "Not received").
    documents_needed: tuple[tuple[str, str], ...] = ()
    duplicate_of: str = ""  # the earlier order flagged at submission
    # The setting requested and the level-of-care criteria to check it against (domain/level_of_care.py).
    level_of_care: tuple[str, ...] = ()


def _met(value) -> str:
    return "met" if value is True else "not met" if value is False else "not determinable"


def _case_line(case: _Case, line: OrderLine) -> CaseLine:
    latest = case.latest.get(id_of(line))
    return CaseLine(
        line_id=id_of(line),
        line_number=line.line_number,
        code=line.code,
        description=line.description,
        decision=LineDecision(line.decision).label,
        reason=latest.reason if latest else "",
        citation=latest.guideline_citation if latest else "",
        valid_until=latest.valid_until.isoformat() if latest and latest.valid_until else "",
        criteria=tuple(
            (str(c.get("id", "")), str(c.get("text", "")), str(c.get("citation", "")), _met(c.get("met")))
            for c in _criteria(case.first.get(id_of(line)))
        ),
        guideline_version=_version_text(case.first.get(id_of(line))),
    )


def _version_text(engine: Determination | None) -> str:
    version = engine.guideline_version if engine is not None else None
    return guideline_version_text(version) if version is not None else ""


_HISTORY_LABELS = {
    "order.draft_started": "Draft started",
    "order.submitted": "Submitted",
    "order.cancelled": "Cancelled",
    "order.information_added": "Clinical information added",
    "order.document_added": "Document added",
    "order.verify": "Checked by a servicing provider",
    "letter.created": "Decision letters created",
    "review.claimed": "Claimed the case",
    "review.assigned": "Assigned the case",
    "review.approved": "Approved",
    "review.denied": "Denied",
    "review.partially_approved": "Partly approved",
    "review.information_requested": "Asked the provider for information",
    "review.escalated": "Sent to a physician reviewer",
    "review.peer_to_peer_offered": "Offered peer-to-peer times",
    "review.peer_to_peer_recorded": "Recorded the peer-to-peer call",
    "order.peer_to_peer_scheduled": "Chose a peer-to-peer time",
    "order.reconsideration_requested": "Asked for a reconsideration",
    "order.appeal_filed": "Filed an appeal",
    "order.peer_to_peer_requested": "Asked for a peer-to-peer conversation",
    "order.live_review_requested": "Asked for a live review",
    "order.call_back_requested": "Asked for a call back when the review is done",
    "review.peer_to_peer_accepted": "Accepted a time the office proposed",
    "review.no_response": "No response from the office in time: sent to a physician",
    "order.documents_sent_for_review": "Sent supporting documents for review",
    "review.withdrawn_as_duplicate": "Withdrawn as a duplicate",
    "review.action_refused": "Refused",
    "review.stale_version": "Tried to act on an outdated view",
}


def _history_line(event: AuditEvent, names: dict[int, str]) -> str:
    label = _HISTORY_LABELS.get(event.action, event.action)
    detail = event.detail or {}
    if "line" in detail:
        label += f" line {detail['line']}"
    if event.action == "review.action_refused":
        label += f" ({detail.get('action', '')}): {detail.get('reason', '')}"
    if event.action == "review.assigned":
        label += f" to {names.get(detail.get('assignee_id', 0), 'nobody')}"
    who = names.get(event.user_id, "System") if event.user_id else "System"
    return f"{_when(event.occurred_at)} {who}: {label}"


def open_case(session: Session, *, actor: Actor, order_number: str) -> CaseView:
    """Everything a reviewer needs to decide, and what this reviewer may do now. Audited."""
    require(session, actor, "review.work_queue", record=f"order:{order_number}"[:60])
    order = _find_order(session, order_number)
    _audit(session, actor, "case.viewed", order.id)
    session.commit()
    case = _load_case(session, actor, order)
    member = session.get(Member, order.member_id)
    plan = get_existing(session, HealthPlan, order.plan_id)
    ordering = session.get(Provider, order.ordering_provider_id) if order.ordering_provider_id else None
    diagnoses = session.exec(
        select(OrderDiagnosis)
        .where(OrderDiagnosis.order_id == order.id)
        .order_by(col(OrderDiagnosis.sequence))
    ).all()
    documents = session.exec(
        select(Document).where(Document.order_id == order.id).order_by(col(Document.id))
    ).all()
    notes = session.exec(select(Note).where(Note.order_id == order.id).order_by(col(Note.id))).all()
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.record_type == "order",
            AuditEvent.record_id == str(order.id),
            col(AuditEvent.action).not_in(tuple(_READ_ACTIONS)),
        )
        .order_by(col(AuditEvent.id))
    ).all()
    calls = session.exec(
        select(PeerToPeerAppointment)
        .where(PeerToPeerAppointment.order_id == order.id)
        .order_by(col(PeerToPeerAppointment.starts_at), col(PeerToPeerAppointment.id))
    ).all()
    user_ids: set[int] = {n.author_id for n in notes} | {e.user_id for e in events if e.user_id}
    user_ids |= {e.detail["assignee_id"] for e in events if e.detail and e.detail.get("assignee_id")}
    names: dict[int, str] = {}
    if user_ids:
        users = session.exec(select(User.id, User.full_name).where(col(User.id).in_(user_ids))).all()
        names = {user_id: name for user_id, name in users if user_id is not None}  # (never None: the key)
    task = case.task
    permitted = {p for p in rules.ACTION_PERMISSIONS.values() if may(actor, p)}
    return CaseView(
        order_number=order.order_number or "",
        version=order.version,
        status=status_label(order.program, order.status),
        program=Program(order.program).label,
        plan_name=plan.name,
        urgency=Urgency(order.urgency).label,
        urgency_reason=order.urgency_reason,
        member_name=f"{member.first_name} {member.last_name}" if member else "",
        member_number=member.member_number if member else "",
        member_birth_date=member.date_of_birth.isoformat() if member else "",
        service_start=order.service_start.isoformat() if order.service_start else "",
        submitted_at=_when(order.submitted_at),
        ordering_provider=f"{ordering.first_name} {ordering.last_name}" if ordering else "",
        servicing=_party_name(session, order),
        details=tuple(
            (str(k).replace("_", " ").capitalize(), _plain(v))
            for k, v in (order.details or {}).items()
            if v not in (None, "", [])
        ),
        diagnoses=tuple(f"{d.code} {d.description}".strip() for d in diagnoses),
        lines=tuple(_case_line(case, line) for line in case.lines),
        documents=tuple(
            (id_of(d), f"{d.filename} ({d.media_type}, {d.size_bytes:,} bytes)") for d in documents
        ),
        earlier_orders=_earlier_orders(session, order),
        notes=tuple(_note_line(n, names) for n in notes),
        history=tuple(_history_line(e, names) for e in events),
        task_id=id_of(task) if task else 0,
        task_queue=ReviewQueue(task.queue).label if task else "",
        task_kind=TaskKind(task.kind).label if task else "",
        task_assignee=_name(session, task.assignee_id) if task else "",
        due_at=_when(task.due_at) if task else "",
        peer_to_peer=tuple((id_of(c), _when(c.starts_at), _call_status(c)) for c in calls),
        p2p_offered=case.state.peer_to_peer_offered,
        actions=rules.available_actions(case.state, permitted),
        flag=TaskFlag(task.flag or "").label if task else "",
        flag_note=task.flag_note if task else "",
        waiting_for_office=(
            conversation_rules.clock_text(_aware(task.office_reply_due), clock.now())
            if task and task.office_reply_due
            else ""
        ),
        no_response_reason=_no_response_possible(session, case),
        documents_needed=_documents_needed(session, order),
        duplicate_of=order.duplicate_of,
        level_of_care=_level_of_care(order),
    )


def _level_of_care(order: Order) -> tuple[str, ...]:
    setting = requested_setting(order.program, order.details)
    if not setting:
        return ()
    criteria = criteria_for_setting(order.program, order.details)
    return (
        f"Setting requested: {SETTING_LABELS[setting]}.",
        *(f"{c.criterion_id}: {c.text} ({c.citation})" for c in criteria),
    )


def _documents_needed(session: Session, order: Order) -> tuple[tuple[str, str], ...]:
    from portal_app.services.supporting_documents import needed_for_order

    return tuple(
        (item.document, f"Received: {', '.join(item.arrived)}" if item.arrived else "Not received")
        for item in needed_for_order(session, order)
    )


def _note_line(note: Note, names: dict[int, str]) -> str:
    seen_by = NoteVisibility(note.visibility).label.lower()
    return f"{_when(note.created_at)} {names.get(note.author_id, '')} ({seen_by}): {note.body}"


def _call_status(call: PeerToPeerAppointment) -> str:
    status = PeerToPeerStatus(call.status)
    if status == PeerToPeerStatus.SCHEDULED:
        return f"Scheduled, call back on {call.callback_phone}"
    if status == PeerToPeerStatus.COMPLETED:
        return f"Completed: {call.outcome}"
    if status == PeerToPeerStatus.REQUESTED:
        return f"Call now: the office waits at {call.callback_phone}"
    if status == PeerToPeerStatus.PROPOSED:
        return f"Proposed by the office, call back on {call.callback_phone}"
    if status == PeerToPeerStatus.MISSED:
        return f"Missed: {call.outcome}" if call.outcome else status.label
    return status.label


def _earlier_orders(session: Session, order: Order, limit: int = 20) -> tuple[str, ...]:
    """The member's other orders, newest first: number, status, program, date, codes."""
    if order.member_id is None:
        return ()
    others = session.exec(
        select(Order)
        .where(Order.member_id == order.member_id, Order.id != order.id, col(Order.order_number).is_not(None))
        .order_by(col(Order.submitted_at).desc(), col(Order.id).desc())
        .limit(limit)
    ).all()
    codes: dict[int, list[str]] = {}
    if others:
        for order_id, code in session.exec(
            select(OrderLine.order_id, OrderLine.code)
            .where(col(OrderLine.order_id).in_([o.id for o in others]))
            .order_by(col(OrderLine.line_number))
        ).all():
            codes.setdefault(order_id, []).append(code)
    return tuple(
        f"{o.order_number}: {OrderStatus(o.status).label}, {Program(o.program).label}, "
        f"submitted {_aware(o.submitted_at).date().isoformat() if o.submitted_at else '-'}, "
        f"{', '.join(codes.get(id_of(o), []))}"
        for o in others
    )


def lines_awaiting_decision(session: Session, *, actor: Actor, order_number: str) -> list[tuple[int, int]]:
    """(line number, units asked) of each line the open review still has to decide: pended lines,
    and in a reconsideration or appeal the denied or partly approved ones."""
    require(session, actor, "review.work_queue", record=f"order:{order_number}"[:60])
    case = _load_case(session, actor, _find_order(session, order_number))
    return [(line.line_number, line.quantity) for line in case.awaiting]


# --- decisions -------------------------------------------------------------------------------


def approve_line(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    line_number: int,
    version: int,
    note: str = "",
) -> None:
    """Approve one line (nurse or physician); valid for the program's period from the date of service."""
    case = _begin(
        session,
        actor,
        permission="review.approve",
        action="approve",
        order_number=order_number,
        version=version,
    )
    line = _awaiting_line(session, actor, case, line_number, "approve")
    engine = case.first.get(id_of(line))
    if actor.role != Role.PHYSICIAN_REVIEWER and (
        why := physician_only(case.order.program, _criteria(engine))
    ):
        _refuse(session, actor, case.order, "approve", why)  # e.g. the hospital site of care (seed 001)
    reason = note.strip() or "Approved on clinical review: the information given supports the request."
    if setting := approved_setting_sentence(case.order.program, case.order.details):
        reason = f"{reason} {setting}"  # the approval names the setting it approves
    _decide(
        session,
        actor,
        case,
        line,
        LineDecision.AUTHORIZED,
        reason=reason,
        audit_action="review.approved",
        citation=engine.guideline_citation if engine else "",
    )


def _adverse_reason(
    session: Session,
    actor: Actor,
    case: _Case,
    line: OrderLine,
    reason_code: str,
    text: str,
    action: str,
) -> tuple[str, str]:
    """The criterion an adverse decision rests on and its citation; refuses an unknown one."""
    code = (reason_code or "").strip()
    criteria = {
        str(c.get("id", "")): str(c.get("citation", "")) for c in _criteria(case.first.get(id_of(line)))
    }
    if _no_response_possible(session, case):
        criteria[conversation_rules.NO_RESPONSE_REASON] = conversation_rules.NO_RESPONSE_CITATION
    if code != "other" and code not in criteria:
        choices = ", ".join([*criteria, "other"])
        _refuse(
            session, actor, case.order, action, f"Choose the criterion the decision rests on ({choices})."
        )
    if not (text or "").strip():
        _refuse(
            session,
            actor,
            case.order,
            action,
            "Explain the decision in plain words; the member and the provider read it in the letter.",
        )
    return code, criteria.get(code, "")


def _no_response_possible(session: Session, case: _Case) -> bool:
    """ "Information not provided / peer-to-peer did not take place" is a reason only when the office
    left the case unanswered or a call was missed."""
    if case.task is not None and case.task.flag == TaskFlag.NO_RESPONSE:
        return True
    return (
        session.exec(
            select(PeerToPeerAppointment.id).where(
                PeerToPeerAppointment.order_id == case.order.id,
                PeerToPeerAppointment.status == PeerToPeerStatus.MISSED,
            )
        ).first()
        is not None
    )


def deny_line(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    line_number: int,
    version: int,
    reason_code: str,
    text: str,
) -> None:
    """A physician denies one line, on a criterion of the guideline; only after a peer-to-peer offer."""
    case = _begin(
        session, actor, permission="review.deny", action="deny", order_number=order_number, version=version
    )
    line = _awaiting_line(session, actor, case, line_number, "deny")
    code, citation = _adverse_reason(session, actor, case, line, reason_code, text, "deny")
    _decide(
        session,
        actor,
        case,
        line,
        LineDecision.NON_AUTHORIZED,
        reason=text.strip(),
        audit_action="review.denied",
        reason_code=code,
        citation=citation,
    )


def partially_approve_line(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    line_number: int,
    version: int,
    approved_quantity: int,
    reason_code: str,
    text: str,
) -> None:
    """A physician approves fewer units than asked (at least one); same peer-to-peer rule as a denial."""
    case = _begin(
        session,
        actor,
        permission="review.partially_approve",
        action="partially_approve",
        order_number=order_number,
        version=version,
    )
    line = _awaiting_line(session, actor, case, line_number, "partially_approve")
    if not isinstance(approved_quantity, int) or isinstance(approved_quantity, bool) or approved_quantity < 1:
        _refuse(
            session,
            actor,
            case.order,
            "partially_approve",
            "Approve at least 1 unit; to approve none, deny the line.",
        )
    if approved_quantity >= line.quantity:
        units = f"{line.quantity} unit{'s' if line.quantity != 1 else ''}"
        _refuse(
            session,
            actor,
            case.order,
            "partially_approve",
            f"Line {line_number} asks for {units}; a partial approval is fewer than that. "
            "To approve all of them, approve the line.",
        )
    code, citation = _adverse_reason(session, actor, case, line, reason_code, text, "partially_approve")
    _decide(
        session,
        actor,
        case,
        line,
        LineDecision.PARTIALLY_AUTHORIZED,
        reason=text.strip(),
        audit_action="review.partially_approved",
        reason_code=code,
        citation=citation,
        approved_quantity=approved_quantity,
    )


def request_information(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    version: int,
    message: str,
) -> None:
    """Ask the ordering office for information: a note they see. The task stays as it is, the
    order stays in review, and the decision clock keeps running."""
    case = _begin(
        session,
        actor,
        permission="review.request_information",
        action="request_information",
        order_number=order_number,
        version=version,
    )
    if not (message or "").strip():
        _refuse(session, actor, case.order, "request_information", "Write what the provider should send.")
    order = case.order
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.PROVIDER,
            body=f"Information requested by the reviewer: {message.strip()}"[:10000],
        )
    )
    now = clock.now()
    _touch(order, actor, now)
    session.add(order)
    assert case.task is not None  # rules.refusal passed: an open task
    due = pend_clock.start(session, order=order, task=case.task, now=now)
    notify_order_office(session, order=order, kind=NoticeKind.INFORMATION_REQUESTED)
    _audit(
        session,
        actor,
        "review.information_requested",
        order.id,
        task_id=case.task.id,
        office_reply_due=_when(due),
    )
    _commit(session, actor, id_of(order))


def escalate(session: Session, *, actor: Actor, order_number: str, version: int, note: str) -> None:
    """A nurse sends the case to the physician queue: the nurse task closes, a physician task
    opens with the same kind and due time (the clock does not restart)."""
    case = _begin(
        session,
        actor,
        permission="review.escalate",
        action="escalate",
        order_number=order_number,
        version=version,
    )
    if not (note or "").strip():
        _refuse(session, actor, case.order, "escalate", "Say what the physician should look at.")
    now, order, task = clock.now(), case.order, case.task
    assert task is not None  # rules.refusal passed: an open task
    task.status, task.closed_at = TaskStatus.DONE, now
    if task.assignee_id is None:
        task.assignee_id = actor.user_id
    session.add(task)
    session.add(
        ReviewTask.for_order(
            order,
            queue=ReviewQueue.PHYSICIAN,
            kind=task.kind,
            reason=note.strip()[:2000],
            excluded_reviewer_id=task.excluded_reviewer_id,
            due_at=task.due_at,
            created_at=now,
            # The office's requests and the pend clock go with the case.
            office_reply_due=task.office_reply_due,
            flag=task.flag,
            flag_note=task.flag_note,
            live_review_requested_at=task.live_review_requested_at,
            call_back_requested_at=task.call_back_requested_at,
        )
    )
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.INTERNAL,
            body=f"Sent to a physician reviewer: {note.strip()}"[:10000],
        )
    )
    _touch(order, actor, now)
    session.add(order)
    _audit(session, actor, "review.escalated", order.id, task_id=task.id)
    _commit(session, actor, id_of(order))


# --- peer-to-peer ----------------------------------------------------------------------------

_PHONE_DIGITS = re.compile(r"\d")
_NO_LONGER_OFFERED = "That time is no longer offered; reload the order."


def offer_peer_to_peer(session: Session, *, actor: Actor, order_number: str, slots: list[datetime]) -> None:
    """A physician offers times for a call with the ordering physician (each 30 minutes)."""
    require(session, actor, "review.peer_to_peer", record=f"order:{order_number}"[:60])
    order = _find_order(session, order_number)
    case = _load_case(session, actor, order)
    if reason := rules.refusal("offer_peer_to_peer", case.state):
        _refuse(session, actor, order, "offer_peer_to_peer", reason)
    now = clock.now()
    times = sorted({_aware(slot) for slot in slots or []})
    if not times:
        _refuse(session, actor, order, "offer_peer_to_peer", "Offer at least one time for the call.")
    if len(times) > MAX_SLOTS:
        _refuse(session, actor, order, "offer_peer_to_peer", f"Offer at most {MAX_SLOTS} times.")
    if times[0] <= now:
        _refuse(session, actor, order, "offer_peer_to_peer", "Offer times that are still ahead.")
    for start in times:
        session.add(
            PeerToPeerAppointment(
                order_id=id_of(order),
                requested_by_id=actor.user_id,
                reviewer_id=actor.user_id,
                status=PeerToPeerStatus.OFFERED,
                starts_at=start,
                ends_at=start + timedelta(minutes=rules.PEER_TO_PEER_MINUTES),
            )
        )
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.PROVIDER,
            body="The reviewing physician offers a peer-to-peer conversation with the ordering physician. "
            "Choose one of the offered times on this order.",
        )
    )
    pend_clock.start(session, order=order, task=case.task, now=now)
    notify_order_office(session, order=order, kind=NoticeKind.PEER_TO_PEER_OFFERED)
    _audit(session, actor, "review.peer_to_peer_offered", order.id, slots=[_when(t) for t in times])
    session.commit()


def peer_to_peer_slots(session: Session, *, actor: Actor, order_number: str) -> list[tuple[int, str]]:
    """The offered times still ahead, for whoever may read the order (the ordering office)."""
    order = _office_order(session, actor, order_number)
    now = clock.now()
    calls = session.exec(
        select(PeerToPeerAppointment)
        .where(
            PeerToPeerAppointment.order_id == order.id,
            PeerToPeerAppointment.status == PeerToPeerStatus.OFFERED,
        )
        .order_by(col(PeerToPeerAppointment.starts_at))
    ).all()
    ahead = [
        (id_of(c), starts) for c in calls if (starts := _aware(c.starts_at)) is not None and starts > now
    ]
    return [(call_id, starts.strftime("%a %d %b %Y %H:%M UTC")) for call_id, starts in ahead]


def choose_peer_to_peer_slot(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    appointment_id: int,
    callback_phone: str,
) -> None:
    """The ordering office picks one offered time; it is scheduled and the other offers lapse."""
    require(session, actor, "order.peer_to_peer", record=f"order:{order_number}"[:60])
    order = _office_order(session, actor, order_number)
    call = session.get(PeerToPeerAppointment, appointment_id) if appointment_id else None
    if call is None or call.order_id != order.id or call.status != PeerToPeerStatus.OFFERED:
        _refuse(session, actor, order, "choose_peer_to_peer", _NO_LONGER_OFFERED)
    if call.starts_at is None or _aware(call.starts_at) <= clock.now():
        _refuse(session, actor, order, "choose_peer_to_peer", "That time has passed; choose another.")
    phone = (callback_phone or "").strip()
    if len(_PHONE_DIGITS.findall(phone)) < 7 or len(phone) > 32:
        _refuse(
            session,
            actor,
            order,
            "choose_peer_to_peer",
            "Give the phone number the reviewing physician should call.",
        )
    chosen = session.exec(
        update(PeerToPeerAppointment)
        .where(
            col(PeerToPeerAppointment.id) == call.id,
            col(PeerToPeerAppointment.status) == PeerToPeerStatus.OFFERED,
        )
        .values(status=PeerToPeerStatus.SCHEDULED, callback_phone=phone)
    )
    if chosen.rowcount != 1:
        session.rollback()
        _refuse(session, actor, order, "choose_peer_to_peer", _NO_LONGER_OFFERED)
    session.exec(
        update(PeerToPeerAppointment)
        .where(
            col(PeerToPeerAppointment.order_id) == order.id,
            col(PeerToPeerAppointment.status) == PeerToPeerStatus.OFFERED,
        )
        .values(status=PeerToPeerStatus.CANCELLED)
    )
    pend_clock.office_answered(session, order_id=id_of(order))
    _audit(
        session,
        actor,
        "order.peer_to_peer_scheduled",
        order.id,
        appointment_id=call.id,
        starts_at=_when(call.starts_at),
    )
    session.commit()


def record_peer_to_peer_outcome(
    session: Session, *, actor: Actor, appointment_id: int, outcome: str, held: bool = True
) -> None:
    """The physician who held (or tried to hold) a scheduled call, or the call an office asked for now,
    records how it went: held, or missed (``held=False``: the conversation did not take place)."""
    require(session, actor, "review.peer_to_peer", record=f"peer_to_peer:{appointment_id}")
    call = session.get(PeerToPeerAppointment, appointment_id) if appointment_id else None
    order = session.get(Order, call.order_id) if call and call.order_id else None
    if (
        call is None
        or order is None
        or call.status not in (PeerToPeerStatus.SCHEDULED, PeerToPeerStatus.REQUESTED)
    ):
        _refuse(
            session, actor, order, "record_peer_to_peer", "Only a scheduled call's outcome can be recorded."
        )
    if not (outcome or "").strip():
        _refuse(
            session,
            actor,
            order,
            "record_peer_to_peer",
            "Write how the call went (or that the ordering physician could not be reached).",
        )
    status = PeerToPeerStatus.COMPLETED if held is not False else PeerToPeerStatus.MISSED
    call.status, call.outcome = status, outcome.strip()[:2000]
    call.reviewer_id = actor.user_id  # who held the call
    session.add(call)
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.INTERNAL,
            body=f"Peer-to-peer call ({status.label.lower()}): {outcome.strip()}"[:10000],
        )
    )
    if status == PeerToPeerStatus.MISSED:
        notify_order_office(session, order=order, kind=NoticeKind.PEER_TO_PEER_MISSED)
    else:
        pend_clock.office_answered(session, order_id=id_of(order))
    _audit(
        session,
        actor,
        "review.peer_to_peer_recorded",
        call.order_id,
        appointment_id=call.id,
        status=status.value,
    )
    session.commit()


# --- after a denial: reconsideration and appeal ----------------------------------------------


@dataclass(frozen=True)
class _Denial:
    denied_on: date
    decided_by_user_id: int | None


def _last_denial(session: Session, order: Order) -> _Denial | None:
    """The latest adverse decision on a line that is still adverse, or None."""
    row = session.exec(
        select(Determination.decided_at, Determination.decided_by_user_id)
        .join(OrderLine, col(OrderLine.id) == Determination.order_line_id)
        .where(
            OrderLine.order_id == order.id,
            col(OrderLine.decision).in_(tuple(rules.ADVERSE)),
            col(Determination.decision).in_(tuple(rules.ADVERSE)),
        )
        .order_by(col(Determination.decided_at).desc(), col(Determination.id).desc())
    ).first()
    if row is None:
        return None
    return _Denial(_aware(row[0]).date(), row[1])


def _earlier_kinds(session: Session, order: Order) -> set[str]:
    return set(session.exec(select(ReviewTask.kind).where(ReviewTask.order_id == order.id)).all())


_APPEAL_ROUTE = (
    "The provider or the member may file a first-level appeal instead; the denial letter explains how."
)
_UNDER_REVIEW = "This order is being reviewed now; wait for that decision."
_APPEAL_DECIDED = (
    "An appeal has already been decided on this order. Further appeal levels go through the health plan; "
    "the decision letter explains how."
)
_RECONSIDERATION_DECIDED = (
    "A reconsideration has already been decided on this order. If it did not lead to an approval, the "
    "provider or the member may file a first-level appeal; the letter explains how."
)


def _reconsideration_check(session: Session, order: Order, today: date) -> tuple[bool, str]:
    if _open_task(session, id_of(order)) is not None:
        return False, _UNDER_REVIEW
    denial = _last_denial(session, order)
    if denial is None:
        return False, "Nothing on this order was denied, so there is nothing to reconsider."
    kinds = _earlier_kinds(session, order)
    if TaskKind.APPEAL in kinds:
        return False, f"No reconsideration after an appeal. {_APPEAL_DECIDED}"
    if TaskKind.RECONSIDERATION in kinds:
        return False, _RECONSIDERATION_DECIDED
    denied_on = denial.denied_on
    deadline = rules.reconsideration_deadline(denied_on)
    if rules.may_request_reconsideration(denied_on, today):
        return True, (
            f"A physician reviewer can reconsider the denial of {denied_on:%d %B %Y} if you ask "
            f"by {deadline:%d %B %Y} (10 calendar days) and send more information."
        )
    return False, (
        f"The 10 calendar days for a reconsideration ended on {deadline:%d %B %Y} (the denial "
        f"was on {denied_on:%d %B %Y}). {_APPEAL_ROUTE}"
    )


def reconsideration_status(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    today: date | None = None,
) -> tuple[bool, str]:
    """Whether the ordering office may ask for a reconsideration now, and why (or the appeal
    route)."""
    require(session, actor, "order.reconsider", record=f"order:{order_number}"[:60])
    order = _office_order(session, actor, order_number)
    return _reconsideration_check(session, order, today or clock.today())


def request_reconsideration(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    information: str,
    today: date | None = None,
) -> None:
    """Within 10 calendar days of a denial: more information for a physician, who may overturn it."""
    require(session, actor, "order.reconsider", record=f"order:{order_number}"[:60])
    order = _office_order(session, actor, order_number)
    allowed, explanation = _reconsideration_check(session, order, today or clock.today())
    if not allowed:
        _refuse(session, actor, order, "request_reconsideration", explanation)
    if not (information or "").strip():
        _refuse(
            session,
            actor,
            order,
            "request_reconsideration",
            "Give the additional clinical information for the physician reviewer.",
        )
    now = clock.now()
    plan = get_existing(session, HealthPlan, order.plan_id)
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.PROVIDER,
            body=f"Reconsideration requested: {information.strip()}"[:10000],
        )
    )
    session.add(
        ReviewTask.for_order(
            order,
            queue=ReviewQueue.PHYSICIAN,
            kind=TaskKind.RECONSIDERATION,
            reason=information.strip()[:2000],
            created_at=now,
            due_at=rules.decision_due(now, order.urgency == Urgency.URGENT, plan.standard_review_days),
        )
    )
    _touch(order, actor, now)
    session.add(order)
    _audit(session, actor, "order.reconsideration_requested", order.id)
    _commit(session, actor, id_of(order))


def file_appeal(session: Session, *, actor: Actor, order_number: str, information: str) -> None:
    """After a denial: an appeal, decided by a physician other than the one who denied."""
    require(session, actor, "order.appeal", record=f"order:{order_number}"[:60])
    order = _office_order(session, actor, order_number)
    if _open_task(session, id_of(order)) is not None:
        _refuse(session, actor, order, "file_appeal", _UNDER_REVIEW)
    denial = _last_denial(session, order)
    if denial is None:
        _refuse(
            session,
            actor,
            order,
            "file_appeal",
            "Nothing on this order was denied, so there is nothing to appeal.",
        )
    if TaskKind.APPEAL in _earlier_kinds(session, order):
        _refuse(session, actor, order, "file_appeal", _APPEAL_DECIDED)
    if not (information or "").strip():
        _refuse(
            session,
            actor,
            order,
            "file_appeal",
            "Say why the decision should change, with the clinical information.",
        )
    now = clock.now()
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.PROVIDER,
            body=f"Appeal filed: {information.strip()}"[:10000],
        )
    )
    session.add(
        ReviewTask.for_order(
            order,
            queue=ReviewQueue.PHYSICIAN,
            kind=TaskKind.APPEAL,
            reason=information.strip()[:2000],
            excluded_reviewer_id=denial.decided_by_user_id,
            created_at=now,
            due_at=rules.appeal_due(now, order.urgency == Urgency.URGENT),
        )
    )
    _touch(order, actor, now)
    session.add(order)
    _audit(session, actor, "order.appeal_filed", order.id, excluded_reviewer_id=denial.decided_by_user_id)
    _commit(session, actor, id_of(order))


__all__ = [
    "ActionRefused",
    "CaseLine",
    "CaseView",
    "QueueFilter",
    "QueueRow",
    "StaleCase",
    "approve_line",
    "assign_task",
    "choose_peer_to_peer_slot",
    "claim_task",
    "deny_line",
    "escalate",
    "file_appeal",
    "lines_awaiting_decision",
    "list_queue",
    "offer_peer_to_peer",
    "open_case",
    "partially_approve_line",
    "peer_to_peer_slots",
    "reconsideration_status",
    "record_peer_to_peer_outcome",
    "request_information",
    "request_reconsideration",
    "reviewers",
]
