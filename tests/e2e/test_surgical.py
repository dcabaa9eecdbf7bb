"""Surgical and endoscopic procedures (issue 20) by keyboard: an upper GI endoscopy for trouble
swallowing and weight loss (alarm features, ASGE 2015) at a free-standing site, to an authorization at
once; the same procedure at a hospital lists the alternatives and asks the reason. The step is axe
clean, with and without the error shown."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import sign_in_reusing_session
from tests.e2e.pages.programs import KeyboardHands, RequestWizard, SurgicalStep
from tests.e2e.pages.review import OrderSummaryPage

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
EVERGREEN = "Evergreen Mutual Health (demo)"
MEMBER = "EVG100000012"  # Evergreen (delegates the surgical program from 2026), adult
HOSPITAL_MEMBER = "EVG100000128"  # Evergreen, adult; no other browser test uses it
# A Monday at least two weeks ahead.
SERVICE = date.today() + timedelta(days=14)
SERVICE += timedelta(days=(7 - SERVICE.weekday()) % 7)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Date fields take their digits in the locale's order; the test types month, day, year.
    return {**browser_context_args, "locale": "en-US"}


def test_an_egd_with_alarm_features_by_keyboard_is_authorized_and_the_step_is_accessible(page: Page):
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    keys = KeyboardHands(page)
    wizard = RequestWizard(page, keys)
    wizard.start(MEMBER, SERVICE, plan=EVERGREEN, program="Surgical and endoscopic procedures")

    step = SurgicalStep(page, keys)
    step.egd_with_alarm_features("Trouble swallowing", "Unintended weight loss")
    expect(step.site_of_care()).to_contain_text("Ambulatory surgery center")
    assert_accessible(page, "surgical step")

    wizard.finish("R13.10")
    line = OrderSummaryPage(page).wait().line("43239")
    expect(line).to_contain_text("Decision: Authorized")


FIRST_ERROR_FOCUSED_JS = """() => {
  const first = document.querySelector('main [id$="-error"][role=alert]');
  const active = document.activeElement;
  return !!first && !!active && first.id === active.id + '-error';
}"""


def test_a_hospital_site_lists_alternatives_and_asks_the_reason_by_keyboard(page: Page):
    # Site of care reviewed like imaging's (shared/seeds/001): in-network alternatives are offered, and
    # the hospital outpatient department needs a reason (a physician reviews it).
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    keys = KeyboardHands(page)
    wizard = RequestWizard(page, keys)
    wizard.start(
        HOSPITAL_MEMBER,
        SERVICE,
        plan=EVERGREEN,
        program="Surgical and endoscopic procedures",
        servicing_query="Hospital",
    )
    step = SurgicalStep(page, keys)
    step.egd_with_alarm_features("Bleeding from the gut (vomiting blood, black stools)", code="43235")
    expect(step.site_of_care()).to_contain_text("Hospital outpatient department")
    expect(page.get_by_role("list", name="Other sites of care")).to_be_visible()

    wizard.next()
    reason = page.get_by_label("Reason for the hospital setting", exact=True)
    expect(page.locator("#surgical-hospital_reason-error")).to_contain_text("hospital outpatient department")
    page.wait_for_function(FIRST_ERROR_FOCUSED_JS)
    expect(reason).to_be_focused()
    assert_accessible(page, "surgical step with the hospital reason missing")

    keys.type_into(reason, "Decompensated cirrhosis: anaesthesia support in a hospital.")
    wizard.next("Diagnosis")
