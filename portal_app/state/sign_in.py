"""The sign-in form."""

from __future__ import annotations

import json
import secrets
from urllib.parse import quote, urlencode

import reflex as rx

from portal_app import routes
from portal_app.api.auth_routes import safe_next
from portal_app.api.request_session import request_client_ip, request_headers
from portal_app.services.accounts import sign_in
from portal_app.services.sessions import sign_in_cookie_name
from portal_app.settings import get_settings
from portal_app.state.auth import call_public
from portal_app.state.navigation import page_params

SIGN_IN_COOKIE_SECONDS = 120


def finish_in_this_browser(ticket: str, binding: str, next_page: str) -> rx.event.EventSpec:
    """Set the sign-in cookie in this tab's browser, then trade the ticket at /auth/finish.

    The ticket is only redeemed with this cookie (SameSite=Strict, so a cross-site visit
    never carries it): a ticket sent to another browser does not sign that browser in.
    """
    attributes = f"; Path=/; Max-Age={SIGN_IN_COOKIE_SECONDS}; SameSite=Strict"
    if get_settings().uses_https:
        attributes += "; Secure"
    cookie = f"{sign_in_cookie_name()}={binding}{attributes}"
    url = routes.AUTH_FINISH + "?" + urlencode({"ticket": ticket, "next": next_page}, quote_via=quote)
    script = f"document.cookie = {json.dumps(cookie)}; window.location.assign({json.dumps(url)})"
    return rx.call_script(script)


_PROBLEMS = {
    "idle": "You were signed out after a period without activity. Sign in again to continue.",
    "signed_out": "You have signed out.",
    "expired": "That sign-in did not complete in time. Sign in again.",
    "sso": "Single sign-on did not work for this account. Sign in with your password, or contact support.",
    "required": "Sign in to open that page.",
}


class SignInState(rx.State):
    error: str = ""
    notice: str = ""
    working: bool = False
    sso_available: bool = False

    @rx.event
    def load_page(self):
        problem = str(page_params(self).get("problem", ""))
        self.notice = _PROBLEMS.get(problem, "")
        self.error = ""
        self.working = False
        self.sso_available = get_settings().oidc_enabled

    @rx.event
    async def submit(self, form_data: dict):
        identifier = str(form_data.get("identifier", "")).strip()[:254]
        password = str(form_data.get("password", ""))[:256]
        if not identifier or not password:
            self.error = "Enter your e-mail (or username) and password."
            return
        self.working = True
        self.error = ""
        yield
        address = request_client_ip()
        agent = (request_headers() or {}).get("user-agent", "")
        binding = secrets.token_urlsafe(32)

        result, ticket = await call_public(
            sign_in,
            identifier=identifier,
            password=password,
            client_address=address,
            user_agent=agent,
            browser_binding=binding,
        )
        self.working = False
        if ticket is None:
            self.error = result.message
            return
        next_page = safe_next(str(page_params(self).get("next", "")) or routes.HOME)
        yield finish_in_this_browser(ticket, binding, next_page)
