"""The user experience feedback group (seed 004): a public sign-up form, and support's list of sign-ups.

The rules, in one place:

* **Who.** Anyone, signed in or not (the form is public: people are invited from the newsletter).
  Name, e-mail, role (``ROLES``) and the consent to be contacted are required.
* **One row per e-mail address.** The address is kept lower-case and unique; signing up again with
  the same address updates the name, role and consent time instead of adding a row. The answer is
  the same either way, so the form does not tell a stranger whether an address is already in.
* **Rate-limited** like the other public forms: per client address and per e-mail typed
  (``feedback_group_client`` / ``feedback_group_account`` in settings.DEFAULT_RATE_LIMITS).
* **Support reads the list** (permission ``feedback_group.read``) and downloads it as CSV, every
  text cell safe from spreadsheet formulas (``domain/csv_cells.py``). Reading and downloading are
  audited; the audit trail never holds the addresses.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.csv_cells import safe_cell
from portal_app.models import FeedbackGroupSignup
from portal_app.models.base import id_of
from portal_app.services import audit, rate_limits
from portal_app.services.authz import Actor, require

NAME_MAX = 120
EMAIL_MAX = 254
LIST_LIMIT = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The roles of the people who use the portal (seed 004 invites "our users": office staff, providers,
# facilities, the plans' staff); value → label.
ROLES: dict[str, str] = {
    "office_staff": "Office staff who ask for authorizations",
    "servicing_staff": "Staff of a servicing provider or facility",
    "physician": "Physician or other clinician",
    "practice_manager": "Practice or revenue-cycle manager",
    "health_plan": "Health plan staff",
    "other": "Something else",
}
THANKS = (
    "Thank you for joining the user experience feedback group. We will write to you when there is "
    "something to try, about once a month at most."
)


class SignupRefused(ValueError):
    """The form has problems; ``errors`` maps each field to what to fix."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


@dataclass(frozen=True)
class SignupLine:
    full_name: str
    email: str
    role: str  # the label
    consent_at: datetime
    created_at: datetime
    updated_at: datetime


def signup_errors(*, full_name: str, email: str, role: str, consent: bool) -> dict[str, str]:
    errors = {}
    if not full_name.strip() or len(full_name.strip()) > NAME_MAX:
        errors["full_name"] = f"Enter your name (at most {NAME_MAX} characters)."
    if not _EMAIL.match(email.strip()) or len(email.strip()) > EMAIL_MAX:
        errors["email"] = "Enter an e-mail address like name@practice.org."
    if role not in ROLES:
        errors["role"] = "Choose the role that fits you best."
    if consent is not True:
        errors["consent"] = "Tick the box to agree that we may contact you about the group."
    return errors


def sign_up(
    session: Session,
    *,
    full_name: object,
    email: object,
    role: object,
    consent: object,
    client_address: str = "",
    now: datetime | None = None,
) -> str:
    """Add (or update) the sign-up of this e-mail address; returns the thanks to show.

    Raises ``RateLimited`` when the address or the e-mail has been used too often, and
    ``SignupRefused`` with the problems per field.
    """
    name = " ".join(full_name.split()) if isinstance(full_name, str) else ""
    address = email.strip().lower() if isinstance(email, str) else ""
    chosen = role if isinstance(role, str) else ""
    rate_limits.hit(
        session,
        limits={"feedback_group_client": client_address, "feedback_group_account": address[:EMAIL_MAX]},
        action="feedback_group.sign_up",
        client_address=client_address,
    )
    errors = signup_errors(full_name=name, email=address, role=chosen, consent=consent is True)
    if errors:
        raise SignupRefused(errors)
    moment = now or clock.now()
    for _attempt in range(2):  # a second tab may insert the same address between our read and write
        row = session.exec(
            select(FeedbackGroupSignup).where(func.lower(FeedbackGroupSignup.email) == address)
        ).first()
        created = row is None
        if row is None:
            row = FeedbackGroupSignup(email=address, full_name=name, role=chosen, created_at=moment)
        row.full_name, row.role, row.consent_at, row.updated_at = name, chosen, moment, moment
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            continue
        audit.record(
            session,
            action="feedback_group.signed_up" if created else "feedback_group.updated",
            user_id=None,
            record_type="feedback_group_signup",
            record_id=id_of(row),
            client_address=client_address,
        )
        session.commit()
        return THANKS
    raise RuntimeError("the sign-up could not be saved")


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def list_signups(session: Session, *, actor: Actor, limit: int = LIST_LIMIT) -> list[SignupLine]:
    """The sign-ups, newest first (support only)."""
    require(session, actor, "feedback_group.read", record="feedback_group_signups")
    rows = session.exec(
        select(FeedbackGroupSignup)
        .order_by(col(FeedbackGroupSignup.updated_at).desc(), col(FeedbackGroupSignup.id).desc())
        .limit(max(0, min(int(limit), 10_000)))
    ).all()
    audit.record(
        session,
        action="feedback_group.list_read",
        user_id=actor.user_id,
        client_address=actor.client_address,
        detail={"rows": len(rows)},
    )
    session.commit()
    return [
        SignupLine(
            full_name=row.full_name,
            email=row.email,
            role=ROLES.get(row.role, row.role),
            consent_at=_aware(row.consent_at),
            created_at=_aware(row.created_at),
            updated_at=_aware(row.updated_at),
        )
        for row in rows
    ]


def signups_csv(session: Session, *, actor: Actor) -> str:
    """Every sign-up as CSV (support only), each text cell safe from spreadsheet formulas."""
    lines = list_signups(session, actor=actor, limit=10_000)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Name", "E-mail", "Role", "Consent given (UTC)", "Signed up (UTC)", "Updated (UTC)"])
    for line in lines:
        writer.writerow(
            [
                safe_cell(line.full_name),
                safe_cell(line.email),
                safe_cell(line.role),
                line.consent_at.strftime("%Y-%m-%d %H:%M"),
                line.created_at.strftime("%Y-%m-%d %H:%M"),
                line.updated_at.strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return out.getvalue()
