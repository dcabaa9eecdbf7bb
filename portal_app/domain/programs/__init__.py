"""The program catalogue: generic types every program module fills in, and the registry.

A program module (e.g. `imaging.py`) builds one `ProgramDefinition`: its request-details
schema, its validity policy, its managed codes per plan and year (reference data) and its
criteria. The registry `PROGRAMS` maps each built program to its definition; the rules
engine (`portal_app.domain.rules`) and the services work only through these types.

Two optional hooks serve programs whose rules depend on the request rather than on the code
list alone: `notification_rule` (a line is notification only for this request, e.g. a code
with a given primary diagnosis) and `validity_end` (an approval whose length depends on the
details, e.g. an inpatient stay or a count of business days). Programs without them behave
exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel

from portal_app.domain.enums import Program
from portal_app.domain.rules import CriterionResult
from portal_app.domain.windows import validity_window


@dataclass(frozen=True)
class ManagedCode:
    code: str
    label: str  # our own plain-language label, never an AMA descriptor
    category: str  # e.g. the imaging modality
    notification_only: bool
    body_part: str = ""  # where the program has one (imaging): lets a wizard filter codes
    source: str = ""


@dataclass(frozen=True)
class PriorService:
    """A service the member already had (from the portal's records), for frequency limits."""

    code: str
    service_date: date
    body_region: str = ""  # e.g. "lumbar"; empty when the code alone says where


@dataclass(frozen=True)
class ProgramRequest:
    plan_code: str
    service_date: date
    member_age: int  # whole years on the service date
    codes: tuple[str, ...]
    details: BaseModel  # the program's validated details
    diagnosis_codes: tuple[str, ...] = ()
    duplicate_of: str = ""
    member_sex: str = ""  # "F", "M" or "U"; anything else counts as unknown
    prior_services: tuple[PriorService, ...] = ()  # the member's earlier services, any order


@dataclass(frozen=True)
class ProgramDefinition:
    """One program. The callables are supplied by the program module; call the methods."""

    code: Program
    label: str
    details_schema: type[BaseModel]
    validity_policy: Callable[[str], int] = field(repr=False)
    code_index: Callable[[str, int], Mapping[str, ManagedCode]] = field(repr=False)
    criteria: Callable[[str, ProgramRequest], list[CriterionResult] | None] = field(repr=False)
    # True -> this line is notification only for this request, even when its code row is not.
    notification_rule: Callable[[str, ProgramRequest], bool] | None = field(default=None, repr=False)
    # (plan code, service date, details) -> the last day the approval is valid, inclusive.
    validity_end: Callable[[str, date, BaseModel | None], date] | None = field(default=None, repr=False)
    # details -> why no request is needed at all (the wizard stops and says so), or None.
    no_request_reason: Callable[[BaseModel | Mapping], str | None] | None = field(default=None, repr=False)
    # (details, plan code, the line's managed code) -> units the line asks for (visits, supplies).
    line_quantity: Callable[[BaseModel, str, ManagedCode], int] | None = field(default=None, repr=False)
    # (details, date of service) -> extra (label, value) lines for the order summary.
    summary_extras: Callable[[BaseModel, date], list[tuple[str, str]]] | None = field(
        default=None, repr=False
    )

    def validity_days(self, plan_code: str) -> int:
        """How many calendar days an approval lasts under this plan (the program's usual length)."""
        return self.validity_policy(plan_code)

    def approval_window(
        self, plan_code: str, service_date: date, details: BaseModel | None = None
    ) -> tuple[date, date]:
        """First and last valid day (both inclusive) of an approval for this service date.

        Without a `validity_end` hook this is exactly `windows.validity_window` over
        `validity_days(plan_code)`: the service date is day 1.
        """
        if self.validity_end is None:
            window = validity_window(start=service_date, days=self.validity_days(plan_code))
            return window.start, window.end
        end = self.validity_end(plan_code, service_date, details)
        if end < service_date:
            raise ValueError("An approval cannot end before its date of service")
        return service_date, end

    def why_no_request(self, details: BaseModel | Mapping) -> str | None:
        """The message that no request is needed for these answers (validated, or the raw answers
        while some are still missing), or None."""
        return self.no_request_reason(details) if self.no_request_reason is not None else None

    def quantity_for(self, details: BaseModel | None, plan_code: str, managed: ManagedCode) -> int:
        """How many units a line asks for (1 unless the program counts visits or supplies)."""
        if self.line_quantity is None or details is None:
            return 1
        return max(1, int(self.line_quantity(details, plan_code, managed)))

    def summary_lines(self, details: BaseModel, service_date: date) -> list[tuple[str, str]]:
        """Program-specific lines for the order summary (e.g. every trip date of a schedule)."""
        return self.summary_extras(details, service_date) if self.summary_extras is not None else []

    def is_notification_only(self, code: str, request: ProgramRequest) -> bool:
        """True when the program's notification rule makes this line notification only."""
        return self.notification_rule is not None and bool(self.notification_rule(code, request))

    def managed_codes(self, plan_code: str, year: int) -> list[ManagedCode]:
        """The codes this program manages for the plan in that service year, by code."""
        return sorted(self.code_index(plan_code, year).values(), key=lambda item: item.code)

    def managed_code(self, plan_code: str, year: int, code: str) -> ManagedCode | None:
        return self.code_index(plan_code, year).get((code or "").strip().upper())

    def has_code_list(self, plan_code: str, year: int) -> bool:
        """False when no code list is loaded for the plan and year (the engine then pends)."""
        return bool(self.code_index(plan_code, year))

    def criteria_for(self, code: str, request: ProgramRequest) -> list[CriterionResult] | None:
        """The evaluated criteria for `code`; None when the program has no criteria set for it."""
        return self.criteria(code, request)


def age_on(birth: date, on: date) -> int:
    """Whole years of age on `on` (a 29 February birthday counts from 1 March in other years)."""
    if on < birth:
        raise ValueError("The date of birth is after the date the age is wanted for")
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


PROGRAMS: dict[Program, ProgramDefinition] = {}


def register(definition: ProgramDefinition) -> ProgramDefinition:
    PROGRAMS[definition.code] = definition
    return definition


def get_program(code: Program | str) -> ProgramDefinition:
    """The definition of a built program; KeyError for unknown or not-yet-built programs."""
    try:
        program = Program(code)
    except ValueError:
        raise KeyError(code) from None
    return PROGRAMS[program]


# Program modules register themselves; import them after the types above exist.
from portal_app.domain.programs import genetic_testing as _genetic_testing  # noqa: E402
from portal_app.domain.programs import imaging as _imaging  # noqa: E402
from portal_app.domain.programs import medical_oncology as _medical_oncology  # noqa: E402
from portal_app.domain.programs import msk as _msk  # noqa: E402
from portal_app.domain.programs import outpatient as _outpatient  # noqa: E402
from portal_app.domain.programs import radiation_oncology as _radiation_oncology  # noqa: E402
from portal_app.domain.programs import rehabilitation as _rehabilitation  # noqa: E402
from portal_app.domain.programs import sleep as _sleep  # noqa: E402

register(_imaging.PROGRAM)
register(_medical_oncology.PROGRAM)  # with its validity_end, no_request_reason, summary_extras
register(_msk.PROGRAM)
register(_outpatient.PROGRAM)
register(_radiation_oncology.PROGRAM)
register(_rehabilitation.PROGRAM)
register(_sleep.PROGRAM)
register(_genetic_testing.PROGRAM)  # domain only so far: wizard step, help text, PAS vocabulary to come
