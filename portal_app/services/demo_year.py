"""A year of demo requests, made through the portal's own services (issue 25, "A demo with history").

The demo offices enter requests in several programs (imaging, musculoskeletal, rehabilitation and
sleep) the way the wizard does (``order_entry`` step by step, then ``submit_order``), the rules engine
decides each at once or pends it, and the demo reviewers work the queues: the nurse claims and
approves, asks the office for information or sends the case to a physician; the physician offers
peer-to-peer times, holds the call the office booked and approves or denies on a named criterion;
the office appeals some denials (decided by the second physician), cancels some requests and answers
the month's satisfaction survey when the summary offers it. So the
figures of the review dashboard (services/metrics.py), the public transparency page, the case
histories and the audit trail are the ones those services write, and agree with each other.

Each request is a little script (a generator) that waits for the moments it acts at; the scripts run
in the order of those moments with the portal clock (portal_app/clock.py) moved to each, so every
queue, clock and audit row is as it would have been at that time. Requests begin on 1 January 2026
at the earliest (and at most a year back) and nothing happens on or after the start of the day the
seed runs: cases whose next step would fall later stay as they are (in a queue, waiting for the office).
The choices are drawn from a fixed random seed, so the same day gives the same year (order numbers
alone are random, as they must be: domain/order_numbers.py).

How many requests: ``DEMO_HISTORY_SIZE`` (settings; 0 loads none). Loaded once: an audit event
``demo_year.loaded`` marks it, and a later seed adds nothing. All or nothing: the year and its marker
are one transaction, so a seed stopped part-way leaves none of it and the next makes the whole year.
While the history is written, e-mail to the demo office users is off (those messages would have left
long ago; the outbox stays for today's), and notifications older than a week are marked read, as the
offices would have read them.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.demographics import normalize_fax
from portal_app.domain.enums import EmailPreference, FacilityType, OrderStatus, Program, Role, UserStatus
from portal_app.domain.programs import age_on
from portal_app.models import (
    AuditEvent,
    Facility,
    HealthPlan,
    Member,
    Notice,
    Order,
    OutboxFax,
    PeerToPeerAppointment,
    Practice,
    PracticeMembership,
    Provider,
    User,
)
from portal_app.models.base import id_of
from portal_app.services import episodes, fax, order_entry, orders, review, survey
from portal_app.services.authz import Actor
from portal_app.services.demo_data import PRACTICES, demo_actor
from portal_app.services.demo_feedback import draw_survey_answers
from portal_app.services.order_submission import submit_order

MARKER = "demo_year.loaded"
FIRST_DAY = date(2026, 1, 1)
_SEED = 25
_OFFICES = ("ordering", "ordering2")  # the demo office accounts (Maple Street, Harbor View)
_NURSE, _PHYSICIAN, _APPEALS = "nurse", "physician", "appeals"
_ADULT = 19  # members old enough for every scenario below (home sleep tests are for adults)


@dataclass(frozen=True)
class Scenario:
    """One kind of request an office sends: the wizard's answers, codes and diagnoses, where it is
    done, how often it comes (``weight``) and, should a physician deny it, the reason in plain words."""

    plan_code: str
    program: Program
    details: dict
    codes: tuple[str, ...]
    diagnoses: tuple[str, ...]
    servicing: str  # a FacilityType value, or a provider specialty
    weight: int
    denial: str = ""


_LOW_BACK = {
    "modality": "mri",
    "body_part": "lumbar_spine",
    "clinical_indication": "low_back_pain",
    "weeks_of_symptoms": 8,
    "weeks_conservative_care": 8,
    "red_flags": [],
    "site_of_care": "free_standing",
}
_EARLY_LOW_BACK = {**_LOW_BACK, "weeks_of_symptoms": 2, "weeks_conservative_care": 0}
_EARLY_BACK_DENIAL = (
    "Low back pain of two weeks without any warning sign: the guideline asks for six weeks of "
    "treatment such as physical therapy before an MRI. Request it again if the pain persists."
)
_KNEE = {
    "category": "joint",
    "procedure": "knee_arthroplasty",
    "setting": "outpatient",
    "side": "right",
    "weeks_conservative_care": 16,
    "imaging_findings": ["advanced_arthritis"],
}
_PT = {
    "discipline": "PT",
    "request_type": "first_treatment",
    "body_region": "low_back",
    "outcome_tool": "ODI",
    "current_score": 40,
}
_SLEEP_LAB_REASON = "Works night shifts; the sleep pattern needs a supervised study."

# The mix of requests: most meet the guideline, some pend for a person (the rules engine decides which).
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("EVG", Program.IMAGING, _LOW_BACK, ("72148",), ("M54.50",), FacilityType.FREE_STANDING, 6),
    Scenario("LKS", Program.IMAGING, _LOW_BACK, ("72148",), ("M54.50",), FacilityType.HOSPITAL_OUTPATIENT, 3),
    Scenario("RVB", Program.IMAGING, _LOW_BACK, ("72148",), ("M54.50",), FacilityType.FREE_STANDING, 2),
    Scenario(
        "EVG",
        Program.IMAGING,
        _EARLY_LOW_BACK,
        ("72148",),
        ("M54.50",),
        FacilityType.FREE_STANDING,
        3,
        _EARLY_BACK_DENIAL,
    ),
    Scenario(
        "LKS",
        Program.IMAGING,
        _EARLY_LOW_BACK,
        ("72148",),
        ("M54.50",),
        FacilityType.HOSPITAL_OUTPATIENT,
        2,
        _EARLY_BACK_DENIAL,
    ),
    Scenario(
        "EVG", Program.MUSCULOSKELETAL, _KNEE, ("27447",), ("M17.11",), FacilityType.HOSPITAL_OUTPATIENT, 3
    ),
    Scenario(
        "EVG",
        Program.MUSCULOSKELETAL,
        {**_KNEE, "side": "left", "weeks_conservative_care": 4},
        ("27447",),
        ("M17.12",),
        FacilityType.HOSPITAL_OUTPATIENT,
        2,
        "Four weeks of treatment without surgery is too short: the guideline asks for at least twelve "
        "weeks of physical therapy, medication or injections before a knee replacement.",
    ),
    Scenario(
        "EVG",
        Program.MUSCULOSKELETAL,
        {
            "category": "pain",
            "procedure": "epidural_injection",
            "setting": "outpatient",
            "spine_region": "cervical",
            "levels": 1,
            "weeks_conservative_care": 6,
            "imaging_findings": ["nerve_compression"],
        },
        ("62321",),
        ("M54.12",),
        FacilityType.HOSPITAL_OUTPATIENT,
        2,
    ),
    Scenario("LKS", Program.REHABILITATION, _PT, ("97110", "97140"), ("M54.50",), "Physical therapy", 3),
    Scenario(
        "LKS",
        Program.REHABILITATION,
        {**_PT, "visits_requested": 16},
        ("97110", "97140"),
        ("M54.50",),
        "Physical therapy",
        2,
        "Sixteen visits are more than a first episode for low back pain needs: the program's allocation "
        "is ten; ask for more with the progress scores after them.",
    ),
    Scenario(
        "EVG",
        Program.SLEEP,
        {"request_kind": "sleep_study", "study_type": "home_sleep_test"},
        ("G0399",),
        ("G47.33",),
        FacilityType.SLEEP_CENTER,
        2,
    ),
    Scenario(
        "SUM",
        Program.SLEEP,
        {"request_kind": "sleep_study", "study_type": "in_lab_psg", "lab_reason": _SLEEP_LAB_REASON},
        ("95810",),
        ("G47.33",),
        FacilityType.SLEEP_CENTER,
        2,
        "A home sleep test suits this adult member, who has no heart, lung or nerve-muscle condition: "
        "night shifts do not call for a study in the laboratory.",
    ),
    Scenario(
        "EVG",
        Program.SLEEP,
        {
            "request_kind": "pap_device",
            "device_type": "apap",
            "index_kind": "AHI",
            "diagnostic_index": 22,
            "recording_hours": 6,
        },
        ("E0601",),
        ("G47.33",),
        FacilityType.SLEEP_CENTER,
        1,
    ),
)

_URGENT_REASON = "Symptoms are getting worse quickly; waiting the standard time could harm the patient."


class HistoryStepRefused(RuntimeError):
    """A service refused a step of the demo history: the scenario data no longer fits the portal."""


@dataclass
class _World:
    """What the scripts share: the session, the actors, the demo's parties, and the random source of
    the script whose step runs now."""

    session: Session
    rng: random.Random
    offices: dict[str, Actor]
    support: Actor
    letter_fax: dict[int, str]  # per practice id: the fax number it confirmed for letters
    nurse: Actor
    physician: Actor
    appeals: Actor
    plans: dict[str, HealthPlan]
    members: dict[int, list[Member]]  # per plan: eligible adults
    facilities: dict[str, list[Facility]]
    providers: dict[str, list[Provider]]  # per specialty
    practice_providers: dict[int, list[Provider]]  # per practice id
    counts: dict[str, int]


def history_window(now: datetime) -> tuple[datetime, datetime]:
    """(first moment, end) of the history for a seed run at ``now``: a year back but not before
    FIRST_DAY, up to the start of ``now``'s day (nothing happens on the day of the seed)."""
    end = datetime.combine(now.date(), time.min, UTC)
    start = max(datetime.combine(FIRST_DAY, time.min, UTC), end - timedelta(days=365))
    return start, end


def is_loaded(session: Session) -> bool:
    return session.exec(select(AuditEvent.id).where(AuditEvent.action == MARKER)).first() is not None


def load_demo_year(
    session: Session,
    *,
    size: int,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Make ``size`` requests over the last year through the services (once); returns how many were
    submitted (0 when already loaded, when ``size`` is 0, or when the year has not begun).

    All or nothing: the year is written in one transaction, committed with its marker, so a seed
    stopped part-way leaves none of it and the next seed makes the same whole year (never a second
    part). ``session``'s own pending changes are committed with it."""
    if size <= 0 or is_loaded(session):
        return 0
    now = now or clock.now()
    start, end = history_window(now)
    if end <= start:
        return 0
    with _one_transaction(session) as history:
        submitted = _make_year(history, size, start, end, progress)
    return submitted


@contextmanager
def _one_transaction(session: Session) -> Iterator[Session]:
    """A session on ``session``'s connection and transaction whose commits (the services commit
    after each step) only flush: the transaction is committed once at the end, rolled back if
    anything stops it (an error, Ctrl-C; a killed process never commits it)."""
    connection = session.connection()
    try:
        with Session(bind=connection, expire_on_commit=False) as history:
            yield history
    except BaseException:
        session.rollback()
        raise
    session.commit()


def _make_year(
    session: Session, size: int, start: datetime, end: datetime, progress: Callable[[str], None] | None
) -> int:
    world = _world(session, random.Random(_SEED))
    moments = sorted(_submission_moment(world.rng, start, end) for _ in range(size))
    scripts = [_confirm_letter_faxes(world, start)]
    scripts += [_request_life(world, moment, end) for moment in moments]
    # Each script draws from its own random source, so one request's choices do not shift another's.
    sources = [random.Random(_SEED * 100_000 + number) for number in range(len(scripts))]
    recipients = _office_recipients(session)
    preferences = {user.id: user.email_preference for user in recipients}
    _set_preferences(session, {user_id: EmailPreference.OFF.value for user_id in preferences})
    _run(world, scripts, sources, start, end, progress, size)
    _set_preferences(session, preferences)
    _mark_old_notices_read(session, recipients, end)
    session.add(
        AuditEvent(
            action=MARKER,
            record_type="database",
            detail={"requests": size, "from": start.date().isoformat(), "to": end.date().isoformat()}
            | dict(sorted(world.counts.items())),
        )
    )
    session.commit()
    return world.counts.get("submitted", 0)


# --- running the scripts in time order ----------------------------------------------------------


def _run(
    world: _World,
    scripts: list[Iterator[datetime]],
    sources: list[random.Random],
    start: datetime,
    end: datetime,
    progress: Callable[[str], None] | None,
    size: int,
) -> None:
    """Run each script's steps at the moments they ask for, earliest first, the clock at each."""
    queue: list[tuple[datetime, int, Iterator[datetime]]] = []
    for number, script in enumerate(scripts):
        world.rng = sources[number]
        heapq.heappush(queue, (next(script), number, script))
    begun: set[int] = set()
    step = max(1, size // 10)
    with clock.frozen_at(start) as frozen:
        while queue:
            moment, number, script = heapq.heappop(queue)
            if moment >= end:
                continue  # its next step is today or later: the case stays as it is
            frozen.move_to(moment)
            if number and number not in begun:  # script 0 confirms the fax numbers
                begun.add(number)
                if progress and len(begun) % step == 0:
                    progress(
                        f"  demo history: {len(begun)} of {size} requests entered (up to {moment:%Y-%m-%d})"
                    )
            world.rng = sources[number]
            try:
                following = next(script)
            except StopIteration:
                continue
            heapq.heappush(queue, (max(following, moment + timedelta(minutes=1)), number, script))


def _submission_moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment in office hours (UTC, 08:00 to 17:59) on a weekday, now and then a Saturday."""
    days = (end - start).days
    while True:
        day = start + timedelta(days=rng.randrange(days))
        if day.weekday() < 5 or (day.weekday() == 5 and rng.random() < 0.1):
            break
    return day + timedelta(hours=rng.randint(8, 17), minutes=rng.randrange(60))


def _working_time(moment: datetime) -> datetime:
    """``moment``, or the next weekday's 08:00 when it falls outside a reviewer's day (08:00-18:00)."""
    if moment.weekday() < 5 and 8 <= moment.hour < 18:
        return moment
    day = moment.date() + timedelta(days=0 if moment.hour < 8 else 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(8), UTC) + timedelta(minutes=moment.minute)


def _later(world: _World, low_hours: float, high_hours: float) -> datetime:
    return _working_time(clock.now() + timedelta(hours=world.rng.uniform(low_hours, high_hours)))


# --- one request from draft to its last decision ------------------------------------------------


def _request_life(world: _World, submitted: datetime, end: datetime) -> Iterator[datetime]:
    yield submitted
    rng = world.rng  # this request's own source (_run sets it before each step)
    scenario = rng.choices(SCENARIOS, weights=[s.weight for s in SCENARIOS])[0]
    office = world.offices[rng.choice(_OFFICES)]
    urgent = rng.random() < 0.12
    number = _enter_and_submit(world, office, scenario, urgent)
    if not number:
        return
    _survey(world, office, number)
    status = _status(world, number)
    if status == OrderStatus.AUTHORIZED and rng.random() < 0.03:
        yield _later(world, 24, 24 * 20)  # plans change: the office cancels an approved request
        _cancel(world, office, number, "The patient chose to wait; the service is not needed now.")
        return
    if status != OrderStatus.IN_PROGRESS:
        return
    pace = (1, 30) if urgent else (3, 110)
    roll = rng.random()
    if roll < 0.06:
        yield _later(world, *pace)
        _cancel(world, office, number, "The patient moved to another practice; the request is withdrawn.")
        return
    yield _later(world, *pace)
    nurse_case = _claim(world, world.nurse, number)
    if nurse_case is None:
        return
    if roll < 0.2:  # the nurse asks for information, the office answers, the nurse approves
        review.request_information(
            world.session,
            actor=world.nurse,
            order_number=number,
            version=nurse_case.version,
            message="Please send the notes of the last visit with the examination findings.",
        )
        world.counts["information requested"] = world.counts.get("information requested", 0) + 1
        yield _later(world, 2, 40)
        orders.add_clinical_information(
            world.session,
            actor=office,
            order_number=number,
            text="Notes of the last visit: the examination findings and the treatment so far are attached.",
        )
        yield _later(world, 1, 20)
        _approve_all(world, world.nurse, number, "Approved: the visit notes support the request.")
        return
    if roll < 0.62 or not scenario.denial:  # approved on the nurse's review
        _approve_all(world, world.nurse, number, "")
        return
    # The nurse sends the case to a physician, who offers a peer-to-peer conversation.
    review.escalate(
        world.session,
        actor=world.nurse,
        order_number=number,
        version=nurse_case.version,
        note="The guideline is not met on the information given; please review.",
    )
    yield _later(world, 1, 24)
    if _claim(world, world.physician, number) is None:
        return
    first = _working_time(clock.now() + timedelta(days=1)).replace(hour=10, minute=0)
    review.offer_peer_to_peer(
        world.session,
        actor=world.physician,
        order_number=number,
        slots=[first, first.replace(hour=14), first + timedelta(days=1)],
    )
    world.counts["peer-to-peer offered"] = world.counts.get("peer-to-peer offered", 0) + 1
    call_at = None
    if rng.random() < 0.7:  # the office books one of the times
        yield _later(world, 1, 6)
        call_at = _book_call(world, office, number)
    if call_at is not None:
        yield call_at
        held = rng.random() < 0.85
        _record_call(world, number, held)
        if held and rng.random() < 0.45:  # the ordering physician's account convinces the reviewer
            yield clock.now() + timedelta(minutes=20)
            _approve_all(world, world.physician, number, "Approved after the peer-to-peer conversation.")
            return
        yield clock.now() + timedelta(minutes=30)
    else:
        yield _working_time(first + timedelta(days=2))
    _deny_all(world, world.physician, number, scenario.denial)
    world.counts["denied"] = world.counts.get("denied", 0) + 1
    if rng.random() >= 0.45:
        return
    yield _later(world, 24, 24 * 12)  # the office appeals; the second physician decides
    review.file_appeal(
        world.session,
        actor=office,
        order_number=number,
        information="The patient cannot wait longer: the symptoms keep them from working. Notes attached.",
    )
    world.counts["appealed"] = world.counts.get("appealed", 0) + 1
    yield _later(world, 24, 24 * 10)
    if _claim(world, world.appeals, number) is None:
        return
    if rng.random() < 0.55:
        _approve_all(world, world.appeals, number, "Approved on appeal: the new notes meet the guideline.")
    else:
        _deny_all(world, world.appeals, number, "Upheld on appeal. " + scenario.denial)


def _confirm_letter_faxes(world: _World, start: datetime) -> Iterator[datetime]:
    """Early in the year each office has its fax number for letters confirmed (services/fax.py): the
    test page's code typed back, then support's confirmation; letters' fax copies are then sent."""
    yield _working_time(start)
    for office in world.offices.values():
        number = world.letter_fax[office.practice_ids[0]]
        if fax.is_confirmed(world.session, number):
            continue
        errors = fax.request_confirmation(
            world.session, actor=office, number=number, contact_name="Front desk (demo)"
        )
        if errors:
            raise HistoryStepRefused(f"fax confirmation of {number}: {errors}")
        test_page = world.session.exec(
            select(OutboxFax)
            .where(OutboxFax.to_number == normalize_fax(number))
            .order_by(col(OutboxFax.id).desc())
        ).first()
        assert test_page is not None  # request_confirmation queued it
        code = test_page.subject.rsplit(" ", 1)[-1]  # read off the test page at the office
        if errors := fax.enter_code(world.session, actor=office, number=number, code=code):
            raise HistoryStepRefused(f"fax code for {number}: {errors}")
    yield _later(world, 2, 6)
    for office in world.offices.values():
        number = world.letter_fax[office.practice_ids[0]]
        if not fax.is_confirmed(world.session, number):
            fax.decide_fax(world.session, actor=world.support, number=number, confirm=True)


def _enter_and_submit(world: _World, office: Actor, scenario: Scenario, urgent: bool) -> str:
    """The wizard's steps and submit, as the office does them; returns the order number."""
    session, rng = world.session, world.rng
    today = clock.today()
    service = today + timedelta(days=rng.randint(2 if urgent else 5, 3 if urgent else 21))
    plan = world.plans[scenario.plan_code]
    if scenario.program not in order_entry.programs_for(session, plan_id=id_of(plan), on=service):
        return ""
    order_id, result = order_entry.start_draft(
        session,
        actor=office,
        plan_id=id_of(plan),
        program=scenario.program.value,
        service_date=service,
        today=today,
    )
    _check(result, "start the draft")
    assert order_id is not None  # else _check raised
    for member in rng.sample(world.members[id_of(plan)], k=min(8, len(world.members[id_of(plan)]))):
        if order_entry.choose_member(
            session, actor=office, order_id=order_id, member_id=id_of(member), confirmed=True
        ).ok:
            break
    else:
        raise HistoryStepRefused(f"no member of {plan.code} could be chosen for {scenario.program.value}")
    ordering = rng.choice(world.practice_providers[office.practice_ids[0]])
    kind, servicing = _servicing(world, scenario)
    address = f"{ordering.address_line}, {ordering.city}, {ordering.state} {ordering.postal_code}"

    def choose(out_of_network_confirmed: bool) -> order_entry.StepResult:
        return order_entry.choose_providers(
            session,
            actor=office,
            order_id=order_id,
            ordering_provider_id=id_of(ordering),
            servicing_kind=kind,
            servicing_id=servicing,
            out_of_network_confirmed=out_of_network_confirmed,
            letter_address=address,
            letter_fax=world.letter_fax[office.practice_ids[0]],
        )

    chosen = choose(False)
    if "servicing" in chosen.errors:  # out of network: the office confirms it, as the wizard asks
        chosen = choose(True)
    _check(chosen, "choose the providers")
    details = dict(scenario.details)
    if scenario.program == Program.REHABILITATION:
        details["initial_evaluation_date"] = (service - timedelta(days=7)).isoformat()
    _check(
        order_entry.save_program_details(
            session, actor=office, order_id=order_id, details=details, codes=list(scenario.codes)
        ),
        "answer the program's questions",
    )
    if scenario.program == Program.REHABILITATION:  # the step fills in the visits the program allocates
        episodes.apply_visit_allocation(session, actor=office, order_id=order_id)
    _check(
        order_entry.save_diagnoses(session, actor=office, order_id=order_id, codes=list(scenario.diagnoses)),
        "add the diagnoses",
    )
    _check(
        order_entry.save_urgency_and_date(
            session,
            actor=office,
            order_id=order_id,
            urgency="urgent" if urgent else "standard",
            urgency_reason=_URGENT_REASON if urgent else "",
            service_date=service,
            today=today,
        ),
        "give urgency and date",
    )
    submitted = submit_order(session, actor=office, order_id=order_id)
    if submitted.duplicates:  # a similar request is on file: the office says this one is needed too
        submitted = submit_order(session, actor=office, order_id=order_id, duplicates_acknowledged=True)
    if not submitted.submitted:
        raise HistoryStepRefused(f"submit refused: {submitted.problems}")
    world.counts["submitted"] = world.counts.get("submitted", 0) + 1
    return submitted.order_number


def _survey(world: _World, office: Actor, number: str) -> None:
    """The order summary offers the month's survey (services/survey.py): most answer, some say "Not now"."""
    offer = survey.offer_survey(world.session, actor=office, order_number=number)
    if offer is None:
        return
    roll = world.rng.random()
    if roll < 0.6:
        answers, comment = draw_survey_answers(world.rng)
        survey.answer_survey(
            world.session, actor=office, survey_id=offer.survey_id, answers=answers, comment=comment
        )
        world.counts["surveys answered"] = world.counts.get("surveys answered", 0) + 1
    elif roll < 0.85:
        survey.dismiss_survey(world.session, actor=office, survey_id=offer.survey_id)


def _check(result: order_entry.StepResult, step: str) -> None:
    if not result.ok:
        raise HistoryStepRefused(f"could not {step}: {result.errors}")


def _servicing(world: _World, scenario: Scenario) -> tuple[str, int]:
    if scenario.servicing in world.facilities:
        return "facility", id_of(world.rng.choice(world.facilities[scenario.servicing]))
    return "provider", id_of(world.rng.choice(world.providers[scenario.servicing]))


def _status(world: _World, number: str) -> OrderStatus:
    order = world.session.exec(select(Order).where(Order.order_number == number)).one()
    world.session.refresh(order)
    return OrderStatus(order.status)


def _cancel(world: _World, office: Actor, number: str, reason: str) -> None:
    if _status(world, number) not in orders.CANCELLABLE:
        return
    orders.cancel_order(
        world.session, actor=office, order_number=number, entered_in_error=False, reason=reason
    )
    world.counts["cancelled"] = world.counts.get("cancelled", 0) + 1


def _claim(world: _World, reviewer: Actor, number: str) -> review.CaseView | None:
    """The reviewer opens the case and claims its task; None when nothing waits for them."""
    case = review.open_case(world.session, actor=reviewer, order_number=number)
    if not case.task_id:
        return None
    if "claim" in case.actions:  # claiming changes the task, not the order: the version holds
        review.claim_task(world.session, actor=reviewer, task_id=case.task_id)
    return case


def _version(world: _World, number: str) -> int:
    """The order's version now (each decision moves it on), as the reviewer's page shows it."""
    order = world.session.exec(select(Order).where(Order.order_number == number)).one()
    world.session.refresh(order)
    return order.version


def _approve_all(world: _World, reviewer: Actor, number: str, note: str) -> None:
    review.open_case(world.session, actor=reviewer, order_number=number)
    for line_number, _ in review.lines_awaiting_decision(world.session, actor=reviewer, order_number=number):
        review.approve_line(
            world.session,
            actor=reviewer,
            order_number=number,
            line_number=line_number,
            version=_version(world, number),
            note=note,
        )


def _deny_all(world: _World, reviewer: Actor, number: str, text: str) -> None:
    """Deny every line waiting, each on the first criterion of the guideline the request does not meet."""
    case = review.open_case(world.session, actor=reviewer, order_number=number)
    for line_number, _ in review.lines_awaiting_decision(world.session, actor=reviewer, order_number=number):
        line = next(item for item in case.lines if item.line_number == line_number)
        unmet = [c[0] for c in line.criteria if c[3] != "met"] or [c[0] for c in line.criteria] or ["other"]
        review.deny_line(
            world.session,
            actor=reviewer,
            order_number=number,
            line_number=line_number,
            version=_version(world, number),
            reason_code=unmet[0],
            text=text,
        )


def _book_call(world: _World, office: Actor, number: str) -> datetime | None:
    slots = review.peer_to_peer_slots(world.session, actor=office, order_number=number)
    if not slots:
        return None
    appointment_id, _ = world.rng.choice(slots)
    review.choose_peer_to_peer_slot(
        world.session,
        actor=office,
        order_number=number,
        appointment_id=appointment_id,
        callback_phone="555-0142",
    )
    call = world.session.get(PeerToPeerAppointment, appointment_id)
    if call is None or call.starts_at is None:
        return None
    return (
        call.starts_at if call.starts_at.tzinfo else call.starts_at.replace(tzinfo=UTC)
    )  # SQLite: naive UTC


def _record_call(world: _World, number: str, held: bool) -> None:
    case = review.open_case(world.session, actor=world.physician, order_number=number)
    scheduled = [call_id for call_id, _, status in case.peer_to_peer if status.startswith("Scheduled")]
    if not scheduled:
        return
    review.record_peer_to_peer_outcome(
        world.session,
        actor=world.physician,
        appointment_id=scheduled[0],
        outcome=(
            "Spoke with the ordering physician about the history and the treatment so far."
            if held
            else "No answer at the number given; left a message with the office."
        ),
        held=held,
    )
    world.counts["peer-to-peer held" if held else "peer-to-peer missed"] = (
        world.counts.get("peer-to-peer held" if held else "peer-to-peer missed", 0) + 1
    )


# --- the demo's parties -------------------------------------------------------------------------


def _world(session: Session, rng: random.Random) -> _World:
    plans = {plan.code: plan for plan in session.exec(select(HealthPlan)).all()}
    today = clock.today()
    members: dict[int, list[Member]] = {}
    for member in session.exec(
        select(Member).where(col(Member.eligibility_end).is_(None)).order_by(col(Member.id))
    ).all():
        if age_on(member.date_of_birth, today) >= _ADULT:
            members.setdefault(member.plan_id, []).append(member)
    facilities: dict[str, list[Facility]] = {}
    for facility in session.exec(select(Facility).order_by(col(Facility.id))).all():
        facilities.setdefault(str(facility.facility_type), []).append(facility)
    providers: dict[str, list[Provider]] = {}
    for provider in session.exec(select(Provider).order_by(col(Provider.id))).all():
        providers.setdefault(provider.specialty, []).append(provider)
    offices = {username: demo_actor(session, username) for username in _OFFICES}
    practice_providers: dict[int, list[Provider]] = {}
    for actor in offices.values():
        practice = session.get(Practice, actor.practice_ids[0])
        assert practice is not None
        practice_providers[id_of(practice)] = list(
            session.exec(
                select(Provider).where(Provider.tax_id == practice.tax_id).order_by(col(Provider.id))
            ).all()
        )
    return _World(
        session=session,
        rng=rng,
        offices=offices,
        support=demo_actor(session, "support"),
        letter_fax={pid: providers[0].fax for pid, providers in practice_providers.items()},
        nurse=demo_actor(session, _NURSE),
        physician=demo_actor(session, _PHYSICIAN),
        appeals=demo_actor(session, _APPEALS),
        plans=plans,
        members=members,
        facilities=facilities,
        providers=providers,
        practice_providers=practice_providers,
        counts={},
    )


def _office_recipients(session: Session) -> list[User]:
    """The ordering-office users of the demo practices: who is told about the history's events."""
    tax_ids = [spec.tax_id for spec in PRACTICES]
    return list(
        session.exec(
            select(User)
            .join(PracticeMembership, col(PracticeMembership.user_id) == User.id)
            .join(Practice, col(Practice.id) == PracticeMembership.practice_id)
            .where(
                col(Practice.tax_id).in_(tax_ids),
                User.role == Role.ORDERING_PROVIDER_STAFF,
                User.status == UserStatus.ACTIVE,
            )
            .distinct()
        ).all()
    )


def _set_preferences(session: Session, preferences: dict[int | None, str]) -> None:
    for user_id, preference in preferences.items():
        session.exec(update(User).where(col(User.id) == user_id).values(email_preference=preference))
    session.commit()


def _mark_old_notices_read(session: Session, recipients: list[User], end: datetime) -> None:
    session.exec(
        update(Notice)
        .where(
            col(Notice.recipient_user_id).in_([user.id for user in recipients]),
            col(Notice.read_at).is_(None),
            col(Notice.created_at) < end - timedelta(days=7),
        )
        .values(read_at=end - timedelta(days=7))
    )
    session.commit()


__all__ = ["MARKER", "SCENARIOS", "history_window", "is_loaded", "load_demo_year"]
