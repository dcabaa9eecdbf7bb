"""Signed, expiring tokens for e-mailed links (confirm address, reset password).

A token names its purpose, the user and the user's security stamp, and carries
an HMAC-SHA256 signature. The stamp changes when a link is used or the password
changes, which makes every link one-time; the service compares it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

LINK_LIFETIME = timedelta(hours=24)


class InvalidToken(ValueError):
    """The token is malformed, forged, for another purpose, or expired."""


@dataclass(frozen=True)
class TokenClaims:
    purpose: str
    user_id: int
    stamp: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def sign_token(
    *,
    purpose: str,
    user_id: int,
    stamp: str,
    secret: str,
    now: datetime | None = None,
    lifetime: timedelta = LINK_LIFETIME,
) -> str:
    """Return a URL-safe token valid for ``lifetime`` from ``now``."""
    expires = int(((now or datetime.now(UTC)) + lifetime).timestamp())
    payload = _b64(f"{purpose}|{user_id}|{stamp}|{expires}".encode())
    return f"{payload}.{_signature(payload, secret)}"


def read_token(token: str, *, purpose: str, secret: str, now: datetime | None = None) -> TokenClaims:
    """Check the signature, purpose and expiry of ``token`` and return its claims."""
    payload, _, signature = (token or "").partition(".")
    if not payload or not hmac.compare_digest(signature, _signature(payload, secret)):
        raise InvalidToken("The link is not valid.")
    try:
        token_purpose, user_id, stamp, expires = _unb64(payload).decode().split("|")
        claims = TokenClaims(token_purpose, int(user_id), stamp, datetime.fromtimestamp(int(expires), UTC))
    except ValueError as error:
        raise InvalidToken("The link is not valid.") from error
    if claims.purpose != purpose:
        raise InvalidToken("The link is not valid.")
    if claims.expires_at <= (now or datetime.now(UTC)):
        raise InvalidToken("The link has expired.")
    return claims
