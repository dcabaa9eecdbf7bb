"""Support's page for accounts and practices: find users, change a role, disable or re-enable,
unlock, send a password reset, and each practice's order sharing."""

from __future__ import annotations

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.services import user_admin
from portal_app.services.user_admin import PracticeRow, UserActionRefused, UserRow
from portal_app.state.auth import authorized, call_service
from portal_app.state.validation import as_int

# Reused as is: the service's rows hold just what the page shows.
UserLine = UserRow
PracticeLine = PracticeRow

ROLE_CHOICES = [(role.value, role.label) for role in Role]


class UserAdminState(rx.State):
    text: str = ""
    rows: list[UserLine] = []
    total: int = 0
    page: int = 0
    practices: list[PracticeLine] = []
    message: str = ""
    error: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // user_admin.PAGE_SIZE))

    async def _reload(self) -> None:
        rows, self.total = await call_service(user_admin.find_users, text=self.text, page=self.page)
        self.rows = list(rows)
        self.practices = list(await call_service(user_admin.list_practices))

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        self.page, self.message, self.error = 0, "", ""
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def search(self, form: dict):
        self.text = str((form or {}).get("text", "") if isinstance(form, dict) else "")[:100]
        self.page, self.message, self.error = 0, "", ""
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def turn_page(self, delta: int):
        self.page = min(max(0, self.page + as_int(delta)), self.page_count - 1)
        await self._reload()

    async def _act(self, fn, done: str, **kwargs) -> None:
        try:
            result = await call_service(fn, **kwargs)
        except UserActionRefused as refused:
            self.error, self.message = str(refused), ""
        else:
            ended = f" {result} open session(s) ended." if isinstance(result, int) and result else ""
            self.error, self.message = "", done + ended
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def change_role(self, form: dict):
        if not isinstance(form, dict):
            return
        await self._act(
            user_admin.change_role,
            "The role was changed.",
            user_id=as_int(form.get("user_id", "")),
            role=str(form.get("role", ""))[:40],
        )

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def disable(self, user_id: int):
        await self._act(user_admin.disable, "The account is disabled.", user_id=as_int(user_id))

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def enable(self, user_id: int):
        await self._act(user_admin.enable, "The account is enabled again.", user_id=as_int(user_id))

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def unlock(self, user_id: int):
        await self._act(user_admin.unlock, "The account is unlocked.", user_id=as_int(user_id))

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def send_reset(self, user_id: int):
        await self._act(
            user_admin.send_password_reset, "A password reset link was e-mailed.", user_id=as_int(user_id)
        )

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def share_orders(self, practice_id: int, share: bool):
        await self._act(
            user_admin.set_share_orders,
            "Order sharing was saved.",
            practice_id=as_int(practice_id),
            share=share is True,
        )
