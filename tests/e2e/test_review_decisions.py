"""A physician denies a line after a peer-to-peer; the letter names the reason; the office asks for a
reconsideration. The review dashboard shows the counts of a set of cases computed here."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy.engine import make_url

from portal_app.services import review
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.order_submission import submit_order
from portal_app.settings import get_settings
from tests.e2e.pages.portal import sign_in_reusing_session, sign_out
from tests.e2e.pages.review import DashboardPage
from tests.integration import test_metrics as metric_cases
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
DENIAL_TEXT = "Six weeks of physical therapy have not been tried; the guideline asks for them first."


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _case_in_the_physician_queue(db, member: str = "EVG100000060") -> str:
    """A request that pends (no conservative care yet), escalated by the nurse: its order number."""
    office = actor_for(db, "ordering")
    order_id = draft_order(db, office, member=member, details=PENDING_LOW_BACK)
    number = submit_order(db, actor=office, order_id=order_id, today=TODAY).order_number
    nurse = actor_for(db, "nurse")
    version = review.open_case(db, actor=nurse, order_number=number).version
    review.escalate(
        db,
        actor=nurse,
        order_number=number,
        version=version,
        note="No conservative care documented; please review.",
    )
    return number


def _confirm_dialog(page: Page, text: str | None = None) -> None:
    dialog = page.get_by_role("dialog")
    if text is not None:
        dialog.get_by_label("Explanation or message").fill(text)
    dialog.get_by_role("button", name="Confirm").click()


def test_physician_denies_after_peer_to_peer_letter_names_reason_and_office_asks_again(page: Page, portal_db):
    number = _case_in_the_physician_queue(portal_db)

    # The physician offers peer-to-peer times (the dialog proposes three).
    _sign_in(page, "physician")
    page.goto(f"/review/case/{number}")
    expect(page.get_by_role("heading", name="Case review")).to_be_visible()
    page.get_by_role("button", name="Offer peer-to-peer").click()
    _confirm_dialog(page)
    expect(page.get_by_text("Peer-to-peer times offered to the provider.")).to_be_visible()
    sign_out(page)

    # The office picks one.
    _sign_in(page, "ordering")
    page.goto(f"/orders/{number}")
    page.get_by_role("group", name="Times offered (UTC)").get_by_role("radio").first.check()
    page.get_by_label("Number to call").fill("555-0100")
    page.get_by_role("button", name="Schedule the conversation").click()
    expect(page.get_by_text("The peer-to-peer conversation is scheduled.")).to_be_visible()
    sign_out(page)

    # The physician records the call, then denies the line with a specific reason.
    _sign_in(page, "physician")
    page.goto(f"/review/case/{number}")
    page.get_by_role("button", name="Record peer-to-peer outcome").click()
    _confirm_dialog(page, "Spoke with the ordering physician; no therapy has been tried yet.")
    expect(page.get_by_text("Peer-to-peer outcome recorded.")).to_be_visible()
    page.get_by_role("button", name="Deny line 1").click()
    reason = page.get_by_role("dialog").get_by_label("Specific reason")
    criterion = reason.locator("option").first.get_attribute("value")
    reason.select_option(criterion)
    _confirm_dialog(page, DENIAL_TEXT)
    expect(page.get_by_text("Line denied.")).to_be_visible()
    expect(page.get_by_text("Non-authorized").first).to_be_visible()

    # The letter to the provider downloads as a PDF that names the decision and the reason.
    letter = page.get_by_role("list", name="Documents", exact=True).get_by_role(
        "link", name=re.compile(r"decision.*provider")
    )
    response = page.request.get(letter.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    flat = " ".join(text.split())
    assert number in flat
    assert "physical therapy have not been tried" in flat
    assert re.search(r"reconsideration", flat, re.IGNORECASE)
    sign_out(page)

    # Within 10 days the office asks for a reconsideration, with more information.
    _sign_in(page, "ordering")
    page.goto(f"/orders/{number}")
    expect(page.get_by_role("heading", name="Ask for a reconsideration")).to_be_visible()
    page.get_by_label("Additional information").fill("Therapy started on 1 November; notes attached.")
    page.get_by_role("button", name="Request reconsideration").click()
    expect(
        page.get_by_text(re.compile("^Reconsideration requested: a physician will review"))
    ).to_be_visible()
    expect(page.get_by_role("list", name="Information added")).to_contain_text(
        "Therapy started on 1 November"
    )


def test_dashboard_shows_the_counts_of_a_known_set_of_cases(page: Page, portal_db):
    metric_cases._build(portal_db)
    expected = metric_cases._expected(metric_cases.CASES)

    _sign_in(page, "nurse")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    dashboard = DashboardPage(page)
    expect(page.get_by_role("heading", name="Review dashboard")).to_be_visible()
    dashboard.show(metric_cases.FROM.isoformat(), metric_cases.TO.isoformat())

    wanted = [
        "All programs",
        "All plans",
        expected["requests"],
        expected["approved_by_rules"],
        expected["approved_after_review"],
        expected["denied"],
        expected["appealed"],
        expected["approved_after_appeal"],
        expected["pending"],
        expected["withdrawn"],
    ]
    expect(dashboard.totals_cells()).to_have_text([str(v) for v in wanted])
    decided = expected["approved_by_rules"] + expected["approved_after_review"] + expected["denied"]
    approved = round(100 * (expected["approved_by_rules"] + expected["approved_after_review"]) / decided, 1)
    expect(page.get_by_label("Percent approved", exact=True)).to_contain_text(f"{approved:g} %")
    expect(page.get_by_role("img", name=re.compile("Bar chart of request outcomes"))).to_be_visible()
    expect(page.get_by_label("Definitions", exact=True)).to_contain_text("Initial determination")

    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"All programs,All plans,{expected['requests']}," in content


def test_a_denied_case_gets_documents_and_a_physician_task(
    page: Page, portal, portal_db, monkeypatch, tmp_path
):
    # The denial is arranged through the services; its letters go to the running portal's data folder.
    monkeypatch.setenv("DATA_DIR", str(Path(make_url(portal["db_url"]).database or "").parent))
    get_settings.cache_clear()
    number = _case_in_the_physician_queue(portal_db, member="EVG100000056")
    physician = actor_for(portal_db, "physician")
    slot = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    review.offer_peer_to_peer(portal_db, actor=physician, order_number=number, slots=[slot])
    view = review.open_case(portal_db, actor=physician, order_number=number)
    review.deny_line(
        portal_db,
        actor=physician,
        order_number=number,
        line_number=1,
        version=view.version,
        reason_code=view.lines[0].criteria[0][0],
        text=DENIAL_TEXT,
    )
    get_settings.cache_clear()
    notes = tmp_path / "therapy-since-october.pdf"
    notes.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

    _sign_in(page, "ordering")
    page.goto(f"/orders/{number}")
    expect(page.get_by_role("heading", name="Send supporting documents")).to_be_visible()
    page.locator("#documents input[type=file]").set_input_files(str(notes))
    page.get_by_role("button", name="Upload documents").click()
    expect(page.get_by_text("Added: therapy-since-october.pdf.")).to_be_visible()
    page.get_by_role("button", name="Send the documents for review").click()
    expect(
        page.get_by_text("The documents were sent to a physician reviewer (reconsideration).")
    ).to_be_visible()
    sign_out(page)

    _sign_in(page, "physician")
    page.goto(f"/review/case/{number}")
    expect(page.get_by_text(re.compile("Physician queue · Reconsideration"))).to_be_visible()
    expect(page.get_by_role("list", name="Documents", exact=True)).to_contain_text(
        "therapy-since-october.pdf"
    )
