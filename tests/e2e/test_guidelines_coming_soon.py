"""Issue 23 in the browser: a guideline version loaded for a future date is listed on the public
"Coming soon" page with its effective date and what it changes.

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
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.guidelines import ComingSoonPage


def _sleep_version_2(starts: date) -> str:
    day = starts.isoformat()
    return (
        "program,version,effective_from,criterion_id,codes,text,citation,source\n"
        f"sleep,2,{day},hst_uncomplicated_adult,95800 95801 95806 G0398 G0399 G0400,"
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
