"""Page objects: the portal as a person sees it."""

from __future__ import annotations

from playwright.sync_api import Page, expect


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

    def open(self) -> SignInPage:
        self.page.goto("/sign-in")
        return self.wait()

    def wait(self) -> SignInPage:
        expect(self.page.get_by_role("heading", name="Sign in to Precert")).to_be_visible()
        return self

    def sign_in(self, identifier: str, password: str) -> None:
        self.page.get_by_label("Email or username").fill(identifier)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    @property
    def error(self):
        return self.page.get_by_role("alert")
