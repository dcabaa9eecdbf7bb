"""The order summary page."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import reflex as rx

from portal_app.db import session_scope
from portal_app.services.orders import OrderNotFound, get_order_summary
from portal_app.state.auth import authorized, current_actor


@dataclass
class LineRow:
    line_number: int
    code: str
    description: str
    decision: str


@dataclass
class SummaryView:
    order_number: str = ""
    status: str = ""
    program: str = ""
    plan_name: str = ""
    member_name: str = ""
    member_number: str = ""
    member_birth_date: str = ""
    urgency: str = ""
    service_start: str = ""


class OrderSummaryState(rx.State):
    summary: SummaryView = SummaryView()
    lines: list[LineRow] = []
    found: bool = False
    error: str = ""

    @rx.event
    @authorized()
    async def load_order(self, order_number: str = ""):
        """Load the order in the URL (or the one named), if this user may read it."""
        number = str(order_number or self.router.page.params.get("order_number", ""))[:20]
        actor = current_actor()

        def _load():
            with session_scope() as session:
                return get_order_summary(session, actor=actor, order_number=number)

        try:
            summary = await rx.run_in_thread(_load)
        except OrderNotFound:
            self.summary, self.lines, self.found = SummaryView(), [], False
            self.error = "No order with that number is available to you."
            return
        data = asdict(summary)
        self.lines = [LineRow(**line) for line in data.pop("lines")]
        self.summary, self.found, self.error = SummaryView(**data), True, ""
