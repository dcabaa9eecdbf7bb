"""After submit: documents, cancellation, my orders, and a servicing provider verifying an order."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal_app.services.demo_cases import DEMO_ORDERS, demo_order_number
from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.pages.portal import navigate, sign_in_reusing_session

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
FIRST, SECOND = (demo_order_number(o) for o in DEMO_ORDERS)


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def test_documents_are_checked_by_content_and_the_order_can_be_cancelled(page: Page, tmp_path):
    pdf = tmp_path / "therapy-notes.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    disguised = tmp_path / "scan.pdf"
    disguised.write_bytes(b"MZ\x90\x00 not really a pdf")
    _sign_in(page, "ordering")
    page.goto(f"/orders/{FIRST}")
    expect(page.get_by_role("heading", name="Add information")).to_be_visible()

    page.locator("#documents input[type=file]").set_input_files([str(pdf), str(disguised)])
    page.get_by_role("button", name="Upload documents").click()
    expect(page.get_by_text("Added: therapy-notes.pdf.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="scan.pdf")).to_contain_text(
        "Only PDF, PNG, JPEG or TIFF"
    )
    expect(page.get_by_role("list", name="Documents", exact=True)).to_contain_text(
        "therapy-notes.pdf (application/pdf"
    )

    page.get_by_role("button", name="Cancel this order").click()
    dialog = page.get_by_role("dialog", name="Cancel the order")
    dialog.get_by_label("Entered in error").check()
    dialog.get_by_label("Reason").fill("Entered for the wrong member")
    dialog.get_by_role("button", name="Confirm cancellation").click()
    expect(page.get_by_text("The order is now: Not Reviewed/Error Entry.")).to_be_visible()
    expect(page.get_by_text("Cancellation reason: Entered for the wrong member")).to_be_visible()
    expect(page.get_by_role("heading", name="Add information")).to_be_hidden()


def test_my_orders_searches_on_the_server_and_opens_the_summary(page: Page):
    _sign_in(page, "ordering")
    navigate(page, "My orders")
    expect(page.get_by_role("heading", name="My orders")).to_be_visible()
    page.get_by_label("Member ID or last name").fill("EVG100000004")
    page.get_by_role("button", name="Search", exact=True).click()
    # Other tests may add orders for this member: the one this test knows is found exactly once.
    row = page.get_by_role("row").filter(has_text="EVG100000004").filter(has_text=FIRST)
    expect(row).to_have_count(1)
    expect(page.get_by_text(SECOND)).to_have_count(0)  # the other practice's order never shows
    row.get_by_role("link", name=FIRST).click()
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()


def test_a_servicing_provider_verifies_an_order_by_number_and_member(page: Page):
    _sign_in(page, "servicing")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="New request")).to_have_count(0)
    navigate(page, "Verify an order")
    page.get_by_label("Order number").fill(SECOND)
    page.get_by_label("Member ID").fill("EVG100000004")  # not this order's member
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("No order matches that order number and member ID.")).to_be_visible()
    page.get_by_label("Member ID").fill("EVG100000008")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_contain_text(SECOND)
    expect(page.get_by_role("status")).to_contain_text("70553")
