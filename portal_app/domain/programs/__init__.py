"""The program catalogue: generic types every program module fills in, and the registry.

A program module (e.g. `imaging.py`) builds one `ProgramDefinition`: its request-details
schema, its validity policy, its managed codes per plan and year (reference data) and its
criteria. The registry `PROGRAMS` maps each built program to its definition; the rules
engine (`portal_app.domain.rules`) and the services work only through these types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel

from portal_app.domain.enums import Program
from portal_app.domain.rules import CriterionResult


@dataclass(frozen=True)
class ManagedCode:
    code: str
    label: str  # our own plain-language label, never an AMA descriptor
    category: str  # e.g. the imaging modality
    notification_only: bool
    body_part: str = ""  # where the program has one (imaging): lets a wizard filter codes
    source: str = ""


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


@dataclass(frozen=True)
class ProgramDefinition:
    """One program. The callables are supplied by the program module; call the methods."""

    code: Program
    label: str
    details_schema: type[BaseModel]
    validity_policy: Callable[[str], int] = field(repr=False)
    code_index: Callable[[str, int], Mapping[str, ManagedCode]] = field(repr=False)
    criteria: Callable[[str, ProgramRequest], list[CriterionResult] | None] = field(repr=False)

    def validity_days(self, plan_code: str) -> int:
        """How many calendar days an approval lasts under this plan."""
        return self.validity_policy(plan_code)

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
from portal_app.domain.programs import imaging as _imaging  # noqa: E402

register(_imaging.PROGRAM)
