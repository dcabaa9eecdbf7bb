"""Plan member and provider files: checked first, applied whole as a delta, idempotent, never
deleting what orders refer to (services/data_loads.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import func, select

from portal_app import clock
from portal_app.domain.enums import DataLoadStatus, NetworkStatus
from portal_app.models import DataLoad, HealthPlan, Member, NetworkParticipation, Order, Provider
from portal_app.services import data_loads
from portal_app.services.authz import PermissionDenied
from tests.conftest import BACKENDS
from tests.integration.order_helpers import actor_for

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
TODAY = date(2026, 12, 4)
NOON = datetime(2026, 12, 4, 12, tzinfo=UTC)
HEADER = (
    "member_id,first_name,last_name,date_of_birth,sex,line_of_business,address_line,city,state,"
    "postal_code,phone,coverage_start,coverage_end"
)


def _members_csv(session, plan_code: str, *, extra: list[str] = (), drop: str = "") -> bytes:
    """The plan's members as a complete CSV file (less ``drop``), plus ``extra`` rows."""
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == plan_code)).one()
    lines = [HEADER]
    for m in session.exec(select(Member).where(Member.plan_id == plan.id).order_by(Member.id)).all():
        if m.member_number == drop:
            continue
        end = m.eligibility_end.isoformat() if m.eligibility_end else ""
        lines.append(
            f"{m.member_number},{m.first_name},{m.last_name},{m.date_of_birth},{m.sex},"
            f"{m.line_of_business},{m.address_line},{m.city},{m.state},{m.postal_code},{m.phone},"
            f"{m.eligibility_start},{end}"
        )
    return ("\n".join([*lines, *extra]) + "\n").encode()


NEW_ROW = (
    "EVG900000009,Nia,Newcomer,1980-05-06,F,commercial_hmo_pos,1 Demo Way,Springfield,IL,62701,,2026-01-01,"
)


def _load(session, content: bytes, *, plan="EVG", kind="members", name="members.csv", complete=True):
    with clock.frozen_at(NOON):
        return data_loads.load_upload(
            session,
            actor=actor_for(session, "support"),
            kind=kind,
            plan_code=plan,
            file_name=name,
            content=content,
            complete=complete,
        )


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_good_file_is_applied_and_loading_it_again_changes_nothing(session, demo_data):
    content = _members_csv(session, "EVG", extra=[NEW_ROW])
    before = _count(session, Member)
    first = _load(session, content)
    assert first.status == DataLoadStatus.APPLIED, first.problems
    assert (first.new, first.changed, first.ended) == (1, 0, 0)
    assert _count(session, Member) == before + 1
    added = session.exec(select(Member).where(Member.member_number == "EVG900000009")).one()
    assert (added.last_name, added.eligibility_start) == ("Newcomer", date(2026, 1, 1))
    second = _load(session, content)
    assert (second.new, second.changed, second.ended) == (0, 0, 0)
    assert second.unchanged == first.records_read
    loads = session.exec(select(DataLoad).order_by(DataLoad.id)).all()
    assert [load.status for load in loads] == ["applied", "applied"]


def test_a_changed_member_is_updated(session, demo_data):
    content = _members_csv(session, "EVG").replace(b",Springfield,IL,", b",Fairview,OR,", 1)
    report = _load(session, content)
    assert report.changed == 1 and report.new == 0 and report.ended == 0


def test_a_file_with_one_bad_row_changes_nothing_and_says_where(session, demo_data):
    bad = NEW_ROW.replace("1980-05-06", "1980-13-06")
    before = session.exec(select(Member.member_number, Member.eligibility_end)).all()
    report = _load(session, _members_csv(session, "EVG", extra=[bad], drop="EVG100000012"))
    assert report.status == DataLoadStatus.REJECTED
    assert report.error_count == 1
    (problem,) = report.problems
    assert problem.field == "date_of_birth" and problem.where.startswith("line ")
    assert session.exec(select(Member.member_number, Member.eligibility_end)).all() == before
    stored = session.exec(select(DataLoad)).one()
    assert stored.status == "rejected" and stored.problems[0]["field"] == "date_of_birth"


def test_duplicate_member_ids_are_reported_with_the_first_line(session, demo_data):
    report = _load(session, _members_csv(session, "EVG", extra=[NEW_ROW, NEW_ROW]))
    assert report.status == DataLoadStatus.REJECTED
    assert "is also at line" in report.problems[0].problem


def test_a_member_missing_from_a_complete_file_is_ended_and_keeps_their_orders(session, demo_data):
    order = session.exec(select(Order).where(Order.order_number.is_not(None))).first()
    member = session.get(Member, order.member_id)
    plan = session.get(HealthPlan, member.plan_id)
    report = _load(session, _members_csv(session, plan.code, drop=member.member_number), plan=plan.code)
    assert report.status == DataLoadStatus.APPLIED and report.ended == 1
    session.expire_all()
    ended = session.get(Member, member.id)
    assert ended.eligibility_end == date(2026, 12, 3)  # the day before the load
    assert session.get(Order, order.id).member_id == member.id
    # A changes-only file ends nobody.
    again = _load(session, f"{HEADER}\n{NEW_ROW}\n".encode(), complete=False)
    assert (again.new, again.ended) == (1, 0)


def test_a_fhir_bundle_loads_the_same_members_as_the_csv(session, demo_data):
    csv_report = _load(session, (EXAMPLES / "members.csv").read_bytes(), complete=False)
    assert csv_report.new == 3, csv_report.problems
    columns = [
        Member.member_number,
        Member.first_name,
        Member.last_name,
        Member.date_of_birth,
        Member.sex,
        Member.line_of_business,
        Member.address_line,
        Member.postal_code,
        Member.phone,
        Member.eligibility_start,
        Member.eligibility_end,
    ]
    from_csv = session.exec(
        select(*columns).where(Member.member_number.like("EVG9%")).order_by(Member.member_number)
    ).all()
    for name in ("members-bundle.json", "members.ndjson"):
        report = _load(session, (EXAMPLES / name).read_bytes(), name=name, complete=False)
        assert report.file_format == "fhir"
        assert (report.new, report.changed, report.unchanged) == (0, 0, 3), report.problems
    assert (
        session.exec(
            select(*columns).where(Member.member_number.like("EVG9%")).order_by(Member.member_number)
        ).all()
        == from_csv
    )


def test_a_fhir_coverage_for_another_plan_is_refused(session, demo_data):
    content = (EXAMPLES / "members.ndjson").read_text().replace('"value": "EVG"', '"value": "LKS"', 1)
    report = _load(session, content.encode(), name="members.ndjson", complete=False)
    assert report.status == DataLoadStatus.REJECTED
    assert report.problems[0].field == "Coverage.class"


def test_provider_files_add_update_and_end_network_participation(session, demo_data):
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    in_network = session.exec(
        select(func.count()).select_from(NetworkParticipation).where(NetworkParticipation.plan_id == plan.id)
    ).one()
    report = _load(session, (EXAMPLES / "providers.csv").read_bytes(), kind="providers", name="providers.csv")
    assert report.status == DataLoadStatus.APPLIED, report.problems
    assert (report.new, report.ended) == (3, in_network)
    iris = session.exec(select(Provider).where(Provider.npi == "1980000016")).one()
    participation = session.exec(
        select(NetworkParticipation).where(NetworkParticipation.provider_id == iris.id)
    ).one()
    assert participation.status == NetworkStatus.IN_NETWORK
    again = _load(session, (EXAMPLES / "providers.ndjson").read_bytes(), kind="providers", name="p.ndjson")
    assert (again.new, again.changed, again.ended, again.unchanged) == (0, 0, 0, 3), again.problems
    # Nothing was deleted: every provider the demo orders name is still there.
    assert _count(session, Provider) == 40 + 2


def test_an_npi_held_by_a_facility_cannot_become_a_practitioner(session, demo_data):
    from portal_app.models import Facility

    facility_npi = session.exec(select(Facility.npi)).first()
    content = (EXAMPLES / "providers.csv").read_text().replace("1980000016", facility_npi)
    report = _load(session, content.encode(), kind="providers", name="providers.csv")
    assert report.status == DataLoadStatus.REJECTED
    assert report.problems[0].field == "npi" and "facility" in report.problems[0].problem


def test_only_support_loads_files_and_sees_the_history(session, demo_data):
    with pytest.raises(PermissionDenied):
        data_loads.load_upload(
            session,
            actor=actor_for(session, "ordering"),
            kind="members",
            plan_code="EVG",
            file_name="m.csv",
            content=(EXAMPLES / "members.csv").read_bytes(),
        )
    with pytest.raises(PermissionDenied):
        data_loads.load_history(session, actor=actor_for(session, "nurse"))
    _load(session, (EXAMPLES / "members.csv").read_bytes(), complete=False)
    rows, total = data_loads.load_history(session, actor=actor_for(session, "support"))
    assert total == 1 and rows[0].file_name == "members.csv" and "3 new" in rows[0].counts
