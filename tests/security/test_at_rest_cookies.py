"""Row 10: data files for the service user only; Secure ``__Host-`` cookies and HSTS behind HTTPS.

The file modes are read from the running portal's data folder (``DATA_DIR``) and SQLite database.
The HTTPS behaviour is checked on a second backend of the same build started with an https
``PUBLIC_URL`` (a TLS-terminating proxy in front is what production has).
"""

from __future__ import annotations

import stat
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from portal_app.state.auth import AuthState
from tests.e2e.socket_client import PortalTab
from tests.security.conftest import ACCOUNTS, PDF, upload, victim_with_order_open
from tests.security.test_login_binding import _finish, _start_sign_in
from tests.security.test_request_auth import UPLOAD_HANDLER
from tests.servers import backend_only


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_data_folder_and_uploads_are_owner_only(portal, portal_url):
    victim = victim_with_order_open(portal_url)
    try:
        status, _ = upload(
            portal_url, token=victim.token, handler=UPLOAD_HANDLER, cookie=victim.cookie, content=PDF
        )
    finally:
        victim.close()
    assert status == 200
    database = Path(make_url(portal["db_url"]).database)
    data_dir = database.parent  # DATA_DIR of the test portal
    uploads = data_dir / "uploads"
    assert _mode(database) == 0o600, oct(_mode(database))
    for sidecar in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        if sidecar.exists():
            assert _mode(sidecar) & 0o077 == 0, (sidecar, oct(_mode(sidecar)))
    assert _mode(data_dir) == 0o700, oct(_mode(data_dir))
    assert _mode(uploads) == 0o700, oct(_mode(uploads))
    stored = [p for p in uploads.iterdir() if p.is_file()]
    assert stored, "the upload should have stored a file"
    assert all(_mode(p) & 0o077 == 0 for p in stored), {p.name: oct(_mode(p)) for p in stored}


@pytest.fixture(scope="module")
def https_backend(portal, tmp_path_factory):
    """The same build's backend, configured for https://: its address (plain HTTP, as behind a proxy)."""
    workdir = tmp_path_factory.mktemp("https")
    with backend_only(portal, workdir, public_url="https://localhost:{port}") as backend:
        yield backend


def test_behind_https_answers_carry_hsts(https_backend):
    with urllib.request.urlopen(f"{https_backend['url']}/ping", timeout=10) as answer:
        assert "max-age=" in (answer.headers.get("Strict-Transport-Security") or "")


def test_behind_https_the_cookies_are_secure_and_host_prefixed(https_backend):
    url, origin = https_backend["url"], https_backend["origin"]
    ticket, binding = _start_sign_in(url, "servicing", origin=origin)
    assert binding.startswith("__Host-precert_sign_in=")
    _, location, cookies = _finish(url, ticket, cookie=binding)
    [session] = [c for c in cookies if c.startswith("__Host-precert_session=") and "Max-Age=0" not in c]
    attributes = {part.strip().lower() for part in session.split(";")[1:]}
    assert {"secure", "httponly", "path=/"} <= attributes, session
    assert not any(a.startswith("domain=") for a in attributes), session
    # The portal reads it back under that name: the tab is signed in.
    tab = PortalTab(url, cookie=session.split(";", 1)[0], origin=origin).connect()
    try:
        tab.open_page("/")
    finally:
        tab.close()
    assert tab.var(AuthState.get_full_name(), "display_name") == ACCOUNTS["servicing"].full_name


def test_over_plain_http_there_is_no_hsts(portal_url):
    with urllib.request.urlopen(f"{portal_url}/ping", timeout=10) as answer:
        assert answer.headers.get("Strict-Transport-Security") is None
