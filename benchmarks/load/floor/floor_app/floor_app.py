"""The framework floor: a bare Reflex app with a wizard-sized state and handlers that do nothing
but set what they are given, served exactly as the portal is (``benchmarks/load/run.py``).

What the portal costs per event *beyond this* is the portal's own doing: its session checks,
database work, rules and the size of what it sends back.
"""

from __future__ import annotations

import reflex as rx

# About the size of the wizard's state: some forty fields and two option lists on screen.
FIELDS = [f"field_{n:02d}" for n in range(40)]
OPTIONS = [{"value": str(n), "label": f"Option {n}", "in_network": n % 2 == 0} for n in range(20)]


class FloorState(rx.State):
    step: int = 0
    values: dict[str, str] = dict.fromkeys(FIELDS, "")
    checks: dict[str, bool] = {}
    plan_options: list[dict] = OPTIONS
    program_options: list[dict] = OPTIONS
    errors: dict[str, str] = {}

    @rx.event
    def update_field(self, field: str, value: str):
        self.values[field] = value

    @rx.event
    def toggle(self, field: str, checked: bool):
        self.checks[field] = checked

    @rx.event
    def next_step(self):
        self.step += 1


def index() -> rx.Component:
    return rx.text(FloorState.step)


app = rx.App()
app.add_page(index, route="/orders/new")
