"""Feedback pages (issue 25, seed 004): the public "Join the user experience feedback group" form and
support's list of sign-ups; the public announcements page and support's page to write them.

Thin: the rules are in ``services/feedback_group.py`` and ``services/announcements.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app.api.request_session import request_client_ip
from portal_app.domain.enums import Role
from portal_app.services import announcements as announcement_service
from portal_app.services import feedback_group as group_service
from portal_app.services.rate_limits import RateLimited
from portal_app.state.auth import authorized, call_public, call_service

SUPPORT = Role.SUPPORT_ADMIN
SIGNUP_FIELDS = ("full_name", "email", "role", "consent")
ANNOUNCEMENT_FIELDS = ("title", "program", "published_on", "body")


def _no_errors(fields: tuple[str, ...]) -> dict[str, str]:
    return dict.fromkeys(fields, "")


def _text(form_data: dict, name: str, limit: int) -> str:
    value = form_data.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


class FeedbackGroupState(rx.State):
    """The public sign-up form: no sign-in, rate-limited per address and per e-mail (in the service)."""

    errors: dict[str, str] = _no_errors(SIGNUP_FIELDS)
    form_error: str = ""
    thanks: str = ""

    @rx.event
    async def submit(self, form_data: dict):
        if not isinstance(form_data, dict):
            return
        self.errors, self.form_error, self.thanks = _no_errors(SIGNUP_FIELDS), "", ""
        try:
            self.thanks = await call_public(
                group_service.sign_up,
                full_name=_text(form_data, "full_name", group_service.NAME_MAX + 20),
                email=_text(form_data, "email", group_service.EMAIL_MAX + 20),
                role=_text(form_data, "role", 40),
                consent=form_data.get("consent") in ("on", True, "true"),
                client_address=request_client_ip(),
            )
        except RateLimited as refused:
            self.form_error = refused.message
        except group_service.SignupRefused as refused:
            self.errors = {**_no_errors(SIGNUP_FIELDS), **refused.errors}
            self.form_error = "Please correct the fields marked below."


# services.feedback_group.SignupLine with its times as text.
@dataclass
class SignupRow:
    full_name: str
    email: str
    role: str
    signed_up: str
    updated: str


class FeedbackGroupAdminState(rx.State):
    signups: list[SignupRow] = []
    error: str = ""

    @rx.event
    @authorized(SUPPORT)
    async def load_page(self):
        lines = await call_service(group_service.list_signups)
        self.signups = [
            SignupRow(
                line.full_name,
                line.email,
                line.role,
                line.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                line.updated_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
            for line in lines
        ]

    @rx.event
    @authorized(SUPPORT)
    async def download_csv(self):
        text = await call_service(group_service.signups_csv)
        return rx.download(data=text, filename="feedback-group-signups.csv")


# services.announcements.AnnouncementView with its date as text.
@dataclass
class AnnouncementRow:
    id: int
    title: str
    program: str
    body: str
    published_on: str


def _row(view: announcement_service.AnnouncementView) -> AnnouncementRow:
    day = view.published_on
    return AnnouncementRow(
        view.id, view.title, view.program_label, view.body, f"{day:%B} {day.day}, {day.year}"
    )


class AnnouncementsState(rx.State):
    """The public announcements page, newest first."""

    announcements: list[AnnouncementRow] = []
    loaded: bool = False

    @rx.event
    async def load_page(self):
        """Public: the announcements published up to today (server clock)."""
        self.announcements = [
            _row(v) for v in await call_public(announcement_service.published_announcements)
        ]
        self.loaded = True


class AnnouncementsAdminState(rx.State):
    """Support writes announcements and sees every one, those dated ahead included."""

    announcements: list[AnnouncementRow] = []
    errors: dict[str, str] = _no_errors(ANNOUNCEMENT_FIELDS)
    form_error: str = ""
    published: str = ""
    form_key: int = 0  # a new key empties the form after publishing

    async def _reload(self) -> None:
        self.announcements = [_row(v) for v in await call_service(announcement_service.all_announcements)]

    @rx.event
    @authorized(SUPPORT)
    async def load_page(self):
        self.errors, self.form_error, self.published = _no_errors(ANNOUNCEMENT_FIELDS), "", ""
        await self._reload()

    @rx.event
    @authorized(SUPPORT)
    async def publish(self, form_data: dict):
        if not isinstance(form_data, dict):
            return
        self.errors, self.form_error, self.published = _no_errors(ANNOUNCEMENT_FIELDS), "", ""
        try:
            view = await call_service(
                announcement_service.publish_announcement,
                title=_text(form_data, "title", announcement_service.TITLE_MAX + 50),
                body=_text(form_data, "body", announcement_service.BODY_MAX + 1000),
                published_on=_text(form_data, "published_on", 10),
                program=_text(form_data, "program", 40),
            )
        except announcement_service.AnnouncementRefused as refused:
            self.errors = {**_no_errors(ANNOUNCEMENT_FIELDS), **refused.errors}
            self.form_error = "The announcement was not published. Please correct the fields marked below."
            return
        self.published = f'"{view.title}" is published for {view.published_on.isoformat()}.'
        self.form_key += 1
        await self._reload()
