"""Announcements: the provider newsletter (seed 004's "provider news") that support writes.

The rules, in one place:

* **Who writes.** Support admins only (permission ``announcements.write``): a title (plain text), an
  optional program, the text in Markdown and the day it is published. The text is made safe before
  it is stored (``domain/safe_markdown.clean_markdown``: raw HTML escaped, links only to http(s));
  the page renders it with raw HTML off as well. Publishing is audited.
* **Who reads.** Everyone, signed in or not: ``/announcements`` lists those published on or before
  today, newest first (publish day, then the latest written); the signed-in home page shows the
  newest one. An announcement dated in the future waits for its day (support sees it in its list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import Program
from portal_app.domain.safe_markdown import BODY_MAX, clean_markdown
from portal_app.models import Announcement
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require

TITLE_MAX = 200
PUBLIC_LIMIT = 50
# Support may date an announcement ahead (a change coming), at most this far.
MAX_DAYS_AHEAD = 366


class AnnouncementRefused(ValueError):
    """The announcement has problems; ``errors`` maps each field to what to fix."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


@dataclass(frozen=True)
class AnnouncementView:
    id: int
    title: str
    program_label: str  # "" for every program
    body: str  # safe Markdown
    published_on: date


def _view(row: Announcement) -> AnnouncementView:
    try:
        label = Program(row.program).label if row.program else ""
    except ValueError:
        label = ""
    return AnnouncementView(id_of(row), row.title, label, row.body, row.published_on)


def _parse_day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def publish_announcement(
    session: Session,
    *,
    actor: Actor,
    title: object,
    body: object,
    published_on: object,
    program: object = "",
    today: date | None = None,
) -> AnnouncementView:
    """Store a new announcement (support only); raises AnnouncementRefused with the problems."""
    require(session, actor, "announcements.write", record="announcements")
    today = today or clock.today()
    heading = " ".join(title.split()) if isinstance(title, str) else ""
    text = clean_markdown(body) if isinstance(body, str) else ""
    day = _parse_day(published_on)
    code = program.strip() if isinstance(program, str) else ""
    errors = {}
    if not heading or len(heading) > TITLE_MAX:
        errors["title"] = f"Enter a title of at most {TITLE_MAX} characters."
    if not text or len(text) > BODY_MAX:
        errors["body"] = f"Write the announcement (at most {BODY_MAX} characters)."
    if day is None or day > today + timedelta(days=MAX_DAYS_AHEAD) or day.year < 2000:
        errors["published_on"] = "Enter the publish date as year-month-day, at most a year ahead."
    if code and code not in {p.value for p in Program}:
        errors["program"] = "Choose a program from the list, or every program."
    if errors or day is None:
        raise AnnouncementRefused(errors)
    row = Announcement(title=heading, program=code, body=text, published_on=day, created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(
        session,
        action="announcement.published",
        user_id=actor.user_id,
        record_type="announcement",
        record_id=id_of(row),
        client_address=actor.client_address,
        detail={"published_on": day.isoformat(), "program": code},
    )
    session.commit()
    return _view(row)


def _newest_first():
    return (col(Announcement.published_on).desc(), col(Announcement.id).desc())


def published_announcements(
    session: Session, *, today: date | None = None, limit: int = PUBLIC_LIMIT
) -> list[AnnouncementView]:
    """The announcements published on or before ``today``, newest first (public)."""
    today = today or clock.today()
    rows = session.exec(
        select(Announcement)
        .where(Announcement.published_on <= today)
        .order_by(*_newest_first())
        .limit(max(0, min(int(limit), PUBLIC_LIMIT)))
    ).all()
    return [_view(row) for row in rows]


def latest_announcement(session: Session, *, today: date | None = None) -> AnnouncementView | None:
    """The newest announcement published on or before ``today`` (for the home page), or None."""
    found = published_announcements(session, today=today, limit=1)
    return found[0] if found else None


def all_announcements(session: Session, *, actor: Actor, limit: int = 200) -> list[AnnouncementView]:
    """Every announcement, the ones dated ahead included, newest first (support's list)."""
    require(session, actor, "announcements.write", record="announcements")
    rows = session.exec(
        select(Announcement).order_by(*_newest_first()).limit(max(0, min(int(limit), 1000)))
    ).all()
    return [_view(row) for row in rows]
