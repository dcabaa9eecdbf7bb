"""What Reflex leaves open, closed: headers, websocket origins, browser storage, cookies."""

from __future__ import annotations

import urllib.request

import pytest
import socketio
from playwright.sync_api import Page, expect

from portal_app.services.demo_cases import DEMO_ORDERS, demo_order_number
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.sessions import SESSION_COOKIE
from portal_app.state.auth import AuthState
from tests.e2e.pages.portal import SignInPage
from tests.e2e.socket_client import call_handler

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")


def test_pages_carry_security_headers_and_are_not_cached(portal):
    with urllib.request.urlopen(portal["url"] + "/sign-in") as answer:
        headers = answer.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"


def test_a_websocket_from_another_site_is_refused(portal):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            f"{portal['url']}?token=evil",
            socketio_path="_event",
            namespaces=["/_event"],
            transports=["websocket"],
            headers={"Origin": "https://evil.example"},
            wait_timeout=5,
        )


def test_the_session_cookie_is_httponly_and_no_phi_sits_in_browser_storage(page: Page):
    SignInPage(page).open().sign_in_as(ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    [cookie] = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert SESSION_COOKIE not in page.evaluate("document.cookie")

    page.goto(f"/orders/{demo_order_number(DEMO_ORDERS[0])}")
    expect(page.get_by_text(DEMO_ORDERS[0].description).first).to_be_visible()
    stored = page.evaluate("JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert "EVG100000004" not in stored and "MRI" not in stored


def test_a_client_without_the_session_cookie_gets_nothing_from_a_signed_in_handler(page: Page, portal):
    SignInPage(page).open().sign_in_as(ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    # The Reflex client token is not a credential: only the HttpOnly cookie is.
    answers = call_handler(
        portal["url"],
        cookie="",
        handler=f"{AuthState.get_full_name()}.stay_signed_in",
        payload={},
        path="/",
    )
    assert ORDERING.full_name not in str(answers)
