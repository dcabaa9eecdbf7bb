"""The public transparency page (issue 24): reachable without signing in, and its answers and
downloads hold no PHI. Over the real websocket. (Its download limit per client address is tried in
test_rate_limits.py, on that module's own backend.)"""

from __future__ import annotations

import base64
import json

from portal_app.state.transparency import TransparencyState
from tests.e2e.socket_client import PortalTab
from tests.security.attacks import state_name
from tests.security.conftest import all_member_phi

T = state_name(TransparencyState)
PAGE = "/prior-authorization"


def _downloads(updates: list[dict]) -> list[str]:
    """The text of every download in the answers (rx.download sends a base64 data URL)."""
    found = []
    for update in updates:
        for event in update.get("events") or []:
            if event.get("name") == "_download":
                url = str((event.get("payload") or {}).get("url", ""))
                found.append(base64.b64decode(url.split("base64,", 1)[1]).decode())
    return found


def _phi_in(text: str) -> list[str]:
    return [mark for phi in all_member_phi() for mark in phi.found_in(text)]


def test_the_page_and_its_downloads_need_no_sign_in_and_hold_no_phi(portal):
    tab = PortalTab(portal["url"]).connect()
    try:
        tab.open_page(PAGE)
        tab.settle()
        assert tab.var(T, "plan_name") and tab.var(T, "programs"), tab.state.get(T)
        assert tab.location == PAGE  # not sent to sign-in
        answers = tab.call(f"{T}.download_csv", {}, path=PAGE)
        tab.settle(quiet=0.2)
        answers += tab.call(f"{T}.download_json", {}, path=PAGE)
        tab.settle(quiet=0.2)
        files = _downloads(answers)
        assert len(files) == 2 and "Percent approved" in files[0], answers
        assert json.loads(files[1])["plan_name"] == tab.var(T, "plan_name")
        assert not _phi_in(str(tab.state) + " ".join(files))
    finally:
        tab.close()
