"""A physician decides a case; the letter's fax copy waits in the outbox because the office's fax number
is not confirmed. The office confirms its number with the code from a test page, support confirms it,
and the held fax is released."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import OutboxFax
from portal_app.services import review
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.order_submission import submit_order
from tests.e2e.pages.portal import navigate, sign_in_reusing_session, sign_out
from tests.e2e.pages.review import CaseReviewPage
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
LETTER_FAX = "555-0100"  # the letter fax draft_order gives its orders
HELD_REASON = "Held: fax number 555-0100 has not been confirmed for letters with patient information"


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _go_to(page: Page, link: str, heading: str) -> None:
    navigate(page, link)
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def _case_in_the_physician_queue(db) -> str:
    office = actor_for(db, "ordering")
    order_id = draft_order(db, office, member="EVG100000064", details=PENDING_LOW_BACK)
    number = submit_order(
        db, actor=office, order_id=order_id, today=TODAY, duplicates_acknowledged=True
    ).order_number
    nurse = actor_for(db, "nurse")
    version = review.open_case(db, actor=nurse, order_number=number).version
    review.escalate(db, actor=nurse, order_number=number, version=version, note="Please review.")
    return number


def _fax_row(page: Page, number: str):
    return page.get_by_role("region", name="Faxes").get_by_role("row").filter(has_text=number)


def _test_page_code(db) -> str:
    """What the office reads on the test page (it carries no PHI; its subject holds the code)."""
    db.rollback()  # a fresh read of what the portal wrote
    test_page = db.exec(
        select(OutboxFax)
        .where(OutboxFax.to_number == "5550100", OutboxFax.contains_phi.is_(False))
        .order_by(OutboxFax.id.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", test_page.subject).group(1)


def test_a_letter_to_an_unconfirmed_fax_is_held_until_the_number_is_confirmed(page: Page, portal_db):
    number = _case_in_the_physician_queue(portal_db)

    _sign_in(page, "physician")
    case = CaseReviewPage(page).open(number)
    case.act("Approve line 1", text="Conservative care documented in the notes.")
    expect(page.get_by_text("Line approved.")).to_be_visible()
    sign_out(page)

    # Support sees the letter's fax held in the outbox, with the reason.
    _sign_in(page, "support")
    _go_to(page, "Outbox", "Outbox")
    page.get_by_label("Show faxes").select_option(label="Held")
    row = _fax_row(page, number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Held")
    expect(row).to_contain_text(HELD_REASON)
    sign_out(page)

    # The office sends itself a test page and enters its code.
    _sign_in(page, "ordering")
    _go_to(page, "Fax numbers", "Fax numbers for letters")
    page.get_by_label("Your name (who receives the test page)").fill("Olive Orderwell")
    page.get_by_role("button", name=f"Send a test page to {LETTER_FAX}", exact=True).click()
    expect(page.get_by_text(f"A test page was faxed to {LETTER_FAX}.")).to_be_visible()
    page.get_by_label(f"Code from the test page to {LETTER_FAX}").fill(_test_page_code(portal_db))
    page.get_by_role("button", name=f"Enter the code for {LETTER_FAX}").click()
    expect(page.get_by_text(f"Code accepted for {LETTER_FAX}.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=LETTER_FAX).first).to_contain_text(
        "Code entered, waiting for support"
    )
    sign_out(page)

    # Support confirms the number; the held letter is released.
    _sign_in(page, "support")
    _go_to(page, "Changes and faxes", "Changes and fax numbers")
    page.get_by_role("button", name=f"Confirm {LETTER_FAX}").click()
    expect(page.get_by_text("Fax number confirmed; the faxes held for it were released.")).to_be_visible()
    _go_to(page, "Outbox", "Outbox")
    page.get_by_label("Show faxes").select_option(label="Released")
    row = _fax_row(page, number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Released to the fax service")


def test_an_office_asks_for_a_fax_change_and_support_approves_it(page: Page):
    _sign_in(page, "ordering")
    _go_to(page, "Provider changes", "Provider and site changes")
    target = page.get_by_label("Provider or site")
    provider = target.locator("option").nth(1).inner_text()
    target.select_option(label=provider)
    page.get_by_label("What to change").select_option(label="Fax")
    expect(page.get_by_text("On file now:")).to_be_visible()
    page.get_by_label("New fax number").fill("555-0142")  # seven digits: not enough
    page.get_by_label("Takes effect on").fill(TODAY.replace(year=TODAY.year + 1).isoformat())
    page.get_by_role("button", name="Send the request to support").click()
    expect(page.get_by_label("New fax number")).to_be_focused()
    expect(page.get_by_text("Enter a 10-digit US fax number")).to_be_visible()
    page.get_by_label("New fax number").fill("312-555-0142")
    page.get_by_role("button", name="Send the request to support").click()
    expect(page.get_by_text(re.compile(r"^Request \d+ sent to support"))).to_be_visible()
    history = page.get_by_role("region", name="Change history")
    expect(history.get_by_role("row").filter(has_text="312-555-0142")).to_contain_text("Waiting for support")
    sign_out(page)

    _sign_in(page, "support")
    _go_to(page, "Changes and faxes", "Changes and fax numbers")
    row = page.get_by_role("region", name="Change requests").get_by_role("row").filter(has_text=provider)
    expect(row.filter(has_text="312-555-0142")).to_have_count(1)
    row.filter(has_text="312-555-0142").get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.get_by_text(re.compile(r"^Change request \d+ approved\."))).to_be_visible()
    page.get_by_label("Show requests").select_option(label="Approved, waiting for their date")
    expect(
        page.get_by_role("region", name="Change requests").get_by_role("row").filter(has_text="312-555-0142")
    ).to_contain_text("Approved; takes effect on")
