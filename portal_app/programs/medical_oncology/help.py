"""The help page's guide to the medical oncology program and its "what you need before you start"
checklist, derived from the program's criteria data (see portal_app/domain/help.py)."""

from __future__ import annotations

from portal_app.domain.dosing import DOSE_DEVIATION_LIMIT, DoseBasis
from portal_app.domain.enums import Program
from portal_app.domain.guidelines import GuidelineCriterion
from portal_app.domain.guides import ChecklistItem, ProgramGuide, and_, lowered, num, or_, semi
from portal_app.programs.medical_oncology import domain as med_onc

# ---------------------------------------------------------------------------------------------
# Medical oncology (oncology_regimens.csv, oncology_supportive.csv)
# ---------------------------------------------------------------------------------------------


def checklist() -> tuple[ChecklistItem, ...]:
    biomarkers = tuple(
        f"{med_onc.CANCER_TYPE_LABELS[cancer]}: "
        f"{semi(lowered(q.label for q in med_onc.biomarker_questions(cancer)))}"
        for cancer in med_onc.CANCER_TYPES
        if med_onc.biomarker_questions(cancer)
    )
    no_biomarkers = lowered(
        med_onc.CANCER_TYPE_LABELS[c] for c in med_onc.CANCER_TYPES if not med_onc.biomarker_questions(c)
    )
    carboplatin = tuple(
        regimen.name
        for regimen in med_onc.all_regimens()
        if any(drug.dose_basis is DoseBasis.AUC for drug in regimen.drugs)
    )
    supportive = tuple(
        f"{drug.label}: {or_(lowered(label for _, label in drug.secondary_prefixes))}"
        for drug in med_onc.supportive_drugs().values()
    )
    items = [
        ChecklistItem(
            "The cancer type, the setting (for example after surgery or metastatic), the line of therapy "
            "and the goal of treatment.",
            source="medical_oncology.py (cancer, setting, line)",
        ),
        ChecklistItem(
            "The biomarker results that choose a regimen, for the cancer treated:",
            "",
            biomarkers + ((f"None are asked for {or_(no_biomarkers)}.",) if no_biomarkers else ()),
            "oncology_regimens.csv (biomarkers column)",
        ),
        ChecklistItem(
            "The member's height and weight, for doses per body surface area or per kilogram.",
            source="oncology_regimens.csv (dose basis)",
        ),
    ]
    if carboplatin:
        items.append(
            ChecklistItem(
                "A recent serum creatinine: the carboplatin dose depends on it.",
                semi(carboplatin),
                (),
                "oncology_regimens.csv (AUC doses)",
            )
        )
    items += [
        ChecklistItem(
            "The regimen: one of the pathway regimens the wizard lists for the profile, or the name of "
            "another regimen and the reason for it.",
            source="oncology_regimens.csv",
        ),
        ChecklistItem(
            f"The cycles requested, the cycle length, the start date of the first cycle and each drug's "
            f"dose and days. Doses within {num(DOSE_DEVIATION_LIMIT * 100)} % of the pathway dose meet "
            f"the criterion.",
            source="oncology_regimens.csv; dosing.py (DOSE_DEVIATION_LIMIT)",
            citation=med_onc.CITATION_DOSE,
        ),
    ]
    if supportive:
        items.append(
            ChecklistItem(
                "For a supportive drug: a cancer as the primary diagnosis, and as the secondary diagnosis "
                "the condition the cancer or its treatment caused:",
                "",
                supportive,
                "oncology_supportive.csv",
                med_onc.CITATION_FAQ,
            )
        )
    return tuple(items)


def _rule(criterion_id: str, text: str, citation: str) -> GuidelineCriterion:
    return GuidelineCriterion(criterion_id, text, citation, citation)


def rules() -> tuple[GuidelineCriterion, ...]:
    """The criteria the program checks in code (it has no criteria rows in its reference data), with the
    citations the engine records, for the help page's list of criteria and sources. A trailing * stands
    for one criterion per drug (onc_dose_<drug>, onc_supportive_<drug>_diagnosis)."""
    return (
        _rule("onc_primary_cancer_diagnosis", "The primary diagnosis is a cancer.", med_onc.CITATION_FAQ),
        _rule(
            "onc_diagnosis_matches_cancer_type",
            "The primary diagnosis is a code of the cancer type requested.",
            med_onc.CITATION_DIAGNOSIS,
        ),
        _rule(
            "onc_on_pathway",
            "The regimen is on the pathway for the cancer, setting and line of therapy; an off-pathway "
            "regimen goes to a reviewer with the prescriber's reason.",
            med_onc.CITATION_PATHWAY,
        ),
        _rule(
            "onc_biomarkers_consistent", "The biomarker results fit the regimen.", med_onc.CITATION_PATHWAY
        ),
        _rule(
            "onc_cycles_within_regimen",
            "The cycles and their length fit the regimen.",
            med_onc.CITATION_PATHWAY,
        ),
        _rule(
            "onc_drugs_and_days_match",
            "The drugs and days of administration are those of the regimen.",
            med_onc.CITATION_PATHWAY,
        ),
        _rule(
            "onc_dose_*",
            f"Each drug's dose is within {num(DOSE_DEVIATION_LIMIT * 100)} % of the pathway dose, or a "
            "reviewer weighs the prescriber's reason.",
            med_onc.CITATION_DOSE,
        ),
        _rule(
            "onc_supportive_*",
            "For a supportive drug: the primary diagnosis is a cancer and the secondary diagnosis is a "
            "condition the cancer or its treatment caused.",
            med_onc.CITATION_SUPPORTIVE,
        ),
        _rule(
            "onc_code_in_request",
            "Each drug code requested belongs to the regimen requested.",
            med_onc.CITATION_PATHWAY,
        ),
    )


def guide() -> ProgramGuide:
    return ProgramGuide(
        program=Program.MEDICAL_ONCOLOGY.value,
        title=Program.MEDICAL_ONCOLOGY.label,
        anchor="help-medical-oncology",
        covers=f"Cancer drug treatment for {and_(lowered(med_onc.CANCER_TYPE_LABELS.values()))}, and the "
        f"supportive drugs {and_(lowered(d.label for d in med_onc.supportive_drugs().values()))}.",
        wizard_asks=(
            "The cancer, the setting, the line of therapy and the goal of treatment.",
            "Only the biomarker questions that choose a regimen for that cancer.",
            "The pathway regimens for that profile, before any dosing; then each drug's dose, cycles and "
            "days.",
            "The diagnoses, on the same step.",
        ),
        decided_at_once=(
            "A pathway regimen whose biomarkers, cycles, days and doses all fit is authorized at once for "
            "the requested cycles. Another regimen, or anything outside the pathway, goes to an oncology "
            "nurse.",
            "A primary diagnosis that is not a cancer, or a supportive drug without the condition caused by "
            "the cancer or its treatment as the secondary diagnosis: the program does not review it, and "
            "the wizard stops and says so.",
        ),
        validity=(
            "Through the last day of the last requested cycle; the date of service is the first day of the "
            "first requested cycle."
        ),
        checklist=checklist(),
    )
