"""The demo's two cases waiting in the nurse queue, entered by their offices through the wizard's
services and submitted, so that a reviewer trying the demo opens a complete request: providers,
request details, diagnoses and the rules engine's explanation of why it pended.

They keep the order numbers they were first given (``demo_order_number``): tests and the
docs name them. Nothing else holds an order's number, so it is given right after submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import FacilityType, Program
from portal_app.domain.order_numbers import format_order_number
from portal_app.models import Facility, Member, Order, PracticeMembership, User
from portal_app.models.base import id_of
from portal_app.services import order_entry
from portal_app.services.authz import Actor
from portal_app.services.network import in_network_ids
from portal_app.services.order_submission import submit_order


@dataclass(frozen=True)
class DemoOrder:
    sequence: int
    creator_email: str
    practice_tax_id: str
    member_number: str
    code: str
    description: str


# One submitted imaging order per practice, so access between practices can be tried; the
# description is the code list's.
DEMO_ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder(
        1,
        "ordering@demo.precert.test",
        "90-1000001",
        "EVG100000004",
        "72148",
        "MRI of the lower back, no contrast",
    ),
    DemoOrder(
        2,
        "ordering2@demo.precert.test",
        "90-1000002",
        "EVG100000008",
        "70553",
        "MRI of the brain, without and then with contrast",
    ),
)


def demo_order_number(demo_order: DemoOrder) -> str:
    return format_order_number(2026, demo_order.sequence)


# What each office answers: imaging questions that leave the guideline unmet, so the request pends.
_DETAILS = {
    "72148": {
        "modality": "mri",
        "body_part": "lumbar_spine",
        "clinical_indication": "low_back_pain",
        "weeks_of_symptoms": 3,
        "weeks_conservative_care": 1,
        "red_flags": [],
        "site_of_care": "free_standing",
        "clinical_notes": "Low back pain for three weeks after lifting; one week of ibuprofen so far.",
    },
    "70553": {
        "modality": "mri",
        "body_part": "brain",
        "clinical_indication": "headache",
        "weeks_of_symptoms": 6,
        "red_flags": [],
        "site_of_care": "free_standing",
        "clinical_notes": "Daily headaches for six weeks; normal neurological examination.",
    },
}
_DIAGNOSES = {"72148": ["M54.50"], "70553": ["R51.9"]}
DAYS_AHEAD = 10


class DemoCaseRefused(RuntimeError):
    """A service refused a step of a demo case: the demo data and the rules disagree."""


def enter_demo_cases(session: Session) -> int:
    """Enter and submit each demo case not yet on file; returns how many were added."""
    added = 0
    for demo_order in DEMO_ORDERS:
        number = demo_order_number(demo_order)
        if session.exec(select(Order.id).where(Order.order_number == number)).first() is None:
            _enter(session, demo_order, number)
            added += 1
    return added


def _enter(session: Session, demo_order: DemoOrder, number: str) -> None:
    office = _office(session, demo_order.creator_email)
    member = session.exec(select(Member).where(Member.member_number == demo_order.member_number)).one()
    today = clock.today()
    service = today + timedelta(days=DAYS_AHEAD)
    order_id, started = order_entry.start_draft(
        session,
        actor=office,
        plan_id=member.plan_id,
        program=Program.IMAGING.value,
        service_date=service,
        today=today,
    )
    _check(started, "start the draft")
    assert order_id is not None  # else _check raised
    _check(
        order_entry.choose_member(
            session, actor=office, order_id=order_id, member_id=id_of(member), confirmed=True
        ),
        "choose the member",
    )
    # The first of the practice's providers the wizard lists, as an office picks from the list.
    ordering = order_entry.ordering_providers(session, actor=office, order_id=order_id)[0]
    _check(
        order_entry.choose_providers(
            session,
            actor=office,
            order_id=order_id,
            ordering_provider_id=ordering.id,
            servicing_kind="facility",
            servicing_id=_free_standing_in_network(session, member.plan_id),
            out_of_network_confirmed=False,
            letter_address=ordering.address,
            letter_fax=ordering.fax,
        ),
        "choose the providers",
    )
    _check(
        order_entry.save_program_details(
            session,
            actor=office,
            order_id=order_id,
            details=_DETAILS[demo_order.code],
            codes=[demo_order.code],
        ),
        "answer the imaging questions",
    )
    _check(
        order_entry.save_diagnoses(
            session, actor=office, order_id=order_id, codes=_DIAGNOSES[demo_order.code]
        ),
        "add the diagnoses",
    )
    _check(
        order_entry.save_urgency_and_date(
            session,
            actor=office,
            order_id=order_id,
            urgency="standard",
            urgency_reason="",
            service_date=service,
            today=today,
        ),
        "give urgency and date",
    )
    submitted = submit_order(session, actor=office, order_id=order_id)
    if not submitted.submitted:
        raise DemoCaseRefused(f"{number}: submit refused: {submitted.problems or submitted.duplicates}")
    order = session.get(Order, order_id)
    assert order is not None
    order.order_number = number
    session.add(order)
    session.commit()


def _check(result: order_entry.StepResult, step: str) -> None:
    if not result.ok:
        raise DemoCaseRefused(f"the demo case could not {step}: {result.errors}")


def _office(session: Session, email: str) -> Actor:
    user = session.exec(select(User).where(User.email == email)).one()
    practices = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user.id)
    ).all()
    return Actor(user_id=id_of(user), role=user.role, full_name=user.full_name, practice_ids=tuple(practices))


def _free_standing_in_network(session: Session, plan_id: int) -> int:
    facility_id = session.exec(
        select(Facility.id)
        .where(
            Facility.facility_type == FacilityType.FREE_STANDING,
            col(Facility.id).in_(in_network_ids(plan_id, clock.today(), "facility")),
        )
        .order_by(col(Facility.id))
    ).first()
    return facility_id if facility_id is not None else _raise("no free-standing imaging centre in network")


def _raise(problem: str):
    raise DemoCaseRefused(problem)
