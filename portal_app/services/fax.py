"""Fax numbers confirmed for letters with PHI, and the fax outbox.

Before any letter with patient information is faxed to a number, the number must be confirmed: the
office asks for a test page (no PHI, carrying a 6-digit code; only the code's hash is kept), types
the code back, and a support admin confirms. Until then every fax with PHI to that number stays in
the outbox, held with the reason; confirming releases them. Without a fax gateway the outbox is
where faxes stop, as with e-mail.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, func, select

from portal_app import clock
from portal_app.domain.demographics import format_number, is_us_number, normalize_fax
from portal_app.domain.enums import AuditOutcome, FaxConfirmationStatus, OutboxFaxStatus
from portal_app.models import Facility, FaxNumber, Order, OutboxFax, Practice, Provider, User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require
from portal_app.services.mail import MailKind, send_mail
from portal_app.services.passwords import hash_password, verify_password

MAX_CODE_ATTEMPTS = 5
CODE_VALID_FOR = timedelta(days=7)
MAX_CONTACT_NAME = 200
MAX_NOTE = 1000
MAX_NUMBERS_SHOWN = 200
PAGE_SIZE = 20


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _row(session: Session, digits: str) -> FaxNumber | None:
    if not digits:
        return None
    return session.exec(select(FaxNumber).where(FaxNumber.number == digits)).first()


def fax_status(session: Session, number: str) -> FaxConfirmationStatus:
    """Where ``number`` stands; a number nobody has asked about is unconfirmed."""
    row = _row(session, normalize_fax(number))
    return FaxConfirmationStatus(row.status) if row else FaxConfirmationStatus.UNCONFIRMED


def is_confirmed(session: Session, number: str) -> bool:
    return fax_status(session, number) == FaxConfirmationStatus.CONFIRMED


def held_reason(digits: str) -> str:
    return (
        f"Held: fax number {format_number(digits)} has not been confirmed for letters with patient "
        "information"
    )


def queue_fax(
    session: Session,
    *,
    to_number: str,
    subject: str,
    order_id: int | None = None,
    document_id: int | None = None,
    contains_phi: bool = True,
) -> OutboxFax:
    """Put a fax in the outbox (the caller commits): released at once unless it carries PHI to a
    number that is not confirmed, in which case it is held with the reason."""
    digits = normalize_fax(to_number)
    held = contains_phi and not is_confirmed(session, digits)
    fax = OutboxFax(
        to_number=digits,
        subject=subject[:200],
        order_id=order_id,
        document_id=document_id,
        contains_phi=contains_phi,
        status=OutboxFaxStatus.HELD if held else OutboxFaxStatus.RELEASED,
        held_reason=held_reason(digits) if held else "",
        released_at=None if held else clock.now(),
    )
    session.add(fax)
    session.flush()
    audit.record(
        session,
        action="fax.held" if held else "fax.released",
        user_id=None,
        record_type="outbox_fax",
        record_id=id_of(fax),
        detail={"to": digits, "order_id": order_id, "document_id": document_id},
    )
    return fax


def ensure_unconfirmed_row(session: Session, digits: str, *, practice_id: int | None) -> FaxNumber | None:
    """A new number on file (a fax change applied) starts unconfirmed; known numbers keep their status."""
    if not digits:
        return None
    row = _row(session, digits)
    if row is None:
        row = FaxNumber(number=digits, practice_id=practice_id)
        session.add(row)
    return row


# --- the office: which numbers, test page, code ---


def _practice_tax_ids(session: Session, actor: Actor) -> dict[str, int]:
    if not actor.practice_ids:
        return {}
    rows = session.exec(
        select(Practice.tax_id, Practice.id).where(col(Practice.id).in_(actor.practice_ids))
    ).all()
    return {
        tax_id: practice_id for tax_id, practice_id in rows if practice_id is not None
    }  # a key is never NULL


def numbers_on_file(session: Session, *, actor: Actor) -> dict[str, tuple[int, list[str]]]:
    """The practice's fax numbers (digits) -> (practice id, what uses them): its providers, its sites,
    its orders' letter faxes and numbers it asked to confirm before."""
    tax_ids = _practice_tax_ids(session, actor)
    found: dict[str, tuple[int, list[str]]] = {}

    def add(raw: str, practice_id: int, use: str) -> None:
        digits = normalize_fax(raw)
        if len(digits) >= 7:
            uses = found.setdefault(digits, (practice_id, []))[1]
            if use not in uses:
                uses.append(use)

    if not tax_ids:
        return found
    for provider in session.exec(select(Provider).where(col(Provider.tax_id).in_(tax_ids))).all():
        add(provider.fax, tax_ids[provider.tax_id], f"{provider.first_name} {provider.last_name}")
    for facility in session.exec(select(Facility).where(col(Facility.tax_id).in_(tax_ids))).all():
        add(facility.fax, tax_ids[facility.tax_id], facility.name)
    letter_faxes = session.exec(
        select(Order.letter_fax, Order.practice_id)
        .where(col(Order.practice_id).in_(actor.practice_ids), Order.letter_fax != "")
        .distinct()
    ).all()
    for raw, practice_id in letter_faxes:
        add(raw, practice_id, "letters of your orders")
    asked = session.exec(select(FaxNumber).where(col(FaxNumber.practice_id).in_(actor.practice_ids))).all()
    for row in asked:
        assert row.practice_id is not None  # matched by practice_id IN (...)
        add(row.number, row.practice_id, "asked to confirm")
    return found


@dataclass(frozen=True)
class PracticeFax:
    number: str  # written NNN-NNN-NNNN
    digits: str
    used_for: str
    status: str
    status_label: str
    next_step: str


_NEXT_STEP = {
    FaxConfirmationStatus.UNCONFIRMED: "Send a test page, then enter the code printed on it.",
    FaxConfirmationStatus.CODE_SENT: "Enter the code printed on the test page.",
    FaxConfirmationStatus.AWAITING_SUPPORT: "Nothing: support checks the number and confirms it.",
    FaxConfirmationStatus.CONFIRMED: "Nothing: letters with patient information are faxed to this number.",
    FaxConfirmationStatus.REJECTED: (
        "Support did not confirm this number; send a new test page or use another."
    ),
}


def practice_fax_numbers(session: Session, *, actor: Actor) -> list[PracticeFax]:
    """The practice's fax numbers with where each stands, for the fax confirmation page."""
    require(session, actor, "fax.request_confirmation")
    found = numbers_on_file(session, actor=actor)
    rows = {
        r.number: r
        for r in session.exec(select(FaxNumber).where(col(FaxNumber.number).in_(list(found)))).all()
    }
    result = []
    for digits in sorted(found)[:MAX_NUMBERS_SHOWN]:
        row = rows.get(digits)
        status = FaxConfirmationStatus(row.status) if row else FaxConfirmationStatus.UNCONFIRMED
        note = (
            f" Support's note: {row.decision_note}"
            if row and row.decision_note and status == "rejected"
            else ""
        )
        result.append(
            PracticeFax(
                number=format_number(digits),
                digits=digits,
                used_for=", ".join(found[digits][1][:3])
                + (f" and {len(found[digits][1]) - 3} more" if len(found[digits][1]) > 3 else ""),
                status=status.value,
                status_label=status.label,
                next_step=_NEXT_STEP[status] + note,
            )
        )
    return result


def request_confirmation(session: Session, *, actor: Actor, number: str, contact_name: str) -> dict[str, str]:
    """Fax a test page without PHI carrying a new code to ``number``; errors by field, {} when sent.

    Numbers on file for the practice are accepted as they are; a new one must be a 10-digit US number.
    """
    require(session, actor, "fax.request_confirmation", record=f"fax:{normalize_fax(number)}")
    digits, contact = normalize_fax(number), " ".join(str(contact_name or "").split())
    errors: dict[str, str] = {}
    on_file = numbers_on_file(session, actor=actor).get(digits)
    if on_file is None and not is_us_number(digits):
        errors["number"] = "Enter a 10-digit US fax number, for example 312-555-0142."
    if not contact or len(contact) > MAX_CONTACT_NAME:
        errors["contact_name"] = "Enter the name of the person at the office who receives the test page."
    row = _row(session, digits)
    if not errors and row is not None and row.status == FaxConfirmationStatus.CONFIRMED:
        errors["number"] = "This number is already confirmed for letters."
    if not actor.practice_ids:
        errors["number"] = "Your account is not linked to a practice yet; support can link it."
    if errors:
        return errors
    code = f"{secrets.randbelow(10**6):06d}"
    row = row or FaxNumber(number=digits)
    row.status, row.code_hash, row.code_sent_at, row.code_attempts = (
        FaxConfirmationStatus.CODE_SENT,
        hash_password(code),
        clock.now(),
        0,
    )
    row.contact_name, row.requested_by_id = contact, actor.user_id
    row.practice_id = on_file[0] if on_file else actor.practice_ids[0]
    row.code_entered_at = row.decided_at = row.decided_by_id = None
    row.decision_note = ""
    session.add(row)
    # The test page carries no PHI, so the code may travel in its subject.
    queue_fax(
        session,
        to_number=digits,
        subject=f"Precert fax number check - confirmation code {code}",
        contains_phi=False,
    )
    audit.record(
        session,
        action="fax.confirmation_requested",
        user_id=actor.user_id,
        record_type="fax_number",
        record_id=digits,
        client_address=actor.client_address,
        detail={"contact_name": contact},
    )
    session.commit()
    return {}


def enter_code(session: Session, *, actor: Actor, number: str, code: str) -> dict[str, str]:
    """Check the code from the test page; a right code passes the number to support."""
    require(session, actor, "fax.request_confirmation", record=f"fax:{normalize_fax(number)}")
    digits = normalize_fax(number)
    row = _row(session, digits)
    if (
        row is None
        or row.status != FaxConfirmationStatus.CODE_SENT
        or row.practice_id not in actor.practice_ids
    ):
        return {"number": "Send a test page to this number first."}
    if row.code_attempts >= MAX_CODE_ATTEMPTS:
        return {"code": "Too many wrong codes. Send a new test page and use the code on it."}
    if row.code_sent_at is None or _aware(row.code_sent_at) + CODE_VALID_FOR < clock.now():
        return {"code": "This code has expired. Send a new test page."}
    typed = "".join(str(code or "").split())
    if not (typed.isdigit() and len(typed) == 6 and verify_password(row.code_hash, typed)):
        row.code_attempts += 1
        session.add(row)
        audit.record(
            session,
            action="fax.code_wrong",
            user_id=actor.user_id,
            record_type="fax_number",
            record_id=digits,
            outcome=AuditOutcome.DENIED,
            client_address=actor.client_address,
        )
        session.commit()
        left = MAX_CODE_ATTEMPTS - row.code_attempts
        if left <= 0:
            return {"code": "Too many wrong codes. Send a new test page and use the code on it."}
        return {"code": f"That is not the code on the test page. {left} tries left."}
    row.status, row.code_entered_at, row.code_hash = FaxConfirmationStatus.AWAITING_SUPPORT, clock.now(), ""
    session.add(row)
    audit.record(
        session,
        action="fax.code_entered",
        user_id=actor.user_id,
        record_type="fax_number",
        record_id=digits,
        client_address=actor.client_address,
    )
    session.commit()
    return {}


# --- support ---


@dataclass(frozen=True)
class WaitingFax:
    number: str
    digits: str
    practice: str
    contact_name: str
    requested_by: str
    code_entered_at: str
    held_count: int


def faxes_awaiting_support(session: Session, *, actor: Actor) -> list[WaitingFax]:
    """Numbers whose code was entered, oldest first, for support to confirm or reject."""
    require(session, actor, "fax.confirm")
    rows = session.exec(
        select(FaxNumber, Practice.name, User.email)
        .join(Practice, col(Practice.id) == FaxNumber.practice_id, isouter=True)
        .join(User, col(User.id) == FaxNumber.requested_by_id, isouter=True)
        .where(FaxNumber.status == FaxConfirmationStatus.AWAITING_SUPPORT)
        .order_by(col(FaxNumber.code_entered_at), col(FaxNumber.id))
        .limit(MAX_NUMBERS_SHOWN)
    ).all()
    held = dict(
        session.exec(
            select(OutboxFax.to_number, func.count())
            .where(OutboxFax.status == OutboxFaxStatus.HELD)
            .group_by(OutboxFax.to_number)
        ).all()
    )
    return [
        WaitingFax(
            number=format_number(row.number),
            digits=row.number,
            practice=practice or "",
            contact_name=row.contact_name,
            requested_by=email or "",
            code_entered_at=_aware(row.code_entered_at).strftime("%Y-%m-%d %H:%M")
            if row.code_entered_at
            else "",
            held_count=held.get(row.number, 0),
        )
        for row, practice, email in rows
    ]


def decide_fax(
    session: Session, *, actor: Actor, number: str, confirm: bool, note: str = ""
) -> dict[str, str]:
    """Confirm (releasing every held fax to it) or reject a number whose code was entered."""
    require(session, actor, "fax.confirm", record=f"fax:{normalize_fax(number)}")
    digits, clean_note = normalize_fax(number), " ".join(str(note or "").split())[:MAX_NOTE]
    row = _row(session, digits)
    if row is None or row.status != FaxConfirmationStatus.AWAITING_SUPPORT:
        return {"number": "This number is not waiting for confirmation: the office has not entered the code."}
    if not confirm and not clean_note:
        return {"note": "Say why the number is not confirmed; the office reads it."}
    now = clock.now()
    row.status = FaxConfirmationStatus.CONFIRMED if confirm else FaxConfirmationStatus.REJECTED
    row.decided_by_id, row.decided_at, row.decision_note = actor.user_id, now, clean_note
    session.add(row)
    released = _release_held(session, digits, now) if confirm else 0
    audit.record(
        session,
        action="fax.confirmed" if confirm else "fax.rejected",
        user_id=actor.user_id,
        record_type="fax_number",
        record_id=digits,
        client_address=actor.client_address,
        detail={"note": clean_note, "released": released},
    )
    _tell_office(session, row, confirm, released)
    session.commit()
    return {}


def _release_held(session: Session, digits: str, now: datetime) -> int:
    held = session.exec(
        select(OutboxFax).where(OutboxFax.to_number == digits, OutboxFax.status == OutboxFaxStatus.HELD)
    ).all()
    for fax in held:
        fax.status, fax.released_at = OutboxFaxStatus.RELEASED, now
        session.add(fax)
    return len(held)


def _tell_office(session: Session, row: FaxNumber, confirmed: bool, released: int) -> None:
    user = session.get(User, row.requested_by_id) if row.requested_by_id else None
    if user is None:
        return
    shown = format_number(row.number)
    if confirmed:
        body = (
            f"Fax number {shown} is confirmed. Letters with patient information can now be faxed to it."
            + (f" {released} letter(s) held for this number were sent." if released else "")
        )
    else:
        body = (
            f"Support did not confirm fax number {shown}: {row.decision_note}\n\n"
            "Letters with patient information are not faxed to it. Sign in to the Precert portal to send a "
            "new test page or use another number."
        )
    send_mail(
        session,
        to=user.email,
        subject=f"Fax number {shown}: {'confirmed' if confirmed else 'not confirmed'}",
        kind=MailKind.FAX_CONFIRMATION,
        body=body + "\n",
    )


# --- the outbox ---


@dataclass(frozen=True)
class FaxOutboxRow:
    id: int
    number: str
    subject: str
    status: str
    status_label: str
    held_reason: str
    created_at: str
    released_at: str


def list_faxes(
    session: Session, *, actor: Actor, status: str = "", page: int = 0, page_size: int = PAGE_SIZE
) -> tuple[list[FaxOutboxRow], int]:
    """One page of the fax outbox, newest first, and the total (``status``: held or released)."""
    require(session, actor, "outbox.read")
    query = select(OutboxFax)
    if status in {s.value for s in OutboxFaxStatus}:
        query = query.where(OutboxFax.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    faxes = session.exec(
        query.order_by(col(OutboxFax.created_at).desc(), col(OutboxFax.id).desc())
        .offset(max(page, 0) * page_size)
        .limit(page_size)
    ).all()
    return [
        FaxOutboxRow(
            id=id_of(f),
            number=format_number(f.to_number),
            subject=f.subject,
            status=f.status,
            status_label=OutboxFaxStatus(f.status).label,
            held_reason=f.held_reason,
            created_at=_aware(f.created_at).strftime("%Y-%m-%d %H:%M"),
            released_at=_aware(f.released_at).strftime("%Y-%m-%d %H:%M") if f.released_at else "",
        )
        for f in faxes
    ], total
