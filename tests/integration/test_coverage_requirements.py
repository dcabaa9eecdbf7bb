"""`coverage_requirements.requirement_for`, the one answer to "is this code managed?" that the CRD
service and the public page share, on the demo plans (delegations and code lists from the seed)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal_app.domain.enums import LineOfBusiness, Program
from portal_app.models import HealthPlan
from portal_app.services.coverage_requirements import plan_options, public_answer, requirement_for
from portal_app.services.demo_data import load_demo_data
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

ON = date.today() + timedelta(days=14)


@pytest.fixture
def evergreen(session, demo_data) -> int:
    load_demo_data(session)
    return session.exec(select(HealthPlan.id).where(HealthPlan.code == "EVG")).one()


@pytest.mark.parametrize(
    ("code", "managed", "program"),
    [
        ("72148", True, Program.IMAGING),  # lumbar MRI: in the imaging code list (imaging_codes.csv)
        (" 72148 ", True, Program.IMAGING),  # spaces and case do not matter
        ("99213", False, None),  # an office visit: in no program's list
    ],
)
def test_requirement_for_a_code(session, evergreen, code, managed, program):
    found = requirement_for(
        session,
        plan_id=evergreen,
        line_of_business=LineOfBusiness.COMMERCIAL_HMO_POS,
        service_code=code,
        on_date=ON,
    )
    assert (found.managed, found.program) == (managed, program)
    assert code.strip() in found.reason


def test_a_notification_only_code_is_managed_but_needs_no_authorization(session, evergreen):
    calcium_score = requirement_for(  # notification only for EVG in imaging_codes.csv
        session, plan_id=evergreen, line_of_business="commercial_hmo_pos", service_code="75571", on_date=ON
    )
    lumbar_mri = requirement_for(
        session, plan_id=evergreen, line_of_business="commercial_hmo_pos", service_code="72148", on_date=ON
    )
    assert calcium_score.managed and calcium_score.notification_only
    assert lumbar_mri.managed and not lumbar_mri.notification_only


def test_an_unknown_plan_is_not_managed(session, evergreen):
    found = requirement_for(
        session, plan_id=999999, line_of_business="commercial_hmo_pos", service_code="72148", on_date=ON
    )
    assert not found.managed and "plan" in found.reason


def test_before_the_delegation_nothing_is_managed(session, evergreen):
    found = requirement_for(
        session,
        plan_id=evergreen,
        line_of_business="commercial_hmo_pos",
        service_code="72148",
        on_date=date(2000, 1, 2),
    )
    assert not found.managed


def test_the_public_answer_lists_the_programs_documents(session, evergreen):
    answer = public_answer(
        session, plan_id=evergreen, line_of_business="commercial_hmo_pos", service_code="72148", on_date=ON
    )
    assert answer.program_label == Program.IMAGING.label and answer.documents
    assert (
        public_answer(
            session,
            plan_id=evergreen,
            line_of_business="commercial_hmo_pos",
            service_code="99213",
            on_date=ON,
        ).documents
        == ()
    )
    assert any(option.plan_id == evergreen and option.lines_of_business for option in plan_options(session))
