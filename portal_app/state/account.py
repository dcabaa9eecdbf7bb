"""E-mail confirmation, forgotten and changed passwords."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services.accounts import (
    PasswordChangeError,
    change_password,
    request_password_reset,
    reset_password,
)
from portal_app.services.rate_limits import RateLimited
from portal_app.services.registration import RegistrationError, confirm_email
from portal_app.state.auth import authorized, call_public, call_service
from portal_app.state.navigation import go_to_backend, page_params


class ConfirmEmailState(rx.State):
    message: str = ""
    error: str = ""

    @rx.event
    async def load_page(self):
        token = str(page_params(self).get("token", ""))[:512]
        address = self.router.session.client_ip
        try:
            self.message, self.error = (
                await call_public(confirm_email, token=token, client_address=address),
                "",
            )
        except RegistrationError as refused:
            self.message, self.error = "", "; ".join(refused.field_errors.values())


class ForgotPasswordState(rx.State):
    sent: bool = False
    error: str = ""

    @rx.event
    async def submit(self, form_data: dict):
        email = str(form_data.get("email", "")).strip()[:254]
        if not email:
            return
        address = self.router.session.client_ip
        try:
            await call_public(request_password_reset, email=email, client_address=address)
        except RateLimited as refused:
            # Counted per address typed, so also the same for existing and unknown accounts.
            self.error = refused.message
            return
        # The same answer whether or not the address has an account.
        self.sent, self.error = True, ""


class ResetPasswordState(rx.State):
    error: str = ""
    done: bool = False

    @rx.event
    def load_page(self):
        self.error, self.done = "", False

    @rx.event
    async def submit(self, form_data: dict):
        token = str(page_params(self).get("token", ""))[:512]
        new, again = (
            str(form_data.get("new_password", ""))[:256],
            str(form_data.get("new_password_again", ""))[:256],
        )
        address = self.router.session.client_ip
        try:
            await call_public(
                reset_password,
                token=token,
                new_password=new,
                new_password_again=again,
                client_address=address,
            )
            self.error, self.done = "", True
        except PasswordChangeError as refused:
            self.error = str(refused)


class ChangePasswordState(rx.State):
    error: str = ""

    @rx.event
    @authorized()
    async def load_page(self):
        self.error = ""

    @rx.event
    @authorized()
    async def submit(self, form_data: dict):
        current = str(form_data.get("current_password", ""))[:256]
        new = str(form_data.get("new_password", ""))[:256]
        again = str(form_data.get("new_password_again", ""))[:256]
        try:
            await call_service(
                change_password, current_password=current, new_password=new, new_password_again=again
            )
        except PasswordChangeError as refused:
            self.error = str(refused)
            return None
        # Every session ended, this one too: sign in again with the new password.
        return go_to_backend(routes.AUTH_SIGN_OUT)
