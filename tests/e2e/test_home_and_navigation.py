"""The signed-in home page and the grouped header menus: an office sees a decision on its home page,
a servicing office opens an order naming its practice in the verification, the menus work with the
keyboard alone and pass axe, a phone-width screen opens the navigation from a Menu button, the header
fits one line at 1024 px, and an order's page never shows the order seen before while the next one
loads."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import Order, Practice, Provider
from portal_app.services import order_entry, review
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.order_submission import submit_order
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.portal import sign_in_reusing_session
from tests.e2e.pages.programs import assert_focus_visible, tab_to
from tests.integration.order_helpers import LOW_BACK, PENDING_LOW_BACK, TODAY, actor_for, draft_order

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
DECIDED_MEMBER, EARLIER_MEMBER, SERVICED_MEMBER = "EVG100000148", "EVG100000152", "EVG100000168"


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _submitted(db, member: str, details) -> str:
    office = actor_for(db, "ordering")
    order_id = draft_order(db, office, member=member, details=details)
    return submit_order(
        db, actor=office, order_id=order_id, today=TODAY, duplicates_acknowledged=True
    ).order_number


def _approved_by_a_nurse(db, member: str) -> str:
    number = _submitted(db, member, PENDING_LOW_BACK)
    nurse = actor_for(db, "nurse")
    version = review.open_case(db, actor=nurse, order_number=number).version
    review.approve_line(db, actor=nurse, order_number=number, line_number=1, version=version)
    return number


def _naming_the_servicing_practice(db, member: str) -> str:
    """An order whose servicing provider bills under the demo servicing office's practice."""
    office, servicing = actor_for(db, "ordering"), actor_for(db, "servicing")
    order_id = draft_order(db, office, member=member, details=LOW_BACK)
    tax_id = db.get(Practice, servicing.practice_ids[0]).tax_id
    renderer = db.exec(select(Provider).where(Provider.tax_id == tax_id)).first()
    assert order_entry.choose_providers(
        db,
        actor=office,
        order_id=order_id,
        ordering_provider_id=db.get(Order, order_id).ordering_provider_id,
        servicing_kind="provider",
        servicing_id=renderer.id,
        out_of_network_confirmed=True,
        letter_address="1 Demo Way",
        letter_fax="555-0100",
    ).ok
    return submit_order(
        db, actor=office, order_id=order_id, today=TODAY, duplicates_acknowledged=True
    ).order_number


def _nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def test_an_office_sees_the_nurses_decision_on_its_home_page_and_opens_the_order(page: Page, portal_db):
    number = _approved_by_a_nurse(portal_db, DECIDED_MEMBER)
    _sign_in(page, "ordering")
    page.goto("/")

    decisions = page.get_by_role("region", name="Decisions since your last visit")
    expect(decisions.get_by_role("link", name=number, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="New request", exact=True).first).to_be_visible()
    assert_accessible(page, "the office's home page")
    decisions.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", name="Order summary", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(number)


def test_a_servicing_office_opens_an_order_naming_its_practice_in_the_verification(page: Page, portal_db):
    number = _naming_the_servicing_practice(portal_db, SERVICED_MEMBER)
    _sign_in(page, "servicing")
    page.goto("/")

    recent = page.get_by_role("region", name="Recent orders naming your practice")
    recent.get_by_role("link", name=number, exact=True).click()
    # Servicing offices read an order only through the verification: it opens with the number in.
    expect(page.get_by_role("heading", name="Verify an order", level=1)).to_be_visible()
    expect(page.get_by_label("Order number", exact=True)).to_have_value(number)
    page.get_by_label("Member ID", exact=True).fill(SERVICED_MEMBER)
    page.get_by_role("button", name="Verify", exact=True).click()
    answer = page.get_by_role("status").filter(has_text="Procedures")
    expect(answer).to_contain_text(number)
    expect(answer).to_contain_text("72148")


def test_the_grouped_menus_work_with_the_keyboard_alone_and_pass_axe(page: Page):
    _sign_in(page, "ordering")
    page.goto("/")
    requests = _nav(page).get_by_role("button", name="Requests", exact=True)
    expect(requests).to_have_attribute("aria-expanded", "false")
    expect(_nav(page).get_by_role("link", name="My orders")).to_have_count(0)

    tab_to(page, requests)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(requests).to_have_attribute("aria-expanded", "true")
    my_orders = _nav(page).get_by_role("link", name="My orders", exact=True)
    expect(my_orders).to_be_visible()
    assert_accessible(page, "the header with the Requests menu open")

    tab_to(page, my_orders)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My orders", level=1)).to_be_visible()
    expect(requests).to_have_attribute("aria-expanded", "false")  # following a link closes its menu

    practice = _nav(page).get_by_role("button", name="Practice", exact=True)
    tab_to(page, practice)
    page.keyboard.press("Enter")
    fax_numbers = _nav(page).get_by_role("link", name="Fax numbers", exact=True)
    tab_to(page, fax_numbers)
    page.keyboard.press("Escape")  # closes the menu and gives the focus back to its button
    expect(practice).to_have_attribute("aria-expanded", "false")
    expect(fax_numbers).to_have_count(0)
    expect(practice).to_be_focused()
    page.keyboard.press("Enter")
    fax_numbers = _nav(page).get_by_role("link", name="Fax numbers", exact=True)
    tab_to(page, fax_numbers)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Fax numbers for letters", level=1)).to_be_visible()


def test_the_header_fits_one_line_at_1024_px_for_the_office_and_support(page: Page):
    page.set_viewport_size({"width": 1024, "height": 768})
    for username in ("ordering", "support"):
        _sign_in(page, username)
        page.goto("/")
        items = _nav(page).get_by_role("listitem")
        expect(items.first).to_be_visible()
        tops = [box["y"] for box in (item.bounding_box() for item in items.all()) if box]
        assert tops and max(tops) - min(tops) < 24, f"{username}: the header wraps ({sorted(set(tops))})"
        expect(_nav(page).get_by_role("button", name="Menu")).to_be_hidden()


def test_at_390_px_the_menu_button_opens_the_navigation(page: Page):
    _sign_in(page, "ordering")  # the sign-in helper reads the name in the wide header
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    menu = _nav(page).get_by_role("button", name="Menu", exact=True)
    requests = _nav(page).get_by_role("button", name="Requests", exact=True)
    expect(menu).to_be_visible()
    expect(requests).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(requests).to_be_visible()
    expect(_nav(page).get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page, "the phone navigation open")
    requests.click()
    _nav(page).get_by_role("link", name="New request", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("request")
    expect(requests).to_be_hidden()  # the navigation closes once a page is chosen


def test_an_orders_page_never_shows_the_order_seen_before(page: Page, portal_db):
    earlier = _submitted(portal_db, EARLIER_MEMBER, LOW_BACK)
    later = _approved_by_a_nurse(portal_db, "EVG100000156")
    _sign_in(page, "ordering")
    page.goto(f"/orders/{earlier}")
    expect(page.get_by_role("main")).to_contain_text(EARLIER_MEMBER)

    # Back home inside the app (the order's state stays in the tab), then to the next order.
    page.get_by_role("link", name="Precert home").click()
    decisions = page.get_by_role("region", name="Decisions since your last visit")
    expect(decisions.get_by_role("link", name=later, exact=True)).to_be_visible()
    page.evaluate(
        """(earlier) => {
            window.__sawEarlierOrder = false;
            new MutationObserver(() => {
                const main = document.querySelector('main');
                if (main && main.innerText.includes(earlier)) window.__sawEarlierOrder = true;
            }).observe(document.body, {subtree: true, childList: true, characterData: true});
        }""",
        EARLIER_MEMBER,
    )
    decisions.get_by_role("link", name=later, exact=True).click()

    expect(page.get_by_role("main")).to_contain_text(later)
    expect(page.get_by_role("main")).to_contain_text("EVG100000156")
    assert page.evaluate("window.__sawEarlierOrder") is False, "the earlier order was on screen"
