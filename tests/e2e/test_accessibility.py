"""axe-core on every page of the portal in its main states: no WCAG 2.1 A/AA violation of impact
"serious" or "critical" (empty forms, forms showing errors, tables filled)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal_app.services.demo_cases import DEMO_ORDERS, demo_order_number
from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import SignInPage, sign_in_reusing_session

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
FIRST = demo_order_number(DEMO_ORDERS[0])


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _visit(page: Page, path: str, heading: str | re.Pattern) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()


def test_public_pages_empty_and_with_errors(page: Page):
    _visit(page, "/", re.compile("."))
    assert_accessible(page, "home")
    sign_in = SignInPage(page).open()
    assert_accessible(page, "sign-in, empty")
    sign_in.sign_in("nobody@example.test", "wrong-password-123")
    expect(sign_in.error).to_be_visible()
    assert_accessible(page, "sign-in, with an error")
    _visit(page, "/register", re.compile("Register|Create"))
    assert_accessible(page, "registration, first step")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page, "registration, with errors")
    _visit(page, "/forgot-password", re.compile("password", re.IGNORECASE))
    assert_accessible(page, "forgot password")


def test_office_pages(page: Page):
    _sign_in(page, "ordering")
    _visit(page, "/orders/new", "New prior-authorization request")
    assert_accessible(page, "wizard, plan step")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page, "wizard, plan step with errors")
    _visit(page, "/orders", "My orders")
    expect(page.get_by_role("link", name=FIRST)).to_be_visible()
    assert_accessible(page, "my orders, filled")
    _visit(page, f"/orders/{FIRST}", "Order summary")
    assert_accessible(page, "order summary")
    _visit(page, "/providers", re.compile("provider", re.IGNORECASE))
    page.get_by_role("button", name="Search").first.click()
    assert_accessible(page, "provider look-up with results")
    _visit(page, "/account", re.compile("account", re.IGNORECASE))
    assert_accessible(page, "account")
    _visit(page, "/verify", re.compile("Verify"))
    assert_accessible(page, "verify")
    _visit(page, "/practice/changes", "Provider and site changes")
    expect(page.get_by_text("217-555-0188").first).to_be_visible()  # the demo's pending request
    assert_accessible(page, "provider changes with the history")
    page.get_by_role("button", name="Send the request to support").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page, "provider changes with errors")
    _visit(page, "/practice/fax", "Fax numbers for letters")
    assert_accessible(page, "fax numbers")


def test_reviewer_pages(page: Page):
    _sign_in(page, "nurse")
    _visit(page, "/review", "Review queue")
    assert_accessible(page, "review queue, filled")
    _visit(page, f"/review/case/{FIRST}", "Case review")
    expect(page.get_by_text(FIRST).first).to_be_visible()
    assert_accessible(page, "case view")
    _visit(page, "/review/dashboard", "Review dashboard")
    expect(page.get_by_label("Definitions", exact=True)).to_contain_text("Request")
    assert_accessible(page, "dashboard")


def test_support_pages(page: Page):
    _sign_in(page, "support")
    for path, heading in (
        ("/admin/registrations", re.compile("registrations", re.IGNORECASE)),
        ("/admin/audit", re.compile("Audit")),
        ("/admin/outbox", re.compile("Outbox")),
        ("/admin/changes", "Changes and fax numbers"),
        ("/admin/facilities", "Facility registrations"),
    ):
        _visit(page, path, heading)
        assert_accessible(page, path)


def test_facility_pages(page: Page):
    _sign_in(page, "facility")
    _visit(page, "/facility/registration", "Facility registration")
    expect(page.get_by_role("region", name="Facility registrations")).to_contain_text("Franklin")
    assert_accessible(page, "facility registrations, filled")
    page.get_by_role("button", name="Start a new registration").click()
    page.get_by_role("button", name="Save section").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page, "facility section with errors")
