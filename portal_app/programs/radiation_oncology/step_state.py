"""The radiation oncology program's wizard step: the user chooses a modality, never codes.

The order lines are the plan's managed codes of that modality for the service year
(`radiation_oncology.codes_for_modality`, without the planning, physics, management and image
guidance codes that any modality may bill); the criteria are by cancer type and modality.
"""

from __future__ import annotations

from collections.abc import Iterable

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.domain.program_types import ManagedCode
from portal_app.programs.radiation_oncology import domain as rad
from portal_app.services.order_entry import MAX_CODES
from portal_app.state.auth import authorized
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext, choices_from

STAFF = Role.ORDERING_PROVIDER_STAFF
TEXT_FIELDS = (
    "cancer_type",
    "treatment_site",
    "modality",
    "intent",
    "fractions",
    "total_dose_gy",
    "proton_indication",
    "clinical_notes",
)
ERROR_KEYS = (*TEXT_FIELDS, "codes")


def modality_codes(
    plan_code: str, year: int, modality: str, in_force: Iterable[rad.ManagedCode] | None = None
) -> list[rad.ManagedCode]:
    """The lines of a request for this modality: the plan's codes of the modality's own categories
    (of the list in force for the member's coverage, ``in_force``, when given)."""
    if modality not in rad.MODALITIES:
        return []
    return [
        item
        for item in rad.codes_for_modality(plan_code, year, modality, in_force=in_force)
        if item.category not in rad.SHARED_CATEGORIES
    ]


class RadOncStepState(rx.State):
    cancer_type: str = ""
    treatment_site: str = ""
    modality: str = ""
    intent: str = ""
    fractions: str = ""
    total_dose_gy: str = ""
    proton_indication: str = ""
    clinical_notes: str = ""
    code_lines: list[Choice] = []
    left_out: list[str] = []  # codes beyond the request's line limit
    plan_label: str = ""
    service_year: int = 0
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    _plan_code: str = ""
    _in_force: tuple[ManagedCode, ...] = ()  # the codes in force for the member's coverage
    _order_id: int = 0  # the draft these answers belong to

    @rx.var
    def cancer_options(self) -> list[Choice]:
        return choices_from(rad.CANCER_TYPE_LABELS)

    @rx.var
    def site_options(self) -> list[Choice]:
        return choices_from(rad.TREATMENT_SITE_LABELS)

    @rx.var
    def modality_options(self) -> list[Choice]:
        return choices_from(rad.MODALITY_LABELS)

    @rx.var
    def intent_options(self) -> list[Choice]:
        return choices_from(rad.INTENT_LABELS)

    @rx.var
    def proton_options(self) -> list[Choice]:
        return choices_from(rad.PROTON_INDICATION_LABELS)

    @rx.var
    def is_proton(self) -> bool:
        return self.modality == "proton"

    @rx.var
    def dose_per_fraction(self) -> str:
        try:
            dose, fractions = float(self.total_dose_gy), int(self.fractions)
        except ValueError:
            return ""
        if dose <= 0 or fractions <= 0:
            return ""
        return f"{dose / fractions:.2f} Gy per fraction".replace(".00 Gy", " Gy")

    # --- wiring from the wizard ---

    async def _prepare(self, context: StepContext) -> None:
        if context.order_id != self._order_id:  # another draft starts from empty answers
            self.reset()
            self._order_id = context.order_id
        self._plan_code, self.service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._refresh()

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        if context.order_id != self._order_id:
            self.reset()
            self._order_id = context.order_id
        for name in TEXT_FIELDS:
            value = details.get(name)
            setattr(
                self, name, "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
            )
        await self._prepare(context)

    def _refresh(self) -> None:
        codes = modality_codes(self._plan_code, self.service_year, self.modality, self._in_force)
        self.code_lines = [Choice(item.code, f"{item.code} — {item.label}") for item in codes[:MAX_CODES]]
        self.left_out = [item.code for item in codes[MAX_CODES:]]
        self.errors = {**self.errors, "codes": ""}
        if self.modality and not codes:
            self.errors = {
                **self.errors,
                "codes": (
                    f"The plan's radiation oncology code list for {self.service_year} has no codes for "
                    f"{rad.MODALITY_LABELS[self.modality].lower()}: "
                    "the program does not manage it for this plan. "
                    "Please contact the health plan."
                ),
            }

    def _details_payload(self) -> dict:
        return {
            "cancer_type": self.cancer_type,
            "treatment_site": self.treatment_site,
            "modality": self.modality,
            "intent": self.intent,
            "fractions": self.fractions,
            "total_dose_gy": self.total_dose_gy,
            "proton_indication": self.proton_indication if self.modality == "proton" else None,
            "clinical_notes": self.clinical_notes,
        }

    def _chosen_codes(self) -> list[str]:
        return [line.value for line in self.code_lines]

    def _diagnosis_change(self) -> DiagnosisChange | None:
        return None

    def _show_errors(self, errors: dict[str, str]) -> None:
        shown = dict.fromkeys(ERROR_KEYS, "")
        for key, message in errors.items():
            target = key.split(".")[0]
            if target in shown and not shown[target]:
                shown[target] = message
        self.errors = shown

    # --- typed values ---

    @rx.event
    @authorized(STAFF)
    async def update_field(self, field: str, value: str):
        if field not in TEXT_FIELDS or not isinstance(value, str):
            return
        setattr(self, field, value[: rad.CLINICAL_NOTES_MAX])
        if field == "modality":
            self._refresh()


STEP_STATE = RadOncStepState
