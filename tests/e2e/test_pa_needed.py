"""Issue 22 in the browser: the public "Is prior authorization needed?" page answers, without
sign-in, for a managed code (lumbar MRI, CPT 72148, in Evergreen's imaging code list) and an
unmanaged one (an office visit, CPT 99213, in no program's list), with the documents the imaging
program usually asks for, and for a code the plan only wants to be told of (a calcium score, CPT 75571,
notification only in Evergreen's list)."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible

EVERGREEN = "Evergreen Mutual Health (demo)"


def _ask(page: Page, code: str) -> None:
    form = page.get_by_role("form", name="Is prior authorization needed?")
    form.get_by_label("Health plan").select_option(label=EVERGREEN)
    form.get_by_label("Line of business").select_option(label="Commercial HMO/POS")
    form.get_by_label("CPT or HCPCS code").fill(code)
    form.get_by_label("Date of service").fill((date.today() + timedelta(days=14)).isoformat())
    form.get_by_role("button", name="Check").click()


def test_a_managed_and_an_unmanaged_code(page: Page):
    page.goto("/prior-authorization/needed")  # no sign-in
    expect(page.get_by_role("heading", name="Is prior authorization needed?")).to_be_visible()
    _ask(page, "72148")
    answer = page.get_by_role("status", name="Answer")
    expect(answer).to_contain_text("Prior authorization is needed through Precert.")
    expect(answer).to_contain_text("Radiology and cardiology imaging")
    expect(
        page.get_by_role("list", name="Documents usually needed").get_by_role("listitem").first
    ).to_be_visible()
    assert_accessible(page, "prior authorization needed: managed code")
    _ask(page, "99213")
    expect(answer).to_contain_text("Not managed by Precert.")
    expect(page.get_by_role("list", name="Documents usually needed")).to_have_count(0)
    _ask(page, "75571")
    expect(answer).to_contain_text("No prior authorization is needed: notify the plan through Precert.")
