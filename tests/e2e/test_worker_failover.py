"""A backend worker dies under a signed-in user: another worker carries on.

The portal runs as in production (`make serve-prod`): two granian workers sharing Reflex state
through Redis, on PostgreSQL. Each test opens the portal over its own websocket protocol the way
a browser tab does, finds the worker process holding that tab's connection, SIGKILLs it (a crash:
nothing is cleaned up), and reconnects the tab as the browser does (same tab token, same cookie,
hydrating the address it shows). Granian replaces the dead worker meanwhile.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from portal_app.db import make_engine
from portal_app.models import Order
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.state.auth import AuthState
from portal_app.state.order_wizard import OrderWizardState
from portal_app.state.review import ReviewQueueState
from tests.e2e.socket_client import PortalTab

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
NURSE = next(a for a in DEMO_ACCOUNTS if a.username == "nurse")
AUTH, WIZARD, QUEUE = (
    AuthState.get_full_name(),
    OrderWizardState.get_full_name(),
    ReviewQueueState.get_full_name(),
)
NEW_ORDER = "/orders/new"


@pytest.fixture(autouse=True)
def fail_on_server_errors(prod_cluster):
    """Overrides the suite's check (and its frontend build): no traceback in the workers' log.

    The killed worker itself is expected in the log ("Unexpected exit from worker-N").
    """
    start = prod_cluster.log.stat().st_size
    yield
    with prod_cluster.log.open(errors="replace") as log:
        log.seek(start)
        new_output = log.read()
    assert "Traceback" not in new_output, "A worker logged an exception:\n" + new_output[-4000:]


def _kill_the_worker_serving(cluster, tab: PortalTab) -> int:
    worker = cluster.worker_serving(tab.local_port)
    assert len(cluster.workers()) == 2
    cluster.kill(worker)
    return worker.pid


def _half_filled_wizard(cluster) -> PortalTab:
    """Plan, program and date, then the member: the draft is saved with the member at step 2."""
    tab = PortalTab(cluster.url).sign_in(ORDERING.email, ORDERING.password, next_path=NEW_ORDER)
    plans = {o["label"]: o["value"] for o in tab.var(WIZARD, "plan_options")}
    for name, value in (
        ("plan_id", plans["Evergreen Mutual Health (demo)"]),
        ("service_date", (date.today() + timedelta(days=14)).isoformat()),
        ("program", "imaging"),
    ):
        tab.call(f"{WIZARD}.update_field", {"field": name, "value": value}, path=NEW_ORDER)
    tab.call(f"{WIZARD}.next_step", path=NEW_ORDER)
    tab.settle()  # the page may move to another address once the draft exists
    tab.call(f"{WIZARD}.update_field", {"field": "member_number", "value": "EVG100000016"}, path=NEW_ORDER)
    tab.call(f"{WIZARD}.search_members", path=NEW_ORDER)
    tab.settle()  # the search first says it is running, then answers
    [member] = tab.var(WIZARD, "members")
    tab.call(f"{WIZARD}.pick_member", {"member_id": member["member_id"]}, path=NEW_ORDER)
    tab.call(f"{WIZARD}.toggle", {"field": "member_confirmed", "checked": True}, path=NEW_ORDER)
    tab.call(f"{WIZARD}.next_step", path=NEW_ORDER)
    tab.settle()
    assert tab.var(WIZARD, "step") == 2, tab.var(WIZARD, "errors")
    return tab


def test_the_session_survives_the_worker_that_served_it(prod_cluster):
    tab = PortalTab(prod_cluster.url).sign_in(ORDERING.email, ORDERING.password, next_path=NEW_ORDER)
    assert tab.var(AUTH, "role") == "ordering_provider_staff"
    killed = _kill_the_worker_serving(prod_cluster, tab)

    tab.reconnect()
    assert prod_cluster.worker_serving(tab.local_port).pid != killed
    # Still signed in (the HttpOnly cookie's session is in the database): the wizard opens, no sign-in page.
    assert tab.var(AUTH, "role") == "ordering_provider_staff"
    assert tab.var(AUTH, "display_name") == ORDERING.full_name
    assert tab.var(WIZARD, "plan_options"), "the wizard did not load for the signed-in user"
    tab.close()


def test_the_half_filled_wizard_is_kept_in_the_database_and_resumes_on_another_worker(prod_cluster):
    tab = _half_filled_wizard(prod_cluster)
    draft_id, member = tab.var(WIZARD, "order_id"), tab.var(WIZARD, "member")
    killed = _kill_the_worker_serving(prod_cluster, tab)

    engine = make_engine(prod_cluster.db_url)
    with Session(engine) as session:
        draft = session.exec(select(Order).where(Order.id == draft_id)).one()
        assert draft.order_number is None and draft.member_id == member["member_id"]
    engine.dispose()
    # "My orders" -> resume: the draft opens on another worker where it was left.
    tab.reconnect()
    tab.open_page(NEW_ORDER, {"draft": str(draft_id)})
    assert prod_cluster.worker_serving(tab.local_port).pid != killed
    assert tab.var(WIZARD, "order_id") == draft_id
    assert tab.var(WIZARD, "step") == 2
    assert tab.var(WIZARD, "member")["member_number"] == "EVG100000016"
    assert tab.var(WIZARD, "member_confirmed") is True
    tab.close()


def test_the_half_filled_wizard_comes_back_by_itself_after_its_worker_dies(prod_cluster):
    tab = _half_filled_wizard(prod_cluster)
    draft_id = tab.var(WIZARD, "order_id")
    _kill_the_worker_serving(prod_cluster, tab)

    tab.reconnect()  # the browser reconnects on its own and hydrates the address it shows
    assert tab.var(WIZARD, "order_id") == draft_id
    assert tab.var(WIZARD, "step") == 2
    assert tab.var(WIZARD, "member")["member_number"] == "EVG100000016"
    tab.close()


@pytest.fixture(scope="module")
def full_nurse_queue(prod_cluster) -> int:
    """Thirty pended imaging requests, so the nurse queue has a second page."""
    from portal_app.services.order_submission import submit_order
    from tests.integration.order_helpers import PENDING_LOW_BACK, actor_for, draft_order

    engine = make_engine(prod_cluster.db_url)
    with Session(engine, expire_on_commit=False) as session:
        actor = actor_for(session)
        for index in range(30):
            order_id = draft_order(
                session,
                actor,
                member=f"EVG{100000000 + 4 * (index + 10)}",
                details=PENDING_LOW_BACK,
                service=date.today() + timedelta(days=14),
            )
            assert submit_order(
                session, actor=actor, order_id=order_id, duplicates_acknowledged=True
            ).submitted
    engine.dispose()
    return 30


def test_the_queue_position_survives_the_worker_that_served_it(prod_cluster, full_nurse_queue):
    tab = PortalTab(prod_cluster.url).sign_in(NURSE.email, NURSE.password, next_path="/review")
    assert tab.var(QUEUE, "total") > 25
    tab.call(f"{QUEUE}.apply_filter", {"form_data": {"sort": "-due"}}, path="/review")
    tab.settle()
    tab.call(f"{QUEUE}.turn_page", {"delta": 1}, path="/review")
    tab.settle()
    assert tab.var(QUEUE, "page") == 1
    second_page = [row["order_number"] for row in tab.var(QUEUE, "rows")]
    _kill_the_worker_serving(prod_cluster, tab)

    tab.reconnect()
    assert tab.var(QUEUE, "sort") == "-due"
    assert tab.var(QUEUE, "page") == 1
    assert [row["order_number"] for row in tab.var(QUEUE, "rows")] == second_page
    tab.close()
