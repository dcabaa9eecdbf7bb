"""The genetic testing program's wizard step: the category, then the test (its codes follow from
the plan's list for the service year); whether the member had it before; the member's own cancer;
a short pedigree (rows added and removed); counselling; how the result changes care; and the
questions of the chosen category (tumor, drug, heart, pregnancy, child)."""

from __future__ import annotations

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.domain.program_types import ManagedCode
from portal_app.programs.genetic_testing import domain as gt
from portal_app.services.order_entry import MAX_CODES
from portal_app.state.auth import authorized
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext, choices_from
from portal_app.state.validation import toggled

STAFF = Role.ORDERING_PROVIDER_STAFF
YES_NO = {"yes": "Yes", "no": "No"}
TEXT_FIELDS = (
    "category",
    "test",
    "had_test_before",
    "cancer_type",
    "cancer_age",
    "counselling",
    "counselled_by",
    "tumor_type",
    "advanced_disease",
    "planned_drug",
    "drug_indication",
    "cardiac_diagnosis",
    "ldl_mg_dl",
    "pregnant",
    "weeks_pregnant",
    "evaluated_by",
    "clinical_notes",
)
LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "cancer_features": gt.CANCER_FEATURES,
    "management_changes": gt.MANAGEMENT_CHANGES,
    "child_indications": gt.CHILD_INDICATIONS,
}
RELATIVE_KEYS: dict[str, tuple[str, ...]] = {
    "relative": gt.RELATIONS,
    "side": tuple(s for s in gt.SIDES if s),
    "condition": gt.FAMILY_CONDITIONS,
}
ERROR_KEYS = (*TEXT_FIELDS, *LIST_FIELDS, "family_history", "codes")
# Details keys whose errors show next to another field of this step.
ERROR_TARGETS = {"personal_cancers": "cancer_type"}


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class GeneticTestingStepState(rx.State):
    category: str = ""
    test: str = ""
    had_test_before: str = "unknown"
    cancer_type: str = ""
    cancer_age: str = ""
    cancer_features: list[str] = []
    relatives: list[dict[str, str]] = []
    counselling: str = ""
    counselled_by: str = ""
    management_changes: list[str] = []
    tumor_type: str = ""
    advanced_disease: str = ""
    planned_drug: str = ""
    drug_indication: str = ""
    cardiac_diagnosis: str = ""
    ldl_mg_dl: str = ""
    pregnant: str = ""
    weeks_pregnant: str = ""
    child_indications: list[str] = []
    evaluated_by: str = ""
    clinical_notes: str = ""
    code_lines: list[Choice] = []
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    _plan_code: str = ""
    _service_year: int = 0
    _in_force: tuple[ManagedCode, ...] = ()  # the codes in force for the member's coverage
    _order_id: int = 0

    @rx.var
    def category_options(self) -> list[Choice]:
        return choices_from(gt.CATEGORY_LABELS)

    @rx.var
    def test_options(self) -> list[Choice]:
        tests = gt.TESTS_BY_CATEGORY.get(self.category, ())
        return [Choice(t, gt.TEST_LABELS[t]) for t in tests]

    @rx.var
    def before_options(self) -> list[Choice]:
        return choices_from(gt.YES_NO_UNKNOWN_LABELS)

    @rx.var
    def yes_no_options(self) -> list[Choice]:
        return choices_from(YES_NO)

    @rx.var
    def cancer_options(self) -> list[Choice]:
        return choices_from(gt.PERSONAL_CANCER_LABELS)

    @rx.var
    def feature_options(self) -> list[Choice]:
        allowed = gt.FEATURES_BY_CANCER.get(self.cancer_type, ()) if self.cancer_type else ()
        return [Choice(f, gt.CANCER_FEATURE_LABELS[f]) for f in allowed]

    @rx.var
    def relative_options(self) -> list[Choice]:
        return choices_from(gt.RELATION_LABELS)

    @rx.var
    def side_options(self) -> list[Choice]:
        return [Choice(s, gt.SIDE_LABELS[s]) for s in RELATIVE_KEYS["side"]]

    @rx.var
    def condition_options(self) -> list[Choice]:
        return choices_from(gt.FAMILY_CONDITION_LABELS)

    @rx.var
    def counselling_options(self) -> list[Choice]:
        return choices_from(gt.COUNSELLING_LABELS)

    @rx.var
    def counsellor_options(self) -> list[Choice]:
        return choices_from(gt.COUNSELLOR_LABELS)

    @rx.var
    def management_options(self) -> list[Choice]:
        return choices_from(gt.MANAGEMENT_CHANGE_LABELS)

    @rx.var
    def tumor_options(self) -> list[Choice]:
        return choices_from(gt.TUMOR_TYPE_LABELS)

    @rx.var
    def drug_options(self) -> list[Choice]:
        return choices_from(gt.DRUG_LABELS)

    @rx.var
    def drug_indication_options(self) -> list[Choice]:
        return choices_from(gt.DRUG_INDICATION_LABELS)

    @rx.var
    def cardiac_options(self) -> list[Choice]:
        return choices_from(gt.CARDIAC_DIAGNOSIS_LABELS)

    @rx.var
    def child_options(self) -> list[Choice]:
        return choices_from(gt.CHILD_INDICATION_LABELS)

    @rx.var
    def evaluator_options(self) -> list[Choice]:
        return choices_from(gt.EVALUATOR_LABELS)

    @rx.var
    def is_tumor(self) -> bool:
        return self.test in gt.TUMOR_TESTS

    @rx.var
    def is_drug(self) -> bool:
        return self.test in gt.DRUG_TESTS

    @rx.var
    def is_clopidogrel(self) -> bool:
        return self.test in gt.DRUG_TESTS and self.planned_drug == "clopidogrel"

    @rx.var
    def is_cardiac(self) -> bool:
        return self.test in gt.CARDIAC_TESTS

    @rx.var
    def is_fh(self) -> bool:
        return self.test == "fh_genes"

    @rx.var
    def is_pregnancy(self) -> bool:
        return self.test in gt.PREGNANCY_TESTS

    @rx.var
    def is_child(self) -> bool:
        return self.test in gt.CHILD_TESTS

    # --- wiring from the wizard ---

    async def _prepare(self, context: StepContext) -> None:
        if context.order_id != self._order_id:  # another draft starts from empty answers
            self.reset()
            self._order_id = context.order_id
        self._plan_code, self._service_year = context.plan_code, context.service_year
        self._in_force = context.codes_in_force
        self._refresh()

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        if context.order_id != self._order_id:
            self.reset()
            self._order_id = context.order_id
        for name in TEXT_FIELDS:
            if name in details:
                setattr(self, name, _text(details.get(name)))
        cancers = details.get("personal_cancers") or []
        if cancers:
            first = cancers[0]
            self.cancer_type = _text(first.get("cancer_type"))
            self.cancer_age = _text(first.get("age_at_diagnosis"))
            self.cancer_features = [str(f) for f in first.get("features") or []]
        for name in ("management_changes", "child_indications"):
            setattr(self, name, [str(v) for v in details.get(name) or []])
        self.relatives = [
            {
                "relative": _text(row.get("relative")),
                "side": _text(row.get("side")),
                "condition": _text(row.get("condition")),
                "age": _text(row.get("age_at_diagnosis")),
            }
            for row in details.get("family_history") or []
        ]
        await self._prepare(context)

    def _refresh(self) -> None:
        codes = (
            gt.code_choices(self._plan_code, self._service_year, test=self.test, in_force=self._in_force)
            if self.test
            else []
        )
        self.code_lines = [Choice(item.code, f"{item.code} — {item.label}") for item in codes[:MAX_CODES]]
        self.errors = {**self.errors, "codes": ""}
        if self.test and not codes:
            self.errors = {
                **self.errors,
                "codes": (
                    f"The plan's genetic testing code list for {self._service_year} has no codes for "
                    f"{gt.TEST_LABELS[self.test]}: the program does not manage it for this plan. "
                    "Please contact the health plan."
                ),
            }

    def _details_payload(self) -> dict:
        personal = (
            [
                {
                    "cancer_type": self.cancer_type,
                    "age_at_diagnosis": self.cancer_age,
                    "features": list(self.cancer_features),
                }
            ]
            if self.cancer_type
            else []
        )
        family = [
            {
                "relative": row.get("relative", ""),
                "side": row.get("side", ""),
                "condition": row.get("condition", ""),
                "age_at_diagnosis": row.get("age", ""),
            }
            for row in self.relatives
        ]
        return {
            "category": self.category,
            "test": self.test,
            "had_test_before": self.had_test_before,
            "personal_cancers": personal,
            "family_history": family,
            "counselling": self.counselling,
            "counselled_by": self.counselled_by or None,
            "management_changes": list(self.management_changes),
            "tumor_type": self.tumor_type,
            "advanced_disease": _yes_no(self.advanced_disease),
            "planned_drug": self.planned_drug or None,
            "drug_indication": self.drug_indication or None,
            "cardiac_diagnosis": self.cardiac_diagnosis or None,
            "ldl_mg_dl": self.ldl_mg_dl,
            "pregnant": _yes_no(self.pregnant),
            "weeks_pregnant": self.weeks_pregnant,
            "child_indications": list(self.child_indications),
            "evaluated_by": self.evaluated_by or None,
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
            target = ERROR_TARGETS.get(target, target)
            if target in shown and not shown[target]:
                shown[target] = message
        self.errors = shown

    # --- typed values ---

    @rx.event
    @authorized(STAFF)
    async def update_field(self, field: str, value: str):
        if field not in TEXT_FIELDS or not isinstance(value, str):
            return
        setattr(self, field, value[: gt.NOTES_MAX])
        if field == "category":
            self.test = ""
        if field == "cancer_type":
            allowed = gt.FEATURES_BY_CANCER.get(value, ())
            self.cancer_features = [f for f in self.cancer_features if f in allowed]
        if field in ("category", "test"):
            self._refresh()

    @rx.event
    @authorized(STAFF)
    async def toggle_choice(self, field: str, value: str, checked: bool):
        allowed = LIST_FIELDS.get(field, ())
        if not isinstance(value, str) or value not in allowed:
            return
        setattr(self, field, [v for v in allowed if v in toggled(getattr(self, field), value, checked)])

    # --- the pedigree ---

    @rx.event
    @authorized(STAFF)
    async def add_relative(self):
        if len(self.relatives) < gt.MAX_RELATIVES:
            self.relatives = [*self.relatives, {"relative": "", "side": "", "condition": "", "age": ""}]

    @rx.event
    @authorized(STAFF)
    async def remove_relative(self, index: int):
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(self.relatives):
            self.relatives = [row for i, row in enumerate(self.relatives) if i != index]

    @rx.event
    @authorized(STAFF)
    async def update_relative(self, index: int, key: str, value: str):
        if not (isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(self.relatives)):
            return
        if not isinstance(value, str):
            return
        if key == "age":
            value = value[:3]
        elif key not in RELATIVE_KEYS or (value and value not in RELATIVE_KEYS[key]):
            return
        rows = [dict(row) for row in self.relatives]
        rows[index][key] = value
        self.relatives = rows


STEP_STATE = GeneticTestingStepState
