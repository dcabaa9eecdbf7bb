"""The help page's guide to the musculoskeletal program and its "what you need before you start"
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
    and_,
    column,
    lower_first,
    or_,
)
from portal_app.programs.musculoskeletal import domain as msk

# ---------------------------------------------------------------------------------------------
# Musculoskeletal (msk_criteria.csv, msk_injection_limits.csv, msk_inpatient_los.csv)
# ---------------------------------------------------------------------------------------------


def _msk_targets(spec: msk.CriterionSpec) -> str:
    names = [msk.PROCEDURE_LABELS[p] for p in msk.PROCEDURES if p in spec.applies_to]
    codes = sorted(name for name in spec.applies_to if name not in msk.PROCEDURE_LABELS)
    return "; ".join(part for part in (and_(names), f"code {or_(codes)}" if codes else "") if part)


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


def checklist() -> tuple[ChecklistItem, ...]:
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


def guide() -> ProgramGuide:
    stays = column("msk_inpatient_los.csv", "default_los_days")
    stay = (
        f"{min(stays)} to {max(stays)} days"
        if stays and min(stays) != max(stays)
        else f"{stays[0]} days"
        if stays
        else f"{msk.FALLBACK_INPATIENT_LOS_DAYS} days"
    )
    emergencies = and_(msk.EMERGENCY_WHAT[key] for key in msk.EMERGENCY_WHAT)
    return ProgramGuide(
        program=Program.MUSCULOSKELETAL.value,
        title=Program.MUSCULOSKELETAL.label,
        anchor="help-musculoskeletal",
        covers=and_(lower_first(label) for label in msk.CATEGORY_LABELS.values()).capitalize() + ".",
        wizard_asks=(
            "Whether the patient came through the emergency room.",
            "The kind of procedure and the procedure, inpatient or outpatient, the spinal region and levels "
            "or the side, and the CPT codes (several lines per request).",
            "The weeks of conservative care, the imaging findings and any warning signs; for injections and "
            "ablations the relief from earlier ones.",
        ),
        decided_at_once=(
            f"Emergency-room {emergencies} need no request: the wizard says so and stops.",
            f"Codes {and_(sorted(msk.NOTIFICATION_CODES))} with a primary diagnosis of "
            f"{or_(sorted(msk.NOTIFICATION_DIAGNOSES))} are recorded as notification only, with no review.",
            "Each line is decided on its own. " + GENERAL_DECISION,
            NOT_MANAGED,
        ),
        validity=(
            f"Outpatient surgery: {msk.OUTPATIENT_SURGERY_VALIDITY_DAYS} calendar days. Inpatient surgery: "
            f"the date of service plus the health plan's initial length of stay ({stay}). Pain procedures: "
            f"{msk.PAIN_VALIDITY_BUSINESS_DAYS} business days."
        ),
        checklist=checklist(),
    )
