"""Feedback in the browser (issue 25, seed 004): the satisfaction survey after a submitted request is
answered and shows on the reviewer dashboard (NPS and answers by question); support publishes an
announcement that the public page and the signed-in home page show, with its Markdown rendered and
its HTML and script links harmless; anyone can join the feedback group and support sees the sign-up."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import FeedbackGroupSignup, SatisfactionSurvey, SatisfactionSurveyAnswer, User
from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.order_wizard import OrderWizard
from tests.e2e.pages.portal import navigate, sign_in_reusing_session, sign_out
from tests.e2e.pages.review import DashboardPage, OrderSummaryPage

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
IN_TWO_WEEKS = date.today() + timedelta(days=14)
# Members no other browser test requests for, so that no duplicate notice interrupts the flow.
FIRST_MEMBER, SECOND_MEMBER = "EVG100000084", "EVG100000088"
SURVEY = "A few quick questions"
RECOMMEND = "How likely are you to recommend Precert to a colleague?"
RESOLVED = "Did you get done what you came to do?"


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _forget_surveys(portal_db, username: str) -> int:
    """Other browser tests submit requests as the same office (and may have been offered the survey
    this month): start from none."""
    user = portal_db.exec(select(User).where(User.username == username)).one()
    for row in portal_db.exec(select(SatisfactionSurvey).where(SatisfactionSurvey.user_id == user.id)).all():
        for answer in portal_db.exec(
            select(SatisfactionSurveyAnswer).where(SatisfactionSurveyAnswer.survey_id == row.id)
        ).all():
            portal_db.delete(answer)
        portal_db.flush()
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


def test_the_survey_is_answered_once_a_month_and_the_dashboard_shows_the_nps(page: Page, portal_db):
    user_id = _forget_surveys(portal_db, "ordering")
    comment = f"The checklist saved me a phone call {uuid.uuid4().hex[:6]}."
    _sign_in(page, "ordering")
    first = _submit_lumbar_mri(page, FIRST_MEMBER)

    survey = page.get_by_role("region", name=SURVEY)
    expect(survey).to_be_visible()
    assert_accessible(page, "order summary with the survey")
    # Every question is optional, but an empty answer is not an answer.
    survey.get_by_role("button", name="Send answers").click()
    expect(survey.get_by_role("alert")).to_contain_text("Answer at least one question")
    survey.get_by_role("group", name=RECOMMEND).get_by_role("radio", name="10 – extremely likely").check()
    survey.get_by_role("group", name=RESOLVED).get_by_role("radio", name="Partly").check()
    survey.get_by_label("Anything we could do better? (optional)").fill(comment)
    survey.get_by_role("button", name="Send answers").click()
    expect(page.get_by_role("status").filter(has_text="Thank you for your answer")).to_be_visible()
    expect(survey).to_have_count(0)

    portal_db.expire_all()
    [row] = portal_db.exec(select(SatisfactionSurvey).where(SatisfactionSurvey.user_id == user_id)).all()
    assert (row.status, row.comment) == ("answered", comment)
    answers = portal_db.exec(
        select(SatisfactionSurveyAnswer).where(SatisfactionSurveyAnswer.survey_id == row.id)
    )
    assert {(a.question, a.value) for a in answers} == {("recommend", "10"), ("resolved", "partly")}

    # The next request this month: not asked again.
    second = _submit_lumbar_mri(page, SECOND_MEMBER)
    assert second != first
    # The survey's check runs after the order loads. A tab's events are handled in order, so once
    # an event sent after them has answered (the cancel dialog opens and closes), the check is done.
    page.get_by_role("button", name="Cancel this order").click()
    cancel_dialog = page.get_by_role("dialog", name="Cancel the order")
    cancel_dialog.get_by_role("button", name="Keep the order").click()
    expect(cancel_dialog).to_have_count(0)
    expect(page.get_by_role("region", name=SURVEY)).to_have_count(0)

    # The reviewer dashboard shows the answer (the default dates end today).
    sign_out(page)
    _sign_in(page, "nurse")
    DashboardPage(page).open()
    expect(page.get_by_role("heading", name="Net Promoter Score")).to_be_visible()
    expect(page.get_by_label("NPS", exact=True)).not_to_contain_text("—")
    # With answers, the split and the shares read "count (percent %)"; without, "0" and "—".
    expect(page.get_by_label("Promoters (9–10)")).to_contain_text("%")
    resolved = page.get_by_role("table", name=RESOLVED)
    expect(resolved.get_by_role("row").filter(has_text="Partly")).to_contain_text("%")
    expect(
        page.get_by_role("list", name="Recent survey comments")
        .get_by_role("listitem")
        .filter(has_text=comment)
    ).to_be_visible()
    assert_accessible(page, "dashboard with survey results")


def test_support_publishes_an_announcement_the_public_page_and_home_page_show_safely(page: Page):
    title = f"Portal news {uuid.uuid4().hex[:6]}"
    _sign_in(page, "support")
    navigate(page, "Write announcements")
    expect(page.get_by_role("heading", name="Write announcements", level=1)).to_be_visible()
    form = page.get_by_role("form", name="New announcement")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Publish date").fill(date.today().isoformat())
    form.get_by_label("Text (Markdown)").fill(
        "We now ask **a few short questions** after a request.\n\n"
        "<script>window.__hacked = 1</script>\n\n"
        "[Click here](javascript:window.__hacked=2) or read [the guide](https://example.org/guide)."
    )
    form.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").filter(has_text=title)).to_be_visible()
    assert_accessible(page, "write announcements")

    # The public page, newest first, signed out.
    sign_out(page)
    page.goto("/announcements")
    newest = page.get_by_role("article").first
    expect(newest.get_by_role("heading", name=title)).to_be_visible()
    expect(newest.locator("strong")).to_have_text("a few short questions")
    expect(newest).to_contain_text("<script>window.__hacked = 1</script>")  # shown as text
    expect(newest.locator("script")).to_have_count(0)
    expect(newest.get_by_role("link", name="the guide")).to_have_attribute(
        "href", "https://example.org/guide"
    )
    expect(newest.get_by_role("link", name="Click here")).to_have_count(0)
    assert page.evaluate("window.__hacked === undefined")
    assert_accessible(page, "announcements page")

    # The newest announcement on a signed-in home page.
    _sign_in(page, "ordering")
    page.goto("/")
    latest = page.get_by_role("region", name="Latest announcement")
    expect(latest).to_contain_text(title)
    expect(latest.get_by_role("link", name="All announcements")).to_be_visible()
    assert_accessible(page, "home page with the latest announcement")


def test_anyone_can_join_the_feedback_group_and_support_sees_the_sign_up(page: Page, portal_db):
    email = f"ux-{uuid.uuid4().hex[:8]}@clinic.test"
    page.goto("/announcements")
    page.get_by_role("link", name="Join the user experience feedback group").first.click()
    expect(page.get_by_role("heading", name="Join the user experience feedback group")).to_be_visible()
    form = page.get_by_role("form", name="Feedback group sign-up")
    form.get_by_label("Your name").fill("=Robin Tester")
    form.get_by_label("E-mail", exact=True).fill(email)
    form.get_by_label("Your role").select_option(label="Practice or revenue-cycle manager")
    form.get_by_role("checkbox").check()
    assert_accessible(page, "feedback group form")
    form.get_by_role("button", name="Join the group").click()
    expect(page.get_by_role("status").filter(has_text="Thank you for joining")).to_be_visible()
    portal_db.expire_all()
    [row] = portal_db.exec(select(FeedbackGroupSignup).where(FeedbackGroupSignup.email == email)).all()
    assert (row.full_name, row.role) == ("=Robin Tester", "practice_manager")

    _sign_in(page, "support")
    navigate(page, "Feedback group")
    table = page.get_by_role("table", name="Feedback group sign-ups")
    expect(table.get_by_role("row").filter(has_text=email)).to_contain_text("=Robin Tester")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"'=Robin Tester,{email}," in text
    assert_accessible(page, "feedback group sign-ups")
