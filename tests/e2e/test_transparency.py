"""Issue 24 in the browser: the public transparency page shows a plan's managed services and last
year's metrics, the same as the review dashboard for the same plan and year; a reviewer extends a
case where its rule allows and the office sees the extension notice."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.order_submission import submit_order
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import navigate, sign_in_reusing_session, sign_out
from tests.e2e.pages.review import DashboardPage, OrderSummaryPage
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
EVERGREEN = "Evergreen Mutual Health (demo)"


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _standard_row(page: Page, table: str):
    return page.get_by_role("table", name=table).get_by_role("row").filter(has_text="Standard")


def test_public_page_shows_managed_services_and_last_years_metrics_like_the_dashboard(page: Page):
    last_year = str(date.today().year - 1)  # the demo history (services/demo_history.py) is there
    page.goto("/prior-authorization")  # no sign-in
    filters = page.get_by_role("form", name="Choose a plan and a year")
    filters.get_by_label("Health plan").select_option(label=EVERGREEN)
    filters.get_by_label("Year").select_option(last_year)
    filters.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=EVERGREEN)).to_be_visible()
    services = page.get_by_role("table", name="Managed services: Radiology and cardiology imaging")
    expect(services).to_contain_text("72148")
    public_row = _standard_row(page, "Prior authorization metrics").get_by_role("cell")
    expect(public_row.nth(1)).not_to_have_text("0")
    # Requests, decided, approved, denied, after appeal, after extension, average, median.
    public = public_row.all_inner_texts()
    assert_accessible(page, "public transparency page")

    _sign_in(page, "nurse")
    dashboard = DashboardPage(page).open()
    page.get_by_role("form", name="Dashboard filters").get_by_label("Plan").select_option(label=EVERGREEN)
    dashboard.show(f"{last_year}-01-01", f"{last_year}-12-31")
    # Requests, decided, approved, denied, after appeal, mean hours, median hours, 90th percentile.
    row = _standard_row(page, "Shares and decision times by urgency").get_by_role("cell")
    expect(row.nth(1)).to_have_text(public[1])
    expect(row.nth(2)).to_have_text(public[2])
    expect(row.nth(3)).to_have_text(public[3])
    expect(row.nth(4)).to_have_text(public[4])
    expect(row.nth(5)).to_have_text(public[6])
    expect(row.nth(6)).to_have_text(public[7])
    sign_out(page)


def test_reviewer_extends_a_case_and_the_office_sees_the_notice(page: Page, portal_db):
    office = actor_for(portal_db, "ordering")
    # Riverbend's dual-eligible members follow the Medicare Advantage clock: extension up to 14 days.
    order_id = draft_order(portal_db, office, member="RVB100000003", details=PENDING_LOW_BACK)
    number = submit_order(portal_db, actor=office, order_id=order_id, today=TODAY).order_number

    _sign_in(page, "nurse")
    page.goto(f"/review/case/{number}")
    expect(page.get_by_text(re.compile("Decision clock: CMS-0057-F: Medicare Advantage"))).to_be_visible()
    form = page.get_by_role("form", name="Extend the decision time")
    form.get_by_label("Extend by (calendar days)").fill("10")
    form.get_by_label("Reason for the extension").fill("Waiting for the report of the earlier MRI.")
    form.get_by_role("button", name="Extend the decision time").click()
    expect(page.get_by_text(re.compile("^Decision time extended to"))).to_be_visible()
    expect(page.get_by_text(re.compile("Extended: now due"))).to_be_visible()
    assert_accessible(page, "case page after an extension")
    sign_out(page)

    _sign_in(page, "ordering")
    OrderSummaryPage(page).open(number)
    expect(page.get_by_role("list", name="Information added")).to_contain_text(
        "Decision time extended by 10 calendar days"
    )
    expect(page.get_by_role("list", name="Documents", exact=True)).to_contain_text(f"{number}-extension-")
    # The office's page for an authorization from a previous plan (services/continuity.py).
    navigate(page, "Previous plan")
    form = page.get_by_role("form", name="Authorization from a previous plan")
    form.get_by_label("Member ID").fill("EVG100000012")
    form.get_by_label("Previous plan", exact=True).fill("Previous Health Plan")
    form.get_by_role("button", name="Enter the authorization").click()
    expect(page.get_by_role("alert")).to_contain_text("first and last day")
    assert_accessible(page, "previous plan authorization page")
