"""The sign-in form."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.api.auth_routes import safe_next
from portal_app.services.accounts import sign_in
from portal_app.settings import get_settings
from portal_app.state.auth import call_public
from portal_app.state.navigation import go_to_backend

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
        problem = str(self.router.page.params.get("problem", ""))
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
        address = self.router.session.client_ip
        agent = self.router.headers.user_agent

        result, ticket = await call_public(
            sign_in, identifier=identifier, password=password, client_address=address, user_agent=agent
        )
        self.working = False
        if ticket is None:
            self.error = result.message
            return
        next_page = safe_next(str(self.router.page.params.get("next", "")) or routes.HOME)
        yield go_to_backend(routes.AUTH_FINISH, ticket=ticket, next=next_page)
