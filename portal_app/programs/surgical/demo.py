"""The surgical program in the demo data (read by ``portal_app.services.demo_data`` through the
program registry)."""

from __future__ import annotations

from datetime import date

# (demo plan code, delegated from): the demo plans that delegate the program to the portal.
DELEGATIONS: tuple[tuple[str, date], ...] = (
    ("EVG", date(2026, 1, 1)),
    ("SUM", date(2027, 1, 1)),
)
