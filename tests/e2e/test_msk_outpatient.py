"""Musculoskeletal and outpatient requests through the wizard: a knee replacement authorized for 60
days, a three-line fusion ending in multiple decisions, an epidural recorded as notification only,
and a recurring wheelchair transport with its trip dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from portal_app import clock
from portal_app.services import review
from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.pages.order_wizard import EVERGREEN, OrderWizard
from tests.e2e.pages.portal import sign_in_reusing_session
from tests.e2e.pages.review import OrderSummaryPage
from tests.integration.order_helpers import actor_for

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
LAKESHORE = "Lakeshore Community Care (demo)"
MSK = "Musculoskeletal"
OUTPATIENT = "Transportation and other outpatient services"
# A Monday at least two weeks ahead: recurring trips start on the date of service.
SERVICE = date.today() + timedelta(days=14)
SERVICE += timedelta(days=(7 - SERVICE.weekday()) % 7)


def _signed_in(page: Page) -> OrderWizard:
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    return OrderWizard(page)


def _order_number(page: Page) -> str:
    return OrderSummaryPage(page).wait().order_number


def _line(page: Page, code: str):
    return OrderSummaryPage(page).line(code)


def test_an_outpatient_knee_replacement_is_authorized_for_60_days(page: Page):
    wizard = _signed_in(page)
    wizard.start("EVG100000036", SERVICE, plan=EVERGREEN, program=MSK)
    page.get_by_label("Kind of procedure").select_option(label="Joint surgery (hip, knee, shoulder)")
    page.get_by_label("Procedure", exact=True).select_option(label="Knee replacement")
    page.get_by_label("Side", exact=True).select_option(label="Right")
    page.get_by_label("Setting").select_option(value="outpatient")
    wizard.check(re.compile(r"^27447 "))
    page.get_by_label("Weeks of conservative care").fill("16")
    wizard.check(re.compile("^Advanced arthritis"))
    wizard.finish("M17.11")

    _order_number(page)
    knee = _line(page, "27447")
    expect(knee).to_contain_text("Decision: Authorized")
    until = SERVICE + timedelta(days=59)
    expect(knee).to_contain_text(f"{SERVICE.isoformat()} to {until.isoformat()}")


def test_a_three_line_fusion_is_decided_line_by_line_and_ends_in_multiple_decisions(page: Page, portal_db):
    wizard = _signed_in(page)
    wizard.start("EVG100000040", SERVICE, plan=EVERGREEN, program=MSK)
    page.get_by_label("Kind of procedure").select_option(label="Spine surgery")
    page.get_by_label("Procedure", exact=True).select_option(label="Lower back spine fusion (lumbar)")
    page.get_by_label("Number of spinal levels").fill("1")
    page.get_by_label("Setting").select_option(value="inpatient")
    expect(page.get_by_text(re.compile("initial length of stay for this surgery is"))).to_be_visible()
    for code in ("22612", "20930", "E0748"):
        wizard.check(re.compile(f"^{code} "))
    page.get_by_label("Weeks of conservative care").fill("12")
    wizard.check(re.compile("^A slipped vertebra"))
    wizard.finish("M43.16")

    number = _order_number(page)
    expect(page.get_by_text("In Progress", exact=True).first).to_be_visible()
    expect(_line(page, "22612")).to_contain_text("Decision: Authorized")
    expect(_line(page, "20930")).to_contain_text("Decision: Authorized")
    expect(_line(page, "E0748")).to_contain_text("Decision: Pended")

    # The review (tested through the pages elsewhere): escalated, a peer-to-peer offered, line 3 denied.
    nurse, physician = actor_for(portal_db, "nurse"), actor_for(portal_db, "physician")
    version = review.open_case(portal_db, actor=nurse, order_number=number).version
    review.escalate(
        portal_db, actor=nurse, order_number=number, version=version, note="Stimulator: no risk factor."
    )
    review.offer_peer_to_peer(
        portal_db, actor=physician, order_number=number, slots=[clock.now() + timedelta(days=1)]
    )
    version = review.open_case(portal_db, actor=physician, order_number=number).version
    review.deny_line(
        portal_db,
        actor=physician,
        order_number=number,
        line_number=3,
        version=version,
        reason_code="other",
        text="A first one-level fusion does not need a bone growth stimulator.",
    )

    page.reload()
    expect(page.get_by_text("Multiple Decisions Rendered").first).to_be_visible()
    expect(_line(page, "E0748")).to_contain_text("Decision: Non-Authorized")
    expect(_line(page, "22612")).to_contain_text("Decision: Authorized")


def test_62322_for_post_procedural_pain_is_recorded_as_notification_only(page: Page):
    wizard = _signed_in(page)
    wizard.start("EVG100000044", SERVICE, plan=EVERGREEN, program=MSK)
    page.get_by_label("Kind of procedure").select_option(label="Interventional pain management")
    page.get_by_label("Procedure", exact=True).select_option(label="Epidural steroid injection")
    page.get_by_label("Part of the spine").select_option(label="Lower back (lumbar)")
    page.get_by_label("Number of spinal levels").fill("1")
    wizard.check(re.compile(r"^62322 "))
    page.get_by_label("Weeks of conservative care").fill("6")
    wizard.finish("G89.18")

    _order_number(page)
    expect(page.get_by_text("Completed", exact=True).first).to_be_visible()
    expect(_line(page, "62322")).to_contain_text("Decision: Notification only")


def test_an_emergency_room_fracture_stops_the_wizard_with_the_reason(page: Page):
    wizard = _signed_in(page)
    wizard.start("EVG100000048", SERVICE, plan=EVERGREEN, program=MSK)
    page.get_by_label(re.compile("Is this an emergency-room case")).select_option(value="acute_fracture")
    expect(page.get_by_text(re.compile("No prior authorization is needed"))).to_be_visible()
    expect(page.get_by_label("Kind of procedure")).to_have_count(0)


def test_a_recurring_wheelchair_transport_shows_every_trip_date(page: Page):
    wizard = _signed_in(page)
    wizard.start("LKS100000021", SERVICE, plan=LAKESHORE, program=OUTPATIENT)
    page.get_by_label("Kind of service").select_option(label="Non-emergency ground transportation")
    for end, street, postal in (
        ("Pick-up", "12 Elm Street", "62701"),
        ("Destination", "400 Clinic Road", "62702"),
    ):
        page.get_by_label(f"{end}: street address").fill(street)
        page.get_by_label(f"{end}: city").fill("Springfield")
        page.get_by_label(f"{end}: state or region").fill("IL")
        page.get_by_label(f"{end}: ZIP or postal code").fill(postal)
    page.get_by_label("Kind of trip").select_option(value="recurring")
    for day in ("Monday", "Wednesday", "Friday"):
        wizard.check(day)
    page.get_by_label("First day").fill(SERVICE.isoformat())
    page.get_by_label("Last day").fill((SERVICE + timedelta(days=11)).isoformat())
    expected = [SERVICE + timedelta(days=n) for n in (0, 2, 4, 7, 9, 11)]
    trips = page.get_by_role("list", name="Trip dates").get_by_role("listitem")
    expect(trips).to_have_text([f"{d:%A}, {d:%B} {d.day}, {d.year}" for d in expected])
    page.get_by_label("Help the member needs to travel").select_option(value="wheelchair")
    page.get_by_label("Medical reason for the transport").fill("Dialysis three times a week.")
    wizard.check(re.compile(r"^A0130 "))
    page.get_by_label(re.compile("^Is the trip to or from a covered medical")).select_option(value="yes")
    page.get_by_label(re.compile("^Does the member need a wheelchair")).select_option(value="yes")
    wizard.finish("N18.6")

    _order_number(page)
    expect(_line(page, "A0130")).to_contain_text("Decision: Authorized")
    summary = page.get_by_role("main")
    expect(summary).to_contain_text("Number of trips")
    for d in expected:
        expect(summary).to_contain_text(f"{d.day}, {d.year}")
