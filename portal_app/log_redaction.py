"""No cookie, token, ticket, password or event payload in any log line of the portal's processes.

Reflex logs whole events when something goes wrong (an unknown handler name: ``Error processing
event queue entry for Event(name=..., router_data={... 'headers': {'cookie': ...}, 'token': ...},
payload={...})``), client tokens in warnings, and URLs with their query strings. Every log record
made in the process passes through :func:`redact` when it is created (a log-record factory, so
handlers added later by the server are covered too): the message with its arguments, and the
text of an attached traceback.

What is removed: the router data and payload of events (the payload is where form values, and so
PHI and passwords, travel), cookie headers and the values of the portal's cookies, client tokens
(UUIDs), ``token=``/``ticket=``/``code=``/``state=`` query parameters, bearer tokens, and
password fields. Names or birth dates written into a log message by the portal's own code are
not recognised here: the portal's log calls name records by id only (docs/security.md).
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "<redacted>"

# Keys whose value (a balanced {...}, [...] or quoted string) is dropped wherever they appear.
_STRUCTURED_KEYS = ("router_data", "payload", "headers", "form_data", "cookies")
_KEY_START = re.compile(r"""(['"]?)\b(""" + "|".join(_STRUCTURED_KEYS) + r""")\1\s*[:=]\s*""")
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # A Cookie header or cookie values (the portal's and any other).
    (
        re.compile(r"""(?i)(['"]?(?:set-)?cookie['"]?\s*[:=]\s*)(['"]).*?(?<!\\)\2"""),
        r"\1\2" + REDACTED + r"\2",
    ),
    (re.compile(r"(?i)\b((?:set-)?cookie:\s*)[^\r\n]*"), r"\1" + REDACTED),
    (re.compile(r"((?:__Host-)?precert_[a-z_]+=)[^;\s'\",&]+"), r"\1" + REDACTED),
    # Secrets carried in query strings and keyword arguments.
    (
        re.compile(
            r"""(?i)(['"]?\b(?:token|ticket|code|state|nonce|password|secret|api_key|key)['"]?\s*[:=]\s*['"]?)[^'"\s&,;)}]+"""
        ),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + REDACTED),
    # Client tokens and anything else shaped like a UUID.
    (
        re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
        REDACTED,
    ),
]
_CLOSING = {"{": "}", "[": "]", "(": ")"}


def _skip_value(text: str, start: int) -> int:
    """The index just past the value starting at ``start`` (balanced brackets, quoted strings)."""
    if start >= len(text):
        return start
    opener = text[start]
    if opener in "'\"":
        index = start + 1
        while index < len(text) and text[index] != opener:
            index += 2 if text[index] == "\\" else 1
        return min(index + 1, len(text))
    if opener not in _CLOSING:
        match = re.compile(r"[^,)}\]\s]*").match(text, start)
        return match.end() if match else start
    depth, index, quote = 0, start, ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in _CLOSING:
            depth += 1
        elif char in _CLOSING.values():
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(text)


def _drop_structured(text: str) -> str:
    out, position = [], 0
    for match in _KEY_START.finditer(text):
        if match.start() < position:
            continue
        out.append(text[position : match.end()])
        out.append(REDACTED)
        position = _skip_value(text, match.end())
    out.append(text[position:])
    return "".join(out)


def redact(text: str) -> str:
    """``text`` without event data, cookies, tokens, tickets or passwords."""
    if not text:
        return text
    text = _drop_structured(text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a message that cannot be formatted: keep only its template
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        record.exc_info = None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


_installed = False


def install() -> None:
    """Redact every log record made in this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True
