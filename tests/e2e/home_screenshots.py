"""Screenshots of each role's home page at 1366 px and 390 px into docs/screenshots/ (`make screenshots`).

Not part of the browser suite (the name does not start with ``test_``): run it by name,
``python -m pytest tests/e2e/home_screenshots.py``. It starts the portal on fresh demo data the way
the suite does (tests/e2e/conftest.py), gives the office one decided request, and writes
``home-<username>-<width>.png`` for every demo account.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from portal_app.services import review
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.order_submission import submit_order
from tests.e2e.pages.portal import sign_in_reusing_session
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {1366: 900, 390: 844}  # width: height
ROLES_SHOWN = ("ordering", "servicing", "nurse", "physician", "support", "facility")


def _a_decided_request(db) -> None:
    office, nurse = actor_for(db, "ordering"), actor_for(db, "nurse")
    order_id = draft_order(db, office, member="EVG100000160", details=PENDING_LOW_BACK)
    number = submit_order(
        db, actor=office, order_id=order_id, today=TODAY, duplicates_acknowledged=True
    ).order_number
    version = review.open_case(db, actor=nurse, order_number=number).version
    review.approve_line(db, actor=nurse, order_number=number, line_number=1, version=version)


def test_take_the_home_page_screenshots(page: Page, portal_db):
    _a_decided_request(portal_db)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for account in (a for a in DEMO_ACCOUNTS if a.username in ROLES_SHOWN):
        page.set_viewport_size({"width": 1366, "height": 900})  # the sign-in helper reads the wide header
        sign_in_reusing_session(page, account.email, account.password, name=account.full_name)
        for width, height in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto("/")
            expect(page.get_by_role("heading", name="Your work", level=1)).to_be_visible()
            expect(page.get_by_role("main").get_by_role("region").first).to_be_visible()
            path = SCREENSHOTS / f"home-{account.username}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 0
