"""Surgical and endoscopic procedure requests through the wizard's services (issue 20), on SQLite and
PostgreSQL: a screening colonoscopy 3 years after a normal one pends on the interval (USMSTF 2020: 10
years), an EGD with alarm features is authorized at once (ASGE 2015), a bariatric request at BMI 36 with
type 2 diabetes after 6 months of a supervised programme is authorized (CMS NCD 100.1), and a hospital
outpatient site pends for a physician's site-of-care review; a colonoscopy in the portal's own records
later than the one the office names pends for its findings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal_app.domain.enums import ReviewQueue
from portal_app.models import Order, ReviewTask
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import get_order_summary
from tests.conftest import BACKENDS
from tests.integration.order_helpers import SERVICE, TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

# Evergreen (EVG) delegates the surgical program from 2026 (programs/surgical/demo.py); EVG100000012 is
# an adult member of it.
MEMBER = "EVG100000012"
OLDER = "EVG100000024"  # an Evergreen member born in 1961 (screening is due from 45)


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _submit(
    session, office, details: dict, codes: list[str], diagnoses: list[str], *, member=MEMBER, service=SERVICE
):
    order_id = draft_order(
        session,
        office,
        member=member,
        service=service,
        program="surgical",
        details=details,
        codes=codes,
        diagnoses=diagnoses,
    )
    result = submit_order(session, actor=office, order_id=order_id, today=TODAY)
    assert result.submitted, result
    return order_id, get_order_summary(session, actor=office, order_number=result.order_number)


def _has_review_task(session, order_id: int) -> bool:
    return session.exec(select(ReviewTask).where(ReviewTask.order_id == order_id)).first() is not None


def test_a_colonoscopy_3_years_after_a_normal_one_pends_on_the_interval(demo):
    office = actor_for(demo)
    three_years_before = date(SERVICE.year - 3, SERVICE.month, SERVICE.day)
    details = {
        "procedure": "colonoscopy",
        "colonoscopy_purpose": "screening",
        "last_colonoscopy_date": three_years_before.isoformat(),
        "last_colonoscopy_findings": "normal",
        "family_history": "none",
    }
    order_id, summary = _submit(demo, office, details, ["G0121"], ["Z12.11"], member=OLDER)
    assert summary.status == "In Progress"
    assert _has_review_task(demo, order_id)
    [line] = summary.lines
    assert line.decision == "Pended" and "COL-2" in line.reason
    assert demo.get(Order, order_id).program == "surgical"


def test_an_egd_with_alarm_features_is_authorized_at_once(demo):
    office = actor_for(demo)
    details = {"procedure": "egd", "egd_alarm_features": ["dysphagia", "weight_loss"]}
    order_id, summary = _submit(demo, office, details, ["43239"], ["R13.10"])
    assert summary.status == "Authorized"
    assert [line.decision for line in summary.lines] == ["Authorized"]
    assert not _has_review_task(demo, order_id)


def test_a_bariatric_request_at_bmi_36_with_diabetes_after_6_months_is_authorized(demo):
    office = actor_for(demo)
    details = {
        "procedure": "bariatric",
        "height_cm": 170,
        "weight_kg": 104,  # BMI 36.0
        "comorbidities": ["type2_diabetes"],
        "supervised_program_months": 6,
        "psych_evaluation_done": "yes",
    }
    order_id, summary = _submit(demo, office, details, ["43775"], ["E66.01", "E11.9"])
    assert summary.status == "Authorized"
    assert not _has_review_task(demo, order_id)


def test_a_hospital_outpatient_site_pends_for_the_site_of_care_review(demo):
    office = actor_for(demo)
    details = {
        "procedure": "egd",
        "egd_alarm_features": ["gi_bleeding"],
        "site_of_care": "hospital_outpatient",
        "hospital_reason": "Decompensated cirrhosis: anaesthesia in a hospital",
    }
    order_id, summary = _submit(demo, office, details, ["43235"], ["K92.2"])
    assert summary.status == "In Progress"
    [line] = summary.lines
    assert line.decision == "Pended" and "SOC-1" in line.reason
    # Only a physician settles the hospital setting (physician_only_criteria.csv).
    task = demo.exec(select(ReviewTask).where(ReviewTask.order_id == order_id)).one()
    assert task.queue == ReviewQueue.PHYSICIAN


def test_a_screening_colonoscopy_after_one_in_the_portals_records_pends(demo):
    office = actor_for(demo)
    # A first screening at 65 with no earlier colonoscopy is due (USPSTF 2021: from 45): authorized.
    screening = {"procedure": "colonoscopy", "colonoscopy_purpose": "screening", "family_history": "none"}
    _, first = _submit(demo, office, screening, ["G0121"], ["Z12.11"], member=OLDER)
    assert first.status == "Authorized"

    # After the first approval's 60 days the office again answers "no earlier colonoscopy"; the
    # portal's records know the first one, whose findings decide when the next is due (USMSTF 2020).
    later = SERVICE + timedelta(days=70)
    order_id, summary = _submit(demo, office, screening, ["G0121"], ["Z12.11"], member=OLDER, service=later)
    [line] = summary.lines
    assert (
        line.decision == "Pended" and "COL-2" in line.reason and "records show a colonoscopy" in line.reason
    )
    assert _has_review_task(demo, order_id)
