"""Support loads a plan's code list for one line of business (issue 23, "Code lists"): a file with a
problem is refused with its line and field, the fixed file becomes a version whose changes are
shown, and the radiation therapy look-up shows that list for that line of business."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import navigate, sign_in_reusing_session, sign_out

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
SUMMIT = "Summit Federal Employee Plan (demo)"  # delegates radiation oncology; lines FEP and HMO/POS
HEADER = "code,code_system,notification_only,description,source"
# Three codes of Summit's packaged 2026 radiation list (radiation_codes.csv), for its FEP members only.
GOOD = (
    f"{HEADER}\n77261,CPT,no,Planning,FEP list p.1\n77301,CPT,no,IMRT plan,FEP list p.1\n"
    "77427,CPT,no,Weekly management,FEP list p.2\n"
)


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _upload(page: Page, content: str) -> None:
    page.locator("#code_list_file input[type=file]").set_input_files(
        files=[{"name": "summit-fep-radiation-2026.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_role("button", name="Load the code list").click()


def test_support_loads_a_code_list_for_one_line_and_the_look_up_shows_it(page: Page):
    _sign_in(page, "support")
    navigate(page, "Code lists")
    expect(page.get_by_role("heading", name="Plan code lists")).to_be_visible()
    page.get_by_label("Plan", exact=True).select_option(value="SUM")
    page.get_by_label("Program", exact=True).select_option(value="radiation_oncology")
    page.get_by_label("Line of business", exact=True).select_option(value="fep")
    page.get_by_label("Year", exact=True).fill("2026")

    _upload(page, f"{HEADER}\n7726,CPT,no,Planning,FEP list p.1\n")
    report = page.get_by_role("table", name="Problems in the code list")
    expect(report.get_by_role("row").filter(has_text="line 2")).to_contain_text("not the shape of a CPT code")

    _upload(page, GOOD)
    expect(page.get_by_text(re.compile("^Loaded as version 1: 3 added"))).to_be_visible()
    changes = page.get_by_role("table", name="Code list changes")
    expect(changes.get_by_role("row").filter(has_text="77301")).to_contain_text("Added")
    versions = page.get_by_role("table", name="Code list versions")
    expect(versions.get_by_role("row").filter(has_text="Federal Employee Program")).to_have_count(1)
    _upload(page, GOOD)
    expect(
        page.get_by_text(re.compile("^Unchanged: the file lists the same codes as version 1"))
    ).to_be_visible()
    assert_accessible(page, "code lists")
    sign_out(page)

    _sign_in(page, "ordering")
    navigate(page, "Radiation therapy codes")
    page.get_by_label("Health plan").select_option(label=SUMMIT)
    page.get_by_label("Year").select_option("2026")
    count = page.get_by_role("status").filter(has_text="codes managed for")
    page.get_by_label("Line of business").select_option(label="Federal Employee Program")
    expect(count).to_have_text(f"3 codes managed for {SUMMIT} in 2026.")
    page.get_by_label("Line of business").select_option(label="Commercial HMO/POS")
    expect(count).to_have_text(f"52 codes managed for {SUMMIT} in 2026.")
    assert_accessible(page, "radiation therapy look-up with a line of business")
