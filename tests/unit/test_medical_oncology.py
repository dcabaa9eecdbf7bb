"""The medical oncology program: biomarker questions, pathway regimens, diagnosis rule, determination.

Expected values and their sources:
* biomarkers per cancer type: issue "Programs: medical oncology" (HER2, ER/PR for breast; EGFR,
  ALK, ROS1, PD-L1 TPS for lung; KRAS/NRAS/BRAF, MSI/MMR for colorectal; none where no regimen
  is selected by a biomarker) and clinical-reference §2.5 value sets;
* regimens: CLEOPATRA / TRYPHAENA (THP, TCHP), KEYNOTE-024 (pembrolizumab alone for PD-L1 TPS
  50 % or more, up to 35 cycles), FLAURA (osimertinib for EGFR), ALEX (alectinib for ALK),
  KEYNOTE-177 (pembrolizumab for MSI-high colorectal), clinical-reference §2.5;
* diagnosis rule: program FAQ, shared/seeds/000 (primary/secondary diagnosis table: filgrastim,
  epoetin and Prolia with a non-cancer primary -> not reviewed; with a cancer primary and the
  treatment-related condition as secondary -> reviewed);
* 10 % dose rule: HOPA (Fahrenbruch, JOP 2018), clinical-reference §2.4.
"""

from datetime import date

import pytest
from pydantic import ValidationError

from portal_app.domain import dosing
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS, ProgramRequest
from portal_app.domain.rules import Outcome, evaluate
from portal_app.programs.medical_oncology import domain as onc
from portal_app.reference.icd10 import get_diagnosis

HER2_POSITIVE = {"her2": "positive", "hormone_receptor": "negative"}
LUNG_NO_DRIVER = {"histology": "non_squamous", "egfr": "negative", "alk": "negative", "ros1": "negative"}
COLORECTAL_WILD_TYPE_LEFT = {
    "kras": "wild_type",
    "nras": "wild_type",
    "braf_v600e": "wild_type",
    "msi": "mss",
    "primary_tumor_side": "left",
}


def ids(regimens):
    return [regimen.regimen_id for regimen in regimens]


# --- biomarker questions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cancer_type", "keys"),
    [
        ("breast", ["her2", "hormone_receptor"]),
        ("nsclc", ["histology", "egfr", "alk", "ros1", "pd_l1_tps"]),
        ("colorectal", ["kras", "nras", "braf_v600e", "msi", "primary_tumor_side"]),
        ("prostate", []),
        ("dlbcl", []),
        ("multiple_myeloma", []),
    ],
)
def test_biomarker_questions_per_cancer_type(cancer_type, keys):
    assert [question.key for question in onc.biomarker_questions(cancer_type)] == keys


def test_no_question_about_another_cancers_biomarker():
    asked = {ct: {q.key for q in onc.biomarker_questions(ct)} for ct in onc.CANCER_TYPES}
    assert not asked["breast"] & {"egfr", "alk", "ros1", "pd_l1_tps", "kras", "msi"}
    assert not asked["nsclc"] & {"her2", "hormone_receptor", "kras", "nras", "msi"}
    assert not asked["colorectal"] & {"her2", "egfr", "alk", "pd_l1_tps"}


def test_every_question_asked_selects_some_regimen():
    # The defect to avoid: a question whose answer changes nothing. Each question asked must be
    # part of a regimen's rule for that cancer, and that rule must reject some answer.
    for cancer_type in onc.CANCER_TYPES:
        for question in onc.biomarker_questions(cancer_type):
            assert any(
                regimen.cancer_type == cancer_type
                and question.key in regimen.biomarker_rule
                and regimen.biomarker_rule[question.key] < set(question.values)
                for regimen in onc.all_regimens()
            ), question.key


def test_biomarker_errors_and_irrelevant_answers_dropped():
    assert onc.biomarker_errors("breast", {"her2": "positive"}) == {
        "hormone_receptor": "Answer the question about Estrogen and progesterone receptors (ER/PR)."
    }
    assert "her2" in onc.biomarker_errors("breast", {"her2": "3+", "hormone_receptor": "positive"})
    assert onc.biomarker_errors("prostate", {}) == {}
    details = onc.MedicalOncologyDetails.model_validate(
        _thp_request(biomarkers={**HER2_POSITIVE, "egfr": "positive"})
    )
    assert details.biomarkers == HER2_POSITIVE
    with pytest.raises(ValueError, match="Unknown cancer type"):
        onc.biomarker_questions("melanoma")


# --- the regimen table ------------------------------------------------------------------------


def test_regimen_table_covers_the_six_cancers_with_sources():
    regimens = onc.all_regimens()
    assert len(regimens) >= 20
    assert {regimen.cancer_type for regimen in regimens} == set(onc.CANCER_TYPES)
    for regimen in regimens:
        assert regimen.citation and regimen.source
        assert regimen.cycle_length_days > 0 and regimen.drugs
        for drug in regimen.drugs:
            assert drug.schedule and drug.amount > 0
            assert all(max(part.days) <= regimen.cycle_length_days for part in drug.schedule)
            assert drug.hcpcs or drug.route == "oral"


def test_regimen_details_for_the_pathway_screen():
    tchp = onc.get_regimen("breast_tchp")
    assert tchp.cycles == 6 and tchp.cycle_length_days == 21
    assert [drug.drug for drug in tchp.drugs] == ["docetaxel", "carboplatin", "trastuzumab", "pertuzumab"]
    assert tchp.drug("carboplatin").dose_text == "AUC 6"
    assert tchp.drug("trastuzumab").dose_text == "8 mg/kg in cycle 1, then 6 mg/kg"
    assert "TRYPHAENA" in tchp.citation
    pembro = onc.get_regimen("nsclc_pembrolizumab")
    assert pembro.cycles == 35 and pembro.drug("pembrolizumab").dose_text == "200 mg"  # KEYNOTE-024
    drd = onc.get_regimen("mm_drd")
    daratumumab = drd.drug("daratumumab")
    assert drd.cycles is None  # until progression
    assert (daratumumab.days_in(1), daratumumab.days_in(3), daratumumab.days_in(9)) == (
        (1, 8, 15, 22),
        (1, 15),
        (1,),
    )
    assert onc.get_regimen("dlbcl_r_chop").drug("vincristine").max_dose_mg == 2


# --- pathway regimens -------------------------------------------------------------------------


def test_her2_positive_metastatic_breast_offers_a_thp_type_regimen():
    regimens = onc.pathway_regimens("breast", "metastatic", 1, HER2_POSITIVE)
    assert ids(regimens)[0] == "breast_thp"  # CLEOPATRA
    assert {"docetaxel", "trastuzumab", "pertuzumab"} <= {drug.drug for drug in regimens[0].drugs}
    assert "breast_tchp" in ids(onc.pathway_regimens("breast", "neoadjuvant", 1, HER2_POSITIVE))
    # Not offered when HER2 is not positive.
    her2_zero = {"her2": "zero", "hormone_receptor": "positive"}
    assert "breast_thp" not in ids(onc.pathway_regimens("breast", "metastatic", 1, her2_zero))
    assert ids(onc.pathway_regimens("breast", "metastatic", 1, her2_zero)) == ["breast_palbociclib_letrozole"]
    # Second line: trastuzumab deruxtecan.
    assert ids(onc.pathway_regimens("breast", "metastatic", 2, HER2_POSITIVE)) == [
        "breast_tdxd_her2_positive"
    ]


def test_lung_pd_l1_50_or_more_offers_pembrolizumab_alone_first():
    regimens = ids(
        onc.pathway_regimens("nsclc", "metastatic", 1, {**LUNG_NO_DRIVER, "pd_l1_tps": "50_or_more"})
    )
    assert regimens[0] == "nsclc_pembrolizumab"
    assert "nsclc_carbo_pem_pembro" in regimens


@pytest.mark.parametrize("tps", ["1_to_49", "below_1", "not_tested"])
def test_lung_pd_l1_below_50_does_not_offer_pembrolizumab_alone(tps):
    regimens = ids(onc.pathway_regimens("nsclc", "metastatic", 1, {**LUNG_NO_DRIVER, "pd_l1_tps": tps}))
    assert "nsclc_pembrolizumab" not in regimens
    assert regimens == ["nsclc_carbo_pem_pembro"]


def test_lung_drivers_select_targeted_therapy():
    egfr = {**LUNG_NO_DRIVER, "egfr": "positive", "pd_l1_tps": "50_or_more"}
    regimens = ids(onc.pathway_regimens("nsclc", "metastatic", 1, egfr))
    assert regimens == ["nsclc_osimertinib"]  # FLAURA; no immunotherapy with a driver
    alk = {**LUNG_NO_DRIVER, "alk": "positive", "pd_l1_tps": "below_1"}
    assert ids(onc.pathway_regimens("nsclc", "metastatic", 1, alk)) == ["nsclc_alectinib"]
    ros1 = {**LUNG_NO_DRIVER, "ros1": "positive", "pd_l1_tps": "below_1"}
    assert ids(onc.pathway_regimens("nsclc", "metastatic", 1, ros1)) == ["nsclc_crizotinib_ros1"]
    # Untested EGFR: no pembrolizumab alone (drivers must be known negative).
    untested = {**LUNG_NO_DRIVER, "egfr": "not_tested", "pd_l1_tps": "50_or_more"}
    assert "nsclc_pembrolizumab" not in ids(onc.pathway_regimens("nsclc", "metastatic", 1, untested))
    squamous = {**LUNG_NO_DRIVER, "histology": "squamous", "pd_l1_tps": "1_to_49"}
    assert ids(onc.pathway_regimens("nsclc", "metastatic", 1, squamous)) == ["nsclc_carbo_paclitaxel_pembro"]


def test_colorectal_biomarkers_select_regimens():
    wild_type = ids(onc.pathway_regimens("colorectal", "metastatic", 1, COLORECTAL_WILD_TYPE_LEFT))
    assert wild_type == ["crc_mfolfox6_bevacizumab", "crc_folfiri_bevacizumab", "crc_folfiri_panitumumab"]
    kras = ids(
        onc.pathway_regimens("colorectal", "metastatic", 1, {**COLORECTAL_WILD_TYPE_LEFT, "kras": "mutated"})
    )
    assert "crc_folfiri_panitumumab" not in kras
    right = ids(
        onc.pathway_regimens(
            "colorectal", "metastatic", 1, {**COLORECTAL_WILD_TYPE_LEFT, "primary_tumor_side": "right"}
        )
    )
    assert "crc_folfiri_panitumumab" not in right
    msi = ids(
        onc.pathway_regimens("colorectal", "metastatic", 1, {**COLORECTAL_WILD_TYPE_LEFT, "msi": "msi_high"})
    )
    assert msi == ["crc_pembrolizumab_msi_high"]  # KEYNOTE-177
    assert ids(onc.pathway_regimens("colorectal", "adjuvant", 1, {})) == [
        "crc_mfolfox6_adjuvant",
        "crc_capox_adjuvant",
    ]


def test_cancers_without_biomarkers_still_get_regimens():
    assert ids(onc.pathway_regimens("dlbcl", "newly_diagnosed", 1, {}))[0] == "dlbcl_r_chop"
    assert ids(onc.pathway_regimens("multiple_myeloma", "newly_diagnosed_transplant_ineligible", 1, {})) == [
        "mm_vrd",
        "mm_drd",
    ]
    assert ids(onc.pathway_regimens("prostate", "metastatic_castration_resistant", 2, {})) == [
        "prostate_docetaxel_prednisone",
        "prostate_cabazitaxel",
    ]


def test_pathway_rejects_a_setting_of_another_cancer():
    with pytest.raises(ValueError, match="not offered"):
        onc.pathway_regimens("breast", "newly_diagnosed", 1, HER2_POSITIVE)
    # Adjuvant treatment has no line: any line counts as line 1.
    assert onc.pathway_regimens("colorectal", "adjuvant", 3, {}) == onc.pathway_regimens(
        "colorectal", "adjuvant", 1, {}
    )


# --- the primary/secondary diagnosis rule -----------------------------------------------------

SUPPORTIVE_CASES = [
    # drug, cancer primary, accepted secondary, non-cancer primary (the seed table's "No" rows)
    ("filgrastim", "C50.911", "D70.1", "D70.9"),  # seed: neutropenia, unspecified -> not reviewed
    ("filgrastim", "C50.911", "D70.3", "D70.9"),  # seed: neutropenia related to infection -> reviewed
    ("pegfilgrastim", "C34.12", "D70.1", "D70.9"),
    ("epoetin_alfa", "C18.9", "D64.81", "D50.9"),  # seed: iron deficiency anemia -> not reviewed
    ("darbepoetin_alfa", "C18.9", "D64.81", "D50.9"),
    ("denosumab", "C50.912", "M85.89", "M81.0"),  # seed: Prolia, osteopenia after hormone therapy
    ("denosumab", "C61", "C79.51", "M85.89"),
]


@pytest.mark.parametrize(("drug", "cancer", "secondary", "non_cancer"), SUPPORTIVE_CASES)
def test_supportive_drug_accepted_with_cancer_primary_and_related_secondary(
    drug, cancer, secondary, non_cancer
):
    assert onc.diagnosis_rule_problem(drug, cancer, secondary) is None


@pytest.mark.parametrize(("drug", "cancer", "secondary", "non_cancer"), SUPPORTIVE_CASES)
def test_supportive_drug_stopped_with_non_cancer_primary(drug, cancer, secondary, non_cancer):
    message = onc.diagnosis_rule_problem(drug, non_cancer, "")
    assert message is not None
    assert "does not review" in message and "health plan" in message
    assert non_cancer in message


@pytest.mark.parametrize(("drug", "cancer", "secondary", "non_cancer"), SUPPORTIVE_CASES)
def test_supportive_drug_needs_the_treatment_related_secondary(drug, cancer, secondary, non_cancer):
    assert "Enter the secondary diagnosis" in onc.diagnosis_rule_problem(drug, cancer, "")
    unrelated = onc.diagnosis_rule_problem(drug, cancer, "I10")
    assert unrelated is not None and "is not one of them" in unrelated


def test_swapped_diagnoses_get_a_hint():
    message = onc.diagnosis_rule_problem("filgrastim", "D70.1", "C50.911")
    assert "does not review" in message
    assert "enter the cancer as the primary diagnosis and D70.1 as the secondary" in message


def test_drug_names_from_the_seed_are_understood():
    assert onc.diagnosis_rule_problem("Epoetin", "C18.9", "D64.81") is None
    assert onc.diagnosis_rule_problem("Prolia", "C50.912", "M85.89") is None
    assert onc.is_supportive_drug("Darbepoetin") and not onc.is_supportive_drug("pembrolizumab")


def test_anticancer_drug_needs_only_a_cancer_primary():
    assert onc.diagnosis_rule_problem("pembrolizumab", "C34.12") is None
    assert "does not review" in onc.diagnosis_rule_problem("pembrolizumab", "E11.9")
    assert "not a billable ICD-10-CM code" in onc.diagnosis_rule_problem("pembrolizumab", "C50")
    assert "Enter the primary diagnosis" in onc.diagnosis_rule_problem("pembrolizumab", "")


@pytest.mark.parametrize(
    ("code", "cancer"),
    [
        ("C50.911", True),
        ("C61", True),
        ("C90.00", True),
        ("C83.38", True),
        ("D05.11", True),  # carcinoma in situ
        ("D46.9", True),  # myelodysplastic syndrome (uncertain behavior)
        ("D24.1", False),  # benign breast neoplasm
        ("D3A.010", False),  # benign carcinoid
        ("Z85.3", False),  # history of breast cancer
        ("D70.1", False),
        ("E11.9", False),
        ("C50", False),
        ("", False),
    ],
)
def test_is_cancer_diagnosis(code, cancer):
    assert onc.is_cancer_diagnosis(code) is cancer
    if cancer:
        description = get_diagnosis(code).description.lower()
        assert any(
            word in description for word in ("malignant", "carcinoma", "lymphoma", "myeloma", "syndrome")
        )


# --- request details and dosing ---------------------------------------------------------------

HEIGHT, WEIGHT = 165, 70
BSA = dosing.bsa_mosteller(HEIGHT, WEIGHT)


def _thp_request(**changes):
    data = {
        "cancer_type": "breast",
        "setting": "metastatic",
        "line": 1,
        "intent": "palliative",
        "biomarkers": HER2_POSITIVE,
        "regimen_id": "breast_thp",
        "height_cm": HEIGHT,
        "weight_kg": WEIGHT,
        "cycle_length_days": 21,
        "cycle_from": 1,
        "cycle_to": 6,
        "first_cycle_start": date(2026, 6, 1),
        "drugs": [
            {
                "component": "docetaxel",
                "dose_basis": "mg/m2",
                "amount": 75,
                "requested_dose_mg": round(75 * BSA),
                "days": "D1",
            },
            {
                "component": "trastuzumab",
                "dose_basis": "mg/kg",
                "amount": 6,
                "requested_dose_mg": 420,
                "loading_amount": 8,
                "loading_dose_mg": 560,
                "days": "D1",
            },
            {
                "component": "pertuzumab",
                "dose_basis": "mg",
                "amount": 420,
                "requested_dose_mg": 420,
                "loading_amount": 840,
                "loading_dose_mg": 840,
                "days": "D1",
            },
        ],
    }
    data.update(changes)
    return data


def _details(data, age=55, sex="F"):
    return onc.MedicalOncologyDetails.model_validate(data, context={"member_age": age, "member_sex": sex})


def test_valid_thp_request_and_its_dose_lines():
    details = _details(_thp_request())
    measures = onc.measures_for(details, member_age=55, member_sex="F")
    lines = {line.component: line for line in onc.dose_lines(details, measures)}
    assert lines["docetaxel"].calculated_mg == pytest.approx(75 * BSA)
    assert lines["docetaxel"].number_of_doses == 6
    assert lines["docetaxel"].dates[:2] == (date(2026, 6, 1), date(2026, 6, 22))
    # J9355 trastuzumab, 10 mg units: 560 mg -> 56 units in cycle 1, 420 mg -> 42 units in cycles 2-6.
    assert lines["trastuzumab"].hcpcs == "J9355"
    assert lines["trastuzumab"].total_units == 56 + 5 * 42
    # J9306 pertuzumab, 1 mg units.
    assert lines["pertuzumab"].total_units == 840 + 5 * 420


def test_details_require_a_reason_for_a_dose_more_than_10_percent_off():
    data = _thp_request()
    data["drugs"][0]["requested_dose_mg"] = 100  # 75 mg/m2 x 1.79 = 134 mg; 100 mg is 26 % less
    errors = onc.details_errors(data, member_age=55, member_sex="F")
    assert "more than 10 %" in errors["drugs"]
    data["drugs"][0]["deviation_reason"] = "Dose reduced for grade 3 neuropathy after cycle 1"
    assert onc.details_errors(data, member_age=55, member_sex="F") == {}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"regimen_id": ""}, "off_pathway_name", "name the regimen"),
        (
            {"regimen_id": "", "off_pathway_name": "Docetaxel weekly", "off_pathway_rationale": "frail"},
            "off_pathway_rationale",
            "not on the pathway",
        ),
        ({"regimen_id": "nsclc_osimertinib"}, "regimen_id", "regimens offered"),
        ({"cycle_from": 4, "cycle_to": 2}, "cycle_to", "last cycle cannot come before"),
        ({"cycle_length_days": 0}, "cycle_length_days", "cycle length"),
        ({"height_cm": 0}, "height_cm", "more than zero"),
        ({"weight_kg": 7000}, "weight_kg", "between 1 and 350"),
        ({"setting": "newly_diagnosed"}, "setting", "Choose one of the options"),
        ({"bsa_cap_m2": 1.5}, "bsa_cap_reason", "Say why"),
        ({"drugs": []}, "drugs", "Add the drugs"),
    ],
)
def test_details_errors(changes, field, message):
    errors = onc.details_errors(_thp_request(**changes), member_age=55, member_sex="F")
    assert message in errors[field]


def test_days_beyond_the_cycle_are_refused():
    data = _thp_request()
    data["drugs"][0]["days"] = "D1, D22"
    assert "Day 22 is after the end of a 21-day cycle" in onc.details_errors(data, member_age=55)["drugs"]


def test_carboplatin_needs_creatinine_and_sex():
    data = _tchp_request()
    data.pop("serum_creatinine_mg_dl")
    assert "serum creatinine" in onc.details_errors(data, member_age=50, member_sex="F")["drugs"]
    assert "sex" in onc.details_errors(_tchp_request(), member_age=50, member_sex="U")["drugs"]
    assert onc.details_errors(_tchp_request(), member_age=50, member_sex="F") == {}


# --- determination ----------------------------------------------------------------------------


def _tchp_request(**changes):
    # Female, 50 y, 70 kg, SCr 0.9: CrCl = 90 x 70 / 64.8 x 0.85 = 82.6 -> carboplatin AUC 6 = 646 mg.
    crcl = dosing.crcl_cockcroft_gault(50, WEIGHT, 0.9, True)
    data = _thp_request(
        setting="neoadjuvant",
        intent="curative",
        regimen_id="breast_tchp",
        serum_creatinine_mg_dl=0.9,
    )
    data["drugs"].insert(
        1,
        {
            "component": "carboplatin",
            "dose_basis": "auc",
            "amount": 6,
            "requested_dose_mg": round(dosing.carboplatin_calvert_mg(6, crcl)),
            "days": "D1",
        },
    )
    data.update(changes)
    return data


def results_by_id(results):
    return {result.criterion_id: result.met for result in results}


def test_on_pathway_request_meets_every_criterion():
    details = _details(_thp_request())
    results = onc.determination(details, member_age=55, member_sex="F", primary_diagnosis="C50.912")
    assert onc.criteria_met(results), [r for r in results if r.met is not True]
    assert {"onc_on_pathway", "onc_biomarkers_consistent", "onc_dose_docetaxel"} <= set(
        results_by_id(results)
    )


def test_tchp_with_carboplatin_meets_every_criterion():
    details = _details(_tchp_request(), age=50)
    results = onc.determination(details, member_age=50, member_sex="F", primary_diagnosis="C50.911")
    assert onc.criteria_met(results)


def test_dose_more_than_10_percent_over_is_not_met():
    data = _thp_request()
    data["drugs"][0]["requested_dose_mg"] = round(75 * BSA * 1.15)
    data["drugs"][0]["deviation_reason"] = "Rounded to the vial size"
    results = onc.determination(_details(data), member_age=55, member_sex="F", primary_diagnosis="C50.912")
    assert results_by_id(results)["onc_dose_docetaxel"] is False
    assert not onc.criteria_met(results)
    text = next(r.text for r in results if r.criterion_id == "onc_dose_docetaxel")
    assert "Rounded to the vial size" in text


def test_dose_within_10_percent_is_met():
    data = _thp_request()
    data["drugs"][0]["requested_dose_mg"] = round(75 * BSA * 1.09)
    results = onc.determination(_details(data), member_age=55, member_sex="F", primary_diagnosis="C50.912")
    assert results_by_id(results)["onc_dose_docetaxel"] is True


def test_a_dose_reduced_basis_amount_is_still_a_deviation_from_the_pathway():
    data = _thp_request()
    data["drugs"][0].update(amount=60, requested_dose_mg=round(60 * BSA))  # 60 instead of 75 mg/m2
    details = _details(data)  # no reason needed on screen: the dose matches the amount entered
    results = onc.determination(details, member_age=55, member_sex="F", primary_diagnosis="C50.912")
    assert results_by_id(results)["onc_dose_docetaxel"] is False


def test_off_pathway_is_not_met_with_the_rationale():
    data = _thp_request(
        regimen_id="",
        off_pathway_name="Weekly paclitaxel with trastuzumab",
        off_pathway_rationale="Prior docetaxel hypersensitivity reaction, grade 3.",
    )
    for drug in data["drugs"]:
        drug.pop("loading_amount", None)
    results = onc.determination(_details(data), member_age=55, member_sex="F", primary_diagnosis="C50.912")
    on_pathway = next(r for r in results if r.criterion_id == "onc_on_pathway")
    assert on_pathway.met is False and "docetaxel hypersensitivity" in on_pathway.text


def test_inconsistent_biomarkers_cycles_and_diagnosis_are_not_met():
    her2_zero = _details(_thp_request(biomarkers={"her2": "zero", "hormone_receptor": "positive"}))
    assert (
        results_by_id(
            onc.determination(her2_zero, member_age=55, member_sex="F", primary_diagnosis="C50.912")
        )["onc_biomarkers_consistent"]
        is False
    )
    too_many = _details(_tchp_request(cycle_to=8), age=50)
    results = results_by_id(
        onc.determination(too_many, member_age=50, member_sex="F", primary_diagnosis="C50.911")
    )
    assert results["onc_cycles_within_regimen"] is False
    wrong_dx = onc.determination(
        _details(_thp_request()), member_age=55, member_sex="F", primary_diagnosis="C18.9"
    )
    assert results_by_id(wrong_dx)["onc_diagnosis_matches_cancer_type"] is False
    not_cancer = onc.determination(
        _details(_thp_request()), member_age=55, member_sex="F", primary_diagnosis="D70.9"
    )
    assert results_by_id(not_cancer)["onc_primary_cancer_diagnosis"] is False


def test_missing_drug_or_wrong_days_is_not_met():
    data = _thp_request()
    data["drugs"] = data["drugs"][1:]  # docetaxel left out
    assert (
        results_by_id(
            onc.determination(_details(data), member_age=55, member_sex="F", primary_diagnosis="C50.912")
        )["onc_drugs_and_days_match"]
        is False
    )
    data = _thp_request()
    data["drugs"][0]["days"] = "D1, D8"
    assert (
        results_by_id(
            onc.determination(_details(data), member_age=55, member_sex="F", primary_diagnosis="C50.912")
        )["onc_drugs_and_days_match"]
        is False
    )


def test_supportive_drug_in_the_determination():
    details = _details(
        _thp_request(
            supportive_drugs=["pegfilgrastim"], primary_diagnosis="C50.912", secondary_diagnosis="D70.1"
        )
    )
    met = onc.determination(
        details, member_age=55, member_sex="F", primary_diagnosis="C50.912", secondary_diagnosis="D70.1"
    )
    assert results_by_id(met)["onc_supportive_pegfilgrastim_diagnosis"] is True
    unmet = onc.determination(details, member_age=55, member_sex="F", primary_diagnosis="C50.912")
    assert results_by_id(unmet)["onc_supportive_pegfilgrastim_diagnosis"] is False


# --- the program definition and the rules engine ----------------------------------------------


def _request(details, codes, diagnoses=("C50.912",)):
    return ProgramRequest(
        plan_code="SUM",
        service_date=date(2026, 6, 1),
        member_age=55,
        codes=codes,
        details=details,
        diagnosis_codes=diagnoses,
        member_sex="F",
    )


def test_program_definition_is_registered_with_its_hooks():
    assert onc.PROGRAM.code is Program.MEDICAL_ONCOLOGY
    assert PROGRAMS[Program.MEDICAL_ONCOLOGY] is onc.PROGRAM
    assert onc.PROGRAM.validity_end is onc.approval_end
    assert onc.PROGRAM.no_request_reason is onc.no_request_reason
    assert onc.PROGRAM.details_schema is onc.MedicalOncologyDetails
    codes = {item.code: item for item in onc.PROGRAM.managed_codes("SUM", 2026)}
    assert {"J9271", "J9355", "J9306", "J9171", "J1442", "J2506", "J0885", "J0881", "J0897"} <= set(codes)
    assert codes["J1442"].category == "supportive" and codes["J9271"].category == "anticancer"
    assert onc.PROGRAM.validity_days("SUM") == 180


def test_engine_authorizes_an_on_pathway_request():
    request = _request(_details(_thp_request()), ("J9171", "J9355", "J9306"))
    determination = evaluate(onc.PROGRAM, request)
    assert [line.outcome for line in determination.lines] == [Outcome.AUTHORIZED] * 3


def test_engine_pends_a_dose_deviation_and_an_unknown_code():
    data = _thp_request()
    data["drugs"][1]["requested_dose_mg"] = 600  # trastuzumab 6 mg/kg x 70 kg = 420 mg
    data["drugs"][1]["deviation_reason"] = "Weight from last month"
    determination = evaluate(onc.PROGRAM, _request(_details(data), ("J9171", "J9355", "J9271", "A9999")))
    outcomes = {line.code: line.outcome for line in determination.lines}
    assert outcomes == {
        "J9171": Outcome.AUTHORIZED,
        "J9355": Outcome.PENDED,
        "J9271": Outcome.PENDED,
        "A9999": Outcome.NOT_MANAGED,
    }


def test_engine_on_a_supportive_drug_code():
    details = _details(
        _thp_request(
            supportive_drugs=["filgrastim"], primary_diagnosis="C50.912", secondary_diagnosis="D70.1"
        )
    )
    ok = evaluate(onc.PROGRAM, _request(details, ("J1442",), ("C50.912", "D70.1")))
    assert ok.lines[0].outcome is Outcome.AUTHORIZED
    stopped = evaluate(onc.PROGRAM, _request(details, ("J1442",), ("D70.9",)))
    assert stopped.lines[0].outcome is Outcome.PENDED  # the engine never denies


def test_authorized_through_the_last_requested_cycle():
    # Cycles 1-6 of 21 days from 1 June 2026: 126 days, last day 4 October 2026.
    assert onc.authorized_through(date(2026, 6, 1), 1, 6, 21) == date(2026, 10, 4)


def test_approval_end_covers_the_requested_cycles():
    details = _details(_thp_request())
    assert onc.approval_end("SUM", date(2026, 6, 1), details) == date(2026, 10, 4)
    assert onc.approval_end("SUM", date(2026, 6, 1), None) == date(2026, 11, 27)  # 180 days


# --- the diagnoses on the program's step, the stop, the summary (wizard integration) ----------


def test_a_non_cancer_primary_stops_the_request_with_the_message():
    details = _details(_thp_request(supportive_drugs=["filgrastim"], primary_diagnosis="D70.1"))
    message = onc.no_request_reason(details)
    assert message.startswith("This program does not review Filgrastim with the primary diagnosis D70.1")
    assert "health plan" in message and "as the secondary diagnosis" in message  # D70.1 fits: swap hint
    # Without a supportive drug the treatment itself is named.
    assert "does not review THP" in onc.no_request_reason(_details(_thp_request(primary_diagnosis="D70.9")))


def test_a_supportive_drug_for_a_condition_not_caused_by_the_cancer_stops():
    details = _details(
        _thp_request(
            supportive_drugs=["epoetin_alfa"], primary_diagnosis="C18.9", secondary_diagnosis="D50.9"
        )
    )
    assert "is not one of them" in onc.no_request_reason(details)


def test_cancer_primary_with_a_treatment_related_secondary_goes_on():
    details = _details(
        _thp_request(
            supportive_drugs=["filgrastim"], primary_diagnosis="c50.911", secondary_diagnosis="D70.1"
        )
    )
    assert details.primary_diagnosis == "C50.911"
    assert onc.no_request_reason(details) is None
    assert onc.no_request_reason(_details(_thp_request())) is None  # no diagnosis given on the step


def test_diagnosis_stop_waits_for_readable_codes():
    assert onc.diagnosis_stop("", supportive=["filgrastim"]) is None
    assert onc.diagnosis_stop("C50.9", supportive=["filgrastim"]) is None  # not billable: the form asks again
    assert onc.diagnosis_stop("C50.911", "", ["filgrastim"]) is None  # the secondary is still to come


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"supportive_drugs": ["filgrastim"]}, "primary_diagnosis", "Enter the primary diagnosis"),
        (
            {"supportive_drugs": ["filgrastim"], "primary_diagnosis": "C50.911"},
            "secondary_diagnosis",
            "Enter the secondary diagnosis",
        ),
        ({"primary_diagnosis": "C50.9"}, "primary_diagnosis", "not a billable ICD-10-CM code"),
    ],
)
def test_diagnosis_fields_errors(changes, field, message):
    assert message in onc.details_errors(_thp_request(**changes), member_age=55, member_sex="F")[field]


def test_a_secondary_without_a_supportive_drug_is_not_stored():
    assert (
        _details(_thp_request(primary_diagnosis="C50.911", secondary_diagnosis="D70.1")).secondary_diagnosis
        == ""
    )


def test_a_context_without_the_sex_leaves_carboplatin_to_the_criteria():
    # The services validate stored details with the member's age only: a TCHP request still validates.
    details = onc.MedicalOncologyDetails.model_validate(_tchp_request(), context={"member_age": 50})
    assert details.regimen_id == "breast_tchp"
    # The other drugs keep the 10 % rule.
    data = _tchp_request()
    data["drugs"][0]["requested_dose_mg"] = 100
    with pytest.raises(ValidationError, match="more than 10 %"):
        onc.MedicalOncologyDetails.model_validate(data, context={"member_age": 50})


def test_the_deviation_check_uses_the_pathway_ceiling():
    # R-CHOP vincristine 1.4 mg/m² x 1.79 m² = 2.5 mg, at most 2 mg on the pathway: 2 mg needs no reason.
    data = {
        "cancer_type": "dlbcl",
        "setting": "newly_diagnosed",
        "intent": "curative",
        "regimen_id": "dlbcl_r_chop",
        "height_cm": HEIGHT,
        "weight_kg": WEIGHT,
        "cycle_length_days": 21,
        "cycle_to": 6,
        "drugs": [
            {
                "component": "vincristine",
                "dose_basis": "mg/m2",
                "amount": 1.4,
                "requested_dose_mg": 2,
                "days": "D1",
            }
        ],
    }
    assert onc.details_errors(data, member_age=55, member_sex="F") == {}


def test_summary_lines_give_each_drugs_doses_units_and_dates():
    lines = dict(onc.summary_lines(_details(_thp_request(first_cycle_start=None)), date(2026, 6, 1)))
    assert lines["Regimen"] == "THP: docetaxel, trastuzumab and pertuzumab (on the pathway)"
    assert lines["Cycles requested"] == "Cycles 1 to 6 of 21 days; day 1 of cycle 1 is 2026-06-01"
    assert lines["Trastuzumab"].startswith(
        "560 mg in cycle 1, then 420 mg on D1 of each cycle; 6 doses; "
        "266 billing units of J9355: 2026-06-01, 2026-06-22"
    )
