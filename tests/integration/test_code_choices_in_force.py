"""The wizard's program step offers exactly the codes in force for the member's coverage on the date
of service (issue 20): a code list loaded for Riverbend's (RVB) Medicare Advantage line that removes
lumbar MRI 72148 and adds the coronary calcium score 75571 changes the imaging step's choices for an
MA member, and not for a dual-eligible member of the same plan, who keeps the list for all lines."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest
import reflex as rx
from sqlmodel import select

import portal_app.portal_app  # noqa: F401  (registers every page and state)
from portal_app.domain.enums import Program
from portal_app.models import HealthPlan, Member
from portal_app.programs.imaging.step_state import ImagingStepState
from portal_app.services import code_lists
from portal_app.services import order_entry as entry
from portal_app.services.authz import PermissionDenied
from portal_app.state.program_step import StepContext
from tests.conftest import BACKENDS
from tests.integration.order_helpers import SERVICE, TODAY, actor_for, member_by_number

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

MA_MEMBER = "RVB200000001"
REMOVED, ADDED = "72148", "75571"  # lumbar MRI (on RVB's packaged list), calcium score (EVG's only)
LUMBAR_MRI = {"modality": "mri", "body_part": "lumbar_spine"}
CALCIUM_SCORE = {"modality": "cardiac_ct", "body_part": "heart"}


def _ma_list_file() -> list[str]:
    """RVB's packaged 2026 imaging list as a file, less 72148 and with 75571."""
    rows = [e for e in code_lists.packaged_entries(Program.IMAGING, "RVB", 2026) if e.code != REMOVED]
    lines = ["code,code_system,notification_only,description,source"]
    lines += [f'{e.code},{e.code_system},no,"{e.description}",plan list' for e in rows]
    lines.append(f"{ADDED},CPT,no,Coronary calcium score,plan list for Medicare Advantage")
    return [line + "\n" for line in lines]


def _load_ma_list(session) -> None:
    loaded = code_lists.import_code_list(
        session,
        actor=actor_for(session, "support"),
        plan_code="RVB",
        program="imaging",
        line_of_business="medicare_advantage",
        year=2026,
        lines=_ma_list_file(),
        file_name="rvb-ma-imaging-2026.csv",
        effective_from=TODAY,
    )
    assert loaded.status == "loaded", loaded.report


def _dual_member(session) -> Member:
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == "RVB")).one()
    return session.exec(
        select(Member).where(Member.plan_id == plan.id, Member.line_of_business == "dual")
    ).first()


def _draft_for(session, office, member: Member) -> int:
    order_id, started = entry.start_draft(
        session, actor=office, plan_id=member.plan_id, program="imaging", service_date=SERVICE, today=TODAY
    )
    assert started.ok, started.errors
    chosen = entry.choose_member(
        session, actor=office, order_id=order_id, member_id=member.id, confirmed=True
    )
    assert chosen.ok, chosen.errors
    return order_id


def _step_choices(session, office, order_id: int, answers: dict) -> set[str]:
    """The codes the imaging step offers for these answers, prepared as the wizard prepares it."""
    context = StepContext(
        order_id=order_id,
        plan_id=0,
        plan_code="RVB",
        service_date=SERVICE,
        codes_in_force=entry.codes_in_force(session, actor=office, order_id=order_id),
    )
    root = rx.State(_reflex_internal_init=True)
    step = root.get_substate(ImagingStepState.get_full_name().split(".")[1:])
    # In a thread of its own: the browser tests' event loop may run in the main thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, step._restore(answers, [], context)).result()
    return {choice.value for choice in step.code_options}


def test_the_step_offers_the_codes_in_force_for_the_members_line_only(session, demo_data):
    office = actor_for(session)
    ma_draft = _draft_for(session, office, member_by_number(session, MA_MEMBER))
    dual_draft = _draft_for(session, office, _dual_member(session))
    assert REMOVED in _step_choices(session, office, ma_draft, LUMBAR_MRI)  # the packaged list
    assert ADDED not in _step_choices(session, office, ma_draft, CALCIUM_SCORE)

    _load_ma_list(session)

    assert REMOVED not in _step_choices(session, office, ma_draft, LUMBAR_MRI)
    assert ADDED in _step_choices(session, office, ma_draft, CALCIUM_SCORE)
    assert REMOVED in _step_choices(session, office, dual_draft, LUMBAR_MRI)
    assert ADDED not in _step_choices(session, office, dual_draft, CALCIUM_SCORE)


def test_the_added_code_is_accepted_and_the_removed_one_refused_at_next(session, demo_data):
    office = actor_for(session)
    ma_draft = _draft_for(session, office, member_by_number(session, MA_MEMBER))
    _load_ma_list(session)
    details = {"modality": "cardiac_ct", "body_part": "heart", "clinical_indication": "Chest pain"}
    offered = {item.code for item in entry.codes_in_force(session, actor=office, order_id=ma_draft)}
    assert ADDED in offered and REMOVED not in offered
    refused = entry.save_program_details(
        session, actor=office, order_id=ma_draft, details=details, codes=[REMOVED]
    )
    assert "not managed for this member's coverage" in refused.errors["codes"]
    taken = entry.save_program_details(
        session, actor=office, order_id=ma_draft, details=details, codes=[ADDED]
    )
    assert "codes" not in taken.errors


def test_only_the_office_that_owns_the_draft_reads_its_codes(session, demo_data):
    office = actor_for(session)
    ma_draft = _draft_for(session, office, member_by_number(session, MA_MEMBER))
    with pytest.raises(PermissionDenied):
        entry.codes_in_force(session, actor=actor_for(session, "support"), order_id=ma_draft)
