"""The provider and facility look-up page."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app.services.directory import (
    PAGE_SIZE,
    SORTS,
    DirectoryQuery,
    DirectoryRow,
    plan_choices,
    search_directory,
)
from portal_app.services.rate_limits import RateLimited
from portal_app.state.auth import authorized, call_public, call_service
from portal_app.state.validation import as_int

# Reused as is: the service's directory.DirectoryRow holds just what the page shows.
DirectoryLine = DirectoryRow


# A select's value and label (UI only).
@dataclass
class PlanOption:
    value: str
    label: str


class DirectoryState(rx.State):
    rows: list[DirectoryLine] = []
    plans: list[PlanOption] = []
    total: int = 0
    page: int = 0
    text: str = ""
    plan_id: str = ""
    kind: str = ""
    sort: str = "name"
    near_zip: str = ""
    near_zip_error: str = ""
    error: str = ""
    searching: bool = False

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    async def _search(self) -> None:
        query = DirectoryQuery(
            text=self.text[:100],
            plan_id=as_int(self.plan_id),
            kind=self.kind if self.kind in {"provider", "facility"} else "",
            sort=self.sort if self.sort in SORTS else "name",
            near_zip=self.near_zip,
        )
        try:
            rows, self.total = await call_service(search_directory, query=query, page=self.page)
        except RateLimited as refused:
            self.error = refused.message
            return
        self.rows, self.error = list(rows), ""

    @rx.event
    @authorized()
    async def load_page(self):
        self.plans = [PlanOption(str(i), name) for i, name in await call_public(plan_choices)]
        self.page = 0
        await self._search()

    @rx.event
    @authorized()
    async def apply_filter(self, form_data: dict):
        self.text, self.plan_id = str(form_data.get("text", ""))[:100], str(form_data.get("plan_id", ""))[:10]
        self.kind, self.sort = str(form_data.get("kind", ""))[:10], str(form_data.get("sort", "name"))[:10]
        near_zip = str(form_data.get("near_zip", "")).strip()[:10]
        if near_zip and not (len(near_zip) == 5 and near_zip.isdigit()):
            self.near_zip_error = "Enter a 5-digit ZIP code, or leave it empty."
            return
        self.near_zip, self.near_zip_error, self.page = near_zip, "", 0
        self.searching = True
        yield
        try:
            await self._search()
        finally:
            self.searching = False

    @rx.event
    @authorized()
    async def turn_page(self, delta: int):
        self.page = min(max(0, self.page + as_int(delta)), self.page_count - 1)
        await self._search()
