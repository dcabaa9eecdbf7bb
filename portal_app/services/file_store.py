"""Stored files (uploaded documents, letters), encrypted at rest with AES-256-GCM.

Keys come from ``FILE_ENCRYPTION_KEYS``: ``id:base64key[,id:base64key...]``, each key 32 random
bytes (``python -m portal_app.cli new-file-key`` prints one). The first key encrypts new files;
every listed key decrypts, so a key is rotated by putting a new one first, running
``python -m portal_app.cli reencrypt-files``, then removing the old one. Each file starts with
its key's id (the documents table keeps it too), so old files stay readable during a rotation.

Without ``FILE_ENCRYPTION_KEYS`` (development), a key is generated once into
``<DATA_DIR>/.file_encryption_key`` with mode 0600; the data folder is not in git. Production
sets the variable (from a secret store): a key beside the data protects nothing against a
copy of the whole folder.

Layout of a stored file: ``PCENC1`` + key-id length (1 byte) + key id + 12-byte nonce +
ciphertext with its 16-byte tag. The associated data binds it to its key id and storage name, so
files cannot be swapped for one another unnoticed. Files written before encryption (no header)
are read as they are, until re-encrypted.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal_app.settings import get_settings

MAGIC = b"PCENC1"
NONCE_BYTES = 12
DEV_KEY_FILE = ".file_encryption_key"
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")


class FileKeyError(RuntimeError):
    """The encryption keys are misconfigured, or a file's key is not configured."""


class StoredFileError(RuntimeError):
    """A stored file is missing, or was changed (it does not decrypt)."""


@dataclass(frozen=True)
class FileKeys:
    current_id: str
    keys: dict[str, bytes]


def parse_keys(text: str) -> FileKeys:
    """``id:base64key,...`` → the keys; the first one encrypts."""
    keys: dict[str, bytes] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key_id, _, encoded = part.partition(":")
        if not _KEY_ID.match(key_id):
            raise FileKeyError("A key id is 1 to 40 letters, digits, dots, dashes or underscores.")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise FileKeyError(f"Key {key_id} is not base64.") from error
        if len(key) != 32:
            raise FileKeyError(f"Key {key_id} must be 32 bytes (AES-256).")
        keys[key_id] = key
    if not keys:
        raise FileKeyError("No key.")
    return FileKeys(current_id=next(iter(keys)), keys=keys)


def new_key_text(key_id: str) -> str:
    """A fresh ``id:base64key`` entry for FILE_ENCRYPTION_KEYS."""
    if not _KEY_ID.match(key_id):
        raise FileKeyError("A key id is 1 to 40 letters, digits, dots, dashes or underscores.")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def _development_keys(data_dir: Path) -> str:
    path = data_dir / DEV_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(new_key_text("dev") + "\n")
    return path.read_text().strip()


def file_keys() -> FileKeys:
    settings = get_settings()
    return _keys_for(settings.file_encryption_keys, settings.data_dir)


@lru_cache(maxsize=4)
def _keys_for(configured: str, data_dir: Path) -> FileKeys:
    return parse_keys(configured or _development_keys(data_dir))


def encrypt(content: bytes, *, name: str, keys: FileKeys | None = None) -> tuple[bytes, str]:
    """(the stored form of ``content``, the id of the key used)."""
    keys = keys or file_keys()
    key_id = keys.current_id.encode()
    nonce = secrets.token_bytes(NONCE_BYTES)
    header = MAGIC + bytes([len(key_id)]) + key_id
    sealed = AESGCM(keys.keys[keys.current_id]).encrypt(nonce, content, header + name.encode())
    return header + nonce + sealed, keys.current_id


def key_id_of(stored: bytes) -> str:
    """The id of the key a stored file is encrypted with; "" for a file stored in clear."""
    if not stored.startswith(MAGIC):
        return ""
    length = stored[len(MAGIC)]
    return stored[len(MAGIC) + 1 : len(MAGIC) + 1 + length].decode()


def decrypt(stored: bytes, *, name: str, keys: FileKeys | None = None) -> bytes:
    """The content of a stored file (files from before encryption are returned as they are)."""
    key_id = key_id_of(stored)
    if not key_id:
        return stored
    keys = keys or file_keys()
    if key_id not in keys.keys:
        raise FileKeyError(f"File key {key_id} is not in FILE_ENCRYPTION_KEYS.")
    header_end = len(MAGIC) + 1 + len(key_id)
    header, nonce = stored[:header_end], stored[header_end : header_end + NONCE_BYTES]
    try:
        sealed = stored[header_end + NONCE_BYTES :]
        return AESGCM(keys.keys[key_id]).decrypt(nonce, sealed, header + name.encode())
    except InvalidTag as error:
        raise StoredFileError(f"Stored file {name} does not decrypt: changed or swapped.") from error


def _path(storage_name: str) -> Path:
    uploads = get_settings().uploads_dir.resolve()
    path = (uploads / storage_name).resolve()
    if not path.is_relative_to(uploads) or path == uploads:
        raise StoredFileError(f"Stored file name {storage_name!r} leaves the uploads folder.")
    return path


def _write(path: Path, data: bytes) -> None:
    """Write via a temporary file and a rename, readable by the service user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def store(content: bytes, *, extension: str) -> tuple[str, str]:
    """Encrypt and store ``content`` under a new random name; returns (storage name, key id)."""
    storage_name = f"{secrets.token_hex(16)}{extension}"
    sealed, key_id = encrypt(content, name=storage_name)
    _write(_path(storage_name), sealed)
    return storage_name, key_id


def load(storage_name: str) -> bytes:
    """The decrypted content of a stored file."""
    path = _path(storage_name)
    if not path.is_file():
        raise StoredFileError(f"Stored file {storage_name} is missing.")
    return decrypt(path.read_bytes(), name=storage_name)


def reencrypt(storage_name: str) -> str:
    """Re-encrypt one stored file with the current key (or encrypt a file stored in clear)."""
    path = _path(storage_name)
    content = decrypt(path.read_bytes(), name=storage_name)
    sealed, key_id = encrypt(content, name=storage_name)
    _write(path, sealed)
    return key_id
