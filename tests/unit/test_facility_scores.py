"""The facility quality score: each factor, tiers, expiry on the day, rescore dates and the weights file.

Weights and thresholds come from portal_app/reference/facility_score_items.csv (each row cites its
standard: MIPPA 2008 §135 accreditation, NEMA XR-29, ACR–AAPM physicist surveys, COCIR age rules...).
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from portal_app.domain import facility_scores as fs
from portal_app.domain.facility_scores import (
    SCORED_MODALITIES,
    ScoreItemsError,
    add_months,
    exam_modalities_for,
    overall_score,
    score_modality,
    score_registration,
    scored_modality_for_exam,
)
from portal_app.programs.imaging.domain import MODALITY_LABELS
from portal_app.reference import REFERENCE_DIR

ON = date(2026, 11, 23)

# Everything met for CT on ON: 100 points.
FULL_CT = {
    "modalities": {"offered": ["ct"]},
    "equipment": {
        "ct": {
            "units": "2",
            "year_installed": "2023",
            "slices": "128",
            "xr29": "yes",
            "iterative_reconstruction": "yes",
            "automatic_exposure_control": "yes",
            "dose_records": "yes",
        }
    },
    "staff": {
        "ct": {
            "technologists_credentialed": "yes",
            "physicians_board_certified": "yes",
            "physician_on_site_contrast": "yes",
        }
    },
    "accreditation": {"ct": {"body": "acr", "expires_on": "2027-06-30"}},
    "quality": {
        "qc_log": "yes",
        "dose_registry": "yes",
        "emergency_training": "yes",
        "ct": {"physics_survey_on": "2026-04-15"},
    },
}


def _points(items, modality):
    return {item.item: item for item in items[modality]}


def _with(sections, section, modality, **answers):
    changed = copy.deepcopy(sections)
    target = changed[section] if modality is None else changed[section].setdefault(modality, {})
    target.update(answers)
    return changed


def _factor(score, item):
    return next(f for f in score.factors if f.item == item)


# --- the weights file -------------------------------------------------------------------------


def test_every_modality_adds_up_to_100_and_every_row_cites_a_standard():
    items = fs.score_items()
    assert set(items) == set(SCORED_MODALITIES)
    for modality, rows in items.items():
        assert sum(row.points for row in rows) == 100, modality
        assert all(row.standard and row.source and row.how_to_raise for row in rows)


def test_a_bad_weights_file_is_refused():
    rows = fs.read_items_file(REFERENCE_DIR / fs.ITEMS_FILE)
    heavier = copy.deepcopy(rows)
    heavier[0]["points"] = str(int(heavier[0]["points"]) + 1)
    with pytest.raises(ScoreItemsError, match="add up to"):
        fs.validate_items(heavier)
    unknown = copy.deepcopy(rows) + [{**rows[0], "item": "free_parking"}]
    with pytest.raises(ScoreItemsError, match="no rule"):
        fs.validate_items(unknown)
    unsourced = copy.deepcopy(rows)
    unsourced[3]["source"] = " "
    with pytest.raises(ScoreItemsError, match="needs a value"):
        fs.validate_items(unsourced)
    twice = copy.deepcopy(rows) + [rows[0]]
    with pytest.raises(ScoreItemsError, match="twice"):
        fs.validate_items(twice)


# --- exam modalities --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exam, scored",
    [
        ("ct", "ct"),
        ("cta", "ct"),
        ("cardiac_ct", "ct"),
        ("mri", "mri"),
        ("mra", "mri"),
        ("mrs", "mri"),
        ("fmri", "mri"),
        ("cardiac_mri", "mri"),
        ("mpi", "nuclear"),
        ("muga", "nuclear"),
        ("pet", "pet"),
        ("cardiac_pet", "pet"),
        ("stress_echo", "echo"),
        ("tte", "echo"),
        ("tee", "echo"),
        ("xray", None),
    ],
)
def test_exam_modalities_map_to_scored_modalities(exam, scored):
    assert scored_modality_for_exam(exam) == scored


def test_every_imaging_exam_is_covered_and_the_inverse_agrees():
    assert all(scored_modality_for_exam(exam) for exam in MODALITY_LABELS)
    for scored in SCORED_MODALITIES:
        assert all(scored_modality_for_exam(exam) == scored for exam in exam_modalities_for(scored))
    assert exam_modalities_for("ultrasound") == ()


# --- each factor ------------------------------------------------------------------------------


def test_a_fully_met_ct_registration_scores_100():
    score = score_modality(FULL_CT, "ct", ON)
    assert score.score == 100
    assert all(f.met and f.points_earned == f.points_possible and not f.how_to_raise for f in score.factors)


@pytest.mark.parametrize(
    "section, modality, answers, item",
    [
        ("equipment", "ct", {"xr29": "no"}, "xr29"),
        ("equipment", "ct", {"iterative_reconstruction": "no"}, "iterative_reconstruction"),
        ("equipment", "ct", {"automatic_exposure_control": "no"}, "automatic_exposure_control"),
        ("equipment", "ct", {"dose_records": "no"}, "dose_records"),
        ("staff", "ct", {"technologists_credentialed": "no"}, "technologists"),
        ("staff", "ct", {"physicians_board_certified": "no"}, "physicians"),
        ("staff", "ct", {"physician_on_site_contrast": "no"}, "contrast_physician"),
        ("quality", None, {"qc_log": "no"}, "qc_log"),
        ("quality", None, {"dose_registry": "no"}, "dose_registry"),
        ("quality", None, {"emergency_training": "no"}, "emergency_training"),
        ("accreditation", "ct", {"body": "none", "expires_on": ""}, "accreditation"),
        ("equipment", "ct", {"year_installed": "2010"}, "equipment_age"),
        ("equipment", "ct", {"slices": "8"}, "ct_slices"),
        ("quality", "ct", {"physics_survey_on": "2025-01-10"}, "physics_survey"),
    ],
)
def test_each_ct_factor_lowers_the_score_by_its_weight(section, modality, answers, item):
    weight = _points(fs.score_items(), "ct")[item].points
    score = score_modality(_with(FULL_CT, section, modality, **answers), "ct", ON)
    factor = _factor(score, item)
    assert (factor.met, factor.points_earned, factor.points_possible) == (False, 0, weight)
    assert factor.how_to_raise and factor.standard
    assert score.score == 100 - weight


def test_missing_answers_earn_nothing_and_say_so():
    score = score_modality({"modalities": {"offered": ["ct"]}}, "ct", ON)
    assert score.score == 0
    assert _factor(score, "xr29").explanation == "Not answered in the registration."
    assert _factor(score, "accreditation").explanation == "No accreditation reported."


@pytest.mark.parametrize("year, earned", [(2021, 6), (2020, 3), (2016, 3), (2015, 0)])
def test_equipment_age_tiers_follow_the_cocir_rules(year, earned):
    # COCIR golden rules: 5 years or less / 6-10 years / over 10 years (2026 - 2021 = 5).
    score = score_modality(_with(FULL_CT, "equipment", "ct", year_installed=str(year)), "ct", ON)
    assert _factor(score, "equipment_age").points_earned == earned


@pytest.mark.parametrize("slices, earned", [(64, 4), (63, 2), (16, 2), (15, 0)])
def test_ct_slice_tiers(slices, earned):
    score = score_modality(_with(FULL_CT, "equipment", "ct", slices=str(slices)), "ct", ON)
    assert _factor(score, "ct_slices").points_earned == earned


@pytest.mark.parametrize("tesla, earned", [("3", 10), ("1.5", 10), ("1.2", 5), ("1.0", 5), ("0.7", 0)])
def test_mri_field_strength_tiers(tesla, earned):
    sections = {"modalities": {"offered": ["mri"]}, "equipment": {"mri": {"field_strength": tesla}}}
    assert _factor(score_modality(sections, "mri", ON), "mri_field_strength").points_earned == earned


def test_ultrasound_is_scored_without_physics_or_contrast_items():
    items = {f.item for f in score_modality({}, "ultrasound", ON).factors}
    assert items == {"accreditation", "equipment_age", "technologists", "physicians", "qc_log"}


def test_iac_accreditation_counts_for_echo():
    sections = {"accreditation": {"echo": {"body": "iac", "expires_on": "2027-01-01"}}}
    assert _factor(score_modality(sections, "echo", ON), "accreditation").points_earned == 30


# --- expiry on the day -------------------------------------------------------------------------


def test_accreditation_counts_the_day_before_expiry_and_not_on_the_day():
    sections = _with(FULL_CT, "accreditation", "ct", expires_on="2026-12-01")
    before = score_modality(sections, "ct", date(2026, 11, 30))
    on_the_day = score_modality(sections, "ct", date(2026, 12, 1))
    assert _factor(before, "accreditation").met and before.rescore_on == date(2026, 12, 1)
    assert not _factor(on_the_day, "accreditation").met
    assert _factor(on_the_day, "accreditation").explanation == "ACR accreditation expired on 2026-12-01."
    assert before.score - on_the_day.score == 20


def test_the_physics_survey_counts_for_13_months():
    sections = _with(FULL_CT, "quality", "ct", physics_survey_on="2025-10-31")
    due = date(2026, 11, 30)  # 13 months after 31 October 2025, shortened to the month's last day
    assert add_months(date(2025, 10, 31), 13) == due
    assert _factor(score_modality(sections, "ct", date(2026, 11, 29)), "physics_survey").met
    assert not _factor(score_modality(sections, "ct", due), "physics_survey").met


def test_rescore_on_is_the_earliest_day_the_score_changes():
    sections = _with(FULL_CT, "accreditation", "ct", expires_on="2027-09-01")
    sections = _with(sections, "quality", "ct", physics_survey_on="2026-02-10")  # runs out 2027-03-10
    assert score_modality(sections, "ct", ON).rescore_on == date(2027, 3, 10)
    older = _with(sections, "equipment", "ct", year_installed="2021")  # 6 years old from 2027-01-01
    assert score_modality(older, "ct", ON).rescore_on == date(2027, 1, 1)
    assert score_modality(older, "ct", date(2027, 1, 1)).score == score_modality(older, "ct", ON).score - 3


def test_nothing_left_to_change_means_no_rescore_day():
    sections = {"equipment": {"ct": {"year_installed": "2001"}}}
    assert score_modality(sections, "ct", ON).rescore_on is None


# --- the registration -------------------------------------------------------------------------


def test_a_registration_scores_each_offered_modality_and_the_mean_is_rounded():
    sections = {**copy.deepcopy(FULL_CT), "modalities": {"offered": ["ultrasound", "ct"]}}
    scores = score_registration(sections, ON)
    assert list(scores) == ["ct", "ultrasound"]
    assert scores["ct"].score == 100 and scores["ultrasound"].score == 10  # only the QC log is answered
    assert overall_score(scores) == 55
    assert overall_score({}) is None


def test_an_unknown_modality_is_refused():
    with pytest.raises(ValueError):
        score_modality(FULL_CT, "xray", ON)
