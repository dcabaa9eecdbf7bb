"""Possible duplicate orders.

Program FAQ (shared/seeds/001), "Why is a duplicate order notification displayed": the
notice appears when a similar request is on file or the dates of two orders overlap, and
a nurse reviewer then checks it. Here "similar" means the same member, the same program and
at least one procedure code in common; "overlap" means the two date windows (dates of
service, or the validity window of an approval) share a day, ends included.

Only live orders count. A draft was never filed; an order that was cancelled, entered in
error, withdrawn or not authorized no longer stands (status meanings from the same FAQ).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal_app.domain.enums import OrderStatus
from portal_app.domain.windows import DateWindow

# Statuses of a filed order that still stands and so can be duplicated.
LIVE_STATUSES: frozenset[str] = frozenset(
    {
        OrderStatus.IN_PROGRESS,
        OrderStatus.COMPLETED,
        OrderStatus.AUTHORIZED,
        OrderStatus.MULTIPLE_DECISIONS,
    }
)


@dataclass(frozen=True)
class FiledRequest:
    order_number: str
    member_id: int
    program: str
    codes: frozenset[str]
    window: DateWindow  # dates of service or validity window
    status: str  # an OrderStatus value


def _normalise(codes: Iterable[str]) -> frozenset[str]:
    return frozenset(code.strip().upper() for code in codes if code and code.strip())


def find_duplicates(
    *,
    member_id: int,
    program: str,
    codes: frozenset[str],
    window: DateWindow,
    filed: Iterable[FiledRequest],
    exclude_order: str = "",
) -> list[FiledRequest]:
    """The live filed orders this new request may duplicate, earliest window first.

    `exclude_order` skips the request's own order number (when re-checking a filed order).
    """
    wanted = _normalise(codes)
    if not wanted:
        return []
    matches = [
        other
        for other in filed
        if other.member_id == member_id
        and str(other.program) == str(program)
        and other.status in LIVE_STATUSES
        and (not exclude_order or other.order_number != exclude_order)
        and window.overlaps(other.window)
        and wanted & _normalise(other.codes)
    ]
    return sorted(matches, key=lambda other: (other.window.start, other.order_number))
