"""The imaging program in the demo data (read by ``portal_app.services.demo_data``
through the program registry)."""

from __future__ import annotations

from datetime import date

# (demo plan code, delegated from): the demo plans that delegate the program to the portal.
DELEGATIONS: tuple[tuple[str, date], ...] = (
    ("EVG", date(2024, 1, 1)),
    ("LKS", date(2024, 1, 1)),
    ("RVB", date(2025, 1, 1)),
)

# (demo plan code, service group, line of business or "" for all, routed from, source), as in
# cardiology/demo.py: a routing for one line of business wins over the plan's all-lines routing.
ROUTINGS: tuple[tuple[str, str, str, date, str], ...] = (
    (
        "LKS",
        "echocardiography",
        "medicaid",
        date(2027, 1, 1),
        "Demo plan configuration: Lakeshore routes echocardiography to cardiology from 2027 except for its "
        "Medicaid members, whose echo stays with the imaging program (issue 20: a plan's delegation may "
        "differ per line of business)",
    ),
)
