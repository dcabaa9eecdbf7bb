"""The quarter-hourly upkeep: approved changes take effect on their day, and a facility's scores drop
on the day its accreditation expires, without anybody opening a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal_app.domain.enums import ChangeRequestStatus
from portal_app.models import DemographicChangeRequest, Facility, FacilityModalityScore, Provider
from portal_app.services.demo_data import IMAGING_GROUP_SITES, demo_npi, load_demo_data
from portal_app.services.demographic_changes import decide_change
from portal_app.services.upkeep import run_upkeep
from tests.integration.order_helpers import actor_for

pytestmark = pytest.mark.usefixtures("demo_data")


def _scores(session, facility_id: int) -> dict[str, int]:
    rows = session.exec(
        select(FacilityModalityScore).where(FacilityModalityScore.facility_id == facility_id)
    ).all()
    return {row.modality: row.score for row in rows}


def test_upkeep_applies_due_changes_and_rescores_on_the_expiry_day(session):
    load_demo_data(session)
    seeded_on = datetime.now(UTC).date()
    franklin = session.exec(
        select(Facility).where(Facility.npi == demo_npi(IMAGING_GROUP_SITES[0], kind="facility"))
    ).one()
    before = _scores(session, franklin.id)
    assert set(before) == {"ct", "mri", "pet"}

    request = session.exec(select(DemographicChangeRequest)).one()  # the demo's pending phone change
    assert (
        decide_change(
            session,
            actor=actor_for(session, "support"),
            request_id=request.id,
            approve=True,
            note="",
            today=seeded_on,
        )
        == {}
    )
    effective = request.effective_date
    assert run_upkeep(session, today=effective - timedelta(days=1))[0] == 0
    assert session.get(Provider, request.provider_id).phone != "217-555-0188"
    applied, _ = run_upkeep(session, today=effective)
    session.refresh(request)
    assert applied == 1 and request.status == ChangeRequestStatus.APPLIED
    assert session.get(Provider, request.provider_id).phone == "217-555-0188"

    # The demo's CT and MRI accreditations run 400 days from seeding (other factors, such as the
    # physics survey's 13 months, may change the scores earlier; compare with the day before).
    expiry = seeded_on + timedelta(days=400)
    run_upkeep(session, today=expiry - timedelta(days=1))
    day_before = _scores(session, franklin.id)
    _, rescored = run_upkeep(session, today=expiry)
    after = _scores(session, franklin.id)
    assert rescored == 1
    assert after["ct"] < day_before["ct"] and after["mri"] < day_before["mri"]
    assert after["pet"] == day_before["pet"]  # not accredited: nothing expires
