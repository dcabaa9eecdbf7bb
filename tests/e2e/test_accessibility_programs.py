"""axe-core on every program's step of the order wizard: with the errors shown after a failed
"Next" (focus on the first of them), and filled in. Fails on any WCAG 2.1 A/AA violation of impact
"serious" or "critical"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import sign_in_reusing_session
from tests.e2e.pages.programs import (
    Address,
    ImagingStep,
    MedicalOncologyStep,
    MskStep,
    OutpatientStep,
    RadiationOncologyStep,
    RehabilitationStep,
    RequestWizard,
    SleepStep,
)

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
EVERGREEN = "Evergreen Mutual Health (demo)"
LAKESHORE = "Lakeshore Community Care (demo)"
SUMMIT = "Summit Federal Employee Plan (demo)"
SERVICE = date.today() + timedelta(days=14)
SERVICE += timedelta(days=(7 - SERVICE.weekday()) % 7)
HOME = Address("12 Elm Street", "Springfield", "IL", "62701")
CLINIC = Address("400 Clinic Road", "Springfield", "IL", "62702")

# program, plan, a member no other browser test uses (the drafts are never submitted), how to fill the step
PROGRAMS: list[tuple[str, str, str, Callable[[Page], None]]] = [
    (
        "Radiology and cardiology imaging",
        EVERGREEN,
        "EVG100000116",
        lambda page: ImagingStep(page).lumbar_mri(weeks_of_care=8),
    ),
    ("Musculoskeletal", EVERGREEN, "EVG100000120", lambda page: MskStep(page).knee_replacement()),
    (
        "Transportation and other outpatient services",
        LAKESHORE,
        "LKS100000109",
        lambda page: OutpatientStep(page).wheelchair_trip(
            HOME, CLINIC, reason="Dialysis three times a week."
        ),
    ),
    (
        "Medical oncology",
        SUMMIT,
        "SUM100000110",
        lambda page: MedicalOncologyStep(page).her2_positive_metastatic_breast(),
    ),
    ("Radiation oncology", SUMMIT, "SUM100000114", lambda page: RadiationOncologyStep(page).prostate_imrt()),
    (
        "Rehabilitation",
        LAKESHORE,
        "LKS100000113",
        lambda page: RehabilitationStep(page).first_pt_for_low_back(initial_evaluation=date.today()),
    ),
    ("Sleep", EVERGREEN, "EVG100000124", lambda page: SleepStep(page).home_sleep_test()),
]


# Focus is on the field of the first error message, or on the message when it belongs to no field.
FIRST_ERROR_FOCUSED_JS = """() => {
  const first = document.querySelector('main [id$="-error"][role=alert]')
    || document.querySelector('main [role=alert]');
  const active = document.activeElement;
  return !!first && !!active && (active === first || first.id === active.id + '-error');
}"""


def _wait_for_focus_on_the_first_error(page: Page, what: str) -> None:
    try:
        page.wait_for_function(FIRST_ERROR_FOCUSED_JS, timeout=5000)
    except PlaywrightTimeout:
        focused = page.evaluate("() => document.activeElement?.outerHTML.slice(0, 200)")
        raise AssertionError(f"{what}: focus is not on the first error but on {focused}") from None


@pytest.mark.parametrize(
    ("program", "plan", "member", "fill"), PROGRAMS, ids=[program.split()[0] for program, *_ in PROGRAMS]
)
def test_a_program_step_with_errors_and_filled_in_has_no_serious_violation(
    page: Page, program, plan, member, fill
):
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    wizard = RequestWizard(page)
    wizard.start(member, SERVICE, plan=plan, program=program)
    assert_accessible(page, f"{program}: empty")

    wizard.next()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(wizard.step_heading()).to_contain_text("Request details")
    _wait_for_focus_on_the_first_error(page, program)
    assert_accessible(page, f"{program}: with errors after a failed Next")

    fill(page)
    assert_accessible(page, f"{program}: filled in")
