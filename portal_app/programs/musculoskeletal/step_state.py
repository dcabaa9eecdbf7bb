"""The musculoskeletal program's own wizard step: spine, joint, small joint and pain procedures."""

from __future__ import annotations

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.domain.program_types import ManagedCode
from portal_app.programs.musculoskeletal import domain as msk
from portal_app.state.auth import authorized
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext, choices_from
from portal_app.state.validation import errors_by_field, toggled

STAFF = Role.ORDERING_PROVIDER_STAFF
TEXT_FIELDS = (
    "emergency_presentation",
    "category",
    "procedure",
    "setting",
    "spine_region",
    "levels",
    "side",
    "weeks_conservative_care",
    "prior_relief_percent",
    "diagnostic_blocks",
    "diagnostic_block_relief_percent",
    "stimulator_trial_relief_percent",
    "clinical_notes",
)
LIST_FIELDS = {
    "imaging_findings": msk.IMAGING_FINDINGS,
    "warning_signs": msk.WARNING_SIGNS,
    "nonunion_risks": msk.NONUNION_RISKS,
}
ERROR_KEYS = (*TEXT_FIELDS, "revision", "imaging_findings", "warning_signs", "nonunion_risks", "codes")
# Procedures requested together with a fusion in one request (each line is decided on its own).
FUSION_COMPANIONS = ("bone_graft", "bone_growth_stimulator")
REPEAT_RELIEF_PROCEDURES = frozenset({"epidural_injection", "facet_injection", "facet_rfa"})


class MskStepState(rx.State):
    emergency_presentation: str = "none"
    category: str = ""
    procedure: str = ""
    setting: str = "outpatient"
    spine_region: str = ""
    levels: str = ""
    side: str = "not_applicable"
    revision: bool = False
    weeks_conservative_care: str = ""
    imaging_findings: list[str] = []
    warning_signs: list[str] = []
    nonunion_risks: list[str] = []
    prior_relief_percent: str = ""
    diagnostic_blocks: str = ""
    diagnostic_block_relief_percent: str = ""
    stimulator_trial_relief_percent: str = ""
    clinical_notes: str = ""
    codes: list[str] = []
    procedure_options: list[Choice] = []
    code_options: list[Choice] = []
    stay_note: str = ""
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    _plan_code: str = ""
    _service_year: int = 0
    _in_force: tuple[ManagedCode, ...] = ()  # the codes in force for the member's coverage

    # --- choices for the page ---

    @rx.var
    def category_options(self) -> list[Choice]:
        return choices_from(msk.CATEGORY_LABELS)

    @rx.var
    def region_options(self) -> list[Choice]:
        regions = msk.PROCEDURE_REGIONS.get(self.procedure, ())
        return choices_from(msk.SPINE_REGION_LABELS, regions) if len(regions) > 1 else []

    @rx.var
    def needs_levels(self) -> bool:
        return self.procedure in msk.LEVEL_PROCEDURES

    @rx.var
    def needs_side(self) -> bool:
        return self.procedure in msk.SIDED_PROCEDURES

    @rx.var
    def is_surgery(self) -> bool:
        return self.category in msk.SURGERY_CATEGORIES

    @rx.var
    def finding_options(self) -> list[Choice]:
        return choices_from(msk.IMAGING_FINDING_LABELS, msk.FINDINGS_BY_CATEGORY.get(self.category, ()))

    @rx.var
    def warning_options(self) -> list[Choice]:
        return choices_from(msk.WARNING_SIGN_LABELS, msk.WARNING_SIGNS_BY_CATEGORY.get(self.category, ()))

    @rx.var
    def asks_nonunion(self) -> bool:
        facts = msk.code_facts()
        return any(facts[c].procedure == "bone_growth_stimulator" for c in self.codes if c in facts)

    @rx.var
    def asks_prior_relief(self) -> bool:
        return self.procedure in REPEAT_RELIEF_PROCEDURES

    @rx.var
    def asks_blocks(self) -> bool:
        return self.procedure == "facet_rfa"

    @rx.var
    def asks_trial(self) -> bool:
        return self.procedure == "spinal_cord_stimulator"

    @rx.var
    def stop_message(self) -> str:
        return msk.no_request_needed({"emergency_presentation": self.emergency_presentation}) or ""

    # --- wiring from the wizard ---

    async def _prepare(self, context: StepContext) -> None:
        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._refresh()

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        for name in TEXT_FIELDS:
            value = details.get(name)
            if value not in (None, ""):
                setattr(self, name, str(value))
        self.revision = bool(details.get("revision"))
        for name in LIST_FIELDS:
            setattr(self, name, [str(v) for v in details.get(name) or []])
        self.codes = list(codes)
        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._refresh()

    def _refresh(self) -> None:
        """Procedures the plan manages in the category, the codes they offer, the stay note."""
        found = (
            msk.procedure_choices(
                self.category, plan_code=self._plan_code, year=self._service_year, in_force=self._in_force
            )
            if self.category
            else []
        )
        self.procedure_options = [Choice(value, label) for value, label in found]
        if self.procedure not in {value for value, _ in found}:
            self.procedure = ""
        offered = []
        if self.procedure:
            region = (
                self.spine_region
                if self.spine_region in msk.PROCEDURE_REGIONS.get(self.procedure, ())
                else ""
            )
            companions = FUSION_COMPANIONS if self.procedure in msk.FUSION_PROCEDURES else ()
            for procedure in (self.procedure, *companions):
                offered += msk.codes_for_procedure(
                    self._plan_code, self._service_year, procedure, region=region, in_force=self._in_force
                )
        self.code_options = [Choice(c.code, f"{c.code} — {c.label}") for c in offered]
        self.codes = [c for c in self.codes if c in {o.code for o in offered}]
        self.stay_note = ""
        if self.setting == "inpatient" and self.category in msk.SURGERY_CATEGORIES:
            days = msk.inpatient_default_los(self._plan_code, self.category)
            self.stay_note = (
                f"The plan's initial length of stay for this surgery is {days} days: an approval "
                f"covers the date of service and the {days} days after it."
            )

    def _details_payload(self) -> dict:
        return {
            "emergency_presentation": self.emergency_presentation,
            "category": self.category,
            "procedure": self.procedure,
            "setting": self.setting,
            "spine_region": self.spine_region,
            "levels": self.levels or None,
            "side": self.side,
            "revision": self.revision,
            "weeks_conservative_care": self.weeks_conservative_care or None,
            "imaging_findings": list(self.imaging_findings),
            "warning_signs": list(self.warning_signs),
            "nonunion_risks": list(self.nonunion_risks),
            "prior_relief_percent": self.prior_relief_percent or None,
            "diagnostic_blocks": self.diagnostic_blocks or None,
            "diagnostic_block_relief_percent": self.diagnostic_block_relief_percent or None,
            "stimulator_trial_relief_percent": self.stimulator_trial_relief_percent or None,
            "clinical_notes": self.clinical_notes,
        }

    def _chosen_codes(self) -> list[str]:
        return list(self.codes)

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors_by_field(errors, ERROR_KEYS)

    def _diagnosis_change(self) -> DiagnosisChange | None:
        return None

    # --- typed values ---

    @rx.event
    @authorized(STAFF)
    async def update_field(self, field: str, value: str):
        if field not in TEXT_FIELDS or not isinstance(value, str):
            return
        setattr(self, field, value[:4000])
        if field == "category":
            self.procedure, self.imaging_findings, self.warning_signs = "", [], []
        if field == "procedure":
            self.spine_region, self.side = "", "not_applicable"
        if field in {"category", "procedure", "spine_region", "setting"}:
            self._refresh()

    @rx.event
    @authorized(STAFF)
    async def mark_revision(self, checked: bool):
        self.revision = checked is True

    @rx.event
    @authorized(STAFF)
    async def toggle_choice(self, field: str, value: str, checked: bool):
        allowed = LIST_FIELDS.get(field, ())
        if value not in allowed:
            return
        current = [v for v in getattr(self, field) if v != value]
        setattr(self, field, current + [value] if checked is True else current)

    @rx.event
    @authorized(STAFF)
    async def toggle_code(self, code: str, checked: bool):
        if code not in {o.value for o in self.code_options}:
            return
        self.codes = toggled(self.codes, code, checked)


STEP_STATE = MskStepState
