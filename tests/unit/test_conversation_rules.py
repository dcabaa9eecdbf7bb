"""The pend clock and the routing of peer-to-peer requests (domain/conversation.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal_app.domain import conversation as rules
from portal_app.domain.enums import PeerToPeerMode, Program, Specialty
from portal_app.domain.programs import get_program

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pended", "days", "until"),
    [
        # Thanksgiving, Thursday 26 November 2026 (5 U.S.C. 6103(a)), does not count.
        (MONDAY, 5, datetime(2026, 12, 2, tzinfo=UTC)),
        (MONDAY, 1, datetime(2026, 11, 25, tzinfo=UTC)),
        # Pended on a Friday: Monday is the first business day after it.
        (datetime(2026, 12, 4, 17, 0, tzinfo=UTC), 1, datetime(2026, 12, 8, tzinfo=UTC)),
        # Christmas Friday 25 December 2026 and the weekend are skipped.
        (datetime(2026, 12, 23, 12, 0, tzinfo=UTC), 2, datetime(2026, 12, 29, tzinfo=UTC)),
    ],
)
def test_a_standard_case_waits_until_the_end_of_the_plans_last_business_day(pended, days, until):
    assert (
        rules.office_reply_due(pended_at=pended, submitted_at=None, urgent=False, business_days=days) == until
    )


def test_an_urgent_case_waits_72_hours_from_receipt_not_from_the_pend():
    # Seed 001: "urgent requests will pend for up to 72 hours of receipt".
    received = MONDAY - timedelta(hours=10)
    assert rules.office_reply_due(
        pended_at=MONDAY, submitted_at=received, urgent=True
    ) == received + timedelta(hours=72)
    with pytest.raises(ValueError):
        rules.office_reply_due(pended_at=MONDAY, submitted_at=None, urgent=False, business_days=0)


def test_the_best_fitting_available_physician_is_rung_and_nobody_when_none_is_free():
    physicians = [
        rules.Physician(1, "Ada", Specialty.SPINE_SURGERY, available_now=True),
        rules.Physician(2, "Bea", Specialty.ANAESTHESIOLOGY, available_now=True),
        rules.Physician(3, "Cal", Specialty.PAIN_MEDICINE, available_now=False),
    ]
    wanted = (Specialty.PAIN_MEDICINE, Specialty.ANAESTHESIOLOGY)
    assert rules.physician_to_ring(physicians, wanted).user_id == 2
    assert [p.user_id for p in rules.in_order_of_fit(physicians, wanted)] == [3, 2, 1]
    assert rules.physician_to_ring([physicians[2]], wanted) is None


def test_pain_calls_are_immediate_and_spine_and_joint_calls_scheduled_as_program_data():
    # Seed 003, About Determinations 5.
    msk = get_program(Program.MUSCULOSKELETAL).peer_to_peer
    assert msk.for_details({"category": "pain"}).mode == PeerToPeerMode.IMMEDIATE
    assert Specialty.PAIN_MEDICINE in msk.for_details({"category": "pain"}).specialties
    assert msk.for_details({"category": "spine"}).mode == PeerToPeerMode.SCHEDULED
    assert msk.for_details({"category": "joint"}).mode == PeerToPeerMode.SCHEDULED
    assert get_program(Program.IMAGING).peer_to_peer.mode == PeerToPeerMode.SCHEDULED


def test_the_office_sees_its_deadline_and_that_it_passed():
    due = datetime(2026, 12, 2, tzinfo=UTC)
    assert rules.clock_text(due, MONDAY) == "Answer by Wed 02 Dec 2026 00:00 UTC"
    assert rules.clock_text(due, due).startswith("The time to answer ended")
