"""Support's page for a plan's code lists: upload a list per plan, program, line of business and year,
see its report or what it changed, and the versions so far with their changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from portal_app import clock
from portal_app.domain.code_lists import DiffLine, diff_lines
from portal_app.domain.data_files import FileProblem
from portal_app.domain.enums import LineOfBusiness, Role
from portal_app.services import code_lists
from portal_app.services.code_lists import CodeListRefused, VersionRow
from portal_app.settings import get_settings
from portal_app.state.auth import authorized, call_service
from portal_app.state.validation import as_int

ALL_LINES = "all"
# Reused as is: what the services and the domain return is what the page shows.
VersionLine = VersionRow
ChangeLine = DiffLine
ProblemLine = FileProblem


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


class CodeListsState(rx.State):
    plans: list[Choice] = []
    programs: list[Choice] = []
    lines: list[Choice] = []
    plan_code: str = ""
    program: str = ""
    line_of_business: str = ALL_LINES
    year: str = ""
    effective_from: str = ""
    running: bool = False
    summary: str = ""
    loaded: bool = False
    problems: list[ProblemLine] = []
    changes: list[ChangeLine] = []
    changes_title: str = ""
    error: str = ""
    versions: list[VersionLine] = []
    _lines_by_plan: dict[str, list[str]] = {}

    async def _reload(self) -> None:
        self.versions = list(await call_service(code_lists.code_list_history))

    def _set_lines(self) -> None:
        offered = self._lines_by_plan.get(self.plan_code, [])
        self.lines = [Choice(ALL_LINES, "All lines of business")] + [
            Choice(line, LineOfBusiness(line).label) for line in offered
        ]
        if self.line_of_business not in {c.value for c in self.lines}:
            self.line_of_business = ALL_LINES

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        plans = await call_service(code_lists.code_list_choices)
        self.plans = [Choice(p.code, f"{p.code} — {p.name}") for p in plans]
        self._lines_by_plan = {p.code: list(p.lines) for p in plans}
        self.programs = [Choice(value, label) for value, label in code_lists.program_choices()]
        if self.plan_code not in self._lines_by_plan:
            self.plan_code = plans[0].code if plans else ""
        if self.program not in {c.value for c in self.programs}:
            self.program = self.programs[0].value if self.programs else ""
        self.year = self.year or str(clock.today().year)
        self._set_lines()
        self.running, self.error = False, ""
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def choose_plan(self, value: str):
        if isinstance(value, str) and value in self._lines_by_plan:
            self.plan_code = value
            self._set_lines()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def choose_program(self, value: str):
        if isinstance(value, str) and value in {c.value for c in self.programs}:
            self.program = value

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def choose_line(self, value: str):
        if isinstance(value, str) and value in {c.value for c in self.lines}:
            self.line_of_business = value

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def change_year(self, value: str):
        self.year = str(value)[:4] if isinstance(value, str) else ""

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def change_effective_from(self, value: str):
        self.effective_from = str(value)[:10] if isinstance(value, str) else ""

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def show_changes(self, version_id: int):
        """What a stored version changed against the one before it."""
        try:
            diff = await call_service(code_lists.version_diff, version_id=as_int(version_id))
        except CodeListRefused as refused:
            self.error = str(refused)
            return
        shown = next((v for v in self.versions if v.version_id == as_int(version_id)), None)
        self.changes_title = (
            f"Changes in {shown.plan_code} {shown.program_label}, {shown.line_label}, {shown.year} "
            f"version {shown.version}"
            if shown
            else "Changes"
        )
        self.changes = diff_lines(diff)

    def _effective(self) -> date | None:
        if not self.effective_from:
            return None
        try:
            return date.fromisoformat(self.effective_from)
        except ValueError:
            raise CodeListRefused("Give the first day the list applies as a date.") from None

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def upload_list(self, files: list[rx.UploadFile]):
        """Check the uploaded code list and store it as the next version."""
        self.summary, self.problems, self.changes, self.error, self.loaded = "", [], [], "", False
        if not files:
            self.error = "Choose the code list file to upload."
            return
        upload = files[0]
        limit = get_settings().upload_max_bytes
        content = await upload.read(limit + 1)
        name = str(upload.name or upload.filename or "file")[:200]
        if len(content) > limit:
            self.error = f"{name} is larger than the upload limit."
            return
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.error = f"{name} is not a UTF-8 text file."
            return
        self.running = True
        yield
        try:
            load = await call_service(
                code_lists.import_code_list,
                plan_code=self.plan_code,
                program=self.program,
                line_of_business="" if self.line_of_business == ALL_LINES else self.line_of_business,
                year=as_int(self.year),
                lines=text.splitlines(keepends=True),
                file_name=name,
                effective_from=self._effective(),
            )
        except CodeListRefused as refused:
            self.error = f"{name}: {refused}"
            return
        finally:
            self.running = False
        self.summary = code_lists.load_summary(load)
        self.loaded = load.status != "refused"
        self.problems = list(load.problems)
        self.changes = diff_lines(load.diff) if load.diff else []
        self.changes_title = "What this file changes" if load.status == "loaded" else ""
        await self._reload()
