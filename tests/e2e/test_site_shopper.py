"""The seeds' "Specialty Care Shopper" (issue 20) in the browser: an office user of the demo plan
Evergreen, which supplies facility cost levels (docs/examples/cost-levels.csv, loaded by the seed), sees
each site's cost level next to its score and distance in the servicing-provider search and, having chosen
a hospital for a surgical procedure, in the ambulatory surgery centers offered instead. Support loads
another plan's cost level file on the plan files page: a file with a price is refused with its report,
the corrected file applied. Axe clean."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS, demo_npi
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import navigate, sign_in_reusing_session
from tests.e2e.pages.programs import KeyboardHands, RequestWizard, SurgicalStep

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
SUPPORT = next(a for a in DEMO_ACCOUNTS if a.username == "support")
EVERGREEN = "Evergreen Mutual Health (demo)"
MEMBER = "EVG100000132"  # Evergreen, adult; no other browser test uses it
SERVICE = date.today() + timedelta(days=14)
SERVICE += timedelta(days=(7 - SERVICE.weekday()) % 7)
PLANS_LEVEL = re.compile(r"\${1,4} of \$\$\$\$ \(plan's cost level\)")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Date fields take their digits in the locale's order; the test types month, day, year.
    return {**browser_context_args, "locale": "en-US"}


def test_an_office_sees_the_plans_cost_level_next_to_the_sites(page: Page):
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    keys = KeyboardHands(page)
    wizard = RequestWizard(page, keys)
    wizard.open()
    wizard.choose_plan(SERVICE, plan=EVERGREEN, program="Surgical and endoscopic procedures")
    wizard.next("Member")
    wizard.choose_member(MEMBER)
    wizard.next("Providers")

    wizard.type("Find the servicing provider or facility", "Hospital")
    wizard.press("Search providers")
    found = page.get_by_role("table", name="Servicing providers found")
    expect(found.get_by_role("columnheader", name="Cost level (plan's data)")).to_be_visible()
    hospital = found.get_by_role("row").filter(has_text="In network").first
    expect(hospital).to_contain_text(PLANS_LEVEL)
    assert_accessible(page, "servicing search with cost levels")
    wizard.choose_providers("Hospital")
    wizard.next("Request details")

    step = SurgicalStep(page, keys)
    step.egd_with_alarm_features("Trouble swallowing")
    expect(step.site_of_care()).to_contain_text("Hospital outpatient department")
    alternatives = page.get_by_role("list", name="Other sites of care")
    expect(alternatives).to_contain_text("Ambulatory surgery center")
    first = alternatives.get_by_role("listitem").first
    expect(first).to_contain_text("Distance:")
    expect(first).to_contain_text(re.compile(r"Cost level: \${1,4} of \$\$\$\$ \(plan's cost level\)\."))
    assert_accessible(page, "surgical alternatives with cost levels")


def _upload(page: Page, content: str) -> None:
    page.locator("#plan_file input[type=file]").set_input_files(
        files=[{"name": "summit-cost-levels.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_role("button", name="Load the file").click()


def test_support_loads_a_cost_level_file_after_taking_the_price_out(page: Page):
    sign_in_reusing_session(page, SUPPORT.email, SUPPORT.password, name=SUPPORT.full_name)
    navigate(page, "Plan files")
    page.get_by_label("Plan", exact=True).select_option(value="SUM")
    page.get_by_label("The file holds").select_option(value="cost_levels")
    header = "npi,cost_level,effective_from,effective_until,source\n"
    row = f"{demo_npi(3, kind='facility')},{{level}},2026-01-01,,Summit cost tiers (browser test)\n"

    _upload(page, header + row.format(level='"$1,250"'))
    expect(page.get_by_text(re.compile("was not applied: 1 problem"))).to_be_visible()
    problems = page.get_by_role("table", name="Problems in the file")
    expect(problems.get_by_role("row").filter(has_text="line 2")).to_contain_text("looks like an amount")
    assert_accessible(page, "cost level file refused")

    _upload(page, header + row.format(level="lower"))
    expect(page.get_by_text(re.compile("applied to plan SUM: 1 cost levels read, 1 new"))).to_be_visible()
    history = page.get_by_role("table", name="Loads of plan files")
    expect(history.get_by_role("row").filter(has_text="summit-cost-levels.csv").first).to_contain_text(
        "Facility cost levels"
    )
