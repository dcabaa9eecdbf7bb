"""Support-admin pages: pending registrations, the audit log, the outbox."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import reflex as rx

from portal_app.db import session_scope
from portal_app.domain.enums import Role
from portal_app.services import fax as fax_service
from portal_app.services.admin import (
    PAGE_SIZE,
    AuditFilter,
    AuditRow,
    OutboxRow,
    list_outbox,
    search_audit_log,
)
from portal_app.services.registration import RegistrationError, approve, list_pending, reject
from portal_app.state.auth import authorized, current_actor
from portal_app.state.validation import as_int


@dataclass
class PendingRow:
    user_id: int
    full_name: str
    email: str
    username: str
    phone: str
    fax: str
    role_label: str
    registered_on: str
    tax_ids: str
    unknown_tax_ids: str


@dataclass
class AuditLine:
    occurred_at: str
    user: str
    action: str
    record: str
    outcome: str
    client_address: str


@dataclass
class OutboxLine:
    id: int
    created_at: str
    to_address: str
    kind: str
    sent: bool


class RegistrationsState(rx.State):
    pending: list[PendingRow] = []
    message: str = ""
    error: str = ""
    rejecting_user_id: int = 0
    reject_reason: str = ""

    async def _reload(self) -> None:
        actor = current_actor()

        def _load():
            with session_scope() as session:
                return list_pending(session, actor=actor)

        self.pending = [PendingRow(**asdict(p)) for p in await rx.run_in_thread(_load)]

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        self.message = self.error = ""
        self.rejecting_user_id = 0
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def approve_registration(self, user_id: int):
        actor = current_actor()

        def _approve():
            with session_scope() as session:
                return approve(session, actor=actor, user_id=as_int(user_id))

        try:
            linked = await rx.run_in_thread(_approve)
            self.message, self.error = f"Registration approved; linked to {linked} practice(s).", ""
        except RegistrationError as refused:
            self.error = "; ".join(refused.field_errors.values())
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def start_reject(self, user_id: int):
        self.rejecting_user_id = as_int(user_id)
        self.reject_reason = ""

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def cancel_reject(self):
        self.rejecting_user_id = 0

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def update_reject_reason(self, value: str):
        self.reject_reason = str(value)[:1000]

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def confirm_reject(self):
        actor, user_id, reason = current_actor(), self.rejecting_user_id, self.reject_reason

        def _reject():
            with session_scope() as session:
                reject(session, actor=actor, user_id=user_id, reason=reason)

        try:
            await rx.run_in_thread(_reject)
        except RegistrationError as refused:
            self.error = "; ".join(refused.field_errors.values())
            return
        self.message, self.error, self.rejecting_user_id = (
            "Registration rejected; the registrant was told why.",
            "",
            0,
        )
        await self._reload()


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class AuditLogState(rx.State):
    rows: list[AuditLine] = []
    total: int = 0
    page: int = 0
    user_email: str = ""
    record: str = ""
    date_from: str = ""
    date_to: str = ""
    error: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    async def _search(self) -> None:
        actor = current_actor()
        audit_filter = AuditFilter(
            user_email=self.user_email[:254],
            record=self.record[:80],
            date_from=_parse_date(self.date_from),
            date_to=_parse_date(self.date_to),
        )
        page = self.page

        def _query():
            with session_scope() as session:
                return search_audit_log(session, actor=actor, audit_filter=audit_filter, page=page)

        rows, self.total = await rx.run_in_thread(_query)
        self.rows = [AuditLine(**asdict(r)) for r in rows]

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        self.page = 0
        await self._search()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def apply_filter(self, form_data: dict):
        self.user_email = str(form_data.get("user_email", ""))
        self.record = str(form_data.get("record", ""))
        self.date_from = str(form_data.get("date_from", ""))
        self.date_to = str(form_data.get("date_to", ""))
        bad = [v for v in (self.date_from, self.date_to) if v and _parse_date(v) is None]
        self.error = "Dates are written YYYY-MM-DD." if bad else ""
        self.page = 0
        await self._search()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def turn_page(self, delta: int):
        self.page = min(max(0, self.page + as_int(delta)), self.page_count - 1)
        await self._search()


@dataclass
class FaxOutboxLine:
    id: int
    number: str
    subject: str
    status: str
    status_label: str
    held_reason: str
    created_at: str
    released_at: str


FAX_STATUS_CHOICES = [("", "All faxes"), ("held", "Held"), ("released", "Released")]


class OutboxState(rx.State):
    mails: list[OutboxLine] = []
    total: int = 0
    faxes: list[FaxOutboxLine] = []
    fax_total: int = 0
    fax_page: int = 0
    fax_status: str = ""

    @rx.var
    def fax_page_count(self) -> int:
        return max(1, -(-self.fax_total // fax_service.PAGE_SIZE))

    async def _load_faxes(self) -> None:
        actor, status, page = current_actor(), self.fax_status, self.fax_page

        def _load():
            with session_scope() as session:
                return fax_service.list_faxes(session, actor=actor, status=status, page=page)

        rows, self.fax_total = await rx.run_in_thread(_load)
        self.faxes = [FaxOutboxLine(**asdict(r)) for r in rows]

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        actor = current_actor()

        def _load():
            with session_scope() as session:
                return list_outbox(session, actor=actor)

        rows, self.total = await rx.run_in_thread(_load)
        self.mails = [OutboxLine(**asdict(r)) for r in rows]
        self.fax_page = 0
        await self._load_faxes()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def choose_fax_status(self, value: str):
        self.fax_status = (
            value if isinstance(value, str) and value in {v for v, _ in FAX_STATUS_CHOICES} else ""
        )
        self.fax_page = 0
        await self._load_faxes()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def turn_fax_page(self, delta: int):
        self.fax_page = min(max(0, self.fax_page + as_int(delta)), self.fax_page_count - 1)
        await self._load_faxes()


__all__ = ["AuditLogState", "AuditRow", "OutboxRow", "OutboxState", "RegistrationsState"]
