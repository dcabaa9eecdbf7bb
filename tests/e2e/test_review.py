"""A nurse works the queue and approves a pended case; after a pend, the office asks for a
peer-to-peer (immediate for a pain procedure, scheduled for a fusion) and a case whose office never
answers goes to a physician flagged "no response from the office"; a nurse sees the documents the
office uploaded with the request and withdraws a duplicate, shown in the program's wording."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import Page, expect

from portal_app.services import conversation, review
from portal_app.services.demo_cases import DEMO_ORDERS, demo_order_number
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.order_submission import submit_order
from portal_app.services.upkeep import run_review_upkeep
from tests.e2e.pages.order_wizard import OrderWizard
from tests.e2e.pages.portal import sign_in_reusing_session, sign_out
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order
from tests.integration.test_conversation import EPIDURAL_PENDING, FUSION_PENDING

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


# --- the office's side after a pend (issue 18) -------------------------------------------------

OFFICE = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
PHYSICIAN = next(a for a in DEMO_ACCOUNTS if a.username == "physician")  # pain medicine, available now


def _pended_order(db, member: str, **draft) -> str:
    office = actor_for(db, "ordering")
    order_id = draft_order(db, office, member=member, **draft)
    result = submit_order(db, actor=office, order_id=order_id, today=TODAY)
    assert result.status == "In Progress", result
    return result.order_number


def test_the_office_asks_for_an_immediate_peer_to_peer_on_a_pended_epidural(page: Page, portal_db):
    number = _pended_order(
        portal_db,
        "EVG100000052",
        program="musculoskeletal",
        details=EPIDURAL_PENDING,
        codes=["62323"],
        diagnoses=["M54.16"],
    )
    sign_in_reusing_session(page, OFFICE.email, OFFICE.password, name=OFFICE.full_name)
    page.goto(f"/orders/{number}")
    expect(page.get_by_role("heading", name="Talk to a physician reviewer now")).to_be_visible()
    page.get_by_label("Number the physician should call").fill("555-0142")
    page.get_by_role("button", name="Call a physician now").click()
    expect(page.get_by_text("A physician reviewer is being called")).to_be_visible()
    sign_out(page)

    # The available pain-medicine physician sees the call at the top of the queue, with the number.
    sign_in_reusing_session(page, PHYSICIAN.email, PHYSICIAN.password, name=PHYSICIAN.full_name)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    calls = page.get_by_role("table", name="Peer-to-peer calls")
    first = calls.get_by_role("row").nth(1)
    expect(first).to_contain_text("Call now")
    expect(first).to_contain_text(number)
    expect(first).to_contain_text("555-0142")
    expect(page.get_by_label("Available now for immediate peer-to-peer calls")).to_be_checked()


def test_the_office_schedules_a_call_on_a_pended_fusion(page: Page, portal_db):
    number = _pended_order(
        portal_db,
        "EVG100000056",
        program="musculoskeletal",
        details=FUSION_PENDING,
        codes=["22612"],
        diagnoses=["M43.16"],
    )
    # A spine surgeon has published a time for calls.
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(hour=16, minute=0, second=0, microsecond=0)
    conversation.publish_time(portal_db, actor=actor_for(portal_db, "appeals"), starts_at=starts)

    sign_in_reusing_session(page, OFFICE.email, OFFICE.password, name=OFFICE.full_name)
    page.goto(f"/orders/{number}")
    published = page.get_by_role("group", name="Published times (UTC)")
    published.get_by_role("radio", name=re.compile("Spine surgery")).first.check()
    page.get_by_label("Phone for the call at that time").fill("555-0143")
    page.get_by_role("button", name="Schedule the call").click()
    expect(page.get_by_text("The peer-to-peer call is scheduled at the time you chose.")).to_be_visible()
    expect(page.get_by_role("list", name="Peer-to-peer calls")).to_contain_text(
        "scheduled, the physician calls 555-0143"
    )


def test_a_pended_mri_whose_office_never_answers_goes_to_a_physician_who_denies_for_no_response(
    page: Page, portal_db
):
    number = _pended_order(portal_db, "EVG100000068", details=PENDING_LOW_BACK)
    nurse = actor_for(portal_db, "nurse")
    version = review.open_case(portal_db, actor=nurse, order_number=number).version
    review.request_information(
        portal_db, actor=nurse, order_number=number, version=version, message="Send the therapy notes."
    )
    # The office is alerted on its home page (and by e-mail, with only a link).
    sign_in_reusing_session(page, OFFICE.email, OFFICE.password, name=OFFICE.full_name)
    page.goto("/")
    expect(page.get_by_role("list", name="Notices")).to_contain_text(number)
    sign_out(page)

    # The office never answers: past the plan's pend time the upkeep (run here with a later clock
    # against the portal's database) hands the case to a physician. It decides nothing itself.
    later = datetime.now(UTC) + timedelta(days=10)
    run_review_upkeep(portal_db, now=later)

    sign_in_reusing_session(page, PHYSICIAN.email, PHYSICIAN.password, name=PHYSICIAN.full_name)
    page.goto(f"/review/case/{number}")
    expect(page.get_by_role("status", name="Why this case stands out")).to_contain_text(
        "No response from the office"
    )
    page.get_by_role("button", name="Deny line 1").click()
    page.get_by_role("dialog").get_by_label("Specific reason").select_option(
        label="Information not provided / peer-to-peer did not take place"
    )
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Explanation or message").fill("The therapy notes asked for were not sent.")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Line denied.")).to_be_visible()


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
