"""Validity windows and duplicate detection.

Validity: program FAQ (shared/seeds/001) "the original [30 or 60] days" — an approval valid
for N calendar days from its first day, that day included. Duplicates: same FAQ, "a similar
request is on file or the dates from one order to another order overlap"; statuses from its
"Case Status" list (cancelled, error entry, withdrawn and non-authorized no longer stand).
"""

from datetime import date, timedelta

import pytest

from portal_app.domain.duplicates import LIVE_STATUSES, FiledRequest, find_duplicates
from portal_app.domain.enums import OrderStatus, Program
from portal_app.domain.windows import DateWindow, validity_window

D = date


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (D(2026, 1, 15), 30, D(2026, 2, 13)),
        (D(2026, 1, 15), 60, D(2026, 3, 15)),
        (D(2028, 2, 1), 30, D(2028, 3, 1)),  # leap year: 29 days of February
        (D(2027, 2, 1), 30, D(2027, 3, 2)),
        (D(2026, 12, 15), 30, D(2027, 1, 13)),  # across the year end
        (D(2026, 5, 4), 1, D(2026, 5, 4)),
    ],
)
def test_validity_window(start, days, end):
    window = validity_window(start=start, days=days)
    assert window == DateWindow(start, end)
    assert window.days == days
    assert window.contains(start) and window.contains(end)
    assert not window.contains(end + timedelta(days=1))
    assert not window.contains(start - timedelta(days=1))


@pytest.mark.parametrize("days", [0, -5])
def test_validity_needs_at_least_a_day(days):
    with pytest.raises(ValueError):
        validity_window(start=D(2026, 1, 1), days=days)


def test_window_cannot_run_backwards():
    with pytest.raises(ValueError):
        DateWindow(D(2026, 2, 1), D(2026, 1, 31))


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((D(2026, 1, 1), D(2026, 1, 30)), (D(2026, 1, 30), D(2026, 2, 28)), True),  # touching end
        ((D(2026, 1, 1), D(2026, 1, 30)), (D(2026, 1, 31), D(2026, 2, 28)), False),  # next day
        ((D(2026, 1, 10), D(2026, 1, 10)), (D(2026, 1, 1), D(2026, 1, 30)), True),  # inside
        ((D(2026, 1, 1), D(2026, 3, 1)), (D(2026, 1, 15), D(2026, 1, 20)), True),  # contains
        ((D(2026, 2, 1), D(2026, 2, 5)), (D(2026, 1, 1), D(2026, 1, 31)), False),  # before
    ],
)
def test_overlap_is_symmetric_and_inclusive(a, b, overlap):
    first, second = DateWindow(*a), DateWindow(*b)
    assert first.overlaps(second) is overlap
    assert second.overlaps(first) is overlap


NEW_WINDOW = validity_window(start=D(2026, 3, 1), days=30)  # 1 .. 30 March 2026


def filed(**changes) -> FiledRequest:
    values = dict(
        order_number="PC20260000017",
        member_id=7,
        program=Program.IMAGING.value,
        codes=frozenset({"72148"}),
        window=validity_window(start=D(2026, 2, 1), days=30),  # 1 Feb .. 2 Mar: overlaps
        status=OrderStatus.AUTHORIZED.value,
    )
    values.update(changes)
    return FiledRequest(**values)


@pytest.mark.parametrize(
    ("other", "is_duplicate"),
    [
        (filed(), True),
        (filed(status=OrderStatus.IN_PROGRESS.value), True),
        (filed(status=OrderStatus.COMPLETED.value), True),
        (filed(status=OrderStatus.MULTIPLE_DECISIONS.value), True),
        (filed(status=OrderStatus.DRAFT.value), False),
        (filed(status=OrderStatus.VOLUNTARILY_CANCELLED.value), False),
        (filed(status=OrderStatus.NOT_REVIEWED_ERROR_ENTRY.value), False),
        (filed(status=OrderStatus.VOLUNTARILY_WITHDRAWN.value), False),
        (filed(status=OrderStatus.NON_AUTHORIZED.value), False),
        (filed(member_id=8), False),
        (filed(program=Program.MUSCULOSKELETAL.value), False),
        (filed(codes=frozenset({"72149"})), False),  # no code in common
        (filed(codes=frozenset({"72149", "72148"})), True),  # one code in common
        (filed(codes=frozenset({" 72148 "})), True),  # spacing does not matter
        (filed(window=DateWindow(D(2026, 3, 30), D(2026, 4, 28))), True),  # touches the last day
        (filed(window=DateWindow(D(2026, 3, 31), D(2026, 4, 29))), False),  # starts the day after
        (filed(window=DateWindow(D(2026, 1, 30), D(2026, 2, 28))), False),  # ends the day before
        (filed(window=DateWindow(D(2026, 1, 30), D(2026, 3, 1))), True),  # ends on the first day
    ],
)
def test_find_duplicates(other, is_duplicate):
    found = find_duplicates(
        member_id=7,
        program=Program.IMAGING,
        codes=frozenset({"72148", "72158"}),
        window=NEW_WINDOW,
        filed=[other],
    )
    assert found == ([other] if is_duplicate else [])


def test_several_duplicates_come_back_in_date_order_and_own_order_is_skipped():
    later = filed(order_number="PC20260000025", window=DateWindow(D(2026, 3, 20), D(2026, 4, 18)))
    earlier = filed(order_number="PC20260000017")
    own = filed(order_number="PC20260000033", window=NEW_WINDOW)
    found = find_duplicates(
        member_id=7,
        program="imaging",
        codes=frozenset({"72148"}),
        window=NEW_WINDOW,
        filed=iter([later, own, earlier]),
        exclude_order="PC20260000033",
    )
    assert [item.order_number for item in found] == ["PC20260000017", "PC20260000025"]


def test_no_codes_no_duplicates():
    assert (
        find_duplicates(member_id=7, program="imaging", codes=frozenset(), window=NEW_WINDOW, filed=[filed()])
        == []
    )


def test_live_statuses_are_exactly_the_standing_ones():
    assert {
        OrderStatus.IN_PROGRESS,
        OrderStatus.COMPLETED,
        OrderStatus.AUTHORIZED,
        OrderStatus.MULTIPLE_DECISIONS,
    } == LIVE_STATUSES
