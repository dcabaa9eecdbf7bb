"""Support's page for a plan's member and provider files: upload, progress, report, history."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from portal_app.domain.data_files import FileProblem
from portal_app.domain.enums import DataFileKind, DataLoadStatus, Role
from portal_app.services import cost_levels, data_loads, guidelines
from portal_app.services.data_loads import LoadProgress, LoadRefused, LoadRow
from portal_app.settings import get_settings
from portal_app.state.auth import authorized, call_service
from portal_app.state.validation import as_int

# How often the page hears how far a running load has got.
PROGRESS_SECONDS = 0.5

# The "file holds" choice for a file of guideline versions (services/guidelines.py), for every plan.
GUIDELINES = "guidelines"

# Reused as is: the service's data_loads.LoadRow and the domain's FileProblem hold what the page shows.
LoadLine = LoadRow
ProblemLine = FileProblem


@dataclass(frozen=True)
class PlanChoice:
    value: str
    label: str


class PlanFilesState(rx.State):
    plans: list[PlanChoice] = []
    plan_code: str = ""
    kind: str = DataFileKind.MEMBERS.value
    complete: bool = True
    running: bool = False
    progress: str = ""
    summary: str = ""
    applied: bool = False
    problems: list[ProblemLine] = []
    more_problems: int = 0
    error: str = ""
    rows: list[LoadLine] = []
    total: int = 0
    page: int = 0

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // data_loads.PAGE_SIZE))

    async def _reload(self) -> None:
        rows, self.total = await call_service(data_loads.load_history, page=self.page)
        self.rows = list(rows)

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        plans = await call_service(data_loads.plan_codes)
        self.plans = [PlanChoice(code, f"{code} — {name}") for code, name in plans]
        if self.plan_code not in {code for code, _ in plans}:
            self.plan_code = plans[0][0] if plans else ""
        self.page = 0
        self.running, self.progress, self.error = False, "", ""
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def choose_plan(self, value: str):
        if isinstance(value, str) and value in {p.value for p in self.plans}:
            self.plan_code = value

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def choose_kind(self, value: str):
        if value in (*(kind.value for kind in DataFileKind), GUIDELINES):
            self.kind = value

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def choose_complete(self, value: bool):
        self.complete = value is True

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def turn_page(self, delta: int):
        self.page = min(max(0, self.page + as_int(delta)), self.page_count - 1)
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def show_load(self, load_id: int):
        """Show an earlier load's report again."""
        try:
            report = await call_service(data_loads.load_report, load_id=as_int(load_id))
        except LookupError:
            self.error = "That load is not known."
            return
        self._show(report)

    async def _load_guidelines(self, name: str, content: bytes) -> None:
        """A guideline version file: small, checked and added at once (no progress to follow)."""
        report = await call_service(guidelines.import_guideline_upload, file_name=name, content=content)
        self.summary = report.summary()
        self.applied = report.status != guidelines.REJECTED
        self.problems = list(report.problems)
        self.more_problems = 0

    async def _load_cost_levels(self, name: str, content: bytes) -> None:
        """A plan's facility cost level file: small, checked and applied at once."""
        try:
            report = await call_service(
                cost_levels.import_cost_level_upload,
                plan_code=self.plan_code,
                file_name=name,
                content=content,
                complete=self.complete,
            )
        except LoadRefused as refused:
            self.error = f"{name}: {refused}"
            return
        self._show(report)
        self.page = 0
        await self._reload()

    def _show(self, report: data_loads.LoadReport) -> None:
        self.summary = report.summary()
        self.applied = report.status == DataLoadStatus.APPLIED
        self.problems = list(report.problems)
        self.more_problems = max(0, report.error_count - len(report.problems))

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def upload_file(self, files: list[rx.UploadFile]):
        """Check, then apply, the uploaded file, telling the page how far the load has got."""
        self.summary, self.problems, self.more_problems, self.error, self.applied = "", [], 0, "", False
        if self.running:
            self.error = "A file is being loaded; wait for its report."
            return
        if not files:
            self.error = "Choose the file to upload."
            return
        upload = files[0]
        limit = get_settings().upload_max_bytes
        content = await upload.read(limit + 1)
        name = str(upload.name or upload.filename or "file")[:255]
        if len(content) > limit:
            self.error = f"{name} is larger than the upload limit."
            return
        if self.kind == GUIDELINES:
            await self._load_guidelines(name, content)
            return
        if self.kind == DataFileKind.COST_LEVELS.value:
            await self._load_cost_levels(name, content)
            return
        progress = LoadProgress()
        self.running, self.progress = True, f"Loading {name}…"
        yield
        task = asyncio.ensure_future(
            call_service(
                data_loads.load_upload,
                kind=self.kind,
                plan_code=self.plan_code,
                file_name=name,
                content=content,
                complete=self.complete,
                progress=progress,
            )
        )
        while not task.done():
            await asyncio.wait([task], timeout=PROGRESS_SECONDS)
            self.progress = f"{name}: {progress.text()}"
            yield
        self.running, self.progress = False, ""
        try:
            report = task.result()
        except LoadRefused as refused:
            self.error = f"{name}: {refused}"
            return
        self._show(report)
        self.page = 0
        await self._reload()
