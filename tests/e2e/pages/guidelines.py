"""Page object: the public "Coming soon" page of guideline versions not yet in force."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class ComingSoonPage:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> ComingSoonPage:
        self.page.goto("/guidelines/coming-soon")
        expect(
            self.page.get_by_role("heading", name="Coming soon: guideline changes", level=1)
        ).to_be_visible()
        return self

    def open_from_help(self) -> ComingSoonPage:
        self.page.goto("/help")
        self.page.get_by_role("link", name="Coming soon page").first.click()
        expect(
            self.page.get_by_role("heading", name="Coming soon: guideline changes", level=1)
        ).to_be_visible()
        return self

    def version(self, title: str) -> Locator:
        """The section of one upcoming version, by its heading (e.g. "Sleep medicine, version 2")."""
        return self.page.locator("section").filter(
            has=self.page.get_by_role("heading", name=title, exact=True)
        )

    def changes(self, title: str) -> Locator:
        return self.page.get_by_role("table", name=f"Changes in {title}", exact=True)
