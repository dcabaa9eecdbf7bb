"""The conversation after a request pends: the office's notices, its peer-to-peer, live review and
call back requests on the order summary, and the physician's calls and availability on the queue."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import reflex as rx

from portal_app import clock
from portal_app.domain.enums import Role
from portal_app.services import conversation as conversation_service
from portal_app.services import notices as notice_service
from portal_app.services.authz import PermissionDenied
from portal_app.services.conversation import AttentionRow, CallRequest
from portal_app.services.notices import NoticeRow
from portal_app.services.orders import OrderNotFound
from portal_app.services.review import ActionRefused
from portal_app.state.auth import authorized, call_service, current_actor
from portal_app.state.navigation import page_params
from portal_app.state.validation import as_int

REVIEWERS = (Role.NURSE_REVIEWER, Role.PHYSICIAN_REVIEWER)
# Reused as they are: the services' rows hold just what the pages show.
NoticeLine = NoticeRow
CallLine = CallRequest
AttentionLine = AttentionRow


# A (value, label) choice for a radio list (UI only).
@dataclass
class Choice:
    value: str
    label: str


def _moment(text: str) -> datetime | None:
    """A datetime-local field's value (UTC), or None."""
    try:
        moment = datetime.fromisoformat(str(text or "")[:16])
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def suggested_times(count: int = 3) -> list[str]:
    """Times to suggest in datetime-local fields, from the clock when the page is shown (never when the
    app is built): 15:00 UTC on each of the next ``count`` days."""
    start = clock.now()
    times = []
    for days_ahead in range(1, count + 1):
        moment = (start + timedelta(days=days_ahead)).replace(hour=15, minute=0, second=0, microsecond=0)
        times.append(moment.strftime("%Y-%m-%dT%H:%M"))
    return times


class NoticeState(rx.State):
    """Unread notices of the signed-in user: all of them on the home page, an order's on its page."""

    notices: list[NoticeLine] = []

    async def _load(self) -> None:
        number = str(page_params(self).get("order_number", ""))[:20]
        self.notices = list(await call_service(notice_service.list_notices, order_number=number))

    @rx.event
    @authorized()
    async def load_notices(self):
        await self._load()

    @rx.event
    @authorized()
    async def mark_read(self, notice_id: int):
        with contextlib.suppress(notice_service.NoticeNotFound):
            await call_service(notice_service.mark_read, notice_id=as_int(notice_id))
        await self._load()


class OfficeCallState(rx.State):
    """The order summary's peer-to-peer, live review and call back section (ordering offices)."""

    order_number: str = ""
    shown: bool = False
    may_request: bool = False
    mode: str = ""
    physician_free_now: bool = False
    calls: list[str] = []
    published: list[Choice] = []
    waiting_for_office: str = ""
    may_ask_live_review: bool = False
    live_review_asked: bool = False
    call_back_asked: bool = False
    proposal_defaults: list[str] = ["", "", ""]
    error: str = ""
    message: str = ""

    async def _refresh(self) -> None:
        try:
            options = await call_service(
                conversation_service.office_call_options, order_number=self.order_number
            )
        except (OrderNotFound, PermissionDenied):
            self.shown = False
            return
        self.shown = True
        self.may_request, self.mode = options.may_request, options.mode
        self.physician_free_now, self.calls = options.physician_free_now, list(options.calls)
        self.published = [Choice(str(i), label) for i, label in options.published]
        self.waiting_for_office = options.waiting_for_office
        self.may_ask_live_review = options.may_ask_live_review
        self.live_review_asked, self.call_back_asked = options.live_review_asked, options.call_back_asked

    @rx.event
    @authorized()
    async def load_page(self):
        """On the order summary: only an ordering office has this section (others see nothing)."""
        self.error = self.message = ""
        self.shown = False
        self.order_number = str(page_params(self).get("order_number", ""))[:20]
        if current_actor().role != Role.ORDERING_PROVIDER_STAFF:
            return
        self.proposal_defaults = suggested_times()
        await self._refresh()

    async def _request(self, success: str, **kwargs) -> None:
        self.error = self.message = ""
        try:
            await call_service(
                conversation_service.request_peer_to_peer, order_number=self.order_number, **kwargs
            )
        except (ActionRefused, OrderNotFound) as refused:
            self.error = str(refused) or "This request cannot be made now."
            await self._refresh()
            return
        self.message = success
        await self._refresh()

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def call_now(self, form_data: dict):
        await self._request(
            "A physician reviewer is being called and will ring the number you gave shortly.",
            callback_phone=str(form_data.get("call_phone", ""))[:32],
        )

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def propose_times(self, form_data: dict):
        times = [t for t in (_moment(form_data.get(f"proposed_{i}", "")) for i in (1, 2, 3)) if t is not None]
        await self._request(
            "Your times are proposed; a physician reviewer will accept one and you will be told.",
            callback_phone=str(form_data.get("proposed_phone", ""))[:32],
            proposed_times=times,
        )

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def take_published(self, form_data: dict):
        await self._request(
            "The peer-to-peer call is scheduled at the time you chose.",
            callback_phone=str(form_data.get("published_phone", ""))[:32],
            published_id=as_int(form_data.get("published_id", "")),
        )

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def ask_live_review(self, form_data: dict):
        self.error = self.message = ""
        try:
            returning = date.fromisoformat(str(form_data.get("returning_on", ""))[:10])
        except ValueError:
            returning = None
        try:
            await call_service(
                conversation_service.ask_live_review,
                order_number=self.order_number,
                returning_on=returning,
                reason=str(form_data.get("live_reason", ""))[:400],
            )
        except (ActionRefused, OrderNotFound) as refused:
            self.error = str(refused) or "A live review cannot be asked for now."
            return
        self.message = "A live review is asked for: the case is at the top of the reviewers' queue."
        await self._refresh()

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def ask_call_back(self):
        self.error = self.message = ""
        try:
            await call_service(conversation_service.ask_call_back, order_number=self.order_number)
        except (ActionRefused, OrderNotFound) as refused:
            self.error = str(refused) or "A call back cannot be asked for now."
            return
        self.message = "You will be alerted here and by e-mail when the review is done."
        await self._refresh()


class PhysicianCallsState(rx.State):
    """The top of the review queue: live reviews asked for, and for physicians the peer-to-peer
    calls waiting, their "available now" toggle and the times they publish."""

    attention: list[AttentionLine] = []
    calls: list[CallLine] = []
    is_physician: bool = False
    available_now: bool = False
    specialty: str = ""
    publish_default: str = ""
    error: str = ""
    message: str = ""

    async def _refresh(self) -> None:
        queue = "physician" if self.is_physician else "nurse"
        self.attention = list(await call_service(conversation_service.attention_rows, queue=queue))
        if self.is_physician:
            self.calls = list(await call_service(conversation_service.call_requests))
            settings = await call_service(conversation_service.reviewer_settings)
            self.available_now, self.specialty = settings.available_now, settings.specialty_label

    @rx.event
    @authorized(*REVIEWERS)
    async def load_page(self):
        self.error = self.message = ""
        self.is_physician = current_actor().role == Role.PHYSICIAN_REVIEWER
        self.publish_default = suggested_times(1)[0]
        self.calls = []
        await self._refresh()

    @rx.event
    @authorized(Role.PHYSICIAN_REVIEWER)
    async def change_availability(self, available: bool):
        await call_service(conversation_service.set_available_now, available=available is True)
        self.message = (
            "You are available for immediate peer-to-peer calls."
            if available is True
            else "You no longer take immediate calls."
        )
        await self._refresh()

    @rx.event
    @authorized(Role.PHYSICIAN_REVIEWER)
    async def publish(self, form_data: dict):
        self.error = self.message = ""
        moment = _moment(form_data.get("publish_at", ""))
        try:
            if moment is None:
                raise ActionRefused("Give the date and time you are free for a call.")
            await call_service(conversation_service.publish_time, starts_at=moment)
        except ActionRefused as refused:
            self.error = str(refused)
            return
        self.message = "The time is published; an office may take it for a scheduled call."

    @rx.event
    @authorized(Role.PHYSICIAN_REVIEWER)
    async def accept(self, appointment_id: int):
        self.error = self.message = ""
        try:
            await call_service(
                conversation_service.accept_proposed_time, appointment_id=as_int(appointment_id)
            )
        except ActionRefused as refused:
            self.error = str(refused)
        else:
            self.message = "The call is scheduled with you; the office is told."
        await self._refresh()


__all__ = ["Choice", "NoticeState", "OfficeCallState", "PhysicianCallsState", "suggested_times"]
