"""Browser suite: Debian's Chromium, and checks that fail a test on errors in the portal or the page.

The running portals (`portal`, `base_url`, `portal_db`, `prod_cluster`, and `portal_with_history` for
the demo's year of history) come from tests/servers.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import bindparam, text

from portal_app.domain.duplicates import LIVE_STATUSES
from portal_app.domain.enums import OrderStatus

# `make test` runs the browser suite beside the other tests on two cores: an answer may take longer
# than Playwright's 5 s default. Waiting longer for a state costs nothing when the state comes early.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@contextmanager
def failing_on_errors_logged(log_path: Path) -> Iterator[None]:
    """Fail if the portal writing ``log_path`` logs an error or a traceback meanwhile."""
    start = log_path.stat().st_size
    yield
    with log_path.open() as log:
        log.seek(start)
        new_output = log.read()
    problems = [line for line in new_output.splitlines() if "Traceback" in line or "ERROR" in line]
    assert not problems, "The portal logged errors:\n" + new_output[-4000:]


@pytest.fixture(autouse=True)
def fail_on_server_errors(portal):
    """Fail any browser test during which the portal logged an error or a traceback."""
    with failing_on_errors_logged(portal["log"]):
        yield


@pytest.fixture
def page(page):
    """A page that fails the test on any uncaught error or CSP violation in the browser."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    assert not errors, f"Uncaught errors in the browser: {errors}"


# Highest order id on the worker's portal when each test's latest attempt began, by test id.
_FIRST_ORDER_OF_ATTEMPT: dict[str, int] = {}


@pytest.fixture(autouse=True)
def rerun_without_the_first_attempts_orders(request, portal):
    """A rerun (E2E_RERUNS) starts as the first attempt did: without the orders that attempt filed.

    Each worker's portal has its own database and runs one test at a time, so the orders filed since
    the failed attempt began are that attempt's. Left standing, they would make the rerun's request a
    "possible duplicate" and send it to a nurse instead of the decision the test expects. They are
    marked entered in error, which the duplicate check ignores.
    """
    from portal_app.db import make_engine

    engine = make_engine(portal["db_url"])
    try:
        with engine.begin() as connection:
            earlier_attempt = _FIRST_ORDER_OF_ATTEMPT.get(request.node.nodeid)
            if earlier_attempt is not None:
                statement = text("UPDATE orders SET status = :error WHERE id > :first AND status IN :live")
                connection.execute(
                    statement.bindparams(bindparam("live", expanding=True)),
                    {
                        "error": OrderStatus.NOT_REVIEWED_ERROR_ENTRY.value,
                        "first": earlier_attempt,
                        "live": sorted(str(status) for status in LIVE_STATUSES),
                    },
                )
            highest = connection.execute(text("SELECT coalesce(max(id), 0) FROM orders")).scalar_one()
            _FIRST_ORDER_OF_ATTEMPT[request.node.nodeid] = highest
    finally:
        engine.dispose()
    yield
