"""The sign-in form."""

from __future__ import annotations

import reflex as rx

from portal_app.db import session_scope
from portal_app.services.accounts import authenticate
from portal_app.state.session import SessionState


class SignInState(rx.State):
    error: str = ""
    working: bool = False

    @rx.event
    async def submit(self, form_data: dict):
        identifier = str(form_data.get("identifier", ""))[:254]
        password = str(form_data.get("password", ""))[:256]
        if not identifier or not password:
            self.error = "Enter your email and password."
            return
        self.working = True
        self.error = ""
        yield
        client_address = self.router.session.client_ip

        def _authenticate():
            with session_scope() as session:
                return authenticate(
                    session, identifier=identifier, password=password, client_address=client_address
                )

        result = await rx.run_in_thread(_authenticate)
        self.working = False
        if not result.ok:
            self.error = result.message
            return
        session_state = await self.get_state(SessionState)
        session_state._sign_in(
            user_id=result.user_id, role=str(result.role), display_name=result.full_name
        )
        yield rx.redirect("/")
