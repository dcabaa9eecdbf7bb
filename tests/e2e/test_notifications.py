"""An office user sees the bell's count rise and the notification after a nurse approves their pended
request, opens the list and marks it read (issue 25)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.notices import unread_count
from portal_app.services.order_submission import submit_order
from portal_app.services.upkeep import run_notification_upkeep
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.notifications import NotificationBell
from tests.e2e.pages.portal import sign_in_reusing_session, sign_out
from tests.e2e.pages.review import CaseReviewPage
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
MEMBER = "EVG100000092"  # no other browser test uses this member


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def test_the_office_sees_the_bell_and_the_notification_after_a_nurse_approves(page: Page, portal_db):
    office = actor_for(portal_db, "ordering")
    order_id = draft_order(portal_db, office, member=MEMBER, details=PENDING_LOW_BACK)
    number = submit_order(portal_db, actor=office, order_id=order_id, today=TODAY).order_number
    run_notification_upkeep(portal_db)  # what the upkeep would add (expiring demo approvals) is there now

    # From the database: the bell says "none unread" until its count has loaded, so reading it here
    # could race with that load.
    before = unread_count(portal_db, actor=office)

    _sign_in(page, "nurse")
    case = CaseReviewPage(page).open(number)
    case.act("Approve line 1", text="Conservative care documented in the notes.")
    expect(page.get_by_text("Line approved.")).to_be_visible()
    sign_out(page)

    _sign_in(page, "ordering")
    bell = NotificationBell(page)
    bell.expect_unread(before + 1)
    listing = bell.open()
    row = listing.row_for_order(number)
    expect(row).to_contain_text("A decision was made on a request")
    assert_accessible(page, "the notification list")
    listing.mark_read(row)
    expect(row.get_by_role("button")).to_have_count(0)
    expect(row).to_contain_text("Read")
    bell.expect_unread(before)
    row.get_by_role("link", name=f"Order {number}", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/orders/{number}$"))


def test_the_email_preference_is_chosen_on_the_account_page(page: Page):
    _sign_in(page, "ordering2")
    page.goto("/account")
    preference = page.get_by_role("group", name="E-mail me")
    expect(preference.get_by_role("radio", name=re.compile(r"^Immediately"))).to_be_checked()
    # The radio is controlled by the server's state: it shows checked once the answer arrives.
    daily = preference.get_by_role("radio", name=re.compile(r"^Daily digest"))
    daily.click()
    expect(daily).to_be_checked()
    page.get_by_role("button", name="Save e-mail preference").click()
    expect(page.get_by_role("status").filter(has_text="Saved: Daily digest")).to_be_visible()
    assert_accessible(page, "the account page with the e-mail preference")
    page.reload()
    expect(
        page.get_by_role("group", name="E-mail me").get_by_role("radio", name=re.compile(r"^Daily"))
    ).to_be_checked()
