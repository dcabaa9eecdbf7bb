"""The help desk page (public, with each program's checklist from the criteria data and the support
contact, every section reachable from its table of contents). The satisfaction survey's browser test
is in test_feedback.py."""

from __future__ import annotations

import os
import re

from playwright.sync_api import Page, expect

from portal_app.domain import help as guides
from portal_app.domain.enums import Program
from portal_app.programs.imaging.help import checklist as imaging_checklist
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.settings import DEFAULT_SUPPORT_CONTACT
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import sign_in_reusing_session

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _support_contact() -> str:
    # The portal runs with this test process's environment (tests/e2e/conftest.py).
    return (os.environ.get("SUPPORT_CONTACT") or "").strip() or DEFAULT_SUPPORT_CONTACT


def test_the_help_page_is_public_and_lists_the_imaging_checklist_from_the_data(page: Page):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Help").click()
    expect(page.get_by_role("heading", name="Help desk", level=1)).to_be_visible()

    imaging = page.get_by_role("region", name=Program.IMAGING.label)
    checklist = imaging.get_by_role("list", name=f"What you need: {Program.IMAGING.label}")
    items = imaging_checklist()
    assert any(item.source.startswith("LBP-1") for item in items)
    for item in items:
        expect(checklist).to_contain_text(item.text)
        for detail in item.details:
            expect(checklist).to_contain_text(detail)
    expect(imaging).to_contain_text(guides.program_guide(Program.IMAGING).validity)

    contact = page.get_by_role("region", name="Contact support")
    expect(contact.locator("address")).to_have_text(_support_contact())
    assert_accessible(page, "help page")


def test_every_help_section_is_reachable_from_the_table_of_contents_by_keyboard(page: Page):
    page.goto("/help")
    contents = page.get_by_role("navigation", name="On this page")
    for guide in guides.program_guides():
        link = contents.get_by_role("link", name=guide.title, exact=True)
        link.focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(f"#{guide.anchor}$"))
        expect(
            page.get_by_role("region", name=guide.title, exact=True).get_by_role(
                "heading", name=guide.title, level=2
            )
        ).to_be_in_viewport()
    contents.get_by_role("link", name="Contact support").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Contact support")).to_be_in_viewport()
