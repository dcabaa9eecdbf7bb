"""Provider and site changes, fax number confirmation, and support's decisions on both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from portal_app.domain.demographics import ADDRESS_COLUMNS, CHANGE_FIELDS, COLUMN_LABELS, describe_values
from portal_app.domain.enums import Role
from portal_app.services import demographic_changes as changes
from portal_app.services import fax as fax_service
from portal_app.services.demographic_changes import ChangeRow
from portal_app.services.fax import PracticeFax, WaitingFax
from portal_app.state.auth import authorized, call_public, call_service
from portal_app.state.focus import focus_first_error
from portal_app.state.validation import as_int

OFFICE_ROLES = (Role.ORDERING_PROVIDER_STAFF, Role.SERVICING_PROVIDER_STAFF, Role.FACILITY_STAFF)
PAGE_SIZE = changes.PAGE_SIZE
VALUE_COLUMNS = ("npi", "tax_id", *ADDRESS_COLUMNS, "phone", "fax")
ERROR_FIELDS = ("target", "field", *VALUE_COLUMNS, "effective_date", "reason")
FIELD_CHOICES = [(f.name, f.label) for f in CHANGE_FIELDS.values()]
STATUS_CHOICES = [
    ("pending", "Waiting for support"),
    ("approved", "Approved, waiting for their date"),
    ("applied", "Applied"),
    ("rejected", "Rejected"),
    ("", "All"),
]
MAX_TEXT = 1000


# A select's value and label (UI only).
@dataclass
class Choice:
    value: str
    label: str


# Reused as is: the service's demographic_changes.ChangeRow holds just what the page shows.
ChangeLine = ChangeRow


# Reused as is: the service's fax.PracticeFax holds just what the page shows.
FaxLine = PracticeFax


# Reused as is: the service's fax.WaitingFax holds just what the page shows.
WaitingLine = WaitingFax


async def _apply_due() -> None:
    await call_public(changes.apply_due_changes)


def _no_errors() -> dict[str, str]:
    return dict.fromkeys(ERROR_FIELDS, "")


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


class DemographicChangesState(rx.State):
    """An office asks for a change of a provider's or site's NPI, tax ID, address, phone or fax."""

    targets: list[Choice] = []
    target: str = ""
    field: str = ""
    current_value: str = ""
    errors: dict[str, str] = _no_errors()
    form_error: str = ""
    message: str = ""
    requests: list[ChangeLine] = []
    total: int = 0
    page: int = 0
    history: list[ChangeLine] = []
    _current: dict[str, dict[str, str]] = {}

    @rx.var
    def page_count(self) -> int:
        return _page_count(self.total)

    @rx.var
    def target_label(self) -> str:
        return next((t.label for t in self.targets if t.value == self.target), "")

    async def _load_requests(self) -> None:
        rows, self.total = await call_service(
            changes.list_change_requests, page=self.page, page_size=PAGE_SIZE
        )
        self.requests = list(rows)

    async def _load_history(self) -> None:
        kind, _, raw_id = self.target.partition(":")
        if kind not in (changes.PROVIDER, changes.FACILITY):
            self.history = []
            return
        key = "provider_id" if kind == changes.PROVIDER else "facility_id"
        rows = await call_service(changes.change_history, **{key: as_int(raw_id)})
        self.history = list(rows)

    def _show_current(self) -> None:
        values = self._current.get(self.target, {})
        self.current_value = (
            describe_values(self.field, values) if values and self.field in CHANGE_FIELDS else ""
        )

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def load_page(self):
        await _apply_due()
        found = await call_service(changes.change_targets)
        self.targets = [Choice(value=t.key, label=t.label) for t in found]
        self._current = {t.key: t.current for t in found}
        if self.target not in self._current:
            self.target = ""
        self.errors, self.form_error, self.message, self.page = _no_errors(), "", "", 0
        self._show_current()
        await self._load_requests()
        await self._load_history()

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def choose_target(self, value: str):
        self.target = value if isinstance(value, str) and value in self._current else ""
        self._show_current()
        await self._load_history()

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def choose_field(self, value: str):
        self.field = value if isinstance(value, str) and value in CHANGE_FIELDS else ""
        self._show_current()

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def turn_page(self, delta: int):
        self.page = min(max(0, self.page + as_int(delta)), self.page_count - 1)
        await self._load_requests()

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def submit_request(self, form_data: dict):
        form = form_data if isinstance(form_data, dict) else {}
        self.message = ""
        errors = _no_errors()
        if not self.target:
            errors["target"] = "Choose the provider or site to change."
        if not self.field:
            errors["field"] = "Choose what to change."
        if errors["target"] or errors["field"]:
            self.errors, self.form_error = errors, "Please correct the fields marked below."
            return focus_first_error()
        kind, _, raw_id = self.target.partition(":")
        party = (
            {"provider_id": as_int(raw_id)} if kind == changes.PROVIDER else {"facility_id": as_int(raw_id)}
        )
        values = {c: str(form.get(c, ""))[:MAX_TEXT] for c in CHANGE_FIELDS[self.field].columns}
        request_id, found = await call_service(
            changes.request_change,
            **party,
            field=self.field,
            new_values=values,
            effective_date=_parse_date(str(form.get("effective_date", ""))[:10]),
            reason=str(form.get("reason", ""))[: MAX_TEXT + 1],
        )
        self.errors = {**_no_errors(), **{k: v for k, v in found.items() if k in ERROR_FIELDS}}
        if request_id is None:
            self.form_error = "Please correct the fields marked below."
            return focus_first_error()
        self.form_error = ""
        self.message = (
            f"Request {request_id} sent to support: change of the {CHANGE_FIELDS[self.field].label} "
            f"of {self.target_label}."
        )
        self.page = 0
        await self._load_requests()
        await self._load_history()
        return rx.call_script("document.getElementById('change-request-form').reset()")


class FaxConfirmationState(rx.State):
    """An office confirms its fax numbers: test page, code, then support."""

    numbers: list[FaxLine] = []
    contact_name: str = ""
    new_number: str = ""
    errors: dict[str, str] = {"contact_name": "", "new_number": ""}
    error: str = ""
    message: str = ""

    async def _reload(self) -> None:
        rows = await call_service(fax_service.practice_fax_numbers)
        self.numbers = list(rows)

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def load_page(self):
        self.errors, self.error, self.message = {"contact_name": "", "new_number": ""}, "", ""
        await self._reload()

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def update_contact_name(self, value: str):
        if isinstance(value, str):
            self.contact_name = value[:200]

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def update_new_number(self, value: str):
        if isinstance(value, str):
            self.new_number = value[:40]

    async def _send(self, number: str, typed: bool):
        found = await call_service(
            fax_service.request_confirmation, number=number, contact_name=self.contact_name
        )
        self.errors = {
            "contact_name": found.get("contact_name", ""),
            "new_number": found.get("number", "") if typed else "",
        }
        self.error = "" if typed or "number" not in found else f"{number}: {found['number']}"
        if found:
            self.message = ""
            return focus_first_error()
        self.message = (
            f"A test page was faxed to {number}. It carries a 6-digit code and no patient "
            "information: enter the code below."
        )
        if typed:
            self.new_number = ""
        await self._reload()
        return None

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def send_test_page(self, number: str):
        return await self._send(str(number)[:40], typed=False)

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def send_test_page_to_new_number(self):
        return await self._send(self.new_number, typed=True)

    @rx.event
    @authorized(*OFFICE_ROLES)
    async def submit_code(self, form_data: dict):
        form = form_data if isinstance(form_data, dict) else {}
        number, code = str(form.get("number", ""))[:40], str(form.get("code", ""))[:20]
        found = await call_service(fax_service.enter_code, number=number, code=code)
        if found:
            self.message, self.error = "", f"{number}: " + " ".join(found.values())
            return focus_first_error()
        self.error = ""
        self.message = f"Code accepted for {number}. Support now checks the number and confirms it."
        await self._reload()
        return None


class AdminChangesState(rx.State):
    """Support: change requests to approve or reject, fax numbers to confirm or reject."""

    status_filter: str = "pending"
    requests: list[ChangeLine] = []
    total: int = 0
    page: int = 0
    faxes: list[WaitingLine] = []
    message: str = ""
    error: str = ""
    rejecting_kind: str = ""  # "change" or "fax" while the rejection dialog is open
    rejecting_key: str = ""
    rejecting_label: str = ""
    note: str = ""
    note_error: str = ""

    @rx.var
    def page_count(self) -> int:
        return _page_count(self.total)

    async def _reload(self) -> None:
        rows, self.total = await call_service(
            changes.list_change_requests, status=self.status_filter, page=self.page, page_size=PAGE_SIZE
        )
        self.requests = list(rows)
        self.faxes = list(await call_service(fax_service.faxes_awaiting_support))

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        await _apply_due()
        self.message = self.error = ""
        self.page, self.rejecting_kind = 0, ""
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def choose_status(self, value: str):
        self.status_filter = (
            value if isinstance(value, str) and value in {v for v, _ in STATUS_CHOICES} else "pending"
        )
        self.page = 0
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def turn_page(self, delta: int):
        self.page = min(max(0, self.page + as_int(delta)), self.page_count - 1)
        await self._reload()

    def _outcome(self, found: dict[str, str], done: str) -> None:
        self.error = " ".join(found.values())
        self.message = "" if found else done

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def approve_change(self, request_id: int):
        found = await call_service(
            changes.decide_change, request_id=as_int(request_id), approve=True, note=""
        )
        self._outcome(found, f"Change request {as_int(request_id)} approved.")
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def confirm_fax(self, digits: str):
        found = await call_service(fax_service.decide_fax, number=str(digits)[:40], confirm=True)
        self._outcome(found, "Fax number confirmed; the faxes held for it were released.")
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def start_reject(self, kind: str, key: str, label: str):
        if kind not in ("change", "fax"):
            return
        self.rejecting_kind, self.rejecting_key, self.rejecting_label = kind, str(key)[:40], str(label)[:200]
        self.note, self.note_error = "", ""

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def cancel_reject(self):
        self.rejecting_kind = ""

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def update_note(self, value: str):
        if isinstance(value, str):
            self.note = value[:MAX_TEXT]

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def confirm_reject(self):
        if self.rejecting_kind == "change":
            found = await call_service(
                changes.decide_change, request_id=as_int(self.rejecting_key), approve=False, note=self.note
            )
        elif self.rejecting_kind == "fax":
            found = await call_service(
                fax_service.decide_fax, number=self.rejecting_key, confirm=False, note=self.note
            )
        else:
            return None
        if "note" in found:
            self.note_error = found["note"]
            return rx.call_script("document.getElementById('field-reject-note')?.focus()")
        self.rejecting_kind = ""
        self._outcome(found, f"{self.rejecting_label} rejected; the office was told why.")
        await self._reload()
        return None


__all__ = [
    "AdminChangesState",
    "COLUMN_LABELS",
    "DemographicChangesState",
    "FIELD_CHOICES",
    "FaxConfirmationState",
    "STATUS_CHOICES",
]
