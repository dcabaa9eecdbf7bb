"""Helpers for the data-exposure, enumeration and storage attacks on the running production build
(issue 17 rows 3, 4, 7, 8, 9, 11, rate limits, uploads at rest): signed-in tabs over the real
websocket, raw HTTP uploads, and a look at what the server logged in the audit trail."""

from __future__ import annotations

import http.client
import re
import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit

from sqlmodel import func, select

from portal_app.domain.enums import Role, UserStatus
from portal_app.models import AuditEvent, User
from portal_app.services.demo_data import DEMO_ACCOUNTS
from portal_app.services.passwords import hash_password
from portal_app.state.sign_in import SignInState
from tests.e2e.socket_client import PortalTab

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
TOO_MANY = re.compile(r"Too many attempts\. Try again in (\d+) seconds?\.")


def signed_in(base_url: str, username: str, next_path: str) -> PortalTab:
    """A tab of a demo account, signed in through the form and the ticket, on ``next_path``."""
    account = ACCOUNTS[username]
    return PortalTab(base_url).sign_in(account.email, account.password, next_path=next_path)


def state_name(state_class) -> str:
    return state_class.get_full_name()


def try_sign_in(base_url: str, identifier: str, password: str) -> str:
    """One sign-in attempt through the form; the error shown ("" when it succeeded)."""
    tab = PortalTab(base_url).connect()
    try:
        tab.open_page("/sign-in")
        answers = tab.call(
            f"{state_name(SignInState)}.submit",
            {"form_data": {"identifier": identifier, "password": password}},
            path="/sign-in",
            until=lambda updates: any(
                (u.get("delta") or {}).get(state_name(SignInState), {}).get("working_rx_state_") is False
                or any(e.get("name") == "_call_script" for e in u.get("events") or [])
                for u in updates
            ),
        )
        tab.settle()
        if any(e.get("name") == "_call_script" for u in answers for e in u.get("events") or []):
            return ""
        return str(tab.var(state_name(SignInState), "error", ""))
    finally:
        tab.close()


def make_user(
    portal_db, *, role: Role = Role.ORDERING_PROVIDER_STAFF, password: str = "Throwaway-Pass-2026"
) -> User:
    """A fresh active account on the running portal (never a demo account: attacks may lock it)."""
    name = f"attack-{uuid.uuid4().hex[:10]}"
    user = User(
        email=f"{name}@clinic.test",
        username=name,
        password_hash=hash_password(password),
        full_name="Attack Target (test)",
        role=role,
        status=UserStatus.ACTIVE,
        security_stamp=uuid.uuid4().hex,
    )
    portal_db.add(user)
    portal_db.commit()
    return user


def audit_count(portal_db, action: str, **detail) -> int:
    """How many audit events of ``action`` the running portal wrote (optionally with detail values)."""
    portal_db.expire_all()
    rows = portal_db.exec(select(AuditEvent).where(AuditEvent.action == action)).all()
    return sum(all(row.detail.get(k) == v for k, v in detail.items()) for row in rows)


def latest_audit_id(portal_db) -> int:
    portal_db.expire_all()
    return portal_db.exec(select(func.max(AuditEvent.id))).one() or 0


def raw_post(
    base_url: str,
    path: str,
    *,
    headers: dict[str, str],
    body_chunks=(),
    content_length: int | None = None,
    chunked: bool = False,
    timeout: float = 30,
) -> tuple[int, str]:
    """POST a body as it is streamed (chunked, or with a Content-Length that may lie); the status
    and text of the answer. Sending stops quietly when the server has already answered and closed."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
    connection.putrequest("POST", path)
    for name, value in headers.items():
        connection.putheader(name, value)
    if chunked:
        connection.putheader("Transfer-Encoding", "chunked")
    elif content_length is not None:
        connection.putheader("Content-Length", str(content_length))
    connection.endheaders()
    try:
        for chunk in body_chunks:
            connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk)
        if chunked:
            connection.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        answer = connection.getresponse()
        return answer.status, answer.read().decode(errors="replace")
    finally:
        connection.close()


def multipart(filename: str, content: bytes, boundary: str = "precert-attack") -> tuple[str, bytes]:
    """(Content-Type, body) of a multipart form with one file under ``files``, as Reflex uploads."""
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def upload(base_url: str, tab: PortalTab, handler: str, filename: str, content: bytes) -> tuple[int, str]:
    """Upload one file to ``handler`` as the browser does: the tab's token, its session cookie."""
    content_type, body = multipart(filename, content)
    headers = {
        "Content-Type": content_type,
        "reflex-client-token": tab.token,
        "reflex-event-handler": handler,
        "Origin": base_url,
    }
    if tab.cookie:
        headers["Cookie"] = tab.cookie
    return raw_post(base_url, "/_upload", headers=headers, body_chunks=[body], content_length=len(body))


def device_csv(member, *, nights: int = 30, start: date = date(2026, 8, 1)) -> bytes:
    """A device cloud's CSV export whose ID, name and birth date all match ``member``."""
    rows = ["member_id,member_name,date_of_birth,date,usage_minutes,ahi,leak"]
    rows += [
        f"{member.member_number},{member.first_name} {member.last_name},{member.date_of_birth.isoformat()},"
        f"{(start + timedelta(days=n)).isoformat()},300,2.4,11.5"
        for n in range(nights)
    ]
    return ("\n".join(rows) + "\n").encode()


def register(base_url: str, *, email: str, username: str) -> dict:
    """Fill and send the registration wizard over the websocket; the wizard's state after it."""
    from portal_app.state.register import RegisterState

    r = state_name(RegisterState)
    tab = PortalTab(base_url).connect()
    try:
        tab.open_page("/register")
        for field, value in (
            ("full_name", "Robin Registrant"),
            ("email", email),
            ("phone", "555-0123"),
            ("role", "ordering_provider_staff"),
        ):
            tab.call(f"{r}.update_field", {"field": field, "value": value}, path="/register")
        tab.call(f"{r}.next_step", path="/register")
        tab.call(f"{r}.update_field", {"field": "username", "value": username}, path="/register")
        tab.call(f"{r}.update_password", {"value": "Tulip-garden-lamp-42"}, path="/register")
        # A backend-only var: no delta comes back; events of one tab run in order anyway.
        tab.call(
            f"{r}.update_password_again",
            {"value": "Tulip-garden-lamp-42"},
            path="/register",
            until=lambda updates: True,
        )
        tab.call(f"{r}.next_step", path="/register")
        tab.call(f"{r}.update_field", {"field": "tax_id_input", "value": "90-1000001"}, path="/register")
        tab.call(f"{r}.add_tax_id", path="/register")
        tab.call(f"{r}.next_step", path="/register")
        tab.settle()
        assert tab.var(r, "step") == 3, tab.var(r, "errors")
        tab.call(f"{r}.submit", path="/register")
        tab.settle(quiet=1.0)
        return dict(tab.state.get(r, {}))
    finally:
        tab.close()


def request_reset(base_url: str, email: str) -> dict:
    """Ask for a password reset link through the form; the page's state after it."""
    from portal_app.state.account import ForgotPasswordState

    f = state_name(ForgotPasswordState)
    tab = PortalTab(base_url).connect()
    try:
        tab.open_page("/forgot-password")
        tab.call(f"{f}.submit", {"form_data": {"email": email}}, path="/forgot-password")
        tab.settle(quiet=0.5)
        return dict(tab.state.get(f, {}))
    finally:
        tab.close()
