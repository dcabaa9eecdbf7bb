"""The radiation oncology program: modality requests, criteria, and the code look-up by plan and year.

Program FAQ (shared/seeds/000, "Viewing radiation therapy CPT codes"): the managed codes vary by
health plan (and line of business) and year; the help-desk look-up shows, for a chosen plan and
year, each code with its description and category (modality), sortable by each column; a code
that is not on the list is not managed by the program and the provider should ask the health
plan. Providers request a *modality* (IMRT, brachytherapy ...), never individual codes.

Reference data: `reference/radiation_codes.csv` in this package (codes per plan and year, with short
descriptions written for this project; CPT is a registered trademark of the American Medical
Association; HCPCS G-codes are public CMS codes). 2026 differs from 2025: IMRT delivery codes
77385/77386 and the Medicare delivery G-codes were deleted and delivery consolidated into
77402/77407/77412 (see the file's source column).

Registered in `PROGRAMS` with its wizard step (`step_state.py` in this package); the look-up is
the help-desk page `portal_app/pages/code_lookup.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from portal_app import reference
from portal_app.domain.code_tables import codes_by_plan_and_year, codes_for
from portal_app.domain.conversation import PeerToPeerPolicy
from portal_app.domain.enums import Program, Specialty
from portal_app.domain.program_types import ManagedCode, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult
from portal_app.domain.validation import plain_errors

# ---------------------------------------------------------------------------------------------
# Modalities and code categories
# ---------------------------------------------------------------------------------------------

Modality = Literal[
    "three_d_conformal",
    "imrt",
    "sbrt",
    "srs",
    "proton",
    "brachytherapy_hdr",
    "brachytherapy_ldr",
    "electrons",
    "superficial",
]
MODALITIES: tuple[str, ...] = get_args(Modality)
MODALITY_LABELS: dict[str, str] = {
    "three_d_conformal": "3D conformal radiation therapy",
    "imrt": "Intensity-modulated radiation therapy (IMRT, including VMAT)",
    "sbrt": "Stereotactic body radiation therapy (SBRT / SABR), outside the brain",
    "srs": "Stereotactic radiosurgery (SRS) of the brain or spine",
    "proton": "Proton beam therapy",
    "brachytherapy_hdr": "Brachytherapy, high dose rate (HDR)",
    "brachytherapy_ldr": "Brachytherapy, low dose rate (LDR), including permanent seeds",
    "electrons": "Electron beam therapy",
    "superficial": "Superficial or orthovoltage x-rays (skin)",
}

CATEGORY_LABELS: dict[str, str] = {
    "planning": "Planning and simulation (any modality)",
    "physics": "Dosimetry, devices and physics (any modality)",
    "management": "Treatment management (any modality)",
    "image_guidance": "Image guidance (IGRT)",
    "external_beam": "External beam delivery (photons or electrons)",
    "three_d_conformal": "3D conformal",
    "imrt": "IMRT",
    "sbrt": "SBRT",
    "srs": "Stereotactic radiosurgery (SRS)",
    "proton": "Proton beam",
    "brachytherapy": "Brachytherapy (HDR or LDR)",
    "brachytherapy_hdr": "Brachytherapy, HDR",
    "brachytherapy_ldr": "Brachytherapy, LDR",
    "superficial": "Superficial or orthovoltage",
}
# Categories a request of any modality may bill (clinical-reference §4.4: "all").
SHARED_CATEGORIES: frozenset[str] = frozenset({"planning", "physics", "management", "image_guidance"})
# The code categories of each modality (clinical-reference §4.4 modality tags; from 2026 IMRT is
# delivered under the general external beam codes, ASTRO News winter 2026).
MODALITY_CATEGORIES: dict[str, frozenset[str]] = {
    "three_d_conformal": frozenset({"three_d_conformal", "external_beam"}),
    "imrt": frozenset({"imrt", "external_beam"}),
    "electrons": frozenset({"external_beam"}),
    "sbrt": frozenset({"sbrt"}),
    "srs": frozenset({"srs"}),
    "proton": frozenset({"proton"}),
    "brachytherapy_hdr": frozenset({"brachytherapy_hdr", "brachytherapy"}),
    "brachytherapy_ldr": frozenset({"brachytherapy_ldr", "brachytherapy"}),
    "superficial": frozenset({"superficial"}),
}

# ---------------------------------------------------------------------------------------------
# Cancer types, sites, intent, proton indications
# ---------------------------------------------------------------------------------------------

RadiationCancerType = Literal[
    "breast",
    "prostate",
    "lung",
    "head_and_neck",
    "cns_primary",
    "brain_metastases",
    "bone_metastases",
    "hepatocellular",
    "gastrointestinal_other",
    "rectal_anal",
    "gynecologic",
    "skin",
    "lymphoma",
    "sarcoma",
    "eye",
    "skull_base",
    "other",
]
CANCER_TYPES: tuple[str, ...] = get_args(RadiationCancerType)
CANCER_TYPE_LABELS: dict[str, str] = {
    "breast": "Breast cancer",
    "prostate": "Prostate cancer",
    "lung": "Lung cancer",
    "head_and_neck": "Head and neck cancer",
    "cns_primary": "Primary tumor of the brain or spinal cord",
    "brain_metastases": "Cancer spread to the brain",
    "bone_metastases": "Cancer spread to bone",
    "hepatocellular": "Liver cancer (hepatocellular)",
    "gastrointestinal_other": "Esophagus, stomach or pancreas cancer",
    "rectal_anal": "Rectal or anal cancer",
    "gynecologic": "Cervix, uterus or other gynecologic cancer",
    "skin": "Skin cancer",
    "lymphoma": "Lymphoma",
    "sarcoma": "Sarcoma",
    "eye": "Eye tumor (for example uveal melanoma)",
    "skull_base": "Skull base tumor (for example chordoma or chondrosarcoma)",
    "other": "Another cancer (describe it in the clinical notes)",
}

TreatmentSite = Literal[
    "brain",
    "head_neck",
    "eye",
    "spine",
    "chest",
    "breast",
    "abdomen",
    "pelvis",
    "prostate",
    "bone",
    "skin",
    "other",
]
TREATMENT_SITES: tuple[str, ...] = get_args(TreatmentSite)
TREATMENT_SITE_LABELS: dict[str, str] = {
    "brain": "Brain",
    "head_neck": "Head and neck",
    "eye": "Eye",
    "spine": "Spine",
    "chest": "Chest and lung",
    "breast": "Breast or chest wall",
    "abdomen": "Abdomen",
    "pelvis": "Pelvis",
    "prostate": "Prostate",
    "bone": "Bone (limbs or pelvis)",
    "skin": "Skin",
    "other": "Another site",
}

Intent = Literal["curative", "palliative"]
INTENTS: tuple[str, ...] = get_args(Intent)
INTENT_LABELS: dict[str, str] = {
    "curative": "Cure (curative intent)",
    "palliative": "Relieve symptoms (palliative intent)",
}

ProtonIndication = Literal[
    "eye_tumor",
    "skull_base_tumor",
    "spine_tumor_cord_limit",
    "hepatocellular",
    "pediatric_solid_tumor",
    "genetic_syndrome",
    "cns_tumor",
    "head_neck_advanced",
    "paranasal_sinus",
    "retroperitoneal_sarcoma",
    "reirradiation",
    "none",
]
PROTON_INDICATIONS: tuple[str, ...] = get_args(ProtonIndication)
PROTON_INDICATION_LABELS: dict[str, str] = {
    "eye_tumor": "Eye tumor, including melanoma inside the eye",
    "skull_base_tumor": "Tumor at or near the skull base, such as chordoma or chondrosarcoma",
    "spine_tumor_cord_limit": "Spine tumor where photons would exceed the spinal cord's dose limit",
    "hepatocellular": "Liver cancer (hepatocellular)",
    "pediatric_solid_tumor": "Solid tumor in a child (18 or younger) treated for cure",
    "genetic_syndrome": (
        "Genetic syndrome that makes keeping radiation dose low crucial (for example NF1 or retinoblastoma)"
    ),
    "cns_tumor": "Primary tumor of the brain or spinal cord, cancerous or not",
    "head_neck_advanced": "Advanced (T4) or inoperable head and neck cancer",
    "paranasal_sinus": "Cancer of the paranasal sinuses",
    "retroperitoneal_sarcoma": "Retroperitoneal sarcoma that has not spread",
    "reirradiation": "Second course of radiation to an area treated before",
    "none": "None of these",
}
# ASTRO Proton Beam Therapy Model Policy (2017), Group 1 indications; cross-checked with CMS LCDs
# L33937 and L36658 and the eviCore 2019 criteria where they list the same indication:
# eye tumors, skull base tumors, CNS tumors, pediatric solid tumors (L33937: age 18 or less),
# retroperitoneal sarcoma and head and neck (L36658) are confirmed; spine tumors near the cord,
# hepatocellular cancer, genetic syndromes, paranasal sinus cancer, T4 head and neck and
# re-irradiation are [K] (from the ASTRO policy as remembered, not confirmed in a stored copy).
PROTON_GROUP_1: frozenset[str] = frozenset(PROTON_INDICATIONS) - {"none"}
PROTON_CITATION = (
    "ASTRO Proton Beam Therapy Model Policy (2017), Group 1; CMS LCD L33937 and L36658 "
    "[K: part of the list not confirmed in a second source]"
)
PEDIATRIC_MAX_AGE = 18  # L33937: pediatric solid tumors, age 18 or less

# Stereotactic courses: CPT 77373 (SBRT) covers a course of at most 5 fractions; 77371/77372
# (SRS) a single session (SRS/SBRT code list, medicarepaymentandreimbursement.com). Fractionated
# SRS of up to 5 sessions is accepted as well [K].
STEREOTACTIC_MAX_FRACTIONS = 5
# SRS treats intracranial and spinal targets (same source).
SRS_SITES: frozenset[str] = frozenset({"brain", "spine"})
# Palliative radiation of uncomplicated bone metastases: 8 Gy x 1, 20 Gy/5, 24 Gy/6 and 30 Gy/10
# control pain equally; longer courses need a reason (ASTRO bone metastases guideline, Lutz 2017) [K].
PALLIATIVE_BONE_MAX_FRACTIONS = 10
# Cancers for which IMRT is accepted without a case-by-case review (ASTRO IMRT Model Policy) [K:
# list from knowledge, not confirmed in a stored copy]; others go to a reviewer.
IMRT_CANCER_TYPES: frozenset[str] = frozenset(
    {
        "prostate",
        "head_and_neck",
        "cns_primary",
        "lung",
        "hepatocellular",
        "gastrointestinal_other",
        "rectal_anal",
        "gynecologic",
        "sarcoma",
        "lymphoma",
        "eye",
        "skull_base",
    }
)

# Plausibility bounds for data entry (not clinical limits): a curative course rarely exceeds
# 45 fractions or 80 Gy; 50 and 100 leave room for unusual schedules.
MAX_FRACTIONS = 50
MAX_TOTAL_DOSE_GY = 100.0
MAX_DOSE_PER_FRACTION_GY = 30.0  # above single-fraction radiosurgery doses (up to 24 Gy)
CLINICAL_NOTES_MAX = 4000


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> Any:
    if value is None or value == "":
        raise PydanticCustomError("missing", "Please answer this question.", {})
    if value not in allowed:
        raise PydanticCustomError("choice", "Choose one of the options offered for {what}.", {"what": what})
    return value


class RadiationOncologyDetails(BaseModel):
    """What a radiation oncology request says: modality (never codes), course and indication."""

    model_config = ConfigDict(extra="ignore")

    cancer_type: RadiationCancerType
    treatment_site: TreatmentSite
    modality: Modality
    intent: Intent
    fractions: int
    total_dose_gy: float
    proton_indication: ProtonIndication | None = Field(default=None, validate_default=True)
    clinical_notes: str = ""

    @field_validator("cancer_type", mode="before")
    @classmethod
    def _cancer(cls, value: Any) -> Any:
        return _choice(value, CANCER_TYPES, "the cancer type")

    @field_validator("treatment_site", mode="before")
    @classmethod
    def _site(cls, value: Any) -> Any:
        return _choice(value, TREATMENT_SITES, "the treatment site")

    @field_validator("modality", mode="before")
    @classmethod
    def _modality(cls, value: Any) -> Any:
        return _choice(value, MODALITIES, "the kind of radiation")

    @field_validator("intent", mode="before")
    @classmethod
    def _intent(cls, value: Any) -> Any:
        return _choice(value, INTENTS, "the goal of treatment")

    @field_validator("fractions", mode="before")
    @classmethod
    def _fractions(cls, value: Any) -> Any:
        if isinstance(value, bool) or str(value).strip() not in {str(n) for n in range(1, MAX_FRACTIONS + 1)}:
            raise PydanticCustomError(
                "fractions",
                "Enter the number of treatments (fractions), from 1 to {maximum}.",
                {"maximum": MAX_FRACTIONS},
            )
        return int(value)

    @field_validator("total_dose_gy", mode="before")
    @classmethod
    def _dose(cls, value: Any, info: ValidationInfo) -> Any:
        try:
            dose = float(str(value).strip())
        except ValueError:
            raise PydanticCustomError("dose", "Enter the total dose in Gy.", {}) from None
        if not 0 < dose <= MAX_TOTAL_DOSE_GY:
            raise PydanticCustomError(
                "dose", "Enter a total dose above 0 and up to {maximum} Gy.", {"maximum": MAX_TOTAL_DOSE_GY}
            )
        fractions = info.data.get("fractions")
        if fractions and dose / fractions > MAX_DOSE_PER_FRACTION_GY:
            raise PydanticCustomError(
                "dose",
                "More than {maximum} Gy per fraction: check the total dose and the number of fractions.",
                {"maximum": MAX_DOSE_PER_FRACTION_GY},
            )
        return dose

    @field_validator("proton_indication", mode="before")
    @classmethod
    def _proton(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("modality") != "proton":
            return None  # asked only for proton requests
        return _choice(value, PROTON_INDICATIONS, "the reason for proton therapy")

    @field_validator("clinical_notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        text = "" if value is None else str(value).strip()
        if len(text) > CLINICAL_NOTES_MAX:
            raise PydanticCustomError(
                "too_long",
                "Shorten the clinical notes to {maximum} characters.",
                {"maximum": CLINICAL_NOTES_MAX},
            )
        return text


def details_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for wizard steps."""
    try:
        RadiationOncologyDetails.model_validate(dict(data))
    except ValidationError as error:
        return plain_errors(error)
    return {}


# The citations of the criteria below (the help page lists them with the criteria, programs/.../help.py).
STEREOTACTIC_FRACTIONS_CITATION = (
    "CPT 77373 (SBRT course of at most 5 fractions); 77371/77372 (SRS in one session)"
)
SRS_SITE_CITATION = "CPT 77371/77372: cranial lesions; SBRT for other sites"
SBRT_SITE_CITATION = "CPT 77373: stereotactic body radiation therapy"
IMRT_CITATION = "ASTRO IMRT Model Policy [K: list not confirmed in a second source]"
PALLIATIVE_BONE_CITATION = "ASTRO palliative radiotherapy for bone metastases guideline (Lutz 2017) [K]"
MODALITY_CODES_CITATION = "Program FAQ (shared/seeds/000): providers request a modality, not individual codes"


# ---------------------------------------------------------------------------------------------
# Criteria by cancer type and modality
# ---------------------------------------------------------------------------------------------


def modality_criteria(details: RadiationOncologyDetails, member_age: int) -> list[CriterionResult]:
    """The criteria for the requested modality and cancer; an empty list when none apply."""
    results: list[CriterionResult] = []
    modality = details.modality
    if modality == "proton":
        pediatric = member_age <= PEDIATRIC_MAX_AGE and details.intent == "curative"
        results.append(
            CriterionResult(
                "ro_proton_indication",
                "Proton therapy is for a listed indication (eye, skull base, brain or spinal cord tumor, "
                "children's solid tumors, and the others of the list).",
                PROTON_CITATION,
                details.proton_indication in PROTON_GROUP_1 or pediatric,
            )
        )
    if modality in ("sbrt", "srs"):
        results.append(
            CriterionResult(
                f"ro_{modality}_fractions",
                f"A stereotactic course has at most {STEREOTACTIC_MAX_FRACTIONS} fractions.",
                STEREOTACTIC_FRACTIONS_CITATION,
                details.fractions <= STEREOTACTIC_MAX_FRACTIONS,
            )
        )
    if modality == "srs":
        results.append(
            CriterionResult(
                "ro_srs_site",
                "Radiosurgery treats a target in the brain or spine.",
                SRS_SITE_CITATION,
                details.treatment_site in SRS_SITES,
            )
        )
    if modality == "sbrt":
        results.append(
            CriterionResult(
                "ro_sbrt_site",
                "SBRT treats a target outside the brain (radiosurgery is requested for the brain).",
                SBRT_SITE_CITATION,
                details.treatment_site != "brain",
            )
        )
    if modality == "imrt":
        results.append(
            CriterionResult(
                "ro_imrt_cancer_type",
                f"IMRT is accepted for {CANCER_TYPE_LABELS[details.cancer_type].lower()} without a case "
                "review.",
                IMRT_CITATION,
                details.cancer_type in IMRT_CANCER_TYPES,
            )
        )
    if (
        details.cancer_type == "bone_metastases"
        and details.intent == "palliative"
        and modality
        in (
            "three_d_conformal",
            "imrt",
            "electrons",
        )
    ):
        results.append(
            CriterionResult(
                "ro_palliative_bone_fractions",
                "Palliative treatment of bone metastases uses at most "
                f"{PALLIATIVE_BONE_MAX_FRACTIONS} fractions.",
                PALLIATIVE_BONE_CITATION,
                details.fractions <= PALLIATIVE_BONE_MAX_FRACTIONS,
            )
        )
    return results


# ---------------------------------------------------------------------------------------------
# Managed codes per plan and year (reference data loaded with pandas)
# ---------------------------------------------------------------------------------------------


RADIATION_CODES = "radiation_codes.csv"


@lru_cache(maxsize=1)
def _code_table() -> Mapping[tuple[str, int], Mapping[str, ManagedCode]]:
    frame = reference._cached_table(RADIATION_CODES)
    unknown = set(frame["category"].str.strip()) - set(CATEGORY_LABELS)
    if unknown:
        raise ValueError(f"{RADIATION_CODES}: unknown categories {sorted(unknown)}")

    def managed(code: str, row) -> ManagedCode:
        return ManagedCode(
            code=code,
            label=row["description"].strip(),
            category=row["category"].strip(),
            notification_only=False,
            source=row["source"].strip(),
        )

    return codes_by_plan_and_year(frame.to_dict("records"), managed, file=RADIATION_CODES, unique=True)


def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    return codes_for(_code_table(), plan_code, year)


def managed_codes(plan_code: str, year: int) -> list[ManagedCode]:
    """The codes the program manages for the plan in that service year, by code ([] when no list)."""
    return sorted(_code_index(plan_code, year).values(), key=lambda item: item.code)


def is_managed(plan: str, year: int, code: str) -> bool:
    return (code or "").strip().upper() in _code_index(plan, year)


def lookup_plans() -> list[str]:
    """Plans with a code list, for the look-up's plan picker."""
    return sorted({plan for plan, _ in _code_table()})


def lookup_years(plan_code: str) -> list[int]:
    """Years with a code list for the plan, for the look-up's year picker."""
    plan = (plan_code or "").strip().upper()
    return sorted(year for known_plan, year in _code_table() if known_plan == plan)


NOT_MANAGED_MESSAGE = (
    "Code {code} is not on the radiation oncology code list of this plan for {year}: the program "
    "does not manage it. Please contact the health plan about this code."
)


def not_managed_message(plan_code: str, year: int, code: str) -> str | None:
    """The sentence the look-up shows for a code absent from the list; None when it is managed."""
    code = (code or "").strip().upper()
    if is_managed(plan_code, year, code):
        return None
    return NOT_MANAGED_MESSAGE.format(code=code, year=year)


@dataclass(frozen=True)
class CodeLookupRow:
    code: str
    description: str
    category: str  # the label shown
    category_key: str
    code_system: str  # "CPT" or "HCPCS"


SORT_COLUMNS: tuple[str, ...] = ("code", "description", "category")
MAX_FILTER_LENGTH = 100


def code_lookup(
    plan_code: str, year: int, sort_by: str = "code", descending: bool = False, filter_text: str = ""
) -> list[CodeLookupRow]:
    """The help-desk look-up: the plan's codes for the year, filtered and sorted by a column.

    `filter_text` keeps rows whose code, description or category contains it (any case).
    Rows with the same value in the sort column stay in code order.
    """
    return lookup_rows(managed_codes(plan_code, year), sort_by, descending, filter_text)


def lookup_rows(
    items: list[ManagedCode], sort_by: str = "code", descending: bool = False, filter_text: str = ""
) -> list[CodeLookupRow]:
    """``code_lookup`` over a given list (the plan's stored code list for a line of business)."""
    if sort_by not in SORT_COLUMNS:
        raise ValueError(f"Sort by one of: {', '.join(SORT_COLUMNS)}.")
    needle = (filter_text or "").strip().lower()[:MAX_FILTER_LENGTH]
    rows = [
        CodeLookupRow(
            code=item.code,
            description=item.label,
            category=CATEGORY_LABELS.get(item.category, "Other"),
            category_key=item.category,
            code_system="CPT" if item.code[0].isdigit() else "HCPCS",
        )
        for item in sorted(items, key=lambda item: item.code)
    ]
    if needle:
        rows = [row for row in rows if needle in f"{row.code}\n{row.description}\n{row.category}".lower()]
    # Python's sort is stable, also with reverse=True: ties keep the code order.
    return sorted(rows, key=lambda row: getattr(row, sort_by).lower(), reverse=descending)


def codes_for_modality(
    plan_code: str, year: int, modality: str, *, in_force: Iterable[ManagedCode] | None = None
) -> list[ManagedCode]:
    """The plan's managed codes a request for this modality may bill (its own and the shared ones).

    ``in_force``: the list in force for the member's coverage (``services/code_lists``) instead of the
    packaged list; a code the program does not describe fits every narrowing."""
    categories = MODALITY_CATEGORIES[_choice_or_error(modality)] | SHARED_CATEGORIES | {""}
    items = managed_codes(plan_code, year) if in_force is None else sorted(in_force, key=lambda i: i.code)
    return [item for item in items if item.category in categories]


def _choice_or_error(modality: str) -> str:
    if modality not in MODALITIES:
        raise ValueError(f"Unknown modality: {modality!r}.")
    return modality


# ---------------------------------------------------------------------------------------------
# Program definition
# ---------------------------------------------------------------------------------------------

# Program choice for the demo: a course of up to about 9 weeks of daily fractions, plus time to
# schedule it, fits in 90 days. [K: no published validity period for this program was found.]
DEFAULT_VALIDITY_DAYS = 90


def _validity_days(plan_code: str) -> int:
    return DEFAULT_VALIDITY_DAYS


@lru_cache(maxsize=1)
def _code_categories() -> Mapping[str, str]:
    """Code -> category, whatever the plan (a code means the same service everywhere)."""
    return MappingProxyType(
        {code: item.category for codes in _code_table().values() for code, item in codes.items()}
    )


def _criteria_for(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    details = request.details if isinstance(request.details, RadiationOncologyDetails) else None
    if details is None:
        return None
    code = (code or "").strip().upper()
    category = _code_categories().get(code, "")
    allowed = MODALITY_CATEGORIES[details.modality] | SHARED_CATEGORIES
    results = [
        CriterionResult(
            "ro_code_fits_modality",
            f"Code {code} belongs to the requested modality ({MODALITY_LABELS[details.modality]}).",
            MODALITY_CODES_CITATION,
            category in allowed,
        )
    ]
    return results + modality_criteria(details, request.member_age)


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.RADIATION_ONCOLOGY,
    label=Program.RADIATION_ONCOLOGY.label,
    details_schema=RadiationOncologyDetails,
    validity_policy=_validity_days,
    code_index=_code_index,
    criteria=_criteria_for,
    peer_to_peer=PeerToPeerPolicy(specialties=(Specialty.RADIATION_ONCOLOGY, Specialty.ONCOLOGY)),
)
