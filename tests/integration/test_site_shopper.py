"""The seeds' "Specialty Care Shopper" (issue 20) through the services, on SQLite and PostgreSQL: a plan's
facility cost levels loaded from its own file (checked whole first, applied in one transaction, a bad
file changing nothing, the same file again changing nothing), read for the date of service, and shown
next to score and distance in the site-of-care alternatives and the servicing-provider search only where
the plan supplied a level then. Surgical alternatives are in-network ambulatory surgery centers.

Demo data (services/demo_data.py): Evergreen (EVG) has the cost level file docs/examples/cost-levels.csv;
Summit (SUM) and the others have none. Facility 2 (a hospital) is $$$ in 2026 and $$$$ from 2027.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from portal_app import clock
from portal_app.domain.enums import DataFileKind, DataLoadStatus, FacilityType
from portal_app.models import AuditEvent, DataLoad, Facility, FacilityCostLevel, HealthPlan
from portal_app.services import cost_levels
from portal_app.services import order_entry as entry
from portal_app.services.authz import PermissionDenied
from portal_app.services.data_loads import LoadRefused, load_history
from portal_app.services.demo_data import demo_npi, load_demo_data
from tests.conftest import BACKENDS
from tests.integration.order_helpers import LOW_BACK, SERVICE, actor_for, draft_order

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

EVG_MEMBER = "EVG100000012"  # lives in Springfield: an ambulatory surgery center is there
FRANKLIN_MEMBER = "EVG100000020"  # lives in Franklin: Evergreen's in-network free-standing centre 3 is there
HEADER = "npi,cost_level,effective_from,effective_until,source\n"
SOURCE = "Summit cost tiers (test file)"
NEXT_YEAR = date(2027, 1, 4)


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _plan_id(session, code: str) -> int:
    return session.exec(select(HealthPlan).where(HealthPlan.code == code)).one().id


def _file(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def _load(session, content: bytes, *, plan="SUM", complete=True, name="sum-cost-levels.csv"):
    return cost_levels.import_cost_level_upload(
        session,
        actor=actor_for(session, "support"),
        plan_code=plan,
        file_name=name,
        content=content,
        complete=complete,
    )


def _levels(session, plan="SUM") -> list[tuple]:
    rows = session.exec(
        select(FacilityCostLevel).where(FacilityCostLevel.plan_id == _plan_id(session, plan))
    ).all()
    return sorted((r.facility_id, r.level, r.effective_from, r.effective_until, r.source) for r in rows)


GOOD = (
    f"{demo_npi(3, kind='facility')},lower,2026-01-01,,{SOURCE}",
    f"{demo_npi(1, kind='facility')},higher,2026-01-01,2026-12-31,{SOURCE}",
    f"{demo_npi(1, kind='facility')},average,2027-01-01,,{SOURCE}",
)


def test_a_good_file_is_applied_and_loading_it_again_changes_nothing(demo):
    first = _load(demo, _file(*GOOD))
    assert first.status == DataLoadStatus.APPLIED, first.problems
    assert (first.records_read, first.new, first.changed, first.ended) == (3, 3, 0, 0)
    assert "applied to plan SUM: 3 cost levels read, 3 new" in first.summary()
    stored = _levels(demo)
    second = _load(demo, _file(*GOOD))
    assert (second.new, second.changed, second.ended, second.unchanged) == (0, 0, 0, 3)
    assert _levels(demo) == stored
    loads = demo.exec(select(DataLoad).where(DataLoad.kind == DataFileKind.COST_LEVELS)).all()
    assert [load.status for load in loads] == ["applied", "applied"]
    assert demo.exec(select(AuditEvent).where(AuditEvent.action == "plan_data.cost_levels_applied")).all()
    rows, _ = load_history(demo, actor=actor_for(demo, "support"))
    assert rows[0].kind == "Facility cost levels" and rows[0].file_name == "sum-cost-levels.csv"


def test_a_file_with_an_amount_or_an_unknown_npi_changes_nothing_and_says_where(demo):
    assert _load(demo, _file(*GOOD)).status == DataLoadStatus.APPLIED
    before = _levels(demo)
    changed = (
        GOOD[0].replace("lower", "higher"),
        f'{demo_npi(4, kind="facility")},"$1,250",2026-01-01,,{SOURCE}',
    )
    report = _load(demo, _file(*changed))
    assert report.status == DataLoadStatus.REJECTED and _levels(demo) == before
    assert "was not applied: 1 problem(s) found in 2 records; nothing was changed" in report.summary()
    (problem,) = report.problems
    assert (problem.where, problem.field) == ("line 3", "cost_level") and "never prices" in problem.problem
    unknown = _load(
        demo, _file(GOOD[0].replace("lower", "higher"), f"1234567893,average,2026-01-01,,{SOURCE}")
    )
    assert unknown.status == DataLoadStatus.REJECTED and _levels(demo) == before
    assert [(p.where, p.field) for p in unknown.problems] == [("line 3", "npi")]
    assert "no facility Precert holds" in unknown.problems[0].problem


def test_only_support_loads_and_a_fhir_file_is_refused(demo):
    with pytest.raises(PermissionDenied):
        cost_levels.import_cost_level_upload(
            demo, actor=actor_for(demo, "ordering"), plan_code="SUM", file_name="x.csv", content=_file(*GOOD)
        )
    with pytest.raises(LoadRefused):
        _load(demo, b"{}", name="levels.json")
    with pytest.raises(LoadRefused):
        _load(demo, _file(*GOOD), plan="NOPE")
    assert _levels(demo) == []


def test_the_level_in_force_on_the_date_of_service(demo):
    _load(demo, _file(*GOOD))
    sum_id, hospital = _plan_id(demo, "SUM"), _facility(demo, 1)
    level = lambda on: cost_levels.cost_level_on(demo, plan_id=sum_id, facility_id=hospital.id, on=on)  # noqa: E731
    assert level(date(2025, 12, 31)) == ""
    assert level(date(2026, 12, 31)) == "higher"
    assert level(date(2027, 1, 1)) == "average"
    # Another plan's levels are its own: Lakeshore supplied none.
    assert (
        cost_levels.cost_level_on(demo, plan_id=_plan_id(demo, "LKS"), facility_id=hospital.id, on=SERVICE)
        == ""
    )


def test_a_complete_file_ends_the_rows_missing_from_it_and_a_changes_only_file_does_not(demo):
    _load(demo, _file(*GOOD))
    partial = _load(demo, _file(GOOD[0]), complete=False)
    assert (partial.ended, partial.unchanged) == (0, 1)
    report = _load(demo, _file(GOOD[0]))
    yesterday = clock.today() - timedelta(days=1)
    assert report.ended == 2
    hospital = _facility(demo, 1).id
    rows = [row for row in _levels(demo) if row[0] == hospital]
    # The 2026 row (in force before the load) ends yesterday; the 2027 one, never in force, is gone.
    assert [(r[1], r[3]) for r in rows] == [("higher", min(yesterday, date(2026, 12, 31)))]


def _facility(session, index: int) -> Facility:
    return session.exec(select(Facility).where(Facility.npi == demo_npi(index, kind="facility"))).one()


def _hospital_draft(
    session, office, *, program: str, details: dict, codes: list[str], member: str = EVG_MEMBER
) -> int:
    order_id = draft_order(
        session,
        office,
        member=member,
        program=program,
        details=details,
        codes=codes,
        diagnoses=("K21.9",) if program == "surgical" else ("M54.50",),
    )
    hospital = _facility(session, 1)
    order = entry.editable_draft(session, office, order_id)
    assert entry.choose_providers(
        session,
        actor=office,
        order_id=order_id,
        ordering_provider_id=order.ordering_provider_id,
        servicing_kind="facility",
        servicing_id=hospital.id,
        out_of_network_confirmed=True,
        letter_address="1 Demo Way",
        letter_fax="555-0100",
    ).ok
    return order_id


EGD = {"procedure": "egd", "egd_alarm_features": ["dysphagia"]}


def test_surgical_alternatives_are_in_network_surgery_centers_with_the_plans_cost_level(demo):
    office = actor_for(demo)
    order_id = _hospital_draft(demo, office, program="surgical", details=EGD, codes=["43239"])
    found = entry.site_of_care_alternatives(demo, actor=office, order_id=order_id)
    assert found, "an ambulatory surgery center lies within reach of every demo member"
    assert {site.detail for site in found} == {FacilityType.AMBULATORY_SURGERY_CENTER.label}
    assert all(site.in_network for site in found)
    assert all(
        site.cost in {"$ of $$$$ (plan's cost level)", "$$ of $$$$ (plan's cost level)"} for site in found
    )
    assert all(site.distance for site in found)


def test_imaging_alternatives_and_the_servicing_search_show_the_level_of_the_date_of_service(demo):
    office = actor_for(demo)
    order_id = _hospital_draft(
        demo, office, program="imaging", details=LOW_BACK, codes=["72148"], member=FRANKLIN_MEMBER
    )
    found = entry.site_of_care_alternatives(demo, actor=office, order_id=order_id, exam_modality="mri")
    assert found and {site.detail for site in found} == {FacilityType.FREE_STANDING.label}
    assert {site.cost for site in found} == {"$ of $$$$ (plan's cost level)"}

    hospital = _facility(demo, 2)  # $$$ in 2026, $$$$ from 2027
    this_year = entry.search_servicing(demo, actor=office, order_id=order_id, query=hospital.npi)
    assert [m.cost for m in this_year if m.kind == "facility"] == ["$$$ of $$$$ (plan's cost level)"]
    later = draft_order(demo, office, member=EVG_MEMBER, service=NEXT_YEAR)
    next_year = entry.search_servicing(demo, actor=office, order_id=later, query=hospital.npi)
    assert [m.cost for m in next_year if m.kind == "facility"] == ["$$$$ of $$$$ (plan's cost level)"]
    office_suite = _facility(demo, 7)  # Evergreen supplied no level for it: nothing is shown
    assert [
        m.cost for m in entry.search_servicing(demo, actor=office, order_id=later, query=office_suite.npi)
    ] == [""]


def test_nothing_is_shown_for_a_plan_that_supplied_no_levels(demo):
    office = actor_for(demo)
    order_id = draft_order(demo, office, member="LKS100000013", program="imaging")
    found = entry.search_servicing(demo, actor=office, order_id=order_id, query="Surgery Center")
    assert found and all(match.cost == "" for match in found)
    assert demo.exec(select(func.count()).select_from(FacilityCostLevel)).one() > 0  # Evergreen's are there


@pytest.fixture
def cli_on_this_database(db_url, monkeypatch, tmp_path):
    """The command line's settings and engine pointed at this test's database."""
    from portal_app import db
    from portal_app.settings import get_settings

    def reset():
        get_settings.cache_clear()
        if db.get_engine.cache_info().currsize:
            db.get_engine().dispose()
        db.get_engine.cache_clear()

    monkeypatch.setenv("DB_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    reset()
    yield
    reset()


def test_operators_load_cost_levels_from_the_command_line(demo, cli_on_this_database, tmp_path, capsys):
    from portal_app import cli

    file = tmp_path / "sum-cost-levels.csv"
    file.write_bytes(_file(*GOOD))
    assert cli.main(["import-cost-levels", str(file), "--plan", "SUM"]) == 0
    assert "3 new" in capsys.readouterr().out
    assert cli.main(["import-cost-levels", str(file), "--plan", "SUM"]) == 0
    assert "0 new, 0 changed, 0 ended, 3 unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_file(f"{demo_npi(3, kind='facility')},$250,2026-01-01,,{SOURCE}"))
    assert cli.main(["import-cost-levels", str(bad), "--plan", "SUM"]) == 1
    assert "line 2, cost_level: $250 looks like an amount" in capsys.readouterr().out
    assert len(_levels(demo)) == 3
