"""The help desk's guides: per program, what the wizard asks, what is decided at once, how long an
approval lasts, and a "what you need before you start" checklist.

The checklists and the validity texts are derived from each program's criteria data (the program
modules in ``portal_app/domain/programs/`` and their tables in ``portal_app/reference/``), never
typed twice: a threshold, a warning sign or a question changed in the data changes the help page
with it. A criterion set, criterion or question the help page does not know how to explain raises
``UnknownCriterion`` (so the unit tests fail until a checklist line is written for it).

Pure functions over packaged reference data: no database, no settings. Each checklist item names
where it comes from (``source``: criterion ids and the reference file), as the criteria do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from portal_app import reference
from portal_app.domain import outcome_tools
from portal_app.domain.dosing import DOSE_DEVIATION_LIMIT, DoseBasis
from portal_app.domain.enums import Program
from portal_app.domain.programs import (
    genetic_testing,
    imaging,
    msk,
    outpatient,
    radiation_oncology,
    rehabilitation,
    sleep,
)
from portal_app.domain.programs import medical_oncology as med_onc


class UnknownCriterion(ValueError):
    """The data holds a criterion the help page has no checklist line for."""


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to have ready: plain words, the requests it is for, and where it comes from."""

    text: str
    applies_to: str = ""  # empty: every request of the program
    details: tuple[str, ...] = ()  # the choices or limits behind the item, one per line
    source: str = ""  # the data it is derived from: criterion ids and reference files
    citation: str = ""  # the guideline or rule behind it, shown beside it


@dataclass(frozen=True)
class ProgramGuide:
    program: str  # the Program value
    title: str
    anchor: str  # the id of the page section
    covers: str
    wizard_asks: tuple[str, ...]
    decided_at_once: tuple[str, ...]
    validity: str
    checklist: tuple[ChecklistItem, ...]


# ---------------------------------------------------------------------------------------------
# Wording helpers
# ---------------------------------------------------------------------------------------------


def _listed(items: Iterable[str], word: str) -> str:
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _and(items: Iterable[str]) -> str:
    return _listed(items, "and")


def _or(items: Iterable[str]) -> str:
    return _listed(items, "or")


def _semi(items: Iterable[str]) -> str:
    """For labels that hold commas themselves."""
    return "; ".join(item for item in items if item)


def _lowered(items: Iterable[str]) -> list[str]:
    return [_lower_first(item) for item in items]


def _lower_first(text: str) -> str:
    # Keep abbreviations (CPAP, MRI) as they are.
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _number(value: float) -> str:
    return f"{value:g}"


def _days(values: Iterable[int], unit: str = "calendar days") -> str:
    """'60 calendar days', or '30 or 60 calendar days, depending on the health plan'."""
    distinct = sorted(set(values))
    text = f"{_or([str(value) for value in distinct])} {unit}"
    return text if len(distinct) == 1 else f"{text}, depending on the health plan"


def _column(table: str, column: str) -> list[int]:
    return [int(value) for value in reference.table(table)[column] if str(value).strip()]


# ---------------------------------------------------------------------------------------------
# Every request, whatever the program
# ---------------------------------------------------------------------------------------------


def every_request_checklist() -> tuple[ChecklistItem, ...]:
    """What every request asks for (the wizard's common steps)."""
    return (
        ChecklistItem(
            "The member's ID card, or the member's last name and date of birth, to find the member."
        ),
        ChecklistItem("The ordering provider, and the servicing provider or facility (name, city or NPI)."),
        ChecklistItem("The office address and fax number where the decision letters should go."),
        ChecklistItem("The ICD-10-CM diagnosis codes, the main (primary) diagnosis first."),
        ChecklistItem("The date of service, and a reason if the request is urgent."),
    )


GENERAL_DECISION = (
    "When every criterion for a requested code is met, the line is authorized at submission, with the dates "
    "it is valid. When a criterion is not met or cannot be told from the answers, a nurse reviews the line: "
    "the portal never denies a request on its own."
)
NOT_MANAGED = (
    "A code the health plan does not manage through the program is refused before you submit: ask the health "
    "plan about it."
)


# ---------------------------------------------------------------------------------------------
# Radiology and cardiology imaging (imaging_criteria.csv, imaging_plans.csv)
# ---------------------------------------------------------------------------------------------


def _imaging_codes(spec: imaging.CriterionSpec) -> str:
    return f"codes {', '.join(sorted(spec.codes))}" if spec.codes else ""


def _imaging_flags(spec: imaging.CriterionSpec, name: str = "red_flags") -> tuple[str, ...]:
    return tuple(imaging.RED_FLAG_LABELS[flag] for flag in imaging.RED_FLAGS if flag in spec.values(name))


def _imaging_item(spec: imaging.CriterionSpec) -> ChecklistItem:
    source = f"{spec.criterion_id}, imaging_criteria.csv"
    if spec.set_id == "lumbar_mri_low_back_pain":
        return ChecklistItem(
            "For low back pain: how many weeks the symptoms have lasted and how many weeks of conservative "
            "care (physical therapy, medicines, chiropractic care) were tried. At least "
            f"{spec.number('min_weeks_symptoms')} weeks of symptoms and "
            f"{spec.number('min_weeks_conservative_care')} weeks of care meet the guideline, or any of these "
            "warning signs:",
            _imaging_codes(spec),
            _imaging_flags(spec),
            source,
        )
    if spec.set_id in ("brain_mri_headache", "head_ct_headache"):
        new_pattern = imaging.RED_FLAG_LABELS[spec.parameters["new_pattern_flag"]]
        return ChecklistItem(
            f"For headache: which warning signs the patient has. Any of these meets the guideline; so does "
            f'"{_lower_first(new_pattern)}" from age {spec.number("new_pattern_min_age")}:',
            _imaging_codes(spec),
            _imaging_flags(spec),
            source,
        )
    if spec.set_id == "cardiac_chest_pain":
        return ChecklistItem(
            "For chest pain or shortness of breath: the kind of chest symptoms, the risk factors, and any "
            f"heart test in the past {spec.number('prior_test_months')} months with its result. The "
            "guideline is met when the chance of coronary disease (from age, sex and symptoms) is above "
            f"{spec.number('high_above_pct')} %, or {spec.number('low_at_or_below_pct')} to "
            f"{spec.number('high_above_pct')} % with a risk factor, or a recent heart test was abnormal or "
            "inconclusive. The risk factors asked:",
            _imaging_codes(spec),
            tuple(imaging.RISK_FACTOR_LABELS.values()),
            source,
        )
    if spec.set_id in ("pet_cancer", "ct_cancer"):
        return ChecklistItem(
            "For a cancer: the cancer, how it was confirmed (biopsy, or strongly suspected), and whether "
            "the exam is for staging, restaging or follow-up.",
            _imaging_codes(spec),
            (),
            source,
        )
    if spec.set_id == imaging.SITE_OF_CARE_SET:
        exams = _or(imaging.MODALITY_LABELS[m] for m in imaging.MODALITIES if m in spec.values("modalities"))
        sites = _or(
            _lower_first(imaging.SITE_OF_CARE_LABELS[s])
            for s in imaging.SITES_OF_CARE
            if s in spec.values("site")
        )
        return ChecklistItem(
            f"If the exam will be done at a {sites}: why that setting is needed. A physician reviews the "
            "reason; the other places need none.",
            f"{exams}",
            (),
            source,
        )
    raise UnknownCriterion(f"imaging_criteria.csv: no checklist line for set {spec.set_id}")


def imaging_checklist() -> tuple[ChecklistItem, ...]:
    pre_exam = _or(
        _lowered(imaging.MODALITY_LABELS[m] for m in imaging.MODALITIES if m in imaging.PRE_EXAM_MODALITIES)
    )
    return (
        ChecklistItem(
            "The exam: its kind, the body part, the side for a paired joint, and the CPT code.",
            source="imaging.py (exam choices)",
        ),
        ChecklistItem(
            f"For a {pre_exam} of a member aged {imaging.PRE_EXAM_MIN_AGE} or older: the cardiac "
            f"pre-exam answers (symptoms, risk factors, earlier heart tests).",
            source="imaging.py (pre-exam rule)",
        ),
        *[replace(_imaging_item(spec), citation=spec.citation) for spec in imaging.criterion_specs()],
    )


def _imaging_guide() -> ProgramGuide:
    return ProgramGuide(
        program=Program.IMAGING.value,
        title=Program.IMAGING.label,
        anchor="help-imaging",
        covers="CT, MRI, MR angiography, nuclear cardiology, PET and echocardiography.",
        wizard_asks=(
            "The kind of exam, the body part and the side, then the CPT code among the plan's codes.",
            "The reason for the exam; for back pain and headache the weeks of symptoms and of conservative "
            "care and the warning signs.",
            f"For heart exams from age {imaging.PRE_EXAM_MIN_AGE}: the chest symptoms, risk factors and "
            "earlier heart tests.",
            "Where the exam will be done.",
        ),
        decided_at_once=(GENERAL_DECISION, NOT_MANAGED),
        validity=(
            f"{_days([imaging.DEFAULT_VALIDITY_DAYS, *_column('imaging_plans.csv', 'validity_days')])}, "
            f"counted from the date of service."
        ),
        checklist=imaging_checklist(),
    )


# ---------------------------------------------------------------------------------------------
# Musculoskeletal (msk_criteria.csv, msk_injection_limits.csv, msk_inpatient_los.csv)
# ---------------------------------------------------------------------------------------------


def _msk_targets(spec: msk.CriterionSpec) -> str:
    names = [msk.PROCEDURE_LABELS[p] for p in msk.PROCEDURES if p in spec.applies_to]
    codes = sorted(name for name in spec.applies_to if name not in msk.PROCEDURE_LABELS)
    return "; ".join(part for part in (_and(names), f"code {_or(codes)}" if codes else "") if part)


def _msk_item(spec: msk.CriterionSpec) -> ChecklistItem:
    source = f"{spec.criterion_id}, msk_criteria.csv"
    targets = _msk_targets(spec)
    if spec.set_id == "conservative_care":
        waived = [msk.WARNING_SIGN_LABELS[w] for w in msk.WARNING_SIGNS if w in spec.values("waived_by")]
        text = (
            f"How many weeks of conservative care were tried without enough relief: at least "
            f"{spec.number('min_weeks')} weeks"
        )
        if waived:
            return ChecklistItem(
                text + ", unless there is one of these warning signs:", targets, tuple(waived), source
            )
        return ChecklistItem(text + ".", targets, (), source)
    if spec.set_id == "imaging_findings":
        findings = tuple(
            msk.IMAGING_FINDING_LABELS[f] for f in msk.IMAGING_FINDINGS if f in spec.values("findings")
        )
        return ChecklistItem("The imaging report showing one of these findings:", targets, findings, source)
    if spec.set_id == "nonunion_risk":
        risks = tuple(msk.NONUNION_RISK_LABELS[r] for r in msk.NONUNION_RISKS if r in spec.values("risks"))
        return ChecklistItem("Why the fusion may not heal (one of these):", targets, risks, source)
    if spec.set_id == "with_fusion":
        return ChecklistItem(
            "The spinal fusion the graft is for, requested in the same request.", targets, (), source
        )
    if spec.set_id == "repeat_relief":
        return ChecklistItem(
            "For a repeat in the same spinal region within 12 months: how much the last one helped (at "
            f"least {spec.number('min_relief_pct')} % relief of pain or function).",
            targets,
            (),
            source,
        )
    if spec.set_id == "diagnostic_blocks":
        return ChecklistItem(
            f"Before a first ablation in the region: {spec.number('min_blocks')} diagnostic medial branch "
            f"blocks, each with at least {spec.number('min_relief_pct')} % relief.",
            targets,
            (),
            source,
        )
    if spec.set_id == "stimulator_trial":
        return ChecklistItem(
            f"The relief from the trial stimulation: at least {spec.number('min_relief_pct')} %.",
            targets,
            (),
            source,
        )
    raise UnknownCriterion(f"msk_criteria.csv: no checklist line for set {spec.set_id}")


def _injection_item(limit: msk.InjectionLimit) -> ChecklistItem:
    spacing = f", at least {limit.min_days_between} days apart" if limit.min_days_between else ""
    return ChecklistItem(
        f"When the member last had this procedure in the same spinal region: at most {limit.max_sessions} "
        f"sessions in 12 months{spacing}. The portal counts the requests on file.",
        msk.PROCEDURE_LABELS[limit.procedure],
        (),
        f"{limit.procedure}, msk_injection_limits.csv",
    )


def msk_checklist() -> tuple[ChecklistItem, ...]:
    return (
        ChecklistItem(
            "The procedure, inpatient or outpatient, the spinal region and levels or the side, and the "
            "CPT codes.",
            source="msk.py (procedure choices)",
        ),
        *[replace(_msk_item(spec), citation=spec.citation) for spec in msk.criterion_specs()],
        *[
            replace(_injection_item(limit), citation=limit.citation)
            for limit in msk.injection_limits().values()
        ],
    )


def _msk_guide() -> ProgramGuide:
    stays = _column("msk_inpatient_los.csv", "default_los_days")
    stay = (
        f"{min(stays)} to {max(stays)} days"
        if stays and min(stays) != max(stays)
        else f"{stays[0]} days"
        if stays
        else f"{msk.FALLBACK_INPATIENT_LOS_DAYS} days"
    )
    emergencies = _and(msk.EMERGENCY_WHAT[key] for key in msk.EMERGENCY_WHAT)
    return ProgramGuide(
        program=Program.MUSCULOSKELETAL.value,
        title=Program.MUSCULOSKELETAL.label,
        anchor="help-musculoskeletal",
        covers=_and(_lower_first(label) for label in msk.CATEGORY_LABELS.values()).capitalize() + ".",
        wizard_asks=(
            "Whether the patient came through the emergency room.",
            "The kind of procedure and the procedure, inpatient or outpatient, the spinal region and levels "
            "or the side, and the CPT codes (several lines per request).",
            "The weeks of conservative care, the imaging findings and any warning signs; for injections and "
            "ablations the relief from earlier ones.",
        ),
        decided_at_once=(
            f"Emergency-room {emergencies} need no request: the wizard says so and stops.",
            f"Codes {_and(sorted(msk.NOTIFICATION_CODES))} with a primary diagnosis of "
            f"{_or(sorted(msk.NOTIFICATION_DIAGNOSES))} are recorded as notification only, with no review.",
            "Each line is decided on its own. " + GENERAL_DECISION,
            NOT_MANAGED,
        ),
        validity=(
            f"Outpatient surgery: {msk.OUTPATIENT_SURGERY_VALIDITY_DAYS} calendar days. Inpatient surgery: "
            f"the date of service plus the health plan's initial length of stay ({stay}). Pain procedures: "
            f"{msk.PAIN_VALIDITY_BUSINESS_DAYS} business days."
        ),
        checklist=msk_checklist(),
    )


# ---------------------------------------------------------------------------------------------
# Medical oncology (oncology_regimens.csv, oncology_supportive.csv)
# ---------------------------------------------------------------------------------------------


def medical_oncology_checklist() -> tuple[ChecklistItem, ...]:
    biomarkers = tuple(
        f"{med_onc.CANCER_TYPE_LABELS[cancer]}: "
        f"{_semi(_lowered(q.label for q in med_onc.biomarker_questions(cancer)))}"
        for cancer in med_onc.CANCER_TYPES
        if med_onc.biomarker_questions(cancer)
    )
    no_biomarkers = _lowered(
        med_onc.CANCER_TYPE_LABELS[c] for c in med_onc.CANCER_TYPES if not med_onc.biomarker_questions(c)
    )
    carboplatin = tuple(
        regimen.name
        for regimen in med_onc.all_regimens()
        if any(drug.dose_basis is DoseBasis.AUC for drug in regimen.drugs)
    )
    supportive = tuple(
        f"{drug.label}: {_or(_lowered(label for _, label in drug.secondary_prefixes))}"
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
            biomarkers + ((f"None are asked for {_or(no_biomarkers)}.",) if no_biomarkers else ()),
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
                _semi(carboplatin),
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
            f"dose and days. Doses within {_number(DOSE_DEVIATION_LIMIT * 100)} % of the pathway dose meet "
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


def _medical_oncology_guide() -> ProgramGuide:
    return ProgramGuide(
        program=Program.MEDICAL_ONCOLOGY.value,
        title=Program.MEDICAL_ONCOLOGY.label,
        anchor="help-medical-oncology",
        covers=f"Cancer drug treatment for {_and(_lowered(med_onc.CANCER_TYPE_LABELS.values()))}, and the "
        f"supportive drugs {_and(_lowered(d.label for d in med_onc.supportive_drugs().values()))}.",
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
        checklist=medical_oncology_checklist(),
    )


# ---------------------------------------------------------------------------------------------
# Radiation oncology (criteria in radiation_oncology.py; codes in radiation_codes.csv)
# ---------------------------------------------------------------------------------------------


def radiation_oncology_checklist() -> tuple[ChecklistItem, ...]:
    rad = radiation_oncology
    srs_sites = _or(
        _lower_first(rad.TREATMENT_SITE_LABELS[s]) for s in rad.TREATMENT_SITES if s in rad.SRS_SITES
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


def _radiation_oncology_guide() -> ProgramGuide:
    rad = radiation_oncology
    imrt = _semi(_lowered(rad.CANCER_TYPE_LABELS[c] for c in rad.CANCER_TYPES if c in rad.IMRT_CANCER_TYPES))
    return ProgramGuide(
        program=Program.RADIATION_ONCOLOGY.value,
        title=Program.RADIATION_ONCOLOGY.label,
        anchor="help-radiation-oncology",
        covers=f"{_semi(rad.MODALITY_LABELS.values())}.",
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
        validity=f"{_days([rad.DEFAULT_VALIDITY_DAYS])} from the date of service.",
        checklist=radiation_oncology_checklist(),
    )


# ---------------------------------------------------------------------------------------------
# Rehabilitation (rehab_visits.csv, rehab_plans.csv, outcome tools)
# ---------------------------------------------------------------------------------------------


def _visit_rule(request_type: str) -> tuple[int, int, int]:
    amounts = {rehabilitation.visit_amounts("", d, request_type) for d in rehabilitation.DISCIPLINES}
    full = sorted({a.full for a in amounts})
    reduced = sorted({a.reduced for a in amounts})
    planning = sorted({a.discharge_planning for a in amounts})
    return full[-1], reduced[-1], planning[-1]


def rehabilitation_checklist() -> tuple[ChecklistItem, ...]:
    tools = tuple(
        f"{tool.name}: {_or(_lowered(outcome_tools.BODY_REGION_LABELS[r] for r in tool.body_regions))}; "
        f"{_and(tool.disciplines)}; progress of at least {_number(tool.mcid)} points counts"
        for tool in outcome_tools.TOOLS.values()
    )
    full, reduced, planning = _visit_rule("later_treatment")
    yearly = sorted(set(_column("rehab_plans.csv", "visits_per_year")))
    kinds = _or(
        _lower_first(rehabilitation.EPISODE_KIND_LABELS[k])
        for k in rehabilitation.EPISODE_KINDS
        if k in rehabilitation.ANNUAL_REEVALUATION_KINDS
    )
    items = [
        ChecklistItem(
            "The therapy (physical, occupational or speech), the body region and the kind of request.",
            source="rehabilitation.py",
        ),
        ChecklistItem(
            f"The date of the initial evaluation of this episode of care. Later requests keep it; a new "
            f"date needs a reason, except the yearly re-evaluation of a {kinds}.",
            source="rehabilitation.py (episode date rule)",
        ),
        ChecklistItem(
            "A score from an outcome tool for the body region: the first treatment request's score is the "
            "baseline, later requests give an updated score with the same tool.",
            "",
            tools,
            "outcome_tools.py (MCID per tool)",
        ),
        ChecklistItem(
            f"On later requests: the visits attended so far, and if progress is below the tool's MCID, what "
            f"slowed it or how the plan of care changed. Enough progress gets {full} visits a request; "
            f"otherwise {reduced}.",
            "",
            tuple(rehabilitation.MITIGATING_FACTOR_LABELS.values()),
            "rehab_visits.csv",
        ),
        ChecklistItem(
            f"Whether the plan-of-care goals are met: then {planning} visits for discharge planning and "
            f"the home exercise program.",
            source="rehab_visits.csv",
        ),
    ]
    if yearly:
        items.append(
            ChecklistItem(
                "The visits already used this year when the health plan limits them "
                f"({_or(str(v) for v in yearly)} visits a year); the portal counts those it authorized.",
                source="rehab_plans.csv",
            )
        )
    return tuple(items)


def _rehabilitation_guide() -> ProgramGuide:
    return ProgramGuide(
        program=Program.REHABILITATION.value,
        title=Program.REHABILITATION.label,
        anchor="help-rehabilitation",
        covers=f"{_and(rehabilitation.DISCIPLINE_LABELS.values())}, by episode of care.".capitalize(),
        wizard_asks=(
            f"The therapy, the body region and the kind of request: "
            f"{_or(_lowered(rehabilitation.REQUEST_TYPE_LABELS.values()))}.",
            "The initial evaluation date (filled in from the episode on later requests).",
            "The outcome tool and its score, scored by the portal from the item answers where the tool "
            "allows it.",
            "The visits requested.",
        ),
        decided_at_once=(
            "The portal recommends the visits and says why; the recommendation is authorized at once.",
            "Asking for more visits than recommended, or reaching the plan's yearly limit, sends the "
            "request to a nurse.",
        ),
        validity=(
            f"{_days([rehabilitation.DEFAULT_VALIDITY_DAYS, *_column('rehab_plans.csv', 'validity_days')])}, "
            f"counted from the date of service."
        ),
        checklist=rehabilitation_checklist(),
    )


# ---------------------------------------------------------------------------------------------
# Sleep (sleep_criteria.csv, sleep_supply_limits.csv, sleep_plans.csv)
# ---------------------------------------------------------------------------------------------


def _codes(spec_codes: Iterable[str]) -> str:
    return f"codes {', '.join(sorted(spec_codes))}"


def _sleep_item(spec: sleep.CriterionSpec) -> ChecklistItem:
    source = f"{spec.criterion_id}, sleep_criteria.csv"
    codes = _codes(spec.codes)
    conditions = tuple(
        sleep.LAB_CONDITION_LABELS[c] for c in sleep.LAB_CONDITIONS if c in spec.values("lab_conditions")
    )
    if spec.criterion_id == "hst_uncomplicated_adult":
        return ChecklistItem(
            "For a sleep study: the member's age (a home test is for adults, "
            f"{_number(spec.number('min_age'))} and older), the result of any earlier home sleep test, and "
            "whether the member has one of these conditions, which call for an in-lab study:",
            codes,
            conditions,
            source,
        )
    if spec.criterion_id == "psg_reason":
        failed = _or(
            value.replace("_", " ")
            for value in sleep.HOME_TEST_RESULTS
            if value in spec.values("failed_home_results")
        )
        return ChecklistItem(
            f"For an in-lab study: what calls for it (a member under {_number(spec.number('min_age'))}, an "
            f"earlier home test that was {failed}, or one of these conditions), or otherwise the reason the "
            "lab is needed:",
            codes,
            conditions,
            source,
        )
    if spec.criterion_id == "titration_diagnosis":
        return ChecklistItem(
            f"For a titration study: the AHI or RDI of the diagnostic sleep test (at least "
            f"{_number(spec.number('min_index'))} an hour).",
            codes,
            (),
            source,
        )
    if spec.criterion_id == "pap_coverage":
        findings = tuple(
            sleep.PAP_FINDING_LABELS[f] for f in sleep.PAP_FINDINGS if f in spec.values("findings")
        )
        return ChecklistItem(
            f"For a PAP device: the AHI or RDI of the diagnostic test, {_number(spec.number('high_index'))} "
            f"or more an hour, or {_number(spec.number('low_index'))} to under "
            f"{_number(spec.number('high_index'))} with one of these documented; if the test recorded under "
            f"{_number(spec.number('min_recording_hours'))} hours, the hours recorded and the number of "
            "events:",
            codes,
            findings,
            source,
        )
    if spec.criterion_id == "bilevel_cpap_failed":
        return ChecklistItem(
            "For a bilevel device: CPAP was tried and did not work or was not tolerated.", codes, (), source
        )
    if spec.criterion_id == "pap_adherence":
        hours = _number(spec.number("min_minutes") / 60)
        return ChecklistItem(
            f"For continued coverage and supplies: PAP use of at least {hours} hours a night on "
            f"{_number(spec.number('required_nights'))} of {_number(spec.number('window_nights'))} nights in "
            f"a row, within the first {_number(spec.number('period_nights'))} nights. Upload the device data "
            "first: the portal fills the adherence in from it.",
            "",
            (),
            source,
        )
    if spec.criterion_id == "supply_limit":
        limits = tuple(
            f"{limit.label} ({code}): {limit.max_quantity} "
            + ("a month" if limit.period_months == 1 else f"every {limit.period_months} months")
            for code, limit in sleep.supply_limits().items()
        )
        return ChecklistItem(
            "For supplies: each item and quantity, within its replacement limit (an item over it is refused "
            "with the date it can next be supplied):",
            "",
            limits,
            f"{source}; sleep_supply_limits.csv",
        )
    raise UnknownCriterion(f"sleep_criteria.csv: no checklist line for criterion {spec.criterion_id}")


def sleep_checklist() -> tuple[ChecklistItem, ...]:
    return (
        ChecklistItem(
            "The kind of request, and for a device its make and model (recall notices are shown).",
            source="sleep.py (request kinds)",
        ),
        *[replace(_sleep_item(spec), citation=spec.citation) for spec in sleep.criterion_specs().values()],
    )


def _sleep_guide() -> ProgramGuide:
    return ProgramGuide(
        program=Program.SLEEP.value,
        title=Program.SLEEP.label,
        anchor="help-sleep",
        covers=f"{_semi(sleep.REQUEST_KIND_LABELS.values())}.",
        wizard_asks=(
            f"The kind of request: {_semi(_lowered(sleep.REQUEST_KIND_LABELS.values()))}.",
            "For studies: home or lab, the member's conditions and any earlier home test.",
            "For devices: the kind of PAP, the AHI or RDI and the documented symptoms; for continued "
            "coverage and supplies, the use from device data.",
        ),
        decided_at_once=(
            GENERAL_DECISION,
            "The wizard says at once when a home test does not suit the member, or an in-lab study needs a "
            "reason; supplies over their replacement limit are refused, with the date they can next be "
            "supplied.",
        ),
        validity=(
            f"{_days([sleep.DEFAULT_VALIDITY_DAYS, *_column('sleep_plans.csv', 'validity_days')])}, counted "
            f"from the date of service."
        ),
        checklist=sleep_checklist(),
    )


# ---------------------------------------------------------------------------------------------
# Transportation and other outpatient services (outpatient_questions.csv, outpatient_plans.csv)
# ---------------------------------------------------------------------------------------------


def outpatient_checklist() -> tuple[ChecklistItem, ...]:
    items = [
        ChecklistItem(
            "For a trip: the pick-up and drop-off addresses; one way, round trip or recurring (with the "
            "days of the week and the first and last dates); the medical reason; and how the member "
            "travels:",
            outpatient.SERVICE_KIND_LABELS["transport"],
            tuple(outpatient.MOBILITY_LABELS.values()),
            "outpatient.py (trip)",
        ),
    ]
    for question in outpatient.questions_by_id().values():
        if question.category not in outpatient.SERVICE_KIND_LABELS:
            raise UnknownCriterion(
                f"outpatient_questions.csv: {question.question_id} has an unknown category"
            )
        items.append(
            ChecklistItem(
                f"The answer to: {question.text}",
                _codes(question.codes),
                (),
                f"{question.question_id}, outpatient_questions.csv",
                question.citation,
            )
        )
    return tuple(items)


def _outpatient_guide() -> ProgramGuide:
    validity_days = [outpatient.DEFAULT_VALIDITY_DAYS, *_column("outpatient_plans.csv", "validity_days")]
    return ProgramGuide(
        program=Program.OUTPATIENT.value,
        title=Program.OUTPATIENT.label,
        anchor="help-outpatient",
        covers=f"{_and(_lowered(outpatient.SERVICE_KIND_LABELS.values()))}.".capitalize(),
        wizard_asks=(
            "The kind of service and its codes.",
            "For transportation: the addresses, the kind of trip and its schedule, the help the member "
            "needs and the medical reason.",
            "The clinical questions for each code, answered yes, no or not known.",
        ),
        decided_at_once=(
            "Every question answered as the criterion expects, and for trips a vehicle that matches the "
            'help the member needs: authorized at once. "Not known" or another answer: a nurse reviews '
            "the line.",
            "Recurring trips must fall within the approval; the summary lists every trip date.",
            NOT_MANAGED,
        ),
        validity=(
            f"{_days(validity_days)}, counted from the date of service (state law may set another length)."
        ),
        checklist=outpatient_checklist(),
    )


# ---------------------------------------------------------------------------------------------
# Genetic testing (genetic_criteria.csv, genetic_plans.csv). A first, data-derived version so the
# help page lists the program; its own wording comes with the program's wizard step.
# ---------------------------------------------------------------------------------------------


def genetic_testing_checklist() -> tuple[ChecklistItem, ...]:
    tests = genetic_testing.TEST_LABELS
    items = [
        ChecklistItem(
            "The test (its category, then the test and its codes), the laboratory that performs it, whether "
            "the member had this germline test before, who gave pre-test genetic counselling, and how the "
            "result will change the member's care.",
            source="genetic_testing.py (request details)",
        )
    ]
    for spec in genetic_testing.criterion_specs():
        named = [tests[test] for test in sorted(spec.tests) if test in tests]
        origins = [token[1:] for token in sorted(spec.tests) if token.startswith("@")]
        applies_to = _semi(named) or f"Every {_or(origins)} test"
        items.append(
            ChecklistItem(
                spec.text,
                applies_to,
                source=f"{spec.criterion_id}, genetic_criteria.csv",
                citation=spec.citation,
            )
        )
    return tuple(items)


def _genetic_testing_guide() -> ProgramGuide:
    validity_days = [genetic_testing.DEFAULT_VALIDITY_DAYS, *_column("genetic_plans.csv", "validity_days")]
    return ProgramGuide(
        program=Program.GENETIC_TESTING.value,
        title=Program.GENETIC_TESTING.label,
        anchor="help-genetic-testing",
        covers=f"{_semi(genetic_testing.CATEGORY_LABELS.values())}.",
        wizard_asks=(
            "The category of test, then the test and its codes, and the laboratory.",
            "Personal and family history of cancer or heart conditions, pre-test counselling, and how the "
            "result will change care; per test the tumor, the drug planned, the pregnancy or the child's "
            "indication.",
        ),
        decided_at_once=(
            GENERAL_DECISION,
            "A germline test the member already had goes to a reviewer as a repeat.",
            NOT_MANAGED,
        ),
        validity=f"{_days(validity_days)}, counted from the date of service.",
        checklist=genetic_testing_checklist(),
    )


# ---------------------------------------------------------------------------------------------
# All programs
# ---------------------------------------------------------------------------------------------

CHECKLISTS: dict[Program, Callable[[], tuple[ChecklistItem, ...]]] = {
    Program.IMAGING: imaging_checklist,
    Program.MEDICAL_ONCOLOGY: medical_oncology_checklist,
    Program.RADIATION_ONCOLOGY: radiation_oncology_checklist,
    Program.MUSCULOSKELETAL: msk_checklist,
    Program.REHABILITATION: rehabilitation_checklist,
    Program.SLEEP: sleep_checklist,
    Program.OUTPATIENT: outpatient_checklist,
    Program.GENETIC_TESTING: genetic_testing_checklist,
}

_GUIDES: dict[Program, Callable[[], ProgramGuide]] = {
    Program.IMAGING: _imaging_guide,
    Program.MEDICAL_ONCOLOGY: _medical_oncology_guide,
    Program.RADIATION_ONCOLOGY: _radiation_oncology_guide,
    Program.MUSCULOSKELETAL: _msk_guide,
    Program.REHABILITATION: _rehabilitation_guide,
    Program.SLEEP: _sleep_guide,
    Program.OUTPATIENT: _outpatient_guide,
    Program.GENETIC_TESTING: _genetic_testing_guide,
}


def checklist(program: Program | str) -> tuple[ChecklistItem, ...]:
    """The "what you need before you start" checklist of one program, from its criteria data."""
    return CHECKLISTS[Program(program)]()


def program_guide(program: Program | str) -> ProgramGuide:
    return _GUIDES[Program(program)]()


def program_guides() -> tuple[ProgramGuide, ...]:
    """Every program's guide, in the order of the programs."""
    return tuple(_GUIDES[program]() for program in Program)
