"""Keyboard only: every program's wizard, from signing in to a submitted request, with Tab,
Shift+Tab, arrow keys, Space, Enter and typing (no click, no fill). The focus ring is visible on
the kinds of control the wizard uses, and a failed "Next" puts focus on the first field in error."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.pages.programs import (
    Address,
    ImagingStep,
    KeyboardHands,
    MedicalOncologyStep,
    MskStep,
    OutpatientStep,
    RadiationOncologyStep,
    RehabilitationStep,
    RequestWizard,
    SleepStep,
    assert_focus_visible,
)
from tests.e2e.pages.review import OrderSummaryPage

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
EVERGREEN = "Evergreen Mutual Health (demo)"
LAKESHORE = "Lakeshore Community Care (demo)"
SUMMIT = "Summit Federal Employee Plan (demo)"
OUTPATIENT = "Transportation and other outpatient services"
# A Monday at least two weeks ahead.
SERVICE = date.today() + timedelta(days=14)
SERVICE += timedelta(days=(7 - SERVICE.weekday()) % 7)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Date fields take their digits in the locale's order; these tests type month, day, year.
    return {**browser_context_args, "locale": "en-US"}


def _signed_in(page: Page) -> RequestWizard:
    keys = KeyboardHands(page)
    page.goto("/sign-in")
    keys.type_into(page.get_by_label("Email or username"), ORDERING.email)
    assert_focus_visible(page)  # a text field
    keys.type_into(page.get_by_label("Password", exact=True), ORDERING.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(ORDERING.full_name)
    return RequestWizard(page, keys)


def _start(page: Page, member: str, *, plan: str, program: str) -> RequestWizard:
    """Plan, member and providers by keyboard, checking the focus ring on the way."""
    wizard = _signed_in(page).open()
    wizard.choose_plan(SERVICE, plan=plan, program=program)
    assert_focus_visible(page)  # a list
    wizard.next("Member")
    assert_focus_visible(page)  # a button
    wizard.choose_member(member)
    assert_focus_visible(page)  # a checkbox
    wizard.next("Providers")
    wizard.choose_providers()
    wizard.next("Request details")
    return wizard


def _submitted(page: Page, code: str):
    """The order summary after submitting, and the card of the requested ``code``."""
    summary = OrderSummaryPage(page).wait()
    line = summary.line(code)
    expect(line).to_contain_text("Decision:")
    return line


def _focused_field_with_error(page: Page) -> str:
    """The id of the focused element, which must be the field of the first error on the page."""
    return page.evaluate("""() => {
      const first = document.querySelector('main [id$="-error"][role=alert]');
      const active = document.activeElement;
      return first && active && first.id === active.id + '-error' ? active.id : '';
    }""")


def test_imaging_by_keyboard_with_focus_on_the_first_error_after_a_failed_next(page: Page):
    wizard = _start(page, "EVG100000104", plan=EVERGREEN, program="Radiology and cardiology imaging")
    wizard.next()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(wizard.step_heading()).to_contain_text("Request details")
    expect(page.get_by_label("Kind of exam")).to_be_focused()
    assert _focused_field_with_error(page) == "imaging-modality"
    assert_focus_visible(page)

    ImagingStep(page, wizard.hands).lumbar_mri(weeks_of_care=8)
    wizard.finish("M54.50")
    expect(_submitted(page, "72148")).to_contain_text("Decision: Authorized")


def test_musculoskeletal_by_keyboard(page: Page):
    wizard = _start(page, "EVG100000108", plan=EVERGREEN, program="Musculoskeletal")
    MskStep(page, wizard.hands).knee_replacement(side="Right", weeks_of_care=16)
    wizard.finish("M17.11")
    expect(_submitted(page, "27447")).to_contain_text("Decision: Authorized")


def test_outpatient_transport_by_keyboard(page: Page):
    wizard = _start(page, "LKS100000101", plan=LAKESHORE, program=OUTPATIENT)
    home = Address("12 Elm Street", "Springfield", "IL", "62701")
    clinic = Address("400 Clinic Road", "Springfield", "IL", "62702")
    OutpatientStep(page, wizard.hands).wheelchair_trip(home, clinic, reason="Dialysis three times a week.")
    wizard.finish("N18.6")
    expect(_submitted(page, "A0130")).to_contain_text("Decision: Authorized")


def test_medical_oncology_by_keyboard(page: Page):
    wizard = _start(page, "SUM100000102", plan=SUMMIT, program="Medical oncology")
    step = MedicalOncologyStep(page, wizard.hands)
    step.her2_positive_metastatic_breast(cycles=6)
    expect(page.get_by_text("Body surface area: 1.79 m² (Mosteller)")).to_be_visible()
    wizard.finish(None)  # the step put C50.911 on the Diagnosis step
    expect(_submitted(page, "J9171")).to_contain_text("Decision: Authorized")


def test_radiation_oncology_by_keyboard(page: Page):
    wizard = _start(page, "SUM100000106", plan=SUMMIT, program="Radiation oncology")
    step = RadiationOncologyStep(page, wizard.hands)
    step.prostate_imrt()
    expect(step.codes().get_by_role("listitem").first).to_be_visible()
    first_code = re.match(r"\d{5}", step.codes().get_by_role("listitem").first.inner_text()).group(0)
    wizard.finish("C61")
    expect(_submitted(page, first_code)).to_contain_text("Decision: Authorized")


def test_rehabilitation_by_keyboard(page: Page):
    wizard = _start(page, "LKS100000105", plan=LAKESHORE, program="Rehabilitation")
    RehabilitationStep(page, wizard.hands).first_pt_for_low_back(initial_evaluation=date.today(), odi=40)
    wizard.finish("M54.50")
    expect(_submitted(page, "97110")).to_contain_text("Decision: Authorized")


def test_sleep_by_keyboard(page: Page):
    wizard = _start(page, "EVG100000112", plan=EVERGREEN, program="Sleep")
    SleepStep(page, wizard.hands).home_sleep_test()
    wizard.finish("G47.33")
    expect(_submitted(page, "G0399")).to_contain_text("Decision: Authorized")
