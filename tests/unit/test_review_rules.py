"""Review rules: the reconsideration window, case status from line decisions, due times, and
which action a reviewer may take in which state of a case."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal_app.domain.enums import LineDecision as D
from portal_app.domain.enums import OrderStatus as S
from portal_app.domain.review import (
    ACTION_PERMISSIONS,
    CaseState,
    available_actions,
    decision_due,
    may_request_reconsideration,
    order_status_for,
    reconsideration_deadline,
    refusal,
    time_left,
)
from portal_app.services.authz import PERMISSIONS

DENIED_ON = date(2026, 11, 23)


# "providers may call Carelon within 10 calendar days of a denial decision to request a
# reconsideration ... or more than 10 calendar days passed, [...] 1st level appeals" (seeds/001).
@pytest.mark.parametrize(
    ("today", "allowed"),
    [
        (date(2026, 11, 23), True),  # the day of the denial
        (date(2026, 11, 24), True),  # day 1
        (date(2026, 12, 3), True),  # day 10: the last day
        (date(2026, 12, 4), False),  # day 11: appeal instead
        (date(2027, 1, 15), False),
        (date(2026, 11, 22), False),  # before the denial there is nothing to reconsider
    ],
)
def test_reconsideration_window_is_ten_calendar_days(today, allowed):
    assert may_request_reconsideration(DENIED_ON, today) is allowed


def test_the_deadline_counts_calendar_days_across_month_and_year_ends():
    assert reconsideration_deadline(DENIED_ON) == date(2026, 12, 3)
    assert reconsideration_deadline(date(2026, 12, 28)) == date(2027, 1, 7)
    assert reconsideration_deadline(date(2028, 2, 25)) == date(2028, 3, 6)  # 2028 is a leap year


# Case statuses of the program FAQ (seeds/003, "What do the Case Status notifications indicate?").
@pytest.mark.parametrize(
    ("decisions", "status"),
    [
        ([D.PENDED], S.IN_PROGRESS),
        ([D.AUTHORIZED, D.PENDED], S.IN_PROGRESS),
        ([D.NON_AUTHORIZED, D.PENDED], S.IN_PROGRESS),
        ([D.AUTHORIZED], S.AUTHORIZED),
        ([D.AUTHORIZED, D.NOTIFICATION_ONLY], S.AUTHORIZED),
        ([D.NOTIFICATION_ONLY], S.COMPLETED),
        ([D.NOTIFICATION_ONLY, D.NOTIFICATION_ONLY], S.COMPLETED),
        ([D.NON_AUTHORIZED], S.NON_AUTHORIZED),  # "The entire case is denied"
        ([D.NON_AUTHORIZED, D.NON_AUTHORIZED], S.NON_AUTHORIZED),
        ([D.AUTHORIZED, D.NON_AUTHORIZED], S.MULTIPLE_DECISIONS),  # "mixed outcome"
        ([D.NOTIFICATION_ONLY, D.NON_AUTHORIZED], S.MULTIPLE_DECISIONS),
        ([D.PARTIALLY_AUTHORIZED], S.MULTIPLE_DECISIONS),  # "partial approval"
        ([D.PARTIALLY_AUTHORIZED, D.AUTHORIZED], S.MULTIPLE_DECISIONS),
        ([D.PARTIALLY_AUTHORIZED, D.NON_AUTHORIZED], S.MULTIPLE_DECISIONS),
        ([D.AUTHORIZED, D.CANCELLED], S.AUTHORIZED),  # cancelled lines do not count
        ([D.CANCELLED], S.VOLUNTARILY_CANCELLED),
        (["authorized", "non_authorized"], S.MULTIPLE_DECISIONS),  # stored strings work too
    ],
)
def test_order_status_from_line_decisions(decisions, status):
    assert order_status_for(decisions) == status


def test_an_order_without_lines_has_no_status():
    with pytest.raises(ValueError):
        order_status_for([])


SUBMITTED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("urgent", "standard_days", "due"),
    [
        (True, 7, datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),  # 72 hours of receipt (seeds/001)
        (True, 14, datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),  # urgency wins over the plan's days
        (False, 7, datetime(2026, 11, 30, 9, 30, tzinfo=UTC)),  # CMS-0057-F: 7 calendar days
        (False, 14, datetime(2026, 12, 7, 9, 30, tzinfo=UTC)),  # a plan with 14 days
        (False, 3, datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),  # calendar days: a weekend counts
    ],
)
def test_decision_due(urgent, standard_days, due):
    assert decision_due(SUBMITTED, urgent, standard_days) == due


def test_a_standard_review_takes_at_least_a_day():
    with pytest.raises(ValueError):
        decision_due(SUBMITTED, False, 0)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (52, "2 d 4 h"),
        (24, "1 d 0 h"),
        (5, "5 h"),
        (0.75, "45 min"),
        (-3, "overdue by 3 h"),
        (-26, "overdue by 1 d 2 h"),
    ],
)
def test_time_left(hours, text):
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    due = now.fromtimestamp(now.timestamp() + hours * 3600, tz=UTC)
    assert time_left(due, now) == text


# --- which action in which state -------------------------------------------------------------

NURSE = {p for p, roles in PERMISSIONS.items() if "nurse_reviewer" in roles}
PHYSICIAN = {p for p, roles in PERMISSIONS.items() if "physician_reviewer" in roles}
PENDED_CASE = CaseState(has_open_task=True, lines_awaiting=True, partial_possible=True)


def test_every_action_names_a_permission_that_exists():
    assert set(ACTION_PERMISSIONS.values()) <= set(PERMISSIONS)


@pytest.mark.parametrize(
    ("permission", "roles"),
    [
        ("review.assign", {"physician_reviewer"}),  # physicians act as leads
        ("review.peer_to_peer", {"physician_reviewer"}),
        ("order.peer_to_peer", {"ordering_provider_staff"}),
        ("order.reconsider", {"ordering_provider_staff"}),
        ("order.appeal", {"ordering_provider_staff"}),
    ],
)
def test_who_holds_the_review_permissions(permission, roles):
    assert {role.value for role in PERMISSIONS[permission]} == roles


@pytest.mark.parametrize(
    ("who", "case", "actions"),
    [
        # A nurse approves, asks for information or escalates; never denies (no permission).
        (NURSE, PENDED_CASE, ("claim", "approve", "request_information", "escalate")),
        (
            NURSE,
            CaseState(has_open_task=True, assignee="me", lines_awaiting=True),
            ("approve", "request_information", "escalate"),
        ),
        # A physician cannot deny before a peer-to-peer was offered.
        (PHYSICIAN, PENDED_CASE, ("claim", "approve", "request_information", "offer_peer_to_peer")),
        (
            PHYSICIAN,
            CaseState(
                has_open_task=True, lines_awaiting=True, partial_possible=True, peer_to_peer_offered=True
            ),
            ("claim", "approve", "request_information", "deny", "partially_approve", "offer_peer_to_peer"),
        ),
        # A scheduled call must be held (and recorded) before an adverse decision.
        (
            PHYSICIAN,
            CaseState(
                has_open_task=True,
                lines_awaiting=True,
                peer_to_peer_offered=True,
                peer_to_peer_scheduled="2026-11-25 15:00 UTC",
            ),
            ("claim", "approve", "request_information", "record_peer_to_peer"),
        ),
        # Partial approval needs a line asking for more than one unit.
        (
            PHYSICIAN,
            CaseState(has_open_task=True, lines_awaiting=True, peer_to_peer_offered=True),
            ("claim", "approve", "request_information", "deny", "offer_peer_to_peer"),
        ),
        # Claimed by someone else, in another queue, excluded from an appeal, or closed: nothing.
        (
            NURSE,
            CaseState(has_open_task=True, assignee="other", assignee_name="Nell", lines_awaiting=True),
            (),
        ),
        (
            NURSE,
            CaseState(has_open_task=True, own_queue=False, task_queue="physician", lines_awaiting=True),
            (),
        ),
        (
            PHYSICIAN,
            CaseState(has_open_task=True, excluded=True, lines_awaiting=True, peer_to_peer_offered=True),
            (),
        ),
        (PHYSICIAN, CaseState(has_open_task=False), ()),
    ],
)
def test_available_actions(who, case, actions):
    assert available_actions(case, who) == actions


@pytest.mark.parametrize(
    ("action", "case", "words"),
    [
        ("deny", PENDED_CASE, "peer-to-peer conversation must be offered"),
        ("partially_approve", PENDED_CASE, "peer-to-peer conversation must be offered"),
        (
            "deny",
            CaseState(
                has_open_task=True,
                lines_awaiting=True,
                peer_to_peer_offered=True,
                peer_to_peer_scheduled="2026-11-25 15:00 UTC",
            ),
            "scheduled for 2026-11-25 15:00 UTC",
        ),
        (
            "claim",
            CaseState(has_open_task=True, assignee="other", assignee_name="Nell Nurse"),
            "Nell Nurse has claimed",
        ),
        ("approve", CaseState(has_open_task=True, excluded=True), "another physician decides the appeal"),
        ("approve", CaseState(has_open_task=True), "No line"),
        ("approve", CaseState(has_open_task=False), "no open review"),
        ("record_peer_to_peer", PENDED_CASE, "No peer-to-peer call is scheduled"),
    ],
)
def test_refusals_say_why(action, case, words):
    assert words in refusal(action, case)


def test_unknown_actions_are_a_programming_error():
    with pytest.raises(ValueError):
        refusal("overturn", PENDED_CASE)
