"""The signed-in home page's lists (services/home.py): what each role sees, paged, each row linking to
the thing itself, and refused to the other roles."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from portal_app.domain.enums import (
    ChangeRequestStatus,
    DataFileKind,
    DataLoadStatus,
    FaxConfirmationStatus,
    OutboxFaxStatus,
    PeerToPeerStatus,
    Role,
    TaskStatus,
    UserStatus,
)
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
    Order,
    OrderDiagnosis,
    OrderLine,
    OutboxFax,
    PeerToPeerAppointment,
    Practice,
    Provider,
    ReviewTask,
    User,
)
from portal_app.models.device_data import ImportSource, ImportStatus
from portal_app.services import home, order_entry, review
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import OrderNotFound
from portal_app.services.request_again import request_again
from tests.conftest import BACKENDS
from tests.integration.order_helpers import LOW_BACK, PENDING_LOW_BACK, TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

NOW = datetime.combine(TODAY, time(9, 0), UTC)
# Imaging members of the demo plan EVG without demo orders (as in test_review.py).
MEMBERS = [f"EVG1000000{n:02d}" for n in range(12, 100, 4)]


@pytest.fixture
def demo(session, demo_data):
    """The demo data with its own waiting cases set aside, so each test sees only what it makes."""
    load_demo_data(session)
    for task in session.exec(select(ReviewTask)).all():
        task.status = TaskStatus.DONE
        session.add(task)
    session.commit()
    return session


def _titles(result: home.HomeList) -> list[str]:
    return [item.title for item in result[0]]


def _submitted(session, office, member: str, details=PENDING_LOW_BACK) -> str:
    order_id = draft_order(session, office, member=member, details=details)
    return submit_order(session, actor=office, order_id=order_id, today=TODAY).order_number


def _order(session, number: str) -> Order:
    return session.exec(select(Order).where(Order.order_number == number)).one()


# --- ordering provider office ---


def test_drafts_to_finish_lists_the_callers_drafts_paged_each_resuming_the_wizard(demo):
    office, colleague = actor_for(demo, "ordering"), actor_for(demo, "ordering2")
    before = home.drafts_to_finish(demo, actor=office, now=NOW)[1]
    mine = [draft_order(demo, office, member=member) for member in MEMBERS[:6]]
    plan_id = demo.exec(select(HealthPlan.id).where(HealthPlan.code == "EVG")).one()
    order_entry.start_draft(
        demo,
        actor=colleague,
        plan_id=plan_id,
        program="imaging",
        service_date=TODAY + timedelta(days=7),
        today=TODAY,
    )

    first, total = home.drafts_to_finish(demo, actor=office, now=NOW)
    second, _ = home.drafts_to_finish(demo, actor=office, now=NOW, page=1)

    assert total == before + 6  # the colleague's draft is not the caller's work
    assert len(first) == home.PAGE_SIZE and len(second) == total - home.PAGE_SIZE
    hrefs = {item.href for item in first + second}
    assert {f"/orders/new?draft={order_id}" for order_id in mine} <= hrefs
    assert first[0].title == "Resume: Radiology and cardiology imaging"


def test_waiting_on_office_shows_information_asked_with_the_pend_clock(demo):
    office, nurse = actor_for(demo, "ordering"), actor_for(demo, "nurse")
    number = _submitted(demo, office, MEMBERS[0])
    assert number not in _titles(home.waiting_on_office(demo, actor=office, now=NOW))
    review.request_information(
        demo,
        actor=nurse,
        order_number=number,
        version=_order(demo, number).version,
        message="Please send the physical therapy notes.",
    )

    items, total = home.waiting_on_office(demo, actor=office, now=NOW)

    [item] = [item for item in items if item.title == number]
    assert total >= 1 and item.href == f"/orders/{number}"
    assert item.detail == "Information asked"
    assert item.when.startswith("Answer by ") or item.flag == "Overdue"
    # The same case does not wait on the colleague's office (another practice).
    assert number not in _titles(home.waiting_on_office(demo, actor=actor_for(demo, "ordering2"), now=NOW))


def test_waiting_on_office_says_overdue_once_the_clock_has_run_out(demo):
    office, nurse = actor_for(demo, "ordering"), actor_for(demo, "nurse")
    number = _submitted(demo, office, MEMBERS[1])
    review.request_information(
        demo, actor=nurse, order_number=number, version=_order(demo, number).version, message="Notes, please."
    )
    task = demo.exec(select(ReviewTask).where(ReviewTask.order_id == _order(demo, number).id)).all()[-1]
    due = task.office_reply_due
    assert due is not None
    later = (due if due.tzinfo else due.replace(tzinfo=UTC)) + timedelta(hours=1)

    [item] = [i for i in home.waiting_on_office(demo, actor=office, now=later)[0] if i.title == number]

    assert item.flag == "Overdue" and item.when.startswith("The answer was due ")


def test_decisions_since_last_visit_lists_decided_orders_after_the_previous_session(demo):
    office, nurse = actor_for(demo, "ordering"), actor_for(demo, "nurse")
    number = _submitted(demo, office, MEMBERS[2])
    now = datetime.now(UTC)
    # The previous visit ended an hour ago; the current session began just now.
    demo.add(
        AuthSession(
            user_id=office.user_id,
            created_at=now - timedelta(hours=2),
            last_seen_at=now - timedelta(hours=1),
            expires_at=now - timedelta(minutes=30),
        )
    )
    demo.commit()
    assert number not in _titles(home.decisions_since_last_visit(demo, actor=office, now=now))

    review.approve_line(
        demo, actor=nurse, order_number=number, line_number=1, version=_order(demo, number).version
    )
    items, _ = home.decisions_since_last_visit(demo, actor=office, now=datetime.now(UTC))

    [item] = [item for item in items if item.title == number]
    assert item.href == f"/orders/{number}" and item.detail.endswith("Authorized")
    assert item.when.startswith("Decided ")


def test_decisions_before_the_last_visit_are_not_listed_again(demo):
    office, nurse = actor_for(demo, "ordering"), actor_for(demo, "nurse")
    number = _submitted(demo, office, MEMBERS[3])
    review.approve_line(
        demo, actor=nurse, order_number=number, line_number=1, version=_order(demo, number).version
    )
    now = datetime.now(UTC) + timedelta(minutes=5)
    demo.add(
        AuthSession(user_id=office.user_id, last_seen_at=now - timedelta(minutes=1), expires_at=now)
    )  # seen after the decision
    demo.commit()

    assert number not in _titles(home.decisions_since_last_visit(demo, actor=office, now=now))


def _approved(session, office, member: str, valid_until: date) -> str:
    number = _submitted(session, office, member, details=LOW_BACK)  # the guideline is met: approved at once
    order = _order(session, number)
    assert order.status == "authorized"
    for determination in session.exec(
        select(Determination).join(OrderLine).where(OrderLine.order_id == order.id)
    ).all():
        determination.valid_until = valid_until
        session.add(determination)
    session.commit()
    return number


def test_approvals_expiring_in_the_next_14_days_offer_request_again(demo):
    office = actor_for(demo, "ordering")
    soon = _approved(demo, office, MEMBERS[4], NOW.date() + timedelta(days=10))
    later = _approved(demo, office, MEMBERS[5], NOW.date() + timedelta(days=15))
    ended = _approved(demo, office, MEMBERS[6], NOW.date() - timedelta(days=1))

    items, _ = home.approvals_expiring(demo, actor=office, now=NOW)

    assert (
        soon in _titles((items, 0)) and later not in _titles((items, 0)) and ended not in _titles((items, 0))
    )
    [item] = [item for item in items if item.title == soon]
    assert item.request_again == soon
    assert item.when == f"Approval ends {(NOW.date() + timedelta(days=10)).isoformat()}"


def test_request_again_opens_a_draft_filled_in_from_the_old_order(demo):
    office = actor_for(demo, "ordering")
    ends = NOW.date() + timedelta(days=10)
    old = _order(demo, _approved(demo, office, MEMBERS[8], ends))

    draft_id = request_again(demo, actor=office, order_number=str(old.order_number), today=NOW.date())

    snapshot = order_entry.get_draft(demo, actor=office, order_id=draft_id)
    assert snapshot.member is not None and snapshot.member.member_number == MEMBERS[8]
    assert snapshot.plan_id == old.plan_id and snapshot.program == old.program
    assert snapshot.service_date == (ends + timedelta(days=1)).isoformat()
    assert list(snapshot.codes) == ["72148"] and snapshot.details == old.details
    assert [code for code, _ in snapshot.diagnoses] == [
        d.code for d in demo.exec(select(OrderDiagnosis).where(OrderDiagnosis.order_id == old.id)).all()
    ]
    with pytest.raises(OrderNotFound):  # another practice's order is not theirs to copy
        request_again(demo, actor=actor_for(demo, "ordering2"), order_number=str(old.order_number))


def test_the_office_lists_are_refused_to_other_roles(demo):
    nurse = actor_for(demo, "nurse")
    for read in (
        home.drafts_to_finish,
        home.waiting_on_office,
        home.decisions_since_last_visit,
        home.approvals_expiring,
    ):
        with pytest.raises(PermissionDenied):
            read(demo, actor=nurse, now=NOW)
    with pytest.raises(PermissionDenied):
        home.read_list(demo, actor=nurse, key="drafts", now=NOW)


# --- servicing provider office ---


def test_servicing_staff_see_recent_orders_naming_their_practice(demo):
    office, servicing = actor_for(demo, "ordering"), actor_for(demo, "servicing")
    number = _submitted(demo, office, MEMBERS[9])
    assert number not in _titles(home.orders_naming_my_practice(demo, actor=servicing, now=datetime.now(UTC)))
    site = demo.get(Facility, _order(demo, number).facility_id)
    site.tax_id = demo.exec(select(Practice.tax_id).where(Practice.id == servicing.practice_ids[0])).one()
    demo.add(site)
    demo.commit()

    items, _ = home.orders_naming_my_practice(demo, actor=servicing, now=datetime.now(UTC))

    [item] = [item for item in items if item.title == number]
    # Servicing offices may not open the order's page: the row opens its verification, filled in.
    assert item.href == f"/verify?order={number}" and "In Progress" in item.detail
    with pytest.raises(PermissionDenied):
        home.orders_naming_my_practice(demo, actor=office, now=NOW)


# --- reviewers ---


def test_a_nurse_sees_claimed_cases_and_what_is_due_today_or_overdue(demo):
    office, nurse = actor_for(demo, "ordering"), actor_for(demo, "nurse")
    claimed, due, later = (_submitted(demo, office, member) for member in MEMBERS[10:13])
    now = datetime.now(UTC)
    tasks = {}
    for number, due_at in (
        (claimed, now + timedelta(days=3)),
        (due, now - timedelta(hours=1)),
        (later, now + timedelta(days=3)),
    ):
        task = demo.exec(select(ReviewTask).where(ReviewTask.order_id == _order(demo, number).id)).one()
        task.due_at = due_at
        demo.add(task)
        tasks[number] = task
    demo.commit()
    review.claim_task(demo, actor=nurse, task_id=tasks[claimed].id)

    mine = home.my_claimed_cases(demo, actor=nurse, now=now)
    due_now = home.due_in_my_queue(demo, actor=nurse, now=now)

    assert _titles(mine) == [claimed] and mine[0][0].href == f"/review/case/{claimed}"
    assert due in _titles(due_now) and later not in _titles(due_now)
    assert next(i for i in due_now[0] if i.title == due).flag == "Overdue"
    assert _titles(home.my_claimed_cases(demo, actor=actor_for(demo, "physician"), now=now)) == []


def test_a_physician_sees_the_peer_to_peer_calls_booked_for_today(demo):
    office, physician = actor_for(demo, "ordering"), actor_for(demo, "physician")
    number = _submitted(demo, office, MEMBERS[13])
    order_id = _order(demo, number).id
    today_at = datetime.combine(NOW.date(), time(15, 0), UTC)
    for starts_at, status, reviewer in (
        (today_at, PeerToPeerStatus.SCHEDULED, physician.user_id),
        (today_at + timedelta(days=1), PeerToPeerStatus.SCHEDULED, physician.user_id),
        (today_at, PeerToPeerStatus.OFFERED, physician.user_id),
        (today_at, PeerToPeerStatus.SCHEDULED, actor_for(demo, "appeals").user_id),
    ):
        demo.add(
            PeerToPeerAppointment(
                order_id=order_id,
                requested_by_id=office.user_id,
                reviewer_id=reviewer,
                status=status,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=20),
                callback_phone="312-555-0100",
            )
        )
    demo.commit()

    items, total = home.calls_booked_today(demo, actor=physician, now=NOW)

    assert total == 1 and items[0].title == number and items[0].href == f"/review/case/{number}"
    assert items[0].when == "At 2026-11-23 15:00 UTC"


# --- support ---


def test_support_sees_registrations_changes_held_items_and_failed_imports(demo):
    support = actor_for(demo, "support")
    office = actor_for(demo, "ordering")
    before = {
        key: home.read_list(demo, actor=support, key=key, now=NOW)[1]
        for key in ("registrations", "changes", "held", "imports")
    }
    demo.add(
        User(
            email="new@clinic.test",
            username="newclinic",
            password_hash="x",
            full_name="Nina Newclinic",
            role=Role.ORDERING_PROVIDER_STAFF,
            status=UserStatus.PENDING_SUPPORT_APPROVAL,
        )
    )
    provider = demo.exec(select(Provider)).first()
    demo.add(
        DemographicChangeRequest(
            provider_id=provider.id,
            field="phone",
            old_values={"phone": "1"},
            new_values={"phone": "2"},
            effective_date=NOW.date(),
            status=ChangeRequestStatus.PENDING,
            requested_by_id=office.user_id,
        )
    )
    demo.add(FaxNumber(number="312-555-0199", status=FaxConfirmationStatus.AWAITING_SUPPORT))
    demo.add(OutboxFax(to_number="312-555-0198", subject="Letter", status=OutboxFaxStatus.HELD))
    demo.add(
        DeviceDataImport(
            status=ImportStatus.HELD,
            source=ImportSource.UPLOAD,
            file_member_number="X1",
            file_member_name="A B",
            file_birth_date=date(1970, 1, 1),
            source_format="csv",
            sha256="0" * 64,
            size_bytes=1,
            night_count=1,
            first_night=NOW.date(),
            last_night=NOW.date(),
        )
    )
    plan_id = demo.exec(select(HealthPlan.id)).first()
    demo.add(
        DataLoad(
            plan_id=plan_id,
            kind=DataFileKind.MEMBERS,
            file_name="members.csv",
            file_format="csv",
            status=DataLoadStatus.REJECTED,
            started_at=NOW - timedelta(days=1),
            error_count=3,
        )
    )
    demo.add(
        DataLoad(
            plan_id=plan_id,
            kind=DataFileKind.MEMBERS,
            file_name="old.csv",
            file_format="csv",
            status=DataLoadStatus.FAILED,
            started_at=NOW - timedelta(days=40),
        )
    )
    demo.commit()

    after = {key: home.read_list(demo, actor=support, key=key, now=NOW) for key in before}

    assert after["registrations"][1] == before["registrations"] + 1
    assert "Nina Newclinic" in _titles(after["registrations"])
    assert after["changes"][1] == before["changes"] + 2
    assert after["held"][1] == before["held"] + 2
    assert after["imports"][1] == before["imports"] + 1 and "members.csv" in _titles(after["imports"])
    assert all(item.href.startswith("/admin/") for result in after.values() for item in result[0])
    with pytest.raises(PermissionDenied):
        home.registrations_waiting(demo, actor=office, now=NOW)


def test_support_change_requests_page_across_changes_and_fax_numbers(demo):
    support, office = actor_for(demo, "support"), actor_for(demo, "ordering")
    provider = demo.exec(select(Provider)).first()
    for n in range(4):
        demo.add(
            DemographicChangeRequest(
                provider_id=provider.id,
                field="fax",
                old_values={},
                new_values={"fax": str(n)},
                effective_date=NOW.date(),
                status=ChangeRequestStatus.PENDING,
                requested_by_id=office.user_id,
            )
        )
        demo.add(FaxNumber(number=f"312-555-01{n:02d}", status=FaxConfirmationStatus.AWAITING_SUPPORT))
    demo.commit()
    total = home.change_requests_waiting(demo, actor=support, now=NOW)[1]

    pages = [home.change_requests_waiting(demo, actor=support, now=NOW, page=p)[0] for p in range(3)]

    seen = [item.title for page in pages for item in page]
    assert len(seen) == total  # every row once, none twice across pages
    assert [title for title in seen if title.startswith("Fax number 312-555-01")] == [
        f"Fax number 312-555-01{n:02d}" for n in range(4)
    ]
    assert seen.count("Change of fax") == 4


# --- imaging facility staff ---


def test_facility_staff_see_their_sites_scores_and_what_changes_soon(demo):
    facility_user = actor_for(demo, "facility")
    mine, other = demo.exec(select(Facility)).all()[:2]
    before = home.my_site_scores(demo, actor=facility_user, now=NOW)[1]
    soon_before = home.site_scores_expiring(demo, actor=facility_user, now=NOW)[1]
    demo.add(FacilityRegistration(user_id=facility_user.user_id, facility_id=mine.id, status="submitted"))
    demo.add(
        FacilityModalityScore(
            facility_id=mine.id,
            modality="mri",
            score=80,
            computed_on=NOW.date(),
            rescore_on=NOW.date() + timedelta(days=20),
        )
    )
    demo.add(
        FacilityModalityScore(
            facility_id=mine.id,
            modality="ct",
            score=70,
            computed_on=NOW.date(),
            rescore_on=NOW.date() + timedelta(days=200),
        )
    )
    demo.add(FacilityModalityScore(facility_id=other.id, modality="mri", score=50, computed_on=NOW.date()))
    demo.commit()

    scores, total = home.my_site_scores(demo, actor=facility_user, now=NOW)
    soon, soon_total = home.site_scores_expiring(demo, actor=facility_user, now=NOW)

    scores = home.my_site_scores(demo, actor=facility_user, now=NOW, page_size=50)[0]
    assert total == before + 2 and {f"{mine.name}: mri", f"{mine.name}: ct"} <= {
        item.title for item in scores
    }
    assert f"{other.name}: mri" not in {item.title for item in scores}
    [mri] = [item for item in soon if item.title == f"{mine.name}: mri"]
    assert soon_total == soon_before + 1 and mri.flag == "Expires soon" and mri.href == "/facility/scores"
