"""The wizard's servicing search comes in pages of ten providers (issue 27): "More results" shows the
next page, "Earlier results" the one before. The demo's directory has more than ten but fewer than
twenty providers and facilities whose name, specialty, city or type contains "ing"."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.pages.order_wizard import OrderWizard
from tests.e2e.pages.portal import sign_in_reusing_session

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")


def test_more_results_pages_through_the_servicing_search(page: Page):
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    wizard = OrderWizard(page).open()
    wizard.choose_plan(date.today() + timedelta(days=14))
    wizard.next("Member")
    wizard.choose_member("EVG100000024")
    wizard.next("Providers")
    page.get_by_label("Find the servicing provider or facility").fill("ing")
    page.get_by_role("button", name="Search providers").click()
    # Every result row has a "Select <name>" button and shows the NPI (two demo providers share a name).
    results = page.get_by_role("row").filter(has=page.get_by_role("button", name=re.compile("^Select ")))
    more, earlier = (
        page.get_by_role("button", name="More results"),
        page.get_by_role("button", name="Earlier results"),
    )
    expect(more).to_be_enabled()
    expect(earlier).to_be_disabled()
    expect(results).not_to_have_count(0)
    first_page = set(results.all_inner_texts())
    assert len(first_page) >= 10

    more.click()
    expect(page.get_by_text("Page 2", exact=True)).to_be_visible()
    expect(earlier).to_be_enabled()
    expect(more).to_be_disabled()
    expect(results).not_to_have_count(0)
    assert not set(results.all_inner_texts()) & first_page

    earlier.click()
    expect(page.get_by_text("Page 1", exact=True)).to_be_visible()
    expect(results).to_have_count(len(first_page))
