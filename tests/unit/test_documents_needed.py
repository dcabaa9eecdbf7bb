"""The documents-needed tables (one per program), the physician-only criteria and the status wording."""

from __future__ import annotations

import csv

import pytest

from portal_app import reference
from portal_app.domain import review as rules
from portal_app.domain.documents_needed import criteria_without_documents, document_rows, documents_needed
from portal_app.domain.enums import Program
from portal_app.domain.physician_criteria import is_physician_only, physician_only
from portal_app.domain.rules import CriterionResult
from portal_app.domain.statuses import status_label


def _ids(file: str, column: str) -> list[str]:
    text = reference.path_of(file).read_text("utf-8")
    return [
        row[column] for row in csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    ]


# Every criterion id a program's rules can pend on (from its criteria tables, or the ids its module builds).
PENDING_CRITERIA = {
    Program.GENETIC_TESTING: [
        *_ids("genetic_criteria.csv", "criterion_id"),
        "HBOC/FAM/LS",
        "SOM",
        "PGX",
    ],
    Program.IMAGING: _ids("imaging_criteria.csv", "criterion_id"),
    Program.CARDIOLOGY: [
        *_ids("cardiology_criteria.csv", "criterion_id"),
        # A set of alternative rows none of which is met pends under the set's id.
        *{
            s
            for s in _ids("cardiology_criteria.csv", "set_id")
            if _ids("cardiology_criteria.csv", "set_id").count(s) > 1
        },
    ],
    Program.MUSCULOSKELETAL: [*_ids("msk_criteria.csv", "criterion_id"), "INJ-FREQ"],
    Program.SLEEP: _ids("sleep_criteria.csv", "criterion_id"),
    Program.SURGICAL: _ids("surgical_criteria.csv", "criterion_id"),
    Program.OUTPATIENT: [*_ids("outpatient_questions.csv", "question_id"), "OP-KIND", "TRN-MOB"],
    Program.MEDICAL_ONCOLOGY: [
        "onc_primary_cancer_diagnosis",
        "onc_diagnosis_matches_cancer_type",
        "onc_on_pathway",
        "onc_biomarkers_consistent",
        "onc_cycles_within_regimen",
        "onc_drugs_and_days_match",
        "onc_dose_trastuzumab",
        "onc_supportive_pegfilgrastim_diagnosis",
        "onc_code_in_request",
    ],
    Program.RADIATION_ONCOLOGY: [
        "ro_proton_indication",
        "ro_srs_fractions",
        "ro_sbrt_fractions",
        "ro_srs_site",
        "ro_sbrt_site",
        "ro_imrt_cancer_type",
        "ro_palliative_bone_fractions",
        "ro_code_fits_modality",
    ],
    Program.REHABILITATION: [
        "rehab.details",
        "rehab.visit_allocation",
        "rehab.visits_requested",
        "rehab.benefit_limit_reached",
    ],
}


@pytest.mark.parametrize("program", list(Program))
def test_every_criterion_that_can_pend_lists_its_documents_with_a_source(program):
    assert criteria_without_documents(program, PENDING_CRITERIA[program]) == []
    rows = document_rows(program)
    assert rows and all(row.source and row.document and row.why for row in rows)


def test_the_list_holds_the_documents_of_the_criteria_not_met_or_not_determinable_once_each():
    results = [
        CriterionResult("SPN-1", "", "", False),  # not met: conservative care notes
        CriterionResult("SPN-4", "", "", None),  # not determinable: imaging report and instability
        CriterionResult("SPN-2", "", "", True),  # met: nothing (also an imaging report)
    ]
    listed = documents_needed(Program.MUSCULOSKELETAL, results)
    assert [d.document_id for d in listed] == [
        "conservative_care_notes",
        "imaging_report",
        "instability_findings",
    ]
    assert listed[1].criteria == ("SPN-4",)
    assert documents_needed(Program.MUSCULOSKELETAL, [CriterionResult("SPN-1", "", "", True)]) == ()
    # The stored form of a determination's criteria works the same; a prefix row matches per drug.
    stored = [{"id": "onc_dose_carboplatin", "met": False}, {"id": "onc_on_pathway", "met": None}]
    assert [d.document_id for d in documents_needed(Program.MEDICAL_ONCOLOGY, stored)] == [
        "pathology_report",
        "treatment_history",
        "dose_calculation",
    ]


def test_the_hospital_site_of_care_is_for_a_physician_only():
    assert "not the hospital outpatient setting" in physician_only(
        Program.IMAGING, [CriterionResult("LBP-1", "", "", True), CriterionResult("SOC-1", "", "", None)]
    )
    assert physician_only(Program.IMAGING, [CriterionResult("LBP-1", "", "", False)]) == ""
    assert physician_only(Program.IMAGING, [{"id": "SOC-1", "met": True}]) == ""
    assert is_physician_only(Program.IMAGING, "SOC-1") and not is_physician_only(Program.SLEEP, "SOC-1")


def test_each_program_words_a_withdrawn_duplicate_its_own_way():
    # Program FAQs: shared/seeds/001 "Voluntarily Withdrawn", shared/seeds/003 "Other Impact".
    assert status_label(Program.IMAGING, "voluntarily_withdrawn") == "Voluntarily Withdrawn"
    assert status_label(Program.MUSCULOSKELETAL, "voluntarily_withdrawn") == "Other Impact"
    assert status_label(Program.MUSCULOSKELETAL, "in_progress") == "In Progress"


def test_only_a_case_flagged_as_a_duplicate_can_be_withdrawn_as_one():
    flagged = rules.CaseState(has_open_task=True, lines_awaiting=True, possible_duplicate=True)
    assert rules.refusal("withdraw_duplicate", flagged) is None
    assert rules.refusal("withdraw_duplicate", rules.CaseState(has_open_task=True)) == rules.NOT_A_DUPLICATE
    assert rules.refusal("withdraw_duplicate", rules.CaseState(has_open_task=False)) == rules.NO_OPEN_REVIEW


def test_the_level_of_care_criteria_have_sources_and_follow_the_setting_asked_for():
    from portal_app.domain.level_of_care import (
        approved_setting_sentence,
        criteria_for_setting,
        level_of_care_criteria,
    )

    rows = level_of_care_criteria(Program.MUSCULOSKELETAL)
    assert rows and all(row.source and row.citation for row in rows)
    assert {row.setting for row in rows} == {"inpatient", "outpatient"}
    inpatient = criteria_for_setting(Program.MUSCULOSKELETAL, {"setting": "inpatient"})
    assert inpatient and all(row.setting == "inpatient" for row in inpatient)
    assert approved_setting_sentence(Program.MUSCULOSKELETAL, {"setting": "outpatient"}) == (
        "Setting approved: outpatient (no overnight stay)."
    )
    assert criteria_for_setting(Program.IMAGING, {"setting": "inpatient"}) == ()  # imaging has no table
    assert approved_setting_sentence(Program.MUSCULOSKELETAL, {}) == ""
