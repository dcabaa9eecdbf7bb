"""Support's plan files and user management, as a support admin uses them."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from portal_app.domain.enums import Role, UserStatus
from portal_app.models import User
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.passwords import hash_password
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.order_wizard import EVERGREEN, OrderWizard
from tests.e2e.pages.portal import SignInPage, navigate, sign_in_reusing_session, sign_out

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
HEADER = (
    "npi,kind,first_name,last_name,organization_name,facility_type,specialty,tax_id,address_line,city,"
    "state,postal_code,phone,fax,network,network_start,network_end"
)
NEW_PROVIDER = (
    "{npi},practitioner,Quincy,Newfile,,,Diagnostic radiology,90-1000001,9 Demo Way,Springfield,IL,62701,"
    "217-555-0190,217-555-0191,in,2025-01-01,"
)


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _upload(page: Page, content: str) -> None:
    page.locator("#plan_file input[type=file]").set_input_files(
        files=[{"name": "evergreen-providers.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_role("button", name="Load the file").click()


def test_support_fixes_a_provider_file_and_the_new_provider_is_offered_in_the_wizard(page: Page):
    _sign_in(page, "support")
    navigate(page, "Plan files")
    expect(page.get_by_role("heading", name="Plan member and provider files")).to_be_visible()
    page.get_by_label("Plan", exact=True).select_option(value="EVG")
    page.get_by_label("The file holds").select_option(value="providers")
    # Only the one provider: the others of the plan stay as they are.
    complete = page.get_by_role("checkbox", name=re.compile("end those missing"))
    complete.click()
    expect(complete).not_to_be_checked()

    _upload(page, f"{HEADER}\n{NEW_PROVIDER.format(npi='1980000041')}\n")
    report = page.get_by_role("table", name="Problems in the file")
    expect(report.get_by_role("row").filter(has_text="line 2")).to_contain_text("npi")
    expect(page.get_by_text(re.compile("was not applied: 1 problem"))).to_be_visible()

    _upload(page, f"{HEADER}\n{NEW_PROVIDER.format(npi='1980000040')}\n")
    expect(page.get_by_text(re.compile("applied to plan EVG: 1 providers read, 1 new"))).to_be_visible()
    history = page.get_by_role("table", name="Loads of plan files")
    # Other browser tests on this portal load other files (tests/e2e/test_site_shopper.py): count this one's.
    loads = history.get_by_role("row").filter(has_text="evergreen-providers.csv")
    expect(loads.filter(has_text="Applied")).to_have_count(1)
    expect(loads.filter(has_text="Rejected")).to_have_count(1)
    sign_out(page)

    _sign_in(page, "ordering")
    wizard = OrderWizard(page)
    wizard.open()
    wizard.choose_plan(date.today() + timedelta(days=14), plan=EVERGREEN)
    wizard.next("Member")
    wizard.choose_member("EVG100000036")
    wizard.next("Providers")
    page.get_by_label("Find the servicing provider or facility").fill("Newfile")
    page.get_by_role("button", name="Search providers").click()
    row = page.get_by_role("row").filter(has_text="Newfile")
    expect(row).to_contain_text("In network")
    expect(row).to_contain_text("1980000040")
    row.get_by_role("button", name=re.compile("^Select")).click()
    expect(page.get_by_text(re.compile("^Servicing: .*Newfile"))).to_be_visible()


def test_support_disables_a_user_whose_open_session_then_ends(
    page: Page, browser: Browser, base_url, portal_db
):
    email = "leaving@demo.precert.test"
    if portal_db.exec(select(User).where(User.email == email)).first() is None:
        portal_db.add(
            User(
                email=email,
                username="leaving",
                password_hash=hash_password("Leaving-Soon-2026"),
                full_name="Lee Leaving (demo)",
                role=Role.NURSE_REVIEWER,
                status=UserStatus.ACTIVE,
            )
        )
        portal_db.commit()
    other = browser.new_context(base_url=base_url)
    try:
        their_page = other.new_page()
        SignInPage(their_page).open().sign_in_as(email, "Leaving-Soon-2026", name="Lee Leaving (demo)")

        _sign_in(page, "support")
        page.goto("/admin/users")
        page.get_by_label("Name, e-mail or username contains").fill("leaving")
        page.get_by_role("button", name="Find users").click()
        page.get_by_role("button", name=f"Disable {email}").click()
        expect(page.get_by_text("The account is disabled. 1 open session(s) ended.")).to_be_visible()
        expect(page.get_by_role("button", name=f"Enable {email}")).to_be_visible()

        navigate(their_page, "Review queue")
        SignInPage(their_page).wait()
    finally:
        other.close()


def test_support_sets_a_plans_letter_contact_and_the_pages_pass_axe(page: Page):
    _sign_in(page, "support")
    page.goto("/admin/plans")
    page.get_by_role("button", name="Edit plan LKS").click()
    expect(page.get_by_role("heading", name="Plan LKS")).to_be_visible()
    delegations = page.get_by_role("table", name="Delegated programs")
    expect(delegations.get_by_role("row").filter(has_text="Rehabilitation")).to_have_count(1)
    page.get_by_label("Letters use these from").fill("2026-01-01")
    page.get_by_label("Address for appeals").fill("Appeals, PO Box 7, Riverton, WY 82501")
    page.get_by_label("Phone", exact=True).fill("307-555-0142")
    page.get_by_role("button", name="Save contact details").click()
    expect(page.get_by_text("Letters give these contact details from the day given.")).to_be_visible()
    contacts = page.get_by_role("table", name="Contact details in letters")
    expect(contacts.get_by_role("row").filter(has_text="PO Box 7")).to_contain_text("307-555-0142")
    assert_accessible(page, "health plans, one open")
    page.goto("/admin/users")
    expect(page.get_by_role("table", name="Practices")).to_contain_text("Maple Street")
    assert_accessible(page, "users and practices")
    page.goto("/admin/plan-files")
    expect(page.get_by_role("heading", name="Plan member and provider files")).to_be_visible()
    assert_accessible(page, "plan files")
