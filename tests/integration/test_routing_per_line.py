"""Echo routing per line of business (issue 20), on SQLite and PostgreSQL: a plan's routing row for one
line of business wins over its all-lines row, in the wizard, for CRD and the public page
(``coverage_requirements.requirement_for``); two all-lines rows of the same plan, group and date are
refused by the database on both backends ('' stands for every line, never NULL).

Demo data: Lakeshore (LKS) routes echocardiography to cardiology from 2027-01-01 for every line
(programs/cardiology/demo.py) except Medicaid, whose echo stays with imaging (programs/imaging/demo.py).
LKS100000013 is dual eligible, LKS200000003 a Medicaid member.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from portal_app.domain.enums import Program
from portal_app.models import HealthPlan, Order, ProgramRouting
from portal_app.services import order_entry as entry
from portal_app.services.coverage_requirements import requirement_for
from portal_app.services.demo_data import load_demo_data
from portal_app.services.program_routing import program_for
from tests.conftest import BACKENDS
from tests.integration.order_helpers import actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

DUAL_MEMBER, MEDICAID_MEMBER = "LKS100000013", "LKS200000003"
ECHO_SERVICE = date(2027, 1, 4)
ECHO_IN_IMAGING = {
    "modality": "tte",
    "body_part": "heart",
    "clinical_indication": "other",
    "site_of_care": "free_standing",
}


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _lakeshore(session) -> int:
    return session.exec(select(HealthPlan).where(HealthPlan.code == "LKS")).one().id


def test_the_row_for_the_members_line_wins_over_the_all_lines_row(demo):
    plan_id = _lakeshore(demo)

    def routed(line: str, on: date = ECHO_SERVICE) -> Program:
        return program_for(
            demo,
            plan_id=plan_id,
            service_code="93306",
            on_date=on,
            default=Program.IMAGING,
            line_of_business=line,
        )

    assert routed("dual") == Program.CARDIOLOGY  # the all-lines row
    assert routed("medicaid") == Program.IMAGING  # Medicaid's own row
    assert routed("") == Program.CARDIOLOGY  # no line given: the all-lines row
    assert routed("medicaid", date(2026, 12, 31)) == Program.IMAGING  # before both rows
    # A line's row that has ended gives way to the all-lines row again.
    medicaid = demo.exec(select(ProgramRouting).where(ProgramRouting.line_of_business == "medicaid")).one()
    medicaid.ends_on = date(2027, 6, 30)
    demo.add(medicaid)
    demo.commit()
    assert routed("medicaid", date(2027, 6, 30)) == Program.IMAGING
    assert routed("medicaid", date(2027, 7, 1)) == Program.CARDIOLOGY


def test_the_wizard_routes_the_dual_members_echo_and_keeps_the_medicaid_members_in_imaging(demo):
    office = actor_for(demo)
    for member, expected in ((DUAL_MEMBER, Program.CARDIOLOGY), (MEDICAID_MEMBER, Program.IMAGING)):
        order_id = draft_order(demo, office, member=member, service=ECHO_SERVICE)
        saved = entry.save_program_details(
            demo, actor=office, order_id=order_id, details=ECHO_IN_IMAGING, codes=["93306"]
        )
        order = demo.get(Order, order_id)
        demo.refresh(order)
        assert order.program == expected, (member, saved.errors)
        assert saved.ok == (expected == Program.IMAGING)


def test_crd_and_the_public_page_answer_by_the_members_line(demo):
    plan_id = _lakeshore(demo)

    def needed(line: str):
        return requirement_for(
            demo, plan_id=plan_id, line_of_business=line, service_code="93306", on_date=ECHO_SERVICE
        )

    assert needed("dual").program == Program.CARDIOLOGY
    assert needed("medicaid").program == Program.IMAGING
    assert needed("dual").managed and needed("medicaid").managed


def test_two_all_lines_rows_of_the_same_plan_group_and_date_are_refused(demo):
    plan_id = _lakeshore(demo)

    def row(line: str) -> ProgramRouting:
        return ProgramRouting(
            plan_id=plan_id,
            service_group="echocardiography",
            line_of_business=line,
            program=Program.IMAGING,
            starts_on=date(2028, 1, 1),
            source="test",
        )

    demo.add(row(""))
    demo.add(row("dual"))  # another line on the same date is a different row
    demo.commit()
    demo.add(row(""))
    with pytest.raises(IntegrityError):
        demo.commit()
    demo.rollback()
    stored = demo.exec(select(ProgramRouting).where(ProgramRouting.starts_on == date(2028, 1, 1))).all()
    assert sorted(r.line_of_business for r in stored) == ["", "dual"]
