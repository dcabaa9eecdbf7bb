"""Full-page navigation to the backend's HTTP routes (which set or clear cookies)."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import reflex as rx


def go_to_backend(path: str, **query: str) -> rx.event.EventSpec:
    """Leave the single-page app for a backend route; values are URL-encoded and JS-quoted."""
    url = path + ("?" + urlencode(query, quote_via=quote) if query else "")
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def page_params(state: rx.State) -> dict:
    """The open page's route and query parameters.

    Reflex's ``router.page`` gives the same, but logs a deprecation through a stack inspection on
    every read: a measurable share of each page load's CPU (docs/performance.md).
    """
    return state.router._page.params


def page_path(state: rx.State) -> str:
    """The open page's path with its query, as the browser shows it."""
    return state.router._page.raw_path
