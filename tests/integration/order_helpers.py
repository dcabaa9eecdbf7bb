"""Building submitted orders through the services, for integration tests of what comes after.

`draft_order` fills every wizard step of an imaging request the way an office would; submit it
with `portal_app.services.order_submission.submit_order`. With `LOW_BACK` the request meets the
guideline and is authorized at once; with `PENDING_LOW_BACK` (no conservative care yet) it pends
for a nurse.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from portal_app.domain.enums import Role
from portal_app.models import Facility, Member, PracticeMembership, Provider, User
from portal_app.services import order_entry as entry
from portal_app.services.authz import Actor

TODAY = date(2026, 11, 23)  # a Monday
SERVICE = date(2026, 12, 7)
LOW_BACK = {
    "modality": "mri",
    "body_part": "lumbar_spine",
    "clinical_indication": "low_back_pain",
    "weeks_of_symptoms": 8,
    "weeks_conservative_care": 8,
    "red_flags": [],
    "site_of_care": "free_standing",
}
PENDING_LOW_BACK = {**LOW_BACK, "weeks_conservative_care": 0, "weeks_of_symptoms": 2}


def actor_for(session, username: str = "ordering") -> Actor:
    """The Actor of a (demo) user, with the practices they belong to."""
    user = session.exec(select(User).where(User.username == username)).one()
    practices = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user.id)
    ).all()
    return Actor(
        user_id=user.id, role=Role(user.role), full_name=user.full_name, practice_ids=tuple(practices)
    )


def member_by_number(session, number: str) -> Member:
    return session.exec(select(Member).where(Member.member_number == number)).one()


def draft_order(
    session,
    actor,
    *,
    member="EVG100000012",
    details=LOW_BACK,
    code="72148",
    service=SERVICE,
    urgency="standard",
    urgency_reason="",
    program="imaging",
    codes=None,
    diagnoses=("M54.50",),
) -> int:
    """A complete draft of ``actor``'s practice (imaging unless ``program`` says otherwise, with
    ``codes`` or the one ``code``), ready to submit; returns its id."""
    plan_id = member_by_number(session, member).plan_id
    order_id, result = entry.start_draft(
        session, actor=actor, plan_id=plan_id, program=program, service_date=service, today=TODAY
    )
    assert result.ok, result.errors
    assert entry.choose_member(
        session,
        actor=actor,
        order_id=order_id,
        member_id=member_by_number(session, member).id,
        confirmed=True,
    ).ok
    ordering = session.exec(select(Provider).where(Provider.tax_id == "90-1000001")).all()[1]
    facility = session.exec(select(Facility).where(Facility.facility_type == "free_standing")).first()
    assert entry.choose_providers(
        session,
        actor=actor,
        order_id=order_id,
        ordering_provider_id=ordering.id,
        servicing_kind="facility",
        servicing_id=facility.id,
        out_of_network_confirmed=True,
        letter_address="1 Demo Way",
        letter_fax="555-0100",
    ).ok
    saved = entry.save_program_details(
        session, actor=actor, order_id=order_id, details=details, codes=list(codes or [code])
    )
    assert saved.ok, saved.errors
    assert entry.save_diagnoses(session, actor=actor, order_id=order_id, codes=list(diagnoses)).ok
    assert entry.save_urgency_and_date(
        session,
        actor=actor,
        order_id=order_id,
        urgency=urgency,
        urgency_reason=urgency_reason,
        service_date=service,
        today=TODAY,
    ).ok
    return order_id
