import pytest

from portal_app.domain.file_types import MAX_DOCUMENT_BYTES, document_problem, sniff_media_type


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"II*\x00\x08\x00", "image/tiff"),
        (b"MM\x00*\x00\x00", "image/tiff"),
    ],
)
def test_accepted_types_are_recognised_by_content(head, expected):
    assert sniff_media_type(head)[0] == expected


@pytest.mark.parametrize("content", [b"MZ\x90\x00 executable", b"<html>", b"PK\x03\x04 zip named .pdf"])
def test_other_content_is_refused_whatever_the_name(content):
    assert "Only PDF, PNG, JPEG or TIFF" in document_problem(content)


def test_size_limits():
    assert document_problem(b"") == "The file is empty."
    assert document_problem(b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES) == "The file is larger than 20 MB."
    assert document_problem(b"%PDF-" + b"0" * 100) is None
