"""The case page's panel for issue 24: whether the ordering provider is exempt (gold card) and why,
the decision clock rule that applies, and extending the decision time where the rule allows."""

from __future__ import annotations

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.services import decision_clocks, gold_card
from portal_app.services.authz import PermissionDenied
from portal_app.services.orders import OrderNotFound
from portal_app.state.auth import authorized, call_service
from portal_app.state.navigation import page_params
from portal_app.state.review import REVIEWERS
from portal_app.state.validation import as_int


class CaseComplianceState(rx.State):
    order_number: str = ""
    exemption: str = ""
    clock_rule: str = ""
    due_at: str = ""
    extended_due_at: str = ""
    extension_reason: str = ""
    extension_days_allowed: int = 0
    extendable: bool = False
    # A gold-card exemption in force that a physician may rescind from here (0: none).
    exemption_id: int = 0
    error: str = ""
    message: str = ""

    async def _load(self, number: str) -> None:
        self.order_number = number
        try:
            self.exemption, self.exemption_id = await call_service(
                gold_card.case_exemption_detail, order_number=number
            )
            view = await call_service(decision_clocks.case_clock, order_number=number)
        except (OrderNotFound, PermissionDenied):
            self.exemption, self.exemption_id, view = "", 0, None
        if view is None:
            self.clock_rule = self.due_at = self.extended_due_at = self.extension_reason = ""
            self.extension_days_allowed, self.extendable = 0, False
            return
        self.clock_rule, self.due_at = view.rule, view.due_at
        self.extended_due_at, self.extension_reason = view.extended_due_at, view.extension_reason
        self.extension_days_allowed, self.extendable = view.extension_days_allowed, view.extendable

    @rx.event
    @authorized(*REVIEWERS)
    async def load_page(self):
        self.error = self.message = ""
        await self._load(str(page_params(self).get("order_number", ""))[:20])

    @rx.event
    @authorized(*REVIEWERS)
    async def extend(self, form_data: dict):
        self.error = self.message = ""
        days = as_int(form_data.get("days", ""))
        reason = str(form_data.get("reason", ""))[:2000]
        try:
            view = await call_service(
                decision_clocks.extend_review, order_number=self.order_number, days=days, reason=reason
            )
        except decision_clocks.ExtensionRefused as refused:
            self.error = str(refused)
            return
        except (OrderNotFound, PermissionDenied):
            self.error = "No case with that order number is available to you."
            return
        self.message = (
            f"Decision time extended to {view.extended_due_at}. The extension notice was sent to the office "
            "and the member."
        )
        await self._load(self.order_number)

    @rx.event
    @authorized(Role.PHYSICIAN_REVIEWER)
    async def rescind(self, form_data: dict):
        """Rescind the ordering provider's exemption after a retrospective review of a claim sample."""
        self.error = self.message = ""
        try:
            exemption = await call_service(
                gold_card.rescind_exemption,
                exemption_id=self.exemption_id,
                sample_size=as_int(form_data.get("sample_size", "")),
                sample_met=as_int(form_data.get("sample_met", "")),
                reason=str(form_data.get("reason", ""))[:2000],
            )
        except gold_card.RescissionRefused as refused:
            self.error = str(refused)
            return
        except PermissionDenied:
            self.error = "Only a physician reviewer may rescind an exemption."
            return
        self.message = (
            f"The exemption is rescinded from {exemption.effective_until}; the practice has been notified."
        )
        await self._load(self.order_number)
