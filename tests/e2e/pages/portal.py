"""Page objects: the portal as a person sees it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal_app.services.sessions import SESSION_COOKIE


class HomePage:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> HomePage:
        self.page.goto("/")
        expect(self.page.get_by_role("heading", level=1)).to_be_visible()
        return self

    def go_to_sign_in(self) -> SignInPage:
        self.page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
        return SignInPage(self.page).wait()


class SignInPage:
    def __init__(self, page: Page):
        self.page = page

    def open(self, path: str = "/sign-in") -> SignInPage:
        self.page.goto(path)
        return self.wait()

    def wait(self) -> SignInPage:
        expect(self.page.get_by_role("heading", name="Sign in to Precert")).to_be_visible()
        return self

    def sign_in(self, identifier: str, password: str) -> None:
        self.page.get_by_label("Email or username").fill(identifier)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in", exact=True).click()

    def sign_in_as(self, identifier: str, password: str, *, name: str) -> None:
        """Sign in and wait until the header shows the user's name."""
        self.sign_in(identifier, password)
        expect(self.page.get_by_role("navigation", name="Main")).to_contain_text(name)

    @property
    def error(self):
        return self.page.get_by_role("alert")


# Session cookies of accounts signed in earlier in this run, by account: signing in through the form
# is what the sign-in tests test; every other test reuses the session (as Playwright's storage_state).
_STORED_SESSIONS: dict[str, list] = {}


def sign_in_reusing_session(
    page: Page, identifier: str, password: str, *, name: str, path: str = "/"
) -> None:
    """Be signed in as this account on ``path``, as after signing in with the form.

    The first time, or when the portal no longer accepts the stored session (signed out, idle
    logoff), or when this browser already holds another account's session, the form is used and
    the new session stored.
    """
    stored = _STORED_SESSIONS.get(identifier)
    if stored and not any(c["name"].endswith(SESSION_COOKIE) for c in page.context.cookies()):
        page.context.add_cookies(stored)
        page.goto(path)
        header_name = page.get_by_role("navigation", name="Main").get_by_text(name)
        sign_in_form = page.get_by_role("heading", name="Sign in to Precert")
        expect(header_name.or_(sign_in_form).first).to_be_visible()
        if header_name.is_visible():
            return
        page.context.clear_cookies()
    SignInPage(page).open("/sign-in" if path == "/" else f"/sign-in?next={path}").sign_in_as(
        identifier, password, name=name
    )
    _STORED_SESSIONS[identifier] = page.context.cookies()


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    SignInPage(page).wait()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


class RegistrationWizard:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> RegistrationWizard:
        self.page.goto("/register")
        expect(self.page.get_by_role("heading", name="Register for Precert")).to_be_visible()
        return self

    def current_step(self):
        return self.page.get_by_role("navigation", name="Progress").locator("[aria-current=step]")

    def next(self) -> None:
        self.page.get_by_role("button", name="Next").click()

    def back(self) -> None:
        self.page.get_by_role("button", name="Back").click()

    def fill_details(self, *, full_name: str, email: str, phone: str, role_label: str) -> None:
        self.page.get_by_label("Full name").fill(full_name)
        self.page.get_by_label("Work e-mail").fill(email)
        self.page.get_by_label("Phone").fill(phone)
        self.page.get_by_label("Your role").select_option(label=role_label)

    def fill_credentials(self, *, username: str, password: str) -> None:
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_label("Repeat the password").fill(password)

    def add_tax_id(self, tax_id: str) -> None:
        self.page.get_by_label("Practice tax ID").fill(tax_id)
        self.page.get_by_role("button", name="Add tax ID").click()
        expect(self.page.get_by_role("list", name="Tax IDs added")).to_contain_text(
            re.sub(r"^(\d{2})-?(\d{7})$", r"\1-\2", tax_id)
        )

    def submit(self) -> None:
        self.page.get_by_role("button", name="Submit registration").click()
