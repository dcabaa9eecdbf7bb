"""Rate limits per client address and per account or user, with the `limits` library.

Counts live in memory (one process) or, when ``REDIS_URL`` (or ``RATE_LIMIT_STORAGE``) is set,
in Redis, so that every worker shares them. Each limit is a moving window; a refused attempt is
audited and answered with how long to wait. Settings: ``DEFAULT_RATE_LIMITS`` in settings.py.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlmodel import Session

from portal_app.domain.enums import AuditOutcome
from portal_app.services import audit
from portal_app.settings import get_settings


class RateLimited(Exception):
    """Too many attempts; ``retry_after`` seconds until the next one is accepted."""

    def __init__(self, retry_after: int):
        self.retry_after = max(1, retry_after)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        unit = "second" if self.retry_after == 1 else "seconds"
        return f"Too many attempts. Try again in {self.retry_after} {unit}."


@dataclass(frozen=True)
class _Limiter:
    strategy: MovingWindowRateLimiter
    items: dict[str, RateLimitItem]


# Not settings: an unknown account's lockout lasts as long as a real one's (accounts.LOCKOUT).
_FIXED = {"sign_in_lockout": "1 per 15 minutes"}


@lru_cache(maxsize=1)
def _limiter() -> _Limiter:
    settings = get_settings()
    storage = storage_from_string(settings.rate_limit_storage)
    return _Limiter(
        MovingWindowRateLimiter(storage),
        {name: parse(text) for name, text in {**settings.rate_limits, **_FIXED}.items()},
    )


def _key(session: Session, value: str | int) -> str:
    """The counter's key: the deployment's database (one set of counts per database, so tests on
    fresh databases do not share them) and the value, hashed, so e-mail addresses and usernames
    typed by anyone never sit in Redis in clear."""
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(f"{database}|{str(value).strip().lower()}".encode()).hexdigest()[:40]


def _retry_after(limiter: _Limiter, item: RateLimitItem, name: str, key: str) -> int:
    stats = limiter.strategy.get_window_stats(item, name, key)
    return max(1, math.ceil(stats.reset_time - time.time()))


def hit(
    session: Session,
    *,
    limits: dict[str, str | int | None],
    action: str,
    user_id: int | None = None,
    client_address: str = "",
) -> None:
    """Count one attempt against each named limit (name → key); raise RateLimited if one is spent.

    A key that is empty or None is skipped (no address known, nobody signed in). The refusal is
    audited (``rate_limited``) with the limit's name, never the key.
    """
    limiter = _limiter()
    for name, value in limits.items():
        if value in (None, ""):
            continue
        item, key = limiter.items[name], _key(session, value)
        if not limiter.strategy.hit(item, name, key):
            _refuse(session, _retry_after(limiter, item, name, key), name, action, user_id, client_address)


def spent(session: Session, *, name: str, value: str | int) -> int | None:
    """Seconds to wait if the named limit is spent for ``value`` (counts nothing); else None."""
    limiter = _limiter()
    item, key = limiter.items[name], _key(session, value)
    if limiter.strategy.test(item, name, key):
        return None
    return _retry_after(limiter, item, name, key)


def count(session: Session, *, name: str, value: str | int) -> None:
    """Count one event (e.g. a failed sign-in) without refusing anything now."""
    limiter = _limiter()
    limiter.strategy.hit(limiter.items[name], name, _key(session, value))


def clear(session: Session, *, name: str, value: str | int) -> None:
    """Forget the counts of one limit for ``value``."""
    limiter = _limiter()
    limiter.strategy.clear(limiter.items[name], name, _key(session, value))


def _refuse(
    session: Session, retry_after: int, name: str, action: str, user_id: int | None, client_address: str
) -> None:
    audit.record(
        session,
        action="rate_limited",
        user_id=user_id,
        outcome=AuditOutcome.DENIED,
        client_address=client_address,
        detail={"limit": name, "attempted": action, "retry_after": retry_after},
    )
    session.commit()
    raise RateLimited(retry_after)
