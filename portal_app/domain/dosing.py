"""Chemotherapy dosing math: body surface area, renal function, carboplatin, cycle schedules.

PUBLIC API: a clinical-pharmacist validation suite imports `bsa_mosteller`, `bsa_dubois`,
`crcl_cockcroft_gault` and `carboplatin_calvert_mg`; keep their names and signatures.

Decisions (see the project notes for the issue, "Programs: medical oncology"):

* **Rounding.** Every calculation returns the unrounded float (m², mL/min, kg, mg) so that a
  result can feed the next calculation without compounding rounding errors. The `display_*`
  helpers round for the screen, half up (Python's `round` rounds half to even and works on the
  binary float, so `round(2.345, 2)` gives 2.34).
* **Weight for Cockcroft-Gault and the creatinine floor** are plan settings
  (`RenalSettings`), because institutions differ (clinical-reference §2.2): actual weight by
  default, no creatinine floor by default.
* **Billing units** are counted per administration, then summed: each administration is billed
  on its own date of service and the CMS rule rounds each dose up to whole units
  (`units = ceil(dose / unit size)`, at least 1; clinical-reference §2.4, AAPC quoting CMS
  Transmittal 2193: trastuzumab J9355, 10 mg units, 140 mg -> 14 units).
* **Dates.** `administration_dates` takes the date of day 1 of the first *requested* cycle
  (`cycle_from`), the date the prescriber knows when asking for, say, cycles 7 to 12.

Invalid input raises ValueError with a sentence a user can read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# ---------------------------------------------------------------------------------------------
# Plausibility limits: beyond these the value is a typing error, not a patient
# ---------------------------------------------------------------------------------------------

# Data-entry bounds chosen for this portal (the tallest recorded adult was 272 cm; 40 cm and
# 1 kg cover premature newborns). Not clinical limits: they only catch typing errors.
HEIGHT_CM_RANGE = (40.0, 250.0)
WEIGHT_KG_RANGE = (1.0, 350.0)
# Cockcroft & Gault (1976) derived the formula in adults (18 to 92 years); clinical-reference §2.2.
CG_AGE_RANGE = (18.0, 120.0)
# Serum creatinine below 0.1 or above 20 mg/dL is not a plausible lab value for dosing.
CREATININE_MG_DL_RANGE = (0.1, 20.0)
# Target AUCs in clinical-reference §2.3 and §2.5 are 4 to 6 mg/mL·min; the bounds only catch
# typing errors.
AUC_RANGE = (0.5, 10.0)
# A cycle longer than a year is not a chemotherapy cycle.
CYCLE_LENGTH_RANGE = (1, 365)
MAX_CYCLE_NUMBER = 1000

# 1 inch = 2.54 cm exactly (international yard and pound agreement, 1959).
CM_PER_INCH = 2.54
# Creatinine unit conversion: 1 mg/dL = 88.4 µmol/L (clinical-reference §2.2).
UMOL_L_PER_MG_DL = 88.4


def _number(value: object, what: str, unit: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number.")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a number.")
    if number <= 0:
        raise ValueError(f"{what} must be more than zero.")
    if not low <= number <= high:
        raise ValueError(f"{what} must be between {low:g} and {high:g} {unit} (got {number:g}).")
    return number


def check_height_cm(height_cm: float) -> float:
    """The height as a float; ValueError with a plain message when it cannot be a height."""
    return _number(height_cm, "Height", "cm", *HEIGHT_CM_RANGE)


def check_weight_kg(weight_kg: float) -> float:
    """The weight as a float; ValueError with a plain message when it cannot be a weight."""
    return _number(weight_kg, "Weight", "kg", *WEIGHT_KG_RANGE)


def check_creatinine_mg_dl(serum_creatinine_mg_dl: float) -> float:
    return _number(serum_creatinine_mg_dl, "Serum creatinine", "mg/dL", *CREATININE_MG_DL_RANGE)


def check_positive(value: object, what: str) -> float:
    """`value` as a float when it is a finite number above zero; `what` names it in the message."""
    return _number(value, what, "", 0.0, math.inf)


# ---------------------------------------------------------------------------------------------
# Body surface area
# ---------------------------------------------------------------------------------------------


class BsaFormula(StrEnum):
    MOSTELLER = "mosteller"  # the portal's default
    DUBOIS = "dubois"


def bsa_mosteller(height_cm: float, weight_kg: float) -> float:
    """Body surface area in m², unrounded (Mosteller)."""
    # Mosteller, NEJM 1987;317:1098: BSA = sqrt(height cm × weight kg / 3600)
    # (clinical-reference §2.1).
    return math.sqrt(check_height_cm(height_cm) * check_weight_kg(weight_kg) / 3600)


def bsa_dubois(height_cm: float, weight_kg: float) -> float:
    """Body surface area in m², unrounded (DuBois & DuBois)."""
    # DuBois & DuBois, Arch Intern Med 1916: BSA = 0.007184 × height^0.725 × weight^0.425
    # (clinical-reference §2.1).
    return 0.007184 * check_height_cm(height_cm) ** 0.725 * check_weight_kg(weight_kg) ** 0.425


def bsa(height_cm: float, weight_kg: float, formula: BsaFormula | str = BsaFormula.MOSTELLER) -> float:
    """Body surface area in m² by the chosen formula (Mosteller unless DuBois is chosen)."""
    try:
        chosen = BsaFormula(formula)
    except ValueError:
        raise ValueError("Choose Mosteller or DuBois for the body surface area.") from None
    if chosen is BsaFormula.DUBOIS:
        return bsa_dubois(height_cm, weight_kg)
    return bsa_mosteller(height_cm, weight_kg)


@dataclass(frozen=True)
class CappedBsa:
    value_m2: float  # the BSA to dose with
    uncapped_m2: float
    capped: bool
    reason: str


def cap_bsa(bsa_m2: float, cap_m2: float | None, reason: str = "") -> CappedBsa:
    """Apply an optional BSA cap; capping needs a reason.

    ASCO (Griggs, JCO 2012) advises full weight-based dosing, but notes that many oncologists
    cap BSA at, e.g., 2.0 m²; the portal allows a cap only with a stated reason
    (clinical-reference §2.4).
    """
    value = check_positive(bsa_m2, "The body surface area")
    if cap_m2 is None:
        return CappedBsa(value, value, False, "")
    cap = check_positive(cap_m2, "The body surface area cap")
    if value <= cap:
        return CappedBsa(value, value, False, "")
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Say why the body surface area is capped (for example, a drug-specific limit).")
    return CappedBsa(cap, value, True, reason)


# ---------------------------------------------------------------------------------------------
# Body weight descriptors and renal function
# ---------------------------------------------------------------------------------------------


def ideal_body_weight_kg(height_cm: float, female: bool) -> float:
    """Ideal body weight (Devine), kg, unrounded."""
    # Devine 1974: 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch over 5 feet
    # (clinical-reference §2.2). Below 60 inches the formula is extrapolated.
    height_in = check_height_cm(height_cm) / CM_PER_INCH
    base = 45.5 if female else 50.0
    weight = base + 2.3 * (height_in - 60)
    if weight <= 0:
        raise ValueError("The ideal body weight formula does not apply at this height.")
    return weight


def adjusted_body_weight_kg(height_cm: float, weight_kg: float, female: bool) -> float:
    """Adjusted body weight, kg: IBW + 0.4 × (actual − IBW); the actual weight when lower than IBW."""
    # AdjBW = IBW + 0.4 × (TBW − IBW) (clinical-reference §2.2).
    ideal = ideal_body_weight_kg(height_cm, female)
    actual = check_weight_kg(weight_kg)
    if actual <= ideal:
        return actual
    return ideal + 0.4 * (actual - ideal)


class WeightChoice(StrEnum):
    """Which weight goes into Cockcroft-Gault: a plan setting (clinical-reference §2.2)."""

    ACTUAL = "actual"
    IDEAL = "ideal"
    ADJUSTED = "adjusted"
    ADJUSTED_IF_OVER_120_PCT_IBW = "adjusted_if_over_120_pct_ibw"
    LESSER_OF_ACTUAL_AND_IDEAL = "lesser_of_actual_and_ideal"


# Adjusted weight applies "when TBW > 120 % IBW" (clinical-reference §2.2).
OBESITY_THRESHOLD_OF_IBW = 1.2


def dosing_weight_kg(choice: WeightChoice | str, height_cm: float, weight_kg: float, female: bool) -> float:
    """The weight (kg) the plan's setting picks for the creatinine clearance."""
    try:
        chosen = WeightChoice(choice)
    except ValueError:
        raise ValueError("Unknown weight choice for the creatinine clearance.") from None
    actual = check_weight_kg(weight_kg)
    if chosen is WeightChoice.ACTUAL:
        return actual
    ideal = ideal_body_weight_kg(height_cm, female)
    if chosen is WeightChoice.IDEAL:
        return ideal
    if chosen is WeightChoice.LESSER_OF_ACTUAL_AND_IDEAL:
        return min(actual, ideal)
    if chosen is WeightChoice.ADJUSTED_IF_OVER_120_PCT_IBW and actual <= OBESITY_THRESHOLD_OF_IBW * ideal:
        return actual
    return adjusted_body_weight_kg(height_cm, weight_kg, female)


def creatinine_mg_dl_from_umol_l(creatinine_umol_l: float) -> float:
    # µmol/L -> mg/dL: divide by 88.4 (clinical-reference §2.2).
    return check_positive(creatinine_umol_l, "Serum creatinine") / UMOL_L_PER_MG_DL


def crcl_cockcroft_gault(
    age_years: float,
    weight_kg: float,
    serum_creatinine_mg_dl: float,
    female: bool,
    *,
    creatinine_floor_mg_dl: float | None = None,
) -> float:
    """Creatinine clearance in mL/min, unrounded (Cockcroft-Gault, × 0.85 for women).

    `creatinine_floor_mg_dl` (a plan setting) raises a low creatinine to the floor first:
    many centres floor it at 0.7 to 1.0 mg/dL in frail or elderly patients
    (clinical-reference §2.2).
    """
    age = _number(age_years, "Age", "years", *CG_AGE_RANGE)
    weight = check_weight_kg(weight_kg)
    creatinine = check_creatinine_mg_dl(serum_creatinine_mg_dl)
    if creatinine_floor_mg_dl is not None:
        creatinine = max(creatinine, check_positive(creatinine_floor_mg_dl, "The creatinine floor"))
    # Cockcroft & Gault, Nephron 1976: CrCl = (140 − age) × weight / (72 × SCr), × 0.85 if
    # female (clinical-reference §2.2).
    clearance = (140 - age) * weight / (72 * creatinine)
    return clearance * 0.85 if female else clearance


@dataclass(frozen=True)
class RenalSettings:
    """A plan's settings for the creatinine clearance used in carboplatin dosing."""

    weight_choice: WeightChoice = WeightChoice.ACTUAL
    creatinine_floor_mg_dl: float | None = None


DEFAULT_RENAL_SETTINGS = RenalSettings()


def crcl_for_plan(
    age_years: float,
    height_cm: float,
    weight_kg: float,
    serum_creatinine_mg_dl: float,
    female: bool,
    settings: RenalSettings = DEFAULT_RENAL_SETTINGS,
) -> float:
    """Cockcroft-Gault clearance (mL/min) with the plan's weight choice and creatinine floor."""
    weight = dosing_weight_kg(settings.weight_choice, height_cm, weight_kg, female)
    return crcl_cockcroft_gault(
        age_years,
        weight,
        serum_creatinine_mg_dl,
        female,
        creatinine_floor_mg_dl=settings.creatinine_floor_mg_dl,
    )


# ---------------------------------------------------------------------------------------------
# Carboplatin
# ---------------------------------------------------------------------------------------------

# FDA 2010 (IDMS creatinine): cap the GFR at 125 mL/min in the Calvert formula, so the
# largest dose is AUC × 150 mg (clinical-reference §2.3).
CALVERT_GFR_CAP_ML_MIN = 125.0


def carboplatin_calvert_mg(auc: float, gfr_ml_min: float) -> float:
    """Total carboplatin dose in mg (not mg/m²), unrounded, with the GFR capped at 125 mL/min."""
    target = _number(auc, "The target AUC", "mg/mL·min", *AUC_RANGE)
    gfr = min(check_positive(gfr_ml_min, "The GFR"), CALVERT_GFR_CAP_ML_MIN)
    # Calvert, JCO 1989: dose (mg) = AUC × (GFR + 25) (clinical-reference §2.3).
    return target * (gfr + 25)


# ---------------------------------------------------------------------------------------------
# Dose by basis, deviation
# ---------------------------------------------------------------------------------------------


class DoseBasis(StrEnum):
    MG_PER_M2 = "mg/m2"
    MG_PER_KG = "mg/kg"
    AUC = "auc"  # carboplatin: the amount is the target AUC
    FLAT = "mg"  # a fixed dose in mg


DOSE_BASIS_LABELS: dict[str, str] = {
    DoseBasis.MG_PER_M2: "mg per m² of body surface area",
    DoseBasis.MG_PER_KG: "mg per kg of body weight",
    DoseBasis.AUC: "target AUC (carboplatin, Calvert formula)",
    DoseBasis.FLAT: "fixed dose in mg",
}


def dose_for(
    basis: DoseBasis | str,
    amount: float,
    *,
    bsa: float | None = None,
    weight_kg: float | None = None,
    auc: float | None = None,
    gfr: float | None = None,
    max_dose_mg: float | None = None,
) -> float:
    """The dose in mg for one administration, unrounded.

    mg/m² needs `bsa`; mg/kg needs `weight_kg` (actual weight: ASCO 2012 full weight-based
    dosing, clinical-reference §2.4); AUC needs `gfr`, and the target AUC is `amount` (or `auc`
    when given); a flat dose is `amount`. `max_dose_mg` caps a drug with a ceiling (for
    example vincristine, at most 2 mg: clinical-reference §2.4).
    """
    try:
        chosen = DoseBasis(basis)
    except ValueError:
        raise ValueError("Choose a dose basis: mg/m², mg/kg, AUC or a fixed dose in mg.") from None
    if chosen is DoseBasis.AUC:
        target = amount if auc is None else auc
        if auc is not None and amount is not None and not math.isclose(float(amount), float(auc)):
            raise ValueError("Give the target AUC once: the amount and the AUC differ.")
        if gfr is None:
            raise ValueError("A carboplatin dose by AUC needs the creatinine clearance (GFR).")
        dose = carboplatin_calvert_mg(target, gfr)
    else:
        value = check_positive(amount, "The dose amount")
        if chosen is DoseBasis.FLAT:
            dose = value
        elif chosen is DoseBasis.MG_PER_M2:
            if bsa is None:
                raise ValueError("A dose in mg/m² needs the body surface area.")
            dose = value * check_positive(bsa, "The body surface area")
        else:
            if weight_kg is None:
                raise ValueError("A dose in mg/kg needs the body weight.")
            dose = value * check_weight_kg(weight_kg)
    if max_dose_mg is not None:
        dose = min(dose, check_positive(max_dose_mg, "The maximum dose"))
    return dose


# HOPA position statement (Fahrenbruch, JOP 2018, endorsed by NCCN): a dose within ±10 % of the
# calculated dose is acceptable; beyond that the prescriber must give a reason
# (clinical-reference §2.4). Exactly 10 % counts as within.
DOSE_DEVIATION_LIMIT = 0.10
# Float noise allowance so that e.g. 110 mg against 100 mg is exactly "10 %", not 10.000000001 %.
_FLOAT_TOLERANCE = 1e-9


def dose_deviation(requested_mg: float, calculated_mg: float) -> float:
    """|requested − calculated| / calculated, as a fraction (0.12 = 12 %)."""
    calculated = check_positive(calculated_mg, "The calculated dose")
    if isinstance(requested_mg, bool) or not isinstance(requested_mg, (int, float)):
        raise ValueError("The requested dose must be a number.")
    if not math.isfinite(requested_mg):
        raise ValueError("The requested dose must be a number.")
    if requested_mg < 0:
        raise ValueError("The requested dose cannot be negative.")
    return abs(float(requested_mg) - calculated) / calculated


def deviation_needs_reason(requested: float, calculated: float) -> bool:
    """True when the requested dose differs from the calculated one by more than 10 %."""
    return dose_deviation(requested, calculated) > DOSE_DEVIATION_LIMIT + _FLOAT_TOLERANCE


# ---------------------------------------------------------------------------------------------
# Cycles and days of administration
# ---------------------------------------------------------------------------------------------

# One item: "D1", "Day 8", "8", or a range "D1-D14", "D1–14", "days 1 to 14" (hyphen, en or em dash).
_DAY_ITEM = re.compile(
    r"^(?:d(?:ays?)?\.?\s*)?(?P<first>[+-]?\d+)"
    r"(?:\s*(?:-|–|—|to)\s*(?:d(?:ays?)?\.?\s*)?(?P<last>[+-]?\d+))?$",
    re.IGNORECASE,
)
MAX_DAYS_TEXT = 200
DAY_ZERO_MESSAGE = "Days are counted from D1, the first day of the cycle; day 0 or below is not allowed."


def check_cycle_length(cycle_length_days: int) -> int:
    if isinstance(cycle_length_days, bool) or not isinstance(cycle_length_days, int):
        raise ValueError("The cycle length must be a whole number of days.")
    low, high = CYCLE_LENGTH_RANGE
    if not low <= cycle_length_days <= high:
        raise ValueError(f"The cycle length must be between {low} and {high} days.")
    return cycle_length_days


def parse_days_of_administration(text: str, cycle_length_days: int) -> tuple[int, ...]:
    """The days of a cycle on which a drug is given, sorted, without repeats.

    Accepts "D1", "D1-D14", "D1–D14", "D1, D8, D15", "D1,8,15", "days 1 to 14" and mixtures
    ("D1-D3, D8"). Raises ValueError for empty or unreadable text, day 0 or negative days,
    reversed ranges and days after the end of the cycle.
    """
    length = check_cycle_length(cycle_length_days)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Enter the days of administration, for example D1 or D1-D14 or D1, D8, D15.")
    if len(text) > MAX_DAYS_TEXT:
        raise ValueError("The days of administration are too long to read; list the days, e.g. D1, D8, D15.")
    days: set[int] = set()
    for item in re.split(r"[,;]", text):
        days.update(_parse_day_item(item.strip(), length))
    return tuple(sorted(days))


def _parse_day_item(item: str, cycle_length: int) -> range:
    if not item:
        raise ValueError("There is an empty entry between commas in the days of administration.")
    match = _DAY_ITEM.match(item)
    if match is None:
        raise ValueError(f'"{item}" is not a day; write days like D1, D1-D14 or D1, D8, D15.')
    first = int(match["first"])
    last = int(match["last"]) if match["last"] is not None else first
    if first < 1 or last < 1:
        raise ValueError(DAY_ZERO_MESSAGE)
    if last < first:
        raise ValueError(f'"{item}" runs backwards; write the earlier day first.')
    if last > cycle_length:
        raise ValueError(f"Day {last} is after the end of a {cycle_length}-day cycle.")
    return range(first, last + 1)


def check_cycle_range(cycle_from: int, cycle_to: int) -> None:
    for value, what in ((cycle_from, "The first cycle"), (cycle_to, "The last cycle")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{what} must be a whole number.")
        if not 1 <= value <= MAX_CYCLE_NUMBER:
            raise ValueError(f"{what} must be between 1 and {MAX_CYCLE_NUMBER}.")
    if cycle_to < cycle_from:
        raise ValueError("The last cycle cannot come before the first cycle.")


def _checked_days(days: tuple[int, ...] | list[int], cycle_length: int) -> tuple[int, ...]:
    if not days:
        raise ValueError("Give at least one day of administration.")
    checked = sorted(set(days))
    if any(isinstance(day, bool) or not isinstance(day, int) for day in checked):
        raise ValueError("Days of administration must be whole numbers.")
    if checked[0] < 1:
        raise ValueError(DAY_ZERO_MESSAGE)
    if checked[-1] > cycle_length:
        raise ValueError(f"Day {checked[-1]} is after the end of a {cycle_length}-day cycle.")
    return tuple(checked)


def administration_dates(
    first_cycle_start: date,
    cycle_from: int,
    cycle_to: int,
    cycle_length_days: int,
    days: tuple[int, ...] | list[int],
) -> list[date]:
    """The calendar dates of every administration in cycles `cycle_from`..`cycle_to`.

    `first_cycle_start` is the date of day 1 of cycle `cycle_from` (the first requested cycle);
    each later cycle starts `cycle_length_days` after the one before.
    """
    if not isinstance(first_cycle_start, date):
        raise ValueError("Enter the date the first requested cycle starts.")
    length = check_cycle_length(cycle_length_days)
    check_cycle_range(cycle_from, cycle_to)
    checked = _checked_days(days, length)
    dates: list[date] = []
    for offset in range(cycle_to - cycle_from + 1):
        cycle_start = first_cycle_start + timedelta(days=offset * length)
        dates.extend(cycle_start + timedelta(days=day - 1) for day in checked)
    return dates


def number_of_cycles(cycle_from: int, cycle_to: int) -> int:
    check_cycle_range(cycle_from, cycle_to)
    return cycle_to - cycle_from + 1


def dose_count(
    cycle_from: int, cycle_to: int, days: tuple[int, ...] | list[int], doses_per_day: int = 1
) -> int:
    """How many doses the cycle range holds (twice-daily oral drugs: `doses_per_day=2`)."""
    if isinstance(doses_per_day, bool) or not isinstance(doses_per_day, int) or not 1 <= doses_per_day <= 6:
        raise ValueError("Doses per day must be a whole number from 1 to 6.")
    if not days:
        raise ValueError("Give at least one day of administration.")
    return number_of_cycles(cycle_from, cycle_to) * len(set(days)) * doses_per_day


def billing_units_per_dose(dose: float, unit_size: float) -> int:
    """HCPCS billing units for one administration: ceil(dose / unit size), at least 1."""
    amount = check_positive(dose, "The dose")
    size = check_positive(unit_size, "The billing unit size")
    # CMS rule (clinical-reference §2.4): round up to the next whole unit; a dose smaller than
    # one unit bills 1. The tolerance keeps 140 mg / 10 mg at 14 units despite float noise.
    return max(1, math.ceil(amount / size - _FLOAT_TOLERANCE))


def total_billing_units(dose: float, unit_size: float, number_of_doses: int) -> int:
    """Billing units for `number_of_doses` administrations of the same dose (units per dose × doses)."""
    if isinstance(number_of_doses, bool) or not isinstance(number_of_doses, int) or number_of_doses < 0:
        raise ValueError("The number of doses must be a whole number, zero or more.")
    return billing_units_per_dose(dose, unit_size) * number_of_doses


# ---------------------------------------------------------------------------------------------
# Display rounding (never feed these back into a calculation)
# ---------------------------------------------------------------------------------------------


def round_half_up(value: float, places: int) -> float:
    """Round half away from zero on the decimal text of the value (2.345 -> 2.35 at 2 places)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def display_bsa(bsa_m2: float) -> float:
    """BSA for display: 2 decimals (m²), as in clinical-reference §2.1's worked examples."""
    return round_half_up(bsa_m2, 2)


def display_crcl(crcl_ml_min: float) -> float:
    """Creatinine clearance for display: 1 decimal (mL/min), as in clinical-reference §2.2."""
    return round_half_up(crcl_ml_min, 1)


def display_dose_mg(dose_mg: float) -> float:
    """Dose for display: 1 decimal below 10 mg (e.g. vincristine 2.0 mg), whole mg from 10 mg."""
    return round_half_up(dose_mg, 1 if abs(dose_mg) < 10 else 0)
