"""The genetic testing program: reference data, validity, details, and the criteria on worked cases.

Expected values and their sources (each case names its own below):
* hereditary breast and ovarian cancer: NCCN Genetic/Familial High-Risk Assessment: Breast, Ovarian,
  Pancreatic and Prostate, v3.2024, testing criteria (breast cancer at 50 or younger, since v1.2023;
  triple-negative, male breast cancer, ovarian, pancreatic, metastatic prostate cancer, Ashkenazi
  ancestry, close relatives);
* Lynch syndrome: NCCN Genetic/Familial High-Risk Assessment: Colorectal, Endometrial and Gastric,
  v1.2024 (MMR-deficient tumor, colorectal or endometrial cancer before 50, family criteria after
  Amsterdam II, Vasen et al. 1999); MLH1 promoter methylation points to a sporadic tumor;
* DPYD before capecitabine/5-FU: CPIC 2017 update (Amstutz et al. 2018), EMA 2020, FDA label 2024;
  TPMT/NUDT15 before thiopurines: CPIC 2018 update (Relling et al. 2019); CYP2C19 before
  clopidogrel after PCI/ACS: CPIC 2022 update (Lee et al. 2022);
* exome/genome for a child: ACMG 2021 guideline (Manickam et al., Genet Med 2021;23:2029); the
  specialist's evaluation: payer exome policies [K];
* tumor profiling: CMS NCD 90.2 section B.1 (advanced cancer, seeking further treatment);
* cardiomyopathy: 2024 AHA/ACC HCM guideline; FH: Sturm et al., JACC 2018;72:662 and NLA 2011;
* carrier screening: ACMG 2021 (Gregg et al.); cell-free DNA from 10 weeks: ACOG PB 226 (2020);
* germline test once per lifetime: ACOG Committee Opinion 691 (2017) and payer policies [K];
* approvals valid 60 calendar days unless the plan says otherwise: program FAQ (shared/seeds/002).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.identifiers import is_clia_number, is_valid_npi
from portal_app.domain.programs import PROGRAMS, PriorService, ProgramRequest, get_program
from portal_app.domain.rules import Outcome, evaluate
from portal_app.programs.genetic_testing import demo
from portal_app.programs.genetic_testing import domain as gt
from portal_app.programs.genetic_testing import help as gt_help
from portal_app.programs.medical_oncology.domain import CANCER_TYPES

PLAN = "SUM"
SERVICE = date(2026, 9, 14)
PROGRAM = gt.PROGRAM


def details(**answers) -> gt.GeneticTestingDetails:
    base = {
        "category": "hereditary_cancer",
        "test": "hereditary_cancer_panel",
        "had_test_before": "no",
        "counselling": "done",
        "counselled_by": "genetic_counselor",
        "management_changes": ["surgery_choice", "surveillance"],
    }
    return gt.GeneticTestingDetails.model_validate(base | answers)


def request(
    the_details: gt.GeneticTestingDetails,
    *codes: str,
    age: int = 45,
    sex: str = "F",
    prior: tuple[PriorService, ...] = (),
) -> ProgramRequest:
    return ProgramRequest(
        plan_code=PLAN,
        service_date=SERVICE,
        member_age=age,
        codes=codes,
        details=the_details,
        member_sex=sex,
        prior_services=prior,
    )


def decide(the_details: gt.GeneticTestingDetails, code: str, **kwargs):
    [line] = evaluate(PROGRAM, request(the_details, code, **kwargs)).lines
    return line


def breast_cancer_at(age: int | None, *features: str) -> dict:
    return {"cancer_type": "breast", "age_at_diagnosis": age, "features": list(features)}


# --- the worked cases of the issue ------------------------------------------------------------


def test_brca_panel_for_a_woman_with_breast_cancer_at_42_is_approved_at_once():
    # NCCN v3.2024 testing criteria: breast cancer diagnosed at age 50 or younger (HBOC-1).
    answers = details(personal_cancers=[breast_cancer_at(42)])
    for code in ("81432", "81162"):  # the hereditary cancer panel, and BRCA1/2 full analysis
        line = decide(answers if code == "81432" else details(test="brca1_brca2", **_history(answers)), code)
        assert line.outcome is Outcome.AUTHORIZED, line.reason
        assert {result.criterion_id for result in line.results} == {"GERM-1", "UTIL-1", "HBOC-1"}
        assert "NCCN" in line.citation


def _history(answers: gt.GeneticTestingDetails) -> dict:
    return {"personal_cancers": [cancer.model_dump() for cancer in answers.personal_cancers]}


def test_the_same_germline_test_repeated_pends_as_a_repeat():
    # A germline test is done once in a lifetime (ACOG CO 691; payer policies [K]): the answer "yes",
    # or an earlier test of the same genes in the portal's records, pends the line naming GERM-1.
    history = [breast_cancer_at(42)]
    line = decide(details(personal_cancers=history, had_test_before="yes"), "81432")
    assert line.outcome is Outcome.PENDED
    assert "GERM-1" in line.reason
    earlier = (PriorService("81433", SERVICE - timedelta(days=400)),)  # same panel, its other half
    line = decide(details(personal_cancers=history), "81432", prior=earlier)
    assert line.outcome is Outcome.PENDED and "GERM-1" in line.reason
    # An earlier test of other genes (BRCA1/2 only) is no repeat of the panel.
    other = (PriorService("81162", SERVICE - timedelta(days=400)),)
    assert decide(details(personal_cancers=history), "81432", prior=other).outcome is Outcome.AUTHORIZED
    # Not known whether the member had it: a reviewer checks.
    line = decide(details(personal_cancers=history, had_test_before="unknown"), "81432")
    assert line.outcome is Outcome.PENDED and "GERM-1" in line.reason


def test_dpyd_before_capecitabine_is_approved():
    # CPIC DPYD guideline (2017 update) with EMA 2020 / FDA 2024 testing before fluoropyrimidines.
    answers = details(
        category="pharmacogenomics",
        test="dpyd",
        planned_drug="capecitabine",
        management_changes=["drug_dose"],
    )
    line = decide(answers, "81232", age=63)
    assert line.outcome is Outcome.AUTHORIZED, line.reason
    assert "PGX-1" in {result.criterion_id for result in line.results}
    assert "CPIC" in line.citation


def test_exome_for_a_child_with_developmental_delay_without_a_specialists_evaluation_pends():
    # ACMG 2021 (Manickam et al.): the indication is met; the evaluation note is not there (EXG-2).
    answers = details(
        category="exome_genome",
        test="exome",
        child_indications=["developmental_delay"],
        evaluated_by="none",
        management_changes=["diagnosis"],
    )
    line = decide(answers, "81415", age=4)
    assert line.outcome is Outcome.PENDED
    assert "EXG-2" in line.reason
    met = {result.criterion_id: result.met for result in line.results}
    assert met["EXG-1"] is True and met["EXG-2"] is False
    # With a medical geneticist's evaluation the same request is approved at once.
    evaluated = details(**(answers.model_dump() | {"evaluated_by": "medical_geneticist"}))
    assert decide(evaluated, "81415", age=4).outcome is Outcome.AUTHORIZED


def test_lynch_testing_after_an_mmr_deficient_tumor_is_approved():
    # NCCN Colorectal, Endometrial and Gastric v1.2024: tumor with mismatch-repair deficiency (LS-1).
    answers = details(
        test="lynch_syndrome",
        personal_cancers=[
            {"cancer_type": "colorectal", "age_at_diagnosis": 61, "features": ["mmr_deficient"]}
        ],
    )
    line = decide(answers, "81292", age=62, sex="M")
    assert line.outcome is Outcome.AUTHORIZED, line.reason
    assert "LS-1" in {result.criterion_id for result in line.results}


# --- counter-examples that pend ----------------------------------------------------------------


def test_breast_cancer_at_58_without_other_features_pends_naming_the_criteria():
    # Over the NCCN age threshold of 50, no high-risk feature, no family history.
    line = decide(details(personal_cancers=[breast_cancer_at(58)]), "81432")
    assert line.outcome is Outcome.PENDED
    [indication] = [result for result in line.results if result.criterion_id.startswith("HBOC")]
    assert indication.met is False
    assert indication.criterion_id == "HBOC/FAM/LS" and "HBOC" in line.reason
    assert "HBOC-1: Breast cancer diagnosed at age 50 or younger." in indication.text


def test_breast_cancer_without_the_age_at_diagnosis_pends_as_not_determinable():
    line = decide(details(personal_cancers=[breast_cancer_at(None)]), "81432")
    assert line.outcome is Outcome.PENDED
    assert "do not settle" in line.reason


def test_mlh1_methylated_tumor_points_to_a_sporadic_cancer_and_pends():
    cancer = {
        "cancer_type": "colorectal",
        "age_at_diagnosis": 70,
        "features": ["mmr_deficient", "mlh1_methylated"],
    }
    line = decide(details(test="lynch_syndrome", personal_cancers=[cancer]), "81292", age=71, sex="M")
    assert line.outcome is Outcome.PENDED


def test_dpyd_for_a_drug_that_is_no_fluoropyrimidine_pends():
    answers = details(
        category="pharmacogenomics", test="dpyd", planned_drug="other", management_changes=["drug_dose"]
    )
    assert decide(answers, "81232").outcome is Outcome.PENDED


def test_exome_for_an_adult_pends():
    answers = details(
        category="exome_genome",
        test="exome",
        child_indications=["intellectual_disability"],
        evaluated_by="medical_geneticist",
        management_changes=["diagnosis"],
    )
    line = decide(answers, "81415", age=18)
    assert line.outcome is Outcome.PENDED and "EXG-1" in line.reason


def test_a_result_that_changes_nothing_pends():
    # 42 CFR 410.32(a): the result must be used in the member's management.
    line = decide(details(personal_cancers=[breast_cancer_at(42)], management_changes=["none"]), "81432")
    assert line.outcome is Outcome.PENDED and "UTIL-1" in line.reason


def test_a_test_without_published_criteria_always_goes_to_a_reviewer():
    # The drug-metabolism panel (81418) and exome re-analysis have no automatic criterion.
    answers = details(
        category="pharmacogenomics", test="pgx_panel", planned_drug="clopidogrel", drug_indication="pci"
    )
    line = decide(answers, "81418")
    assert line.outcome is Outcome.PENDED and line.results == ()


# --- the other criteria, one worked case each --------------------------------------------------


@pytest.mark.parametrize(
    ("history", "family", "sex", "ashkenazi", "criterion"),
    [
        ([breast_cancer_at(63, "triple_negative")], [], "F", False, "HBOC-2"),
        ([breast_cancer_at(66, "multiple_primary")], [], "F", False, "HBOC-3"),
        ([breast_cancer_at(70)], [], "M", False, "HBOC-4"),
        ([{"cancer_type": "ovarian", "age_at_diagnosis": 67}], [], "F", False, "HBOC-5"),
        ([{"cancer_type": "pancreatic", "age_at_diagnosis": 72}], [], "M", False, "HBOC-6"),
        (
            [{"cancer_type": "prostate", "age_at_diagnosis": 69, "features": ["metastatic"]}],
            [],
            "M",
            False,
            "HBOC-7",
        ),
        ([breast_cancer_at(64)], [], "F", True, "HBOC-8"),
        (
            [breast_cancer_at(62)],
            [{"relative": "aunt", "side": "paternal", "condition": "ovarian", "age_at_diagnosis": 70}],
            "F",
            False,
            "HBOC-9",
        ),
        (
            [breast_cancer_at(60)],
            [
                {"relative": "mother", "condition": "breast", "age_at_diagnosis": 66},
                {"relative": "sister", "condition": "breast", "age_at_diagnosis": 59},
            ],
            "F",
            False,
            "HBOC-10",
        ),
        (
            [],
            [{"relative": "grandmother", "side": "maternal", "condition": "breast", "age_at_diagnosis": 44}],
            "F",
            False,
            "HBOC-11",
        ),
        (
            [],
            [{"relative": "father", "condition": "pancreatic", "age_at_diagnosis": 71}],
            "M",
            False,
            "HBOC-12",
        ),
        (
            [],
            [{"relative": "female_first_cousin", "side": "maternal", "condition": "known_variant_cancer"}],
            "F",
            False,
            "FAM-1",
        ),
    ],
)
def test_hereditary_breast_and_ovarian_criteria(history, family, sex, ashkenazi, criterion):
    answers = details(personal_cancers=history, family_history=family, ashkenazi_ancestry=ashkenazi)
    line = decide(answers, "81432", age=70, sex=sex)
    assert line.outcome is Outcome.AUTHORIZED, line.reason
    assert criterion in {result.criterion_id for result in line.results}


def test_pancreatic_cancer_in_a_grandparent_alone_is_not_enough():
    # NCCN: for pancreatic or metastatic prostate cancer the relative must be first-degree.
    family = [
        {"relative": "grandfather", "side": "paternal", "condition": "pancreatic", "age_at_diagnosis": 60}
    ]
    assert decide(details(family_history=family), "81432").outcome is Outcome.PENDED


def test_lynch_family_criteria_count_one_side_of_the_family():
    lynch = {"test": "lynch_syndrome"}
    two_with_one_young = [
        {"relative": "aunt", "side": "maternal", "condition": "colorectal", "age_at_diagnosis": 47},
        {"relative": "grandmother", "side": "maternal", "condition": "endometrial", "age_at_diagnosis": 62},
    ]
    line = decide(details(**lynch, family_history=two_with_one_young), "81295")
    assert line.outcome is Outcome.AUTHORIZED and "LS-4" in {r.criterion_id for r in line.results}
    split = [two_with_one_young[0], {**two_with_one_young[1], "side": "paternal"}]
    assert decide(details(**lynch, family_history=split), "81295").outcome is Outcome.PENDED
    three = [
        {"relative": "uncle", "side": "paternal", "condition": "colorectal", "age_at_diagnosis": 66},
        {"relative": "grandfather", "side": "paternal", "condition": "colorectal", "age_at_diagnosis": 75},
        {"relative": "brother", "condition": "other_lynch", "age_at_diagnosis": 58},
    ]
    line = decide(details(**lynch, family_history=three), "81295")
    assert line.outcome is Outcome.AUTHORIZED and "LS-5" in {r.criterion_id for r in line.results}
    young_parent = [{"relative": "mother", "condition": "endometrial", "age_at_diagnosis": 44}]
    line = decide(details(**lynch, family_history=young_parent), "81295")
    assert line.outcome is Outcome.AUTHORIZED and "LS-3" in {r.criterion_id for r in line.results}


def test_tumor_profiling_needs_advanced_disease_and_a_treatment_decision():
    # CMS NCD 90.2 B.1.
    advanced = details(
        category="somatic_tumor",
        test="tumor_panel",
        tumor_type="nsclc",
        advanced_disease=True,
        management_changes=["treatment_choice"],
        oncology_order_number="ORD-2026-000123",
    )
    line = decide(advanced, "0037U", age=66)
    assert line.outcome is Outcome.AUTHORIZED and "SOM-1" in {r.criterion_id for r in line.results}
    assert "GERM-1" not in {r.criterion_id for r in line.results}  # somatic: no lifetime limit
    early = details(**(advanced.model_dump() | {"advanced_disease": False}))
    assert decide(early, "0037U", age=66).outcome is Outcome.PENDED
    myeloma = details(
        **(advanced.model_dump() | {"tumor_type": "multiple_myeloma", "advanced_disease": False})
    )
    assert decide(myeloma, "81450", age=66).outcome is Outcome.AUTHORIZED


def test_the_tumor_types_are_the_oncology_programs_plus_other_solid_and_blood_cancers():
    assert (*CANCER_TYPES, "other_solid", "other_hematologic") == gt.TUMOR_TYPES
    tumors = set().union(*(spec.values("tumors") for spec in gt.criterion_specs()))
    assert tumors == set(gt.TUMOR_TYPES)


def test_heart_conditions():
    hcm = details(
        category="hereditary_cardiovascular",
        test="cardiomyopathy_panel",
        cardiac_diagnosis="hcm",
        management_changes=["cascade_testing", "surveillance"],
    )
    assert decide(hcm, "81439").outcome is Outcome.AUTHORIZED
    relative = details(
        **(hcm.model_dump() | {"cardiac_diagnosis": "none"}),
    )
    assert decide(relative, "81439").outcome is Outcome.PENDED
    with_variant = details(
        **(
            relative.model_dump()
            | {"family_history": [{"relative": "brother", "condition": "known_variant_cardiac"}]}
        )
    )
    assert decide(with_variant, "81439").outcome is Outcome.AUTHORIZED
    long_qt = details(**(hcm.model_dump() | {"test": "arrhythmia_panel", "cardiac_diagnosis": "long_qt"}))
    assert decide(long_qt, "81413").outcome is Outcome.AUTHORIZED


@pytest.mark.parametrize(
    ("age", "ldl", "family", "outcome"),
    [
        (40, 200, ["premature_ascvd"], Outcome.AUTHORIZED),  # adult, 190 or more, family history
        (40, 200, [], Outcome.PENDED),  # adult, under 250 without family history
        (40, 260, [], Outcome.AUTHORIZED),  # adult, 250 or more alone
        (12, 170, ["familial_hypercholesterolemia"], Outcome.AUTHORIZED),  # child, 160 or more
        (12, 150, ["familial_hypercholesterolemia"], Outcome.PENDED),
    ],
)
def test_familial_hypercholesterolemia_ldl_thresholds(age, ldl, family, outcome):
    # Sturm et al., JACC 2018;72:662; NLA 2011 (LDL 190 adults, 160 children) [K].
    answers = details(
        category="hereditary_cardiovascular",
        test="fh_genes",
        cardiac_diagnosis="none",
        ldl_mg_dl=ldl,
        family_history=[{"relative": "father", "condition": condition} for condition in family],
        management_changes=["drug_dose", "cascade_testing"],
    )
    assert decide(answers, "81406", age=age).outcome is outcome


@pytest.mark.parametrize(
    ("test", "code", "drug", "indication", "outcome"),
    [
        ("tpmt_nudt15", "81335", "azathioprine", None, Outcome.AUTHORIZED),
        ("tpmt_nudt15", "81306", "mercaptopurine", None, Outcome.AUTHORIZED),
        ("cyp2c19", "81225", "clopidogrel", "pci", Outcome.AUTHORIZED),
        ("cyp2c19", "81225", "clopidogrel", "stroke_tia", Outcome.PENDED),  # CPIC yes, payers [K]
        ("dpyd", "81232", "fluorouracil", None, Outcome.AUTHORIZED),
    ],
)
def test_pharmacogenomic_tests(test, code, drug, indication, outcome):
    answers = details(
        category="pharmacogenomics",
        test=test,
        planned_drug=drug,
        drug_indication=indication,
        management_changes=["drug_dose"],
    )
    assert decide(answers, code).outcome is outcome


def test_carrier_screening_and_prenatal_cell_free_dna():
    carrier = details(
        category="reproductive",
        test="carrier_screening",
        pregnant=False,
        planning_pregnancy=True,
        management_changes=["reproductive_decision"],
    )
    assert decide(carrier, "81443", age=31).outcome is Outcome.AUTHORIZED
    not_planning = details(**(carrier.model_dump() | {"planning_pregnancy": False}))
    assert decide(not_planning, "81443", age=31).outcome is Outcome.PENDED
    cfdna = details(
        **(carrier.model_dump() | {"test": "prenatal_cfdna", "pregnant": True, "weeks_pregnant": 11})
    )
    line = decide(cfdna, "81420", age=31)
    assert line.outcome is Outcome.AUTHORIZED
    assert "GERM-1" not in {r.criterion_id for r in line.results}  # once per pregnancy, not per lifetime
    too_early = details(**(cfdna.model_dump() | {"weeks_pregnant": 8}))
    assert decide(too_early, "81420", age=31).outcome is Outcome.PENDED


# --- the details schema ------------------------------------------------------------------------


def test_questions_of_other_tests_are_cleared_and_the_tests_own_are_required():
    cleared = details(planned_drug="capecitabine", tumor_type="nsclc", weeks_pregnant=12)
    assert cleared.planned_drug is None and cleared.tumor_type == "" and cleared.weeks_pregnant is None
    errors = gt.details_errors({**details().model_dump(), "category": "pharmacogenomics", "test": "dpyd"})
    assert "planned_drug" in errors
    errors = gt.details_errors({**details().model_dump(), "category": "exome_genome", "test": "exome"})
    assert {"child_indications", "evaluated_by"} <= set(errors)


def test_the_test_must_belong_to_the_category():
    errors = gt.details_errors({**details().model_dump(), "test": "dpyd"})
    assert "test" in errors


def test_counselling_names_who_gave_it():
    assert "counselled_by" in gt.details_errors({**details().model_dump(), "counselled_by": None})
    assert details(counselling="not_done", counselled_by="other").counselled_by is None


def test_management_needs_an_answer_and_none_stands_alone():
    assert "management_changes" in gt.details_errors({**details().model_dump(), "management_changes": []})
    both = {**details().model_dump(), "management_changes": ["none", "surveillance"]}
    assert "management_changes" in gt.details_errors(both)


def test_the_pedigree_knows_sides_and_degrees():
    mother = gt.FamilyMember.model_validate({"relative": "mother", "side": "paternal", "condition": "breast"})
    assert mother.side == "maternal" and mother.degree == 1 and mother.sex == "F"
    with pytest.raises(ValidationError, match="mother's or the father's side"):
        gt.FamilyMember.model_validate({"relative": "aunt", "condition": "breast"})
    brother = gt.FamilyMember.model_validate(
        {"relative": "brother", "side": "maternal", "condition": "breast"}
    )
    assert brother.side == "" and brother.sex == "M"
    too_many = [{"relative": "sister", "condition": "breast"}] * (gt.MAX_RELATIVES + 1)
    assert "family_history" in gt.details_errors({**details().model_dump(), "family_history": too_many})


def test_cancer_features_follow_the_cancer():
    with pytest.raises(ValidationError):
        gt.PersonalCancerHistory.model_validate({"cancer_type": "ovarian", "features": ["triple_negative"]})


# --- reference data, registry and validity --------------------------------------------------------


def test_the_program_is_registered_with_its_label():
    assert get_program("genetic_testing") is PROGRAM is PROGRAMS[Program.GENETIC_TESTING]
    assert Program.GENETIC_TESTING.label == "Genetic testing"


def test_codes_per_plan_and_year_with_tests_that_exist():
    for year in (2026, 2027):
        codes = PROGRAM.managed_codes(PLAN, year)
        assert codes and all(item.label and item.source for item in codes)
    assert not PROGRAM.has_code_list("EVG", 2026)  # EVG does not delegate the program
    facts = gt.code_facts()
    assert {fact.test for fact in facts.values()} == set(gt.TESTS)
    assert all(code.isdigit() and code.startswith("81") or code.endswith("U") for code in facts)
    assert [item.code for item in gt.code_choices(PLAN, 2026, test="dpyd")] == ["81232"]
    assert facts["81420"].origin == "prenatal" and facts["0037U"].origin == "somatic"


def test_labels_are_our_own_words_and_every_row_has_a_source():
    frame = reference.table("genetic_tests.csv")
    assert (frame["source"].str.strip() != "").all()
    assert not frame["label"].str.contains("Hereditary breast cancer-related disorders").any()
    criteria = reference.table("genetic_criteria.csv")
    assert (criteria["source"].str.strip() != "").all() and (criteria["citation"].str.strip() != "").all()


def test_every_test_but_the_reviewer_only_ones_has_an_indication():
    with_indication = set().union(
        *(spec.tests for spec in gt.criterion_specs() if spec.set_id == "indication")
    )
    assert set(gt.TESTS) - with_indication == {
        "pgx_panel",
        "prenatal_microdeletion",
        "exome_reanalysis",
        "genome_reanalysis",
    }


def test_validity_is_the_plans_or_60_days():
    assert PROGRAM.validity_days("XYZ") == gt.DEFAULT_VALIDITY_DAYS == 60
    assert PROGRAM.validity_days(PLAN) == int(
        reference.table("genetic_plans.csv").set_index("plan_code").loc[PLAN, "validity_days"]
    )
    start, end = PROGRAM.approval_window("XYZ", SERVICE)
    assert (start, end) == (SERVICE, SERVICE + timedelta(days=59))


def test_demo_labs_have_clia_numbers_and_valid_npis_and_the_demo_plan_delegates():
    labs = gt.demo_labs()
    assert labs and all(is_clia_number(lab["clia_number"]) and is_valid_npi(lab["npi"]) for lab in labs)
    offered = set().union(*(set(lab["tests"].split()) for lab in labs))
    assert offered == set(gt.TESTS)
    assert [plan for plan, _ in demo.DELEGATIONS] == [PLAN]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("05D0987654", True),
        ("99D0000101", True),
        ("5D09876543", False),
        ("05X0987654", False),
        ("05D098765", False),
    ],
)
def test_clia_number_format(value, valid):
    # CMS CLIA certificate numbers: 2-digit state code, the letter D, 7 digits.
    assert is_clia_number(value) is valid


def test_the_help_page_lists_every_genetic_criterion():
    items = gt_help.checklist()
    for spec in gt.criterion_specs():
        [item] = [item for item in items if item.source.split(",")[0] == spec.criterion_id]
        assert item.text == spec.text and item.citation == spec.citation


# --- the link from the medical oncology program ------------------------------------------------


def test_oncology_biomarkers_read_by_a_tumor_gene_test_mention_a_genetic_testing_request():
    # EGFR, KRAS/NRAS, BRAF and MSI come from molecular pathology (81xxx) tests of the tumor
    # (genetic_tests.csv); HER2 and PD-L1 are protein staining, outside this program.
    note = gt.biomarker_test_note("egfr")
    assert note is not None and "genetic testing request" in note and "EGFR mutation" in note
    assert gt.TEST_LABELS["tumor_panel"] in note
    assert gt.biomarker_test_note("her2") is None
    assert gt.biomarker_test_note("pd_l1_tps") is None
    assert {"egfr", "kras", "nras", "braf_v600e", "msi"} <= set(gt.biomarker_tests())
    assert all(set(tests) <= gt.TUMOR_TESTS for tests in gt.biomarker_tests().values())
