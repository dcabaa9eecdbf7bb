"""The medical oncology program's wizard step.

Order of the questions (issue "Programs: medical oncology"): the diagnoses (a request the program
does not review stops here), cancer type, setting, line and intent; then only the biomarker
questions of that cancer; then the pathway regimens for that profile, before any dosing; then,
once a regimen is chosen (or an off-pathway one named), the dosing per drug with the cycle range,
the days of administration, the administration dates, doses and billing units. Every rule and
calculation is the domain's (`medical_oncology`, `dosing`); this state only keeps the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import reflex as rx
from pydantic import ValidationError

from portal_app.domain import dosing
from portal_app.domain.dosing import DOSE_BASIS_LABELS, BsaFormula, DoseBasis
from portal_app.domain.enums import Role, Sex
from portal_app.programs.medical_oncology import domain as onc
from portal_app.reference.icd10 import get_diagnosis
from portal_app.services import order_entry as entry
from portal_app.state.auth import authorized, call_service
from portal_app.state.program_step import Choice, DiagnosisChange, StepContext, answers_changed, choices_from

STAFF = Role.ORDERING_PROVIDER_STAFF
TEXT_FIELDS = (
    "primary_diagnosis",
    "secondary_diagnosis",
    "cancer_type",
    "setting",
    "line",
    "intent",
    "off_pathway_name",
    "off_pathway_rationale",
    "height_cm",
    "weight_kg",
    "serum_creatinine_mg_dl",
    "bsa_formula",
    "bsa_cap_m2",
    "bsa_cap_reason",
    "cycle_from",
    "cycle_to",
    "cycle_length_days",
)
DRUG_FIELDS = (
    "dose_basis",
    "amount",
    "requested_dose_mg",
    "loading_amount",
    "loading_dose_mg",
    "days",
    "deviation_reason",
)
ERROR_KEYS = (*TEXT_FIELDS, "biomarkers", "regimen_id", "drugs", "supportive_drugs", "codes")
MAX_TEXT = 2000


# medical_oncology.Regimen reduced to text for the card (cycles and drugs formatted).
@dataclass
class RegimenCard:
    """One pathway regimen as the list before dosing shows it."""

    regimen_id: str
    name: str
    cycles: str
    drugs: list[str]
    citation: str
    source: str


# The dosing form's row: the office's typed answers and computed doses as strings (UI state).
@dataclass
class DrugRow:
    """One drug of the request: what the prescriber typed, and what the domain calculates from it."""

    component: str
    drug: str
    label: str
    hcpcs: str
    pathway_dose: str  # the pathway's dose, e.g. "75 mg/m²"; "" off the pathway
    dose_basis: str
    amount: str
    requested_dose_mg: str
    has_loading: bool
    loading_amount: str
    loading_dose_mg: str
    days: str
    deviation_reason: str
    calculated: str = ""  # "134 mg"
    loading_calculated: str = ""
    deviation: str = ""  # "3.2 % from the calculated dose"
    needs_reason: bool = False
    dose_count: str = ""
    units: str = ""
    dates: str = ""
    problem: str = ""


def _number(text: str) -> float | None:
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return value


def _whole(text: str) -> int | None:
    text = str(text).strip()
    return int(text) if text.isdigit() else None


def _days_text(days: tuple[int, ...]) -> str:
    """Days as the form shows them: D1-D14 for a run, else D1, D8, D15."""
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return f"D{days[0]}-D{days[-1]}"
    return ", ".join(f"D{day}" for day in days)


def _mg(value: float) -> str:
    return f"{dosing.display_dose_mg(value):g} mg"


def _asks_line(setting: str) -> bool:
    return setting != "" and setting not in onc.SETTINGS_WITHOUT_LINES


def _drug_codes(rows, supportive) -> list[str]:
    """The lines of the request: the J-codes of the drugs, then of the supportive drugs."""
    known = onc.supportive_drugs()
    codes = [row.hcpcs for row in rows if row.hcpcs] + [
        known[key].hcpcs for key in supportive if key in known
    ]
    return list(dict.fromkeys(codes))


# The three fields of medical_oncology.RegimenDrug the off-pathway picker needs, keyed by J-code.
@dataclass(frozen=True)
class _CodeDrug:
    """A drug billed with a J-code, for an off-pathway regimen: its name and usual dose basis."""

    hcpcs: str
    drug: str
    dose_basis: str


def _off_pathway_drugs() -> dict[str, _CodeDrug]:
    """J-code -> the drug it bills, from the pathway table (the program manages these codes)."""
    found: dict[str, _CodeDrug] = {}
    for regimen in onc.all_regimens():
        for drug in regimen.drugs:
            if drug.hcpcs and drug.hcpcs not in found:
                found[drug.hcpcs] = _CodeDrug(drug.hcpcs, drug.drug, drug.dose_basis.value)
    return dict(sorted(found.items(), key=lambda item: item[1].drug))


async def _member_sex(order_id: int) -> str:
    """The member's sex on the draft ("F", "M" or "U"), read through the draft's access check."""
    try:
        return await call_service(entry.member_sex, order_id=order_id)
    except entry.DraftNotFound:
        return ""


class MedOncStepState(rx.State):
    # diagnoses and supportive drugs
    primary_diagnosis: str = ""
    secondary_diagnosis: str = ""
    supportive_drugs: list[str] = []
    # cancer, setting, line, intent, biomarkers
    cancer_type: str = ""
    setting: str = ""
    line: str = "1"
    intent: str = ""
    biomarkers: dict[str, str] = dict.fromkeys(onc.BIOMARKER_QUESTIONS, "")
    biomarker_keys: list[str] = []
    profile_complete: bool = False  # every question before the regimens answered
    # regimen
    regimens: list[RegimenCard] = []
    regimen_id: str = ""
    regimen_name: str = ""
    off_pathway: bool = False
    off_pathway_name: str = ""
    off_pathway_rationale: str = ""
    # dosing
    height_cm: str = ""
    weight_kg: str = ""
    serum_creatinine_mg_dl: str = ""
    bsa_formula: str = BsaFormula.MOSTELLER.value
    bsa_cap_m2: str = ""
    bsa_cap_reason: str = ""
    cycle_from: str = "1"
    cycle_to: str = ""
    cycle_length_days: str = ""
    drugs: list[DrugRow] = []
    drug_errors: dict[str, str] = {}
    bsa_text: str = ""
    crcl_text: str = ""
    measures_problem: str = ""
    member_age: int = 0
    member_sex_label: str = ""
    service_date: str = ""
    errors: dict[str, str] = dict.fromkeys(ERROR_KEYS, "")
    _member_sex: str = ""
    _typed: list[str] = []  # "component/field" of doses the user typed (never overwritten)
    _prefilled: list[str] = []  # diagnosis codes this step last put on the wizard's diagnosis list
    _diagnoses_changed: bool = False  # the diagnoses changed since the wizard last took them
    _order_id: int = 0  # the draft these answers belong to

    # --- choices and derived flags for the page ---

    @rx.var
    def cancer_options(self) -> list[Choice]:
        return choices_from(onc.CANCER_TYPE_LABELS)

    @rx.var
    def setting_options(self) -> list[Choice]:
        return choices_from(onc.SETTING_LABELS, onc.SETTINGS_BY_CANCER.get(self.cancer_type, ()))

    @rx.var
    def asks_line(self) -> bool:
        return _asks_line(self.setting)

    @rx.var
    def supportive_options(self) -> list[Choice]:
        return [Choice(key, f"{drug.label} ({drug.hcpcs})") for key, drug in onc.supportive_drugs().items()]

    @rx.var
    def secondary_hint(self) -> str:
        accepted = {
            f"{prefix} {label.lower()}"
            for key in self.supportive_drugs
            if key in onc.supportive_drugs()
            for prefix, label in onc.supportive_drugs()[key].secondary_prefixes
        }
        return "Accepted: " + "; ".join(sorted(accepted)) + "." if accepted else ""

    @rx.var
    def primary_text(self) -> str:
        found = get_diagnosis(self.primary_diagnosis) if self.primary_diagnosis.strip() else None
        return f"{found.code}: {found.description}" if found else ""

    @rx.var
    def secondary_text(self) -> str:
        found = get_diagnosis(self.secondary_diagnosis) if self.secondary_diagnosis.strip() else None
        return f"{found.code}: {found.description}" if found else ""

    @rx.var
    def stop_message(self) -> str:
        return (
            onc.diagnosis_stop(
                self.primary_diagnosis,
                self.secondary_diagnosis,
                list(self.supportive_drugs),
                self.regimen_name or self.off_pathway_name,
            )
            or ""
        )

    @rx.var
    def dosing_open(self) -> bool:
        return self.regimen_id != "" or self.off_pathway

    @rx.var
    def off_pathway_drug_options(self) -> list[Choice]:
        listed = {row.hcpcs for row in self.drugs}
        return [
            Choice(code, f"{item.drug.capitalize()} ({code})")
            for code, item in _off_pathway_drugs().items()
            if code not in listed
        ]

    @rx.var
    def requested_codes(self) -> list[str]:
        return _drug_codes(self.drugs, self.supportive_drugs)

    @rx.var
    def no_billed_drug(self) -> bool:
        """A regimen whose drugs are all taken by mouth: nothing this program reviews."""
        return len(self.drugs) > 0 and not any(row.hcpcs for row in self.drugs)

    def _profile_line(self) -> int | None:
        """The line of therapy once cancer, setting, line and every biomarker question are answered
        (the regimens can then be shown); None before."""
        if (
            self.cancer_type not in onc.CANCER_TYPES
            or self.setting not in onc.SETTINGS_BY_CANCER[self.cancer_type]
        ):
            return None
        line = _whole(self.line) if _asks_line(self.setting) else 1
        if line not in range(1, onc.MAX_LINE + 1):
            return None
        keys = [question.key for question in onc.biomarker_questions(self.cancer_type)]
        return line if all(self.biomarkers.get(key, "") != "" for key in keys) else None

    # --- wiring from the wizard ---

    def _start_over_for(self, order_id: int) -> None:
        """The answers belong to one draft: another draft starts from empty answers."""
        if order_id != self._order_id:
            self.reset()
            self._typed, self._prefilled, self._member_sex = [], [], ""
            self._diagnoses_changed = False
            self._order_id = order_id

    async def _prepare(self, context: StepContext) -> None:
        self._start_over_for(context.order_id)
        self.member_age = context.member_age
        self.service_date = context.service_date.isoformat() if context.service_date else ""
        self._member_sex = await _member_sex(context.order_id)
        self.member_sex_label = (
            Sex(self._member_sex).label if self._member_sex in {s.value for s in Sex} else ""
        )
        self._refresh()

    async def _restore(self, details: dict, codes: list[str], context: StepContext) -> None:
        self._start_over_for(context.order_id)
        for name in TEXT_FIELDS:
            value = details.get(name)
            setattr(self, name, "" if value is None else str(value))
        self.line = str(details.get("line") or "1")
        self.cycle_from = str(details.get("cycle_from") or "1")
        self.bsa_formula = str(details.get("bsa_formula") or BsaFormula.MOSTELLER.value)
        self.supportive_drugs = [str(key) for key in details.get("supportive_drugs") or []]
        answers = details.get("biomarkers") or {}
        self.biomarkers = {key: str(answers.get(key, "")) for key in onc.BIOMARKER_QUESTIONS}
        self.regimen_id = str(details.get("regimen_id") or "")
        self.off_pathway = not self.regimen_id and bool(details.get("off_pathway_name"))
        self.drugs = [self._row_from_details(drug) for drug in details.get("drugs") or []]
        self._typed = [f"{row.component}/{field}" for row in self.drugs for field in DRUG_FIELDS]
        await self._prepare(context)

    def _row_from_details(self, drug: dict) -> DrugRow:
        regimen = onc.get_regimen(self.regimen_id)
        pathway = regimen.drug(str(drug.get("component", ""))) if regimen else None

        def text(name: str) -> str:
            value = drug.get(name)
            return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

        return DrugRow(
            component=text("component"),
            drug=text("drug"),
            label=pathway.label if pathway else text("drug"),
            hcpcs=text("hcpcs") or (pathway.hcpcs if pathway else ""),
            pathway_dose=pathway.dose_text if pathway else "",
            dose_basis=text("dose_basis"),
            amount=text("amount"),
            requested_dose_mg=text("requested_dose_mg"),
            has_loading=drug.get("loading_amount") is not None,
            loading_amount=text("loading_amount"),
            loading_dose_mg=text("loading_dose_mg"),
            days=text("days"),
            deviation_reason=text("deviation_reason"),
        )

    def _details_payload(self) -> dict:
        keys = set(self.biomarker_keys)
        return {
            "primary_diagnosis": self.primary_diagnosis,
            "secondary_diagnosis": self.secondary_diagnosis,
            "supportive_drugs": list(self.supportive_drugs),
            "cancer_type": self.cancer_type,
            "setting": self.setting,
            "line": self.line if _asks_line(self.setting) else 1,
            "intent": self.intent,
            "biomarkers": {key: value for key, value in self.biomarkers.items() if key in keys},
            "regimen_id": self.regimen_id,
            "off_pathway_name": self.off_pathway_name if self.off_pathway else "",
            "off_pathway_rationale": self.off_pathway_rationale if self.off_pathway else "",
            "height_cm": self.height_cm,
            "weight_kg": self.weight_kg,
            "serum_creatinine_mg_dl": self.serum_creatinine_mg_dl or None,
            "bsa_formula": self.bsa_formula,
            "bsa_cap_m2": self.bsa_cap_m2 or None,
            "bsa_cap_reason": self.bsa_cap_reason,
            "cycle_length_days": self.cycle_length_days,
            "cycle_from": self.cycle_from,
            "cycle_to": self.cycle_to,
            "drugs": [self._drug_payload(row) for row in self.drugs],
        }

    @staticmethod
    def _drug_payload(row: DrugRow) -> dict:
        return {
            "component": row.component,
            "drug": row.drug,
            "dose_basis": row.dose_basis,
            "amount": row.amount,
            "requested_dose_mg": row.requested_dose_mg,
            "loading_amount": row.loading_amount if row.has_loading and row.loading_amount else None,
            "loading_dose_mg": row.loading_dose_mg if row.has_loading and row.loading_dose_mg else None,
            "days": row.days,
            "deviation_reason": row.deviation_reason,
            "hcpcs": row.hcpcs,
        }

    def _chosen_codes(self) -> list[str]:
        return _drug_codes(self.drugs, self.supportive_drugs)

    def _show_errors(self, errors: dict[str, str]) -> None:
        shown, by_drug = dict.fromkeys(ERROR_KEYS, ""), {}
        for key, message in errors.items():
            parts = key.split(".")
            if (
                parts[0] == "drugs"
                and len(parts) > 1
                and parts[1].isdigit()
                and int(parts[1]) < len(self.drugs)
            ):
                by_drug.setdefault(self.drugs[int(parts[1])].component, message)
            elif parts[0] in shown and not shown[parts[0]]:
                shown[parts[0]] = message
        self.errors, self.drug_errors = shown, by_drug

    # --- recomputing what the page shows ---

    def _refresh(self) -> None:
        cancer = self.cancer_type if self.cancer_type in onc.CANCER_TYPES else ""
        self.biomarker_keys = [question.key for question in onc.biomarker_questions(cancer)] if cancer else []
        self._refresh_regimens()
        self._refresh_doses()

    def _refresh_regimens(self) -> None:
        offered = []
        line = self._profile_line()
        self.profile_complete = line is not None
        if line is not None:
            answers = {key: self.biomarkers[key] for key in self.biomarker_keys}
            offered = onc.pathway_regimens(self.cancer_type, self.setting, line, answers)
        self.regimens = [
            RegimenCard(
                regimen_id=regimen.regimen_id,
                name=regimen.name,
                cycles=regimen.cycles_text,
                drugs=[
                    f"{drug.label}: {drug.dose_text}, {drug.route}, on {drug.days_text}"
                    + (f" ({drug.hcpcs})" if drug.hcpcs else " (by mouth: pharmacy benefit, no drug code)")
                    for drug in regimen.drugs
                ],
                citation=regimen.citation,
                source=regimen.source,
            )
            for regimen in offered
        ]
        if self.regimen_id and self.regimen_id not in {regimen.regimen_id for regimen in offered}:
            self.regimen_id, self.drugs = "", []
        regimen = onc.get_regimen(self.regimen_id)
        self.regimen_name = regimen.name if regimen else ""
        if regimen is not None:
            self._sync_pathway_rows(regimen)

    def _sync_pathway_rows(self, regimen: onc.Regimen) -> None:
        """The rows of the regimen's drugs given in the requested cycles, keeping what was typed;
        the days are those of the first requested cycle in which the drug is given."""
        first = min(_whole(self.cycle_from) or 1, dosing.MAX_CYCLE_NUMBER)
        last = min(max(_whole(self.cycle_to) or first, first), dosing.MAX_CYCLE_NUMBER)
        current = {row.component: replace(row) for row in self.drugs}
        rows = []
        for drug in regimen.drugs_given_in(first, last):
            loading = first == 1 and drug.first_cycle_amount is not None and drug.given_in(1)
            row = current.get(drug.component) or DrugRow(
                component=drug.component,
                drug=drug.drug,
                label=drug.label,
                hcpcs=drug.hcpcs,
                pathway_dose=drug.dose_text,
                dose_basis=drug.dose_basis.value,
                amount=f"{drug.amount:g}",
                requested_dose_mg="",
                has_loading=False,
                loading_amount="",
                loading_dose_mg="",
                days="",
                deviation_reason="",
            )
            if f"{drug.component}/days" not in self._typed:
                given = next(cycle for cycle in range(first, last + 1) if drug.given_in(cycle))
                row.days = _days_text(drug.days_in(given))
            row.has_loading = loading
            if loading and f"{drug.component}/loading_amount" not in self._typed:
                row.loading_amount = f"{drug.first_cycle_amount:g}"
            rows.append(row)
        self.drugs = rows

    def _measures(self) -> onc.PatientMeasures | None:
        """BSA and, with a drug dosed by AUC, the creatinine clearance (domain calculations)."""
        self.bsa_text, self.crcl_text, self.measures_problem = "", "", ""
        height, weight = _number(self.height_cm), _number(self.weight_kg)
        if height is None or weight is None:
            return None
        inputs = {
            "height_cm": height,
            "weight_kg": weight,
            "bsa_formula": self.bsa_formula,
            "bsa_cap_m2": _number(self.bsa_cap_m2) if self.bsa_cap_m2.strip() else None,
            "bsa_cap_reason": self.bsa_cap_reason,
            "serum_creatinine_mg_dl": _number(self.serum_creatinine_mg_dl),
            "member_age": self.member_age or None,
            "member_sex": self._member_sex,
        }
        needs_crcl = any(row.dose_basis == DoseBasis.AUC.value for row in self.drugs)
        try:
            measures = onc.patient_measures(**inputs, needs_crcl=needs_crcl)
        except ValueError as problem:
            self.measures_problem = str(problem)
            if not needs_crcl:
                return None
            try:  # the doses by body surface or weight can still be shown
                measures = onc.patient_measures(**inputs)
            except ValueError:
                return None
        formula = "DuBois" if self.bsa_formula == BsaFormula.DUBOIS.value else "Mosteller"
        self.bsa_text = f"{dosing.display_bsa(measures.bsa_m2):g} m² ({formula})"
        if measures.bsa_capped:
            self.bsa_text += f", capped from {dosing.display_bsa(measures.bsa_uncapped_m2):g} m²"
        if measures.crcl_ml_min is not None:
            self.crcl_text = (
                f"{dosing.display_crcl(measures.crcl_ml_min):g} mL/min (Cockcroft-Gault; "
                f"carboplatin uses at most {dosing.CALVERT_GFR_CAP_ML_MIN:g} mL/min)"
            )
        return measures

    def _refresh_doses(self) -> None:
        measures = self._measures()
        regimen = onc.get_regimen(self.regimen_id)
        first_day = date.fromisoformat(self.service_date) if self.service_date else None
        self.drugs = [self._preview(replace(row), regimen, measures, first_day) for row in self.drugs]

    def _preview(
        self,
        row: DrugRow,
        regimen: onc.Regimen | None,
        measures: onc.PatientMeasures | None,
        first_day: date | None,
    ) -> DrugRow:
        """The row with its calculated dose, deviation, dates, doses and billing units (domain rules)."""
        row.calculated = row.loading_calculated = row.deviation = row.dose_count = row.units = row.dates = ""
        row.problem, row.needs_reason = "", False
        pathway = regimen.drug(row.component) if regimen else None
        ceiling = pathway.max_dose_mg if pathway else None
        if measures is not None and _number(row.amount):
            try:
                calculated = onc.calculated_dose_mg(row.dose_basis, _number(row.amount), measures, ceiling)
                row.calculated = _mg(calculated)
                if f"{row.component}/requested_dose_mg" not in self._typed:
                    row.requested_dose_mg = f"{dosing.display_dose_mg(calculated):g}"
                if row.has_loading and _number(row.loading_amount):
                    loading = onc.calculated_dose_mg(
                        row.dose_basis, _number(row.loading_amount), measures, ceiling
                    )
                    row.loading_calculated = _mg(loading)
                    if f"{row.component}/loading_dose_mg" not in self._typed:
                        row.loading_dose_mg = f"{dosing.display_dose_mg(loading):g}"
                    row.needs_reason = bool(_number(row.loading_dose_mg)) and dosing.deviation_needs_reason(
                        _number(row.loading_dose_mg), loading
                    )
                requested = _number(row.requested_dose_mg)
                if requested:
                    row.deviation = (
                        f"{dosing.round_half_up(dosing.dose_deviation(requested, calculated) * 100, 1):g} %"
                    )
                    row.needs_reason = row.needs_reason or dosing.deviation_needs_reason(
                        requested, calculated
                    )
            except ValueError as problem:
                row.problem = str(problem)
        self._schedule_preview(row, regimen, first_day)
        return row

    def _schedule_preview(self, row: DrugRow, regimen: onc.Regimen | None, first_day: date | None) -> None:
        first, last, length = _whole(self.cycle_from), _whole(self.cycle_to), _whole(self.cycle_length_days)
        if not (first and last and length and row.days.strip() and _number(row.requested_dose_mg)):
            return
        try:
            drug = onc.DrugDose.model_validate(self._drug_payload(row))
            details = onc.MedicalOncologyDetails.model_construct(
                regimen_id=self.regimen_id,
                cycle_length_days=length,
                cycle_from=first,
                cycle_to=last,
                first_cycle_start=first_day,
                drugs=[drug],
            )
            # Only the schedule and units are read here: the measures do not matter for them.
            [line] = onc.dose_lines(details, onc.PatientMeasures(1.0, 1.0, False, "", 1.0, 100.0))
        except (ValidationError, ValueError) as problem:
            message = problem.errors()[0]["msg"] if isinstance(problem, ValidationError) else str(problem)
            row.problem = row.problem or message
            return
        row.dose_count = str(line.number_of_doses)
        row.dates = ", ".join(day.isoformat() for day in line.dates)
        if line.total_units is not None:
            row.units = f"{line.total_units} billing units of {line.hcpcs}"
        elif not line.hcpcs:
            row.units = "No drug code: taken by mouth (pharmacy benefit)"

    def _note_diagnoses_changed(self) -> None:
        """The primary or secondary diagnosis (or the supportive drugs) changed: the wizard's diagnosis
        list takes them when this step's answers are saved (`_diagnosis_change`)."""
        self._diagnoses_changed = True

    def _diagnosis_change(self) -> DiagnosisChange | None:
        """Put the primary (and secondary) diagnosis first on the wizard's diagnosis list, taking back
        the ones this step put there before."""
        if not self._diagnoses_changed:
            return None
        wanted = [
            get_diagnosis(code) for code in (self.primary_diagnosis, self.secondary_diagnosis) if code.strip()
        ]
        wanted = [found for found in wanted if found is not None]
        if self.secondary_diagnosis and not self.supportive_drugs:
            wanted = wanted[:1]
        change = DiagnosisChange(
            first=tuple((found.code, f"{found.code} {found.description}") for found in wanted),
            withdrawn=tuple(self._prefilled),
        )
        self._prefilled, self._diagnoses_changed = [found.code for found in wanted], False
        return change

    # --- typed values ---

    @rx.event
    @authorized(STAFF)
    async def update_field(self, field: str, value: str):
        if field not in TEXT_FIELDS or not isinstance(value, str):
            return
        setattr(self, field, value[:MAX_TEXT])
        if field == "cancer_type":
            self.setting, self.regimen_id, self.off_pathway, self.drugs = "", "", False, []
            self.biomarkers = dict.fromkeys(onc.BIOMARKER_QUESTIONS, "")
        self._refresh()
        if field in {"primary_diagnosis", "secondary_diagnosis"}:
            self._note_diagnoses_changed()
            await answers_changed(self)

    @rx.event
    @authorized(STAFF)
    async def answer_biomarker(self, key: str, value: str):
        question = onc.BIOMARKER_QUESTIONS.get(key) if isinstance(key, str) else None
        if question is None or key not in self.biomarker_keys or value not in ("", *question.values):
            return
        self.biomarkers = {**self.biomarkers, key: value}
        self._refresh()

    @rx.event
    @authorized(STAFF)
    async def toggle_supportive(self, drug: str, checked: bool):
        if drug not in onc.supportive_drugs():
            return
        current = [key for key in self.supportive_drugs if key != drug]
        self.supportive_drugs = current + [drug] if checked is True else current
        if not self.supportive_drugs:
            self.secondary_diagnosis = ""
        self._note_diagnoses_changed()
        await answers_changed(self)

    @rx.event
    @authorized(STAFF)
    async def choose_regimen(self, regimen_id: str):
        if regimen_id not in {card.regimen_id for card in self.regimens}:
            return
        regimen = onc.get_regimen(regimen_id)
        self.regimen_id, self.off_pathway, self.drugs, self._typed = regimen_id, False, [], []
        self.cycle_length_days = str(regimen.cycle_length_days)
        self.cycle_from = str(regimen.first_cycle)
        self.cycle_to = str(regimen.cycles) if regimen.cycles else ""
        self._refresh()

    @rx.event
    @authorized(STAFF)
    async def choose_off_pathway(self):
        self.regimen_id, self.regimen_name, self.off_pathway, self.drugs, self._typed = "", "", True, [], []
        self._refresh()

    @rx.event
    @authorized(STAFF)
    async def add_off_pathway_drug(self, hcpcs: str):
        known = _off_pathway_drugs()
        if (
            not self.off_pathway
            or hcpcs not in known
            or hcpcs in {row.hcpcs for row in self.drugs}
            or len(self.drugs) >= onc.MAX_DRUGS
        ):
            return
        item = known[hcpcs]
        self.drugs = [
            *self.drugs,
            DrugRow(
                component=item.drug,
                drug=item.drug,
                label=item.drug.capitalize(),
                hcpcs=hcpcs,
                pathway_dose="",
                dose_basis=item.dose_basis,
                amount="",
                requested_dose_mg="",
                has_loading=False,
                loading_amount="",
                loading_dose_mg="",
                days="D1",
                deviation_reason="",
            ),
        ]
        self._refresh()

    @rx.event
    @authorized(STAFF)
    async def remove_drug(self, component: str):
        if self.off_pathway:
            self.drugs = [row for row in self.drugs if row.component != component]
            self._refresh()

    @rx.event
    @authorized(STAFF)
    async def update_drug(self, component: str, field: str, value: str):
        if field not in DRUG_FIELDS or not isinstance(value, str):
            return
        if component not in {row.component for row in self.drugs}:
            return
        if field == "dose_basis" and value not in DOSE_BASIS_LABELS:
            return
        self.drugs = [
            replace(row, **{field: value[:MAX_TEXT]}) if row.component == component else replace(row)
            for row in self.drugs
        ]
        if f"{component}/{field}" not in self._typed:
            self._typed = [*self._typed, f"{component}/{field}"]
        self._refresh()


STEP_STATE = MedOncStepState
