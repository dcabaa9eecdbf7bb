"""The signed-in home page: the work waiting for each role, one function per list.

Every list is read one page at a time on the server (``page``, ``page_size``; it returns the rows of
the page and the total), checks the caller's permission first and names, for each row, the page
where the thing itself is (``href``). The moment it is read for (``now``) is a parameter, taken by
the caller at request time, so the lists are the same in tests under a frozen clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, func, or_, select

from portal_app import routes
from portal_app.domain.enums import (
    AuditOutcome,
    ChangeRequestStatus,
    DataLoadStatus,
    FaxConfirmationStatus,
    LineDecision,
    OrderStatus,
    OutboxFaxStatus,
    PeerToPeerStatus,
    Program,
    ReviewQueue,
    Role,
    TaskStatus,
    UserStatus,
)
from portal_app.domain.statuses import status_label
from portal_app.models import (
    AuthSession,
    DataLoad,
    DemographicChangeRequest,
    Determination,
    DeviceDataImport,
    Facility,
    FacilityModalityScore,
    FacilityRegistration,
    FaxNumber,
    HealthPlan,
    Member,
    Order,
    OrderLine,
    OutboxFax,
    PeerToPeerAppointment,
    Practice,
    Provider,
    ReviewTask,
    User,
)
from portal_app.models.device_data import ImportStatus
from portal_app.services import audit
from portal_app.services.authz import Actor, PermissionDenied, require

PAGE_SIZE = 5
EXPIRING_WITHIN_DAYS = 14  # approvals ending within this many days are listed (issue 25)
SCORE_CHANGES_WITHIN_DAYS = 60  # a site's score that changes by itself within this many days is "soon"
FAILED_IMPORTS_WITHIN_DAYS = 30
FIRST_VISIT_LOOK_BACK_DAYS = 30  # "since the last visit" for a user signing in for the first time
_GRANTED = frozenset({LineDecision.AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED})


@dataclass(frozen=True)
class HomeItem:
    """One row of a home list: the link (its text and target), what it is, and when."""

    title: str
    href: str
    detail: str = ""
    when: str = ""
    flag: str = ""  # a word that stands out ("Overdue"), or ""
    request_again: str = ""  # the order number a new request can be copied from, or ""


HomeList = tuple[list[HomeItem], int]


def _aware(moment: datetime) -> datetime:
    """SQLite gives timestamps back without their zone: they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _day(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return _aware(moment).strftime("%Y-%m-%d %H:%M UTC")
    return moment.isoformat()


def _paged(session: Session, query, page: int, page_size: int) -> tuple[list, int]:
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    size = max(1, min(page_size, 50))
    rows = session.exec(query.offset(max(page, 0) * size).limit(size)).all()
    return list(rows), total


def _require_role(session: Session, actor: Actor, permission: str, role: Role) -> None:
    require(session, actor, permission)
    if actor.role != role:
        raise PermissionDenied(permission)


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


# --- ordering provider offices ---


def _office_orders(actor: Actor):
    """The submitted orders the office user may read: their own, and colleagues' where the practice shares."""
    shared = select(Practice.id).where(
        col(Practice.id).in_(actor.practice_ids), col(Practice.share_orders).is_(True)
    )
    return (
        col(Order.order_number).is_not(None)
        & col(Order.practice_id).in_(actor.practice_ids)
        & or_(Order.created_by_id == actor.user_id, col(Order.practice_id).in_(shared))
    )


def _member_words(member: Member | None) -> str:
    return f"{member.first_name} {member.last_name}" if member is not None else "member not chosen yet"


def drafts_to_finish(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """The caller's own drafts, last touched first, each resuming the wizard where it stopped."""
    _require_role(session, actor, "order.create", Role.ORDERING_PROVIDER_STAFF)
    query = (
        select(Order, HealthPlan.name, Member)
        .join(HealthPlan, col(HealthPlan.id) == Order.plan_id)
        .join(Member, col(Member.id) == Order.member_id, isouter=True)
        .where(Order.created_by_id == actor.user_id, Order.status == OrderStatus.DRAFT)
        .order_by(col(Order.updated_at).desc(), col(Order.id).desc())
    )
    rows, total = _paged(session, query, page, page_size)
    return [
        HomeItem(
            title=f"Resume: {Program(order.program).label}",
            href=f"{routes.ORDER_NEW}?draft={order.id}",
            detail=f"{plan} · {_member_words(member)}",
            when=f"Last saved {_day(order.updated_at)}",
        )
        for order, plan, member in rows
    ], total


def waiting_on_office(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Pended requests waiting for the office (information asked, a peer-to-peer call offered), the
    soonest answer due first, with the time left on the pend clock."""
    _require_role(session, actor, "order.read_own_practice", Role.ORDERING_PROVIDER_STAFF)
    offered = (
        select(PeerToPeerAppointment.order_id)
        .where(PeerToPeerAppointment.status == PeerToPeerStatus.OFFERED)
        .where(col(PeerToPeerAppointment.order_id).is_not(None))
    )
    query = (
        select(Order, ReviewTask.office_reply_due, col(Order.id).in_(offered))
        .join(ReviewTask, col(ReviewTask.order_id) == Order.id)
        .where(_office_orders(actor))
        .where(col(ReviewTask.status) != TaskStatus.DONE, col(ReviewTask.office_reply_due).is_not(None))
        .order_by(col(ReviewTask.office_reply_due), col(Order.id))
    )
    rows, total = _paged(session, query, page, page_size)
    return [_waiting_item(order, due, bool(call_offered), now) for order, due, call_offered in rows], total


def _waiting_item(order: Order, due: datetime, call_offered: bool, now: datetime) -> HomeItem:
    left = _aware(due) - now
    hours = int(left.total_seconds() // 3600)
    clock_text = (
        f"Answer by {_day(due)} ({hours // 24} days {hours % 24} hours left)"
        if left.total_seconds() > 0
        else f"The answer was due {_day(due)}"
    )
    return HomeItem(
        title=str(order.order_number),
        href=routes.order(str(order.order_number)),
        detail="Peer-to-peer call offered" if call_offered else "Information asked",
        when=clock_text,
        flag="" if left.total_seconds() > 0 else "Overdue",
    )


def _last_visit(session: Session, actor: Actor, now: datetime) -> datetime:
    """When the caller was last seen in an earlier session (a month back on a first visit)."""
    earlier = select(func.max(AuthSession.last_seen_at)).where(AuthSession.user_id == actor.user_id)
    if actor.session_id is not None:
        earlier = earlier.where(AuthSession.id != actor.session_id)
    seen = session.exec(earlier).one()
    return _aware(seen) if seen is not None else now - timedelta(days=FIRST_VISIT_LOOK_BACK_DAYS)


def decisions_since_last_visit(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Orders with a decision made since the caller's last visit, the newest decision first."""
    _require_role(session, actor, "order.read_own_practice", Role.ORDERING_PROVIDER_STAFF)
    since = _last_visit(session, actor, now)
    latest = func.max(Determination.decided_at).label("decided_at")
    query = (
        select(Order, latest)
        .join(OrderLine, col(OrderLine.order_id) == Order.id)
        .join(Determination, col(Determination.order_line_id) == OrderLine.id)
        .where(
            _office_orders(actor),
            col(Determination.decision) != LineDecision.PENDED,  # the rules engine's "pended" is no decision
            col(Determination.decided_at) > since,
            col(Determination.decided_at) <= now,
        )
        .group_by(col(Order.id))
        .order_by(latest.desc(), col(Order.id).desc())
    )
    rows, total = _paged(session, query, page, page_size)
    return [
        HomeItem(
            title=str(order.order_number),
            href=routes.order(str(order.order_number)),
            detail=f"{Program(order.program).label}: {status_label(order.program, order.status)}",
            when=f"Decided {_day(decided_at)}",
        )
        for order, decided_at in rows
    ], total


def approvals_expiring(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Approvals that end within the next 14 days, the soonest first, each with "request again"
    (a new draft filled in from it)."""
    _require_role(session, actor, "order.read_own_practice", Role.ORDERING_PROVIDER_STAFF)
    today = now.date()
    ends = func.max(Determination.valid_until).label("valid_until")
    query = (
        select(Order, ends)
        .join(OrderLine, col(OrderLine.order_id) == Order.id)
        .join(Determination, col(Determination.order_line_id) == OrderLine.id)
        .where(_office_orders(actor), col(Determination.decision).in_(_GRANTED))
        .where(col(Order.status).in_((OrderStatus.AUTHORIZED, OrderStatus.MULTIPLE_DECISIONS)))
        .group_by(col(Order.id))
        .having(ends >= today, ends <= today + timedelta(days=EXPIRING_WITHIN_DAYS))
        .order_by(ends, col(Order.id))
    )
    rows, total = _paged(session, query, page, page_size)
    return [
        HomeItem(
            title=str(order.order_number),
            href=routes.order(str(order.order_number)),
            detail=Program(order.program).label,
            when=f"Approval ends {_day(valid_until)}",
            request_again=str(order.order_number),
        )
        for order, valid_until in rows
    ], total


# --- servicing provider offices ---


def orders_naming_my_practice(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Recent submitted orders whose servicing provider or site bills under one of the caller's
    practices (its NPI is on the order), the newest first; each opens the verification with its order
    number filled in (servicing offices read an order only there: orders.may_read_order)."""
    _require_role(session, actor, "order.verify", Role.SERVICING_PROVIDER_STAFF)
    tax_ids = select(Practice.tax_id).where(col(Practice.id).in_(actor.practice_ids))
    providers = select(Provider.id).where(col(Provider.tax_id).in_(tax_ids))
    sites = select(Facility.id).where(col(Facility.tax_id).in_(tax_ids))
    query = (
        select(Order)
        .where(col(Order.order_number).is_not(None), col(Order.status) != OrderStatus.DRAFT)
        .where(or_(col(Order.servicing_provider_id).in_(providers), col(Order.facility_id).in_(sites)))
        .where(col(Order.submitted_at) >= now - timedelta(days=90))
        .order_by(col(Order.submitted_at).desc(), col(Order.id).desc())
    )
    rows, total = _paged(session, query, page, page_size)
    return [
        HomeItem(
            title=str(order.order_number),
            href=routes.verify(str(order.order_number)),
            detail=f"{Program(order.program).label}: {status_label(order.program, order.status)}",
            when=f"Submitted {_day(order.submitted_at)}",
        )
        for order in rows
    ], total


# --- nurse and physician reviewers ---


def _queue_of(actor: Actor) -> ReviewQueue:
    return ReviewQueue.PHYSICIAN if actor.role == Role.PHYSICIAN_REVIEWER else ReviewQueue.NURSE


def _task_item(order_number: str, task: ReviewTask, now: datetime) -> HomeItem:
    overdue = _aware(task.due_at) < now
    return HomeItem(
        title=order_number,
        href=routes.review_case(order_number),
        detail=f"{Program(task.program).label} · {task.urgency.capitalize()} · {task.kind.capitalize()}",
        when=f"Due {_day(task.due_at)}",
        flag="Overdue" if overdue else "",
    )


def my_claimed_cases(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """The cases the reviewer has claimed and not finished, the soonest due first."""
    require(session, actor, "review.work_queue")
    query = (
        select(ReviewTask, Order.order_number)
        .join(Order, col(Order.id) == ReviewTask.order_id)
        .where(ReviewTask.assignee_id == actor.user_id, ReviewTask.status == TaskStatus.CLAIMED)
        .order_by(col(ReviewTask.due_at), col(ReviewTask.id))
    )
    rows, total = _paged(session, query, page, page_size)
    return [_task_item(str(number), task, now) for task, number in rows], total


def due_in_my_queue(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Unfinished cases in the reviewer's queue due by the end of today (the overdue first)."""
    require(session, actor, "review.work_queue")
    end_of_today = _start_of_day(now.date() + timedelta(days=1))
    query = (
        select(ReviewTask, Order.order_number)
        .join(Order, col(Order.id) == ReviewTask.order_id)
        .where(ReviewTask.queue == _queue_of(actor), col(ReviewTask.status) != TaskStatus.DONE)
        .where(col(ReviewTask.due_at) < end_of_today)
        .order_by(col(ReviewTask.due_at), col(ReviewTask.id))
    )
    rows, total = _paged(session, query, page, page_size)
    return [_task_item(str(number), task, now) for task, number in rows], total


def calls_booked_today(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Peer-to-peer calls scheduled with the reviewer today (UTC day), in time order."""
    require(session, actor, "review.work_queue")
    start = _start_of_day(now.date())
    query = (
        select(PeerToPeerAppointment, Order.order_number)
        .join(Order, col(Order.id) == PeerToPeerAppointment.order_id)
        .where(
            PeerToPeerAppointment.reviewer_id == actor.user_id,
            PeerToPeerAppointment.status == PeerToPeerStatus.SCHEDULED,
            col(PeerToPeerAppointment.starts_at) >= start,
            col(PeerToPeerAppointment.starts_at) < start + timedelta(days=1),
        )
        .order_by(col(PeerToPeerAppointment.starts_at), col(PeerToPeerAppointment.id))
    )
    rows, total = _paged(session, query, page, page_size)
    return [
        HomeItem(
            title=str(number),
            href=routes.review_case(str(number)),
            detail=f"Call back {call.callback_phone}" if call.callback_phone else "Peer-to-peer call",
            when=f"At {_day(call.starts_at)}",
        )
        for call, number in rows
    ], total


# --- support ---


def registrations_waiting(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Accounts waiting for support's approval, the oldest first."""
    require(session, actor, "admin.registrations")
    query = (
        select(User)
        .where(User.status == UserStatus.PENDING_SUPPORT_APPROVAL)
        .order_by(col(User.created_at), col(User.id))
    )
    rows, total = _paged(session, query, page, page_size)
    return [
        HomeItem(
            title=user.full_name,
            href=routes.ADMIN_REGISTRATIONS,
            detail=Role(user.role).label,
            when=f"Registered {_day(user.created_at)}",
        )
        for user in rows
    ], total


def change_requests_waiting(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Provider and site changes, and fax numbers whose code was entered, waiting for support."""
    require(session, actor, "admin.registrations")
    changes, change_total = _paged(
        session,
        select(DemographicChangeRequest)
        .where(DemographicChangeRequest.status == ChangeRequestStatus.PENDING)
        .order_by(col(DemographicChangeRequest.requested_at), col(DemographicChangeRequest.id)),
        page,
        page_size,
    )
    items = [
        HomeItem(
            title=f"Change of {change.field.replace('_', ' ')}",
            href=routes.ADMIN_CHANGES,
            detail=f"Effective {_day(change.effective_date)}",
            when=f"Asked {_day(change.requested_at)}",
        )
        for change in changes
    ]
    faxes = select(FaxNumber).where(FaxNumber.status == FaxConfirmationStatus.AWAITING_SUPPORT)
    fax_total = session.exec(select(func.count()).select_from(faxes.subquery())).one()
    room = max(0, page_size - len(items))
    skip = max(0, page * page_size - change_total)
    fax_rows = session.exec(faxes.order_by(col(FaxNumber.id)).offset(skip).limit(room)).all() if room else []
    items += [
        HomeItem(title=f"Fax number {fax.number}", href=routes.ADMIN_CHANGES, detail="Code entered")
        for fax in fax_rows
    ]
    return items, change_total + fax_total


def held_files_and_faxes(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Device files that matched no member and faxes held for an unconfirmed number, oldest first."""
    require(session, actor, "admin.registrations")
    files = session.exec(
        select(DeviceDataImport.id, DeviceDataImport.received_at).where(
            DeviceDataImport.status == ImportStatus.HELD
        )
    ).all()
    faxes = session.exec(
        select(OutboxFax.id, OutboxFax.created_at).where(OutboxFax.status == OutboxFaxStatus.HELD)
    ).all()
    held = sorted(
        [("file", row_id, _aware(at)) for row_id, at in files]
        + [("fax", row_id, _aware(at)) for row_id, at in faxes],
        key=lambda entry: (entry[2], entry[0], entry[1]),
    )
    size = max(1, min(page_size, 50))
    shown = held[max(page, 0) * size : (max(page, 0) + 1) * size]
    return [
        HomeItem(
            title=f"Held device file {row_id}" if kind == "file" else f"Held fax {row_id}",
            href=routes.ADMIN_DEVICE_DATA if kind == "file" else routes.ADMIN_CHANGES,
            when=f"Held since {_day(at)}",
        )
        for kind, row_id, at in shown
    ], len(held)


def failed_imports(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """Plan file loads rejected or failed in the last 30 days, the newest first."""
    require(session, actor, "admin.registrations")
    query = (
        select(DataLoad, HealthPlan.name)
        .join(HealthPlan, col(HealthPlan.id) == DataLoad.plan_id)
        .where(col(DataLoad.status).in_((DataLoadStatus.REJECTED, DataLoadStatus.FAILED)))
        .where(col(DataLoad.started_at) >= now - timedelta(days=FAILED_IMPORTS_WITHIN_DAYS))
        .order_by(col(DataLoad.started_at).desc(), col(DataLoad.id).desc())
    )
    rows, total = _paged(session, query, page, page_size)
    return [
        HomeItem(
            title=load.file_name,
            href=routes.ADMIN_PLAN_FILES,
            detail=f"{plan}: {DataLoadStatus(load.status).label}, {load.error_count} problems",
            when=f"Loaded {_day(load.started_at)}",
        )
        for load, plan in rows
    ], total


# --- imaging facility staff ---


def _my_site_scores(actor: Actor):
    mine = select(FacilityRegistration.facility_id).where(
        FacilityRegistration.user_id == actor.user_id, col(FacilityRegistration.facility_id).is_not(None)
    )
    return (
        select(FacilityModalityScore, Facility.name)
        .join(Facility, col(Facility.id) == FacilityModalityScore.facility_id)
        .where(col(FacilityModalityScore.facility_id).in_(mine))
    )


def _score_item(score: FacilityModalityScore, site: str, today: date) -> HomeItem:
    soon = score.rescore_on is not None and score.rescore_on <= today + timedelta(
        days=SCORE_CHANGES_WITHIN_DAYS
    )
    return HomeItem(
        title=f"{site}: {score.modality}",
        href=routes.FACILITY_SCORES,
        detail=f"Score {score.score}",
        when=f"Changes on {_day(score.rescore_on)} (an accreditation or survey runs out)" if soon else "",
        flag="Expires soon" if soon else "",
    )


def my_site_scores(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """The score of every modality of the caller's registered sites."""
    require(session, actor, "facility.register")
    query = _my_site_scores(actor).order_by(col(Facility.name), col(FacilityModalityScore.modality))
    rows, total = _paged(session, query, page, page_size)
    return [_score_item(score, site, now.date()) for score, site in rows], total


def site_scores_expiring(
    session: Session, *, actor: Actor, now: datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> HomeList:
    """The caller's sites' scores that change within 60 days (an accreditation or survey runs out)."""
    require(session, actor, "facility.register")
    today = now.date()
    query = (
        _my_site_scores(actor)
        .where(col(FacilityModalityScore.rescore_on).is_not(None))
        .where(col(FacilityModalityScore.rescore_on) <= today + timedelta(days=SCORE_CHANGES_WITHIN_DAYS))
        .order_by(col(FacilityModalityScore.rescore_on), col(FacilityModalityScore.id))
    )
    rows, total = _paged(session, query, page, page_size)
    return [_score_item(score, site, today) for score, site in rows], total


# --- which lists each role's home page shows ---


@dataclass(frozen=True)
class ListSpec:
    key: str
    heading: str
    empty: str  # what the page says when the list is empty
    read: Callable[..., HomeList]


_REVIEWER_LISTS = (
    ListSpec("claimed", "My claimed cases", "You have no claimed case open.", my_claimed_cases),
    ListSpec(
        "due", "Due today and overdue in my queue", "Nothing in your queue is due today.", due_in_my_queue
    ),
    ListSpec(
        "calls",
        "Peer-to-peer calls booked for me today",
        "No call is booked for you today.",
        calls_booked_today,
    ),
)
HOME_LISTS: dict[Role, tuple[ListSpec, ...]] = {
    Role.ORDERING_PROVIDER_STAFF: (
        ListSpec("drafts", "Drafts to finish", "No draft is waiting.", drafts_to_finish),
        ListSpec(
            "waiting", "Waiting on your office", "No request is waiting on your office.", waiting_on_office
        ),
        ListSpec(
            "decisions",
            "Decisions since your last visit",
            "No decision since your last visit.",
            decisions_since_last_visit,
        ),
        ListSpec(
            "expiring",
            "Approvals ending in the next 14 days",
            "No approval ends in the next 14 days.",
            approvals_expiring,
        ),
    ),
    Role.SERVICING_PROVIDER_STAFF: (
        ListSpec(
            "recent",
            "Recent orders naming your practice",
            "No order named your practice in the last 90 days.",
            orders_naming_my_practice,
        ),
    ),
    Role.NURSE_REVIEWER: _REVIEWER_LISTS,
    Role.PHYSICIAN_REVIEWER: _REVIEWER_LISTS,
    Role.SUPPORT_ADMIN: (
        ListSpec(
            "registrations", "Registrations waiting", "No registration is waiting.", registrations_waiting
        ),
        ListSpec("changes", "Change requests", "No change request is waiting.", change_requests_waiting),
        ListSpec("held", "Held device files and faxes", "Nothing is held.", held_files_and_faxes),
        ListSpec("imports", "Failed imports (last 30 days)", "No plan file failed to load.", failed_imports),
    ),
    Role.FACILITY_STAFF: (
        ListSpec("scores", "Your sites' scores", "No registered site has a score yet.", my_site_scores),
        ListSpec(
            "expiring_scores",
            "Scores that change soon",
            "No score changes in the next 60 days.",
            site_scores_expiring,
        ),
    ),
}


def lists_for(role: Role | str) -> tuple[ListSpec, ...]:
    """The lists of ``role``'s home page, in the order they are shown."""
    try:
        return HOME_LISTS.get(Role(role), ())
    except ValueError:
        return ()


def read_list(session: Session, *, actor: Actor, key: str, now: datetime, page: int = 0) -> HomeList:
    """One page of the caller's home list ``key`` (a list of another role's page is refused)."""
    spec = next((spec for spec in lists_for(actor.role) if spec.key == key), None)
    if spec is None:
        audit.record(
            session,
            action="access.denied",
            user_id=actor.user_id,
            outcome=AuditOutcome.DENIED,
            client_address=actor.client_address,
            detail={"permission": f"home.{str(key)[:40]}"},
        )
        session.commit()
        raise PermissionDenied(f"home.{str(key)[:40]}")
    return spec.read(session, actor=actor, now=now, page=page)
