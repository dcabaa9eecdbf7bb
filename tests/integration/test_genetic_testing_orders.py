"""Genetic testing requests through the wizard's services (issue 19): a BRCA panel for a woman with
breast cancer at 42 authorized at once, the same panel asked again pended as a repeat, DPYD before
capecitabine authorized, and exome sequencing for a child with developmental delay (no specialist's
evaluation yet) pended for a reviewer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal_app.models import Order, ReviewTask
from portal_app.programs.genetic_testing import domain as gt
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import get_order_summary
from tests.conftest import BACKENDS
from tests.integration.order_helpers import SERVICE, TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

# Summit (SUM) delegates genetic testing (programs/genetic_testing/demo.py); SUM members are
# i = 2 mod 4, female when i is even; every 25th member is a child (SUM100000050).
WOMAN = "SUM100000002"
CHILD = "SUM100000050"
COUNSELLED = {"counselling": "done", "counselled_by": "genetic_counselor"}
BRCA_PANEL = {
    "category": "hereditary_cancer",
    "test": "hereditary_cancer_panel",
    "had_test_before": "no",
    "personal_cancers": [{"cancer_type": "breast", "age_at_diagnosis": 42, "features": []}],
    "family_history": [],
    "management_changes": ["surgery_choice", "surveillance"],
    **COUNSELLED,
}


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _codes(test: str, service: date = SERVICE) -> list[str]:
    return [item.code for item in gt.code_choices("SUM", service.year, test=test)]


def _submit(session, office, member: str, details: dict, diagnoses: list[str], *, service: date = SERVICE):
    order_id = draft_order(
        session,
        office,
        member=member,
        program="genetic_testing",
        details=details,
        codes=_codes(details["test"], service),
        service=service,
        diagnoses=diagnoses,
    )
    result = submit_order(session, actor=office, order_id=order_id, today=TODAY)
    assert result.submitted, result
    return order_id, get_order_summary(session, actor=office, order_number=result.order_number)


def _has_review_task(session, order_id: int) -> bool:
    return session.exec(select(ReviewTask).where(ReviewTask.order_id == order_id)).first() is not None


def test_a_brca_panel_for_breast_cancer_at_42_is_authorized_at_once_and_asked_again_pends(demo):
    office = actor_for(demo)
    order_id, summary = _submit(demo, office, WOMAN, BRCA_PANEL, ["C50.911"])
    assert summary.status == "Authorized"
    assert summary.lines and all(line.decision == "Authorized" for line in summary.lines)
    assert not _has_review_task(demo, order_id)
    assert demo.get(Order, order_id).program == "genetic_testing"

    # The same germline panel again, after the first approval's window: the office answers "no",
    # but the earlier request is in the portal's records, so the lines pend as a repeat (GERM-1).
    later = SERVICE + timedelta(days=100)
    again_id, again = _submit(demo, office, WOMAN, BRCA_PANEL, ["C50.911"], service=later)
    assert again.status == "In Progress"
    assert _has_review_task(demo, again_id)
    assert again.lines and all(
        line.decision == "Pended" and "GERM-1" in line.reason and line.criteria[0].startswith("Not met")
        for line in again.lines
    )


def test_dpyd_before_capecitabine_is_authorized_at_once(demo):
    office = actor_for(demo)
    details = {
        "category": "pharmacogenomics",
        "test": "dpyd",
        "had_test_before": "no",
        "planned_drug": "capecitabine",
        "management_changes": ["drug_dose"],
        **COUNSELLED,
    }
    order_id, summary = _submit(demo, office, WOMAN, details, ["C18.9"])
    assert summary.status == "Authorized"
    assert not _has_review_task(demo, order_id)


def test_exome_for_a_child_with_developmental_delay_pends_for_a_reviewer(demo):
    office = actor_for(demo)
    details = {
        "category": "exome_genome",
        "test": "exome",
        "had_test_before": "no",
        "child_indications": ["developmental_delay"],
        "evaluated_by": "none",
        "management_changes": ["diagnosis"],
        **COUNSELLED,
    }
    order_id, summary = _submit(demo, office, CHILD, details, ["F88"])
    assert summary.status == "In Progress"
    assert _has_review_task(demo, order_id)
    assert summary.lines and all(
        line.decision == "Pended" and "EXG-2" in line.reason for line in summary.lines
    )
