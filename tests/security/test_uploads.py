"""Row 9: ``POST /_upload`` refuses anonymous callers and too-large bodies before reading them
(Content-Length, then bytes counted as they stream); a stored file is served with the type content
sniffing found, as an attachment. Over real HTTP against the running build."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from portal_app.models import Document
from portal_app.state.orders import OrderSummaryState
from tests.security.attacks import multipart, raw_post, signed_in, state_name, upload

HANDLER = f"{state_name(OrderSummaryState)}.upload_documents"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def office(portal, fresh_victim_order):
    """Maple Street's office on a pended order of its own (documents may be added)."""
    order = fresh_victim_order
    tab = signed_in(portal["url"], "ordering", f"/orders/{order}")
    tab.open_page(f"/orders/{order}", {"order_number": order})
    yield tab
    tab.close()


def _headers(tab, *, cookie: bool = True) -> dict[str, str]:
    headers = {
        "Content-Type": "multipart/form-data; boundary=precert-attack",
        "reflex-client-token": tab.token,
        "reflex-event-handler": HANDLER,
    }
    if cookie:
        headers["Cookie"] = tab.cookie
    return headers


def test_an_anonymous_upload_is_refused(portal, office, portal_db):
    content_type, body = multipart("notes.pdf", b"%PDF-1.4 anonymous " + uuid.uuid4().hex.encode())
    status, _ = raw_post(
        portal["url"],
        "/_upload",
        headers={**_headers(office, cookie=False), "Content-Type": content_type},
        body_chunks=[body],
        content_length=len(body),
    )
    assert status == 401
    portal_db.expire_all()
    assert b"anonymous" not in b"".join(d.filename.encode() for d in portal_db.exec(select(Document)).all())


def test_a_too_large_body_is_refused_before_it_is_read(portal, office):
    # Announces 25 MB and sends 1 KB: an answer can only come before the body was read.
    status, text = raw_post(
        portal["url"],
        "/_upload",
        headers=_headers(office),
        body_chunks=[b"-" * 1024],
        content_length=25 * MB,
        timeout=10,
    )
    assert status == 413 and "larger than" in text


def test_a_body_that_streams_past_the_limit_is_cut_off(portal, office):
    _, head = multipart("big.pdf", b"%PDF-1.4\n")
    chunks = [head] + [b"0" * MB for _ in range(23)]
    status, _ = raw_post(
        portal["url"], "/_upload", headers=_headers(office), body_chunks=chunks, chunked=True
    )
    assert status == 413


def test_a_pdf_html_polyglot_is_served_as_a_pdf_attachment(portal, office, portal_db):
    name = f"poly-{uuid.uuid4().hex[:6]}.html"
    polyglot = b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n%%EOF\n"
    status, _ = upload(portal["url"], office, HANDLER, name, polyglot)
    assert status == 200
    portal_db.expire_all()
    document = portal_db.exec(select(Document).where(Document.filename == name)).one()
    status, headers, body = _get(portal["url"], f"/documents/{document.id}", office.cookie)
    assert status == 200 and body == polyglot
    assert headers["content-type"].startswith("application/pdf")
    assert headers["content-disposition"].startswith("attachment;")
    assert headers["content-disposition"].rstrip('"').endswith(".pdf")
    assert headers["x-content-type-options"] == "nosniff"


def _get(base_url: str, path: str, cookie: str) -> tuple[int, dict[str, str], bytes]:
    import urllib.request

    request = urllib.request.Request(base_url + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()


def test_another_office_cannot_upload_to_the_victims_order_or_a_draft(portal, fresh_victim_order, portal_db):
    """Maple Street's order, opened by Harbor View's office: the order page's and the wizard's upload
    handlers store nothing (the services check the practice and the draft's owner)."""
    from portal_app.state.wizard_documents import WizardDocumentsState

    order = fresh_victim_order
    tab = signed_in(portal["url"], "ordering2", f"/orders/{order}")
    try:
        tab.open_page(f"/orders/{order}", {"order_number": order})
        for handler in (HANDLER, f"{state_name(WizardDocumentsState)}.upload"):
            name = f"intruder-{uuid.uuid4().hex[:6]}.pdf"
            upload(portal["url"], tab, handler, name, b"%PDF-1.4\n% intruder\n%%EOF\n")
            portal_db.expire_all()
            assert portal_db.exec(select(Document).where(Document.filename == name)).all() == []
    finally:
        tab.close()
