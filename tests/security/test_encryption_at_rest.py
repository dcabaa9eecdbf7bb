"""At rest: an uploaded document is stored encrypted (AES-256-GCM) with its key id, readable by
the service user only, and served back decrypted. Against the running build and its data folder."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

from sqlmodel import select

from portal_app.models import Document
from portal_app.services.file_store import DEV_KEY_FILE, MAGIC
from portal_app.state.orders import OrderSummaryState
from tests.security.attacks import signed_in, state_name, upload


def test_an_uploaded_document_is_encrypted_on_disk(portal, portal_db, fresh_victim_order):
    data_dir = Path(portal["db_url"].removeprefix("sqlite:///")).parent  # the portal's DATA_DIR
    marker = f"Member history {uuid.uuid4().hex}".encode()
    content = b"%PDF-1.4\n" + marker + b"\n%%EOF\n"
    name = f"notes-{uuid.uuid4().hex[:6]}.pdf"
    order = fresh_victim_order  # pended and untouched by the browser suite: documents may be added
    tab = signed_in(portal["url"], "ordering", f"/orders/{order}")
    try:
        tab.open_page(f"/orders/{order}", {"order_number": order})
        status, _ = upload(
            portal["url"], tab, f"{state_name(OrderSummaryState)}.upload_documents", name, content
        )
        assert status == 200
        portal_db.expire_all()
        document = portal_db.exec(select(Document).where(Document.filename == name)).one()
        stored = (data_dir / "uploads" / document.storage_path).read_bytes()
        assert stored.startswith(MAGIC) and marker not in stored and b"%PDF" not in stored
        assert document.encryption_key_id and document.encryption_key_id.encode() in stored[:50]
        assert stat.S_IMODE((data_dir / "uploads" / document.storage_path).stat().st_mode) == 0o600
        # No FILE_ENCRYPTION_KEYS in this run: the development key, generated 0600 in the data folder.
        assert stat.S_IMODE((data_dir / DEV_KEY_FILE).stat().st_mode) == 0o600

        import urllib.request

        request = urllib.request.Request(
            f"{portal['url']}/documents/{document.id}", headers={"Cookie": tab.cookie}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.read() == content
    finally:
        tab.close()
