"""The cardiology program in the demo data (read by ``portal_app.services.demo_data`` through the
program registry)."""

from __future__ import annotations

from datetime import date

# (demo plan code, delegated from): the demo plans that delegate the program to the portal.
DELEGATIONS: tuple[tuple[str, date], ...] = (("LKS", date(2026, 1, 1)),)

# (demo plan code, service group, line of business or "" for all, routed from, source): groups of services a
# demo plan sends to this program rather than to their usual one (program_routings;
# services/program_routing.py).
ROUTINGS: tuple[tuple[str, str, str, date, str], ...] = (
    (
        "LKS",
        "echocardiography",
        "",
        date(2027, 1, 1),
        "Demo plan configuration: Lakeshore adds echocardiography in 2027 and delegates it to the cardiology "
        "program, not imaging "
        "(shared/seeds/001: echo may be in the Cardiology Solution's scope for plans that have it)",
    ),
)
