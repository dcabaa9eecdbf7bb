"""The musculoskeletal program: spine, joint and small joint surgery, and interventional pain.

Scope (program FAQ, shared/seeds/003, "What is included"): spine surgery (fusion by region,
laminectomy, discectomy including automated percutaneous and endoscopic, disc replacement,
sacroiliac joint fusion, deformity, vertebroplasty/kyphoplasty, bone growth stimulators, bone
grafts), joint surgery (hip, knee and shoulder replacement and arthroscopy, osteochondral
defects, meniscal allograft), small joint surgery (total ankle, hammertoe, bunion, stiff big
toe, big-toe fusion) and interventional pain management (epidural injections, facet injections
and medial branch blocks, facet radiofrequency ablation, spinal cord stimulators, sympathetic
blocks, sacroiliac joint injections, epidural adhesiolysis, thermal intradiscal procedures).
Revisions are included. Inpatient and outpatient settings are both reviewed.

Rules from the same FAQ, each with its own function below:
* validity: outpatient surgery 60 calendar days; inpatient surgery the date of service plus the
  plan's initial goal length of stay; pain management 10 business days (`validity_end`);
* 62320 and 62322 with a primary diagnosis G89.11, G89.12 or G89.18 are notification only
  (`notification_only`);
* acute fractures, trauma and neurological conditions presenting in the emergency room need no
  request (`no_request_needed`).

Reference data (each row with its source) in `portal_app/reference/`: `msk_codes.csv` (codes per
plan and year, each with its procedure; our own labels; CPT is a registered trademark of the
American Medical Association), `msk_inpatient_los.csv` (default length of stay per plan and
category), `msk_criteria.csv` (criteria, thresholds, citations) and `msk_injection_limits.csv`
(injection sessions per rolling 12 months and days between sessions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from portal_app import reference
from portal_app.domain.calendar import add_business_days, is_business_day
from portal_app.domain.conversation import PeerToPeerPolicy
from portal_app.domain.enums import PeerToPeerMode, Program, Specialty
from portal_app.domain.program_answers import choice as _choice
from portal_app.domain.program_answers import choices as _choices
from portal_app.domain.program_answers import text as _text
from portal_app.domain.program_answers import whole_number as _whole_number
from portal_app.domain.program_types import ManagedCode, PriorService, ProgramDefinition, ProgramRequest
from portal_app.domain.rules import CriterionResult
from portal_app.domain.validation import plain_errors
from portal_app.reference.icd10 import normalize_icd10_code

# ---------------------------------------------------------------------------------------------
# Choices and their labels (the wizard shows the labels; the database stores the values)
# ---------------------------------------------------------------------------------------------

Category = Literal["spine", "joint", "small_joint", "pain"]
CATEGORIES: tuple[str, ...] = get_args(Category)
CATEGORY_LABELS: dict[str, str] = {
    "spine": "Spine surgery",
    "joint": "Joint surgery (hip, knee, shoulder)",
    "small_joint": "Small joint surgery (ankle and foot)",
    "pain": "Interventional pain management",
}

Procedure = Literal[
    "cervical_fusion",
    "thoracic_fusion",
    "lumbar_fusion",
    "laminectomy",
    "discectomy",
    "percutaneous_discectomy",
    "disc_arthroplasty",
    "si_joint_fusion",
    "deformity_correction",
    "vertebral_augmentation",
    "bone_growth_stimulator",
    "bone_graft",
    "hip_arthroplasty",
    "knee_arthroplasty",
    "shoulder_arthroplasty",
    "hip_arthroscopy",
    "knee_arthroscopy",
    "shoulder_arthroscopy",
    "osteochondral_defect",
    "meniscal_allograft",
    "total_ankle",
    "hammertoe",
    "bunionectomy",
    "hallux_rigidus",
    "first_toe_arthrodesis",
    "epidural_injection",
    "facet_injection",
    "facet_rfa",
    "spinal_cord_stimulator",
    "sympathetic_block",
    "si_joint_injection",
    "epidural_adhesiolysis",
    "thermal_intradiscal",
]
PROCEDURES: tuple[str, ...] = get_args(Procedure)
PROCEDURE_LABELS: dict[str, str] = {
    "cervical_fusion": "Neck spine fusion (cervical)",
    "thoracic_fusion": "Mid-back spine fusion (thoracic)",
    "lumbar_fusion": "Lower back spine fusion (lumbar)",
    "laminectomy": "Laminectomy (opening the spinal canal)",
    "discectomy": "Disc removal (discectomy)",
    "percutaneous_discectomy": "Disc removal through a needle or endoscope",
    "disc_arthroplasty": "Artificial disc replacement",
    "si_joint_fusion": "Sacroiliac joint fusion",
    "deformity_correction": "Spinal curvature correction (scoliosis or kyphosis)",
    "vertebral_augmentation": "Vertebroplasty or kyphoplasty (bone cement)",
    "bone_growth_stimulator": "Bone growth stimulator",
    "bone_graft": "Bone graft for spine surgery",
    "hip_arthroplasty": "Hip replacement",
    "knee_arthroplasty": "Knee replacement",
    "shoulder_arthroplasty": "Shoulder replacement",
    "hip_arthroscopy": "Hip arthroscopy",
    "knee_arthroscopy": "Knee arthroscopy",
    "shoulder_arthroscopy": "Shoulder arthroscopy",
    "osteochondral_defect": "Cartilage and bone defect repair (osteochondral)",
    "meniscal_allograft": "Meniscus transplant",
    "total_ankle": "Total ankle replacement",
    "hammertoe": "Hammertoe correction",
    "bunionectomy": "Bunion correction (bunionectomy)",
    "hallux_rigidus": "Stiff big toe (hallux rigidus) surgery",
    "first_toe_arthrodesis": "Big-toe joint fusion",
    "epidural_injection": "Epidural steroid injection",
    "facet_injection": "Facet joint injection or medial branch block",
    "facet_rfa": "Facet nerve radiofrequency ablation",
    "spinal_cord_stimulator": "Spinal cord stimulator",
    "sympathetic_block": "Sympathetic nerve block",
    "si_joint_injection": "Sacroiliac joint injection",
    "epidural_adhesiolysis": "Epidural adhesiolysis (scar tissue release)",
    "thermal_intradiscal": "Heat treatment inside a disc (thermal intradiscal)",
}
PROCEDURES_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "spine": PROCEDURES[:12],
    "joint": PROCEDURES[12:20],
    "small_joint": PROCEDURES[20:25],
    "pain": PROCEDURES[25:],
}
CATEGORY_OF_PROCEDURE: dict[str, str] = {
    procedure: category for category, procedures in PROCEDURES_BY_CATEGORY.items() for procedure in procedures
}
# Fusions a spine bone graft can go with (criterion BG-1).
FUSION_PROCEDURES: frozenset[str] = frozenset(
    {"cervical_fusion", "thoracic_fusion", "lumbar_fusion", "si_joint_fusion", "deformity_correction"}
)
SURGERY_CATEGORIES: frozenset[str] = frozenset({"spine", "joint", "small_joint"})

Setting = Literal["outpatient", "inpatient"]
SETTINGS: tuple[str, ...] = get_args(Setting)
SETTING_LABELS: dict[str, str] = {
    "outpatient": "Outpatient (same-day surgery center or hospital outpatient)",
    "inpatient": "Inpatient (hospital admission)",
}

SpineRegion = Literal["cervical", "thoracic", "lumbar", "sacral", "sacroiliac"]
SPINE_REGIONS: tuple[str, ...] = get_args(SpineRegion)
SPINE_REGION_LABELS: dict[str, str] = {
    "cervical": "Neck (cervical)",
    "thoracic": "Mid-back (thoracic)",
    "lumbar": "Lower back (lumbar)",
    "sacral": "Tailbone area (sacral, caudal)",
    "sacroiliac": "Sacroiliac joint",
}
# Procedures that are done in one spinal region, and the regions offered. A single region is
# filled in by itself (a lumbar fusion is in the lumbar spine).
PROCEDURE_REGIONS: dict[str, tuple[str, ...]] = {
    "cervical_fusion": ("cervical",),
    "thoracic_fusion": ("thoracic",),
    "lumbar_fusion": ("lumbar",),
    "laminectomy": ("cervical", "thoracic", "lumbar"),
    "discectomy": ("cervical", "thoracic", "lumbar"),
    "percutaneous_discectomy": ("lumbar",),
    "disc_arthroplasty": ("cervical", "lumbar"),
    "si_joint_fusion": ("sacroiliac",),
    "vertebral_augmentation": ("cervical", "thoracic", "lumbar", "sacral"),
    "epidural_injection": ("cervical", "thoracic", "lumbar", "sacral"),
    "facet_injection": ("cervical", "thoracic", "lumbar"),
    "facet_rfa": ("cervical", "thoracic", "lumbar"),
    "si_joint_injection": ("sacroiliac",),
    "thermal_intradiscal": ("lumbar",),
}
# Procedures counted in spinal levels (vertebrae or discs treated).
LEVEL_PROCEDURES: frozenset[str] = frozenset(
    {
        "cervical_fusion",
        "thoracic_fusion",
        "lumbar_fusion",
        "laminectomy",
        "discectomy",
        "percutaneous_discectomy",
        "disc_arthroplasty",
        "deformity_correction",
        "vertebral_augmentation",
        "epidural_injection",
        "facet_injection",
        "facet_rfa",
        "thermal_intradiscal",
    }
)
# 7 cervical + 12 thoracic + 5 lumbar vertebrae: no request can treat more levels than that.
MAX_SPINE_LEVELS = 24

Side = Literal["left", "right", "bilateral", "not_applicable"]
SIDES: tuple[str, ...] = get_args(Side)
SIDE_LABELS: dict[str, str] = {
    "left": "Left",
    "right": "Right",
    "bilateral": "Both sides",
    "not_applicable": "Not applicable",
}
# Procedures on a paired joint: the request must say which side.
SIDED_PROCEDURES: frozenset[str] = frozenset(
    PROCEDURES_BY_CATEGORY["joint"]
    + PROCEDURES_BY_CATEGORY["small_joint"]
    + ("si_joint_fusion", "si_joint_injection")
)

ImagingFinding = Literal[
    "nerve_compression",
    "instability",
    "deformity",
    "pseudarthrosis",
    "vertebral_fracture",
    "advanced_arthritis",
    "avascular_necrosis",
    "structural_tear",
    "impingement",
    "cartilage_defect",
    "meniscus_deficient",
    "foot_deformity",
]
IMAGING_FINDINGS: tuple[str, ...] = get_args(ImagingFinding)
IMAGING_FINDING_LABELS: dict[str, str] = {
    "nerve_compression": "A nerve root or the spinal cord is pressed on, matching the symptoms",
    "instability": "A slipped vertebra or abnormal movement between vertebrae (instability)",
    "deformity": "A spinal curvature (scoliosis or kyphosis) measured on standing X-rays",
    "pseudarthrosis": "An earlier spinal fusion that has not healed",
    "vertebral_fracture": "A painful vertebral compression fracture or vertebral tumour",
    "advanced_arthritis": "Advanced arthritis (marked narrowing of the joint space, bone on bone)",
    "avascular_necrosis": "Bone death in the joint (avascular necrosis)",
    "structural_tear": "A tear of a meniscus, ligament, labrum or rotator cuff (MRI)",
    "impingement": "Hip impingement shape (femoroacetabular impingement)",
    "cartilage_defect": "A defined cartilage or bone-and-cartilage defect",
    "meniscus_deficient": "The meniscus is missing or mostly removed",
    "foot_deformity": "A toe or forefoot deformity (bunion, hammertoe) on X-rays",
}
FINDINGS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "spine": ("nerve_compression", "instability", "deformity", "pseudarthrosis", "vertebral_fracture"),
    "joint": (
        "advanced_arthritis",
        "avascular_necrosis",
        "structural_tear",
        "impingement",
        "cartilage_defect",
        "meniscus_deficient",
    ),
    "small_joint": ("advanced_arthritis", "avascular_necrosis", "foot_deformity"),
    "pain": ("nerve_compression", "vertebral_fracture"),
}

WarningSign = Literal[
    "progressive_neurologic_deficit",
    "cauda_equina",
    "myelopathy",
    "tumor_or_infection",
    "mechanical_locking",
    "acute_traumatic_tear",
]
WARNING_SIGNS: tuple[str, ...] = get_args(WarningSign)
WARNING_SIGN_LABELS: dict[str, str] = {
    "progressive_neurologic_deficit": "Weakness or numbness that is getting worse",
    "cauda_equina": "Signs of cauda equina syndrome (new bladder or bowel problems, saddle numbness)",
    "myelopathy": "Signs of spinal cord compression (clumsy hands, unsteady walking)",
    "tumor_or_infection": "A tumour or an infection in the area",
    "mechanical_locking": "The joint locks or catches",
    "acute_traumatic_tear": "A recent injury with a tear that needs early repair",
}
WARNING_SIGNS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "spine": ("progressive_neurologic_deficit", "cauda_equina", "myelopathy", "tumor_or_infection"),
    "joint": ("mechanical_locking", "acute_traumatic_tear", "tumor_or_infection"),
    "small_joint": ("tumor_or_infection",),
    "pain": ("progressive_neurologic_deficit", "cauda_equina"),
}

NonunionRisk = Literal["prior_failed_fusion", "multilevel_fusion"]
NONUNION_RISKS: tuple[str, ...] = get_args(NonunionRisk)
NONUNION_RISK_LABELS: dict[str, str] = {
    "prior_failed_fusion": "An earlier fusion at the same place did not heal",
    "multilevel_fusion": "The fusion spans 3 or more vertebrae",
}

EmergencyPresentation = Literal["none", "acute_fracture", "trauma", "neurological"]
EMERGENCY_PRESENTATIONS: tuple[str, ...] = get_args(EmergencyPresentation)
EMERGENCY_LABELS: dict[str, str] = {
    "none": "No: a planned (non-emergency) procedure",
    "acute_fracture": "Yes: an acute fracture seen in the emergency room",
    "trauma": "Yes: an injury (trauma) seen in the emergency room",
    "neurological": "Yes: a neurological emergency seen in the emergency room",
}

MAX_WEEKS = 520  # ten years
CLINICAL_NOTES_MAX = 4000
MAX_DIAGNOSTIC_BLOCKS = 10

# ---------------------------------------------------------------------------------------------
# Rules from the program FAQ (shared/seeds/003)
# ---------------------------------------------------------------------------------------------

# "Acute fractures or trauma and neurological conditions that present in the emergency room do
# not require preauthorization."
EMERGENCY_WHAT: dict[str, str] = {
    "acute_fracture": "acute fractures",
    "trauma": "injuries (trauma)",
    "neurological": "neurological conditions",
}
NO_REQUEST_MESSAGE = (
    "No prior authorization is needed: the program does not review {what} that present in the "
    "emergency room. Treat the patient; there is nothing to submit here."
)

# "Preauthorization is required for notification purposes only ... when CPT 62320 and 62322
# are used for post-procedural pain with any of the following ICD-10-CM diagnoses: G89.11,
# G89.12 or G89.18." Read as the primary (first) diagnosis of the request.
NOTIFICATION_CODES: frozenset[str] = frozenset({"62320", "62322"})
NOTIFICATION_DIAGNOSES: frozenset[str] = frozenset({"G89.11", "G89.12", "G89.18"})

# "Unless otherwise required by state law, outpatient spine and joint surgeries are valid for 60
# calendar days. Inpatient spine and joint surgeries are valid for the date of service + initial
# length of stay. Pain management approvals are valid for 10 business days."
OUTPATIENT_SURGERY_VALIDITY_DAYS = 60
PAIN_VALIDITY_BUSINESS_DAYS = 10
# A plan without a default length of stay for the category: CMS's two-midnight benchmark
# (42 CFR 412.3(d)(1)) expects an inpatient admission to span at least two midnights, so an
# inpatient approval covers at least the date of service and the two days after it.
FALLBACK_INPATIENT_LOS_DAYS = 2


def notification_only(code: str, primary_diagnosis: str) -> bool:
    """True when the line is recorded as notification only (no medical necessity review)."""
    normalized_code = (code or "").strip().upper()
    diagnosis = normalize_icd10_code(primary_diagnosis or "")
    return normalized_code in NOTIFICATION_CODES and diagnosis in NOTIFICATION_DIAGNOSES


def _notification_rule(code: str, request: ProgramRequest) -> bool:
    primary = request.diagnosis_codes[0] if request.diagnosis_codes else ""
    return notification_only(code, primary)


def no_request_needed(details_or_inputs: BaseModel | Mapping[str, Any] | None) -> str | None:
    """The message to show when the case needs no request (emergency room), else None.

    Takes validated `MskDetails` or the wizard's raw answers, so it can run before the rest of
    the details are complete.
    """
    if isinstance(details_or_inputs, BaseModel):
        presentation = getattr(details_or_inputs, "emergency_presentation", "none")
    elif isinstance(details_or_inputs, Mapping):
        presentation = details_or_inputs.get("emergency_presentation", "none")
    else:
        return None
    what = EMERGENCY_WHAT.get(str(presentation or "").strip())
    return NO_REQUEST_MESSAGE.format(what=what) if what else None


# ---------------------------------------------------------------------------------------------
# Request details
# ---------------------------------------------------------------------------------------------


def _yes_no(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in {"yes", "true", "1", "on"}:
        return True
    if text in {"no", "false", "0", "off", ""}:
        return False
    raise PydanticCustomError("yes_no", "Answer yes or no for {what}.", {"what": what})


def _percent(value: Any, what: str) -> int | None:
    return _whole_number(value, maximum=100, what=what)


class MskDetails(BaseModel):
    """What a musculoskeletal request says, beyond member, providers, codes and diagnoses."""

    model_config = ConfigDict(extra="ignore")

    # Field order matters: later validators read the earlier, already validated fields.
    emergency_presentation: EmergencyPresentation = "none"
    category: Category
    procedure: Procedure
    setting: Setting
    spine_region: SpineRegion | Literal[""] = Field(default="", validate_default=True)
    levels: int | None = None
    side: Side = Field(default="not_applicable", validate_default=True)
    revision: bool = False
    weeks_conservative_care: int | None = None  # physical therapy, medicines, injections...
    imaging_findings: list[ImagingFinding] = Field(default_factory=list)
    warning_signs: list[WarningSign] = Field(default_factory=list)
    nonunion_risks: list[NonunionRisk] = Field(default_factory=list)
    prior_relief_percent: int | None = None  # relief from the last session of this procedure
    diagnostic_blocks: int | None = None  # diagnostic medial branch blocks done (before an ablation)
    diagnostic_block_relief_percent: int | None = None  # the lowest relief among them
    stimulator_trial_relief_percent: int | None = None
    clinical_notes: str = ""

    @field_validator("emergency_presentation", mode="before")
    @classmethod
    def _emergency(cls, value: Any) -> Any:
        return _choice(value or "none", EMERGENCY_PRESENTATIONS, "whether this is an emergency room case")

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> Any:
        return _choice(value, CATEGORIES, "the kind of procedure")

    @field_validator("procedure", mode="before")
    @classmethod
    def _procedure(cls, value: Any, info: ValidationInfo) -> Any:
        value = _choice(value, PROCEDURES, "the procedure")
        category = info.data.get("category")
        if category and value not in PROCEDURES_BY_CATEGORY[category]:
            raise PydanticCustomError(
                "procedure",
                "Choose a procedure listed under {category}.",
                {"category": CATEGORY_LABELS[category]},
            )
        return value

    @field_validator("setting", mode="before")
    @classmethod
    def _setting(cls, value: Any) -> Any:
        return _choice(value, SETTINGS, "inpatient or outpatient")

    @field_validator("spine_region", mode="before")
    @classmethod
    def _spine_region(cls, value: Any, info: ValidationInfo) -> Any:
        offered = PROCEDURE_REGIONS.get(info.data.get("procedure", ""), ())
        if not offered:
            return ""
        if len(offered) == 1:
            return offered[0]
        if not value:
            raise PydanticCustomError("spine_region", "Say which part of the spine is treated.", {})
        value = _choice(value, SPINE_REGIONS, "the part of the spine")
        if value not in offered:
            raise PydanticCustomError(
                "spine_region",
                "Choose a part of the spine offered for {procedure}.",
                {"procedure": PROCEDURE_LABELS[info.data["procedure"]]},
            )
        return value

    @field_validator("levels", mode="before")
    @classmethod
    def _levels(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("procedure") not in LEVEL_PROCEDURES:
            return None
        levels = _whole_number(value, maximum=MAX_SPINE_LEVELS, what="the number of spinal levels")
        if levels == 0:
            raise PydanticCustomError("levels", "A spine procedure treats at least one level.", {})
        return levels

    @field_validator("side", mode="before")
    @classmethod
    def _side(cls, value: Any, info: ValidationInfo) -> Any:
        value = _choice(value or "not_applicable", SIDES, "the side")
        if info.data.get("procedure") in SIDED_PROCEDURES and value == "not_applicable":
            raise PydanticCustomError("side", "Say which side: left, right or both.", {})
        return value

    @field_validator("revision", mode="before")
    @classmethod
    def _revision(cls, value: Any) -> Any:
        return _yes_no(value, "whether this redoes an earlier operation")

    @field_validator("weeks_conservative_care", mode="before")
    @classmethod
    def _weeks(cls, value: Any) -> Any:
        return _whole_number(value, maximum=MAX_WEEKS, what="the weeks of conservative care")

    @field_validator("imaging_findings", mode="before")
    @classmethod
    def _findings(cls, value: Any) -> Any:
        return _choices(value, IMAGING_FINDINGS, "the imaging findings")

    @field_validator("warning_signs", mode="before")
    @classmethod
    def _warning_signs(cls, value: Any) -> Any:
        return _choices(value, WARNING_SIGNS, "the warning signs")

    @field_validator("nonunion_risks", mode="before")
    @classmethod
    def _nonunion(cls, value: Any) -> Any:
        return _choices(value, NONUNION_RISKS, "the risks of the fusion not healing")

    @field_validator("prior_relief_percent", mode="before")
    @classmethod
    def _prior_relief(cls, value: Any) -> Any:
        return _percent(value, "the relief from the last session (percent)")

    @field_validator("diagnostic_blocks", mode="before")
    @classmethod
    def _blocks(cls, value: Any) -> Any:
        return _whole_number(value, maximum=MAX_DIAGNOSTIC_BLOCKS, what="the number of diagnostic blocks")

    @field_validator("diagnostic_block_relief_percent", mode="before")
    @classmethod
    def _block_relief(cls, value: Any) -> Any:
        return _percent(value, "the relief from the diagnostic blocks (percent)")

    @field_validator("stimulator_trial_relief_percent", mode="before")
    @classmethod
    def _trial_relief(cls, value: Any) -> Any:
        return _percent(value, "the relief during the stimulator trial (percent)")

    @field_validator("clinical_notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        return _text(value, maximum=CLINICAL_NOTES_MAX, what="the clinical notes")


def details_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Plain messages for invalid details ({} when valid), for wizard steps."""
    try:
        MskDetails.model_validate(dict(data))
    except ValidationError as error:
        return plain_errors(error)
    return {}


# ---------------------------------------------------------------------------------------------
# Managed codes (reference data)
# ---------------------------------------------------------------------------------------------


def _table(name: str):  # -> pandas.DataFrame
    # portal_app.reference has named loaders for the imaging files only; read these files through
    # its cached reader (same rules: "#" notes, every cell as text, a source on every row).
    return reference.table(name)


@dataclass(frozen=True)
class MskCode:
    """One managed code of the program, with the procedure it belongs to."""

    code: str
    label: str  # our own plain-language label, never an AMA descriptor
    code_system: str  # CPT or HCPCS
    category: str
    procedure: str
    region: str  # cervical, thoracic, lumbar, cervical_thoracic, lumbar_sacral, sacroiliac or ""
    revision: bool
    source: str

    def managed_code(self) -> ManagedCode:
        return ManagedCode(
            code=self.code,
            label=self.label,
            category=self.procedure,
            notification_only=False,
            body_part=self.region,
            source=self.source,
        )


def _flag(text: str, what: str) -> bool:
    value = text.strip().lower()
    if value not in {"true", "false"}:
        raise ValueError(f"msk_codes.csv: {what} must be true or false")
    return value == "true"


@lru_cache(maxsize=1)
def _code_table() -> Mapping[tuple[str, int], Mapping[str, MskCode]]:
    table: dict[tuple[str, int], dict[str, MskCode]] = {}
    for row in _table("msk_codes.csv").to_dict("records"):
        code = row["code"].strip().upper()
        procedure = row["procedure"].strip()
        if CATEGORY_OF_PROCEDURE.get(procedure) != row["category"].strip():
            raise ValueError(f"msk_codes.csv: {code} has an unknown procedure or the wrong category")
        if _flag(row["notification_only"], f"notification_only ({code})"):
            raise ValueError(f"msk_codes.csv: {code}: notification only comes from the rule, not the file")
        key = (row["plan_code"].strip().upper(), int(row["year"]))
        table.setdefault(key, {})[code] = MskCode(
            code=code,
            label=row["label"].strip(),
            code_system=row["code_system"].strip(),
            category=row["category"].strip(),
            procedure=procedure,
            region=row["region"].strip(),
            revision=_flag(row["revision"], f"revision ({code})"),
            source=row["source"].strip(),
        )
    return MappingProxyType({key: MappingProxyType(codes) for key, codes in table.items()})


@lru_cache(maxsize=1)
def code_facts() -> Mapping[str, MskCode]:
    """Code -> its procedure and region, whatever the plan (a code means the same everywhere)."""
    facts: dict[str, MskCode] = {}
    for codes in _code_table().values():
        for code, item in codes.items():
            known = facts.setdefault(code, item)
            if (known.procedure, known.region, known.label) != (item.procedure, item.region, item.label):
                raise ValueError(f"msk_codes.csv: {code} is described differently for different plans")
    return MappingProxyType(facts)


@lru_cache(maxsize=64)
def _code_index(plan_code: str, year: int) -> Mapping[str, ManagedCode]:
    codes = _code_table().get(((plan_code or "").strip().upper(), int(year)), {})
    return MappingProxyType({code: item.managed_code() for code, item in codes.items()})


def _region_matches(code_region: str, region: str) -> bool:
    return not code_region or not region or region in code_region.split("_")


def _msk_code(item: ManagedCode) -> MskCode:
    """A code of a list in force as the program knows it; one it does not know keeps the list's words
    (no procedure: it fits every procedure)."""
    known = code_facts().get(item.code)
    if known is not None:
        return known
    system = "HCPCS" if item.code[:1].isalpha() else "CPT"
    return MskCode(item.code, item.label, system, "", "", item.body_part, False, item.source)


def _plan_codes(plan_code: str, year: int | None, in_force: Iterable[ManagedCode] | None) -> list[MskCode]:
    if in_force is not None:
        return [_msk_code(item) for item in in_force]
    return list(_code_table().get(((plan_code or "").strip().upper(), int(year or 0)), {}).values())


def codes_for_procedure(
    plan_code: str,
    year: int,
    procedure: str,
    *,
    region: str = "",
    revision: bool | None = None,
    in_force: Iterable[ManagedCode] | None = None,
) -> list[MskCode]:
    """The plan's codes for a procedure in a service year, by code.

    `region` keeps codes that fit that part of the spine (codes that do not name one always
    fit); `revision` True or False keeps only revision or only first-time codes.
    ``in_force``: the list in force for the member's coverage (``services/code_lists``) instead of the
    packaged list; a code the program does not describe fits every narrowing.
    """
    return sorted(
        (
            item
            for item in _plan_codes(plan_code, year, in_force)
            if item.procedure in (procedure, "")
            and _region_matches(item.region, region)
            and (revision is None or not item.procedure or item.revision == revision)
        ),
        key=lambda item: item.code,
    )


def procedure_choices(
    category: str = "",
    *,
    plan_code: str = "",
    year: int | None = None,
    in_force: Iterable[ManagedCode] | None = None,
) -> list[tuple[str, str]]:
    """(value, label) of the procedures to offer, in catalogue order.

    Narrowed to a category when given, and to the procedures the plan manages in the service
    year when both `plan_code` and `year` are given (or to those of the list in force, `in_force`).
    """
    offered = PROCEDURES_BY_CATEGORY.get(category, ()) if category else PROCEDURES
    if in_force is not None or (plan_code and year is not None):
        managed = {item.procedure for item in _plan_codes(plan_code, year, in_force)}
        if "" not in managed:
            offered = tuple(procedure for procedure in offered if procedure in managed)
    return [(procedure, PROCEDURE_LABELS[procedure]) for procedure in offered]


# ---------------------------------------------------------------------------------------------
# Validity
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _los_table() -> Mapping[tuple[str, str], int]:
    table: dict[tuple[str, str], int] = {}
    for row in _table("msk_inpatient_los.csv").to_dict("records"):
        category = row["category"].strip()
        if category not in SURGERY_CATEGORIES:
            raise ValueError(f"msk_inpatient_los.csv: no inpatient stay for category {category!r}")
        days = int(row["default_los_days"])
        if days < 1:
            raise ValueError("msk_inpatient_los.csv: a length of stay is at least one day")
        table[(row["plan_code"].strip().upper(), category)] = days
    return MappingProxyType(table)


def inpatient_default_los(plan_code: str, category: str) -> int:
    """The plan's default initial length of stay (days) for an inpatient surgery of the category."""
    key = ((plan_code or "").strip().upper(), (category or "").strip())
    return _los_table().get(key, FALLBACK_INPATIENT_LOS_DAYS)


def pain_validity_end(service_date: date) -> date:
    """The last day of a pain management approval: the 10th business day.

    The date of service counts as day 1 when it is a business day, as a calendar-day approval
    counts its first day (windows.validity_window); a service date on a weekend or holiday
    starts the count on the next business day.
    """
    first_day_counted = 1 if is_business_day(service_date) else 0
    return add_business_days(service_date, PAIN_VALIDITY_BUSINESS_DAYS - first_day_counted)


def validity_end(plan_code: str, service_date: date, details: BaseModel | None) -> date:
    """The last valid day (inclusive) of an approval, from the category and setting.

    Pain management: 10 business days. Inpatient surgery: the date of service plus the plan's
    initial length of stay (a 3-day stay from Monday is valid through Thursday, the day of
    discharge). Outpatient surgery, or details not given: 60 calendar days, day 1 being the
    date of service.
    """
    category = getattr(details, "category", "")
    if category == "pain":
        return pain_validity_end(service_date)
    if category in SURGERY_CATEGORIES and getattr(details, "setting", "") == "inpatient":
        return service_date + timedelta(days=inpatient_default_los(plan_code, category))
    return service_date + timedelta(days=OUTPATIENT_SURGERY_VALIDITY_DAYS - 1)


# ---------------------------------------------------------------------------------------------
# Injection frequency
# ---------------------------------------------------------------------------------------------

INJECTION_REGION_LABELS: dict[str, str] = {
    "cervical_thoracic": "neck or mid-back (cervical or thoracic)",
    "lumbar_sacral": "lower back (lumbar or sacral)",
    "sacroiliac": "sacroiliac joint",
}


@dataclass(frozen=True)
class InjectionLimit:
    """One row of msk_injection_limits.csv."""

    procedure: str
    max_sessions: int  # per spinal region in a rolling 12 months
    min_days_between: int | None
    citation: str
    source: str

    def text(self) -> str:
        spacing = (
            f", at least {self.min_days_between} days after the last one" if self.min_days_between else ""
        )
        return (
            f"No more than {self.max_sessions} sessions in this spinal region in a rolling 12 months"
            f"{spacing}."
        )


@lru_cache(maxsize=1)
def injection_limits() -> Mapping[str, InjectionLimit]:
    """Procedure -> its frequency limit, as loaded from msk_injection_limits.csv."""
    limits: dict[str, InjectionLimit] = {}
    for row in _table("msk_injection_limits.csv").to_dict("records"):
        procedure = row["procedure"].strip()
        if CATEGORY_OF_PROCEDURE.get(procedure) != "pain":
            raise ValueError(f"msk_injection_limits.csv: {procedure!r} is not a pain procedure")
        spacing = row["min_days_between"].strip()
        limits[procedure] = InjectionLimit(
            procedure=procedure,
            max_sessions=int(row["max_sessions_12_months"]),
            min_days_between=int(spacing) if spacing else None,
            citation=row["citation"].strip(),
            source=row["source"].strip(),
        )
    return MappingProxyType(limits)


def injection_region(region: str) -> str:
    """The spinal region injections are counted in (the LCDs group cervical with thoracic and
    lumbar with sacral, as the injection codes do); "" when unknown."""
    region = (region or "").strip().lower()
    if region in {"cervical", "thoracic", "cervical_thoracic"}:
        return "cervical_thoracic"
    if region in {"lumbar", "sacral", "lumbar_sacral"}:
        return "lumbar_sacral"
    return "sacroiliac" if region == "sacroiliac" else ""


def one_year_before(day: date) -> date:
    """The same calendar day a year earlier (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def earlier_sessions(
    procedure: str, region: str, service_date: date, prior_services: Iterable[PriorService]
) -> list[date]:
    """Dates of earlier sessions of `procedure` in the rolling 12 months before `service_date`.

    The rolling 12 months run from the day after the same date a year earlier up to the day
    before the date of service; all codes of one day make one session. `region` "" counts
    every region (a region that cannot be told apart errs towards counting more).
    """
    window_start = one_year_before(service_date)
    facts = code_facts()
    days: set[date] = set()
    for prior in prior_services:
        item = facts.get((prior.code or "").strip().upper())
        if item is None or item.procedure != procedure:
            continue
        if not window_start < prior.service_date < service_date:
            continue
        # The code's own region wins; a recorded body region fills in for region-free codes.
        prior_region = injection_region(item.region) or injection_region(prior.body_region)
        if region and prior_region and prior_region != region:
            continue
        days.add(prior.service_date)
    return sorted(days)


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def injection_frequency_problems(
    code: str, service_date: date, prior_services: Iterable[PriorService], region: str = ""
) -> list[str]:
    """Plain messages for each frequency limit the injection would break ([] when none).

    The region comes from the code when the code names one, else from `region` (e.g. the
    request's spine region). Codes without a frequency limit give [].
    """
    item = code_facts().get((code or "").strip().upper())
    limit = injection_limits().get(item.procedure) if item else None
    if item is None or limit is None:
        return []
    counted_region = injection_region(item.region) or injection_region(region)
    sessions = earlier_sessions(item.procedure, counted_region, service_date, prior_services)
    what = PROCEDURE_LABELS[item.procedure]
    where = INJECTION_REGION_LABELS.get(counted_region, "spine")
    problems = []
    if len(sessions) + 1 > limit.max_sessions:
        problems.append(
            f"{what}: this would be session {len(sessions) + 1} in the {where} within 12 months; "
            f"at most {limit.max_sessions} are allowed per region in a rolling 12 months "
            f"(earlier sessions: {', '.join(_long_date(day) for day in sessions)})."
        )
    if sessions and limit.min_days_between:
        gap = (service_date - sessions[-1]).days
        if gap < limit.min_days_between:
            problems.append(
                f"{what}: the last session in the {where} was on {_long_date(sessions[-1])}, only "
                f"{gap} days before; sessions must be at least {limit.min_days_between} days apart."
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Criteria
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    """One row of msk_criteria.csv."""

    set_id: str
    criterion_id: str
    applies_to: frozenset[str]  # procedures and/or codes
    parameters: Mapping[str, str]
    text: str
    citation: str
    source: str

    def applies(self, item: MskCode) -> bool:
        return item.procedure in self.applies_to or item.code in self.applies_to

    def values(self, name: str) -> frozenset[str]:
        return frozenset(part for part in self.parameters.get(name, "").split("|") if part)

    def number(self, name: str) -> int:
        return int(self.parameters[name])


def _parse_parameters(text: str) -> Mapping[str, str]:
    pairs = (item.split("=", 1) for item in text.split(";") if item.strip())
    return MappingProxyType({key.strip(): value.strip() for key, value in pairs})


@lru_cache(maxsize=1)
def criterion_specs() -> tuple[CriterionSpec, ...]:
    """Every criterion of the program as loaded from msk_criteria.csv."""
    return tuple(
        CriterionSpec(
            set_id=row["set_id"].strip(),
            criterion_id=row["criterion_id"].strip(),
            applies_to=frozenset(row["applies_to"].split()),
            parameters=_parse_parameters(row["parameters"]),
            text=row["text"].strip(),
            citation=row["citation"].strip(),
            source=row["source"].strip(),
        )
        for row in _table("msk_criteria.csv").to_dict("records")
    )


def _recent_session(request: ProgramRequest, item: MskCode, details: MskDetails) -> bool:
    """Whether the member had this procedure in the same region in the last 12 months."""
    region = injection_region(item.region) or injection_region(details.spine_region)
    return bool(earlier_sessions(item.procedure, region, request.service_date, request.prior_services))


def _at_least(value: int | None, minimum: int) -> bool | None:
    return None if value is None else value >= minimum


def _conservative_care(
    spec: CriterionSpec, request: ProgramRequest, details: MskDetails, item: MskCode
) -> bool | None:
    # Failed conservative care for at least min_weeks, unless a listed warning sign calls for
    # earlier treatment; see the row's source.
    if spec.values("waived_by") & set(details.warning_signs):
        return True
    return _at_least(details.weeks_conservative_care, spec.number("min_weeks"))


def _imaging_findings(
    spec: CriterionSpec, request: ProgramRequest, details: MskDetails, item: MskCode
) -> bool | None:
    return bool(spec.values("findings") & set(details.imaging_findings))


def _nonunion_risk(
    spec: CriterionSpec, request: ProgramRequest, details: MskDetails, item: MskCode
) -> bool | None:
    # CMS NCD 150.2: a spinal bone growth stimulator for a high risk of the fusion not healing.
    return bool(spec.values("risks") & set(details.nonunion_risks))


def _with_fusion(
    spec: CriterionSpec, request: ProgramRequest, details: MskDetails, item: MskCode
) -> bool | None:
    facts = code_facts()
    return any(
        facts[code].procedure in FUSION_PROCEDURES
        for code in ((line or "").strip().upper() for line in request.codes)
        if code in facts
    )


def _repeat_relief(
    spec: CriterionSpec, request: ProgramRequest, details: MskDetails, item: MskCode
) -> bool | None:
    # Only a repeat within 12 months in the same region needs the earlier session to have helped.
    if not _recent_session(request, item, details):
        return True
    return _at_least(details.prior_relief_percent, spec.number("min_relief_pct"))


def _diagnostic_blocks(
    spec: CriterionSpec, request: ProgramRequest, details: MskDetails, item: MskCode
) -> bool | None:
    # A repeat ablation is judged by RFA-2 (relief from the last one), not by new blocks.
    if _recent_session(request, item, details):
        return True
    enough_blocks = _at_least(details.diagnostic_blocks, spec.number("min_blocks"))
    enough_relief = _at_least(details.diagnostic_block_relief_percent, spec.number("min_relief_pct"))
    if enough_blocks is False or enough_relief is False:
        return False
    return None if enough_blocks is None or enough_relief is None else True


def _stimulator_trial(
    spec: CriterionSpec, request: ProgramRequest, details: MskDetails, item: MskCode
) -> bool | None:
    return _at_least(details.stimulator_trial_relief_percent, spec.number("min_relief_pct"))


Evaluator = Callable[[CriterionSpec, ProgramRequest, MskDetails, MskCode], bool | None]
EVALUATORS: dict[str, Evaluator] = {
    "conservative_care": _conservative_care,
    "imaging_findings": _imaging_findings,
    "nonunion_risk": _nonunion_risk,
    "with_fusion": _with_fusion,
    "repeat_relief": _repeat_relief,
    "diagnostic_blocks": _diagnostic_blocks,
    "stimulator_trial": _stimulator_trial,
}
FREQUENCY_CRITERION_ID = "INJ-FREQ"


@lru_cache(maxsize=1)
def _checked_specs() -> tuple[CriterionSpec, ...]:
    specs = criterion_specs()
    for spec in specs:
        if spec.set_id not in EVALUATORS:
            raise ValueError(f"msk_criteria.csv: no rule is written for set {spec.set_id}")
        unknown = {
            name for name in spec.applies_to if name not in CATEGORY_OF_PROCEDURE and name not in code_facts()
        }
        if unknown:
            raise ValueError(f"msk_criteria.csv: {spec.criterion_id} applies to unknown {sorted(unknown)}")
    return specs


def _frequency_result(
    limit: InjectionLimit, request: ProgramRequest, details: MskDetails | None, code: str
) -> CriterionResult:
    region = details.spine_region if details else ""
    problems = injection_frequency_problems(code, request.service_date, request.prior_services, region)
    return CriterionResult(FREQUENCY_CRITERION_ID, limit.text(), limit.citation, not problems)


def _criteria_for(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    item = code_facts().get((code or "").strip().upper())
    if item is None:
        return None
    details = request.details if isinstance(request.details, MskDetails) else None
    results = [
        CriterionResult(
            spec.criterion_id,
            spec.text,
            spec.citation,
            EVALUATORS[spec.set_id](spec, request, details, item) if details else None,
        )
        for spec in _checked_specs()
        if spec.applies(item)
    ]
    limit = injection_limits().get(item.procedure)
    if limit is not None:
        results.append(_frequency_result(limit, request, details, item.code))
    return results or None


PROGRAM: ProgramDefinition = ProgramDefinition(
    code=Program.MUSCULOSKELETAL,
    label=Program.MUSCULOSKELETAL.label,
    details_schema=MskDetails,
    # The usual approval (outpatient surgery); approval_window() gives the exact one per request.
    validity_policy=lambda plan_code: OUTPATIENT_SURGERY_VALIDITY_DAYS,
    code_index=_code_index,
    criteria=_criteria_for,
    notification_rule=_notification_rule,
    validity_end=validity_end,
    no_request_reason=no_request_needed,
    # Seed 003: interventional pain calls go at once to an available physician; spine and joint
    # surgery calls are scheduled. Its reviewers: spine, orthopaedic and neurosurgeons, anaesthesiologists
    # and pain management physicians.
    peer_to_peer=PeerToPeerPolicy(
        mode=PeerToPeerMode.SCHEDULED,
        specialties=(Specialty.SPINE_SURGERY, Specialty.ORTHOPAEDICS, Specialty.NEUROSURGERY),
        categories={
            "pain": PeerToPeerPolicy(
                mode=PeerToPeerMode.IMMEDIATE,
                specialties=(Specialty.PAIN_MEDICINE, Specialty.ANAESTHESIOLOGY),
                source="shared/seeds/003 (About Determinations, 5)",
            ),
            "joint": PeerToPeerPolicy(specialties=(Specialty.ORTHOPAEDICS,), source="shared/seeds/003"),
            "small_joint": PeerToPeerPolicy(specialties=(Specialty.ORTHOPAEDICS,), source="shared/seeds/003"),
        },
        source="shared/seeds/003 (About Determinations, 5)",
    ),
    status_wording={"voluntarily_withdrawn": "Other Impact"},  # program FAQ, shared/seeds/003
)
