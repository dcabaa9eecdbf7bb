"""Dosing math: BSA, renal function, carboplatin, dose basis, 10 % rule, days, dates, billing units.

Expected values and their sources (shared/domain/clinical-reference.md):
* BSA worked examples, §2.1 (computed from Mosteller 1987 and DuBois & DuBois 1916):
  180 cm / 80 kg -> Mosteller 2.00, DuBois 1.996; 170 / 70 -> 1.818 / 1.810; 165 / 120 -> 2.345 / 2.227;
* Cockcroft-Gault worked example, §2.2: female, 60 y, 70 kg, SCr 0.9 -> 73.5 mL/min;
* Calvert worked examples, §2.3: AUC 5, GFR 90 -> 575 mg; AUC 5, GFR 140 -> capped at 125 -> 750 mg
  (825 uncapped); the female above at AUC 5 -> 492 mg; the cap gives AUC 4/5/6 -> 600/750/900 mg;
* billing units, §2.4 (AAPC quoting CMS Transmittal 2193): trastuzumab J9355, 10 mg units,
  140 mg -> 14 units;
* Devine IBW, §2.2: 50 kg (men) / 45.5 kg (women) + 2.3 kg per inch over 60 inches.
"""

from datetime import date

import pytest

from portal_app.domain import dosing
from portal_app.domain.dosing import (
    DoseBasis,
    RenalSettings,
    WeightChoice,
    administration_dates,
    billing_units_per_dose,
    bsa_dubois,
    bsa_mosteller,
    carboplatin_calvert_mg,
    crcl_cockcroft_gault,
    deviation_needs_reason,
    dose_count,
    dose_for,
    parse_days_of_administration,
    total_billing_units,
)

# --- body surface area ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("height", "weight", "mosteller", "dubois"),
    [
        (180, 80, 2.00, 1.996),  # clinical-reference §2.1 worked example
        (170, 70, 1.818, 1.810),  # clinical-reference §2.1 worked example
        (165, 120, 2.345, 2.227),  # clinical-reference §2.1 worked example (obesity)
    ],
)
def test_bsa_worked_examples(height, weight, mosteller, dubois):
    assert bsa_mosteller(height, weight) == pytest.approx(mosteller, abs=0.0015)
    assert bsa_dubois(height, weight) == pytest.approx(dubois, abs=0.0015)


def test_bsa_is_unrounded_and_display_rounds_half_up():
    value = bsa_mosteller(170, 70)
    assert value != round(value, 2)  # the calculation is not rounded
    assert dosing.display_bsa(value) == 1.82
    assert dosing.round_half_up(2.345, 2) == 2.35  # round() would give 2.34 or 2.35 by float luck
    assert dosing.display_crcl(73.4568) == 73.5
    assert dosing.display_dose_mg(492.28) == 492
    assert dosing.display_dose_mg(2.52) == 2.5


def test_bsa_formula_choice():
    assert dosing.bsa(180, 80) == bsa_mosteller(180, 80)
    assert dosing.bsa(180, 80, "dubois") == bsa_dubois(180, 80)
    with pytest.raises(ValueError, match="Mosteller or DuBois"):
        dosing.bsa(180, 80, "haycock")


@pytest.mark.parametrize(
    ("height", "weight", "message"),
    [
        (0, 70, "Height must be more than zero"),
        (-170, 70, "Height must be more than zero"),
        (170, 0, "Weight must be more than zero"),
        (1700, 70, "Height must be between 40 and 250 cm"),  # typed in mm
        (170, 7000, "Weight must be between 1 and 350 kg"),  # typed in g
        (float("nan"), 70, "Height must be a number"),
        ("170", 70, "Height must be a number"),
        (True, 70, "Height must be a number"),
    ],
)
def test_bsa_rejects_bad_input(height, weight, message):
    with pytest.raises(ValueError, match=message):
        bsa_mosteller(height, weight)
    with pytest.raises(ValueError, match=message):
        bsa_dubois(height, weight)


def test_bsa_cap_needs_a_reason():
    uncapped = dosing.cap_bsa(2.3, None)
    assert (uncapped.value_m2, uncapped.capped) == (2.3, False)
    below = dosing.cap_bsa(1.8, 2.0)
    assert (below.value_m2, below.capped) == (1.8, False)
    capped = dosing.cap_bsa(2.3, 2.0, "Vincristine-containing regimen, institutional cap")
    assert (capped.value_m2, capped.uncapped_m2, capped.capped) == (2.0, 2.3, True)
    with pytest.raises(ValueError, match="Say why"):
        dosing.cap_bsa(2.3, 2.0, "  ")


# --- body weight and creatinine clearance -----------------------------------------------------


def test_ideal_and_adjusted_body_weight():
    # Devine (clinical-reference §2.2): 6 ft = 72 in -> man 50 + 2.3 x 12 = 77.6 kg.
    assert dosing.ideal_body_weight_kg(72 * 2.54, female=False) == pytest.approx(77.6)
    # 5 ft 4 in = 64 in -> woman 45.5 + 2.3 x 4 = 54.7 kg.
    assert dosing.ideal_body_weight_kg(64 * 2.54, female=True) == pytest.approx(54.7)
    # AdjBW = IBW + 0.4 (TBW - IBW): 77.6 + 0.4 x (120 - 77.6) = 94.56 kg.
    assert dosing.adjusted_body_weight_kg(72 * 2.54, 120, female=False) == pytest.approx(94.56)
    assert dosing.adjusted_body_weight_kg(72 * 2.54, 60, female=False) == 60  # below IBW: actual


def test_weight_choice_is_a_setting():
    height, female = 72 * 2.54, False
    assert dosing.dosing_weight_kg(WeightChoice.ACTUAL, height, 120, female) == 120
    assert dosing.dosing_weight_kg("ideal", height, 120, female) == pytest.approx(77.6)
    assert dosing.dosing_weight_kg("lesser_of_actual_and_ideal", height, 60, female) == 60
    assert dosing.dosing_weight_kg("adjusted", height, 120, female) == pytest.approx(94.56)
    # Adjusted only above 120 % of IBW (77.6 x 1.2 = 93.12 kg).
    assert dosing.dosing_weight_kg("adjusted_if_over_120_pct_ibw", height, 90, female) == 90
    assert dosing.dosing_weight_kg("adjusted_if_over_120_pct_ibw", height, 120, female) == pytest.approx(
        94.56
    )
    with pytest.raises(ValueError, match="Unknown weight choice"):
        dosing.dosing_weight_kg("lean", height, 120, female)


def test_crcl_worked_example():
    # clinical-reference §2.2: female, 60 y, 70 kg, SCr 0.9 -> (80 x 70)/(72 x 0.9) x 0.85 = 73.5.
    crcl = crcl_cockcroft_gault(60, 70, 0.9, True)
    assert crcl == pytest.approx(73.46, abs=0.01)
    assert dosing.display_crcl(crcl) == 73.5
    # Same patient, male: no 0.85 factor.
    assert crcl_cockcroft_gault(60, 70, 0.9, False) == pytest.approx(86.42, abs=0.01)


def test_creatinine_floor_and_plan_settings():
    # A floor of 1.0 mg/dL replaces a measured 0.6 (clinical-reference §2.2: floors of 0.7-1.0).
    floored = crcl_cockcroft_gault(80, 60, 0.6, False, creatinine_floor_mg_dl=1.0)
    assert floored == pytest.approx(crcl_cockcroft_gault(80, 60, 1.0, False))
    assert crcl_cockcroft_gault(80, 60, 1.4, False, creatinine_floor_mg_dl=1.0) == pytest.approx(
        crcl_cockcroft_gault(80, 60, 1.4, False)
    )  # above the floor: unchanged
    settings = RenalSettings(weight_choice=WeightChoice.IDEAL, creatinine_floor_mg_dl=0.8)
    assert dosing.crcl_for_plan(60, 72 * 2.54, 120, 0.5, False, settings) == pytest.approx(
        (140 - 60) * 77.6 / (72 * 0.8)
    )


@pytest.mark.parametrize(
    ("age", "weight", "creatinine", "message"),
    [
        (60, 70, 0, "Serum creatinine must be more than zero"),
        (60, 70, -1, "Serum creatinine must be more than zero"),
        (60, 70, 90, "Serum creatinine must be between"),  # µmol/L typed as mg/dL
        (12, 40, 0.5, "Age must be between 18 and 120"),
        (60, -70, 0.9, "Weight must be more than zero"),
    ],
)
def test_crcl_rejects_bad_input(age, weight, creatinine, message):
    with pytest.raises(ValueError, match=message):
        crcl_cockcroft_gault(age, weight, creatinine, True)


def test_creatinine_unit_conversion():
    assert dosing.creatinine_mg_dl_from_umol_l(88.4) == pytest.approx(1.0)


# --- carboplatin ------------------------------------------------------------------------------


def test_calvert_worked_examples():
    assert carboplatin_calvert_mg(5, 90) == pytest.approx(575)  # §2.3: 5 x 115
    assert carboplatin_calvert_mg(5, 140) == pytest.approx(750)  # §2.3: capped at 125 -> 5 x 150
    female_crcl = crcl_cockcroft_gault(60, 70, 0.9, True)
    assert dosing.display_dose_mg(carboplatin_calvert_mg(5, female_crcl)) == 492  # §2.3


@pytest.mark.parametrize(("auc", "maximum"), [(4, 600), (5, 750), (6, 900)])
def test_calvert_cap_gives_the_maximum_dose(auc, maximum):
    # clinical-reference §2.3: with the 125 mL/min cap the largest dose is AUC x 150.
    assert carboplatin_calvert_mg(auc, 125) == pytest.approx(maximum)
    assert carboplatin_calvert_mg(auc, 200) == pytest.approx(maximum)
    assert carboplatin_calvert_mg(auc, 124) < maximum


@pytest.mark.parametrize(("auc", "gfr"), [(0, 90), (5, 0), (5, -10), (50, 90)])
def test_calvert_rejects_bad_input(auc, gfr):
    with pytest.raises(ValueError):
        carboplatin_calvert_mg(auc, gfr)


# --- dose by basis and the 10 % rule ----------------------------------------------------------


def test_dose_for_each_basis():
    assert dose_for(DoseBasis.MG_PER_M2, 75, bsa=1.8) == pytest.approx(135)
    assert dose_for("mg/kg", 6, weight_kg=70) == pytest.approx(420)
    assert dose_for("auc", 5, gfr=90) == pytest.approx(575)
    assert dose_for("auc", None, auc=5, gfr=140) == pytest.approx(750)
    assert dose_for("mg", 200) == 200
    # Vincristine 1.4 mg/m2 with BSA 2.1 = 2.94 mg, capped at 2 mg (clinical-reference §2.4).
    assert dose_for("mg/m2", 1.4, bsa=2.1, max_dose_mg=2) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"basis": "mg/m2", "amount": 75}, "needs the body surface area"),
        ({"basis": "mg/kg", "amount": 6}, "needs the body weight"),
        ({"basis": "auc", "amount": 5}, "needs the creatinine clearance"),
        ({"basis": "auc", "amount": 5, "auc": 6, "gfr": 90}, "Give the target AUC once"),
        ({"basis": "mg", "amount": 0}, "more than zero"),
        ({"basis": "units", "amount": 5}, "Choose a dose basis"),
    ],
)
def test_dose_for_rejects_missing_measures(kwargs, message):
    basis, amount = kwargs.pop("basis"), kwargs.pop("amount")
    with pytest.raises(ValueError, match=message):
        dose_for(basis, amount, **kwargs)


@pytest.mark.parametrize(
    ("requested", "calculated", "needs_reason"),
    [
        (100, 100, False),
        (109, 100, False),
        (110, 100, False),  # exactly 10 %: within (HOPA: within ±10 %)
        (90, 100, False),
        (110.5, 100, True),
        (89, 100, True),
        (0, 100, True),
        (592, 575, False),  # carboplatin rounded up to a vial: 3 %
    ],
)
def test_deviation_needs_reason(requested, calculated, needs_reason):
    assert deviation_needs_reason(requested, calculated) is needs_reason


def test_deviation_rejects_bad_input():
    with pytest.raises(ValueError):
        deviation_needs_reason(100, 0)
    with pytest.raises(ValueError):
        deviation_needs_reason(-5, 100)


# --- days of administration -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("D1", (1,)),
        ("d1", (1,)),
        ("D1-D14", tuple(range(1, 15))),
        ("D1–D14", tuple(range(1, 15))),  # en dash
        ("D1—D14", tuple(range(1, 15))),  # em dash
        ("D1-14", tuple(range(1, 15))),
        ("days 1 to 5", (1, 2, 3, 4, 5)),
        ("D1, D8, D15", (1, 8, 15)),
        ("D1,8,15", (1, 8, 15)),
        ("D15, D1, D8, D8", (1, 8, 15)),  # sorted, repeats dropped
        ("D1-D3, D8", (1, 2, 3, 8)),
        ("D21", (21,)),  # the last day of a 21-day cycle
    ],
)
def test_parse_days(text, days):
    assert parse_days_of_administration(text, 21) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("D22", "Day 22 is after the end of a 21-day cycle"),
        ("D1-D28", "Day 28 is after the end of a 21-day cycle"),
        ("D0", "day 0 or below"),
        ("D-1", "day 0 or below"),
        ("", "Enter the days of administration"),
        ("   ", "Enter the days of administration"),
        ("every day", "is not a day"),
        ("D1, , D8", "empty entry"),
        ("D14-D1", "runs backwards"),
        ("D1.5", "is not a day"),
    ],
)
def test_parse_days_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_days_of_administration(text, 21)


def test_parse_days_rejects_bad_cycle_length():
    with pytest.raises(ValueError, match="cycle length"):
        parse_days_of_administration("D1", 0)
    with pytest.raises(ValueError, match="cycle length"):
        parse_days_of_administration("D1", 400)


# --- administration dates, doses, billing units -----------------------------------------------


def test_administration_dates_for_a_cycle_range():
    # Cycles 1-3 of 21 days, day 1 only, starting Monday 1 June 2026.
    assert administration_dates(date(2026, 6, 1), 1, 3, 21, (1,)) == [
        date(2026, 6, 1),
        date(2026, 6, 22),
        date(2026, 7, 13),
    ]
    # Cycles 7-8 of a 28-day cycle on days 1, 8, 15: the start date is that of cycle 7.
    assert administration_dates(date(2026, 1, 5), 7, 8, 28, (1, 8, 15)) == [
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 2, 2),
        date(2026, 2, 9),
        date(2026, 2, 16),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((3, 1, 21, (1,)), "last cycle cannot come before"),
        ((0, 2, 21, (1,)), "first cycle must be between"),
        ((1, 2, 21, (22,)), "Day 22 is after the end"),
        ((1, 2, 21, ()), "at least one day"),
        ((1, 2, 0, (1,)), "cycle length"),
    ],
)
def test_administration_dates_reject(args, message):
    with pytest.raises(ValueError, match=message):
        administration_dates(date(2026, 6, 1), *args)


def test_dose_count_and_billing_units():
    assert dose_count(1, 6, (1,)) == 6
    assert dose_count(1, 2, tuple(range(1, 15)), doses_per_day=2) == 56  # capecitabine BID D1-14
    # clinical-reference §2.4: trastuzumab J9355 (10 mg units), 140 mg -> 14 units.
    assert billing_units_per_dose(140, 10) == 14
    assert billing_units_per_dose(141, 10) == 15  # always rounded up
    assert billing_units_per_dose(3, 10) == 1  # smaller than a unit: 1
    assert billing_units_per_dose(0.7, 0.1) == 7  # float noise does not add a unit
    assert total_billing_units(140, 10, 6) == 84
    with pytest.raises(ValueError):
        billing_units_per_dose(0, 10)
