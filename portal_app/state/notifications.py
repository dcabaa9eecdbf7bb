"""Notifications: the header's bell (unread count), the /notifications list, and the e-mail preference
on the account page.

The bell's count is a plain var filled by one indexed count when the header is shown (each page) and
after the list marks something read: no computed var, nothing recomputed on other events.
"""

from __future__ import annotations

import contextlib

import reflex as rx

from portal_app.domain.enums import EmailPreference
from portal_app.services import notices as notice_service
from portal_app.services.notices import NotificationRow
from portal_app.state.auth import authorized, call_service
from portal_app.state.validation import as_int

NotificationLine = NotificationRow  # the service's rows hold just what the page shows


def bell_label(unread: int) -> str:
    """The bell's accessible name."""
    if unread <= 0:
        return "Notifications, none unread"
    return f"Notifications, {unread} unread"


class NotificationBellState(rx.State):
    unread: int = 0
    label: str = bell_label(0)

    def _show(self, unread: int) -> None:
        self.unread, self.label = unread, bell_label(unread)

    @rx.event
    @authorized()
    async def refresh(self):
        self._show(await call_service(notice_service.unread_count))


class NotificationsState(rx.State):
    rows: list[NotificationLine] = []
    page: int = 0  # zero-based, as components/paging.pager shows it
    page_count: int = 1
    total: int = 0

    async def _reload(self) -> None:
        found = await call_service(notice_service.list_notifications, page=self.page + 1)
        self.rows, self.page, self.page_count, self.total = (
            list(found.rows),
            found.page - 1,
            found.pages,
            found.total,
        )
        bell = await self.get_state(NotificationBellState)
        bell._show(await call_service(notice_service.unread_count))

    @rx.event
    @authorized()
    async def load_page(self):
        self.page = 0
        await self._reload()

    @rx.event
    @authorized()
    async def turn_page(self, step: int):
        self.page = min(max(0, self.page + as_int(step)), self.page_count - 1)
        await self._reload()

    @rx.event
    @authorized()
    async def mark_read(self, notice_id: int):
        with contextlib.suppress(notice_service.NoticeNotFound):
            await call_service(notice_service.mark_read, notice_id=as_int(notice_id))
        await self._reload()

    @rx.event
    @authorized()
    async def mark_all_read(self):
        await call_service(notice_service.mark_all_read)
        await self._reload()


PREFERENCE_CHOICES = [(choice.value, choice.label) for choice in EmailPreference]


class EmailPreferenceState(rx.State):
    preference: str = EmailPreference.IMMEDIATELY.value
    message: str = ""

    @rx.event
    @authorized()
    async def load_page(self):
        self.preference, self.message = await call_service(notice_service.email_preference), ""

    @rx.event
    @authorized()
    async def choose(self, value: str):
        """The radio button picked (saved only with the form)."""
        if value in {choice.value for choice in EmailPreference}:
            self.preference, self.message = value, ""

    @rx.event
    @authorized()
    async def save(self, form_data: dict):
        chosen = str(form_data.get("email_preference", ""))[:20]
        try:
            await call_service(notice_service.set_email_preference, preference=chosen)
        except ValueError:
            self.message = "Choose one of the e-mail options."
            return
        self.preference, self.message = chosen, "Saved: " + EmailPreference(chosen).label + "."
