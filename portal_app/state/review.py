"""Reviewer pages: the queues, the case view with its actions, the dashboard."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

import reflex as rx

from portal_app import clock, routes
from portal_app.domain import conversation as conversation_rules
from portal_app.domain.enums import Role
from portal_app.services import review as review_service
from portal_app.services.authz import PermissionDenied
from portal_app.services.directory import plan_choices
from portal_app.services.orders import OrderNotFound
from portal_app.services.review import ActionRefused, QueueFilter, QueueRow, StaleCase
from portal_app.services.withdrawals import withdraw_duplicate
from portal_app.state.auth import authorized, call_public, call_service, current_actor
from portal_app.state.navigation import page_params
from portal_app.state.validation import as_int

REVIEWERS = (Role.NURSE_REVIEWER, Role.PHYSICIAN_REVIEWER)
PAGE_SIZE = 25
# What the case page says while an action is saved; a decision on a line also writes the letters.
DECISION_SAVING_TEXT = "Saving the decision and writing the letters…"
SAVING_TEXTS = {
    "approve": DECISION_SAVING_TEXT,
    "deny": DECISION_SAVING_TEXT,
    "partially_approve": DECISION_SAVING_TEXT,
}
OTHER_SAVING_TEXT = "Saving…"


# Reused as is: the service's review.QueueRow holds just what the page shows.
QueueLine = QueueRow


# A select's value and label (UI only).
@dataclass
class PlanOption:
    value: str
    label: str


class ReviewQueueState(rx.State):
    queue: str = "nurse"
    rows: list[QueueLine] = []
    total: int = 0
    page: int = 0
    sort: str = "due"
    program: str = ""
    plan_id: str = ""
    urgency: str = ""
    status: str = ""
    assignee: str = ""
    plans: list[PlanOption] = []
    error: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    async def _search(self) -> None:
        queue_filter = QueueFilter(
            program=self.program[:40],
            plan_id=as_int(self.plan_id),
            urgency=self.urgency[:20],
            status=self.status[:20],
            assignee=self.assignee[:20],
        )
        rows, self.total = await call_service(
            review_service.list_queue,
            queue=self.queue,
            queue_filter=queue_filter,
            sort=self.sort,
            page=self.page,
            page_size=PAGE_SIZE,
        )
        self.rows = list(rows)

    @rx.event
    @authorized(*REVIEWERS)
    async def load_page(self):
        self.queue = "physician" if current_actor().role == Role.PHYSICIAN_REVIEWER else "nurse"
        # The position in the queue is in the address (/review?page=2&sort=-due): it survives a reload,
        # a reconnect and another worker.
        params = page_params(self)
        self.page, self.error = max(0, as_int(params.get("page", "")) - 1), ""
        self.sort = "-due" if params.get("sort") == "-due" else "due"
        self.plans = [PlanOption(str(pid), name) for pid, name in await call_public(plan_choices)]
        await self._search()

    @rx.event
    @authorized(*REVIEWERS)
    async def choose_queue(self, queue: str):
        if queue in {"nurse", "physician"}:
            self.queue, self.page = queue, 0
            await self._search()

    @rx.event
    @authorized(*REVIEWERS)
    async def apply_filter(self, form_data: dict):
        self.program = str(form_data.get("program", ""))
        self.plan_id = str(as_int(form_data.get("plan_id", ""))) if form_data.get("plan_id") else ""
        self.urgency = str(form_data.get("urgency", ""))
        self.status = str(form_data.get("status", ""))
        self.assignee = str(form_data.get("assignee", ""))
        self.sort = "-due" if form_data.get("sort") == "-due" else "due"
        self.page = 0
        if self._address_shows_position():
            await self._search()
            return None
        # A late redirect would pull back a reviewer who has already opened a case: only when the
        # address must change (another page or order) does the filter go through the address.
        return rx.redirect(self._address(), replace=True)

    @rx.event
    @authorized(*REVIEWERS)
    async def turn_page(self, delta: int):
        self.page = min(max(0, self.page + as_int(delta)), self.page_count - 1)
        return rx.redirect(self._address(), replace=True)

    def _address_shows_position(self) -> bool:
        """Whether this tab's address already says the current page and order (none means the first)."""
        params = page_params(self)
        same_page = as_int(params.get("page", "") or "1") == self.page + 1
        return same_page and params.get("sort", "due") == self.sort

    def _address(self) -> str:
        return f"{routes.REVIEW_QUEUE}?page={self.page + 1}&sort={self.sort}"

    @rx.event
    @authorized(*REVIEWERS)
    async def claim(self, task_id: int, order_number: str):
        try:
            await call_service(review_service.claim_task, task_id=as_int(task_id))
        except (ActionRefused, PermissionDenied) as refused:
            self.error = str(refused) or "This case cannot be claimed."
            await self._search()
            return None
        return rx.redirect(routes.review_case(str(order_number)[:20]))


# rules.CriterionResult with met as text for display.
@dataclass
class CriterionLine:
    criterion_id: str
    text: str
    citation: str
    met: str


# review.CaseLine with its criteria as CriterionLine dataclasses (Reflex cannot type tuples of tuples).
@dataclass
class CaseLineView:
    line_id: int
    line_number: int
    code: str
    description: str
    decision: str
    reason: str
    citation: str
    valid_until: str
    criteria: list[CriterionLine]
    guideline_version: str = ""


# A (key, value) pair, as a dataclass for rx.foreach.
@dataclass
class Entry:
    key: str
    value: str


# review.CaseView without its lines and lists, with defaults for the empty page.
@dataclass
class CaseHeader:
    order_number: str = ""
    version: int = 0
    status: str = ""
    program: str = ""
    plan_name: str = ""
    urgency: str = ""
    urgency_reason: str = ""
    member_name: str = ""
    member_number: str = ""
    member_birth_date: str = ""
    service_start: str = ""
    submitted_at: str = ""
    ordering_provider: str = ""
    servicing: str = ""
    task_id: int = 0
    task_queue: str = ""
    task_kind: str = ""
    task_assignee: str = ""
    due_at: str = ""
    p2p_offered: bool = False
    flag: str = ""
    flag_note: str = ""
    waiting_for_office: str = ""
    no_response_reason: bool = False
    duplicate_of: str = ""


class CaseState(rx.State):
    case: CaseHeader = CaseHeader()
    details: list[Entry] = []
    diagnoses: list[str] = []
    lines: list[CaseLineView] = []
    documents: list[Entry] = []
    # The listed documents (services/supporting_documents.py): document -> "Received: ..." / "Not received".
    documents_needed: list[Entry] = []
    earlier_orders: list[str] = []
    level_of_care: list[str] = []
    notes: list[str] = []
    history: list[str] = []
    peer_to_peer: list[Entry] = []
    actions: list[str] = []
    found: bool = False
    error: str = ""
    message: str = ""
    # the open action form
    action: str = ""
    line_number: int = 0
    # while the open action is being saved: what the page says meanwhile ("" when idle)
    saving: str = ""
    # the times the peer-to-peer offer suggests, from the clock when the page is shown
    slot_defaults: list[str] = ["", "", ""]

    @rx.var
    def can(self) -> dict[str, bool]:
        return {
            name: name in self.actions
            for name in (
                "claim",
                "approve",
                "request_information",
                "escalate",
                "deny",
                "partially_approve",
                "offer_peer_to_peer",
                "record_peer_to_peer",
                "withdraw_duplicate",
            )
        }

    @rx.var
    def reason_choices(self) -> list[Entry]:
        line = next((ln for ln in self.lines if ln.line_number == self.line_number), None)
        choices = [
            Entry(c.criterion_id, f"{c.criterion_id}: {c.text}") for c in (line.criteria if line else [])
        ]
        if self.case.no_response_reason:
            choices.append(Entry(conversation_rules.NO_RESPONSE_REASON, conversation_rules.NO_RESPONSE_TEXT))
        return [*choices, Entry("other", "Other (explain below)")]

    async def _load(self, number: str) -> None:
        try:
            view = await call_service(review_service.open_case, order_number=number)
        except (OrderNotFound, PermissionDenied):
            self.found, self.error = False, "No case with that order number is available to you."
            return
        data = asdict(view)
        self.lines = [
            CaseLineView(**{**line, "criteria": [CriterionLine(*c) for c in line["criteria"]]})
            for line in data.pop("lines")
        ]
        self.details = [Entry(k, v) for k, v in data.pop("details")]
        self.documents = [Entry(str(i), label) for i, label in data.pop("documents")]
        self.documents_needed = [Entry(label, status) for label, status in data.pop("documents_needed")]
        self.peer_to_peer = [
            Entry(str(i), f"{when} — {status}") for i, when, status in data.pop("peer_to_peer")
        ]
        self.diagnoses, self.earlier_orders = list(data.pop("diagnoses")), list(data.pop("earlier_orders"))
        self.level_of_care = list(data.pop("level_of_care"))
        self.notes, self.history, self.actions = (
            list(data.pop("notes")),
            list(data.pop("history")),
            list(data.pop("actions")),
        )
        self.case, self.found = CaseHeader(**data), True

    @rx.event
    @authorized(*REVIEWERS)
    async def load_page(self):
        self.error = self.message = self.action = ""
        self.slot_defaults = [default_slot(days) for days in (1, 2, 3)]
        await self._load(str(page_params(self).get("order_number", ""))[:20])

    @rx.event
    @authorized(*REVIEWERS)
    async def open_action(self, action: str, line_number: int = 0):
        if action in self.actions or action == "":
            self.action, self.line_number, self.error = action, as_int(line_number), ""

    async def _act(self, fn, success: str, **kwargs) -> None:
        try:
            await call_service(fn, order_number=self.case.order_number, **kwargs)
        except StaleCase as stale:
            self.error = str(stale)
            return
        except (ActionRefused, PermissionDenied, ValueError) as refused:
            self.error = str(refused) or "That action is not allowed for your role."
            return
        self.action, self.error, self.message = "", "", success
        await self._load(self.case.order_number)

    @rx.event
    @authorized(*REVIEWERS)
    async def claim(self):
        try:
            await call_service(review_service.claim_task, task_id=self.case.task_id)
        except (ActionRefused, PermissionDenied) as refused:
            self.error = str(refused)
            return
        self.message = "You have claimed this case."
        await self._load(self.case.order_number)

    @rx.event
    @authorized(*REVIEWERS)
    async def submit_action(self, form_data: dict):
        """Carry out the open action form, showing progress meanwhile: a decision also renders the
        letters, which takes a moment (in a thread, so the page and other users are not held up)."""
        if self.saving:
            return
        self.saving = SAVING_TEXTS.get(self.action, OTHER_SAVING_TEXT)
        yield
        try:
            await self._carry_out(form_data)
        finally:
            self.saving = ""

    async def _carry_out(self, form_data: dict) -> None:
        """The open action; the case's version guards against a stale decision."""
        text = str(form_data.get("text", ""))[:4000]
        version, line = self.case.version, self.line_number
        if self.action == "approve":
            await self._act(
                review_service.approve_line, "Line approved.", line_number=line, version=version, note=text
            )
        elif self.action == "request_information":
            await self._act(
                review_service.request_information,
                "Information requested from the provider.",
                version=version,
                message=text,
            )
        elif self.action == "escalate":
            await self._act(
                review_service.escalate, "Sent to the physician queue.", version=version, note=text
            )
        elif self.action == "deny":
            await self._act(
                review_service.deny_line,
                "Line denied.",
                line_number=line,
                version=version,
                reason_code=str(form_data.get("reason_code", ""))[:40],
                text=text,
            )
        elif self.action == "partially_approve":
            await self._act(
                review_service.partially_approve_line,
                "Line partially approved.",
                line_number=line,
                version=version,
                approved_quantity=as_int(form_data.get("approved_quantity", "")),
                reason_code=str(form_data.get("reason_code", ""))[:40],
                text=text,
            )
        elif self.action == "withdraw_duplicate":
            await self._act(
                withdraw_duplicate, "The case was withdrawn as a duplicate.", version=version, note=text
            )
        elif self.action == "offer_peer_to_peer":
            slots = _parse_slots(form_data)
            if not slots:
                self.error = "Offer at least one time slot in the future."
                return
            await self._act(
                review_service.offer_peer_to_peer, "Peer-to-peer times offered to the provider.", slots=slots
            )
        elif self.action == "record_peer_to_peer":
            appointment = as_int(form_data.get("appointment_id", ""))
            try:
                await call_service(
                    review_service.record_peer_to_peer_outcome,
                    appointment_id=appointment,
                    outcome=text,
                    held=str(form_data.get("held", "yes")) != "no",
                )
            except (ActionRefused, PermissionDenied, ValueError) as refused:
                self.error = str(refused)
                return
            self.action, self.message = "", "Peer-to-peer outcome recorded."
            await self._load(self.case.order_number)


def _parse_slots(form_data: dict) -> list[datetime]:
    slots = []
    for key in ("slot_1", "slot_2", "slot_3"):
        try:
            moment = datetime.fromisoformat(str(form_data.get(key, "")))
        except ValueError:
            continue
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        if moment > clock.now():
            slots.append(moment)
    return slots


def default_slot(days_ahead: int) -> str:
    moment = (clock.now() + timedelta(days=days_ahead)).replace(hour=15, minute=0, second=0, microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M")


__all__ = ["CaseState", "ReviewQueueState", "date"]
