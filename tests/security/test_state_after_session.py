"""Row 2: a state whose session ended holds no PHI for whoever presents its client token next.

The victim opens an order (its member's name, ID and birth date are in the tab's state on the
server), then leaves: signs out, closes the tab, or has the session ended elsewhere. An attacker
who has the tab's client token connects with ``?token=<it>`` and hydrates.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from sqlmodel import select

from portal_app.models import User
from portal_app.services.sessions import end_all_sessions
from portal_app.state.auth import ACTOR_RECHECK_SECONDS, AuthState
from tests.e2e.socket_client import PortalTab
from tests.security.conftest import ACCOUNTS, VICTIM_ORDER_NUMBER, VICTIM_PHI, victim_with_order_open


def _hydrate_as(portal_url: str, token: str, cookie: str = "") -> str:
    attacker = PortalTab(portal_url, token=token, cookie=cookie).connect()
    try:
        answers = attacker.open_page(f"/orders/{VICTIM_ORDER_NUMBER}", {"order_number": VICTIM_ORDER_NUMBER})
        attacker.settle()
        return str(answers) + str(attacker.state)
    finally:
        attacker.close()


def _sign_out(portal_url: str, tab: PortalTab) -> None:
    tab.call(f"{AuthState.get_full_name()}.sign_out", {}, path="/")
    request = urllib.request.Request(f"{portal_url}/auth/sign-out", headers={"Cookie": tab.cookie})

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
    except urllib.error.HTTPError as answer:
        assert answer.code == 303
    tab.close()


def test_after_sign_out_the_tabs_token_hydrates_to_no_phi(portal_url):
    victim = victim_with_order_open(portal_url)
    _sign_out(portal_url, victim)
    seen = _hydrate_as(portal_url, victim.token)
    assert not VICTIM_PHI.found_in(seen), VICTIM_PHI.found_in(seen)


def test_after_the_tab_closed_the_token_without_the_cookie_hydrates_to_no_phi(portal_url):
    victim = victim_with_order_open(portal_url)
    victim.close()  # the session is still live; only the cookie is missing
    seen = _hydrate_as(portal_url, victim.token)
    assert not VICTIM_PHI.found_in(seen), VICTIM_PHI.found_in(seen)


def test_a_session_ended_elsewhere_leaves_no_phi_even_with_its_old_cookie(portal_url, portal_db):
    victim = victim_with_order_open(portal_url)
    victim.close()
    # A password change or a disabled account ends every session of the user on the server.
    user = portal_db.exec(select(User).where(User.email == ACCOUNTS["ordering"].email)).one()
    end_all_sessions(portal_db, user_id=user.id, reason="password_changed")
    portal_db.commit()
    seen = _hydrate_as(portal_url, victim.token, cookie=victim.cookie)
    assert not VICTIM_PHI.found_in(seen), VICTIM_PHI.found_in(seen)


def test_the_victims_own_tab_keeps_its_state_across_a_reconnect(portal_url):
    """The binding does not get in the way: same tab, same live cookie, the order is still there."""
    victim = victim_with_order_open(portal_url)
    try:
        victim.reconnect()
        victim.settle()
    finally:
        victim.close()
    assert VICTIM_PHI.found_in(str(victim.state))


def test_a_session_ended_elsewhere_is_refused_by_the_open_tab_within_the_recheck_bound(portal_url, portal_db):
    """Guarded handlers reuse a tab's actor for a few seconds (state/auth.py); revocation still wins
    within that bound, and the refusal empties the tab."""
    from portal_app.state.orders import OrderSummaryState

    victim = victim_with_order_open(portal_url)
    load_order = f"{OrderSummaryState.get_full_name()}.load_order"
    path = f"/orders/{VICTIM_ORDER_NUMBER}"
    try:
        victim.call(load_order, {"order_number": VICTIM_ORDER_NUMBER}, path=path)  # resolved and reused
        user = portal_db.exec(select(User).where(User.email == ACCOUNTS["ordering"].email)).one()
        end_all_sessions(portal_db, user_id=user.id, reason="password_changed")
        portal_db.commit()
        ended = time.monotonic()
        # Paced by the round trips themselves: each call waits for the portal's answer.
        while "/sign-in" not in str(
            victim.call(load_order, {"order_number": VICTIM_ORDER_NUMBER}, path=path)
        ):
            assert time.monotonic() - ended < ACTOR_RECHECK_SECONDS + 2, "still served after the bound"
        victim.settle()
        assert not VICTIM_PHI.found_in(str(victim.state.get(OrderSummaryState.get_full_name(), {})))
    finally:
        victim.close()
