"""Lines of business that decide something (issue 20) and code lists as loaded versions (issue 23):
``services/coverage_requirements.requirement_for`` on the demo plan Riverbend (RVB), which
delegates imaging for its Medicare Advantage and dual-eligible members but not for its commercial
PPO/EPO members (services/demo_data.py: LINE_DELEGATIONS, COVERAGE_DEMO_MEMBERS), through the
service itself, the wizard's steps and the PAS API; and code list versions loaded from files."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from portal_app.domain.enums import Program
from portal_app.models import AuditEvent, CodeListEntry, CodeListVersion, HealthPlan
from portal_app.services import code_lists
from portal_app.services import order_entry as entry
from portal_app.services.coverage_requirements import requirement_for
from tests.conftest import BACKENDS
from tests.integration import pas_bundles as pb
from tests.integration import test_pas_api as pas_api
from tests.integration.order_helpers import LOW_BACK, SERVICE, TODAY, actor_for, draft_order, member_by_number
from tests.integration.test_pas_api import _action, _submit, _valid

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

demo, api = pas_api.demo, pas_api.api

MA_MEMBER, PPO_MEMBER = "RVB200000001", "RVB200000002"
LUMBAR_MRI = "72148"  # on RVB's packaged imaging list for 2026 (imaging_codes.csv)
NOT_MANAGED = "not managed for this member's coverage"


def _rvb(session) -> HealthPlan:
    return session.exec(select(HealthPlan).where(HealthPlan.code == "RVB")).one()


def test_the_same_imaging_code_is_managed_for_an_ma_member_and_not_for_a_ppo_member(session, demo_data):
    plan = _rvb(session)
    asked = {"plan_id": plan.id, "service_code": LUMBAR_MRI, "on_date": SERVICE}
    medicare = requirement_for(session, line_of_business="medicare_advantage", **asked)
    ppo = requirement_for(session, line_of_business="commercial_ppo_epo", **asked)
    assert medicare.managed and medicare.program is Program.IMAGING
    assert not ppo.managed and ppo.program is None
    assert NOT_MANAGED in ppo.reason and "Commercial PPO/EPO" in ppo.reason
    unknown = requirement_for(
        session, line_of_business="medicare_advantage", **{**asked, "service_code": "99213"}
    )
    assert not unknown.managed and "on no code list" in unknown.reason


def test_the_wizard_takes_the_ma_member_and_refuses_the_ppo_member(session, demo_data):
    office = actor_for(session)
    assert draft_order(session, office, member=MA_MEMBER)  # through every step, 72148 accepted
    plan = _rvb(session)
    order_id, started = entry.start_draft(
        session, actor=office, plan_id=plan.id, program="imaging", service_date=SERVICE, today=TODAY
    )
    assert started.ok
    refused = entry.choose_member(
        session,
        actor=office,
        order_id=order_id,
        member_id=member_by_number(session, PPO_MEMBER).id,
        confirmed=True,
    )
    assert NOT_MANAGED in refused.errors["member"] and "Commercial PPO/EPO" in refused.errors["member"]


def _riverbend_mri(session, member: str) -> dict:
    """The project's approved lumbar MRI bundle for a Riverbend member (insurer: RVB)."""
    raw = pb.for_member(pb.bundle("imaging-approved"), session, member)
    for resource in (e["resource"] for e in raw["entry"] if e["resource"]["resourceType"] == "Organization"):
        for identifier in resource.get("identifier", []):
            if identifier.get("system", "").endswith("/sid/health-plan"):
                identifier["value"] = "RVB"
    return raw


def test_pas_answers_the_ppo_member_not_managed_and_orders_for_the_ma_member(demo, api):
    client = pb.register(demo)
    ma = _valid(_submit(api, client, _riverbend_mri(demo, MA_MEMBER)))
    assert [_action(item) for item in ma["item"]] == ["A1"]
    ppo = _valid(_submit(api, client, _riverbend_mri(demo, PPO_MEMBER)))
    assert [_action(item) for item in ppo["item"]] == ["CT"] and "preAuthRef" not in ppo
    assert NOT_MANAGED in ppo["processNote"][0]["text"]


def _list_without(session, plan_code: str, year: int, code: str) -> list[str]:
    """RVB's packaged imaging list for the year as a code list file, less ``code``."""
    rows = [e for e in code_lists.packaged_entries(Program.IMAGING, plan_code, year) if e.code != code]
    lines = ["code,code_system,notification_only,description,source"]
    lines += [
        f'{e.code},{e.code_system},{"yes" if e.notification_only else "no"},"{e.description}",plan list'
        for e in rows
    ]
    return [line + "\n" for line in lines]


def test_a_code_list_version_changes_what_the_wizard_accepts_from_its_effective_date(session, demo_data):
    support, office = actor_for(session, "support"), actor_for(session, "ordering")
    switch = date(2026, 12, 10)
    loaded = code_lists.import_code_list(
        session,
        actor=support,
        plan_code="RVB",
        program="imaging",
        line_of_business="medicare_advantage",
        year=2026,
        lines=_list_without(session, "RVB", 2026, LUMBAR_MRI),
        file_name="rvb-ma-imaging-2026.csv",
        effective_from=switch,
    )
    assert loaded.status == "loaded" and loaded.version == 1
    added = [e.code for e in loaded.diff.added]  # the line's first list: every code new for it
    assert added and LUMBAR_MRI not in added and not loaded.diff.removed
    before = draft_order(session, office, member=MA_MEMBER, service=date(2026, 12, 7))
    assert before
    with pytest.raises(AssertionError, match=NOT_MANAGED):
        draft_order(session, office, member=MA_MEMBER, service=date(2026, 12, 14), details=LOW_BACK)
    plan = _rvb(session)
    on_switch = requirement_for(
        session,
        plan_id=plan.id,
        line_of_business="medicare_advantage",
        service_code=LUMBAR_MRI,
        on_date=switch,
    )
    assert not on_switch.managed and "on no code list" in on_switch.reason
    dual = requirement_for(  # the dual-eligible line keeps the list for all lines
        session, plan_id=plan.id, line_of_business="dual", service_code=LUMBAR_MRI, on_date=switch
    )
    assert dual.managed


def test_loading_the_same_code_list_file_twice_changes_nothing_the_second_time(session, demo_data):
    support = actor_for(session, "support")
    file = _list_without(session, "RVB", 2027, "70450")
    args = {
        "actor": support,
        "plan_code": "RVB",
        "program": "imaging",
        "line_of_business": "",
        "year": 2027,
        "file_name": "rvb-imaging-2027.csv",
        "effective_from": date(2027, 3, 1),
    }
    first = code_lists.import_code_list(session, lines=file, **args)
    assert first.status == "loaded" and first.version == 2  # version 1: the packaged list (the seed)
    assert [e.code for e in first.diff.removed] == ["70450"] and not first.diff.added

    def counts():
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (CodeListVersion, CodeListEntry, AuditEvent)
        )

    before = counts()
    second = code_lists.import_code_list(session, lines=file, **args)
    assert second.status == "unchanged" and second.version == 2 and second.diff.empty
    assert counts() == before
    history = code_lists.code_list_history(session, actor=support)
    assert (
        history[0].version == 2 and history[0].program == "imaging" and history[0].line_label == "All lines"
    )
    diff = code_lists.version_diff(session, actor=support, version_id=history[0].version_id)
    assert [e.code for e in diff.removed] == ["70450"]


def test_a_file_with_problems_is_refused_with_line_and_field_and_stores_nothing(session, demo_data):
    support = actor_for(session, "support")
    before = session.exec(select(func.count()).select_from(CodeListVersion)).one()
    refused = code_lists.import_code_list(
        session,
        actor=support,
        plan_code="RVB",
        program="imaging",
        line_of_business="medicare_advantage",
        year=2026,
        lines=["code,source\n", "72148,plan list\n", "7214,plan list\n", "72148,again\n"],
    )
    assert refused.status == "refused"
    assert refused.report == [
        "line 3, code: 7214 is not the shape of a CPT code.",
        "line 4, code: 72148 is listed already on line 2.",
    ]
    assert session.exec(select(func.count()).select_from(CodeListVersion)).one() == before


def test_only_support_loads_code_lists(session, demo_data):
    from portal_app.services.authz import PermissionDenied

    with pytest.raises(PermissionDenied):
        code_lists.import_code_list(
            session,
            actor=actor_for(session, "ordering"),
            plan_code="RVB",
            program="imaging",
            line_of_business="",
            year=2026,
            lines=["code,source\n", "72148,plan list\n"],
        )


def test_operators_load_a_code_list_from_the_command_line_once(demo, tmp_path, capsys):
    from portal_app import cli

    file = tmp_path / "rvb-ma-imaging-2027.csv"
    file.write_text("".join(_list_without(demo, "RVB", 2027, LUMBAR_MRI)), encoding="utf-8")
    command = [
        "import-codes",
        str(file),
        "--plan",
        "RVB",
        "--program",
        "imaging",
        "--line-of-business",
        "medicare_advantage",
        "--year",
        "2027",
    ]
    assert cli.main(command) == 0
    assert capsys.readouterr().out.startswith("Loaded as version 1:")
    assert cli.main(command) == 0
    assert capsys.readouterr().out.startswith("Unchanged:")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,source\n7214,plan list\n", encoding="utf-8")
    assert cli.main([*command[:1], str(bad), *command[2:]]) == 1
    assert "line 2, code: 7214 is not the shape of a CPT code." in capsys.readouterr().out
    plan = _rvb(demo)
    on = date(2027, 2, 1)
    ma = requirement_for(
        demo, plan_id=plan.id, line_of_business="medicare_advantage", service_code=LUMBAR_MRI, on_date=on
    )
    assert not ma.managed and NOT_MANAGED in ma.reason


def test_a_delegation_for_one_line_of_business_sets_its_own_pend_clock(session, demo_data):
    from datetime import UTC, datetime

    from portal_app.models import Order, PlanProgram
    from portal_app.services import pend_clock, plan_setup

    support, office = actor_for(session, "support"), actor_for(session, "ordering")
    plan = _rvb(session)
    medicare = session.exec(
        select(PlanProgram).where(
            PlanProgram.plan_id == plan.id,
            PlanProgram.program == "imaging",
            PlanProgram.line_of_business == "medicare_advantage",
        )
    ).one()
    plan_setup.end_delegation(session, actor=support, delegation_id=medicare.id, last_day=date(2026, 11, 30))
    plan_setup.add_delegation(
        session,
        actor=support,
        plan_id=plan.id,
        program="imaging",
        line_of_business="medicare_advantage",
        delegated_from=date(2026, 12, 1),
        delegated_until=None,
        validity_days=None,
        pend_business_days=2,
        pend_urgent_hours=24,
    )
    with pytest.raises(plan_setup.PlanSetupRefused, match="business days from 1 to 30"):
        plan_setup.add_delegation(
            session,
            actor=support,
            plan_id=plan.id,
            program="imaging",
            line_of_business="commercial_ppo_epo",
            delegated_from=date(2026, 12, 1),
            delegated_until=None,
            validity_days=None,
            pend_business_days=31,
        )
    pended = datetime(2026, 12, 7, 15, tzinfo=UTC)  # a Monday
    ma_order = session.get(Order, draft_order(session, office, member=MA_MEMBER))
    dual_order = session.get(Order, draft_order(session, office, member="RVB100000003"))
    # Plan's usual 5 business days (HealthPlan.pend_business_days) for the dual-eligible member: ends
    # with Monday 14 December; 2 business days under the MA delegation: ends with Wednesday 9 December.
    assert pend_clock.reply_due(session, dual_order, pended) == datetime(2026, 12, 15, tzinfo=UTC)
    assert pend_clock.reply_due(session, ma_order, pended) == datetime(2026, 12, 10, tzinfo=UTC)
    rows = plan_setup.plan_detail(session, actor=support, plan_id=plan.id, today=TODAY).delegations
    assert "2 business days, 24 hours urgent" in {row.pend_clock for row in rows}


def test_the_public_page_names_the_lines_of_business_each_delegation_covers(session, demo_data):
    from portal_app.services.transparency import managed_services

    imaging = [p for p in managed_services(session, _rvb(session), SERVICE) if p.program == "imaging"]
    assert sorted(p.lines_of_business for p in imaging) == [("Dual eligible",), ("Medicare Advantage",)]
    assert all(any(s.code == LUMBAR_MRI for s in p.services) for p in imaging)
