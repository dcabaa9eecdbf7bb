"""The office's side of the conversation after a request pends: asking for a peer-to-peer call
(immediate or scheduled, per the program's policy), taking a time a physician published, asking for
a live review or a call back; and the physician's side of those requests: the "available now"
toggle and specialty, published times, accepting a time the office proposed, and the calls waiting
at the top of the physician queue.

The physician-initiated flow (offering times, the office choosing one, recording the outcome) stays
in services/review.py; both write the same `PeerToPeerAppointment` rows. The rules (which mode,
whom to ring first, the response clock) are in domain/conversation.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain import conversation as rules
from portal_app.domain.enums import (
    NoteVisibility,
    NoticeKind,
    OrderStatus,
    PeerToPeerMode,
    PeerToPeerStatus,
    Program,
    ReviewQueue,
    Role,
    Specialty,
    TaskFlag,
    TaskStatus,
    UserStatus,
)
from portal_app.domain.programs import get_program
from portal_app.domain.review import PEER_TO_PEER_MINUTES
from portal_app.models import Note, Order, PeerToPeerAppointment, ReviewerProfile, ReviewTask, User
from portal_app.models.base import id_of
from portal_app.services import pend_clock
from portal_app.services.authz import Actor, require
from portal_app.services.notices import notify_order_office
from portal_app.services.review import (
    _PHONE_DIGITS,
    ActionRefused,
    _audit,
    _aware,
    _office_order,
    _open_task,
    _refuse,
    _when,
)

MAX_PUBLISHED = 20
LAPSED = "No physician answered in time: schedule the call instead."
_CLOSED_ORDER = {OrderStatus.DRAFT, OrderStatus.VOLUNTARILY_CANCELLED, OrderStatus.NOT_REVIEWED_ERROR_ENTRY}
_LIVE_CALLS = (PeerToPeerStatus.REQUESTED, PeerToPeerStatus.PROPOSED, PeerToPeerStatus.SCHEDULED)
NO_ONE_FREE = (
    "No physician reviewer is free for a call right now. Propose times for a call below, or take one of "
    "the times physicians have published."
)


def _policy(order: Order) -> rules.PeerToPeerPolicy:
    return get_program(order.program).peer_to_peer.for_details(order.details)


def _physicians(session: Session) -> list[rules.Physician]:
    rows = session.exec(
        select(User.id, User.full_name, ReviewerProfile.specialty, ReviewerProfile.available_now)
        .outerjoin(ReviewerProfile, col(ReviewerProfile.user_id) == User.id)
        .where(User.role == Role.PHYSICIAN_REVIEWER, User.status == UserStatus.ACTIVE)
    ).all()
    return [
        rules.Physician(user_id=uid, name=name, specialty=specialty or "", available_now=bool(available))
        for uid, name, specialty, available in rows
        if uid is not None
    ]


def _valid_phone(phone: str) -> str | None:
    phone = (phone or "").strip()
    return phone if len(_PHONE_DIGITS.findall(phone)) >= 7 and len(phone) <= 32 else None


def _label(moment: datetime | None) -> str:
    return _aware(moment).strftime("%a %d %b %Y %H:%M UTC") if moment else ""


# --- the physician: specialty, available now, published times --------------------------------


@dataclass(frozen=True)
class ReviewerSettings:
    specialty: str
    specialty_label: str
    available_now: bool


def _profile(session: Session, user_id: int) -> ReviewerProfile:
    return session.get(ReviewerProfile, user_id) or ReviewerProfile(user_id=user_id)


def reviewer_settings(session: Session, *, actor: Actor) -> ReviewerSettings:
    require(session, actor, "review.peer_to_peer", record="reviewer_profile")
    profile = _profile(session, actor.user_id)
    label = Specialty(profile.specialty).label if profile.specialty in set(Specialty) else ""
    return ReviewerSettings(profile.specialty, label, profile.available_now)


def set_available_now(session: Session, *, actor: Actor, available: bool) -> None:
    """A physician takes (or stops taking) immediate peer-to-peer calls."""
    require(session, actor, "review.peer_to_peer", record="reviewer_profile")
    profile = _profile(session, actor.user_id)
    profile.available_now, profile.updated_at = available is True, clock.now()
    session.add(profile)
    _audit(session, actor, "review.availability_changed", None, available_now=profile.available_now)
    session.commit()


def set_specialty(session: Session, *, actor: Actor, user_id: int, specialty: str) -> None:
    """A lead (physicians assign work) records a physician reviewer's specialty."""
    require(session, actor, "review.assign", record=f"user:{user_id}")
    user = session.get(User, user_id) if user_id else None
    if user is None or user.role != Role.PHYSICIAN_REVIEWER:
        _refuse(session, actor, None, "set_specialty", "Choose a physician reviewer.")
    if specialty and specialty not in {s.value for s in Specialty}:
        _refuse(session, actor, None, "set_specialty", "Choose a specialty from the list.")
    profile = _profile(session, user_id)
    profile.specialty, profile.updated_at = specialty, clock.now()
    session.add(profile)
    _audit(session, actor, "review.specialty_set", None, user_id=user_id, specialty=specialty)
    session.commit()


def publish_time(session: Session, *, actor: Actor, starts_at: datetime) -> None:
    """A physician publishes a time they are free for a scheduled call; any office may take it."""
    require(session, actor, "review.peer_to_peer", record="peer_to_peer:publish")
    start = _aware(starts_at)
    if start is None or start <= clock.now():
        _refuse(session, actor, None, "publish_time", "Publish a time that is still ahead.")
    published = session.exec(
        select(PeerToPeerAppointment.id).where(
            PeerToPeerAppointment.reviewer_id == actor.user_id,
            PeerToPeerAppointment.status == PeerToPeerStatus.PUBLISHED,
        )
    ).all()
    if len(published) >= MAX_PUBLISHED:
        _refuse(session, actor, None, "publish_time", f"At most {MAX_PUBLISHED} open times at once.")
    session.add(
        PeerToPeerAppointment(
            order_id=None,
            requested_by_id=actor.user_id,
            reviewer_id=actor.user_id,
            status=PeerToPeerStatus.PUBLISHED,
            starts_at=start,
            ends_at=start + timedelta(minutes=PEER_TO_PEER_MINUTES),
        )
    )
    _audit(session, actor, "review.peer_to_peer_published", None, starts_at=_when(start))
    session.commit()


@dataclass(frozen=True)
class CallRequest:
    """A peer-to-peer request waiting for a physician: no member details, the order links to them."""

    appointment_id: int
    order_number: str
    program: str
    kind: str  # "Call now" or "Proposed time"
    when: str
    phone: str
    time_left: str
    for_me: bool


def call_requests(session: Session, *, actor: Actor) -> list[CallRequest]:
    """For the top of the physician queue: immediate calls ringing this physician first (with the number
    to call and the response clock), then times offices proposed, the programs of this physician's
    specialty first."""
    require(session, actor, "review.peer_to_peer", record="peer_to_peer:requests")
    now = clock.now()
    mine = _profile(session, actor.user_id).specialty
    rows = session.exec(
        select(PeerToPeerAppointment, Order.order_number, Order.program, Order.details)
        .join(Order, col(Order.id) == PeerToPeerAppointment.order_id)
        .where(
            or_(
                and_(
                    col(PeerToPeerAppointment.status) == PeerToPeerStatus.REQUESTED,
                    col(PeerToPeerAppointment.reviewer_id) == actor.user_id,
                ),
                and_(
                    col(PeerToPeerAppointment.status) == PeerToPeerStatus.PROPOSED,
                    col(PeerToPeerAppointment.starts_at) > now,
                ),
            )
        )
        .order_by(col(PeerToPeerAppointment.starts_at), col(PeerToPeerAppointment.id))
        .limit(100)
    ).all()
    found = []
    for call, number, program, details in rows:
        immediate = call.status == PeerToPeerStatus.REQUESTED
        due = _aware(call.respond_by)
        fits = mine in get_program(program).peer_to_peer.for_details(details).specialties
        found.append(
            (
                (0 if immediate else 1 if fits else 2),
                CallRequest(
                    appointment_id=id_of(call),
                    order_number=number or "",
                    program=Program(program).label,
                    kind="Call now" if immediate else "Proposed time",
                    when=_label(call.starts_at),
                    phone=call.callback_phone,
                    time_left=_time_left(due, now) if immediate and due else "",
                    for_me=immediate or fits,
                ),
            )
        )
    return [row for _, row in sorted(found, key=lambda item: item[0])]


def _time_left(due: datetime, now: datetime) -> str:
    seconds = int((due - now).total_seconds())
    if seconds <= 0:
        return "no answer in time: falls back to scheduling"
    return f"{max(1, seconds // 60)} min to answer"


def accept_proposed_time(session: Session, *, actor: Actor, appointment_id: int) -> None:
    """A physician takes a time the office proposed: the call is scheduled with them and the other
    proposed times lapse; the office is told."""
    require(session, actor, "review.peer_to_peer", record=f"peer_to_peer:{appointment_id}")
    call = session.get(PeerToPeerAppointment, appointment_id) if appointment_id else None
    order = session.get(Order, call.order_id) if call and call.order_id else None
    if call is None or order is None or call.status != PeerToPeerStatus.PROPOSED:
        _refuse(session, actor, order, "accept_proposed_time", "That time is no longer proposed.")
    starts = _aware(call.starts_at)
    if starts is None or starts <= clock.now():
        _refuse(session, actor, order, "accept_proposed_time", "That time has passed.")
    taken = session.exec(
        update(PeerToPeerAppointment)
        .where(
            col(PeerToPeerAppointment.id) == call.id,
            col(PeerToPeerAppointment.status) == PeerToPeerStatus.PROPOSED,
        )
        .values(status=PeerToPeerStatus.SCHEDULED, reviewer_id=actor.user_id)
    )
    if taken.rowcount != 1:
        session.rollback()
        _refuse(session, actor, order, "accept_proposed_time", "Another physician has taken that time.")
    session.exec(
        update(PeerToPeerAppointment)
        .where(
            col(PeerToPeerAppointment.order_id) == order.id,
            col(PeerToPeerAppointment.status) == PeerToPeerStatus.PROPOSED,
        )
        .values(status=PeerToPeerStatus.CANCELLED)
    )
    notify_order_office(session, order=order, kind=NoticeKind.PEER_TO_PEER_SCHEDULED)
    _audit(session, actor, "review.peer_to_peer_accepted", order.id, appointment_id=call.id)
    session.commit()


# --- the office: asking for a call -----------------------------------------------------------


@dataclass(frozen=True)
class OfficeCallOptions:
    """What the order summary offers the office about peer-to-peer, live review and call back."""

    may_request: bool
    mode: str  # PeerToPeerMode value for this order
    physician_free_now: bool
    calls: tuple[str, ...]  # the order's calls and their state, plain text
    published: tuple[tuple[int, str], ...]  # (appointment id, "when — specialty") best fit first
    waiting_for_office: str  # the pend clock, "" when the case is not waiting for the office
    may_ask_live_review: bool
    live_review_asked: bool
    call_back_asked: bool


def _call_line(call: PeerToPeerAppointment, now: datetime) -> str:
    status = PeerToPeerStatus(call.status)
    if status == PeerToPeerStatus.REQUESTED:
        due = _aware(call.respond_by)
        if due and due <= now:
            return "Call asked for now: no physician answered in time. Propose times or take a published one."
        return f"Call asked for now: a physician reviewer will call {call.callback_phone} shortly."
    if status == PeerToPeerStatus.PROPOSED:
        return f"{_label(call.starts_at)}: proposed by you, waiting for a physician to accept"
    if status == PeerToPeerStatus.SCHEDULED:
        return f"{_label(call.starts_at)}: scheduled, the physician calls {call.callback_phone}"
    if status == PeerToPeerStatus.COMPLETED:
        return f"{_label(call.starts_at)}: the conversation took place"
    if status == PeerToPeerStatus.MISSED:
        return f"{_label(call.starts_at)}: missed, the conversation did not take place"
    if status == PeerToPeerStatus.CANCELLED and call.outcome:
        return f"{_label(call.starts_at)}: {call.outcome}"
    return f"{_label(call.starts_at)}: {status.label}"


def _active_call(session: Session, order_id: int, now: datetime) -> PeerToPeerAppointment | None:
    for call in session.exec(
        select(PeerToPeerAppointment).where(
            PeerToPeerAppointment.order_id == order_id,
            col(PeerToPeerAppointment.status).in_(_LIVE_CALLS),
        )
    ).all():
        if call.status == PeerToPeerStatus.REQUESTED and (_aware(call.respond_by) or now) <= now:
            continue  # an immediate call nobody answered: the office may ask again
        if call.status == PeerToPeerStatus.SCHEDULED and (_aware(call.ends_at) or now) <= now:
            continue
        return call
    return None


def _published(session: Session, specialties: tuple[str, ...], now: datetime) -> list[tuple[int, str]]:
    rows = session.exec(
        select(PeerToPeerAppointment, ReviewerProfile.specialty)
        .outerjoin(ReviewerProfile, col(ReviewerProfile.user_id) == PeerToPeerAppointment.reviewer_id)
        .where(
            PeerToPeerAppointment.status == PeerToPeerStatus.PUBLISHED,
            col(PeerToPeerAppointment.starts_at) > now,
        )
        .order_by(col(PeerToPeerAppointment.starts_at))
        .limit(50)
    ).all()
    wanted = list(specialties)

    def fit(row) -> tuple[int, datetime]:
        specialty = row[1] or ""
        return (wanted.index(specialty) if specialty in wanted else len(wanted), _aware(row[0].starts_at))

    result = []
    for call, specialty in sorted(rows, key=fit)[:10]:
        label = (
            Specialty(specialty).label if specialty in {s.value for s in Specialty} else "Physician reviewer"
        )
        result.append((id_of(call), f"{_label(call.starts_at)} — {label}"))
    return result


def office_call_options(session: Session, *, actor: Actor, order_number: str) -> OfficeCallOptions:
    require(session, actor, "order.peer_to_peer", record=f"order:{order_number}"[:60])
    order = _office_order(session, actor, order_number)
    now = clock.now()
    policy = _policy(order)
    calls = session.exec(
        select(PeerToPeerAppointment)
        .where(
            PeerToPeerAppointment.order_id == order.id,
            PeerToPeerAppointment.status != PeerToPeerStatus.OFFERED,
            or_(
                col(PeerToPeerAppointment.status) != PeerToPeerStatus.CANCELLED,
                col(PeerToPeerAppointment.outcome) != "",
            ),
        )
        .order_by(col(PeerToPeerAppointment.id))
    ).all()
    task = _open_task(session, id_of(order))
    due = _aware(task.office_reply_due) if task else None
    open_order = order.status not in _CLOSED_ORDER and bool(order.order_number)
    return OfficeCallOptions(
        may_request=open_order and _active_call(session, id_of(order), now) is None,
        mode=PeerToPeerMode(policy.mode).value,
        physician_free_now=rules.physician_to_ring(_physicians(session), policy.specialties) is not None,
        calls=tuple(_call_line(c, now) for c in calls),
        published=tuple(_published(session, tuple(policy.specialties), now)),
        waiting_for_office=rules.clock_text(due, now) if due else "",
        may_ask_live_review=task is not None,
        live_review_asked=bool(task and task.live_review_requested_at),
        call_back_asked=bool(task and task.call_back_requested_at),
    )


def _check_request(session: Session, actor: Actor, order: Order, phone: str, now: datetime) -> str:
    if order.status in _CLOSED_ORDER or not order.order_number:
        _refuse(session, actor, order, "request_peer_to_peer", "This order is not open for a peer-to-peer.")
    active = _active_call(session, id_of(order), now)
    if active is not None:
        _refuse(
            session,
            actor,
            order,
            "request_peer_to_peer",
            "A peer-to-peer conversation is already arranged or asked for on this order.",
        )
    valid = _valid_phone(phone)
    if valid is None:
        _refuse(
            session, actor, order, "request_peer_to_peer", "Give the phone number the physician should call."
        )
    return valid


def request_peer_to_peer(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    callback_phone: str,
    proposed_times: list[datetime] | None = None,
    published_id: int = 0,
) -> str:
    """The ordering office asks for a peer-to-peer conversation, before or after the decision.

    With ``published_id``: the office takes a time a physician published (scheduled with them). With
    ``proposed_times``: the office proposes up to three times for a physician to accept. Otherwise,
    under an immediate program policy, the best-fitting physician marked available now is rung (the
    number to call and a response clock at the top of their queue); with nobody free the request is
    refused with the way to schedule instead. Returns "scheduled", "proposed" or "rung".
    """
    require(session, actor, "order.peer_to_peer", record=f"order:{order_number}"[:60])
    order = _office_order(session, actor, order_number)
    now = clock.now()
    phone = _check_request(session, actor, order, callback_phone, now)
    policy = _policy(order)
    if published_id:
        outcome = _take_published(session, actor, order, published_id, phone)
    elif proposed_times:
        outcome = _propose(session, actor, order, proposed_times, phone, now)
    elif policy.mode == PeerToPeerMode.IMMEDIATE:
        outcome = _ring(session, actor, order, policy, phone, now)
    else:
        _refuse(
            session,
            actor,
            order,
            "request_peer_to_peer",
            "This program schedules its calls: propose times, or take a time a physician published.",
        )
    pend_clock.office_answered(session, order_id=id_of(order))
    session.add(
        Note(
            order_id=id_of(order),
            author_id=actor.user_id,
            visibility=NoteVisibility.PROVIDER,
            body={
                "rung": "Peer-to-peer asked for now; a physician reviewer was called.",
                "proposed": "Peer-to-peer asked for; times proposed by the office.",
                "scheduled": "Peer-to-peer scheduled at a time a physician reviewer published.",
            }[outcome],
        )
    )
    _audit(session, actor, "order.peer_to_peer_requested", order.id, outcome=outcome, mode=policy.mode)
    session.commit()
    return outcome


def _ring(
    session: Session,
    actor: Actor,
    order: Order,
    policy: rules.PeerToPeerPolicy,
    phone: str,
    now: datetime,
) -> str:
    physician = rules.physician_to_ring(_physicians(session), policy.specialties)
    if physician is None:
        _refuse(session, actor, order, "request_peer_to_peer", NO_ONE_FREE)
    session.add(
        PeerToPeerAppointment(
            order_id=id_of(order),
            requested_by_id=actor.user_id,
            reviewer_id=physician.user_id,
            status=PeerToPeerStatus.REQUESTED,
            mode=PeerToPeerMode.IMMEDIATE,
            starts_at=now,
            ends_at=now + timedelta(minutes=PEER_TO_PEER_MINUTES),
            respond_by=rules.response_due(now),
            callback_phone=phone,
        )
    )
    return "rung"


def _propose(
    session: Session, actor: Actor, order: Order, times: list[datetime], phone: str, now: datetime
) -> str:
    wanted = sorted({t for t in (_aware(x) for x in times) if t is not None})
    if len(wanted) > rules.MAX_PROPOSED_TIMES:
        _refuse(
            session,
            actor,
            order,
            "request_peer_to_peer",
            f"Propose at most {rules.MAX_PROPOSED_TIMES} times.",
        )
    if not wanted or wanted[0] <= now:
        _refuse(session, actor, order, "request_peer_to_peer", "Propose times that are still ahead.")
    for start in wanted:
        session.add(
            PeerToPeerAppointment(
                order_id=id_of(order),
                requested_by_id=actor.user_id,
                status=PeerToPeerStatus.PROPOSED,
                starts_at=start,
                ends_at=start + timedelta(minutes=PEER_TO_PEER_MINUTES),
                callback_phone=phone,
            )
        )
    return "proposed"


def _take_published(session: Session, actor: Actor, order: Order, published_id: int, phone: str) -> str:
    call = session.get(PeerToPeerAppointment, published_id)
    if (
        call is None
        or call.status != PeerToPeerStatus.PUBLISHED
        or (_aware(call.starts_at) or clock.now()) <= clock.now()
    ):
        _refuse(session, actor, order, "request_peer_to_peer", "That time is no longer open; choose another.")
    taken = session.exec(
        update(PeerToPeerAppointment)
        .where(
            col(PeerToPeerAppointment.id) == call.id,
            col(PeerToPeerAppointment.status) == PeerToPeerStatus.PUBLISHED,
            col(PeerToPeerAppointment.order_id).is_(None),
        )
        .values(
            order_id=order.id,
            status=PeerToPeerStatus.SCHEDULED,
            requested_by_id=actor.user_id,
            callback_phone=phone,
        )
    )
    if taken.rowcount != 1:
        session.rollback()
        _refuse(session, actor, order, "request_peer_to_peer", "That time is no longer open; choose another.")
    return "scheduled"


def lapse_unanswered_calls(session: Session, *, now: datetime | None = None) -> int:
    """Immediate calls nobody answered in time fall back to scheduling: the request lapses (cancelled,
    with why; not "missed", which would count against the office) and the office is told, and may
    propose times. Commits; returns how many lapsed."""
    now = now or clock.now()
    calls = session.exec(
        select(PeerToPeerAppointment).where(
            PeerToPeerAppointment.status == PeerToPeerStatus.REQUESTED,
            col(PeerToPeerAppointment.respond_by) <= now,
        )
    ).all()
    for call in calls:
        call.status = PeerToPeerStatus.CANCELLED
        call.outcome = LAPSED
        session.add(call)
        order = session.get(Order, call.order_id) if call.order_id else None
        if order is not None:
            notify_order_office(session, order=order, kind=NoticeKind.PEER_TO_PEER_MISSED)
    session.commit()
    return len(calls)


# --- the office: live review and call back ---------------------------------------------------


def _pending_task(session: Session, actor: Actor, order: Order, action: str) -> ReviewTask:
    task = _open_task(session, id_of(order))
    if task is None or task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
        _refuse(session, actor, order, action, "This order is not waiting for a review.")
    return task


def ask_live_review(
    session: Session,
    *,
    actor: Actor,
    order_number: str,
    returning_on: date | None,
    reason: str = "",
    today: date | None = None,
) -> None:
    """The patient returns soon and no decision has come: the case goes to the top of its queue,
    marked, and the first reviewer to open it sees why (seed 000)."""
    require(session, actor, "order.peer_to_peer", record=f"order:{order_number}"[:60])
    order = _office_order(session, actor, order_number)
    task = _pending_task(session, actor, order, "ask_live_review")
    today = today or clock.today()
    if returning_on is None or returning_on < today:
        _refuse(
            session, actor, order, "ask_live_review", "Give the date the patient returns (today or later)."
        )
    now = clock.now()
    why = f"Live review asked for by the office: the patient returns on {returning_on:%a %d %b %Y}."
    extra = (reason or "").strip()
    task.flag = TaskFlag.LIVE_REVIEW
    task.flag_note = f"{why} {extra}".strip()[:500]
    task.live_review_requested_at = task.live_review_requested_at or now
    session.add(task)
    pend_clock.office_answered(session, order_id=id_of(order))
    _audit(
        session,
        actor,
        "order.live_review_requested",
        order.id,
        task_id=task.id,
        returning_on=str(returning_on),
    )
    session.commit()


def ask_call_back(session: Session, *, actor: Actor, order_number: str) -> None:
    """The office cannot wait on the line: it is alerted (notice and e-mail) when the review is done."""
    require(session, actor, "order.peer_to_peer", record=f"order:{order_number}"[:60])
    order = _office_order(session, actor, order_number)
    task = _pending_task(session, actor, order, "ask_call_back")
    if task.call_back_requested_at is None:
        task.call_back_requested_at = clock.now()
        session.add(task)
    _audit(session, actor, "order.call_back_requested", order.id, task_id=task.id)
    session.commit()


@dataclass(frozen=True)
class AttentionRow:
    """A case at the top of a queue: a live review asked for (the reason shows when it is opened)."""

    task_id: int
    order_number: str
    program: str
    flag: str
    due_at: str


def attention_rows(session: Session, *, actor: Actor, queue: str) -> list[AttentionRow]:
    """The open tasks of ``queue`` an office asked a live review for, oldest request first."""
    require(session, actor, "review.work_queue", record=f"queue:{queue}"[:60])
    try:
        chosen = ReviewQueue(queue)
    except ValueError:
        raise ActionRefused(f"There is no {queue!r} queue.") from None
    rows = session.exec(
        select(ReviewTask, Order.order_number)
        .join(Order, col(Order.id) == ReviewTask.order_id)
        .where(
            ReviewTask.queue == chosen,
            col(ReviewTask.status).in_((TaskStatus.OPEN, TaskStatus.CLAIMED)),
            ReviewTask.flag == TaskFlag.LIVE_REVIEW,
        )
        .order_by(col(ReviewTask.live_review_requested_at), col(ReviewTask.id))
        .limit(20)
    ).all()
    return [
        AttentionRow(
            task_id=id_of(task),
            order_number=number or "",
            program=Program(task.program).label,
            flag=TaskFlag(task.flag).label,
            due_at=_when(task.due_at),
        )
        for task, number in rows
    ]


__all__ = [
    "AttentionRow",
    "CallRequest",
    "OfficeCallOptions",
    "ReviewerSettings",
    "accept_proposed_time",
    "ask_call_back",
    "ask_live_review",
    "attention_rows",
    "call_requests",
    "lapse_unanswered_calls",
    "office_call_options",
    "publish_time",
    "request_peer_to_peer",
    "reviewer_settings",
    "set_available_now",
    "set_specialty",
]
