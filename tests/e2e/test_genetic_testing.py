"""Genetic testing (issue 19) by keyboard: a hereditary cancer panel for a woman with breast cancer
at 42, with a relative on the pedigree, to an authorization at once; the step is axe clean."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import sign_in_reusing_session
from tests.e2e.pages.programs import GeneticTestingStep, KeyboardHands, RequestWizard
from tests.e2e.pages.review import OrderSummaryPage

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
SUMMIT = "Summit Federal Employee Plan (demo)"
WOMAN = "SUM100000106"  # Summit, adult, female
# A Monday at least two weeks ahead.
SERVICE = date.today() + timedelta(days=14)
SERVICE += timedelta(days=(7 - SERVICE.weekday()) % 7)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Date fields take their digits in the locale's order; the test types month, day, year.
    return {**browser_context_args, "locale": "en-US"}


def test_brca_panel_by_keyboard_is_authorized_and_the_step_is_accessible(page: Page):
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    keys = KeyboardHands(page)
    wizard = RequestWizard(page, keys)
    wizard.start(WOMAN, SERVICE, plan=SUMMIT, program="Genetic testing")

    step = GeneticTestingStep(page, keys)
    step.brca_panel_after_breast_cancer_at(42)
    step.add_relative("Mother", None, "Ovarian, fallopian tube or primary peritoneal cancer", 55)
    expect(step.codes().get_by_role("listitem").first).to_be_visible()
    first_code = re.match(r"\d{5}", step.codes().get_by_role("listitem").first.inner_text()).group(0)
    assert_accessible(page, "genetic testing step")

    wizard.finish("C50.911")
    line = OrderSummaryPage(page).wait().line(first_code)
    expect(line).to_contain_text("Decision: Authorized")
