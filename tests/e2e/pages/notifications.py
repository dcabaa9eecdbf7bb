"""Page objects for the header's notification bell and the /notifications list."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

BELL_NAME = re.compile(r"^Notifications, (none|\d+) unread$")


class NotificationBell:
    """The bell in the main navigation; its accessible name says how many are unread."""

    def __init__(self, page: Page):
        self.page = page
        self.link = page.get_by_role("navigation", name="Main").get_by_role("link", name=BELL_NAME)

    def expect_unread(self, count: int) -> None:
        expect(self.link).to_have_accessible_name(
            "Notifications, none unread" if count == 0 else f"Notifications, {count} unread"
        )

    def open(self) -> NotificationsPage:
        self.link.click()
        return NotificationsPage(self.page).wait()


class NotificationsPage:
    def __init__(self, page: Page):
        self.page = page

    def wait(self) -> NotificationsPage:
        expect(self.page.get_by_role("heading", name="Notifications")).to_be_visible()
        return self

    def row_for_order(self, order_number: str) -> Locator:
        table = self.page.get_by_role("table", name="Notifications")
        link = self.page.get_by_role("link", name=f"Order {order_number}", exact=True)
        return table.get_by_role("row").filter(has=link)

    def mark_read(self, row: Locator) -> None:
        row.get_by_role("button", name=re.compile(r"^Mark as read")).click()
