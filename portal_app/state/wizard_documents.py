"""The wizard's review step: the documents the answers call for, uploaded to the draft before
submitting (program FAQ, shared/seeds/000 tip 2: "for best results, upload documentation prior to
submitting"). The files stay with the draft, which becomes the order."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.services.documents import DocumentRefused, store_document
from portal_app.services.order_entry import DraftNotFound
from portal_app.services.supporting_documents import documents_needed_for_draft
from portal_app.state.auth import authorized, call_service

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_ID = "draft_documents"


# supporting_documents.NeededItem with the files as one text (Reflex vars hold no tuples).
@dataclass
class NeededRow:
    document_id: str = ""
    document: str = ""
    why: str = ""
    arrived: str = ""  # the files uploaded as this document, "" while none


class WizardDocumentsState(rx.State):
    needed: list[NeededRow] = []
    upload_as: str = ""
    uploaded: list[str] = []  # every file uploaded to the draft in this visit
    message: str = ""
    error: str = ""
    _draft_id: int = 0  # set by the wizard on the server; the service checks the draft is the office's

    async def _load(self, draft_id: int) -> None:
        if draft_id != self._draft_id:
            self.uploaded, self.message, self.error, self.upload_as = [], "", "", ""
        self._draft_id = draft_id
        try:
            items = await call_service(documents_needed_for_draft, draft_id=draft_id) if draft_id else ()
        except DraftNotFound:
            items = ()
        self.needed = [NeededRow(i.document_id, i.document, i.why, ", ".join(i.arrived)) for i in items]
        if self.upload_as not in {row.document_id for row in self.needed}:
            self.upload_as = ""

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def choose_upload_as(self, value: str):
        self.upload_as = value if value in {row.document_id for row in self.needed} else ""

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def upload(self, files: list[rx.UploadFile]):
        """Store each file with the draft, as the listed document chosen (or as another document)."""
        if not self._draft_id:
            self.error = "Save the request first."
            return
        stored, refused = [], []
        for upload in files[:10]:
            content = await upload.read(MAX_UPLOAD_BYTES + 1)
            name = str(upload.name or upload.filename or "document")[:255]
            try:
                await call_service(
                    store_document,
                    draft_id=self._draft_id,
                    filename=name,
                    content=content,
                    needed_document=self.upload_as,
                )
                stored.append(name)
            except DocumentRefused as problem:
                refused.append(f"{name}: {problem}")
            except DraftNotFound:
                refused.append(f"{name}: this draft is no longer available.")
        self.uploaded = [*self.uploaded, *stored]
        self.error = " ".join(refused)
        self.message = f"Added to the request: {', '.join(stored)}." if stored else ""
        await self._load(self._draft_id)


__all__ = ["UPLOAD_ID", "NeededRow", "WizardDocumentsState"]
