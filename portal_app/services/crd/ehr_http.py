"""The one HTTP client CRD uses to reach EHRs (their JWKS and FHIR servers): short timeouts, no
redirects. Tests and benchmarks hand it a transport (``use_transport``) that serves the EHR in
process, so nothing is downloaded."""

from __future__ import annotations

import httpx

TIMEOUT_SECONDS = 4  # inside CDS Hooks' time budget for the whole answer

_client: httpx.Client | None = None


def client() -> httpx.Client:
    global _client
    if _client is None:
        _client = httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    return _client


def use_transport(transport: httpx.BaseTransport | None) -> None:
    """Serve EHR requests through ``transport`` (None: the network again)."""
    global _client
    if _client is not None:
        _client.close()
    _client = (
        httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, transport=transport)
        if transport
        else None
    )
