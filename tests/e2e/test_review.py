"""A nurse works the queue and approves a pended case; sees the documents the office uploaded with the
request; withdraws a duplicate, shown in the program's wording."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS, DEMO_ORDERS, demo_order_number
from portal_app.services.order_submission import submit_order
from tests.e2e.pages.order_wizard import OrderWizard
from tests.e2e.pages.portal import sign_in_reusing_session, sign_out
from tests.integration.order_helpers import TODAY, actor_for, draft_order

NURSE = next(a for a in DEMO_ACCOUNTS if a.username == "nurse")
ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
SECOND = demo_order_number(DEMO_ORDERS[1])
IN_TWO_WEEKS = date.today() + timedelta(days=14)
FUSION_WITHOUT_CARE = {
    "category": "spine",
    "procedure": "lumbar_fusion",
    "setting": "outpatient",
    "levels": 1,
    "weeks_conservative_care": 0,
    "imaging_findings": ["instability"],
}


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


def test_documents_listed_in_the_wizard_are_uploaded_before_submit_and_seen_by_the_nurse(
    page: Page, tmp_path
):
    notes = tmp_path / "pt-notes.pdf"
    notes.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    wizard = OrderWizard(page)
    wizard.lumbar_mri("EVG100000052", IN_TWO_WEEKS, weeks_of_care=0)
    listed = page.get_by_role("list", name="Documents that support this request")
    expect(listed).to_contain_text("at least 6 weeks of conservative treatment")
    page.get_by_label("These files are").select_option("conservative_care_notes")
    page.locator("#draft_documents input[type=file]").set_input_files(str(notes))
    page.get_by_role("button", name="Upload to the request").click()
    expect(page.get_by_text("Added to the request: pt-notes.pdf.")).to_be_visible()
    expect(listed).to_contain_text("Uploaded: pt-notes.pdf")
    wizard.submit()
    expect(page).to_have_url(re.compile(r"/orders/PC\d{4}[0-9A-Z]{9}$"))
    number = page.url.rsplit("/", 1)[1]
    sign_out(page)

    sign_in_reusing_session(page, NURSE.email, NURSE.password, name=NURSE.full_name)
    page.goto(f"/review/case/{number}")
    expect(page.get_by_role("list", name="Documents", exact=True)).to_contain_text("pt-notes.pdf")
    needed = page.get_by_role("list", name="Documents listed for the office")
    expect(needed).to_contain_text("Received: pt-notes.pdf")
    expect(needed).to_contain_text("Not received")  # the red-flag notes were not sent


def test_a_duplicate_is_withdrawn_and_shown_in_the_programs_wording(page: Page, portal_db):
    office = actor_for(portal_db, "ordering")
    first = submit_order(
        portal_db,
        actor=office,
        order_id=draft_order(
            portal_db,
            office,
            member="EVG100000068",
            program="musculoskeletal",
            details=FUSION_WITHOUT_CARE,
            codes=["22612"],
            diagnoses=["M43.16"],
        ),
        today=TODAY,
    ).order_number
    second = submit_order(
        portal_db,
        actor=office,
        order_id=draft_order(
            portal_db,
            office,
            member="EVG100000068",
            program="musculoskeletal",
            details=FUSION_WITHOUT_CARE,
            codes=["22612"],
            diagnoses=["M43.16"],
        ),
        duplicates_acknowledged=True,
        today=TODAY,
    ).order_number

    sign_in_reusing_session(page, NURSE.email, NURSE.password, name=NURSE.full_name)
    page.goto(f"/review/case/{second}")
    page.get_by_role("button", name=f"Withdraw as duplicate of {first}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Explanation or message").fill("Same fusion requested twice.")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("The case was withdrawn as a duplicate.")).to_be_visible()
    expect(page.get_by_text("Other Impact", exact=True).first).to_be_visible()  # musculoskeletal wording
