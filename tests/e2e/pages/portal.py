"""Page objects: the portal as a person sees it."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from portal_app.services.sessions import SESSION_COOKIE
from portal_app.state.auth import LOGOFF_WARNING_SECONDS
from tests.servers import IDLE_MINUTES

# The header menu holding a link, for roles whose header groups it (components/layout.py).
MENU_OF_LINK = {
    "New request": "Requests",
    "My orders": "Requests",
    "Verify an order": "Requests",
    "Previous plan": "Requests",
    "Find a provider": "Look-ups",
    "Radiation therapy codes": "Look-ups",
    "Is authorization needed?": "Look-ups",
    "Provider changes": "Practice",
    "Fax numbers": "Practice",
    "PAP device data": "Practice",
    "Registrations": "Accounts",
    "Users": "Accounts",
    "Imaging sites": "Accounts",
    "Plans": "Plans",
    "Plan files": "Plans",
    "Code lists": "Plans",
    "Changes and faxes": "Held work",
    "Held device data": "Held work",
    "Outbox": "Held work",
    "Write announcements": "Feedback",
    "Feedback group": "Feedback",
}


def navigate(page: Page, link: str) -> None:
    """Follow a header link, opening the menu that holds it when the role's header groups it."""
    nav = page.get_by_role("navigation", name="Main")
    target = nav.get_by_role("link", name=link, exact=True)
    menu = MENU_OF_LINK.get(link)
    if menu is not None:
        button = nav.get_by_role("button", name=menu, exact=True)
        expect(target.or_(button).first).to_be_visible()
        if not target.is_visible() and button.get_attribute("aria-expanded") == "false":
            button.click()
    target.click()


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
_STORED_SESSIONS: dict[str, tuple[list, float]] = {}
# A stored session is used again only well before the portal would warn of an idle logoff.
_REUSE_WITHIN_SECONDS = IDLE_MINUTES * 60 - LOGOFF_WARNING_SECONDS - 120


def sign_in_reusing_session(
    page: Page, identifier: str, password: str, *, name: str, path: str = "/"
) -> None:
    """Be signed in as this account on ``path``, as after signing in with the form.

    The first time, or when the portal no longer accepts the stored session (signed out, idle
    logoff), or when this browser already holds another account's session, the form is used and
    the new session stored.
    """
    cookies, last_used = _STORED_SESSIONS.get(identifier, ([], 0.0))
    fresh = time.monotonic() - last_used < _REUSE_WITHIN_SECONDS
    if cookies and fresh and not any(c["name"].endswith(SESSION_COOKIE) for c in page.context.cookies()):
        _STORED_SESSIONS[identifier] = (cookies, time.monotonic())
        page.context.add_cookies(cookies)
        page.goto(path)
        main_navigation = page.get_by_role("navigation", name="Main")
        header_name = main_navigation.get_by_text(name)
        signed_out = main_navigation.get_by_role("link", name="Sign in", exact=True)
        expect(header_name.or_(signed_out).first).to_be_visible()
        if header_name.is_visible():
            return
        page.context.clear_cookies()
    SignInPage(page).open("/sign-in" if path == "/" else f"/sign-in?next={path}").sign_in_as(
        identifier, password, name=name
    )
    _STORED_SESSIONS[identifier] = (page.context.cookies(), time.monotonic())


def _forget_stored_session(page: Page) -> None:
    ended = {c["value"] for c in page.context.cookies() if c["name"].endswith(SESSION_COOKIE)}
    for identifier, (cookies, _) in list(_STORED_SESSIONS.items()):
        if any(c["value"] in ended for c in cookies if c["name"].endswith(SESSION_COOKIE)):
            del _STORED_SESSIONS[identifier]


def sign_out(page: Page) -> None:
    _forget_stored_session(page)
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
