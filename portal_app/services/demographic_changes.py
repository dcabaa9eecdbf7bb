"""Change requests for a practice's providers and sites: NPI, tax ID, address, phone or fax.

An office asks for a change with the day it takes effect (a future day is fine); a support admin
approves or rejects it with a note. An approved change is applied at once when its day has come,
otherwise by ``apply_due_changes`` on that day. Each request keeps the values it replaced and the
new ones, so the requests of a provider or site are its history. A new fax number applied this way
is not confirmed for letters with PHI until the office and support confirm it (services/fax.py).

Offices see and change only the providers and sites billing under their practices' tax IDs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from portal_app import clock
from portal_app.domain.demographics import (
    CHANGE_FIELDS,
    check_new_values,
    describe_values,
    effective_date_problem,
    normalize_fax,
)
from portal_app.domain.enums import AuditOutcome, ChangeRequestStatus
from portal_app.models import DemographicChangeRequest, Facility, Practice, Provider, User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, PermissionDenied, may, require
from portal_app.services.fax import ensure_unconfirmed_row
from portal_app.services.mail import MailKind, send_mail

logger = logging.getLogger(__name__)

MAX_REASON = 1000
MAX_NOTE = 1000
PAGE_SIZE = 20
PROVIDER, FACILITY = "provider", "facility"
Party = Provider | Facility


def _today(today: date | None) -> date:
    return today or clock.today()


def _clean(text: str, limit: int) -> str:
    return " ".join(str(text or "").split())[: limit + 1]


# --- who may see which provider or site ---


def _tax_ids(session: Session, actor: Actor) -> list[str]:
    if not actor.practice_ids:
        return []
    return list(session.exec(select(Practice.tax_id).where(col(Practice.id).in_(actor.practice_ids))).all())


def _is_support(actor: Actor) -> bool:
    return may(actor, "demographics.decide_change")


def _may_read(actor: Actor) -> bool:
    return may(actor, "demographics.request_change") or _is_support(actor)


def _party(session: Session, provider_id: int | None, facility_id: int | None) -> Party | None:
    if (provider_id is None) == (facility_id is None):
        return None
    return (
        session.get(Provider, provider_id) if provider_id is not None else session.get(Facility, facility_id)
    )


def _visible_party(
    session: Session, actor: Actor, provider_id: int | None, facility_id: int | None
) -> Party | None:
    """The provider or site if ``actor`` may see it: support sees all, offices their practices' own."""
    party = _party(session, provider_id, facility_id)
    if party is None or _is_support(actor):
        return party
    return party if party.tax_id in _tax_ids(session, actor) else None


def _deny(session: Session, actor: Actor, provider_id: int | None, facility_id: int | None) -> None:
    record = f"provider:{provider_id}" if provider_id is not None else f"facility:{facility_id}"
    audit.record(
        session,
        action="access.denied",
        user_id=actor.user_id,
        outcome=AuditOutcome.DENIED,
        client_address=actor.client_address,
        detail={"permission": "demographics", "record": record},
    )
    session.commit()


def _label(party: Party) -> str:
    if isinstance(party, Provider):
        return f"{party.first_name} {party.last_name} (NPI {party.npi})"
    return f"{party.name} (NPI {party.npi})"


def _current(party: Party, field: str) -> dict[str, str]:
    return {column: getattr(party, column) for column in CHANGE_FIELDS[field].columns}


@dataclass(frozen=True)
class ChangeTarget:
    kind: str  # PROVIDER or FACILITY
    id: int
    label: str
    current: dict[str, str]  # column -> value on file

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def change_targets(session: Session, *, actor: Actor) -> list[ChangeTarget]:
    """The providers and sites ``actor`` may ask to change, providers first, by name."""
    require(session, actor, "demographics.request_change")
    tax_ids = _tax_ids(session, actor)
    if not tax_ids:
        return []
    providers = session.exec(
        select(Provider)
        .where(col(Provider.tax_id).in_(tax_ids))
        .order_by(Provider.last_name, Provider.first_name)
    ).all()
    facilities = session.exec(
        select(Facility).where(col(Facility.tax_id).in_(tax_ids)).order_by(Facility.name)
    ).all()
    columns = {c for f in CHANGE_FIELDS.values() for c in f.columns}
    return [
        ChangeTarget(
            kind=PROVIDER if isinstance(p, Provider) else FACILITY,
            id=id_of(p),
            label=_label(p),
            current={c: getattr(p, c) for c in sorted(columns)},
        )
        for p in list[Provider | Facility]([*providers, *facilities])
    ]


# --- asking for a change ---


def _npi_taken(session: Session, npi: str, party: Party | None) -> bool:
    provider = session.exec(select(Provider.id).where(Provider.npi == npi)).first()
    facility = session.exec(select(Facility.id).where(Facility.npi == npi)).first()
    own = party.id if party is not None else None
    return (provider is not None and not (isinstance(party, Provider) and provider == own)) or (
        facility is not None and not (isinstance(party, Facility) and facility == own)
    )


def _party_column(party: Party):
    if isinstance(party, Provider):
        return DemographicChangeRequest.provider_id
    return DemographicChangeRequest.facility_id


def _pending_exists(session: Session, party: Party, field: str) -> bool:
    column = _party_column(party)
    return (
        session.exec(
            select(DemographicChangeRequest.id).where(
                column == party.id,
                DemographicChangeRequest.field == field,
                DemographicChangeRequest.status == ChangeRequestStatus.PENDING,
            )
        ).first()
        is not None
    )


def _request_errors(
    session: Session,
    party: Party,
    field: str,
    cleaned: dict[str, str],
    effective_date: date | None,
    reason: str,
    today: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    problem = effective_date_problem(effective_date if isinstance(effective_date, date) else None, today)
    if problem:
        errors["effective_date"] = problem
    if len(reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON} characters."
    if not cleaned:
        return errors
    first_column = CHANGE_FIELDS[field].columns[0]
    if cleaned == _current(party, field):
        errors[first_column] = "That is what is on file already."
    elif field == "npi" and _npi_taken(session, cleaned["npi"], party):
        errors["npi"] = "Another provider or site already has this NPI."
    if _pending_exists(session, party, field):
        errors["field"] = "A request to change this is already waiting for support."
    return errors


def request_change(
    session: Session,
    *,
    actor: Actor,
    provider_id: int | None = None,
    facility_id: int | None = None,
    field: str,
    new_values: dict,
    effective_date: date,
    reason: str = "",
    today: date | None = None,
) -> tuple[int | None, dict[str, str]]:
    """Ask support to change one field of a provider or site; (request id, {}) or (None, errors by field)."""
    require(session, actor, "demographics.request_change")
    party = _visible_party(session, actor, provider_id, facility_id)
    if party is None:
        if provider_id is not None or facility_id is not None:
            _deny(session, actor, provider_id, facility_id)
        return None, {"target": "Choose one of your practice's providers or sites."}
    cleaned, errors = check_new_values(field, new_values)
    clean_reason = _clean(reason, MAX_REASON)
    errors = {
        **errors,
        **_request_errors(session, party, field, cleaned, effective_date, clean_reason, _today(today)),
    }
    if errors:
        return None, errors
    row = DemographicChangeRequest(
        provider_id=party.id if isinstance(party, Provider) else None,
        facility_id=party.id if isinstance(party, Facility) else None,
        field=field,
        old_values=_current(party, field),
        new_values=cleaned,
        effective_date=effective_date,
        reason=clean_reason,
        requested_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        action="demographics.change_requested",
        user_id=actor.user_id,
        record_type="demographic_change",
        record_id=id_of(row),
        client_address=actor.client_address,
        detail={
            "party": _party_key(row),
            "field": field,
            "new": cleaned,
            "effective_date": effective_date.isoformat(),
        },
    )
    session.commit()
    return row.id, {}


def _party_key(row: DemographicChangeRequest) -> str:
    return f"provider:{row.provider_id}" if row.provider_id is not None else f"facility:{row.facility_id}"


# --- reading requests and history ---


@dataclass(frozen=True)
class ChangeRow:
    id: int
    target_kind: str
    target_label: str
    field: str
    field_label: str
    old_text: str
    new_text: str
    effective_date: str
    status: str
    status_label: str
    requested_by: str
    requested_at: str
    reason: str
    decision_note: str
    applied_at: str


def _stamp(value: datetime | None) -> str:
    if value is None:
        return ""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).strftime("%Y-%m-%d %H:%M")


def _status_label(row: DemographicChangeRequest) -> str:
    return {
        ChangeRequestStatus.PENDING: "Waiting for support",
        ChangeRequestStatus.APPROVED: f"Approved; takes effect on {row.effective_date.isoformat()}",
        ChangeRequestStatus.REJECTED: "Rejected",
        ChangeRequestStatus.APPLIED: "Applied",
    }[ChangeRequestStatus(row.status)]


def _rows(session: Session, requests: list[DemographicChangeRequest]) -> list[ChangeRow]:
    users = {
        u.id: u
        for u in session.exec(
            select(User).where(col(User.id).in_({r.requested_by_id for r in requests} or {0}))
        ).all()
    }
    result = []
    for r in requests:
        party = _party(session, r.provider_id, r.facility_id)
        result.append(
            ChangeRow(
                id=id_of(r),
                target_kind=PROVIDER if r.provider_id is not None else FACILITY,
                target_label=_label(party) if party else "",
                field=r.field,
                field_label=CHANGE_FIELDS[r.field].label if r.field in CHANGE_FIELDS else r.field,
                old_text=describe_values(r.field, r.old_values),
                new_text=describe_values(r.field, r.new_values),
                effective_date=r.effective_date.isoformat(),
                status=r.status,
                status_label=_status_label(r),
                requested_by=users[r.requested_by_id].full_name if r.requested_by_id in users else "",
                requested_at=_stamp(r.requested_at),
                reason=r.reason,
                decision_note=r.decision_note,
                applied_at=_stamp(r.applied_at),
            )
        )
    return result


def change_history(
    session: Session,
    *,
    actor: Actor,
    provider_id: int | None = None,
    facility_id: int | None = None,
) -> list[ChangeRow]:
    """Every change request of one provider or site, newest first; [] for one the actor may not see."""
    if not _may_read(actor):
        raise PermissionDenied("demographics.request_change")
    party = _visible_party(session, actor, provider_id, facility_id)
    if party is None:
        if provider_id is not None or facility_id is not None:
            _deny(session, actor, provider_id, facility_id)
        return []
    column = _party_column(party)
    requests = session.exec(
        select(DemographicChangeRequest)
        .where(column == party.id)
        .order_by(col(DemographicChangeRequest.requested_at).desc(), col(DemographicChangeRequest.id).desc())
    ).all()
    return _rows(session, list(requests))


def list_change_requests(
    session: Session,
    *,
    actor: Actor,
    status: str = "",
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> tuple[list[ChangeRow], int]:
    """One page of change requests and the total: support sees all (pending ones oldest first),
    an office its practices' providers' and sites' requests (newest first)."""
    if not _may_read(actor):
        require(session, actor, "demographics.request_change")
    query = select(DemographicChangeRequest)
    if not _is_support(actor):
        tax_ids = _tax_ids(session, actor) or ["-"]
        query = (
            query.join(Provider, col(Provider.id) == DemographicChangeRequest.provider_id, isouter=True)
            .join(Facility, col(Facility.id) == DemographicChangeRequest.facility_id, isouter=True)
            .where(
                or_(
                    col(Provider.tax_id).in_(tax_ids),
                    col(Facility.tax_id).in_(tax_ids),
                    col(DemographicChangeRequest.requested_by_id) == actor.user_id,
                )
            )
        )
    if status in {s.value for s in ChangeRequestStatus}:
        query = query.where(DemographicChangeRequest.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    if status == ChangeRequestStatus.PENDING and _is_support(actor):
        order: tuple[Any, ...] = (
            col(DemographicChangeRequest.requested_at),
            col(DemographicChangeRequest.id),
        )
    else:
        order = (col(DemographicChangeRequest.requested_at).desc(), col(DemographicChangeRequest.id).desc())
    requests = session.exec(query.order_by(*order).offset(max(page, 0) * page_size).limit(page_size)).all()
    return _rows(session, list(requests)), total


# --- support decides; changes are applied on their day ---


def decide_change(
    session: Session,
    *,
    actor: Actor,
    request_id: int,
    approve: bool,
    note: str,
    today: date | None = None,
) -> dict[str, str]:
    """Approve (applied at once when its day has come) or reject (with a note) a pending request."""
    require(session, actor, "demographics.decide_change", record=f"demographic_change:{request_id}")
    row = session.get(DemographicChangeRequest, request_id)
    if row is None or row.status != ChangeRequestStatus.PENDING:
        return {"request": "This request is no longer waiting for a decision."}
    clean_note = _clean(note, MAX_NOTE)[:MAX_NOTE]
    if not approve and not clean_note:
        return {"note": "Say why the change is rejected; the office reads it."}
    party = _party(session, row.provider_id, row.facility_id)
    if approve and row.field == "npi" and _npi_taken(session, row.new_values.get("npi", ""), party):
        return {"request": "Another provider or site already has this NPI; reject the request with a note."}
    row.status = ChangeRequestStatus.APPROVED if approve else ChangeRequestStatus.REJECTED
    row.decided_by_id, row.decided_at, row.decision_note = actor.user_id, clock.now(), clean_note
    session.add(row)
    audit.record(
        session,
        action="demographics.change_approved" if approve else "demographics.change_rejected",
        user_id=actor.user_id,
        record_type="demographic_change",
        record_id=id_of(row),
        client_address=actor.client_address,
        detail={"note": clean_note},
    )
    if approve and row.effective_date <= _today(today):
        _apply(session, row)
    _tell_requester(session, row, party)
    session.commit()
    return {}


def _apply(session: Session, row: DemographicChangeRequest) -> bool:
    party = _party(session, row.provider_id, row.facility_id)
    if party is None:
        return False
    if row.field == "npi" and _npi_taken(session, row.new_values.get("npi", ""), party):
        logger.warning("Change request %s not applied: its NPI now belongs to another party", row.id)
        return False
    row.old_values = _current(party, row.field)  # what was really replaced
    for column in CHANGE_FIELDS[row.field].columns:
        setattr(party, column, row.new_values[column])
    row.status, row.applied_at = ChangeRequestStatus.APPLIED, clock.now()
    session.add_all([party, row])
    if row.field == "fax":
        practice_id = session.exec(select(Practice.id).where(Practice.tax_id == party.tax_id)).first()
        ensure_unconfirmed_row(session, normalize_fax(row.new_values["fax"]), practice_id=practice_id)
    audit.record(
        session,
        action="demographics.change_applied",
        user_id=None,
        record_type="demographic_change",
        record_id=id_of(row),
        detail={"party": _party_key(row), "field": row.field, "old": row.old_values, "new": row.new_values},
    )
    return True


def apply_due_changes(session: Session, *, today: date | None = None) -> int:
    """Apply the approved requests whose day has come, in date order; returns how many were applied."""
    due = session.exec(
        select(DemographicChangeRequest)
        .where(
            DemographicChangeRequest.status == ChangeRequestStatus.APPROVED,
            DemographicChangeRequest.effective_date <= _today(today),
        )
        .order_by(col(DemographicChangeRequest.effective_date), col(DemographicChangeRequest.id))
    ).all()
    applied = sum(1 for row in due if _apply(session, row))
    session.commit()
    return applied


def _tell_requester(session: Session, row: DemographicChangeRequest, party: Party | None) -> None:
    user = session.get(User, row.requested_by_id)
    if user is None or party is None:
        return
    what = f"the {CHANGE_FIELDS[row.field].label} of {_label(party)}"
    if row.status == ChangeRequestStatus.REJECTED:
        body = f"Support did not approve the change of {what}: {row.decision_note}\n"
    elif row.status == ChangeRequestStatus.APPLIED:
        body = f"Support approved the change of {what}. It is now on file.\n"
    else:
        body = (
            f"Support approved the change of {what}. It takes effect on {row.effective_date.isoformat()}.\n"
        )
    if row.field == "fax" and row.status != ChangeRequestStatus.REJECTED:
        body += (
            "Letters with patient information are faxed to the new number only after it is confirmed: "
            "open Fax numbers in the Precert portal to send a test page.\n"
        )
    send_mail(
        session,
        to=user.email,
        subject=f"Change request {row.id}: {_status_label(row).split(';')[0]}",
        kind=MailKind.DEMOGRAPHIC_CHANGE,
        body=body,
    )
