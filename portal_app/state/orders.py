"""Order summary, my orders and servicing-provider verification."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.services import orders as order_service
from portal_app.services import review as review_service
from portal_app.services import supporting_documents
from portal_app.services.documents import DocumentRefused, store_document
from portal_app.services.orders import OrderFilter, OrderNotFound, OrderRow
from portal_app.services.rate_limits import RateLimited
from portal_app.state.auth import authorized, call_service, current_actor
from portal_app.state.navigation import page_params
from portal_app.state.validation import as_int

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


# orders.OrderLineView with criteria as a list (Reflex vars hold lists, not tuples).
@dataclass
class LineRow:
    line_number: int = 0
    code: str = ""
    description: str = ""
    decision: str = ""
    reason: str = ""
    citation: str = ""
    valid_from: str = ""
    valid_until: str = ""
    criteria: list[str] = field(default_factory=list)


# A (label, value) pair, as a dataclass for rx.foreach.
@dataclass
class Pair:
    label: str
    value: str


# orders.OrderSummary without its ids and nested lists, with defaults for the empty page.
@dataclass
class SummaryView:
    order_number: str = ""
    status: str = ""
    status_code: str = ""
    program: str = ""
    plan_name: str = ""
    member_name: str = ""
    member_number: str = ""
    member_birth_date: str = ""
    ordering_provider: str = ""
    servicing: str = ""
    letter_address: str = ""
    letter_fax: str = ""
    urgency: str = ""
    urgency_reason: str = ""
    service_start: str = ""
    submitted_at: str = ""
    duplicate_of: str = ""
    cancel_reason: str = ""
    can_update: bool = False
    can_cancel: bool = False
    added_to_order: str = ""


class OrderSummaryState(rx.State):
    summary: SummaryView = SummaryView()
    details: list[Pair] = []
    diagnoses: list[str] = []
    lines: list[LineRow] = []
    documents: list[Pair] = []
    notes: list[str] = []
    p2p_slots: list[Pair] = []
    may_reconsider: bool = False
    reconsideration_text: str = ""
    found: bool = False
    error: str = ""
    message: str = ""
    cancel_open: bool = False
    uploading: bool = False
    # The listed documents: label = the document, value = "Received: ..." / "Not received".
    documents_needed: list[Pair] = []
    needed_choices: list[Pair] = []  # label = the document, value = its id (the upload's "This file is")
    upload_as: str = ""
    alternate_sites: list[str] = []  # a denied hospital setting: where the exam can be done instead
    # After a denial: sending uploaded documents opens a reconsideration or an appeal.
    may_send_documents: bool = False
    documents_review_text: str = ""

    @rx.event
    @authorized()
    async def load_order(self, order_number: str = ""):
        """Load the order in the URL (or the one named), if this user may read it."""
        number = str(order_number or page_params(self).get("order_number", ""))[:20]
        self.reset()  # nothing of the order shown before (another patient's) stays on screen
        yield
        await self._load(number)

    async def _load(self, number: str) -> None:
        try:
            summary = await call_service(order_service.get_order_summary, order_number=number)
        except OrderNotFound:
            self.summary, self.lines, self.found = SummaryView(), [], False
            self.details, self.diagnoses, self.documents, self.notes = [], [], [], []
            self.error = "No order with that number is available to you."
            return
        data = asdict(summary)
        self.lines = [LineRow(**{**line, "criteria": list(line["criteria"])}) for line in data.pop("lines")]
        self.details = [Pair(label, value) for label, value in data.pop("details")]
        self.documents = [Pair(label, str(doc_id)) for doc_id, label in data.pop("documents")]
        self.diagnoses, self.notes = list(data.pop("diagnoses")), list(data.pop("notes"))
        needed = data.pop("documents_needed")
        self.documents_needed = [Pair(label, status) for _, label, status in needed]
        self.needed_choices = [Pair(label, doc_id) for doc_id, label, _ in needed]
        self.alternate_sites = list(data.pop("alternate_sites"))
        data.pop("order_id")
        self.summary, self.found, self.error = SummaryView(**data), True, ""
        await self._load_review_options(number)

    async def _load_review_options(self, number: str) -> None:
        """Peer-to-peer times offered, and whether a reconsideration may still be asked for."""
        self.p2p_slots, self.may_reconsider, self.reconsideration_text = [], False, ""
        self.may_send_documents, self.documents_review_text = False, ""
        if current_actor().role != Role.ORDERING_PROVIDER_STAFF:
            return
        slots = await call_service(review_service.peer_to_peer_slots, order_number=number)
        self.p2p_slots = [Pair(label, str(slot_id)) for slot_id, label in slots]
        if self.summary.status_code in {"non_authorized", "multiple_decisions"}:
            self.may_reconsider, self.reconsideration_text = await call_service(
                review_service.reconsideration_status, order_number=number
            )
            kind, self.documents_review_text = await call_service(
                supporting_documents.documents_review_status, order_number=number
            )
            self.may_send_documents = bool(kind)

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def choose_slot(self, form_data: dict):
        try:
            await call_service(
                review_service.choose_peer_to_peer_slot,
                order_number=self.summary.order_number,
                appointment_id=as_int(form_data.get("appointment_id", "")),
                callback_phone=str(form_data.get("callback_phone", ""))[:32],
            )
        except (review_service.ActionRefused, OrderNotFound) as refused:
            self.error = str(refused) or "That time is no longer available."
            return
        await self._load(self.summary.order_number)
        self.message = "The peer-to-peer conversation is scheduled."

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def ask_again(self, form_data: dict):
        """Reconsideration within 10 days of the denial; after that, an appeal."""
        information = str(form_data.get("information", ""))[:10000]
        action = review_service.request_reconsideration if self.may_reconsider else review_service.file_appeal
        try:
            await call_service(action, order_number=self.summary.order_number, information=information)
        except (review_service.ActionRefused, OrderNotFound, ValueError) as refused:
            self.error = str(refused) or "This request cannot be made now."
            return
        await self._load(self.summary.order_number)
        self.message = (
            "Reconsideration requested: a physician will review the order again."
            if action is review_service.request_reconsideration
            else "Appeal filed: a different physician will review the order."
        )

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def send_documents(self, form_data: dict):
        """After a denial: the documents uploaded since go to a physician (reconsideration or appeal)."""
        try:
            kind = await call_service(
                supporting_documents.send_documents_for_review,
                order_number=self.summary.order_number,
                note=str(form_data.get("documents_note", ""))[:2000],
            )
        except (review_service.ActionRefused, OrderNotFound) as refused:
            self.error = str(refused) or "This request cannot be made now."
            return
        await self._load(self.summary.order_number)
        self.message = f"The documents were sent to a physician reviewer ({kind})."

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def choose_upload_as(self, value: str):
        self.upload_as = value if value in {c.value for c in self.needed_choices} else ""

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def add_information(self, form_data: dict):
        text = str(form_data.get("clinical_information", ""))[:10000]
        try:
            await call_service(
                order_service.add_clinical_information, order_number=self.summary.order_number, text=text
            )
        except (ValueError, OrderNotFound) as refused:
            self.error = str(refused) if isinstance(refused, ValueError) else "This order cannot be changed."
            return
        self.message = "The clinical information was added to the order."
        await self._load(self.summary.order_number)

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def open_cancel(self, is_open: bool = True):
        self.cancel_open = is_open is True

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def cancel(self, form_data: dict):
        entered_in_error = str(form_data.get("cancel_kind", "")) == "error"
        reason = str(form_data.get("cancel_reason", ""))[:1000]
        try:
            status = await call_service(
                order_service.cancel_order,
                order_number=self.summary.order_number,
                entered_in_error=entered_in_error,
                reason=reason,
            )
        except ValueError as refused:
            self.error = str(refused)
            return
        except OrderNotFound:
            self.error = "This order cannot be changed."
            return
        self.cancel_open, self.message = False, f"The order is now: {status}."
        await self._load(self.summary.order_number)

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def upload_documents(self, files: list[rx.UploadFile]):
        """Store each uploaded file, refusing anything that is not a PDF, PNG, JPEG or TIFF by content."""
        stored, refused = [], []
        for upload in files[:10]:
            content = await upload.read(MAX_UPLOAD_BYTES + 1)
            name = str(upload.name or upload.filename or "document")[:255]
            try:
                await call_service(
                    store_document,
                    order_number=self.summary.order_number,
                    filename=name,
                    content=content,
                    needed_document=self.upload_as,
                )
                stored.append(name)
            except DocumentRefused as problem:
                refused.append(f"{name}: {problem}")
            except OrderNotFound:
                refused.append(f"{name}: this order cannot be changed.")
        await self._load(self.summary.order_number)
        self.error = " ".join(refused)
        self.message = f"Added: {', '.join(stored)}." if stored else ""


# Reused as is: the service's orders.OrderRow holds just what the page shows.
OrderListRow = OrderRow


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


class MyOrdersState(rx.State):
    rows: list[OrderListRow] = []
    total: int = 0
    page: int = 0
    order_number: str = ""
    member: str = ""
    status: str = ""
    submitted_from: str = ""
    submitted_to: str = ""
    drafts: list[Pair] = []

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // order_service.PAGE_SIZE))

    async def _search(self) -> None:
        order_filter = OrderFilter(
            order_number=self.order_number[:20],
            member=self.member[:60],
            status=self.status[:40],
            submitted_from=_parse_date(self.submitted_from),
            submitted_to=_parse_date(self.submitted_to),
        )
        rows, self.total = await call_service(
            order_service.search_my_orders, order_filter=order_filter, page=self.page
        )
        self.rows = list(rows)

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def load_page(self):
        from portal_app.services.order_entry import my_drafts

        self.page = 0
        await self._search()
        drafts = await call_service(my_drafts)
        self.drafts = [
            Pair(f"{program}, {plan} (saved {changed:%Y-%m-%d %H:%M})", str(draft_id))
            for draft_id, program, plan, changed in drafts
        ]

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def apply_filter(self, form_data: dict):
        for name in ("order_number", "member", "status", "submitted_from", "submitted_to"):
            setattr(self, name, str(form_data.get(name, ""))[:60])
        self.page = 0
        await self._search()

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def turn_page(self, delta: int):
        self.page = min(max(0, self.page + as_int(delta)), self.page_count - 1)
        await self._search()


class VerifyState(rx.State):
    checked: bool = False
    found: bool = False
    error: str = ""
    added_message: str = ""
    is_renderer: bool = False  # servicing staff may ask for a procedure added on the same day
    order_number: str = ""
    status: str = ""
    procedures: str = ""
    valid: str = ""
    # The order number the page was opened for (`?order=`, from the home page), filled in the form.
    asked_order: str = ""

    @rx.event
    @authorized(Role.SERVICING_PROVIDER_STAFF, Role.ORDERING_PROVIDER_STAFF)
    async def load_page(self):
        self.checked, self.found, self.error, self.added_message = False, False, "", ""
        self.asked_order = str(page_params(self).get("order", ""))[:24]

    @rx.event
    @authorized(Role.SERVICING_PROVIDER_STAFF, Role.ORDERING_PROVIDER_STAFF)
    async def verify(self, form_data: dict):
        self.checked, self.found, self.error = False, False, ""
        try:
            result = await call_service(
                order_service.verify_order,
                order_number=str(form_data.get("order_number", ""))[:24],
                member_number=str(form_data.get("member_number", ""))[:40],
                birth_date=_parse_date(str(form_data.get("birth_date", ""))[:10]),
                servicing_npi=str(form_data.get("servicing_npi", ""))[:10],
            )
        except RateLimited as refused:
            self.error = refused.message
            return
        self.checked, self.found = True, result.found
        self.added_message = ""
        self.is_renderer = current_actor().role == Role.SERVICING_PROVIDER_STAFF
        self.order_number, self.status, self.procedures, self.valid = (
            result.order_number,
            result.status,
            result.procedures,
            result.valid,
        )

    @rx.event
    @authorized(Role.SERVICING_PROVIDER_STAFF)
    async def add_procedure(self, form_data: dict):
        """A procedure added on the day of the approved one (seed 001): a new order linked to it."""
        from portal_app.services.added_procedures import AddRefused, request_added_procedure

        performed = _parse_date(str(form_data.get("performed_on", ""))[:10])
        if not self.found or performed is None:
            self.error = "Verify the approved order first and give the day the procedure was performed."
            return
        try:
            number = await call_service(
                request_added_procedure,
                order_number=self.order_number,
                code=str(form_data.get("added_code", ""))[:20],
                performed_on=performed,
                clinical_information=str(form_data.get("added_information", ""))[:4000],
            )
        except (AddRefused, OrderNotFound) as refused:
            self.error = str(refused) if isinstance(refused, AddRefused) else "This order cannot be changed."
            return
        self.error = ""
        self.added_message = f"Requested as order {number}; the ordering office has been told."
