"""An ordering office enters imaging requests through the wizard and gets decisions at once."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from portal_app.domain.calendar import add_business_days
from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.pages.order_wizard import OrderWizard
from tests.e2e.pages.portal import sign_in_reusing_session

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
IN_TWO_WEEKS = date.today() + timedelta(days=14)


def _signed_in(page: Page) -> OrderWizard:
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    return OrderWizard(page)


def test_a_lumbar_mri_after_eight_weeks_of_therapy_is_authorized_at_once(page: Page):
    wizard = _signed_in(page)
    wizard.lumbar_mri("EVG100000024", IN_TWO_WEEKS, weeks_of_care=8)
    wizard.submit()
    expect(page).to_have_url(re.compile(r"/orders/PC\d{4}[0-9A-Z]{9}$"))
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
    expect(page.get_by_text("Authorized", exact=True).first).to_be_visible()
    valid_until = (IN_TWO_WEEKS + timedelta(days=29)).isoformat()
    expect(page.get_by_text(f"{IN_TWO_WEEKS.isoformat()} to {valid_until}")).to_be_visible()


def test_the_same_request_without_therapy_pends_and_says_why(page: Page):
    wizard = _signed_in(page)
    wizard.lumbar_mri("EVG100000028", IN_TWO_WEEKS, weeks_of_care=0)
    wizard.submit()
    expect(page).to_have_url(re.compile(r"/orders/PC\d{4}[0-9A-Z]{9}$"))
    expect(page.get_by_text("In Progress", exact=True).first).to_be_visible()
    expect(page.get_by_role("list", name="Criteria for 72148")).to_contain_text("Not met")
    # While in review the office can add information.
    page.get_by_label("Clinical information").fill("Physical therapy started on the 3rd; notes attached.")
    page.get_by_role("button", name="Add to the order").click()
    expect(page.get_by_text("The clinical information was added to the order.")).to_be_visible()


def test_a_second_request_overlapping_the_first_shows_the_duplicate_notice(page: Page):
    wizard = _signed_in(page)
    wizard.lumbar_mri("EVG100000032", IN_TWO_WEEKS, weeks_of_care=8)
    wizard.submit()
    expect(page).to_have_url(re.compile(r"/orders/PC\d{4}[0-9A-Z]{9}$"))
    first = page.url.rsplit("/", 1)[1]

    wizard.lumbar_mri("EVG100000032", IN_TWO_WEEKS + timedelta(days=5), weeks_of_care=8)
    notice = page.get_by_role("alert").filter(has_text="Possible duplicate")
    expect(notice).to_contain_text(first)
    page.get_by_role("checkbox", name="I have read this notice and want to submit anyway").click()
    wizard.submit()
    expect(page).to_have_url(re.compile(r"/orders/PC\d{4}[0-9A-Z]{9}$"))
    expect(page.get_by_text(f"Submitted although a similar request is on file: {first}")).to_be_visible()
    expect(page.get_by_text("In Progress", exact=True).first).to_be_visible()


def test_a_stress_echo_for_a_12_year_old_asks_no_pre_exam_questions(page: Page):
    wizard = _signed_in(page)
    wizard.open()
    wizard.choose_plan(IN_TWO_WEEKS)
    wizard.next("Member")
    wizard.choose_member("EVG100000000")  # born 2014
    wizard.next("Providers")
    wizard.choose_providers()
    wizard.next("Request details")
    page.get_by_label("Kind of exam").select_option(label="Stress echocardiogram")
    page.get_by_label("Body part").select_option(label="Heart")
    expect(page.get_by_role("heading", name="Cardiac pre-exam questions")).to_be_hidden()
    expect(page.get_by_label("Chest symptoms")).to_be_hidden()


def test_an_adults_stress_echo_may_skip_the_voluntary_pre_exam_and_then_pends_saying_so(page: Page):
    # Program FAQ (shared/seeds/001): the pre-exam questions are voluntary for adults.
    wizard = _signed_in(page)
    wizard.open()
    wizard.choose_plan(IN_TWO_WEEKS)
    wizard.next("Member")
    wizard.choose_member("EVG100000052")  # born 1940
    wizard.next("Providers")
    wizard.choose_providers()
    wizard.next("Request details")
    wizard.describe_exam(
        exam="Stress echocardiogram",
        body_part="Heart",
        procedure="93350",
        reason="Chest pain or shortness of breath: suspected coronary artery disease",
    )
    expect(page.get_by_label("Chest symptoms")).to_be_visible()
    page.get_by_role("checkbox", name="Skip the pre-exam questions").click()
    expect(page.get_by_label("Chest symptoms")).to_be_hidden()
    wizard.finish("R07.9")
    expect(page).to_have_url(re.compile(r"/orders/PC\d{4}[0-9A-Z]{9}$"))
    expect(page.get_by_text("In Progress", exact=True).first).to_be_visible()
    expect(page.get_by_text(re.compile("the cardiac pre-exam questions were skipped"))).to_be_visible()


def test_a_request_dated_five_business_days_ago_is_refused(page: Page):
    wizard = _signed_in(page)
    wizard.open()
    wizard.choose_plan(add_business_days(date.today(), -5))
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#field-service_date-error")).to_contain_text("2 business days")
    expect(wizard.step_heading()).to_contain_text("Plan and program")
