"""Registered imaging sites in the site-of-care alternatives and the directory: by score, then distance."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from portal_app.domain.enums import FacilityRegistrationStatus, FacilityType, NetworkStatus
from portal_app.models import (
    Facility,
    FacilityModalityScore,
    FacilityRegistration,
    HealthPlan,
    NetworkParticipation,
    User,
)
from portal_app.services import order_entry as entry
from portal_app.services.demo_data import load_demo_data
from portal_app.services.directory import DirectoryQuery, search_directory
from tests.integration.order_helpers import SERVICE, TODAY, actor_for, member_by_number

FAIRVIEW_MEMBER = "EVG100000000"  # Evergreen plan, home ZIP 97024 (Fairview, Oregon)


def _site(
    session,
    name: str,
    postal_code: str,
    *,
    scores: dict[str, int] | None = None,
    network: NetworkStatus = NetworkStatus.IN_NETWORK,
    modalities: str = "",
) -> Facility:
    facility = Facility(
        npi=str(abs(hash(name)) % 10**10).zfill(10),
        name=name,
        facility_type=FacilityType.FREE_STANDING,
        address_line="1 Test Way",
        city="Near Fairview",
        state="OR",
        postal_code=postal_code,
        phone="555-0100",
        fax="555-0101",
        tax_id="92-9999999",
        modalities=modalities,
    )
    session.add(facility)
    session.flush()
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    session.add(
        NetworkParticipation(
            plan_id=plan.id, facility_id=facility.id, status=network, effective_from=date(2025, 1, 1)
        )
    )
    if scores:
        owner = session.exec(select(User).where(User.username == "facility")).one()
        session.add(
            FacilityRegistration(
                user_id=owner.id, facility_id=facility.id, status=FacilityRegistrationStatus.SUBMITTED
            )
        )
        for modality, score in scores.items():
            session.add(
                FacilityModalityScore(
                    facility_id=facility.id, modality=modality, score=score, computed_on=TODAY
                )
            )
        facility.quality_score = round(sum(scores.values()) / len(scores))
    session.flush()
    return facility


@pytest.fixture
def fairview(session, demo_data):
    load_demo_data(session)
    _site(session, "Troutdale MRI and CT (test)", "97060", scores={"mri": 85, "ct": 70})
    _site(session, "Gresham Open Imaging (test)", "97030")  # not registered: no score
    _site(session, "Wood Village Imaging (test)", "97080", scores={"mri": 62})
    _site(session, "Portland CT Only (test)", "97201", scores={"ct": 99})
    _site(
        session,
        "Out of Network Imaging (test)",
        "97030",
        scores={"mri": 99, "ct": 99},
        network=NetworkStatus.OUT_OF_NETWORK,
    )
    _site(session, "Echo Only Office (test)", "97030", modalities="tte,stress_echo")  # lists no MRI
    session.commit()
    actor = actor_for(session)
    member = member_by_number(session, FAIRVIEW_MEMBER)
    order_id, result = entry.start_draft(
        session, actor=actor, plan_id=member.plan_id, program="imaging", service_date=SERVICE, today=TODAY
    )
    assert result.ok, result.errors
    assert entry.choose_member(
        session, actor=actor, order_id=order_id, member_id=member.id, confirmed=True
    ).ok
    return actor, order_id


def test_alternatives_for_an_mri_list_scored_sites_by_score_then_unscored_by_distance(session, fairview):
    actor, order_id = fairview
    found = entry.site_of_care_alternatives(session, actor=actor, order_id=order_id, exam_modality="mri")
    names = [a.name for a in found]
    # The demo's Fairview free-standing centre (0 miles, in network, not registered) comes among the
    # unscored by distance; far demo sites (Franklin, Riverton...) are beyond reach.
    assert names == [
        "Troutdale MRI and CT (test)",
        "Wood Village Imaging (test)",
        "Fairview Free-standing Imaging Center 5 (demo)",
        "Gresham Open Imaging (test)",
    ]
    assert found[0].quality == "MRI 85 of 100" and found[0].distance == "3.6 miles"
    assert found[2].quality == "Not registered (no score)" and found[2].distance == "Under 1 mile"


def test_alternatives_for_a_ct_use_the_ct_score(session, fairview):
    actor, order_id = fairview
    found = entry.site_of_care_alternatives(session, actor=actor, order_id=order_id, exam_modality="ct")
    assert [a.name for a in found][:2] == ["Portland CT Only (test)", "Troutdale MRI and CT (test)"]
    assert [a.quality for a in found][:2] == ["CT 99 of 100", "CT 70 of 100"]
    assert "Wood Village Imaging (test)" not in {a.name for a in found}  # registered MRI only


def test_servicing_search_shows_scores_and_distance(session, fairview):
    actor, order_id = fairview
    found = entry.search_servicing(session, actor=actor, order_id=order_id, query="(test)")
    facilities = [m for m in found if m.kind == "facility"]
    assert facilities[0].name == "Out of Network Imaging (test)"  # the search lists every site, scored first
    assert facilities[0].quality == "CT 99 of 100 · MRI 99 of 100"
    assert facilities[-1].quality == "Not registered (no score)"


def test_directory_orders_by_score_then_distance_from_the_zip(session, fairview):
    rows, total = search_directory(
        session,
        actor=actor_for(session),
        query=DirectoryQuery(text="(test)", kind="facility", sort="quality", near_zip="97024"),
    )
    assert total == 6
    # Without an exam the directory orders by the site's overall score (the mean of its modalities);
    # equal scores and the unscored sites go by distance, then name.
    assert [r.name for r in rows] == [
        "Out of Network Imaging (test)",
        "Portland CT Only (test)",
        "Troutdale MRI and CT (test)",
        "Wood Village Imaging (test)",
        "Echo Only Office (test)",
        "Gresham Open Imaging (test)",
    ]
    assert rows[2].quality_score == "CT 70 of 100 · MRI 85 of 100"
    assert rows[2].distance == "3.6 miles" and rows[-1].quality_score == "Not registered (no score)"
    # Without a ZIP there is no distance column, and the name order ignores scores.
    by_name, _ = search_directory(
        session, actor=actor_for(session), query=DirectoryQuery(text="(test)", kind="facility")
    )
    assert by_name[0].name == "Echo Only Office (test)" and by_name[0].distance == ""
