"""Rehabilitation and sleep requests through the wizard: a second physical therapy request for low
back pain whose ODI improved by less than its minimal clinically important difference (and no
mitigating factor) gets the reduced visit allocation with the reason shown; a CPAP resupply request
shows the adherence computed from a device file the office uploaded."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from portal_app.domain.enums import OrderStatus, Program
from portal_app.domain.order_numbers import new_order_number
from portal_app.models import Order
from portal_app.services import episodes
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.order_submission import submit_order
from tests.e2e.pages.order_wizard import EVERGREEN, OrderWizard
from tests.e2e.pages.portal import navigate, sign_in_reusing_session
from tests.integration.order_helpers import actor_for, draft_order, member_by_number

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
LAKESHORE = "Lakeshore Community Care (demo)"
REHAB_MEMBER = "LKS100000053"
SLEEP_MEMBER = "EVG100000072"
# A Monday at least two weeks ahead.
SERVICE = date.today() + timedelta(days=14)
SERVICE += timedelta(days=(7 - SERVICE.weekday()) % 7)
# The first treatment request, long enough ago that its 90-day approval has ended (no duplicate notice).
FIRST_VISIT = date.today() - timedelta(days=120)
EPISODE_START = FIRST_VISIT - timedelta(days=7)


def _signed_in(page: Page) -> OrderWizard:
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    return OrderWizard(page)


def _order_number(page: Page) -> str:
    expect(page).to_have_url(re.compile(r"/orders/PC\d{4}[0-9A-Z]{9}$"))
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
    return page.url.rsplit("/", 1)[-1]


def _line(page: Page, code: str):
    return page.get_by_role("group", name=f"Requested {code}")


def _first_pt_request(portal_db) -> None:
    """The episode's first treatment request: ODI 40 at baseline, authorized for 10 visits."""
    office = actor_for(portal_db)
    details = {
        "discipline": "PT",
        "request_type": "first_treatment",
        "body_region": "low_back",
        "initial_evaluation_date": EPISODE_START.isoformat(),
        "outcome_tool": "ODI",
        "current_score": 40,
    }
    order_id = draft_order(
        portal_db,
        office,
        member=REHAB_MEMBER,
        program="rehabilitation",
        details=details,
        codes=["97110"],
        diagnoses=["M54.50"],
        service=SERVICE,
    )
    assert episodes.apply_visit_allocation(portal_db, actor=office, order_id=order_id) == 10
    order = portal_db.get(Order, order_id)
    order.service_start = FIRST_VISIT  # as if requested back then
    portal_db.add(order)
    portal_db.commit()
    assert submit_order(portal_db, actor=office, order_id=order_id, today=FIRST_VISIT).status == "Authorized"


def test_a_second_pt_request_with_little_odi_progress_gets_the_reduced_allocation_with_the_reason(
    page: Page, portal_db
):
    _first_pt_request(portal_db)
    wizard = _signed_in(page)
    wizard.start(REHAB_MEMBER, SERVICE, plan=LAKESHORE, program="Rehabilitation")
    wizard.describe_therapy(
        discipline="Physical therapy",
        body_region="Low back",
        request_type="Second or later treatment request",
    )
    expect(
        page.get_by_text(
            re.compile(f"continues the episode with the initial evaluation on {EPISODE_START:%m/%d/%Y}")
        )
    ).to_be_visible()
    expect(page.get_by_label("Initial evaluation date of the episode")).to_have_value(
        EPISODE_START.isoformat()
    )
    wizard.enter_outcome_total("Oswestry Disability Index (ODI)", 34)
    expect(
        page.get_by_text(
            re.compile(
                "Change from the baseline of 40: 6 points of improvement, which is less than the minimal "
                "clinically important difference of 10 points"
            )
        )
    ).to_be_visible()
    wizard.check(re.compile(r"^97110 "))
    expect(page.get_by_text("The program recommends 4 visits (the usual allocation is 10).")).to_be_visible()
    reasons = page.get_by_role("list", name="Reasons for the visit recommendation")
    expect(reasons).to_contain_text("less than its minimal clinically important difference of 10 points")
    expect(reasons).to_contain_text("no mitigating factor or change to the plan of care is documented")
    expect(page.get_by_text(re.compile("On submit, the request is authorized for 4 visits"))).to_be_visible()
    wizard.finish("M54.50")

    _order_number(page)
    line = _line(page, "97110")
    expect(line).to_contain_text("Decision: Authorized")
    criteria = page.get_by_role("list", name="Criteria for 97110")
    expect(criteria).to_contain_text("Visits recommended: 4 (the usual allocation is 10).")
    expect(criteria).to_contain_text(
        "The Oswestry Disability Index (ODI) score improved by 6 points, less than its minimal clinically "
        "important difference of 10 points"
    )
    expect(page.get_by_role("main")).to_contain_text("40 to 34: improved by 6 points, which is below")


def _office_request_for(portal_db, member_number: str) -> None:
    """An earlier (imaging) request of the ordering office for the member, so its device data attaches."""
    office, member = actor_for(portal_db, "ordering"), member_by_number(portal_db, member_number)
    portal_db.add(
        Order(
            order_number=new_order_number(2026),
            program=Program.IMAGING,
            plan_id=member.plan_id,
            member_id=member.id,
            practice_id=office.practice_ids[0],
            status=OrderStatus.VOLUNTARILY_CANCELLED,
            created_by_id=office.user_id,
            updated_by_id=office.user_id,
        )
    )
    portal_db.commit()


def _device_file(portal_db, tmp_path: Path, setup: date) -> Path:
    """A device cloud's CSV export for the member: 24 of the 30 nights from night 11 over 4 hours."""
    member = member_by_number(portal_db, SLEEP_MEMBER)
    usage = [180] * 10 + ([0] + [300] * 4) * 6 + [200] * 50
    rows = ["member_id,member_name,date_of_birth,date,usage_minutes,ahi,leak"]
    rows += [
        f"{member.member_number},{member.first_name} {member.last_name},{member.date_of_birth.isoformat()},"
        f"{(setup + timedelta(days=offset)).isoformat()},{minutes},2.4,11.5"
        for offset, minutes in enumerate(usage)
    ]
    path = tmp_path / "airview-export.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_cpap_resupply_request_shows_the_adherence_from_an_uploaded_device_file(
    page: Page, portal_db, tmp_path
):
    setup = date.today() - timedelta(days=100)
    window = setup + timedelta(days=10)
    _office_request_for(portal_db, SLEEP_MEMBER)  # device data is attached only for the office's patients
    wizard = _signed_in(page)
    navigate(page, "PAP device data")
    expect(page.get_by_role("heading", name="PAP device data")).to_be_visible()
    page.get_by_label("Member ID").fill(SLEEP_MEMBER)
    page.locator("#device_file input[type=file]").set_input_files(
        str(_device_file(portal_db, tmp_path, setup))
    )
    page.get_by_role("button", name="Upload device data").click()
    result = page.get_by_role("status").filter(has_text="airview-export.csv")
    expect(result).to_contain_text(f"was added to member {SLEEP_MEMBER}'s device data (90 nights")
    expect(result).to_contain_text("24 of 30 nights with 4 hours of use or more")

    wizard.start(SLEEP_MEMBER, SERVICE, plan=EVERGREEN, program="Sleep")
    wizard.request_supplies({"A7032": 2}, model="AirSense 10")
    adherence = page.get_by_role("status", name="PAP adherence")
    expect(adherence).to_contain_text(
        f"24 of 30 nights with 4 hours of use or more, from {window:%m/%d/%Y} to "
        f"{window + timedelta(days=29):%m/%d/%Y} (80 %): this meets the adherence rule"
    )
    expect(adherence).to_contain_text("From 90 nights of device data on file")
    expect(page.get_by_label("PAP setup date")).to_have_value(setup.isoformat())
    expect(
        page.get_by_role("table", name="Nights of the best 30-night window").get_by_role("row")
    ).to_have_count(31)
    wizard.finish("G47.33")

    _order_number(page)
    expect(_line(page, "A7032")).to_contain_text("Decision: Authorized")
    main = page.get_by_role("main")
    expect(main).to_contain_text("PAP use from device data")
    expect(main).to_contain_text(f"24 of 30 nights with 4 hours of use or more, from {window:%m/%d/%Y}")
