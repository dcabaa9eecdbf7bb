"""The production build serves the home page and the sign-in page in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.pages.portal import HomePage, SignInPage


def test_home_page_says_what_precert_is(page: Page):
    home = HomePage(page).open()
    expect(page).to_have_title(re.compile("Precert"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Prior authorization without the phone calls")
    expect(page.get_by_role("main")).to_contain_text("Nurse and physician reviewers")
    home.go_to_sign_in()
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_sign_in_page_rejects_a_wrong_password_without_saying_why(page: Page):
    sign_in = SignInPage(page).open()
    sign_in.sign_in("nobody@demo.precert.test", "wrong password here")
    expect(sign_in.error).to_contain_text("email or password is not correct")
    expect(page.get_by_label("Email or username")).to_have_value("nobody@demo.precert.test")


def test_a_demo_account_signs_in_and_out(page: Page):
    account = next(a for a in DEMO_ACCOUNTS if a.username == "nurse")
    SignInPage(page).open().sign_in(account.email, account.password)
    expect(page.get_by_role("status")).to_contain_text("Signed in as")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(account.full_name)
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
