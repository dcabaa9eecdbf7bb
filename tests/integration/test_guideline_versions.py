"""Guideline versions through the services (services/guidelines.py), on SQLite and PostgreSQL: a
version file is checked whole then added; a new version effective next month leaves today's requests
on the version in force and sends requests dated after to the new one; every determination stores
the version it applied; the "Coming soon" list and the help page read the versions.

The worked request is order_helpers.LOW_BACK: a lumbar MRI (72148) meeting LBP-1 of the packaged
imaging criteria (imaging_criteria.csv), authorized at once under version 1.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from portal_app.domain.enums import Program
from portal_app.models import (
    AuditEvent,
    Determination,
    GuidelineCriterionRow,
    GuidelineVersionRow,
    Order,
    OrderLine,
)
from portal_app.services import guidelines, review
from portal_app.services.authz import PermissionDenied
from portal_app.services.data_loads import open_bytes
from portal_app.services.demo_data import load_demo_data
from portal_app.services.letters import build_letter_contents
from portal_app.services.order_submission import submit_order
from portal_app.services.review import open_case
from tests.conftest import BACKENDS
from tests.integration.order_helpers import TODAY, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

NEXT_MONTH = date(2026, 12, 1)  # TODAY is 2026-11-23
HEADER = "program,version,effective_from,criterion_id,codes,text,citation,source\n"
# Version 2 of imaging: LBP-1 reworded, a new criterion for 72148, the headache criteria left out.
VERSION_2 = HEADER + (
    "imaging,2,2026-12-01,LBP-1,72148 72149 72158,Six weeks of conservative care or a warning sign.,"
    "ACR Appropriateness Criteria Low Back Pain (2021),https://acsearch.acr.org/docs/69483/Narrative/\n"
    "imaging,2,2026-12-01,LBP-7,72148,A physical therapy evaluation is on file.,Test guideline 2027,"
    "Test source for version 2\n"
)


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _load(session, text: str, actor=None) -> guidelines.GuidelineLoadReport:
    return guidelines.import_guidelines(
        session, actor=actor, file_name="imaging-v2.csv", open_text=open_bytes(text.encode()), today=TODAY
    )


def _submitted(session, actor, service: date, member: str = "EVG100000012") -> Determination:
    order_id = draft_order(session, actor, service=service, member=member)
    result = submit_order(session, actor=actor, order_id=order_id, today=TODAY)
    assert result.submitted, result
    order = session.exec(select(Order).where(Order.order_number == result.order_number)).one()
    return session.exec(
        select(Determination)
        .join(OrderLine, OrderLine.id == Determination.order_line_id)
        .where(OrderLine.order_id == order.id)
        .order_by(Determination.id.desc())
    ).first()


def test_a_new_version_next_month_applies_by_date_of_service_and_each_determination_keeps_it(demo):
    support, office = actor_for(demo, "support"), actor_for(demo)
    report = _load(demo, VERSION_2, support)
    assert report.status == guidelines.APPLIED, report.problems
    assert report.versions == ("imaging version 2 from 2026-12-01",)

    today_request = _submitted(demo, office, date(2026, 11, 30))
    assert (today_request.decision, today_request.guideline_version) == ("authorized", 1)

    later = _submitted(demo, office, date(2026, 12, 7), member="EVG100000036")  # another member: no duplicate
    assert later.guideline_version == 2
    assert later.decision == "pended"  # LBP-7 has no rule: a reviewer checks it
    criteria = {c["id"]: c for c in later.explanation["criteria"]}
    assert set(criteria) == {"LBP-1", "LBP-7"}
    assert criteria["LBP-1"]["text"] == "Six weeks of conservative care or a warning sign."
    assert criteria["LBP-1"]["met"] is True and criteria["LBP-7"]["met"] is None
    assert guidelines.version_in_force(demo, "imaging", date(2026, 11, 30)).version == 1
    assert guidelines.version_in_force(demo, "imaging", NEXT_MONTH).version == 2


def test_the_version_shows_on_the_case_page_and_in_the_letter_lines(demo):
    _load(demo, VERSION_2)
    office, nurse = actor_for(demo), actor_for(demo, "nurse")
    determination = _submitted(demo, office, date(2026, 12, 7))
    order = demo.exec(select(Order).order_by(Order.id.desc())).first()
    view = open_case(demo, actor=nurse, order_number=order.order_number)
    assert view.lines[0].guideline_version.startswith("Version 2 of the program's criteria")
    assert determination.guideline_version == 2
    # The nurse's approval carries the version the engine applied, and the letter prints it.
    review.claim_task(demo, actor=nurse, task_id=view.task_id)
    review.approve_line(
        demo, actor=nurse, order_number=order.order_number, line_number=1, version=view.version
    )
    decisions = demo.exec(
        select(Determination.decided_by, Determination.guideline_version)
        .join(OrderLine, OrderLine.id == Determination.order_line_id)
        .where(OrderLine.order_id == order.id)
        .order_by(Determination.id)
    ).all()
    assert decisions == [("rules_engine", 2), ("nurse", 2)]
    letter = build_letter_contents(demo, order_id=order.id, today=TODAY)[0]
    assert letter.lines[0].decision_code == "authorized" and letter.lines[0].guideline_version == 2


def test_a_file_with_one_bad_row_changes_nothing_and_names_line_and_field(demo):
    bad = VERSION_2 + "imaging,2,2026-12-01,LBP-8,72148,,No citation,S\n"
    report = _load(demo, bad)
    assert report.status == guidelines.REJECTED
    assert [(p.where, p.field) for p in report.problems] == [("line 4", "text")]
    assert demo.exec(select(func.count()).select_from(GuidelineVersionRow)).one() == 0
    assert demo.exec(select(func.count()).select_from(GuidelineCriterionRow)).one() == 0


def test_loading_the_same_file_twice_changes_nothing_the_second_time(demo):
    assert _load(demo, VERSION_2).status == guidelines.APPLIED
    assert _load(demo, VERSION_2).status == guidelines.UNCHANGED
    assert demo.exec(select(func.count()).select_from(GuidelineCriterionRow)).one() == 2
    other = VERSION_2.replace("A physical therapy evaluation", "An evaluation")
    report = _load(demo, other)
    assert report.status == guidelines.REJECTED
    assert [(p.where, p.field) for p in report.problems] == [("line 2", "version")]
    actions = demo.exec(
        select(AuditEvent.action).where(AuditEvent.action.startswith("guidelines.")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["guidelines.applied", "guidelines.unchanged", "guidelines.rejected"]


def test_a_version_may_not_start_in_the_past_or_on_the_date_of_another(demo):
    past = VERSION_2.replace("2026-12-01", "2026-11-01")
    assert [(p.where, p.field) for p in _load(demo, past).problems] == [("line 2", "effective_from")]
    _load(demo, VERSION_2)
    same_day = VERSION_2.replace("imaging,2,", "imaging,3,")
    assert [(p.where, p.field) for p in _load(demo, same_day).problems] == [("line 2", "effective_from")]


def test_only_support_loads_a_file_from_the_page(demo):
    with pytest.raises(PermissionDenied):
        guidelines.import_guideline_upload(
            demo, actor=actor_for(demo), file_name="v2.csv", content=VERSION_2.encode()
        )
    assert demo.exec(select(func.count()).select_from(GuidelineVersionRow)).one() == 0


def test_coming_soon_lists_the_upcoming_version_with_its_changes_until_it_starts(demo):
    _load(demo, VERSION_2)
    [upcoming] = guidelines.upcoming_versions(demo, today=TODAY)
    assert (upcoming.program, upcoming.version, upcoming.effective_from, upcoming.replaces) == (
        "Radiology and cardiology imaging",
        2,
        NEXT_MONTH,
        1,
    )
    kinds = {(change.change, change.criterion_id) for change in upcoming.changes}
    assert {("added", "LBP-7"), ("changed", "LBP-1"), ("removed", "HA-1")} <= kinds
    assert guidelines.upcoming_versions(demo, today=NEXT_MONTH) == []


def test_the_help_page_criteria_are_those_in_force_with_their_sources(demo):
    _load(demo, VERSION_2)
    before = [c for c in guidelines.criteria_in_force(demo, today=TODAY) if c.program == "imaging"]
    after = [c for c in guidelines.criteria_in_force(demo, today=NEXT_MONTH) if c.program == "imaging"]
    assert {c.version for c in before} == {1} and "HA-1" in {c.criterion_id for c in before}
    assert [(c.criterion_id, c.version) for c in after] == [("LBP-1", 2), ("LBP-7", 2)]
    assert after[0].source_url == "https://acsearch.acr.org/docs/69483/Narrative/"
    assert after[1].source_url == ""


def test_every_program_has_criteria_with_sources_on_the_help_page(demo):
    listed = guidelines.criteria_in_force(demo, today=TODAY)
    assert {c.program for c in listed} == {program.value for program in Program}
    assert all(c.source for c in listed)
    # medical and radiation oncology and rehabilitation: the checks their code makes (their help.py)
    assert "ro_srs_site" in {c.criterion_id for c in listed if c.program == "radiation_oncology"}
    linked = {c.criterion_id: c.source_url for c in listed if c.program == "imaging"}
    assert linked["HA-1"] == "https://pubmed.ncbi.nlm.nih.gov/31685104/"
