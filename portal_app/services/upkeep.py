"""Work that falls due with the calendar: approved demographic changes whose effective date has
come, facility scores that change on the day an accreditation or a physics survey runs out, and the
review clocks: immediate peer-to-peer calls nobody answered in time fall back to scheduling, and
cases whose office did not answer within the plan's pend time go to a physician flagged "no response
from the office" (services/pend_clock.py); and the gold-card evaluations due in an evaluation month
(services/gold_card.py, once per plan and month); the offices told of approvals that expire soon,
and the day's notification digests e-mailed (services/notices.py). The upkeep never decides a line:
a physician does.

Readers also catch up on what they use (the directory and the site-of-care list rescore the sites
they show), so this task only keeps the stored values current between visits.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.models import FacilityModalityScore
from portal_app.services import pend_clock
from portal_app.services.conversation import lapse_unanswered_calls
from portal_app.services.demographic_changes import apply_due_changes
from portal_app.services.facility_registration import current_modality_scores
from portal_app.services.gold_card import run_evaluations
from portal_app.services.notices import notify_expiring_approvals, send_digests
from portal_app.services.periodic import repeat_in_thread

logger = logging.getLogger(__name__)

UPKEEP_SECONDS = 15 * 60


def run_upkeep(session: Session, *, today: date | None = None) -> tuple[int, int]:
    """(changes applied, facilities rescored) for ``today``."""
    today = today or clock.today()
    applied = apply_due_changes(session, today=today)
    due = session.exec(
        select(FacilityModalityScore.facility_id)
        .where(col(FacilityModalityScore.rescore_on) <= today)
        .distinct()
    ).all()
    if due:
        current_modality_scores(session, list(due), today=today)
    if evaluated := run_evaluations(session, today=today):
        logger.info("Upkeep: %s gold-card evaluations ran", evaluated)
    return applied, len(due)


def run_review_upkeep(session: Session, *, now: datetime | None = None) -> tuple[int, int]:
    """(immediate calls fallen back to scheduling, cases handed to a physician for no response) at
    ``now``. Nothing here decides a line."""
    now = now or clock.now()
    lapsed = lapse_unanswered_calls(session, now=now)
    ran_out = pend_clock.run_out(session, now=now)
    return lapsed, len(ran_out)


def run_notification_upkeep(session: Session, *, now: datetime | None = None) -> tuple[int, int]:
    """(orders whose approval expires soon, told; daily digests queued) at ``now``."""
    now = now or clock.now()
    return notify_expiring_approvals(session, today=now.date()), send_digests(session, now=now)


def _upkeep_once() -> None:
    from portal_app.db import session_scope

    with session_scope() as session:
        applied, rescored = run_upkeep(session)
        lapsed, ran_out = run_review_upkeep(session)
        expiring, digests = run_notification_upkeep(session)
    if applied or rescored:
        logger.info("Upkeep: %s demographic changes applied, %s facilities rescored", applied, rescored)
    if lapsed or ran_out:
        logger.info("Upkeep: %s calls fell back to scheduling, %s cases sent to a physician", lapsed, ran_out)
    if expiring or digests:
        logger.info("Upkeep: %s approvals expiring told, %s digests queued", expiring, digests)


async def run_upkeep_forever() -> None:
    """A lifespan task: run the upkeep every quarter of an hour, off the event loop."""
    await repeat_in_thread(_upkeep_once, seconds=UPKEEP_SECONDS, what="Upkeep")
