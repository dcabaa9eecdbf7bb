"""Keyboard only: sign in without a mouse, a visible focus ring, and focus on the first error after
a failed "Next" in the order wizard and the registration wizard."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")


def _focus_ring(page: Page) -> str:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + "
        "s.boxShadow; }"
    )


def _sign_in_with_the_keyboard(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email or username").focus()
    page.keyboard.type(ORDERING.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(ORDERING.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(ORDERING.full_name)


def test_sign_in_and_a_failed_next_put_focus_where_the_work_continues(page: Page):
    _sign_in_with_the_keyboard(page)
    page.goto("/orders/new")
    next_button = page.get_by_role("button", name="Next")
    next_button.focus()
    ring = _focus_ring(page)
    assert "none" not in ring.split()[0] or "rgb" in ring, f"no visible focus on the Next button: {ring}"
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_label("Health plan")).to_be_focused()


def test_the_registration_wizard_focuses_the_first_field_with_an_error(page: Page):
    page.goto("/register")
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_be_visible()
    # Focus moves in the event after the errors are shown: wait for it rather than read it at once.
    expect(page.locator(":focus")).to_have_attribute("id", re.compile(r"^field-"))
    focused_id = page.evaluate("() => document.activeElement.id")
    assert page.locator(f"#{focused_id}-error").is_visible()
