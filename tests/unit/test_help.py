"""The help page's checklists follow the criteria data: every criterion, question and limit in the
reference files has its line, with the thresholds and choices the data holds; and when the data
changes (a threshold, a warning sign, a question, a new criterion set) the checklist changes with it
or the test fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import MappingProxyType

import pytest

from portal_app.domain import help as guides
from portal_app.domain import outcome_tools
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS
from portal_app.programs.imaging import domain as imaging
from portal_app.programs.imaging.help import checklist as imaging_checklist
from portal_app.programs.medical_oncology import domain as med_onc
from portal_app.programs.medical_oncology.help import checklist as medical_oncology_checklist
from portal_app.programs.musculoskeletal import domain as msk
from portal_app.programs.musculoskeletal.help import checklist as msk_checklist
from portal_app.programs.outpatient import domain as outpatient
from portal_app.programs.outpatient.help import checklist as outpatient_checklist
from portal_app.programs.rehabilitation import domain as rehabilitation
from portal_app.programs.rehabilitation.help import checklist as rehabilitation_checklist
from portal_app.programs.sleep import domain as sleep
from portal_app.programs.sleep.help import checklist as sleep_checklist


def _texts(items: tuple[guides.ChecklistItem, ...]) -> str:
    return "\n".join(" ".join((item.text, item.applies_to, *item.details)) for item in items)


def _item(items: tuple[guides.ChecklistItem, ...], criterion_id: str) -> guides.ChecklistItem:
    [found] = [item for item in items if item.source.split(",")[0] == criterion_id]
    return found


def _with_parameters(spec, **changes):
    return replace(spec, parameters=MappingProxyType({**spec.parameters, **changes}))


# --- every program and every criterion has its line ------------------------------------------


def test_every_built_program_has_a_guide_with_a_checklist():
    assert set(guides.CHECKLISTS) == set(PROGRAMS) == set(Program)
    for guide in guides.program_guides():
        assert guide.checklist and guide.wizard_asks and guide.decided_at_once and guide.validity
        assert all(item.text for item in guide.checklist)
    anchors = [guide.anchor for guide in guides.program_guides()]
    assert len(set(anchors)) == len(anchors)


def test_every_imaging_criterion_has_its_line_with_its_thresholds_and_warning_signs():
    items = imaging_checklist()
    for spec in imaging.criterion_specs():
        item = _item(items, spec.criterion_id)
        assert item.citation == spec.citation
        for code in spec.codes:
            assert code in item.applies_to
        for flag in spec.values("red_flags"):
            assert imaging.RED_FLAG_LABELS[flag] in item.details
        for name, value in spec.parameters.items():
            if value.isdigit():
                assert value in item.text, (spec.criterion_id, name)


def test_every_musculoskeletal_criterion_and_injection_limit_has_its_line():
    items = msk_checklist()
    for spec in msk.criterion_specs():
        item = _item(items, spec.criterion_id)
        assert item.citation == spec.citation
        for procedure in spec.applies_to & set(msk.PROCEDURE_LABELS):
            assert msk.PROCEDURE_LABELS[procedure] in item.applies_to
        labels = {**msk.WARNING_SIGN_LABELS, **msk.IMAGING_FINDING_LABELS, **msk.NONUNION_RISK_LABELS}
        for name in ("waived_by", "findings", "risks"):
            for value in spec.values(name):
                assert labels[value] in item.details
        for name in ("min_weeks", "min_relief_pct", "min_blocks"):
            if name in spec.parameters:
                assert f"{spec.parameters[name]} " in item.text
    for procedure, limit in msk.injection_limits().items():
        item = _item(items, procedure)
        assert f"at most {limit.max_sessions} sessions" in item.text
        assert (f"{limit.min_days_between} days apart" in item.text) == bool(limit.min_days_between)


def test_every_sleep_criterion_has_its_line():
    items = sleep_checklist()
    for criterion_id, spec in sleep.criterion_specs().items():
        item = _item(items, criterion_id)
        assert item.citation == spec.citation
        for name in ("lab_conditions", "findings"):
            labels = {**sleep.LAB_CONDITION_LABELS, **sleep.PAP_FINDING_LABELS}
            for value in spec.values(name):
                assert labels[value] in item.details
    pap = _item(items, "pap_coverage")
    spec = sleep.criterion_specs()["pap_coverage"]
    assert (
        f"{spec.number('high_index'):g} or more" in pap.text
        and f"{spec.number('low_index'):g} to under" in pap.text
    )
    supplies = _item(items, "supply_limit")
    assert len(supplies.details) == len(sleep.supply_limits())
    for code, limit in sleep.supply_limits().items():
        assert any(
            line.startswith(f"{limit.label} ({code}): {limit.max_quantity} ") for line in supplies.details
        )


def test_every_outpatient_question_is_on_the_checklist():
    items = outpatient_checklist()
    for question_id, question in outpatient.questions_by_id().items():
        item = _item(items, question_id)
        assert question.text in item.text and item.citation == question.citation
        for code in question.codes:
            assert code in item.applies_to


def test_the_oncology_checklist_follows_the_regimen_and_supportive_tables():
    text = _texts(medical_oncology_checklist())
    for cancer in med_onc.CANCER_TYPES:
        for question in med_onc.biomarker_questions(cancer):
            assert question.label[1:] in text  # the first letter may be lowered
    for drug in med_onc.supportive_drugs().values():
        assert drug.label in text
        for _, label in drug.secondary_prefixes:
            assert label[1:] in text


def test_the_rehabilitation_checklist_follows_the_visit_table_and_the_tools():
    items = rehabilitation_checklist()
    text = _texts(items)
    amounts = rehabilitation.visit_amounts("", "PT", "later_treatment")
    assert f"gets {amounts.full} visits a request; otherwise {amounts.reduced}" in text
    for tool in outcome_tools.TOOLS.values():
        assert any(
            line.startswith(tool.name) and f"at least {tool.mcid:g} points" in line
            for item in items
            for line in item.details
        )


# --- when the data changes, the checklist follows --------------------------------------------


def test_an_imaging_threshold_or_warning_sign_changed_in_the_data_changes_the_checklist(monkeypatch):
    specs = imaging.criterion_specs()
    low_back = next(spec for spec in specs if spec.criterion_id == "LBP-1")
    changed = _with_parameters(
        low_back, min_weeks_conservative_care="10", red_flags="neurologic_deficit|suspected_cauda_equina"
    )
    monkeypatch.setattr(
        imaging, "criterion_specs", lambda: tuple(changed if s is low_back else s for s in specs)
    )
    item = _item(imaging_checklist(), "LBP-1")
    assert "10 weeks of care" in item.text and "6 weeks of care" not in item.text
    assert item.details == (
        imaging.RED_FLAG_LABELS["neurologic_deficit"],
        imaging.RED_FLAG_LABELS["suspected_cauda_equina"],
    )


def test_a_musculoskeletal_duration_changed_in_the_data_changes_the_checklist(monkeypatch):
    specs = msk.criterion_specs()
    joints = next(spec for spec in specs if spec.criterion_id == "JNT-1")
    changed = _with_parameters(joints, min_weeks="16")
    monkeypatch.setattr(msk, "criterion_specs", lambda: tuple(changed if s is joints else s for s in specs))
    assert "at least 16 weeks" in _item(msk_checklist(), "JNT-1").text


def test_a_sleep_threshold_changed_in_the_data_changes_the_checklist(monkeypatch):
    specs = dict(sleep.criterion_specs())
    specs["pap_coverage"] = _with_parameters(specs["pap_coverage"], high_index="20")
    monkeypatch.setattr(sleep, "criterion_specs", lambda: MappingProxyType(specs))
    text = _item(sleep_checklist(), "pap_coverage").text
    assert "20 or more an hour" in text and "5 to under 20" in text


def test_a_question_added_to_the_data_appears_on_the_checklist(monkeypatch):
    questions = dict(outpatient.questions_by_id())
    new = outpatient.Question(
        "TRN-9",
        frozenset({"A0100"}),
        "transport",
        "Is the appointment more than 10 miles away?",
        "yes",
        "A test citation",
        "a test row",
    )
    questions["TRN-9"] = new
    monkeypatch.setattr(outpatient, "questions_by_id", lambda: MappingProxyType(questions))
    assert new.text in _item(outpatient_checklist(), "TRN-9").text


def test_visit_amounts_changed_in_the_data_change_the_checklist(monkeypatch):
    monkeypatch.setattr(
        rehabilitation,
        "visit_amounts",
        lambda plan, discipline, request_type: rehabilitation.VisitAmounts(12, 3, 1, "test"),
    )
    text = _texts(rehabilitation_checklist())
    assert "gets 12 visits a request; otherwise 3" in text and "then 1 visits" in text


def test_a_supportive_drug_removed_from_the_data_leaves_the_checklist(monkeypatch):
    drugs = dict(med_onc.supportive_drugs())
    drugs.pop("denosumab")
    monkeypatch.setattr(med_onc, "supportive_drugs", lambda: MappingProxyType(drugs))
    assert "Denosumab" not in _texts(medical_oncology_checklist())


@pytest.mark.parametrize(
    ("module", "checklist", "make"),
    [
        (imaging, imaging_checklist, lambda spec: replace(spec, set_id="new_set")),
        (msk, msk_checklist, lambda spec: replace(spec, set_id="new_set")),
    ],
)
def test_a_new_criterion_set_without_a_checklist_line_fails(monkeypatch, module, checklist, make):
    specs = module.criterion_specs()
    monkeypatch.setattr(module, "criterion_specs", lambda: (*specs, make(specs[0])))
    with pytest.raises(guides.UnknownCriterion):
        checklist()


def test_a_new_sleep_criterion_without_a_checklist_line_fails(monkeypatch):
    specs = dict(sleep.criterion_specs())
    specs["new_criterion"] = replace(specs["pap_coverage"], criterion_id="new_criterion")
    monkeypatch.setattr(sleep, "criterion_specs", lambda: MappingProxyType(specs))
    with pytest.raises(guides.UnknownCriterion):
        sleep_checklist()


# --- validity comes from the plan tables -----------------------------------------------------


def test_validity_follows_the_plan_tables():
    plans = imaging.imaging_plans()
    imaging_days = {imaging.DEFAULT_VALIDITY_DAYS, *(int(days) for days in plans["validity_days"])}
    text = guides.program_guide(Program.IMAGING).validity
    assert all(str(days) in text for days in imaging_days)
    assert ("depending on the health plan" in text) == (len(imaging_days) > 1)
    msk_text = guides.program_guide(Program.MUSCULOSKELETAL).validity
    assert f"{msk.OUTPATIENT_SURGERY_VALIDITY_DAYS} calendar days" in msk_text
    assert f"{msk.PAIN_VALIDITY_BUSINESS_DAYS} business days" in msk_text


# ---- the criteria and their sources (the help page's list, services/guidelines.criteria_in_force) ----


@pytest.mark.parametrize("program", list(Program), ids=lambda program: program.value)
def test_every_program_lists_criteria_each_with_a_source(program):
    from portal_app.domain.guidelines import packaged_version

    listed = guides.criteria_listed(packaged_version(program))
    assert listed, f"{program.value}: the help page lists no criteria"
    assert all(item.criterion_id and item.text and item.source.strip() for item in listed)
    assert len({item.criterion_id for item in listed}) == len(listed)


@pytest.mark.parametrize(
    "program", [Program.MEDICAL_ONCOLOGY, Program.RADIATION_ONCOLOGY, Program.REHABILITATION]
)
def test_the_checks_a_program_makes_in_code_are_listed_by_the_ids_it_records(program):
    # These programs have no criteria rows: their help.py lists the checks made in code. Each id is one
    # the program records (its documents table names every criterion id the program's code produces).
    from portal_app.domain.documents_needed import document_rows

    rows = document_rows(program)
    rules = guides.program_rules(program)
    assert rules
    for rule in rules:
        assert any(row.matches(rule.criterion_id) for row in rows), rule.criterion_id


def test_a_version_that_names_a_check_made_in_code_lists_it_once_with_the_versions_wording():
    from portal_app.domain.guidelines import GuidelineCriterion, GuidelineVersion

    own = GuidelineCriterion("ro_srs_site", "Version 2 wording.", "C", "https://example.org/srs")
    new = GuidelineCriterion("RO-9", "New.", "C", "S")
    listed = guides.criteria_listed(GuidelineVersion("radiation_oncology", 2, date(2030, 1, 1), (own, new)))
    ids = [item.criterion_id for item in listed]
    assert ids[:2] == ["ro_srs_site", "RO-9"] and ids.count("ro_srs_site") == 1
    assert "ro_sbrt_fractions" in ids  # a check made in code is kept by every version
    assert guides.program_rules(Program.IMAGING) == ()  # its criteria are rows of its reference data
