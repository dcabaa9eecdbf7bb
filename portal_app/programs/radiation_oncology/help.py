"""The help page's guide to the radiation oncology program and its "what you need before you start"
checklist, derived from the program's criteria data (see portal_app/domain/help.py)."""

from __future__ import annotations

from portal_app import routes
from portal_app.domain.enums import Program
from portal_app.domain.guidelines import GuidelineCriterion
from portal_app.domain.guides import (
    GENERAL_DECISION,
    ChecklistItem,
    ProgramGuide,
    days_in,
    lower_first,
    lowered,
    or_,
    semi,
)
from portal_app.programs.radiation_oncology import domain as radiation_oncology

# ---------------------------------------------------------------------------------------------
# Radiation oncology (criteria in radiation_oncology.py; codes in radiation_codes.csv)
# ---------------------------------------------------------------------------------------------


def checklist() -> tuple[ChecklistItem, ...]:
    rad = radiation_oncology
    srs_sites = or_(
        lower_first(rad.TREATMENT_SITE_LABELS[s]) for s in rad.TREATMENT_SITES if s in rad.SRS_SITES
    )
    protons = tuple(
        rad.PROTON_INDICATION_LABELS[i] for i in rad.PROTON_INDICATIONS if i in rad.PROTON_GROUP_1
    )
    return (
        ChecklistItem(
            "The cancer type, the treatment site and the goal of treatment (cure or relief of symptoms).",
            source="radiation_oncology.py",
        ),
        ChecklistItem(
            "The kind of radiation (the modality), not single codes; the codes of that modality are "
            "filled in.",
            source="radiation_oncology.py; radiation_codes.csv",
        ),
        ChecklistItem(
            "The number of treatments (fractions) and the total dose in Gy.", source="radiation_oncology.py"
        ),
        ChecklistItem(
            f"For stereotactic treatment (SBRT or radiosurgery): at most {rad.STEREOTACTIC_MAX_FRACTIONS} "
            f"fractions; radiosurgery treats a target in the {srs_sites}.",
            source="ro_sbrt_fractions, ro_srs_fractions, ro_srs_site",
        ),
        ChecklistItem(
            f"For pain relief of cancer spread to bone: at most {rad.PALLIATIVE_BONE_MAX_FRACTIONS} "
            f"fractions; a longer course is reviewed.",
            source="ro_palliative_bone_fractions",
        ),
        ChecklistItem(
            f"For proton therapy: the reason, one of these (or a child of {rad.PEDIATRIC_MAX_AGE} or younger "
            f"treated for cure):",
            "",
            protons,
            "ro_proton_indication",
            rad.PROTON_CITATION,
        ),
    )


def _rule(criterion_id: str, text: str, citation: str) -> GuidelineCriterion:
    return GuidelineCriterion(criterion_id, text, citation, citation)


def rules() -> tuple[GuidelineCriterion, ...]:
    """The criteria the program checks in code (it has no criteria rows in its reference data), with the
    citations the engine records, for the help page's list of criteria and sources."""
    rad = radiation_oncology
    srs_sites = or_(
        lower_first(rad.TREATMENT_SITE_LABELS[s]) for s in rad.TREATMENT_SITES if s in rad.SRS_SITES
    )
    imrt = semi(lowered(rad.CANCER_TYPE_LABELS[c] for c in rad.CANCER_TYPES if c in rad.IMRT_CANCER_TYPES))
    stereotactic = f"A stereotactic course ({{}}) has at most {rad.STEREOTACTIC_MAX_FRACTIONS} fractions."
    return (
        _rule(
            "ro_code_fits_modality",
            "Each code belongs to the requested modality.",
            rad.MODALITY_CODES_CITATION,
        ),
        _rule(
            "ro_proton_indication",
            f"Proton therapy is for a listed indication, or for a child of {rad.PEDIATRIC_MAX_AGE} or "
            "younger treated for cure.",
            rad.PROTON_CITATION,
        ),
        _rule("ro_sbrt_fractions", stereotactic.format("SBRT"), rad.STEREOTACTIC_FRACTIONS_CITATION),
        _rule("ro_srs_fractions", stereotactic.format("radiosurgery"), rad.STEREOTACTIC_FRACTIONS_CITATION),
        _rule("ro_srs_site", f"Radiosurgery treats a target in the {srs_sites}.", rad.SRS_SITE_CITATION),
        _rule("ro_sbrt_site", "SBRT treats a target outside the brain.", rad.SBRT_SITE_CITATION),
        _rule(
            "ro_imrt_cancer_type",
            f"IMRT is accepted without a case review for these cancers: {imrt}. For other cancers a reviewer "
            "looks at it.",
            rad.IMRT_CITATION,
        ),
        _rule(
            "ro_palliative_bone_fractions",
            f"Palliative treatment of bone metastases uses at most {rad.PALLIATIVE_BONE_MAX_FRACTIONS} "
            "fractions.",
            rad.PALLIATIVE_BONE_CITATION,
        ),
    )


def guide() -> ProgramGuide:
    rad = radiation_oncology
    imrt = semi(lowered(rad.CANCER_TYPE_LABELS[c] for c in rad.CANCER_TYPES if c in rad.IMRT_CANCER_TYPES))
    return ProgramGuide(
        program=Program.RADIATION_ONCOLOGY.value,
        title=Program.RADIATION_ONCOLOGY.label,
        anchor="help-radiation-oncology",
        covers=f"{semi(rad.MODALITY_LABELS.values())}.",
        wizard_asks=(
            "The cancer type, the treatment site and the goal of treatment.",
            "The modality, the number of fractions and the total dose; for proton therapy, the reason.",
        ),
        decided_at_once=(
            "The codes of the requested modality, with its criteria met, are authorized at once.",
            f"IMRT is accepted without a case review for these cancers: {imrt}. For other cancers a reviewer "
            f"looks at it.",
            GENERAL_DECISION,
        ),
        validity=f"{days_in([rad.DEFAULT_VALIDITY_DAYS])} from the date of service.",
        checklist=checklist(),
        see_also=(
            ("The codes each plan manages: ", "radiation therapy code look-up", routes.RADIATION_CODES),
        ),
    )
