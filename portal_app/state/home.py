"""The signed-in home page: each list of the role's work, one page at a time (services/home.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import reflex as rx

from portal_app import clock, routes
from portal_app.domain.enums import Role
from portal_app.services import home
from portal_app.services.announcements import latest_announcement
from portal_app.services.home import HomeItem
from portal_app.services.orders import OrderNotFound
from portal_app.services.request_again import request_again
from portal_app.state.auth import authorized, call_public, call_service, current_actor
from portal_app.state.validation import as_int


@dataclass
class HomeSection:
    key: str = ""
    heading: str = ""
    empty: str = ""
    rows: list[HomeItem] = field(default_factory=list)
    page: int = 0
    page_count: int = 1
    total: int = 0


class HomeState(rx.State):
    sections: list[HomeSection] = []
    error: str = ""
    # The newest announcement published by today (services/announcements.py), for every role.
    announcement_title: str = ""
    announcement_date: str = ""
    announcement_program: str = ""
    announcement_body: str = ""

    async def _section(self, spec: home.ListSpec, page: int) -> HomeSection:
        items, total = await call_service(home.read_list, key=spec.key, now=clock.now(), page=page)
        pages = max(1, math.ceil(total / home.PAGE_SIZE))
        return HomeSection(spec.key, spec.heading, spec.empty, items, page, pages, total)

    @rx.event
    @authorized()
    async def load(self):
        """Read the first page of every list of the caller's role (dates as of now)."""
        self.error = ""
        self.sections = [await self._section(spec, 0) for spec in home.lists_for(current_actor().role)]
        latest = await call_public(latest_announcement, today=clock.today())
        day = latest.published_on if latest else None
        self.announcement_title = latest.title if latest else ""
        self.announcement_date = f"{day:%B} {day.day}, {day.year}" if day else ""
        self.announcement_program = latest.program_label if latest else ""
        self.announcement_body = latest.body if latest else ""

    @rx.event
    @authorized()
    async def turn_page(self, key: str, delta: int):
        specs = {spec.key: spec for spec in home.lists_for(current_actor().role)}
        for index, section in enumerate(self.sections):
            if section.key == key and key in specs:
                page = min(max(0, section.page + as_int(delta)), section.page_count - 1)
                self.sections[index] = await self._section(specs[key], page)
                self.sections = list(self.sections)

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def request_again(self, order_number: str):
        """A new draft filled in from the order, opened in the wizard."""
        try:
            draft_id = await call_service(request_again, order_number=str(order_number)[:20])
        except OrderNotFound:
            self.error = "That order is not available to you."
            return None
        return rx.redirect(f"{routes.ORDER_NEW}?draft={draft_id}")
