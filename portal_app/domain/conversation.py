"""After a request pends: how a peer-to-peer call is arranged, who is asked first, and how long a
case waits for the office (the pend clock).

Sources (shared/seeds):

* 002 and 003: "Your office can contact Carelon to request a peer-to-peer discussion at any time
  before or after the determination." For interventional pain management the call is transferred
  "immediately to an available ... physician reviewer"; "for joint and spine surgeries, we do
  schedule peer-to-peer consultations" (003); "When a physician reviewer is not available, we will
  offer a scheduled call back time that is convenient for the practice" (002).
* 003: the physicians who hold the calls are "spinal surgeons, anesthesiologists, orthopedic
  surgeons, neurosurgeons, and pain management physicians": a request goes first to a physician
  whose specialty fits the program.
* 001: "Non-urgent cases will pend for up to [xx] business days, urgent requests will pend for up to
  72 hours of receipt. At that time, if the clinical information requested is not provided and
  peer-to-peer didn't take place, the case will be denied." The number of business days is the
  plan's (the seed leaves it blank; 5 is the default a plan starts with). The denial itself is a
  physician's ("No adverse determination is made until the case has been reviewed by a physician
  reviewer"), so running out of time only hands the case to a physician.

Which mode and specialties a program uses is data in its `ProgramDefinition.peer_to_peer`.

Pure: no database, no clock unless one is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from portal_app.domain.calendar import add_business_days
from portal_app.domain.enums import PeerToPeerMode, Specialty

# How long a physician rung for an immediate call has to answer before the request falls back to
# scheduling. The seeds say "immediately" without a number; this is the portal's own setting.
IMMEDIATE_RESPONSE_MINUTES = 15
# The pend clock's defaults for a plan that sets nothing else (seed 001; the plan's own number of
# business days is a setting of the plan).
DEFAULT_PEND_BUSINESS_DAYS = 5
DEFAULT_PEND_URGENT_HOURS = 72
# The specific reason a physician gives when the office never answered (a denial reason code).
NO_RESPONSE_REASON = "no_response"
NO_RESPONSE_TEXT = "Information not provided / peer-to-peer did not take place"
NO_RESPONSE_CITATION = (
    "Program FAQ: a case pended for information or a peer-to-peer conversation is decided by a physician "
    "when the information is not provided and the conversation did not take place within the pend time"
)
# How many times an office may propose at once.
MAX_PROPOSED_TIMES = 3


@dataclass(frozen=True)
class PeerToPeerPolicy:
    """How a program's calls are arranged and whose specialty fits them.

    ``categories`` gives a policy of its own to a value of the request's ``category`` answer (the
    musculoskeletal program: interventional pain is immediate, spine and joint surgery scheduled).
    """

    mode: PeerToPeerMode = PeerToPeerMode.SCHEDULED
    specialties: tuple[Specialty, ...] = ()
    categories: Mapping[str, PeerToPeerPolicy] = field(default_factory=dict)
    source: str = ""

    def for_details(self, details: Mapping | None) -> PeerToPeerPolicy:
        """The policy for a request with these details (its category's, else the program's)."""
        category = str((details or {}).get("category", "") or "")
        return self.categories.get(category, self)


SCHEDULED_ANY = PeerToPeerPolicy()


@dataclass(frozen=True)
class Physician:
    """A reviewing physician as the routing sees them."""

    user_id: int
    name: str
    specialty: str = ""
    available_now: bool = False


def in_order_of_fit(physicians: Iterable[Physician], specialties: Iterable[str]) -> list[Physician]:
    """Physicians whose specialty fits first (in the policy's order of specialties), then the others,
    each group by name."""
    wanted = [str(s) for s in specialties]

    def rank(p: Physician) -> tuple[int, str, int]:
        fit = wanted.index(p.specialty) if p.specialty in wanted else len(wanted)
        return fit, p.name, p.user_id

    return sorted(physicians, key=rank)


def physician_to_ring(physicians: Iterable[Physician], specialties: Iterable[str]) -> Physician | None:
    """For an immediate call: the best-fitting physician marked available now, or None (schedule)."""
    available = [p for p in physicians if p.available_now]
    ordered = in_order_of_fit(available, specialties)
    return ordered[0] if ordered else None


def response_due(rung_at: datetime) -> datetime:
    """Until when a rung physician may answer an immediate request."""
    return rung_at + timedelta(minutes=IMMEDIATE_RESPONSE_MINUTES)


def office_reply_due(
    *,
    pended_at: datetime,
    submitted_at: datetime | None,
    urgent: bool,
    business_days: int = DEFAULT_PEND_BUSINESS_DAYS,
    urgent_hours: int = DEFAULT_PEND_URGENT_HOURS,
) -> datetime:
    """When a case pended for the office stops waiting.

    Urgent: ``urgent_hours`` after receipt of the request (``submitted_at``; the pend moment when
    unknown). Standard: the end of the ``business_days``-th business day after the day it pended
    (U.S. federal holidays and weekends do not count), in UTC.
    """
    if urgent:
        return (submitted_at or pended_at) + timedelta(hours=urgent_hours)
    if business_days < 1:
        raise ValueError("A case waits at least one business day for the office")
    last_day: date = add_business_days(pended_at.date(), business_days)
    return datetime.combine(last_day + timedelta(days=1), time.min, pended_at.tzinfo)


def clock_text(due: datetime, now: datetime) -> str:
    """How the office sees its pend clock: the deadline, and that it has passed."""
    when = due.strftime("%a %d %b %Y %H:%M UTC")
    return f"Answer by {when}" if due > now else f"The time to answer ended {when}"


__all__ = [
    "DEFAULT_PEND_BUSINESS_DAYS",
    "DEFAULT_PEND_URGENT_HOURS",
    "IMMEDIATE_RESPONSE_MINUTES",
    "MAX_PROPOSED_TIMES",
    "NO_RESPONSE_CITATION",
    "NO_RESPONSE_REASON",
    "NO_RESPONSE_TEXT",
    "SCHEDULED_ANY",
    "PeerToPeerPolicy",
    "Physician",
    "clock_text",
    "in_order_of_fit",
    "office_reply_due",
    "physician_to_ring",
    "response_due",
]
