"""Markdown that support writes, made safe before it is stored (the page renders it with raw HTML off
as well, ``components/announcements.py``: two independent guards).

* Raw HTML never survives: every ``<`` is written as the entity ``&lt;``, so ``<script>``, ``<img
  onerror=…>`` or an ``<a href>`` show as text. (Markdown autolinks in angle brackets go too; a
  plain ``https://…`` address is still linked by the page.)
* Links and link reference definitions keep only ``http://`` and ``https://`` destinations; any other
  (``javascript:``, ``data:``, ``vbscript:``, ``file:``, a relative path, an encoded scheme) loses its
  destination and shows as the bracketed text. Images become plain links (no remote picture loads
  when the page opens).

Pure: text in, text out.
"""

from __future__ import annotations

import re

BODY_MAX = 20_000
_ALLOWED = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
# "](destination optional-title)": the destination is the first run without spaces or ")".
_INLINE_LINK = re.compile(r"\]\(\s*([^)\s]*)([^)]*)\)")
# "[label]: destination" at the start of a line (up to three spaces of indent).
_DEFINITION = re.compile(r"^( {0,3})\[([^\]\n]+)\]:[ \t]*(\S*)(.*)$", re.MULTILINE)


def allowed_url(url: str) -> bool:
    """True for an absolute http(s) address."""
    return bool(_ALLOWED.match(url))


def _inline(match: re.Match[str]) -> str:
    return match.group(0) if allowed_url(match.group(1)) else "]"


def _definition(match: re.Match[str]) -> str:
    indent, label, url, rest = match.groups()
    if allowed_url(url):
        return match.group(0)
    return f"{indent}\\[{label}]:{' ' if url or rest else ''}{url}{rest}"


def clean_markdown(text: str) -> str:
    """``text`` with raw HTML escaped, links limited to http(s) and images made links; newlines
    normalised and the ends trimmed."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    body = body.replace("<", "&lt;")
    body = _INLINE_LINK.sub(_inline, body)
    body = _DEFINITION.sub(_definition, body)
    return body.replace("![", "\\![")
