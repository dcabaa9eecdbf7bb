"""The help page's guide to the imaging program and its "what you need before you start"
checklist, derived from the program's criteria data (see portal_app/domain/help.py)."""

from __future__ import annotations

from dataclasses import replace

from portal_app.domain.enums import Program
from portal_app.domain.guides import (
    GENERAL_DECISION,
    NOT_MANAGED,
    ChecklistItem,
    ProgramGuide,
    UnknownCriterion,
    column,
    days_in,
    lower_first,
    lowered,
    or_,
)
from portal_app.programs.imaging import domain as imaging

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
            f'"{lower_first(new_pattern)}" from age {spec.number("new_pattern_min_age")}:',
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
    if spec.set_id == "infarct_amyloid":
        return ChecklistItem(
            "For a nuclear infarct (pyrophosphate) scan: why cardiac amyloidosis is suspected. The reason "
            "for the exam is then the guideline.",
            _imaging_codes(spec),
            (),
            source,
        )
    if spec.set_id == "ffr_ct":
        return ChecklistItem(
            f"For FFR-CT: the coronary CT angiography it is computed from, done in the past "
            f"{spec.number('prior_test_months')} months, and its result (enter it as the earlier heart test "
            "in the cardiac pre-exam questions). An abnormal CTA meets the guideline.",
            _imaging_codes(spec),
            (),
            source,
        )
    if spec.set_id == imaging.SITE_OF_CARE_SET:
        exams = or_(imaging.MODALITY_LABELS[m] for m in imaging.MODALITIES if m in spec.values("modalities"))
        sites = or_(
            lower_first(imaging.SITE_OF_CARE_LABELS[s])
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


def checklist() -> tuple[ChecklistItem, ...]:
    pre_exam = or_(
        lowered(imaging.MODALITY_LABELS[m] for m in imaging.MODALITIES if m in imaging.PRE_EXAM_MODALITIES)
    )
    return (
        ChecklistItem(
            "The exam: its kind, the body part, the side for a paired joint, and the CPT code.",
            source="imaging.py (exam choices)",
        ),
        ChecklistItem(
            f"For a {pre_exam} of a member aged {imaging.PRE_EXAM_MIN_AGE} or older: the cardiac "
            f"pre-exam answers (symptoms, risk factors, earlier heart tests). They are voluntary, but "
            f"a request without them goes to a nurse instead of being approved at once.",
            source="imaging.py (pre-exam rule)",
        ),
        *[replace(_imaging_item(spec), citation=spec.citation) for spec in imaging.criterion_specs()],
    )


def guide() -> ProgramGuide:
    return ProgramGuide(
        program=Program.IMAGING.value,
        title=Program.IMAGING.label,
        anchor="help-imaging",
        covers=(
            "CT (including derived fractional flow reserve, FFR-CT), MRI, MR angiography, nuclear cardiology "
            "(including infarct imaging), PET and echocardiography (unless the plan gives echo to "
            "cardiology)."
        ),
        wizard_asks=(
            "The kind of exam, the body part and the side, then the CPT code among the plan's codes.",
            "The reason for the exam; for back pain and headache the weeks of symptoms and of conservative "
            "care and the warning signs.",
            f"For heart exams from age {imaging.PRE_EXAM_MIN_AGE}: the chest symptoms, risk factors and "
            "earlier heart tests (voluntary: skipped, the request goes to a nurse).",
            "Where the exam will be done.",
        ),
        decided_at_once=(GENERAL_DECISION, NOT_MANAGED),
        validity=(
            f"{days_in([imaging.DEFAULT_VALIDITY_DAYS, *column('imaging_plans.csv', 'validity_days')])}, "
            f"counted from the date of service."
        ),
        checklist=checklist(),
    )
