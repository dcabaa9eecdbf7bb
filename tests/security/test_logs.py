"""Row 6: no cookie, client token, ticket, password or PHI in any line the portal logs.

Drives the flows that used to leak (an event naming an unknown handler, with a payload carrying a
password and a member's name; a failing sign-in; an anonymous upload; a sign-in and an order page)
and reads everything the server logged meanwhile.
"""

from __future__ import annotations

import re

from portal_app.state.sign_in import SignInState
from tests.e2e.socket_client import PortalTab
from tests.security.conftest import (
    VICTIM_PHI,
    upload,
    victim_with_order_open,
)

WRONG_PASSWORD = "Wrong-Horse-Battery-4711"


def test_no_secret_or_phi_reaches_the_log(portal_url, server_log):
    victim = victim_with_order_open(portal_url)
    session_cookie = victim.cookie.split("=", 1)[1]
    try:
        # An unknown handler, with a payload as a form would send it.
        victim.call(
            "reflex___state____state.portal_app___state___orders____order_summary_state.no_such_handler",
            {
                "form_data": {
                    "password": WRONG_PASSWORD,
                    "member": f"{VICTIM_PHI.first_name} {VICTIM_PHI.last_name}",
                    "member_number": VICTIM_PHI.member_number,
                    "birth_date": VICTIM_PHI.birth_dates[1],
                }
            },
            path="/",
            until=lambda updates: True,
            timeout=1,
        )
        victim.settle(quiet=1.0)
    finally:
        victim.close()
    # A failing sign-in.
    stranger = PortalTab(portal_url).connect()
    try:
        stranger.open_page("/sign-in")
        stranger.call(
            f"{SignInState.get_full_name()}.submit",
            {"form_data": {"identifier": "ordering@demo.precert.test", "password": WRONG_PASSWORD}},
            path="/sign-in",
            until=lambda updates: "error" in str(updates) and "working" in str(updates),
        )
        stranger.settle(quiet=0.5)
    finally:
        stranger.close()
    # An upload without a cookie, and one naming an unknown handler.
    upload(portal_url, token=victim.token, handler="no.such.handler")
    upload(portal_url, token=victim.token, handler="no.such.handler", cookie=victim.cookie)

    logged = server_log()
    assert "no_such_handler" in logged or "no.such.handler" in logged, (
        "the flows should have logged something"
    )
    leaks = {
        "session cookie": session_cookie in logged,
        "client token": victim.token in logged or stranger.token in logged,
        "password": WRONG_PASSWORD in logged or "Maple-Street-2026" in logged,
        "member name": f"{VICTIM_PHI.first_name} {VICTIM_PHI.last_name}" in logged,
        "member ID": VICTIM_PHI.member_number in logged,
        "birth date": any(born in logged for born in VICTIM_PHI.birth_dates),
        "ticket": re.search(r"ticket=[A-Za-z0-9_\-]{20,}", logged) is not None,
    }
    assert not any(leaks.values()), {what for what, leaked in leaks.items() if leaked}
