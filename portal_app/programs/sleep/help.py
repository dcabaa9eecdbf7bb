"""The help page's guide to the sleep program and its "what you need before you start"
checklist, derived from the program's criteria data (see portal_app/domain/help.py)."""

from __future__ import annotations

from dataclasses import replace

from portal_app.domain.enums import Program
from portal_app.domain.guides import (
    GENERAL_DECISION,
    ChecklistItem,
    ProgramGuide,
    UnknownCriterion,
    codes_text,
    column,
    days_in,
    lowered,
    num,
    or_,
    semi,
)
from portal_app.programs.sleep import domain as sleep

# ---------------------------------------------------------------------------------------------
# Sleep (sleep_criteria.csv, sleep_supply_limits.csv, sleep_plans.csv)
# ---------------------------------------------------------------------------------------------


def _sleep_item(spec: sleep.CriterionSpec) -> ChecklistItem:
    source = f"{spec.criterion_id}, sleep_criteria.csv"
    codes = codes_text(spec.codes)
    conditions = tuple(
        sleep.LAB_CONDITION_LABELS[c] for c in sleep.LAB_CONDITIONS if c in spec.values("lab_conditions")
    )
    if spec.criterion_id == "hst_uncomplicated_adult":
        return ChecklistItem(
            "For a sleep study: the member's age (a home test is for adults, "
            f"{num(spec.number('min_age'))} and older), the result of any earlier home sleep test, and "
            "whether the member has one of these conditions, which call for an in-lab study:",
            codes,
            conditions,
            source,
        )
    if spec.criterion_id == "psg_reason":
        failed = or_(
            value.replace("_", " ")
            for value in sleep.HOME_TEST_RESULTS
            if value in spec.values("failed_home_results")
        )
        return ChecklistItem(
            f"For an in-lab study: what calls for it (a member under {num(spec.number('min_age'))}, an "
            f"earlier home test that was {failed}, or one of these conditions), or otherwise the reason the "
            "lab is needed:",
            codes,
            conditions,
            source,
        )
    if spec.criterion_id == "titration_diagnosis":
        return ChecklistItem(
            f"For a titration study: the AHI or RDI of the diagnostic sleep test (at least "
            f"{num(spec.number('min_index'))} an hour).",
            codes,
            (),
            source,
        )
    if spec.criterion_id == "pap_coverage":
        findings = tuple(
            sleep.PAP_FINDING_LABELS[f] for f in sleep.PAP_FINDINGS if f in spec.values("findings")
        )
        return ChecklistItem(
            f"For a PAP device: the AHI or RDI of the diagnostic test, {num(spec.number('high_index'))} "
            f"or more an hour, or {num(spec.number('low_index'))} to under "
            f"{num(spec.number('high_index'))} with one of these documented; if the test recorded under "
            f"{num(spec.number('min_recording_hours'))} hours, the hours recorded and the number of "
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
        hours = num(spec.number("min_minutes") / 60)
        return ChecklistItem(
            f"For continued coverage and supplies: PAP use of at least {hours} hours a night on "
            f"{num(spec.number('required_nights'))} of {num(spec.number('window_nights'))} nights in "
            f"a row, within the first {num(spec.number('period_nights'))} nights. Upload the device data "
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


def checklist() -> tuple[ChecklistItem, ...]:
    return (
        ChecklistItem(
            "The kind of request, and for a device its make and model (recall notices are shown).",
            source="sleep.py (request kinds)",
        ),
        *[replace(_sleep_item(spec), citation=spec.citation) for spec in sleep.criterion_specs().values()],
    )


def guide() -> ProgramGuide:
    return ProgramGuide(
        program=Program.SLEEP.value,
        title=Program.SLEEP.label,
        anchor="help-sleep",
        covers=f"{semi(sleep.REQUEST_KIND_LABELS.values())}.",
        wizard_asks=(
            f"The kind of request: {semi(lowered(sleep.REQUEST_KIND_LABELS.values()))}.",
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
            f"{days_in([sleep.DEFAULT_VALIDITY_DAYS, *column('sleep_plans.csv', 'validity_days')])}, counted "
            f"from the date of service."
        ),
        checklist=checklist(),
    )
