"""The cardiology program in the browser: its wizard to a decision by keyboard only, axe-clean on the
way; and an echo asked for under imaging that the plan's routing sends to cardiology by itself.

Lakeshore (demo) delegates cardiology and routes echocardiography to it (programs/cardiology/demo.py).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import sign_in_reusing_session
from tests.e2e.pages.programs import CardiologyStep, ImagingStep, KeyboardHands, RequestWizard
from tests.e2e.pages.review import OrderSummaryPage

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
LAKESHORE = "Lakeshore Community Care (demo)"
# A Monday at least two weeks ahead.
SERVICE = date.today() + timedelta(days=14)
SERVICE += timedelta(days=(7 - SERVICE.weekday()) % 7)
# Lakeshore routes echo to cardiology from 2027 (a Monday then, or the Monday above when later).
ECHO_SERVICE = max(SERVICE, date(2027, 1, 4))


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Date fields take their digits in the locale's order; the keyboard types month, day, year.
    return {**browser_context_args, "locale": "en-US"}


def test_an_icd_meeting_ncd_20_4_by_keyboard_only_is_authorized_and_the_step_is_axe_clean(page: Page):
    keys = KeyboardHands(page)
    page.goto("/sign-in")
    keys.type_into(page.get_by_label("Email or username"), ORDERING.email)
    keys.type_into(page.get_by_label("Password", exact=True), ORDERING.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(ORDERING.full_name)

    wizard = RequestWizard(page, keys)
    wizard.start("LKS100000117", SERVICE, plan=LAKESHORE, program="Cardiology")
    assert_accessible(page, "cardiology: empty")
    wizard.next()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_label("Procedure", exact=True)).to_be_focused()  # the first field in error
    assert_accessible(page, "cardiology: with errors after a failed Next")

    CardiologyStep(page, keys).icd_meeting_ncd_20_4()
    assert_accessible(page, "cardiology: filled in")
    wizard.finish("I25.5")
    line = OrderSummaryPage(page).wait().line("33249")
    expect(line).to_contain_text("Decision: Authorized")


def test_an_echo_asked_for_under_imaging_moves_to_cardiology_for_the_plan_that_routes_echo_there(page: Page):
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    wizard = RequestWizard(page)
    wizard.start("LKS100000121", ECHO_SERVICE, plan=LAKESHORE, program="Radiology and cardiology imaging")
    ImagingStep(page).exam(
        exam="Resting echocardiogram (TTE)",
        body_part="Heart",
        procedure_code="93306",
        reason="Something else (describe it in the clinical notes)",
    )
    wizard.next()
    expect(page.get_by_role("status").filter(has_text="reviewed by the cardiology program")).to_be_visible()
    expect(page.get_by_label("Procedure", exact=True)).to_have_value("tte")
    expect(page.get_by_label("Procedure code", exact=True)).to_have_value("93306")
    assert_accessible(page, "cardiology: an echo routed from imaging")

    CardiologyStep(page).choose("Reason for the procedure", "Suspected heart failure or weak heart muscle")
    wizard.finish("I50.9")
    line = OrderSummaryPage(page).wait().line("93306")
    expect(line).to_contain_text("Decision: Authorized")
