"""Accounts in the browser: registration to approval, roles, practice boundaries, idle logoff."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import AuditEvent, AuthSession, OutboxEmail, User
from portal_app.services.demo_cases import DEMO_ORDERS, demo_order_number
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.state.orders import OrderSummaryState
from tests.e2e.pages.portal import RegistrationWizard, SignInPage, navigate, sign_out
from tests.e2e.socket_client import call_handler
from tests.servers import IDLE_MINUTES

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}


def _sign_in(page: Page, username: str, path: str = "/sign-in") -> None:
    account = ACCOUNTS[username]
    SignInPage(page).open(path).sign_in_as(account.email, account.password, name=account.full_name)


def _audit_actions(portal_db, user_email: str) -> list[str]:
    portal_db.expire_all()
    user = portal_db.exec(select(User).where(User.email == user_email)).one()
    return portal_db.exec(select(AuditEvent.action).where(AuditEvent.user_id == user.id)).all()


def test_register_confirm_approve_sign_in_and_out(page: Page, portal_db):
    wizard = RegistrationWizard(page).open()
    expect(wizard.current_step()).to_contain_text("Your details")

    # Step 1, with a mistake first: the message appears beside the field and nothing is lost.
    wizard.fill_details(
        full_name="Wren Wizardly (test)",
        email="wren@",
        phone="555-0142",
        role_label="Ordering provider staff",
    )
    wizard.next()
    expect(page.get_by_text("Enter an e-mail address like")).to_be_visible()
    page.get_by_label("Work e-mail").fill("wren@clinic.test")
    wizard.next()
    expect(wizard.current_step()).to_contain_text("Username and password")

    # Step 2: the policy is shown rule by rule as the user types.
    page.get_by_label("Username").fill("wren")
    page.get_by_label("Password", exact=True).fill("password")
    rules = page.get_by_role("list", name="Password rules")
    expect(rules).to_contain_text("Is not a commonly used password — not met yet")
    wizard.fill_credentials(username="wren", password="Juniper-meadow-42")
    expect(rules).not_to_contain_text("not met yet")

    # Back and next keep what was typed.
    wizard.back()
    expect(page.get_by_label("Full name")).to_have_value("Wren Wizardly (test)")
    wizard.next()
    expect(page.get_by_label("Username")).to_have_value("wren")
    wizard.next()

    # Step 3: tax IDs, format checked; an unknown one is accepted.
    page.get_by_label("Practice tax ID").fill("12-34")
    page.get_by_role("button", name="Add tax ID").click()
    expect(page.get_by_text("A tax ID has 9 digits")).to_be_visible()
    wizard.add_tax_id("901000001")
    wizard.add_tax_id("88-8888888")
    wizard.next()

    # Step 4: review, then submit; step 5 says to check the inbox.
    expect(page.get_by_text("90-1000001, 88-8888888")).to_be_visible()
    wizard.submit()
    expect(wizard.current_step()).to_contain_text("Check your inbox")
    expect(page.get_by_text("We sent a confirmation link to wren@clinic.test")).to_be_visible()

    # Confirm from the outbox.
    mail = portal_db.exec(select(OutboxEmail).where(OutboxEmail.to_address == "wren@clinic.test")).one()
    link = re.search(r"https?://\S+(/confirm-email\?token=\S+)", mail.body).group(1)
    page.goto(link)
    expect(page.get_by_text("Your e-mail address is confirmed")).to_be_visible()

    # Not yet approved: the sign-in is refused without saying why.
    sign_in = SignInPage(page).open()
    sign_in.sign_in("wren", "Juniper-meadow-42")
    expect(sign_in.error).to_contain_text("email or password is not correct")

    # Support approves.
    _sign_in(page, "support")
    navigate(page, "Registrations")
    expect(page.get_by_role("heading", name="Wren Wizardly (test)")).to_be_visible()
    expect(page.get_by_text("Tax IDs unknown to the portal: 88-8888888")).to_be_visible()
    page.get_by_role("button", name="Approve wren@clinic.test").click()
    expect(page.get_by_text("Registration approved; linked to 1 practice(s).")).to_be_visible()
    sign_out(page)

    # The new user signs in and out.
    SignInPage(page).open().sign_in_as("wren", "Juniper-meadow-42", name="Wren Wizardly (test)")
    sign_out(page)


def test_a_nurse_cannot_reach_support_pages_and_the_attempt_is_audited(page: Page, portal_db):
    _sign_in(page, "nurse")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Registrations")).to_have_count(0)
    page.goto("/admin/registrations")
    expect(page.get_by_role("heading", name="This page is not available to your role")).to_be_visible()
    assert "access.denied" in _audit_actions(portal_db, ACCOUNTS["nurse"].email)


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(page: Page):
    own = demo_order_number(DEMO_ORDERS[0])
    page.goto(f"/orders/{own}")
    SignInPage(page).wait()
    account = ACCOUNTS["ordering"]
    SignInPage(page).sign_in_as(account.email, account.password, name=account.full_name)
    expect(page).to_have_url(re.compile(f"/orders/{own}$"))
    expect(page.get_by_text(DEMO_ORDERS[0].description).first).to_be_visible()


def test_practice_a_cannot_open_practice_b_orders_by_url_or_by_handler(page: Page, portal, portal_db):
    own, other = (demo_order_number(o) for o in DEMO_ORDERS)
    _sign_in(page, "ordering")
    page.goto(f"/orders/{own}")
    expect(page.get_by_text(DEMO_ORDERS[0].description).first).to_be_visible()

    page.goto(f"/orders/{other}")
    expect(page.get_by_text("No order with that number is available to you.")).to_be_visible()
    expect(page.get_by_text(DEMO_ORDERS[1].description)).to_have_count(0)

    # The same through the websocket, calling the handler with the other practice's number.
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    answers = call_handler(
        portal["url"],
        cookie=cookie,
        handler=f"{OrderSummaryState.get_full_name()}.load_order",
        payload={"order_number": other},
        path=f"/orders/{own}",
    )
    flat = str(answers)
    assert "No order with that number is available to you." in flat
    assert "MRI brain" not in flat and "EVG100000008" not in flat

    # Without the session cookie the handler answers with a redirect to sign-in, nothing else.
    anonymous = call_handler(
        portal["url"],
        cookie="",
        handler=f"{OrderSummaryState.get_full_name()}.load_order",
        payload={"order_number": own},
        path=f"/orders/{own}",
    )
    assert "MRI lumbar" not in str(anonymous) and "/sign-in" in str(anonymous)

    assert _audit_actions(portal_db, ACCOUNTS["ordering"].email).count("order.read_denied") >= 2


def _age_session(portal_db, user_email: str, *, idle_for: timedelta) -> None:
    portal_db.expire_all()
    user = portal_db.exec(select(User).where(User.email == user_email)).one()
    row = portal_db.exec(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        .order_by(AuthSession.id.desc())
    ).first()
    row.last_seen_at = datetime.now(UTC) - idle_for
    portal_db.add(row)
    portal_db.commit()


def test_automatic_logoff_warns_a_minute_before_and_then_signs_out(page: Page, portal_db):
    account = ACCOUNTS["physician"]
    _sign_in(page, "physician")
    timeout = timedelta(minutes=IDLE_MINUTES)

    # Idle until 30 seconds before the (shortened) timeout: the warning appears.
    _age_session(portal_db, account.email, idle_for=timeout - timedelta(seconds=30))
    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    # Idle past the timeout: the next check signs the user out.
    _age_session(portal_db, account.email, idle_for=timeout + timedelta(seconds=1))
    expect(page.get_by_text("You were signed out after a period without activity.")).to_be_visible(
        timeout=20_000
    )
    assert "session.idle_logoff" in _audit_actions(portal_db, account.email)
