"""What a program's wizard step and the order wizard say to each other, and the helpers every
program step shares (no step borrows from another).

The wizard (``state/order_wizard.py``) finds the chosen program's step state through the program
registry (`step_state_for`: ``portal_app/programs/<program>/step_state.py``, ``STEP_STATE``) and
talks to it only through this interface (`ProgramStep`):

- what the step reads: a `StepContext` (the draft, the plan and its code, the member's age, the
  date of service, the servicing site, the diagnoses so far, and the codes in force for the member's
  coverage on the date of service: the step offers those and no others), handed to
  ``await step._prepare(context)`` on entering the step and to
  ``await step._restore(details, codes, context)`` for a resumed draft;
- what the step returns: ``_details_payload()`` (its details, validated by the program's schema in
  the service) and ``_chosen_codes()`` (its lines); the service's answer goes back through
  ``_show_errors(errors)``;
- once its answers are saved, ``_diagnosis_change()``: diagnoses the step wants first on the
  wizard's diagnosis list (e.g. medical oncology's cancer diagnosis) and those it put there before
  and takes back, or None. The wizard applies it; a step never writes the wizard's fields.

A step state imports neither the wizard's state nor another program's step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import reflex as rx

from portal_app.domain.enums import Program
from portal_app.domain.program_types import ManagedCode
from portal_app.programs import part


@dataclass(frozen=True)
class StepContext:
    """What a program's step reads from the wizard."""

    order_id: int  # the draft (0 before it exists)
    plan_id: int
    plan_code: str
    service_date: date | None
    member_age: int = 0  # whole years on the date of service
    site_kind: str = ""  # the servicing party: "facility" or "provider"
    site_detail: str = ""  # e.g. the facility type's label
    diagnoses: tuple[str, ...] = ()  # ICD-10-CM codes chosen so far, primary first
    # The codes the program manages for the member's coverage (plan, line of business) on the date of
    # service, from the code list in force (services/code_lists): the only codes a step offers.
    codes_in_force: tuple[ManagedCode, ...] = ()

    @property
    def service_year(self) -> int:
        return self.service_date.year if self.service_date else 0


@dataclass(frozen=True)
class DiagnosisChange:
    """Diagnoses a step puts first on the wizard's list, and those it put there before and withdraws."""

    first: tuple[tuple[str, str], ...]  # (code, label), in order
    withdrawn: tuple[str, ...] = ()


class ProgramStep(Protocol):
    """The methods the wizard calls on a program's step state (see the module docstring)."""

    async def _prepare(self, context: StepContext) -> None: ...

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None: ...

    def _details_payload(self) -> dict: ...

    def _chosen_codes(self) -> list[str]: ...

    def _show_errors(self, errors: dict[str, str]) -> None: ...

    def _diagnosis_change(self) -> DiagnosisChange | None: ...


# A select's value and label (UI only), for every program step's choices.
@dataclass
class Choice:
    value: str
    label: str


def choices_from(labels: dict[str, str], values=None) -> list[Choice]:
    """Choices from a label table, in its order or in the order of ``values`` (a subset)."""
    return [Choice(value, labels[value]) for value in (values if values is not None else labels)]


def step_state_for(program: str) -> type[rx.State] | None:
    """The program's wizard step state (its package's ``step_state.STEP_STATE``), or None."""
    if program not in {p.value for p in Program}:
        return None
    module = part(program, "step_state")
    return module.STEP_STATE if module is not None else None


async def answers_changed(step: rx.State) -> None:
    """A step says its answers changed: the wizard's refusal of the earlier answers (the program does
    not review them) goes as soon as the new answers no longer cause it."""
    from portal_app.state.order_wizard import OrderWizardState  # the wizard imports this module

    wizard = await step.get_state(OrderWizardState)
    wizard._recheck_refusal(step._details_payload())  # type: ignore[attr-defined]
