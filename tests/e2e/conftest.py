"""Browser suite: Debian's Chromium, and checks that fail a test on errors in the portal or the page.

The running portal (`portal`, `base_url`, `portal_db`, `prod_cluster`) comes from tests/servers.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

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


@pytest.fixture(autouse=True)
def fail_on_server_errors(portal):
    """Fail any browser test during which the portal logged an error or a traceback."""
    log_path: Path = portal["log"]
    start = log_path.stat().st_size
    yield
    with log_path.open() as log:
        log.seek(start)
        new_output = log.read()
    problems = [line for line in new_output.splitlines() if "Traceback" in line or "ERROR" in line]
    assert not problems, "The portal logged errors:\n" + new_output[-4000:]


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
