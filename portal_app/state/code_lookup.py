"""The help desk's radiation therapy code look-up: a plan's managed codes for a line of business
and a year.

Reachable by any signed-in user (providers check a code before requesting; reviewers and the help
desk answer questions about it): the lists are the plan's code lists (services/code_lists.py),
public reference data with no member information. The table is sorted and filtered by the domain
(`radiation_oncology.lookup_rows`) and paged here, so the browser holds one page.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app import clock
from portal_app.domain.enums import LineOfBusiness, Program
from portal_app.domain.program_types import ManagedCode
from portal_app.programs.radiation_oncology import domain as rad
from portal_app.services.code_lists import lookup_codes, plan_lines
from portal_app.services.directory import plan_names
from portal_app.state.auth import authorized, call_public
from portal_app.state.program_step import Choice
from portal_app.state.validation import as_int

PAGE_SIZE = 25
MAX_CODE_LENGTH = 10


# The three shown columns of radiation_oncology.CodeLookupRow (not its category key or code system).
@dataclass
class CodeRow:
    code: str
    description: str
    category: str


def _aria_sort(sort_by: str, descending: bool, column: str) -> str:
    """The aria-sort value of a column header."""
    if sort_by != column:
        return "none"
    return "descending" if descending else "ascending"


class CodeLookupState(rx.State):
    plan_options: list[Choice] = []
    year_options: list[str] = []
    line_options: list[Choice] = []
    plan: str = ""
    year: str = ""
    line_of_business: str = ""
    sort_by: str = "code"
    descending: bool = False
    filter_text: str = ""
    rows: list[CodeRow] = []
    total: int = 0
    page: int = 0
    code_query: str = ""
    code_answer: str = ""
    code_managed: bool = False
    _codes: list[ManagedCode] = []
    _lines_by_plan: dict[str, list[str]] = {}

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.var
    def plan_name(self) -> str:
        return next((option.label for option in self.plan_options if option.value == self.plan), "")

    @rx.var
    def code_sort(self) -> str:
        return _aria_sort(self.sort_by, self.descending, "code")

    @rx.var
    def description_sort(self) -> str:
        return _aria_sort(self.sort_by, self.descending, "description")

    @rx.var
    def category_sort(self) -> str:
        return _aria_sort(self.sort_by, self.descending, "category")

    async def _run(self) -> None:
        """The current page of the plan's codes for the line and year, filtered and sorted; the code check."""
        year = as_int(self.year)
        self._codes = (
            list(
                await call_public(
                    lookup_codes,
                    plan_code=self.plan,
                    program=Program.RADIATION_ONCOLOGY.value,
                    line_of_business=self.line_of_business,
                    year=year,
                    today=clock.today(),
                )
            )
            if self.plan and year
            else []
        )
        self._show_page()

    def _show_page(self) -> None:
        found = rad.lookup_rows(self._codes, self.sort_by, self.descending, self.filter_text)
        self.total = len(found)
        self.page = min(max(0, self.page), max(1, -(-self.total // PAGE_SIZE)) - 1)
        start = self.page * PAGE_SIZE
        self.rows = [
            CodeRow(row.code, row.description, row.category) for row in found[start : start + PAGE_SIZE]
        ]
        self._check_code()

    def _check_code(self) -> None:
        code, year = self.code_query.strip().upper(), as_int(self.year)
        self.code_answer, self.code_managed = "", False
        if not code or not self.plan or not year:
            return
        item = next((entry for entry in self._codes if entry.code == code), None)
        if item is None:
            self.code_answer = rad.NOT_MANAGED_MESSAGE.format(code=code, year=year)
            return
        self.code_managed = True
        self.code_answer = (
            f"Code {code} is managed by the radiation oncology program for this plan and line of business "
            f"in {year}: {item.label} ({rad.CATEGORY_LABELS.get(item.category, 'Other')})."
        )

    def _choose_plan(self, plan: str) -> None:
        self.plan = plan
        lines = self._lines_by_plan.get(plan, [])
        self.line_options = [Choice(line, LineOfBusiness(line).label) for line in lines]
        if self.line_of_business not in lines:
            self.line_of_business = lines[0] if lines else ""
        years = [str(year) for year in rad.lookup_years(plan)]
        self.year_options = years
        if self.year not in years:
            this_year = str(clock.now().year)
            self.year = this_year if this_year in years else (years[-1] if years else "")
        self.page = 0

    @rx.event
    @authorized()
    async def load_page(self):
        plans = rad.lookup_plans()
        names = await call_public(plan_names, codes=plans)
        self.plan_options = [Choice(code, names.get(code, code)) for code in plans]
        self._lines_by_plan = await call_public(plan_lines, plan_codes=plans)
        self._choose_plan(self.plan if self.plan in plans else (plans[0] if plans else ""))
        await self._run()

    @rx.event
    @authorized()
    async def choose_plan(self, plan: str):
        if plan in rad.lookup_plans():
            self._choose_plan(plan)
            await self._run()

    @rx.event
    @authorized()
    async def choose_line(self, line: str):
        if line in {option.value for option in self.line_options}:
            self.line_of_business, self.page = line, 0
            await self._run()

    @rx.event
    @authorized()
    async def choose_year(self, year: str):
        if year in self.year_options:
            self.year, self.page = year, 0
            await self._run()

    @rx.event
    @authorized()
    async def sort(self, column: str):
        """Sort by a column; the same column again reverses the order."""
        if column not in rad.SORT_COLUMNS:
            return
        self.descending = not self.descending if column == self.sort_by else False
        self.sort_by, self.page = column, 0
        self._show_page()

    @rx.event
    @authorized()
    async def filter_codes(self, text: str):
        if isinstance(text, str):
            self.filter_text, self.page = text[: rad.MAX_FILTER_LENGTH], 0
            self._show_page()

    @rx.event
    @authorized()
    async def check_code(self, code: str):
        if isinstance(code, str):
            self.code_query = code[:MAX_CODE_LENGTH]
            self._check_code()

    @rx.event
    @authorized()
    async def turn_page(self, delta: int):
        self.page = self.page + max(-1, min(1, as_int(delta)))
        self._show_page()
