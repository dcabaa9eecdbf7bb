"""Issue 23 in the browser: a guideline version loaded for a future date is listed on the public
"Coming soon" page with its effective date and what it changes; support loads a version file on the
plan-files page, sees the problem of a bad one by line and field, and loads the corrected one.

The version is loaded through the service into the running portal's database. It starts three years
ahead, beyond every code list shipped (2026-2027), so no other browser test's request is decided
under it whatever the order the tests run in.
"""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from portal_app.domain.enums import Program
from portal_app.services import guidelines
from portal_app.services.data_loads import open_bytes
from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.guidelines import ComingSoonPage
from tests.e2e.pages.portal import sign_in_reusing_session, sign_out

HEADER = "program,version,effective_from,criterion_id,codes,text,citation,source\n"


def _sleep_version_2(starts: date) -> str:
    day = starts.isoformat()
    return (
        HEADER + f"sleep,2,{day},hst_uncomplicated_adult,95800 95801 95806 G0398 G0399 G0400,"
        "A home sleep test suits an adult without conditions that call for an in-lab study.,"
        "AASM diagnostic testing guideline (Kapur 2017),https://jcsm.aasm.org/doi/10.5664/jcsm.6506\n"
        f"sleep,2,{day},sleep_questionnaire,95800,A validated sleepiness questionnaire is on file.,"
        "Example guideline for this test,Example source for this test\n"
    )


def test_coming_soon_lists_a_loaded_future_version_with_its_changes(page: Page, portal_db):
    starts = date(date.today().year + 3, 1, 1)
    report = guidelines.import_guidelines(
        portal_db,
        actor=None,
        file_name="sleep-v2.csv",
        open_text=open_bytes(_sleep_version_2(starts).encode()),
    )
    assert report.status in (guidelines.APPLIED, guidelines.UNCHANGED), report.problems

    page.goto("/help")
    criteria = page.get_by_role("list", name="Criteria: Sleep")  # the criteria in force, with their sources
    psg_reason = criteria.get_by_role("listitem").filter(has_text="psg_reason")
    expect(psg_reason).to_contain_text("Source (version 1)")
    assert_accessible(page, "help page with the criteria and their sources")
    coming = ComingSoonPage(page).open_from_help()
    title = f"{Program.SLEEP.label}, version 2"
    section = coming.version(title)
    expect(section).to_contain_text(f"{starts:%B} 1, {starts.year}")
    expect(section).to_contain_text("replaces version 1")
    changes = coming.changes(title)
    expect(changes.get_by_role("row").filter(has_text="sleep_questionnaire")).to_contain_text("Added")
    expect(changes.get_by_role("row").filter(has_text="psg_reason")).to_contain_text("Removed")
    expect(changes.get_by_role("row").filter(has_text="hst_uncomplicated_adult")).to_contain_text("Changed")
    assert_accessible(page, "Coming soon page")


def _upload(page: Page, content: str) -> None:
    page.locator("#plan_file input[type=file]").set_input_files(
        files=[{"name": "msk-v2.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_role("button", name="Load the file").click()


def test_support_loads_a_version_file_on_the_plan_files_page_after_fixing_it(page: Page):
    support = next(a for a in DEMO_ACCOUNTS if a.username == "support")
    sign_in_reusing_session(page, support.email, support.password, name=support.full_name)
    page.goto("/admin/plan-files")
    page.get_by_label("The file holds").select_option(value="guidelines")
    starts = date(date.today().year + 3, 7, 1).isoformat()
    row = f"musculoskeletal,2,{starts},SPN-1,,At least 6 weeks of conservative care.,Spine guideline 2029,"

    _upload(page, HEADER + row + "\n")  # the source is missing
    problems = page.get_by_role("table", name="Problems in the file")
    expect(problems.get_by_role("row").filter(has_text="line 2")).to_contain_text("source")
    expect(page.get_by_text("msk-v2.csv was not loaded: 1 problem(s) found", exact=False)).to_be_visible()

    _upload(page, HEADER + row + "Example source for this test\n")
    expect(page.get_by_text(f"msk-v2.csv loaded: musculoskeletal version 2 from {starts}.")).to_be_visible()
    sign_out(page)

    coming = ComingSoonPage(page).open()
    expect(coming.version(f"{Program.MUSCULOSKELETAL.label}, version 2")).to_be_visible()
