"""Documents attached to orders; the bytes live on disk under data/uploads/."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import timestamp_field


class Document(SQLModel, table=True):
    __tablename__ = "documents"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    uploaded_by_id: int = Field(foreign_key="users.id")
    kind: str = Field(default="upload", max_length=20)  # upload, letter
    # Which listed document this file was uploaded as (domain/documents_needed.py), "" for any other.
    needed_document: str = Field(default="", max_length=60)
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64, index=True)
    # Path relative to the uploads folder; never the name the client sent.
    storage_path: str = Field(max_length=255, unique=True)
    # Id of the key the file is encrypted with (services/file_crypto.py); "" = stored in clear
    # (files from before encryption, until `python -m portal_app.cli reencrypt-files`).
    encryption_key_id: str = Field(default="", max_length=40, index=True)
    created_at: datetime = timestamp_field()
