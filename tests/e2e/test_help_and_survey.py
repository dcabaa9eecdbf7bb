"""The help desk page (public, with each program's checklist from the criteria data and the support
contact, every section reachable from its table of contents) and the satisfaction survey (offered
after a submitted request, answered, not asked again that month, and shown on the reviewer
dashboard)."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.domain import help as guides
from portal_app.domain.enums import Program
from portal_app.models import SatisfactionSurvey, User
from portal_app.programs.imaging.help import checklist as imaging_checklist
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.settings import DEFAULT_SUPPORT_CONTACT
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.order_wizard import OrderWizard
from tests.e2e.pages.portal import sign_in_reusing_session, sign_out
from tests.e2e.pages.review import DashboardPage, OrderSummaryPage

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
IN_TWO_WEEKS = date.today() + timedelta(days=14)
# Members no other browser test requests for, so that no duplicate notice interrupts the flow.
FIRST_MEMBER, SECOND_MEMBER = "EVG100000084", "EVG100000088"
SURVEY = "A quick question"


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


def _forget_surveys(portal_db, username: str) -> int:
    """Other browser tests submit requests as the same office (and may have been offered the survey
    this month): start from none."""
    user = portal_db.exec(select(User).where(User.username == username)).one()
    for row in portal_db.exec(select(SatisfactionSurvey).where(SatisfactionSurvey.user_id == user.id)).all():
        portal_db.delete(row)
    portal_db.commit()
    return user.id


def _submit_lumbar_mri(page: Page, member: str) -> str:
    wizard = OrderWizard(page)
    wizard.lumbar_mri(member, IN_TWO_WEEKS, weeks_of_care=8)
    wizard.submit()
    summary = OrderSummaryPage(page).wait()
    expect(summary.line("72148")).to_contain_text("Decision: Authorized")
    return summary.order_number


def test_the_survey_after_a_request_is_answered_once_a_month_and_shown_on_the_dashboard(
    page: Page, portal_db
):
    user_id = _forget_surveys(portal_db, "ordering")
    comment = "The checklist saved me a phone call."
    _sign_in(page, "ordering")
    first = _submit_lumbar_mri(page, FIRST_MEMBER)

    survey = page.get_by_role("region", name=SURVEY)
    expect(survey).to_be_visible()
    assert_accessible(page, "order summary with the survey")
    survey.get_by_role("button", name="Send answer").click()  # no rating chosen: the browser asks for one
    expect(survey).to_be_visible()
    survey.get_by_role("radio", name="4 – Easy").check()
    survey.get_by_label("What could be easier? (optional)").fill(comment)
    survey.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("status").filter(has_text="Thank you for your answer")).to_be_visible()
    expect(survey).to_have_count(0)

    portal_db.expire_all()
    [row] = portal_db.exec(select(SatisfactionSurvey).where(SatisfactionSurvey.user_id == user_id)).all()
    assert (row.status, row.rating, row.comment) == ("answered", 4, comment)

    # The same order again, and the next request this month: not asked again.
    OrderSummaryPage(page).open(first)
    second = _submit_lumbar_mri(page, SECOND_MEMBER)
    assert second != first
    # The survey's check runs after the order loads. A tab's events are handled in order, so once
    # an event sent after them has answered (the cancel dialog opens and closes), the check is done.
    page.get_by_role("button", name="Cancel this order").click()
    cancel_dialog = page.get_by_role("dialog", name="Cancel the order")
    cancel_dialog.get_by_role("button", name="Keep the order").click()
    expect(cancel_dialog).to_have_count(0)
    expect(page.get_by_role("region", name=SURVEY)).to_have_count(0)
    portal_db.expire_all()
    assert (
        len(portal_db.exec(select(SatisfactionSurvey).where(SatisfactionSurvey.user_id == user_id)).all())
        == 1
    )

    # The reviewer dashboard shows the answer (the default dates end today).
    sign_out(page)
    _sign_in(page, "nurse")
    DashboardPage(page).open()
    expect(page.get_by_role("heading", name="Satisfaction survey")).to_be_visible()
    answer = (
        page.get_by_role("list", name="Recent survey comments")
        .get_by_role("listitem")
        .filter(has_text=comment)
    )
    expect(answer).to_contain_text("rated 4 of 5")
    expect(page.get_by_role("table", name="Survey answers by rating")).to_contain_text("Easy")
    assert_accessible(page, "dashboard with survey results")
