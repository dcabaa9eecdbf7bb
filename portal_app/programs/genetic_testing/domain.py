"""The genetic testing program: request details, managed codes, validity and criteria.

Scope (issue 19; the seeds name genetic testing among the benefits manager's programs): hereditary
cancer syndromes (BRCA1/2, Lynch syndrome, multi-gene panels), somatic tumor profiling (linked to the
medical oncology program's cancer types), inherited heart conditions (cardiomyopathy, arrhythmia,
familial hypercholesterolemia), pharmacogenomics (DPYD, TPMT/NUDT15, CYP2C19), reproductive carrier
screening and prenatal cell-free DNA screening, and exome or genome sequencing for a child.

The wizard asks the test category, then the test; whether the member had this germline test before;
personal history (cancers with age at diagnosis); a short family pedigree; pre-test genetic
counselling; how the result changes management; and per category the tumor, the planned drug, the
pregnancy, the heart diagnosis or the child's indication.

Decisions: every criterion set that applies to a line's test must be met (rows of one set are
alternatives), so a line is approved at once when a published criterion is met, and pends naming
the criterion otherwise; a germline test the member already had pends as a repeat. Never a denial.

Reference data (each row with its source) in the package's `reference/`: `genetic_tests.csv` (codes per
plan and year with their test, origin and repeat group; our own labels; CPT is a registered trademark
of the American Medical Association), `genetic_criteria.csv` (criteria, parameters, citations) and
`genetic_plans.csv` (validity per plan); `genetic_biomarkers.csv` links the oncology program's biomarker
questions to the tumor tests that answer them (`biomarker_test_note`). `genetic_demo_labs.csv` and
`genetic_demo_plans.csv` hold the demo laboratories (with CLIA numbers) and the demo plan's
delegation for the seed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.identifiers import is_clia_number
from portal_app.domain.program_answers import choice, choices, text, whole_number
from portal_app.domain.program_types import ManagedCode, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult
from portal_app.domain.validation import plain_errors
from portal_app.programs.medical_oncology.domain import BIOMARKER_QUESTIONS, CANCER_TYPE_LABELS, CANCER_TYPES

# ---------------------------------------------------------------------------------------------
# Choices and their labels (the wizard shows the labels; the database stores the values)
# ---------------------------------------------------------------------------------------------

Category = Literal[
    "hereditary_cancer",
    "somatic_tumor",
    "hereditary_cardiovascular",
    "pharmacogenomics",
    "reproductive",
    "exome_genome",
]
CATEGORIES: tuple[str, ...] = get_args(Category)
CATEGORY_LABELS: dict[str, str] = {
    "hereditary_cancer": "Inherited cancer risk (BRCA1/2, Lynch syndrome, hereditary cancer panels)",
    "somatic_tumor": "Tumor profiling (the genes of the cancer itself)",
    "hereditary_cardiovascular": "Inherited heart conditions (cardiomyopathy, heart rhythm, cholesterol)",
    "pharmacogenomics": "Drug-response genes (pharmacogenomics)",
    "reproductive": "Carrier screening and prenatal cell-free DNA screening",
    "exome_genome": "Exome or genome sequencing for a child",
}

Test = Literal[
    "brca1_brca2",
    "brca_founder",
    "familial_variant",
    "hereditary_cancer_panel",
    "lynch_syndrome",
    "hereditary_colon_panel",
    "tumor_panel",
    "tumor_single_gene",
    "cardiomyopathy_panel",
    "arrhythmia_panel",
    "fh_genes",
    "dpyd",
    "tpmt_nudt15",
    "cyp2c19",
    "pgx_panel",
    "carrier_screening",
    "prenatal_cfdna",
    "prenatal_microdeletion",
    "exome",
    "exome_reanalysis",
    "genome",
    "genome_reanalysis",
]
TESTS: tuple[str, ...] = get_args(Test)
TEST_LABELS: dict[str, str] = {
    "brca1_brca2": "BRCA1 and BRCA2 genes",
    "brca_founder": "BRCA1 and BRCA2 Ashkenazi Jewish founder variants",
    "familial_variant": "A variant already found in a relative (single-site test)",
    "hereditary_cancer_panel": "Hereditary breast, ovarian and related cancers panel",
    "lynch_syndrome": "Lynch syndrome genes (MLH1, MSH2, MSH6, PMS2)",
    "hereditary_colon_panel": "Hereditary colon cancer panel",
    "tumor_panel": "Tumor gene panel (tissue or blood)",
    "tumor_single_gene": "A single tumor gene or marker (e.g. EGFR, KRAS, BRAF, MSI)",
    "cardiomyopathy_panel": "Inherited cardiomyopathy panel",
    "arrhythmia_panel": "Inherited heart-rhythm disorder panel",
    "fh_genes": "Familial hypercholesterolemia genes (LDLR, APOB)",
    "dpyd": "DPYD (before capecitabine or fluorouracil)",
    "tpmt_nudt15": "TPMT and NUDT15 (before a thiopurine)",
    "cyp2c19": "CYP2C19 (before clopidogrel)",
    "pgx_panel": "Drug-response gene panel",
    "carrier_screening": "Carrier screening",
    "prenatal_cfdna": "Prenatal cell-free DNA screening for trisomies",
    "prenatal_microdeletion": "Prenatal cell-free DNA screening for microdeletions",
    "exome": "Exome sequencing",
    "exome_reanalysis": "Re-analysis of an earlier exome",
    "genome": "Genome sequencing",
    "genome_reanalysis": "Re-analysis of an earlier genome",
}
TESTS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "hereditary_cancer": (
        "brca1_brca2",
        "brca_founder",
        "familial_variant",
        "hereditary_cancer_panel",
        "lynch_syndrome",
        "hereditary_colon_panel",
    ),
    "somatic_tumor": ("tumor_panel", "tumor_single_gene"),
    "hereditary_cardiovascular": ("cardiomyopathy_panel", "arrhythmia_panel", "fh_genes"),
    "pharmacogenomics": ("dpyd", "tpmt_nudt15", "cyp2c19", "pgx_panel"),
    "reproductive": ("carrier_screening", "prenatal_cfdna", "prenatal_microdeletion"),
    "exome_genome": ("exome", "exome_reanalysis", "genome", "genome_reanalysis"),
}
CATEGORY_OF_TEST: dict[str, str] = {test: cat for cat, tests in TESTS_BY_CATEGORY.items() for test in tests}

Origin = Literal["germline", "somatic", "prenatal"]
ORIGINS: tuple[str, ...] = get_args(Origin)

YesNoUnknown = Literal["yes", "no", "unknown"]
YES_NO_UNKNOWN: tuple[str, ...] = get_args(YesNoUnknown)
YES_NO_UNKNOWN_LABELS: dict[str, str] = {"yes": "Yes", "no": "No", "unknown": "Not known"}

# Personal history: the member's own cancers.
PersonalCancer = Literal[
    "breast", "ovarian", "pancreatic", "prostate", "colorectal", "endometrial", "other_lynch", "other"
]
PERSONAL_CANCERS: tuple[str, ...] = get_args(PersonalCancer)
PERSONAL_CANCER_LABELS: dict[str, str] = {
    "breast": "Breast cancer",
    "ovarian": "Ovarian, fallopian tube or primary peritoneal cancer",
    "pancreatic": "Pancreatic cancer (exocrine)",
    "prostate": "Prostate cancer",
    "colorectal": "Colon or rectal cancer",
    "endometrial": "Endometrial (uterine) cancer",
    "other_lynch": "Another Lynch-related cancer (stomach, small bowel, urinary tract, bile duct, brain, "
    "sebaceous skin tumor)",
    "other": "Another cancer",
}
CancerFeature = Literal[
    "triple_negative", "multiple_primary", "metastatic", "high_risk", "mmr_deficient", "mlh1_methylated"
]
CANCER_FEATURES: tuple[str, ...] = get_args(CancerFeature)
CANCER_FEATURE_LABELS: dict[str, str] = {
    "triple_negative": "Triple-negative (estrogen receptor, progesterone receptor and HER2 negative)",
    "multiple_primary": "More than one primary breast cancer",
    "metastatic": "Metastatic",
    "high_risk": "High- or very-high-risk group",
    "mmr_deficient": "Tumor shows mismatch-repair deficiency (MMR protein loss or high MSI)",
    "mlh1_methylated": "MLH1 promoter methylation found in the tumor",
}
_LYNCH_FEATURES = ("metastatic", "mmr_deficient", "mlh1_methylated")
FEATURES_BY_CANCER: dict[str, tuple[str, ...]] = {
    "breast": ("triple_negative", "multiple_primary", "metastatic"),
    "ovarian": ("metastatic",),
    "pancreatic": ("metastatic",),
    "prostate": ("metastatic", "high_risk"),
    "colorectal": _LYNCH_FEATURES,
    "endometrial": _LYNCH_FEATURES,
    "other_lynch": _LYNCH_FEATURES,
    "other": ("metastatic",),
}

# Family history: a short pedigree. Each relation has a degree, a sex and, for parents, a fixed side.
Relation = Literal[
    "mother",
    "father",
    "sister",
    "brother",
    "daughter",
    "son",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
    "half_sister",
    "half_brother",
    "niece",
    "nephew",
    "granddaughter",
    "grandson",
    "female_first_cousin",
    "male_first_cousin",
    "great_grandmother",
    "great_grandfather",
    "great_aunt",
    "great_uncle",
]
RELATIONS: tuple[str, ...] = get_args(Relation)
RELATION_LABELS: dict[str, str] = {
    relation: relation.replace("_", " ").capitalize() for relation in RELATIONS
}


@dataclass(frozen=True)
class RelationFacts:
    degree: int  # 1 = first-degree relative
    sex: str  # "F" or "M"
    side: str  # "maternal"/"paternal" when fixed, "ask" when the wizard asks, "" when not applicable


RELATION_FACTS: dict[str, RelationFacts] = {
    "mother": RelationFacts(1, "F", "maternal"),
    "father": RelationFacts(1, "M", "paternal"),
    "sister": RelationFacts(1, "F", ""),
    "brother": RelationFacts(1, "M", ""),
    "daughter": RelationFacts(1, "F", ""),
    "son": RelationFacts(1, "M", ""),
    "grandmother": RelationFacts(2, "F", "ask"),
    "grandfather": RelationFacts(2, "M", "ask"),
    "aunt": RelationFacts(2, "F", "ask"),
    "uncle": RelationFacts(2, "M", "ask"),
    "half_sister": RelationFacts(2, "F", "ask"),
    "half_brother": RelationFacts(2, "M", "ask"),
    "niece": RelationFacts(2, "F", ""),
    "nephew": RelationFacts(2, "M", ""),
    "granddaughter": RelationFacts(2, "F", ""),
    "grandson": RelationFacts(2, "M", ""),
    "female_first_cousin": RelationFacts(3, "F", "ask"),
    "male_first_cousin": RelationFacts(3, "M", "ask"),
    "great_grandmother": RelationFacts(3, "F", "ask"),
    "great_grandfather": RelationFacts(3, "M", "ask"),
    "great_aunt": RelationFacts(3, "F", "ask"),
    "great_uncle": RelationFacts(3, "M", "ask"),
}
Side = Literal["maternal", "paternal", ""]
SIDES: tuple[str, ...] = get_args(Side)
SIDE_LABELS: dict[str, str] = {"maternal": "Mother's side", "paternal": "Father's side", "": "Not applicable"}

FamilyCondition = Literal[
    "breast",
    "ovarian",
    "pancreatic",
    "prostate",
    "prostate_metastatic",
    "colorectal",
    "endometrial",
    "other_lynch",
    "other_cancer",
    "known_variant_cancer",
    "cardiomyopathy",
    "arrhythmia",
    "sudden_cardiac_death",
    "familial_hypercholesterolemia",
    "premature_ascvd",
    "known_variant_cardiac",
    "other_condition",
]
FAMILY_CONDITIONS: tuple[str, ...] = get_args(FamilyCondition)
FAMILY_CONDITION_LABELS: dict[str, str] = {
    "breast": "Breast cancer",
    "ovarian": "Ovarian, fallopian tube or primary peritoneal cancer",
    "pancreatic": "Pancreatic cancer",
    "prostate": "Prostate cancer (localized, not high-risk)",
    "prostate_metastatic": "Prostate cancer, metastatic or high-risk",
    "colorectal": "Colon or rectal cancer",
    "endometrial": "Endometrial (uterine) cancer",
    "other_lynch": "Another Lynch-related cancer",
    "other_cancer": "Another cancer",
    "known_variant_cancer": "A known disease-causing variant in a cancer-risk gene",
    "cardiomyopathy": "Cardiomyopathy",
    "arrhythmia": "Inherited heart-rhythm disorder",
    "sudden_cardiac_death": "Sudden unexplained death before age 40",
    "familial_hypercholesterolemia": "Familial hypercholesterolemia or very high LDL cholesterol",
    "premature_ascvd": "Early heart disease or stroke (men before 55, women before 65)",
    "known_variant_cardiac": "A known disease-causing variant in a heart-condition gene",
    "other_condition": "Another inherited condition",
}

Counselling = Literal["done", "planned", "not_done"]
COUNSELLING: tuple[str, ...] = get_args(Counselling)
COUNSELLING_LABELS: dict[str, str] = {
    "done": "Yes, before the test",
    "planned": "Planned before the sample is taken",
    "not_done": "No",
}
Counsellor = Literal[
    "genetic_counselor", "medical_geneticist", "genetics_nurse", "ordering_physician", "other"
]
COUNSELLORS: tuple[str, ...] = get_args(Counsellor)
COUNSELLOR_LABELS: dict[str, str] = {
    "genetic_counselor": "Certified genetic counselor (CGC)",
    "medical_geneticist": "Board-certified medical geneticist",
    "genetics_nurse": "Advanced practice nurse in genetics",
    "ordering_physician": "The ordering physician",
    "other": "Someone else",
}

ManagementChange = Literal[
    "treatment_choice",
    "surgery_choice",
    "surveillance",
    "drug_dose",
    "cascade_testing",
    "reproductive_decision",
    "diagnosis",
    "none",
]
MANAGEMENT_CHANGES: tuple[str, ...] = get_args(ManagementChange)
MANAGEMENT_CHANGE_LABELS: dict[str, str] = {
    "treatment_choice": "Choice of treatment (e.g. a targeted drug, a PARP inhibitor, immunotherapy)",
    "surgery_choice": "Choice of surgery, including risk-reducing surgery",
    "surveillance": "Screening or surveillance (e.g. breast MRI, colonoscopy, cardiac follow-up)",
    "drug_dose": "Choice of drug or dose",
    "cascade_testing": "Testing of relatives",
    "reproductive_decision": "Reproductive decisions",
    "diagnosis": "A diagnosis that ends further testing",
    "none": "It will not change management",
}

# Somatic tumors: the oncology program's cancer types, plus any other solid or blood cancer.
TUMOR_TYPES: tuple[str, ...] = (*CANCER_TYPES, "other_solid", "other_hematologic")
TUMOR_TYPE_LABELS: dict[str, str] = {
    **CANCER_TYPE_LABELS,
    "other_solid": "Another solid tumor",
    "other_hematologic": "Another blood cancer (leukemia, lymphoma or myeloma)",
}

Drug = Literal[
    "capecitabine", "fluorouracil", "azathioprine", "mercaptopurine", "thioguanine", "clopidogrel", "other"
]
DRUGS: tuple[str, ...] = get_args(Drug)
DRUG_LABELS: dict[str, str] = {
    "capecitabine": "Capecitabine",
    "fluorouracil": "Fluorouracil (5-FU)",
    "azathioprine": "Azathioprine",
    "mercaptopurine": "Mercaptopurine",
    "thioguanine": "Thioguanine",
    "clopidogrel": "Clopidogrel",
    "other": "Another drug",
}
DrugIndication = Literal["pci", "acs", "stroke_tia", "other"]
DRUG_INDICATIONS: tuple[str, ...] = get_args(DrugIndication)
DRUG_INDICATION_LABELS: dict[str, str] = {
    "pci": "After a coronary stent (PCI)",
    "acs": "Acute coronary syndrome (heart attack or unstable angina)",
    "stroke_tia": "Stroke or transient ischemic attack",
    "other": "Another reason",
}

CardiacDiagnosis = Literal[
    "hcm", "dcm", "arvc", "lvnc", "rcm", "long_qt", "brugada", "cpvt", "short_qt", "none"
]
CARDIAC_DIAGNOSES: tuple[str, ...] = get_args(CardiacDiagnosis)
CARDIAC_DIAGNOSIS_LABELS: dict[str, str] = {
    "hcm": "Hypertrophic cardiomyopathy",
    "dcm": "Dilated cardiomyopathy",
    "arvc": "Arrhythmogenic cardiomyopathy",
    "lvnc": "Left-ventricular non-compaction",
    "rcm": "Restrictive cardiomyopathy",
    "long_qt": "Long QT syndrome",
    "brugada": "Brugada syndrome",
    "cpvt": "Catecholaminergic polymorphic ventricular tachycardia",
    "short_qt": "Short QT syndrome",
    "none": "No diagnosed heart condition",
}

ChildIndication = Literal[
    "developmental_delay", "intellectual_disability", "multiple_congenital_anomalies", "autism", "other"
]
CHILD_INDICATIONS: tuple[str, ...] = get_args(ChildIndication)
CHILD_INDICATION_LABELS: dict[str, str] = {
    "developmental_delay": "Unexplained developmental delay",
    "intellectual_disability": "Unexplained intellectual disability",
    "multiple_congenital_anomalies": "More than one congenital anomaly (birth defect)",
    "autism": "Autism without other features",
    "other": "Something else (describe it in the notes)",
}
Evaluator = Literal[
    "medical_geneticist", "developmental_pediatrician", "pediatric_neurologist", "other_physician", "none"
]
EVALUATORS: tuple[str, ...] = get_args(Evaluator)
EVALUATOR_LABELS: dict[str, str] = {
    "medical_geneticist": "Medical geneticist",
    "developmental_pediatrician": "Developmental pediatrician",
    "pediatric_neurologist": "Pediatric neurologist",
    "other_physician": "Another physician",
    "none": "Not yet evaluated by a specialist",
}

MAX_AGE_YEARS = 120
MAX_LDL = 1000  # mg/dL
MAX_WEEKS_PREGNANT = 42
MAX_PERSONAL_CANCERS = 5
MAX_RELATIVES = 20
NOTES_MAX = 4000
ORDER_NUMBER_MAX = 40

# Which questions a test asks (besides the ones every request asks).
_CANCER_HISTORY_TESTS = frozenset(TESTS_BY_CATEGORY["hereditary_cancer"])
TUMOR_TESTS = frozenset(TESTS_BY_CATEGORY["somatic_tumor"])
DRUG_TESTS = frozenset(TESTS_BY_CATEGORY["pharmacogenomics"])
CARDIAC_TESTS = frozenset(TESTS_BY_CATEGORY["hereditary_cardiovascular"])
PREGNANCY_TESTS = frozenset(TESTS_BY_CATEGORY["reproductive"])
CHILD_TESTS = frozenset(TESTS_BY_CATEGORY["exome_genome"])


# ---------------------------------------------------------------------------------------------
# Request details
# ---------------------------------------------------------------------------------------------


def _required(value: Any, what: str) -> None:
    if value is None or value == "":
        raise PydanticCustomError("required", "Answer {what}.", {"what": what})


def _list_of_at_most(value: Any, maximum: int, what: str) -> Any:
    if value is None:
        return []
    if isinstance(value, (list, tuple)) and len(value) > maximum:
        raise PydanticCustomError(
            "too_many", "List at most {maximum} {what}.", {"maximum": maximum, "what": what}
        )
    return value


class PersonalCancerHistory(BaseModel):
    """One of the member's own cancers."""

    model_config = ConfigDict(extra="ignore")

    cancer_type: PersonalCancer
    age_at_diagnosis: int | None = None
    features: list[CancerFeature] = Field(default_factory=list)

    @field_validator("cancer_type", mode="before")
    @classmethod
    def _cancer(cls, value: Any) -> Any:
        return choice(value, PERSONAL_CANCERS, "the cancer")

    @field_validator("age_at_diagnosis", mode="before")
    @classmethod
    def _age(cls, value: Any) -> Any:
        return whole_number(value, maximum=MAX_AGE_YEARS, what="the age at diagnosis")

    @field_validator("features", mode="before")
    @classmethod
    def _features(cls, value: Any, info: ValidationInfo) -> Any:
        cancer = info.data.get("cancer_type")
        allowed = FEATURES_BY_CANCER.get(cancer, CANCER_FEATURES) if cancer else CANCER_FEATURES
        return choices(value, allowed, "the features of this cancer")


class FamilyMember(BaseModel):
    """One line of the pedigree: a blood relative, the side of the family, the condition, the age."""

    model_config = ConfigDict(extra="ignore")

    relative: Relation
    side: Side = Field(default="", validate_default=True)
    condition: FamilyCondition
    age_at_diagnosis: int | None = None

    @field_validator("relative", mode="before")
    @classmethod
    def _relative(cls, value: Any) -> Any:
        return choice(value, RELATIONS, "the relative")

    @field_validator("side", mode="before")
    @classmethod
    def _side(cls, value: Any, info: ValidationInfo) -> Any:
        relative = info.data.get("relative")
        value = choice(value or "", SIDES, "the side of the family")
        if relative is None:
            return value
        fixed = RELATION_FACTS[relative].side
        if fixed == "ask":
            if not value:
                raise PydanticCustomError(
                    "side_required", "Say whether this relative is on the mother's or the father's side.", {}
                )
            return value
        return fixed  # parents: their own side; siblings and descendants: not applicable

    @field_validator("condition", mode="before")
    @classmethod
    def _condition(cls, value: Any) -> Any:
        return choice(value, FAMILY_CONDITIONS, "the relative's condition")

    @field_validator("age_at_diagnosis", mode="before")
    @classmethod
    def _age(cls, value: Any) -> Any:
        return whole_number(value, maximum=MAX_AGE_YEARS, what="the relative's age at diagnosis")

    @property
    def degree(self) -> int:
        return RELATION_FACTS[self.relative].degree

    @property
    def sex(self) -> str:
        return RELATION_FACTS[self.relative].sex


class GeneticTestingDetails(BaseModel):
    """What a genetic testing request says, beyond member, providers (the lab) and codes.

    Questions that belong to another category are cleared (e.g. a planned drug on a BRCA request);
    the ones that belong to the chosen test are required.
    """

    model_config = ConfigDict(extra="ignore")

    # Field order matters: later validators read the earlier, already validated fields.
    category: Category
    test: Test
    had_test_before: YesNoUnknown = Field(default="unknown", validate_default=True)
    personal_cancers: list[PersonalCancerHistory] = Field(default_factory=list)
    ashkenazi_ancestry: bool = False
    family_history: list[FamilyMember] = Field(default_factory=list)
    counselling: Counselling
    counselled_by: Counsellor | None = Field(default=None, validate_default=True)
    management_changes: list[ManagementChange] = Field(default_factory=list, validate_default=True)
    # Somatic tumor profiling.
    tumor_type: str = Field(default="", validate_default=True)
    advanced_disease: bool | None = Field(default=None, validate_default=True)
    oncology_order_number: str = ""  # context: the member's oncology request, when there is one
    # Pharmacogenomics.
    planned_drug: Drug | None = Field(default=None, validate_default=True)
    drug_indication: DrugIndication | None = Field(default=None, validate_default=True)
    # Inherited heart conditions.
    cardiac_diagnosis: CardiacDiagnosis | None = Field(default=None, validate_default=True)
    ldl_mg_dl: int | None = None  # untreated LDL cholesterol
    # Reproductive.
    pregnant: bool | None = Field(default=None, validate_default=True)
    weeks_pregnant: int | None = Field(default=None, validate_default=True)
    planning_pregnancy: bool = False
    # Exome or genome for a child.
    child_indications: list[ChildIndication] = Field(default_factory=list, validate_default=True)
    evaluated_by: Evaluator | None = Field(default=None, validate_default=True)
    clinical_notes: str = ""

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> Any:
        return choice(value, CATEGORIES, "the kind of test")

    @field_validator("test", mode="before")
    @classmethod
    def _test(cls, value: Any, info: ValidationInfo) -> Any:
        value = choice(value, TESTS, "the test")
        category = info.data.get("category")
        if category and value not in TESTS_BY_CATEGORY[category]:
            raise PydanticCustomError(
                "test", "Choose a test offered for {category}.", {"category": CATEGORY_LABELS[category]}
            )
        return value

    @field_validator("had_test_before", mode="before")
    @classmethod
    def _before(cls, value: Any) -> Any:
        return choice(value or "unknown", YES_NO_UNKNOWN, "whether the member had this test before")

    @field_validator("personal_cancers", mode="before")
    @classmethod
    def _cancers(cls, value: Any) -> Any:
        return _list_of_at_most(value, MAX_PERSONAL_CANCERS, "cancers")

    @field_validator("family_history", mode="before")
    @classmethod
    def _family(cls, value: Any) -> Any:
        return _list_of_at_most(value, MAX_RELATIVES, "relatives")

    @field_validator("counselling", mode="before")
    @classmethod
    def _counselling(cls, value: Any) -> Any:
        return choice(value, COUNSELLING, "whether genetic counselling took place")

    @field_validator("counselled_by", mode="before")
    @classmethod
    def _counsellor(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("counselling") != "done":
            return None
        _required(value, "who gave the genetic counselling")
        return choice(value, COUNSELLORS, "who gave the genetic counselling")

    @field_validator("management_changes", mode="before")
    @classmethod
    def _management(cls, value: Any) -> Any:
        picked = choices(value, MANAGEMENT_CHANGES, "how the result will change management")
        if not picked:
            raise PydanticCustomError(
                "management_required", "Say how the result will change the member's care.", {}
            )
        if "none" in picked and len(picked) > 1:
            raise PydanticCustomError(
                "management_none", "Choose either the changes or 'It will not change management'.", {}
            )
        return picked

    @field_validator("tumor_type", mode="before")
    @classmethod
    def _tumor(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("test") not in TUMOR_TESTS:
            return ""
        _required(value, "the tumor type")
        return choice(value, TUMOR_TYPES, "the tumor type")

    @field_validator("advanced_disease", mode="before")
    @classmethod
    def _advanced(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("test") not in TUMOR_TESTS:
            return None
        _required(value, "whether the cancer is advanced, recurrent or metastatic")
        return value

    @field_validator("oncology_order_number", mode="before")
    @classmethod
    def _order_number(cls, value: Any) -> Any:
        return text(value, maximum=ORDER_NUMBER_MAX, what="the oncology request number")

    @field_validator("planned_drug", mode="before")
    @classmethod
    def _drug(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("test") not in DRUG_TESTS:
            return None
        _required(value, "the drug planned")
        return choice(value, DRUGS, "the drug planned")

    @field_validator("drug_indication", mode="before")
    @classmethod
    def _drug_indication(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("planned_drug") != "clopidogrel":
            return None
        _required(value, "why clopidogrel is planned")
        return choice(value, DRUG_INDICATIONS, "why clopidogrel is planned")

    @field_validator("cardiac_diagnosis", mode="before")
    @classmethod
    def _cardiac(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("test") not in CARDIAC_TESTS:
            return None
        _required(value, "the member's heart diagnosis")
        return choice(value, CARDIAC_DIAGNOSES, "the member's heart diagnosis")

    @field_validator("ldl_mg_dl", mode="before")
    @classmethod
    def _ldl(cls, value: Any, info: ValidationInfo) -> Any:
        number = whole_number(value, maximum=MAX_LDL, what="the LDL cholesterol (mg/dL)")
        return number if info.data.get("test") == "fh_genes" else None

    @field_validator("pregnant", mode="before")
    @classmethod
    def _pregnant(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("test") not in PREGNANCY_TESTS:
            return None
        _required(value, "whether the member is pregnant")
        return value

    @field_validator("weeks_pregnant", mode="before")
    @classmethod
    def _weeks(cls, value: Any, info: ValidationInfo) -> Any:
        weeks = whole_number(value, maximum=MAX_WEEKS_PREGNANT, what="the weeks of pregnancy")
        return weeks if info.data.get("pregnant") else None

    @field_validator("child_indications", mode="before")
    @classmethod
    def _child(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("test") not in CHILD_TESTS:
            return []
        picked = choices(value, CHILD_INDICATIONS, "the reason for testing the child")
        if not picked:
            raise PydanticCustomError("child_required", "Choose the reason for testing the child.", {})
        return picked

    @field_validator("evaluated_by", mode="before")
    @classmethod
    def _evaluated(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("test") not in CHILD_TESTS:
            return None
        _required(value, "who has evaluated the child")
        return choice(value, EVALUATORS, "who has evaluated the child")

    @field_validator("clinical_notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        return text(value, maximum=NOTES_MAX, what="the clinical notes")


def details_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for wizard steps."""
    try:
        GeneticTestingDetails.model_validate(dict(data))
    except ValidationError as error:
        return plain_errors(error)
    return {}


# ---------------------------------------------------------------------------------------------
# Managed codes and validity (reference data)
# ---------------------------------------------------------------------------------------------

# Program FAQ (shared/seeds/002): unless state law says otherwise, approvals are valid for 60
# calendar days; a plan's row in genetic_plans.csv sets its own period.
DEFAULT_VALIDITY_DAYS = 60


def _table(name: str):  # -> pandas.DataFrame; one place to change when the data moves
    return reference.table(name)


@dataclass(frozen=True)
class GeneticCode:
    """What a code means, whatever the plan: its test, origin and repeat group."""

    code: str
    category: str
    test: str
    origin: str
    repeat_group: str  # "" = no once-per-lifetime check


def _flag(value: str, what: str) -> bool:
    flag = value.strip().lower()
    if flag not in {"true", "false"}:
        raise ValueError(f"genetic_tests.csv: notification_only must be true or false ({what})")
    return flag == "true"


@lru_cache(maxsize=1)
def _code_tables() -> tuple[Mapping[tuple[str, int], Mapping[str, ManagedCode]], Mapping[str, GeneticCode]]:
    by_plan: dict[tuple[str, int], dict[str, ManagedCode]] = {}
    facts: dict[str, GeneticCode] = {}
    for row in _table("genetic_tests.csv").to_dict("records"):
        code = row["code"].strip().upper()
        fact = GeneticCode(
            code=code,
            category=row["category"].strip(),
            test=row["test"].strip(),
            origin=row["origin"].strip(),
            repeat_group=row["repeat_group"].strip(),
        )
        if fact.test not in TESTS or CATEGORY_OF_TEST[fact.test] != fact.category:
            raise ValueError(f"genetic_tests.csv: {code} has an unknown test or category")
        if fact.origin not in ORIGINS:
            raise ValueError(f"genetic_tests.csv: {code} has an unknown origin {fact.origin!r}")
        if facts.setdefault(code, fact) != fact:
            raise ValueError(f"genetic_tests.csv: {code} means different tests on different rows")
        key = (row["plan_code"].strip().upper(), int(row["year"]))
        by_plan.setdefault(key, {})[code] = ManagedCode(
            code=code,
            label=row["label"].strip(),
            category=fact.category,
            notification_only=_flag(row["notification_only"], code),
            source=row["source"].strip(),
        )
    return (
        MappingProxyType({key: MappingProxyType(codes) for key, codes in by_plan.items()}),
        MappingProxyType(facts),
    )


def code_facts() -> Mapping[str, GeneticCode]:
    """Code -> its test, origin and repeat group (a code means the same test under every plan)."""
    return _code_tables()[1]


_EMPTY: Mapping[str, ManagedCode] = MappingProxyType({})


def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    return _code_tables()[0].get(((plan_code or "").strip().upper(), int(year)), _EMPTY)


def code_choices(
    plan_code: str, year: int, *, test: str = "", in_force: Iterable[ManagedCode] | None = None
) -> list[ManagedCode]:
    """The plan's managed codes for a year, narrowed to one test when given (the wizard's list).

    ``in_force``: the list in force for the member's coverage (``services/code_lists``) instead of the
    packaged list; a code the program does not describe fits every narrowing."""
    facts = code_facts()
    items = _code_index(plan_code, year).values() if in_force is None else in_force
    return [
        item
        for item in sorted(items, key=lambda item: item.code)
        if not test or item.code not in facts or facts[item.code].test == test
    ]


@lru_cache(maxsize=1)
def _validity_table() -> Mapping[str, int]:
    return MappingProxyType(
        {
            row["plan_code"].strip().upper(): int(row["validity_days"])
            for row in _table("genetic_plans.csv").to_dict("records")
        }
    )


def _validity_days(plan_code: str) -> int:
    return _validity_table().get((plan_code or "").strip().upper(), DEFAULT_VALIDITY_DAYS)


# ---------------------------------------------------------------------------------------------
# Criteria
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    """One row of genetic_criteria.csv."""

    set_id: str
    set_label: str
    criterion_id: str
    rule: str
    tests: frozenset[str]  # test ids and "@<origin>" tokens
    parameters: Mapping[str, str]
    text: str
    citation: str
    source: str

    def applies(self, fact: GeneticCode) -> bool:
        return fact.test in self.tests or f"@{fact.origin}" in self.tests

    def values(self, name: str) -> frozenset[str]:
        return frozenset(part for part in self.parameters.get(name, "").split("|") if part)

    def number(self, name: str, default: int | None = None) -> int:
        if name not in self.parameters:
            if default is None:
                raise KeyError(f"{self.criterion_id}: parameter {name} is missing")
            return default
        return int(self.parameters[name])

    def flag(self, name: str) -> bool:
        return self.parameters.get(name, "").strip().lower() == "true"


def _parse_parameters(raw: str) -> Mapping[str, str]:
    pairs = (item.split("=", 1) for item in raw.split(";") if item.strip())
    return MappingProxyType({key.strip(): value.strip() for key, value in pairs})


@lru_cache(maxsize=1)
def criterion_specs() -> tuple[CriterionSpec, ...]:
    """Every criterion of the program as loaded from genetic_criteria.csv (checked once)."""
    specs = tuple(
        CriterionSpec(
            set_id=row["set_id"].strip(),
            set_label=row["set_label"].strip(),
            criterion_id=row["criterion_id"].strip(),
            rule=row["rule"].strip(),
            tests=frozenset(row["tests"].split()),
            parameters=_parse_parameters(row["parameters"]),
            text=row["text"].strip(),
            citation=row["citation"].strip(),
            source=row["source"].strip(),
        )
        for row in _table("genetic_criteria.csv").to_dict("records")
    )
    known = set(TESTS) | {f"@{origin}" for origin in ORIGINS}
    for spec in specs:
        if spec.set_id not in REQUIREMENTS:
            raise ValueError(f"genetic_criteria.csv: unknown requirement {spec.set_id} ({spec.criterion_id})")
        if spec.rule not in RULES:
            raise ValueError(
                f"genetic_criteria.csv: no rule is written for {spec.rule} ({spec.criterion_id})"
            )
        if unknown := spec.tests - known:
            raise ValueError(
                f"genetic_criteria.csv: {spec.criterion_id} names unknown tests {sorted(unknown)}"
            )
        for matcher in spec.values("relatives"):
            _parse_matcher(matcher)  # raises on a condition the pedigree cannot hold
    return specs


# Relative matchers: "breast", "breast<=50", "male_breast".
_MATCHER = re.compile(r"^(?P<condition>[a-z_]+)(?:<=(?P<age>\d+))?$")


@lru_cache(maxsize=256)
def _parse_matcher(matcher: str) -> tuple[str, str, int | None]:
    """(condition, sex or "", highest age at diagnosis or None)."""
    match = _MATCHER.match(matcher)
    if match is None:
        raise ValueError(f"genetic_criteria.csv: cannot read the relative matcher {matcher!r}")
    condition, age = match.group("condition"), match.group("age")
    sex = ""
    if condition == "male_breast":
        condition, sex = "breast", "M"
    if condition not in FAMILY_CONDITIONS:
        raise ValueError(f"genetic_criteria.csv: unknown relative condition {condition!r}")
    return condition, sex, int(age) if age is not None else None


def _matches(relative: FamilyMember, matchers: Iterable[str]) -> bool | None:
    """True when the relative matches a matcher; None when only the missing age keeps it open."""
    open_question = False
    for matcher in matchers:
        condition, sex, max_age = _parse_matcher(matcher)
        if relative.condition != condition or (sex and relative.sex != sex):
            continue
        if max_age is None:
            return True
        if relative.age_at_diagnosis is None:
            open_question = True
        elif relative.age_at_diagnosis <= max_age:
            return True
    return None if open_question else False


Rule = Callable[[CriterionSpec, ProgramRequest, GeneticTestingDetails, GeneticCode], bool | None]


def _not_repeat(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    # Once per lifetime: the member's own answer, and the portal's records of earlier tests of the
    # same genes (any date before this one).
    if not fact.repeat_group:
        return True
    facts = code_facts()
    for prior in request.prior_services:
        earlier = facts.get((prior.code or "").strip().upper())
        if (
            earlier
            and earlier.repeat_group == fact.repeat_group
            and prior.service_date < request.service_date
        ):
            return False
    if details.had_test_before == "yes":
        return False
    return None if details.had_test_before == "unknown" else True


def _management_change(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    return bool(spec.values("changes") & set(details.management_changes))


def _personal_cancer(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    # A cancer of the listed types, diagnosed at or before max_age, with any listed feature and none
    # of the excluding ones; optionally only for a given sex, ancestry or management change.
    sex = spec.parameters.get("sex", "")
    if sex and (request.member_sex or "").strip().upper() != sex:
        return False
    if spec.parameters.get("ancestry") == "ashkenazi" and not details.ashkenazi_ancestry:
        return False
    if spec.values("changes") and not spec.values("changes") & set(details.management_changes):
        return False
    cancers, features, excluded = spec.values("cancers"), spec.values("features"), spec.values("not_features")
    max_age = spec.number("max_age") if "max_age" in spec.parameters else None
    open_question = False
    for cancer in details.personal_cancers:
        if cancer.cancer_type not in cancers:
            continue
        if features and not features & set(cancer.features):
            continue
        if excluded & set(cancer.features):
            continue
        if max_age is None:
            return True
        if cancer.age_at_diagnosis is None:
            open_question = True
        elif cancer.age_at_diagnosis <= max_age:
            return True
    return None if open_question else False


def _relatives(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    # At least min_count relatives up to max_degree matching a matcher (on one side of the family when
    # same_side), the member's own listed cancer counting as one when `personal` names the member's
    # cancers; one_at_most: one of them diagnosed at or before that age.
    personal = spec.values("personal")
    if personal and not any(cancer.cancer_type in personal for cancer in details.personal_cancers):
        return False
    matchers, max_degree = spec.values("relatives"), spec.number("max_degree", 3)
    matching: list[FamilyMember] = []
    open_question = False
    for relative in details.family_history:
        if relative.degree > max_degree:
            continue
        found = _matches(relative, matchers)
        if found:
            matching.append(relative)
        elif found is None:
            open_question = True
    needed = spec.number("min_count", 1)
    young = spec.number("one_at_most") if "one_at_most" in spec.parameters else None

    def enough(group: list[FamilyMember]) -> bool:
        if len(group) < needed:
            return False
        return young is None or any(
            relative.age_at_diagnosis is not None and relative.age_at_diagnosis <= young for relative in group
        )

    if spec.flag("same_side"):
        # Siblings and descendants (no side) count on either side.
        met = any(
            enough([relative for relative in matching if relative.side in (side, "")])
            for side in ("maternal", "paternal")
        )
    else:
        met = enough(matching)
    if met:
        return True
    return None if open_question else False


def _tumor(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    if details.tumor_type not in spec.values("tumors"):
        return False
    if spec.values("changes") and not spec.values("changes") & set(details.management_changes):
        return False
    if spec.flag("advanced"):
        return details.advanced_disease
    return True


def _cardiac_diagnosis(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    return details.cardiac_diagnosis in spec.values("diagnoses")


def _ldl(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    if details.ldl_mg_dl is None:
        return None
    family = [
        relative
        for relative in details.family_history
        if relative.degree <= spec.number("max_degree", 1) and relative.condition in spec.values("relatives")
    ]
    adult = request.member_age >= spec.number("adult_age")
    if adult and details.ldl_mg_dl >= spec.number("adult_ldl_alone"):
        return True
    threshold = spec.number("adult_ldl") if adult else spec.number("child_ldl")
    return bool(family) and details.ldl_mg_dl >= threshold


def _planned_drug(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    if details.planned_drug not in spec.values("drugs"):
        return False
    indications = spec.values("indications")
    return not indications or details.drug_indication in indications


def _pregnancy(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    if details.pregnant is None:
        return None
    if not details.pregnant:
        return spec.flag("planning") and details.planning_pregnancy
    if "min_weeks" not in spec.parameters:
        return True
    if details.weeks_pregnant is None:
        return None
    return details.weeks_pregnant >= spec.number("min_weeks")


def _child_indication(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    if request.member_age > spec.number("max_age"):
        return False
    return bool(spec.values("indications") & set(details.child_indications))


def _specialist_evaluation(
    spec: CriterionSpec, request: ProgramRequest, details: GeneticTestingDetails, fact: GeneticCode
) -> bool | None:
    return details.evaluated_by in spec.values("evaluators")


RULES: dict[str, Rule] = {
    "not_repeat": _not_repeat,
    "management_change": _management_change,
    "personal_cancer": _personal_cancer,
    "relatives": _relatives,
    "tumor": _tumor,
    "cardiac_diagnosis": _cardiac_diagnosis,
    "ldl": _ldl,
    "planned_drug": _planned_drug,
    "pregnancy": _pregnancy,
    "child_indication": _child_indication,
    "specialist_evaluation": _specialist_evaluation,
}
# The requirements (set_id), in the order they are checked: a repeat names itself first.
REQUIREMENTS = ("repeat", "utility", "indication", "evaluation")
INDICATION = "indication"


def _set_name(specs: list[CriterionSpec]) -> str:
    """The id a pended requirement is named by: its criteria families, e.g. "HBOC/FAM"."""
    return "/".join(dict.fromkeys(spec.criterion_id.split("-")[0] for spec in specs))


def _set_result(specs: list[CriterionSpec], outcomes: list[bool | None]) -> CriterionResult:
    """One result per requirement: the first met row; otherwise the requirement, named, with what it asks."""
    for spec, met in zip(specs, outcomes, strict=True):
        if met:
            return CriterionResult(spec.criterion_id, spec.text, spec.citation, True)
    first = specs[0]
    if len(specs) == 1:
        return CriterionResult(first.criterion_id, first.text, first.citation, outcomes[0])
    families = " or ".join(dict.fromkeys(spec.set_label for spec in specs))
    asked = " ".join(f"{spec.criterion_id}: {spec.text}" for spec in specs)
    citations = "; ".join(dict.fromkeys(spec.citation for spec in specs))
    verdict = None if any(met is None for met in outcomes) else False
    return CriterionResult(
        _set_name(specs), f"None of the {families} criteria is met. {asked}", citations, verdict
    )


def evaluate_code(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    """The criteria results for one requested code; None when no published criterion is written for
    its test (the engine then sends the line to a reviewer)."""
    fact = code_facts().get((code or "").strip().upper())
    if fact is None:
        return None
    details = request.details if isinstance(request.details, GeneticTestingDetails) else None
    by_requirement: dict[str, list[CriterionSpec]] = {}
    for spec in criterion_specs():
        if spec.applies(fact):
            by_requirement.setdefault(spec.set_id, []).append(spec)
    if INDICATION not in by_requirement:
        return None
    results = []
    for requirement in REQUIREMENTS:
        specs = by_requirement.get(requirement)
        if not specs:
            continue
        if details is None:
            outcomes: list[bool | None] = [None] * len(specs)
        else:
            outcomes = [RULES[spec.rule](spec, request, details, fact) for spec in specs]
        results.append(_set_result(specs, outcomes))
    return results


# ---------------------------------------------------------------------------------------------
# Links to the medical oncology program
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def biomarker_tests() -> Mapping[str, tuple[str, ...]]:
    """Oncology biomarker key -> the genetic tests that give its result (genetic_biomarkers.csv)."""
    table: dict[str, tuple[str, ...]] = {}
    for row in _table("genetic_biomarkers.csv").to_dict("records"):
        key, tests = row["biomarker"].strip(), tuple(row["tests"].split())
        if key not in BIOMARKER_QUESTIONS:
            raise ValueError(f"genetic_biomarkers.csv: {key!r} is no oncology biomarker question")
        if not tests or any(test not in TESTS for test in tests):
            raise ValueError(f"genetic_biomarkers.csv: {key!r} names an unknown test")
        table[key] = tests
    return MappingProxyType(table)


def biomarker_test_note(biomarker: str) -> str | None:
    """For an oncology request asking this biomarker: the sentence saying the test may need its own
    genetic testing request, or None when the biomarker is not read by a genetic test."""
    tests = biomarker_tests().get(biomarker)
    if tests is None:
        return None
    what = BIOMARKER_QUESTIONS[biomarker].label
    program = Program.GENETIC_TESTING.label.lower()
    named = "; ".join(TEST_LABELS[test] for test in tests)
    return f"{what}: if the tumor is not tested yet, the test may need its own {program} request ({named})."


# ---------------------------------------------------------------------------------------------
# Demo data (read by the seed; pure data with its checks)
# ---------------------------------------------------------------------------------------------


def demo_labs() -> list[dict[str, str]]:
    """The demo genetic testing laboratories (servicing providers), each with its CLIA number."""
    rows = _table("genetic_demo_labs.csv").to_dict("records")
    for row in rows:
        if not is_clia_number(row["clia_number"]):
            raise ValueError(f"genetic_demo_labs.csv: {row['clia_number']!r} is not a CLIA number")
    return rows


def demo_delegations() -> list[dict[str, str]]:
    """(plan code, delegated from) rows: the demo plans delegating the genetic testing program."""
    return _table("genetic_demo_plans.csv").to_dict("records")


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.GENETIC_TESTING,
    label=Program.GENETIC_TESTING.label,
    details_schema=GeneticTestingDetails,
    validity_policy=_validity_days,
    code_index=_code_index,
    criteria=evaluate_code,
)
