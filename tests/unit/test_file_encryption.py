"""Encryption of stored files: AES-256-GCM, key id in each file, old keys read (issue 17 at rest)."""

import pytest

from portal_app.services.file_store import (
    FileKeyError,
    StoredFileError,
    decrypt,
    encrypt,
    key_id_of,
    new_key_text,
    parse_keys,
)

OLD, NEW = new_key_text("k2025"), new_key_text("k2026")


def test_a_file_round_trips_and_carries_its_key_id():
    keys = parse_keys(NEW)
    sealed, key_id = encrypt(b"%PDF-1.4 clinical notes", name="a.pdf", keys=keys)
    assert key_id == "k2026" == key_id_of(sealed)
    assert b"clinical notes" not in sealed
    assert decrypt(sealed, name="a.pdf", keys=keys) == b"%PDF-1.4 clinical notes"


def test_after_a_rotation_old_files_are_still_read_and_new_ones_use_the_new_key():
    sealed, _ = encrypt(b"old", name="a.pdf", keys=parse_keys(OLD))
    rotated = parse_keys(f"{NEW},{OLD}")
    assert rotated.current_id == "k2026"
    assert decrypt(sealed, name="a.pdf", keys=rotated) == b"old"
    assert key_id_of(encrypt(b"new", name="b.pdf", keys=rotated)[0]) == "k2026"
    with pytest.raises(FileKeyError):
        decrypt(sealed, name="a.pdf", keys=parse_keys(NEW))  # the old key removed too early


def test_a_changed_or_swapped_file_is_refused():
    keys = parse_keys(NEW)
    sealed, _ = encrypt(b"content", name="a.pdf", keys=keys)
    with pytest.raises(StoredFileError):
        decrypt(sealed, name="b.pdf", keys=keys)
    with pytest.raises(StoredFileError):
        decrypt(sealed[:-1] + bytes([sealed[-1] ^ 1]), name="a.pdf", keys=keys)


def test_files_from_before_encryption_are_read_as_they_are():
    assert decrypt(b"%PDF-1.4 plain", name="a.pdf", keys=parse_keys(NEW)) == b"%PDF-1.4 plain"


@pytest.mark.parametrize("text", ["", "bad id:AAAA", "k1:not-base64!", "k1:QUJD"])
def test_bad_key_settings_are_refused(text):
    with pytest.raises(FileKeyError):
        parse_keys(text)
