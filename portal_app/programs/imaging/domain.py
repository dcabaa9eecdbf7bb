"""The imaging and cardiology program: request details, managed codes, validity and criteria.

Scope (program FAQ, shared/seeds/001, "Which modalities require review?"): CT (including
CT angiography and cardiac CT), MRI, MR angiography, MR spectroscopy, functional MRI, nuclear
cardiology (myocardial perfusion, blood pool/MUGA, cardiac PET), PET, stress echocardiography,
resting echocardiography (TTE) and transesophageal echocardiography (TEE). Each request names
the exam, the body part and the side.

Reference data (each row with its source) lives in `portal_app/reference/`:
`imaging_codes.csv` (codes per plan and year, our own labels; CPT is a registered trademark of
the American Medical Association), `imaging_plans.csv` (validity per plan),
`imaging_criteria.csv` (criteria sets, thresholds, citations) and
`imaging_pretest_probability.csv` (pre-test probability of coronary disease).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from portal_app import reference
from portal_app.domain.code_tables import codes_by_plan_and_year, codes_for, true_or_false
from portal_app.domain.conversation import PeerToPeerPolicy
from portal_app.domain.enums import Program, Specialty
from portal_app.domain.program_answers import choice, choices, text, whole_number
from portal_app.domain.program_types import ManagedCode, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult
from portal_app.domain.validation import plain_errors

# --- reference data (portal_app/programs/imaging/reference/) -------------------------------------


def imaging_codes():  # -> pandas.DataFrame
    """Codes managed by the imaging and cardiology program, per plan and service year."""
    return reference.table("imaging_codes.csv")


def imaging_plans():  # -> pandas.DataFrame
    """Per-plan settings of the imaging and cardiology program (validity days)."""
    return reference.table("imaging_plans.csv")


def imaging_criteria():  # -> pandas.DataFrame
    """Automatic criteria sets of the imaging and cardiology program, with citations."""
    return reference.table("imaging_criteria.csv")


def imaging_pretest_probability():  # -> pandas.DataFrame
    """Pre-test probability of obstructive coronary disease by age band, sex and symptom."""
    return reference.table("imaging_pretest_probability.csv")


# ---------------------------------------------------------------------------------------------
# Choices and their labels (the wizard shows the labels; the database stores the values)
# ---------------------------------------------------------------------------------------------

Modality = Literal[
    "ct",
    "cta",
    "cardiac_ct",
    "mri",
    "mra",
    "mrs",
    "fmri",
    "cardiac_mri",
    "mpi",
    "muga",
    "infarct",
    "cardiac_pet",
    "pet",
    "stress_echo",
    "tte",
    "tee",
]
MODALITIES: tuple[str, ...] = get_args(Modality)
MODALITY_LABELS: dict[str, str] = {
    "ct": "CT scan",
    "cta": "CT angiography (blood vessels, not the heart's arteries)",
    "cardiac_ct": "Cardiac CT or coronary CT angiography",
    "mri": "MRI",
    "mra": "MR angiography (blood vessels)",
    "mrs": "MR spectroscopy",
    "fmri": "Functional MRI of the brain",
    "cardiac_mri": "Cardiac MRI",
    "mpi": "Nuclear stress test of the heart muscle (myocardial perfusion imaging)",
    "muga": "Nuclear scan of the heart's pumping (blood pool / MUGA)",
    "infarct": "Nuclear infarct imaging of the heart muscle (e.g. pyrophosphate scan)",
    "cardiac_pet": "Cardiac PET",
    "pet": "PET scan (cancer and other non-cardiac uses)",
    "stress_echo": "Stress echocardiogram",
    "tte": "Resting echocardiogram (TTE)",
    "tee": "Transesophageal echocardiogram (TEE)",
}
# For grouped pickers in the wizard.
MODALITY_FAMILIES: dict[str, tuple[str, ...]] = {
    "CT": ("ct", "cta", "cardiac_ct"),
    "MR": ("mri", "mra", "mrs", "fmri", "cardiac_mri"),
    "Nuclear medicine and PET": ("mpi", "muga", "infarct", "cardiac_pet", "pet"),
    "Echocardiography": ("stress_echo", "tte", "tee"),
}
# CT and MR exams: the ones under clinical site-of-care review (program FAQ, shared/seeds/001).
CT_MR_MODALITIES: frozenset[str] = frozenset(MODALITY_FAMILIES["CT"] + MODALITY_FAMILIES["MR"])
# Every cardiology exam of the program.
CARDIAC_MODALITIES: frozenset[str] = frozenset(
    {"cardiac_ct", "cardiac_mri", "mpi", "muga", "infarct", "cardiac_pet", "stress_echo", "tte", "tee"}
)
# The exams that ask the cardiac pre-exam questions, and from which age. Program FAQ
# (shared/seeds/001): the questions cover cardiac CT/CTA, cardiac PET, MPI and stress echo
# (they estimate the risk of coronary disease); not TTE, TEE, blood pool/MUGA or cardiac MRI;
# and they are not asked for patients under 19.
PRE_EXAM_MODALITIES: frozenset[str] = frozenset({"cardiac_ct", "cardiac_pet", "mpi", "stress_echo"})
PRE_EXAM_MIN_AGE = 19

BodyPart = Literal[
    "brain",
    "head_vessels",
    "neck",
    "neck_vessels",
    "chest",
    "abdomen_pelvis",
    "cervical_spine",
    "thoracic_spine",
    "lumbar_spine",
    "upper_extremity_joint",
    "lower_extremity_joint",
    "heart",
    "limited_area",
    "skull_base_to_mid_thigh",
    "whole_body",
]
BODY_PARTS: tuple[str, ...] = get_args(BodyPart)
BODY_PART_LABELS: dict[str, str] = {
    "brain": "Head and brain",
    "head_vessels": "Blood vessels of the head",
    "neck": "Neck (soft tissues)",
    "neck_vessels": "Blood vessels of the neck",
    "chest": "Chest",
    "abdomen_pelvis": "Belly and pelvis (abdomen and pelvis)",
    "cervical_spine": "Neck spine (cervical)",
    "thoracic_spine": "Mid-back spine (thoracic)",
    "lumbar_spine": "Lower back spine (lumbar)",
    "upper_extremity_joint": "Shoulder, elbow or wrist",
    "lower_extremity_joint": "Hip, knee or ankle",
    "heart": "Heart",
    "limited_area": "One body area",
    "skull_base_to_mid_thigh": "Skull base to mid-thigh",
    "whole_body": "Whole body",
}
MODALITY_BODY_PARTS: dict[str, tuple[str, ...]] = {
    "ct": ("brain", "neck", "chest", "abdomen_pelvis", "lumbar_spine"),
    "cta": ("head_vessels", "neck_vessels", "chest", "abdomen_pelvis"),
    "cardiac_ct": ("heart",),
    "mri": (
        "brain",
        "cervical_spine",
        "thoracic_spine",
        "lumbar_spine",
        "upper_extremity_joint",
        "lower_extremity_joint",
    ),
    "mra": ("head_vessels", "neck_vessels"),
    "mrs": ("brain",),
    "fmri": ("brain",),
    "cardiac_mri": ("heart",),
    "mpi": ("heart",),
    "muga": ("heart",),
    "infarct": ("heart",),
    "cardiac_pet": ("heart",),
    "pet": ("limited_area", "skull_base_to_mid_thigh", "whole_body"),
    "stress_echo": ("heart",),
    "tte": ("heart",),
    "tee": ("heart",),
}
# Body parts that come in pairs: the request must say which side.
PAIRED_BODY_PARTS: frozenset[str] = frozenset({"upper_extremity_joint", "lower_extremity_joint"})

Laterality = Literal["left", "right", "bilateral", "not_applicable"]
LATERALITIES: tuple[str, ...] = get_args(Laterality)
LATERALITY_LABELS: dict[str, str] = {
    "left": "Left",
    "right": "Right",
    "bilateral": "Both sides",
    "not_applicable": "Not applicable",
}

Indication = Literal[
    "low_back_pain",
    "headache",
    "chest_pain",
    "known_cancer",
    "joint_pain",
    "suspected_cardiac_amyloidosis",
    "other",
]
INDICATIONS: tuple[str, ...] = get_args(Indication)
INDICATION_LABELS: dict[str, str] = {
    "low_back_pain": "Low back pain, with or without leg pain",
    "headache": "Headache",
    "chest_pain": "Chest pain or shortness of breath: suspected coronary artery disease",
    "known_cancer": "Known cancer: staging, restaging or follow-up",
    "joint_pain": "Joint pain or injury",
    "suspected_cardiac_amyloidosis": "Suspected cardiac amyloidosis (thickened heart muscle, heart failure)",
    "other": "Something else (describe it in the clinical notes)",
}

RedFlag = Literal[
    "neurologic_deficit",
    "suspected_cauda_equina",
    "recent_trauma",
    "history_of_cancer",
    "unexplained_weight_loss",
    "suspected_infection",
    "immunosuppression",
    "osteoporosis_or_steroid_use",
    "prior_spine_surgery_new_symptoms",
    "sudden_severe_onset",
    "optic_disc_edema",
    "exertional_or_positional",
    "pregnancy",
    "new_or_worsening_pattern",
]
RED_FLAGS: tuple[str, ...] = get_args(RedFlag)
RED_FLAG_LABELS: dict[str, str] = {
    "neurologic_deficit": (
        "New or worsening neurologic deficit (weakness, numbness, loss of vision or speech)"
    ),
    "suspected_cauda_equina": (
        "Signs of cauda equina syndrome (new bladder or bowel problems, saddle numbness)"
    ),
    "recent_trauma": "Recent injury to the area",
    "history_of_cancer": "Known or suspected cancer, or a history of cancer",
    "unexplained_weight_loss": "Weight loss without a known reason",
    "suspected_infection": "Suspected infection (fever, recent infection, injected drug use)",
    "immunosuppression": "Weakened immune system (medicines or illness)",
    "osteoporosis_or_steroid_use": "Osteoporosis or long-term steroid medicines",
    "prior_spine_surgery_new_symptoms": "Earlier back surgery, with new or worsening symptoms",
    "sudden_severe_onset": "Sudden, severe headache reaching its worst within an hour (thunderclap)",
    "optic_disc_edema": "Swelling of the optic disc seen on eye examination",
    "exertional_or_positional": "Headache set off by exertion, sexual activity or a change of position",
    "pregnancy": "Currently pregnant",
    "new_or_worsening_pattern": "New headache, or a clear change or worsening of the usual headaches",
}
# Which flags the wizard offers for each indication.
RED_FLAGS_BY_INDICATION: dict[str, tuple[str, ...]] = {
    "low_back_pain": (
        "neurologic_deficit",
        "suspected_cauda_equina",
        "recent_trauma",
        "history_of_cancer",
        "unexplained_weight_loss",
        "suspected_infection",
        "immunosuppression",
        "osteoporosis_or_steroid_use",
        "prior_spine_surgery_new_symptoms",
    ),
    "headache": (
        "sudden_severe_onset",
        "optic_disc_edema",
        "neurologic_deficit",
        "recent_trauma",
        "exertional_or_positional",
        "history_of_cancer",
        "immunosuppression",
        "pregnancy",
        "new_or_worsening_pattern",
    ),
}

ChestPainType = Literal["typical", "atypical", "non_anginal", "dyspnea_only", "none"]
CHEST_PAIN_TYPES: tuple[str, ...] = get_args(ChestPainType)
CHEST_PAIN_LABELS: dict[str, str] = {
    "typical": "Typical angina",
    "atypical": "Atypical angina",
    "non_anginal": "Non-anginal chest pain",
    "dyspnea_only": "Shortness of breath only, no chest pain",
    "none": "No chest pain or shortness of breath",
}
# Help text: the three classic features (2019 ESC chronic coronary syndromes guideline, the
# traditional clinical classification of suspected angina).
CHEST_PAIN_HELP: dict[str, str] = {
    "typical": "All three: a tight or heavy discomfort in the chest, neck, jaw, shoulder or arm; "
    "brought on by exertion; and eased by rest or nitroglycerin within 5 minutes.",
    "atypical": "Two of those three features.",
    "non_anginal": "One of those three features, or none.",
    "dyspnea_only": "Breathlessness on exertion is the main complaint, without chest discomfort.",
    "none": "The patient has no symptoms of this kind.",
}

RiskFactor = Literal[
    "diabetes",
    "hypertension",
    "dyslipidemia",
    "smoking",
    "family_history",
    "abnormal_resting_ecg",
    "lv_dysfunction",
]
RISK_FACTORS: tuple[str, ...] = get_args(RiskFactor)
RISK_FACTOR_LABELS: dict[str, str] = {
    "diabetes": "Diabetes",
    "hypertension": "High blood pressure",
    "dyslipidemia": "High cholesterol or other blood-fat disorder",
    "smoking": "Smokes, or smoked until recently",
    "family_history": "Heart disease in a close relative at a young age",
    "abnormal_resting_ecg": "Resting ECG with Q waves or ST/T changes",
    "lv_dysfunction": "Weak heart pumping suggesting coronary disease",
}

PriorTest = Literal[
    "exercise_ecg",
    "stress_echo",
    "mpi",
    "cardiac_pet",
    "coronary_cta",
    "calcium_score",
    "cardiac_catheterization",
]
PRIOR_TESTS: tuple[str, ...] = get_args(PriorTest)
PRIOR_TEST_LABELS: dict[str, str] = {
    "exercise_ecg": "Exercise ECG (treadmill test)",
    "stress_echo": "Stress echocardiogram",
    "mpi": "Nuclear stress test (myocardial perfusion)",
    "cardiac_pet": "Cardiac PET",
    "coronary_cta": "Coronary CT angiography",
    "calcium_score": "Coronary calcium score",
    "cardiac_catheterization": "Cardiac catheterization (invasive angiography)",
}
NON_INVASIVE_TESTS: frozenset[str] = frozenset(PRIOR_TESTS) - {"cardiac_catheterization"}

PriorResult = Literal["normal", "abnormal", "inconclusive", "unknown"]
PRIOR_RESULTS: tuple[str, ...] = get_args(PriorResult)
PRIOR_RESULT_LABELS: dict[str, str] = {
    "normal": "Normal",
    "abnormal": "Abnormal",
    "inconclusive": "Inconclusive or could not be read",
    "unknown": "Result not known",
}

SiteOfCare = Literal["hospital_outpatient", "free_standing", "physician_office"]
SITES_OF_CARE: tuple[str, ...] = get_args(SiteOfCare)
SITE_OF_CARE_LABELS: dict[str, str] = {
    "hospital_outpatient": "Hospital outpatient department",
    "free_standing": "Free-standing imaging center",
    "physician_office": "Physician office",
}

MAX_WEEKS = 520  # ten years
MAX_PRIOR_TEST_MONTHS = 240
MAX_PRIOR_TESTS = 10
HOSPITAL_REASON_MAX = 1000
CLINICAL_NOTES_MAX = 4000


def needs_cardiac_pre_exam(modality: str, member_age: int) -> bool:
    """Cardiac CT/CTA, cardiac PET, MPI and stress echo ask the pre-exam questions, from age 19."""
    return modality in PRE_EXAM_MODALITIES and member_age >= PRE_EXAM_MIN_AGE


def needs_site_of_care_reason(modality: str, site_of_care: str) -> bool:
    """CT or MR at a hospital outpatient department needs a reason (site-of-care review)."""
    return modality in CT_MR_MODALITIES and site_of_care == "hospital_outpatient"


# ---------------------------------------------------------------------------------------------
# Request details
# ---------------------------------------------------------------------------------------------


# The answer checks every program's details schema uses (portal_app/domain/program_answers.py).
_choice, _choices, _whole_number, _text = choice, choices, whole_number, text


class PriorCardiacTest(BaseModel):
    """An earlier heart test and its result."""

    model_config = ConfigDict(extra="ignore")

    test: PriorTest
    result: PriorResult
    months_ago: int | None = None

    @field_validator("test", mode="before")
    @classmethod
    def _test(cls, value: Any) -> Any:
        return _choice(value, PRIOR_TESTS, "the earlier test")

    @field_validator("result", mode="before")
    @classmethod
    def _result(cls, value: Any) -> Any:
        return _choice(value, PRIOR_RESULTS, "the result of the earlier test")

    @field_validator("months_ago", mode="before")
    @classmethod
    def _months(cls, value: Any) -> Any:
        return _whole_number(value, maximum=MAX_PRIOR_TEST_MONTHS, what="how many months ago")


class CardiacPreExam(BaseModel):
    """The cardiac pre-exam questions: symptoms, risk factors, earlier tests."""

    model_config = ConfigDict(extra="ignore")

    chest_pain_type: ChestPainType
    risk_factors: list[RiskFactor] = Field(default_factory=list)
    prior_tests: list[PriorCardiacTest] = Field(default_factory=list)

    @field_validator("chest_pain_type", mode="before")
    @classmethod
    def _pain(cls, value: Any) -> Any:
        return _choice(value, CHEST_PAIN_TYPES, "the kind of chest symptoms")

    @field_validator("risk_factors", mode="before")
    @classmethod
    def _risks(cls, value: Any) -> Any:
        return _choices(value, RISK_FACTORS, "the risk factors")

    @field_validator("prior_tests", mode="before")
    @classmethod
    def _prior(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, (list, tuple)) and len(value) > MAX_PRIOR_TESTS:
            raise PydanticCustomError(
                "too_many", "List at most {maximum} earlier tests.", {"maximum": MAX_PRIOR_TESTS}
            )
        return value


class ImagingDetails(BaseModel):
    """What an imaging or cardiology request says, beyond member, providers and codes.

    Validate with the member's age on the service date so that the cardiac pre-exam rules
    apply: ``ImagingDetails.model_validate(data, context={"member_age": 45})``. Without an
    age the pre-exam is neither required nor cleared.
    """

    model_config = ConfigDict(extra="ignore")

    # Field order matters: later validators read the earlier, already validated fields.
    modality: Modality
    body_part: BodyPart
    laterality: Laterality = Field(default="not_applicable", validate_default=True)
    clinical_indication: Indication
    weeks_of_symptoms: int | None = None
    weeks_conservative_care: int | None = None  # physical therapy, medicines, chiropractic care...
    red_flags: list[RedFlag] = Field(default_factory=list)
    cardiac: CardiacPreExam | None = Field(default=None, validate_default=True)
    site_of_care: SiteOfCare
    hospital_reason: str = Field(default="", validate_default=True)
    clinical_notes: str = ""

    @field_validator("modality", mode="before")
    @classmethod
    def _modality(cls, value: Any) -> Any:
        return _choice(value, MODALITIES, "the kind of exam")

    @field_validator("body_part", mode="before")
    @classmethod
    def _body_part(cls, value: Any, info: ValidationInfo) -> Any:
        value = _choice(value, BODY_PARTS, "the body part")
        modality = info.data.get("modality")
        if modality and value not in MODALITY_BODY_PARTS[modality]:
            raise PydanticCustomError(
                "body_part",
                "Choose a body part offered for {exam}.",
                {"exam": MODALITY_LABELS[modality]},
            )
        return value

    @field_validator("laterality", mode="before")
    @classmethod
    def _laterality(cls, value: Any, info: ValidationInfo) -> Any:
        value = _choice(value or "not_applicable", LATERALITIES, "the side")
        body_part = info.data.get("body_part")
        if body_part in PAIRED_BODY_PARTS:
            if value == "not_applicable":
                raise PydanticCustomError("laterality", "Say which side: left, right or both.", {})
            return value
        return "not_applicable" if body_part else value

    @field_validator("clinical_indication", mode="before")
    @classmethod
    def _indication(cls, value: Any) -> Any:
        return _choice(value, INDICATIONS, "the reason for the exam")

    @field_validator("weeks_of_symptoms", mode="before")
    @classmethod
    def _weeks_symptoms(cls, value: Any) -> Any:
        return _whole_number(value, maximum=MAX_WEEKS, what="the weeks of symptoms")

    @field_validator("weeks_conservative_care", mode="before")
    @classmethod
    def _weeks_care(cls, value: Any, info: ValidationInfo) -> Any:
        weeks = _whole_number(value, maximum=MAX_WEEKS, what="the weeks of conservative care")
        symptoms = info.data.get("weeks_of_symptoms")
        if weeks is not None and symptoms is not None and weeks > symptoms:
            raise PydanticCustomError(
                "care_longer_than_symptoms",
                "Conservative care cannot have lasted longer than the symptoms.",
                {},
            )
        return weeks

    @field_validator("red_flags", mode="before")
    @classmethod
    def _red_flags(cls, value: Any) -> Any:
        return _choices(value, RED_FLAGS, "the warning signs")

    @field_validator("cardiac", mode="before")
    @classmethod
    def _cardiac(cls, value: Any, info: ValidationInfo) -> Any:
        modality = info.data.get("modality")
        member_age = (info.context or {}).get("member_age")
        if modality is None or member_age is None:
            return value  # cannot tell yet; keep what was given
        if not needs_cardiac_pre_exam(modality, int(member_age)):
            return None  # not asked for this exam or for members under 19: ignore any answers
        if value is None or value == {}:
            return None  # voluntary (program FAQ, shared/seeds/001): skipped, the line pends
        return value

    @field_validator("site_of_care", mode="before")
    @classmethod
    def _site(cls, value: Any) -> Any:
        return _choice(value, SITES_OF_CARE, "where the exam will be done")

    @field_validator("hospital_reason", mode="before")
    @classmethod
    def _hospital_reason(cls, value: Any, info: ValidationInfo) -> Any:
        reason = _text(value, maximum=HOSPITAL_REASON_MAX, what="the reason for a hospital setting")
        modality, site = info.data.get("modality"), info.data.get("site_of_care")
        if modality is None or site is None:
            return reason
        if not needs_site_of_care_reason(modality, site):
            return ""
        if not reason:
            raise PydanticCustomError(
                "hospital_reason_required",
                "Say why this CT or MR exam needs a hospital outpatient department, or choose "
                "a free-standing imaging center or a physician office instead.",
                {},
            )
        return reason

    @field_validator("clinical_notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        return _text(value, maximum=CLINICAL_NOTES_MAX, what="the clinical notes")


def details_errors(data: Mapping[str, Any], *, member_age: int | None) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for wizard steps."""
    try:
        ImagingDetails.model_validate(dict(data), context={"member_age": member_age})
    except ValidationError as error:
        return plain_errors(error)
    return {}


# ---------------------------------------------------------------------------------------------
# Managed codes and validity (reference data)
# ---------------------------------------------------------------------------------------------

# Program FAQ (shared/seeds/001): an approval is valid for the original 30 or 60 days,
# depending on the plan; 30 unless the plan's row in imaging_plans.csv says otherwise.
DEFAULT_VALIDITY_DAYS = 30


IMAGING_CODES = "imaging_codes.csv"


@lru_cache(maxsize=1)
def _code_table() -> Mapping[tuple[str, int], Mapping[str, ManagedCode]]:
    def managed(code: str, row) -> ManagedCode:
        return ManagedCode(
            code=code,
            label=row["label"].strip(),
            category=row["category"].strip(),
            notification_only=true_or_false(row, "notification_only", file=IMAGING_CODES, code=code),
            body_part=row["body_part"].strip(),
            source=row["source"].strip(),
        )

    return codes_by_plan_and_year(imaging_codes().to_dict("records"), managed, file=IMAGING_CODES)


def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    return codes_for(_code_table(), plan_code, year)


@lru_cache(maxsize=1)
def _code_categories() -> Mapping[str, str]:
    """Code -> modality, whatever the plan (a code means the same exam everywhere)."""
    return MappingProxyType(
        {code: item.category for codes in _code_table().values() for code, item in codes.items()}
    )


def code_choices(
    plan_code: str,
    year: int,
    *,
    modality: str = "",
    body_part: str = "",
    in_force: Iterable[ManagedCode] | None = None,
) -> list[ManagedCode]:
    """The plan's managed codes for a year, narrowed to a modality and body part when given.

    ``in_force``: the list in force for the member's coverage (``services/code_lists``) instead of
    the packaged list; a code the program does not describe (no modality) fits every narrowing."""
    items = _code_index(plan_code, year).values() if in_force is None else in_force
    return [
        item
        for item in sorted(items, key=lambda item: item.code)
        if not item.category
        or ((not modality or item.category == modality) and (not body_part or item.body_part == body_part))
    ]


@lru_cache(maxsize=1)
def _validity_table() -> Mapping[str, int]:
    return MappingProxyType(
        {
            row["plan_code"].strip().upper(): int(row["validity_days"])
            for row in imaging_plans().to_dict("records")
        }
    )


def _validity_days(plan_code: str) -> int:
    return _validity_table().get((plan_code or "").strip().upper(), DEFAULT_VALIDITY_DAYS)


# ---------------------------------------------------------------------------------------------
# Criteria
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    """One row of imaging_criteria.csv."""

    set_id: str
    criterion_id: str
    codes: frozenset[str]
    indications: frozenset[str]  # "*" = any indication
    parameters: Mapping[str, str]
    text: str
    citation: str
    source: str

    def applies_to(self, indication: str) -> bool:
        return "*" in self.indications or indication in self.indications

    def values(self, name: str) -> frozenset[str]:
        return frozenset(part for part in self.parameters.get(name, "").split("|") if part)

    def number(self, name: str) -> int:
        return int(self.parameters[name])


def _parse_parameters(text: str) -> Mapping[str, str]:
    pairs = (item.split("=", 1) for item in text.split(";") if item.strip())
    return MappingProxyType({key.strip(): value.strip() for key, value in pairs})


@lru_cache(maxsize=1)
def criterion_specs() -> tuple[CriterionSpec, ...]:
    """Every criterion of the program as loaded from imaging_criteria.csv."""
    return tuple(
        CriterionSpec(
            set_id=row["set_id"].strip(),
            criterion_id=row["criterion_id"].strip(),
            codes=frozenset(row["codes"].split()),
            indications=frozenset(row["indications"].split()),
            parameters=_parse_parameters(row["parameters"]),
            text=row["text"].strip(),
            citation=row["citation"].strip(),
            source=row["source"].strip(),
        )
        for row in imaging_criteria().to_dict("records")
    )


@lru_cache(maxsize=1)
def pretest_table() -> tuple[tuple[int, int, str, str, int], ...]:
    """(age_from, age_to, sex, symptom, probability %) rows of the pre-test probability table."""
    return tuple(
        (
            int(row["age_from"]),
            int(row["age_to"]),
            row["sex"].strip().upper(),
            row["symptom"].strip(),
            int(row["probability_pct"]),
        )
        for row in imaging_pretest_probability().to_dict("records")
    )


@lru_cache(maxsize=4096)
def pretest_probability(age: int, sex: str, symptom: str) -> int | None:
    """Pre-test probability (%) of obstructive coronary disease; None outside the table.

    The table (imaging_pretest_probability.csv) covers ages 30 and over, sex F or M, and the
    symptoms typical, atypical, non_anginal and dyspnea_only.
    """
    sex = (sex or "").strip().upper()
    for age_from, age_to, row_sex, row_symptom, probability in pretest_table():
        if age_from <= age <= age_to and row_sex == sex and row_symptom == symptom:
            return probability
    return None


def _low_back_pain(spec: CriterionSpec, request: ProgramRequest, details: ImagingDetails) -> bool | None:
    # ACR Appropriateness Criteria Low Back Pain (2021) and Chou et al. 2007: any red flag, or
    # at least 6 weeks of symptoms and of conservative care; see the row's source.
    if spec.values("red_flags") & set(details.red_flags):
        return True
    needed = (
        (details.weeks_of_symptoms, spec.number("min_weeks_symptoms")),
        (details.weeks_conservative_care, spec.number("min_weeks_conservative_care")),
    )
    if any(weeks is not None and weeks < minimum for weeks, minimum in needed):
        return False
    if any(weeks is None for weeks, _ in needed):
        return None
    return True


def _headache(spec: CriterionSpec, request: ProgramRequest, details: ImagingDetails) -> bool | None:
    # ACR Appropriateness Criteria Headache (2019), variants 1-3: a listed red flag, or a new or
    # worsening headache at age 50 or older; see the row's source.
    flags = set(details.red_flags)
    if spec.values("red_flags") & flags:
        return True
    return bool(
        spec.parameters.get("new_pattern_flag") in flags
        and request.member_age >= spec.number("new_pattern_min_age")
    )


def _coronary(spec: CriterionSpec, request: ProgramRequest, details: ImagingDetails) -> bool | None:
    # 2019 ESC chronic coronary syndromes guideline / 2021 AHA/ACC chest pain guideline:
    # pre-test probability above 15% -> test; 5-15% -> test when a modifier (risk factor)
    # raises the clinical likelihood; 5% or less -> no test by default. A recent abnormal or
    # inconclusive non-invasive test also supports testing. See the row's source for the [K]s.
    pre_exam = details.cardiac
    if pre_exam is None:
        return None
    window = spec.number("prior_test_months")
    if any(
        test.test in NON_INVASIVE_TESTS
        and test.result in ("abnormal", "inconclusive")
        and test.months_ago is not None
        and test.months_ago <= window
        for test in pre_exam.prior_tests
    ):
        return True
    if pre_exam.chest_pain_type == "none":
        return False
    sex = (request.member_sex or "").strip().upper()
    if sex not in ("F", "M"):
        return None
    probability = pretest_probability(request.member_age, sex, pre_exam.chest_pain_type)
    if probability is None:
        return None  # under 30: the published table has no row
    if probability > spec.number("high_above_pct"):
        return True
    return bool(probability > spec.number("low_at_or_below_pct") and pre_exam.risk_factors)


def _known_cancer(spec: CriterionSpec, request: ProgramRequest, details: ImagingDetails) -> bool | None:
    # CMS NCD 220.6.17 (PET) and the ACR/NCCN cancer documents (CT): staging or follow-up of a
    # known cancer.
    return details.clinical_indication == "known_cancer"


def _indication_only(spec: CriterionSpec, request: ProgramRequest, details: ImagingDetails) -> bool | None:
    # The row's indications are themselves the criterion (e.g. infarct-avid imaging for suspected
    # cardiac amyloidosis); see the row's source.
    return spec.applies_to(details.clinical_indication)


def _prior_cta(spec: CriterionSpec, request: ProgramRequest, details: ImagingDetails) -> bool | None:
    # FFR-CT reads the data of a coronary CTA already done: an abnormal one within the window.
    if details.cardiac is None:
        return None
    return any(
        test.test == spec.parameters["prior_test"]
        and test.result == spec.parameters["prior_result"]
        and test.months_ago is not None
        and test.months_ago <= spec.number("prior_test_months")
        for test in details.cardiac.prior_tests
    )


Evaluator = Callable[[CriterionSpec, ProgramRequest, ImagingDetails], bool | None]
EVALUATORS: dict[str, Evaluator] = {
    "lumbar_mri_low_back_pain": _low_back_pain,
    "brain_mri_headache": _headache,
    "head_ct_headache": _headache,
    "cardiac_chest_pain": _coronary,
    "pet_cancer": _known_cancer,
    "ct_cancer": _known_cancer,
    "infarct_amyloid": _indication_only,
    "ffr_ct": _prior_cta,
}
SITE_OF_CARE_SET = "site_of_care"


@lru_cache(maxsize=1)
def _specs_by_code() -> Mapping[str, tuple[CriterionSpec, ...]]:
    by_code: dict[str, list[CriterionSpec]] = {}
    for spec in criterion_specs():
        if spec.set_id == SITE_OF_CARE_SET:
            continue
        if spec.set_id not in EVALUATORS:
            raise ValueError(f"imaging_criteria.csv: no rule is written for set {spec.set_id}")
        for code in spec.codes:
            by_code.setdefault(code, []).append(spec)
    return MappingProxyType({code: tuple(specs) for code, specs in by_code.items()})


@lru_cache(maxsize=1)
def _site_of_care_spec() -> CriterionSpec | None:
    return next((spec for spec in criterion_specs() if spec.set_id == SITE_OF_CARE_SET), None)


PRE_EXAM_SKIPPED = (
    "the cardiac pre-exam questions were skipped (they are voluntary; answered, a request that meets "
    "the criteria is approved at once)"
)


def _why_unknown(spec: CriterionSpec, request: ProgramRequest, details: ImagingDetails | None) -> str:
    """Why a criterion cannot be checked, when the answers say: an adult's skipped pre-exam."""
    if (
        details is not None
        and spec.set_id in ("cardiac_chest_pain", "ffr_ct")
        and details.cardiac is None
        and needs_cardiac_pre_exam(details.modality, request.member_age)
    ):
        return PRE_EXAM_SKIPPED
    return ""


def _criteria_for(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    code = (code or "").strip().upper()
    details = request.details if isinstance(request.details, ImagingDetails) else None
    indication = details.clinical_indication if details else ""
    results = [
        CriterionResult(
            spec.criterion_id,
            spec.text,
            spec.citation,
            EVALUATORS[spec.set_id](spec, request, details) if details else None,
            _why_unknown(spec, request, details),
        )
        for spec in _specs_by_code().get(code, ())
        if spec.applies_to(indication)
    ]
    site_spec = _site_of_care_spec()
    if (
        site_spec is not None
        and details is not None
        and _code_categories().get(code) in site_spec.values("modalities")
        and details.site_of_care in site_spec.values("site")
    ):
        # A physician decides whether the hospital setting is needed: never automatic.
        results.append(CriterionResult(site_spec.criterion_id, site_spec.text, site_spec.citation, None))
    return results or None


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.IMAGING,
    label=Program.IMAGING.label,
    details_schema=ImagingDetails,
    validity_policy=_validity_days,
    code_index=_code_index,
    criteria=_criteria_for,
    peer_to_peer=PeerToPeerPolicy(specialties=(Specialty.RADIOLOGY, Specialty.CARDIOLOGY)),
)
