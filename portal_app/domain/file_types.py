"""What a file really is, from its first bytes (its name and the browser's claim are not trusted)."""

from __future__ import annotations

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

# File signatures: PDF 1.7 (ISO 32000-1 §7.5.2), PNG (RFC 2083 §3.1), JPEG/JFIF SOI marker,
# TIFF 6.0 §2 byte-order header ("II*\0" little-endian, "MM\0*" big-endian).
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
)
ACCEPTED_LABEL = "PDF, PNG, JPEG or TIFF"


def sniff_media_type(head: bytes) -> tuple[str, str] | None:
    """(media type, file extension) for an accepted document, or None."""
    for signature, media_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return media_type, extension
    return None


def document_problem(content: bytes) -> str | None:
    """Why a document cannot be accepted, or None when it can."""
    if not content:
        return "The file is empty."
    if len(content) > MAX_DOCUMENT_BYTES:
        return "The file is larger than 20 MB."
    if sniff_media_type(content[:16]) is None:
        return f"Only {ACCEPTED_LABEL} files are accepted; this file is none of those."
    return None


# Exchanged clinical documents (Da Vinci PAS, CDex) also come as plain text and C-CDA (XML). Accepted
# only where a caller asks for them (document_problem(..., exchange=True)); always stored with a
# .txt/.xml name and served as a download, never rendered.
EXCHANGE_LABEL = "PDF, PNG, JPEG, TIFF, plain text or C-CDA (XML)"


def sniff_exchange_type(content: bytes) -> tuple[str, str] | None:
    """(media type, extension) of a document exchanged between systems, or None."""
    found = sniff_media_type(content[:16])
    if found is not None:
        return found
    if b"\x00" in content:
        return None
    try:
        text = content.decode("utf-8-sig").lstrip()
    except UnicodeDecodeError:
        return None
    if text.startswith("<?xml") or text.startswith("<ClinicalDocument"):
        return "application/xml", ".xml"
    if text.startswith("<"):
        return None  # markup other than XML (HTML...): refused
    return "text/plain", ".txt"


def exchange_problem(content: bytes) -> str | None:
    """Why an exchanged document cannot be accepted, or None when it can."""
    if not content:
        return "The file is empty."
    if len(content) > MAX_DOCUMENT_BYTES:
        return "The file is larger than 20 MB."
    if sniff_exchange_type(content) is None:
        return f"Only {EXCHANGE_LABEL} documents are accepted; this one is none of those."
    return None
