"""Row 1: a request is authenticated by the session cookie of that request, on every surface.

The Reflex client token names a tab; it is not a credential. ``/_upload`` with only a victim's
token (no cookie) must not run the handler; an upload with another user's cookie runs as that user,
on a state that no longer holds the victim's order; a websocket event is judged by the cookie of its
own handshake.
"""

from __future__ import annotations

from sqlmodel import func, select

from portal_app.models import Document, Order
from portal_app.state.auth import AuthState
from portal_app.state.orders import OrderSummaryState
from tests.e2e.socket_client import PortalTab
from tests.security.conftest import (
    VICTIM_ORDER_NUMBER,
    VICTIM_PHI,
    signed_in_tab,
    upload,
    victim_with_order_open,
)

UPLOAD_HANDLER = f"{OrderSummaryState.get_full_name()}.upload_documents"


def _documents(portal_db) -> int:
    portal_db.expire_all()
    order = portal_db.exec(select(Order).where(Order.order_number == VICTIM_ORDER_NUMBER)).one()
    return portal_db.exec(
        select(func.count()).select_from(Document).where(Document.order_id == order.id)
    ).one()


def test_an_upload_with_only_the_victims_client_token_is_refused_before_the_handler_runs(
    portal_url, portal_db
):
    victim = victim_with_order_open(portal_url)
    before = _documents(portal_db)
    try:
        status, body = upload(portal_url, token=victim.token, handler=UPLOAD_HANDLER)
    finally:
        victim.close()
    assert status in (401, 403), (status, body[:300])
    assert not VICTIM_PHI.found_in(body)
    assert _documents(portal_db) == before


def test_an_upload_with_a_dead_session_cookie_is_refused(portal_url, portal_db):
    victim = victim_with_order_open(portal_url)
    victim.close()
    before = _documents(portal_db)
    status, body = upload(
        portal_url, token=victim.token, handler=UPLOAD_HANDLER, cookie="precert_session=forged"
    )
    assert status in (401, 403), (status, body[:300])
    assert _documents(portal_db) == before


def test_an_upload_with_another_users_cookie_runs_as_that_user_on_an_emptied_state(portal_url, portal_db):
    victim = victim_with_order_open(portal_url)
    victim.close()
    other_practice = signed_in_tab(portal_url, "ordering2")
    other_practice.close()
    before = _documents(portal_db)
    status, body = upload(
        portal_url, token=victim.token, handler=UPLOAD_HANDLER, cookie=other_practice.cookie
    )
    assert status == 200, (status, body[:300])
    assert not VICTIM_PHI.found_in(body), body[:500]
    assert _documents(portal_db) == before


def test_the_owner_uploads_with_the_cookie_of_the_upload_request(portal_url, portal_db):
    victim = victim_with_order_open(portal_url)
    before = _documents(portal_db)
    try:
        status, body = upload(portal_url, token=victim.token, handler=UPLOAD_HANDLER, cookie=victim.cookie)
    finally:
        victim.close()
    assert status == 200, (status, body[:300])
    assert "Added: letter.pdf" in body
    assert _documents(portal_db) == before + 1


def test_a_websocket_event_is_judged_by_the_cookie_of_its_own_connection(portal_url):
    victim = victim_with_order_open(portal_url)
    victim.close()
    # The same tab token, a new websocket without the cookie: nobody is signed in.
    attacker = PortalTab(portal_url, token=victim.token).connect()
    try:
        answers = attacker.call(
            f"{OrderSummaryState.get_full_name()}.load_order",
            {"order_number": VICTIM_ORDER_NUMBER},
            path=f"/orders/{VICTIM_ORDER_NUMBER}",
        )
        attacker.settle()
        who = attacker.call(f"{AuthState.get_full_name()}.stay_signed_in", {}, path="/")
    finally:
        attacker.close()
    assert not VICTIM_PHI.found_in(str(answers) + str(who) + str(attacker.state))
    assert attacker.var(AuthState.get_full_name(), "display_name", "") == ""
