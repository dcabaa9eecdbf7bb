"""Full-page navigation to the backend's HTTP routes (which set or clear cookies)."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import reflex as rx


def go_to_backend(path: str, **query: str) -> rx.event.EventSpec:
    """Leave the single-page app for a backend route; values are URL-encoded and JS-quoted."""
    url = path + ("?" + urlencode(query, quote_via=quote) if query else "")
    return rx.call_script(f"window.location.assign({json.dumps(url)})")
