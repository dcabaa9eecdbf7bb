"""Issue 25 in the browser: on a fresh demo with its year of history (services/demo_year.py) the
nurse's review dashboard shows figures, not an empty page: requests and decisions by program, both
charts with bars, decision times and the satisfaction survey with its NPS.

The other browser tests run on a portal without the history (their queues are the demo's exact
cases), so this file has a portal of its own, `portal_with_history` (tests/servers.py). The public
transparency page shows past years only; the history begins this year, so it is not checked here
(last year's figures there come from services/demo_history.py, see test_transparency.py).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.demo_year import history_window
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import failing_on_errors_logged
from tests.e2e.pages.portal import SignInPage
from tests.e2e.pages.review import DashboardPage
from tests.servers import HISTORY_SIZE

NURSE = next(account for account in DEMO_ACCOUNTS if account.username == "nurse")
PERCENT = re.compile(r"\d+(\.\d+)? %")
# The totals row: program, plan, then the counts in the table's order.
REQUESTS, APPROVED_AT_ONCE, APPROVED_AFTER_REVIEW = 2, 3, 4


@pytest.fixture
def browser_context_args(browser_context_args, portal_with_history):
    """Pages of this file open on the portal with the history."""
    return {**browser_context_args, "base_url": portal_with_history["url"]}


@pytest.fixture(autouse=True)
def fail_on_history_portal_errors(portal_with_history):
    with failing_on_errors_logged(portal_with_history["log"]):
        yield


def _at_least(number: int) -> re.Pattern:
    """A whole number of ``number`` (below 100) or more."""
    return re.compile("^(" + "|".join(str(n) for n in range(number, 100)) + r"|\d{3,})$")


def _count(cell) -> int:
    return int(cell.inner_text().strip())


def _bars(page: Page, chart: str):
    """The drawn bars of a chart: recharts draws no rectangle for a zero value. The SVG's shapes have
    no roles, so they are found by recharts' class inside the chart's accessible image."""
    return page.get_by_role("img", name=chart).locator("path.recharts-rectangle")


def test_the_fresh_demos_dashboard_shows_its_year(page: Page):
    SignInPage(page).open().sign_in_as(NURSE.email, NURSE.password, name=NURSE.full_name)
    dashboard = DashboardPage(page).open()
    start, _ = history_window(datetime.now(UTC))
    dashboard.show(start.date().isoformat(), date.today().isoformat())

    # Requests: the history's (a few notification-only ones are not counted). The default 90 days hold
    # fewer, so this also waits for the whole range's figures, which come in one answer.
    totals = dashboard.totals_cells()
    expect(totals.nth(REQUESTS)).to_have_text(_at_least(HISTORY_SIZE // 2))
    assert _count(totals.nth(APPROVED_AT_ONCE)) + _count(totals.nth(APPROVED_AFTER_REVIEW)) > 0
    counts = page.get_by_role("table", name="Requests by program and plan").get_by_role("row")
    programs = {row.get_by_role("cell").first.inner_text() for row in counts.all()[1:]}
    assert len(programs - {"All programs"}) >= 2, programs

    # Decisions: shares of approved and denied requests ("—" when nothing was decided).
    expect(page.get_by_label("Percent approved", exact=True)).to_contain_text(PERCENT)
    expect(page.get_by_label("Percent denied", exact=True)).to_contain_text(PERCENT)

    # The charts have data: bars of outcomes by program, and of decision hours.
    assert _bars(page, "Bar chart of request outcomes by program").count() >= 2
    expect(_bars(page, "Bar chart of median and 90th percentile hours by urgency").first).to_be_visible()
    standard = (
        page.get_by_role("table", name="Shares and decision times by urgency")
        .get_by_role("row")
        .filter(has_text="Standard")
        .get_by_role("cell")
    )
    assert _count(standard.nth(1)) > 0  # decided
    expect(standard.nth(7)).to_have_text(re.compile(r"^\d"))  # 90th percentile hours

    # The survey: answers from the offices, and so a Net Promoter Score.
    expect(page.get_by_label("Answered", exact=True)).to_contain_text(re.compile(r"[1-9]"))
    expect(page.get_by_label("NPS", exact=True)).to_contain_text(re.compile(r"-?\d"))
    expect(page.get_by_label("Promoters (9–10)")).to_contain_text("%")
    assert_accessible(page, "dashboard of the demo's year")
