"""A nurse works the queue and approves a pended case."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS, DEMO_ORDERS, demo_order_number
from tests.e2e.pages.portal import sign_in_reusing_session

NURSE = next(a for a in DEMO_ACCOUNTS if a.username == "nurse")
SECOND = demo_order_number(DEMO_ORDERS[1])


def test_a_nurse_approves_a_pended_case_from_the_queue(page: Page):
    sign_in_reusing_session(page, NURSE.email, NURSE.password, name=NURSE.full_name)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    # Filtered to another plan the case is not listed; to its own plan and status it is.
    page.get_by_label("Plan").select_option(label="Lakeshore Community Care (demo)")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=SECOND)).to_have_count(0)
    page.get_by_label("Plan").select_option(label="Evergreen Mutual Health (demo)")
    page.get_by_label("Status").select_option(label="Open")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=SECOND).click()
    expect(page.get_by_role("heading", name="Case review")).to_be_visible()
    expect(page.get_by_role("button", name="Deny line 1")).to_have_count(0)  # nurses never deny

    page.get_by_role("button", name="Approve line 1").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Explanation or message").fill("Conservative care documented in the notes.")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Line approved.")).to_be_visible()
    expect(page.get_by_text("Authorized").first).to_be_visible()
