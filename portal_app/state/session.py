"""Who is signed in. Identity lives only in backend vars set by the sign-in flow."""

from __future__ import annotations

import reflex as rx


class SessionState(rx.State):
    """The signed-in user; ``_user_id`` and ``_role`` never reach the browser."""

    _user_id: int | None = None
    _role: str | None = None
    display_name: str = ""

    @rx.var
    def is_signed_in(self) -> bool:
        return self._user_id is not None

    def _sign_in(self, *, user_id: int, role: str, display_name: str) -> None:
        self._user_id = user_id
        self._role = role
        self.display_name = display_name

    @rx.event
    def sign_out(self):
        self._user_id = None
        self._role = None
        self.display_name = ""
        return rx.redirect("/")
