"""Surgical and endoscopic procedures (issue 20) by keyboard: an upper GI endoscopy for trouble
swallowing and weight loss (alarm features, ASGE 2015) at a free-standing site, to an authorization at
once; the step is axe clean."""

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
