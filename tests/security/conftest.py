"""Security suite: attacks on the running production build over its websocket and HTTP.

The portal (``portal``, ``base_url``, ``portal_db``) comes from tests/servers.py. Helpers here
sign the demo accounts in as a browser tab would, upload as the browser does, and name the PHI
(the demo members' names, member IDs and birth dates) that no answer to an attacker may carry.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import pytest

from portal_app.services.demo_cases import DEMO_ORDERS, demo_order_number
from portal_app.services.demo_data import DEMO_ACCOUNTS, member_rows
from portal_app.state.orders import OrderSummaryState
from tests.e2e.socket_client import PortalTab

ACCOUNTS = {account.username: account for account in DEMO_ACCOUNTS}
VICTIM_ORDER = DEMO_ORDERS[0]  # ordering@'s practice
VICTIM_ORDER_NUMBER = demo_order_number(VICTIM_ORDER)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Phi:
    """What identifies one demo member, in the forms the portal shows it."""

    member_number: str
    first_name: str
    last_name: str
    birth_dates: tuple[str, ...]

    def found_in(self, text: str) -> list[str]:
        marks = (self.member_number, f"{self.first_name} {self.last_name}", *self.birth_dates)
        return [mark for mark in marks if mark in text]


def member_phi(member_number: str) -> Phi:
    row = next(r for r in member_rows() if r["member_number"] == member_number)
    born = row["date_of_birth"]
    return Phi(
        member_number=member_number,
        first_name=row["first_name"],
        last_name=row["last_name"],
        birth_dates=(born.isoformat(), f"{born:%m/%d/%Y}"),
    )


def all_member_phi() -> list[Phi]:
    return [member_phi(row["member_number"]) for row in member_rows()]


VICTIM_PHI = member_phi(VICTIM_ORDER.member_number)


def signed_in_tab(base_url: str, username: str, *, next_path: str = "/") -> PortalTab:
    """A tab of ``username``'s browser, signed in through the form and /auth/finish."""
    account = ACCOUNTS[username]
    return PortalTab(base_url).sign_in(account.email, account.password, next_path=next_path)


def victim_with_order_open(base_url: str, order_number: str = VICTIM_ORDER_NUMBER) -> PortalTab:
    """The ordering office, signed in, with its order (and its member's PHI) on screen."""
    tab = signed_in_tab(base_url, "ordering")
    tab.open_page(f"/orders/{order_number}", {"order_number": order_number})
    tab.settle()
    shown = str(tab.state.get(OrderSummaryState.get_full_name(), {}))
    assert VICTIM_PHI.found_in(shown), "the order page should show its member (test premise)"
    return tab


def upload(base_url: str, *, token: str, handler: str, cookie: str = "", content: bytes = PDF):
    """POST /_upload as the browser's upload component does; returns (status, body)."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="letter.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "reflex-client-token": token,
        "reflex-event-handler": handler,
        "Origin": base_url,
    }
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(f"{base_url}/_upload", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode(errors="replace")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(errors="replace")


@pytest.fixture
def server_log(portal):
    """What the portal logs from now on: ``server_log()`` returns it."""
    path = portal["log"]
    start = path.stat().st_size

    def read() -> str:
        with path.open(errors="replace") as log:
            log.seek(start)
            return log.read()

    return read


@pytest.fixture(scope="session")
def portal_url(portal) -> str:
    return portal["url"]


@pytest.fixture(scope="module")
def fresh_victim_order(portal) -> str:
    """A pended order (documents may be added) of the victim's practice for the victim's member that
    no other test has touched: the browser suite shares the database and cancels the demo order."""
    from sqlmodel import Session

    from portal_app.db import make_engine
    from portal_app.services.order_submission import submit_order
    from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order

    engine = make_engine(portal["db_url"])
    try:
        with Session(engine, expire_on_commit=False) as session:
            office = actor_for(session, "ordering")
            order_id = draft_order(
                session, office, member=VICTIM_ORDER.member_number, details=PENDING_LOW_BACK
            )
            result = submit_order(
                session, actor=office, order_id=order_id, today=TODAY, duplicates_acknowledged=True
            )
    finally:
        engine.dispose()
    assert result.submitted, result.problems
    return result.order_number
