"""Page objects for reviewers and offices after submission: queue, case view, dashboard, order
summary and provider look-up. Every locator is by role and accessible name, as a person sees it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


class ReviewQueuePage:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> ReviewQueuePage:
        self.page.goto("/review")
        expect(self.page.get_by_role("heading", name="Review queue")).to_be_visible()
        return self

    def filter(
        self,
        *,
        plan: str | None = None,
        program: str | None = None,
        urgency: str | None = None,
        status: str | None = None,
    ) -> None:
        for label, value in (("Plan", plan), ("Program", program), ("Urgency", urgency), ("Status", status)):
            if value is not None:
                self.page.get_by_label(label, exact=True).select_option(label=value)
        self.page.get_by_role("button", name="Filter").click()

    def case_link(self, order_number: str):
        return self.page.get_by_role("link", name=order_number)

    def open_case(self, order_number: str) -> CaseReviewPage:
        self.case_link(order_number).click()
        return CaseReviewPage(self.page).wait()


class CaseReviewPage:
    def __init__(self, page: Page):
        self.page = page

    def open(self, order_number: str) -> CaseReviewPage:
        self.page.goto(f"/review/case/{order_number}")
        return self.wait()

    def wait(self) -> CaseReviewPage:
        expect(self.page.get_by_role("heading", name="Case review")).to_be_visible()
        return self

    def act(self, button: str, *, text: str | None = None, reason: str | None = None) -> None:
        """Click an action button ("Approve line 1", "Deny line 1", "Offer peer-to-peer"...), fill the
        dialog and confirm. ``reason`` is the value of a criterion in "Specific reason"."""
        self.page.get_by_role("button", name=button).click()
        dialog = self.page.get_by_role("dialog")
        if reason is not None:
            dialog.get_by_label("Specific reason").select_option(reason)
        if text is not None:
            dialog.get_by_label("Explanation or message").fill(text)
        dialog.get_by_role("button", name="Confirm").click()

    def first_reason(self, button: str) -> str:
        """Open the action's dialog and return the first criterion offered as the specific reason."""
        self.page.get_by_role("button", name=button).click()
        return (
            self.page.get_by_role("dialog")
            .get_by_label("Specific reason")
            .locator("option")
            .first.get_attribute("value")
        )

    def documents(self):
        return self.page.get_by_role("list", name="Documents", exact=True)


class DashboardPage:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> DashboardPage:
        self.page.goto("/review/dashboard")
        expect(self.page.get_by_role("heading", name="Review dashboard")).to_be_visible()
        # The page's load sets the default range, which redraws the date inputs: dates typed before
        # then would be replaced by the defaults.
        filters = self.page.get_by_role("form", name="Dashboard filters")
        expect(filters.get_by_label("Submitted from")).not_to_have_value("")
        return self

    def show(self, date_from: str, date_to: str) -> None:
        filters = self.page.get_by_role("form", name="Dashboard filters")
        filters.get_by_label("Submitted from").fill(date_from)
        filters.get_by_label("Submitted to").fill(date_to)
        filters.get_by_role("button", name="Show").click()

    def totals_cells(self):
        table = self.page.get_by_role("table", name="Requests by program and plan")
        return table.get_by_role("row").filter(has_text="All programs").get_by_role("cell")


class OrderSummaryPage:
    def __init__(self, page: Page):
        self.page = page

    def open(self, order_number: str) -> OrderSummaryPage:
        self.page.goto(f"/orders/{order_number}")
        return self.wait()

    def wait(self) -> OrderSummaryPage:
        expect(self.page).to_have_url(re.compile(r"/orders/PC\d{4}[0-9A-Z]{9}$"))
        expect(self.page.get_by_role("heading", name="Order summary")).to_be_visible()
        return self

    @property
    def order_number(self) -> str:
        return self.page.url.rsplit("/", 1)[-1]

    def line(self, code: str):
        """The card of one requested code: its decision, reason, validity and criteria."""
        return self.page.get_by_role("group", name=f"Requested {code}")

    def request_reconsideration(self, information: str) -> None:
        self.page.get_by_label("Additional information").fill(information)
        self.page.get_by_role("button", name="Request reconsideration").click()


class ProviderLookupPage:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> ProviderLookupPage:
        self.page.goto("/providers")
        expect(
            self.page.get_by_role("heading", name=re.compile("provider", re.IGNORECASE)).first
        ).to_be_visible()
        return self

    def results(self):
        return self.page.get_by_role("table", name="Providers and facilities").get_by_role("row")
