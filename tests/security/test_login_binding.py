"""Row 5: a sign-in ticket works only in the browser that asked for it (no login CSRF).

The attacker signs in to their own account and gets a ticket; a cross-site link takes the victim's
browser to ``/auth/finish?ticket=<attacker's ticket>``. The ticket is bound to the sign-in cookie the
attacker's tab set, which the victim's browser does not have, so it is refused. (Single sign-on:
the OIDC ``state`` must match the HttpOnly flow cookie of the browser that started the flow;
tests/integration/test_oidc.py sends a callback from a browser without it.)
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from portal_app.state.sign_in import SignInState
from tests.e2e.socket_client import PortalTab
from tests.security.conftest import ACCOUNTS

SUBMIT = f"{SignInState.get_full_name()}.submit"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _start_sign_in(portal_url: str, username: str, *, origin: str = "") -> tuple[str, str]:
    """Sign in through the form over the websocket: (ticket, the sign-in cookie the tab sets)."""
    account = ACCOUNTS[username]
    tab = PortalTab(portal_url, origin=origin).connect()
    try:
        tab.open_page("/sign-in")
        answers = tab.call(
            SUBMIT,
            {"form_data": {"identifier": account.email, "password": account.password}},
            path="/sign-in",
            until=lambda updates: "_call_script" in str(updates),
        )
    finally:
        tab.close()
    ticket = re.search(r"ticket=([A-Za-z0-9_\-]+)", str(answers))
    binding = re.search(r"((?:__Host-)?precert_sign_in=[A-Za-z0-9_\-]+)", str(answers))
    assert ticket and binding, str(answers)[:500]
    return ticket.group(1), binding.group(1)


def _finish(portal_url: str, ticket: str, cookie: str = "") -> tuple[int, str, list[str]]:
    request = urllib.request.Request(
        f"{portal_url}/auth/finish?ticket={ticket}&next=/", headers={"Cookie": cookie} if cookie else {}
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=10) as answer:
            return (
                answer.status,
                answer.headers.get("Location", ""),
                answer.headers.get_all("Set-Cookie") or [],
            )
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("Location", ""), answer.headers.get_all("Set-Cookie") or []


def _session_cookie_set(set_cookies: list[str]) -> bool:
    return any(re.match(r"(__Host-)?precert_session=[^;]+;", c) and "Max-Age=0" not in c for c in set_cookies)


def test_a_ticket_opened_in_a_browser_without_the_sign_in_cookie_is_refused(portal_url):
    ticket, _ = _start_sign_in(portal_url, "ordering2")
    status, location, cookies = _finish(portal_url, ticket)
    assert status == 303 and "problem=expired" in location, (status, location)
    assert not _session_cookie_set(cookies), cookies


def test_a_ticket_with_another_browsers_sign_in_cookie_is_refused(portal_url):
    ticket, _ = _start_sign_in(portal_url, "ordering2")
    _, victims_own = _start_sign_in(portal_url, "servicing")
    status, location, cookies = _finish(portal_url, ticket, cookie=victims_own)
    assert status == 303 and "problem=expired" in location, (status, location)
    assert not _session_cookie_set(cookies), cookies


def test_the_browser_that_signed_in_gets_its_session_and_loses_the_sign_in_cookie(portal_url):
    ticket, binding = _start_sign_in(portal_url, "ordering2")
    status, location, cookies = _finish(portal_url, ticket, cookie=binding)
    assert status == 303 and location == "/", (status, location)
    assert _session_cookie_set(cookies), cookies
    assert any(c.startswith(binding.split("=")[0] + "=") and "Max-Age=0" in c for c in cookies), cookies
    # One use only.
    status, location, _ = _finish(portal_url, ticket, cookie=binding)
    assert "problem=expired" in location


def test_the_sign_in_cookie_is_same_site_strict_and_short_lived(portal_url):
    account = ACCOUNTS["ordering2"]
    tab = PortalTab(portal_url).connect()
    try:
        tab.open_page("/sign-in")
        answers = tab.call(
            SUBMIT,
            {"form_data": {"identifier": account.email, "password": account.password}},
            path="/sign-in",
            until=lambda updates: "_call_script" in str(updates),
        )
    finally:
        tab.close()
    script = str(answers)
    assert "SameSite=Strict" in script and "Max-Age=120" in script and "Path=/" in script
