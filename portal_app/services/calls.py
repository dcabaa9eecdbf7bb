"""How a Reflex state reaches a service: each call runs in a database session of its own.

States never open a session (tests/unit/test_layers.py checks it); they hand a service function and
its keyword arguments to ``in_session``, usually through ``state.auth.call_service`` (with the
signed-in actor) or ``state.auth.call_public`` (before anyone is signed in), which run it in a worker
thread. The service checks permissions, audits and commits, as always.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from portal_app.db import session_scope

T = TypeVar("T")


def in_session(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """``fn(session, **kwargs)`` with a fresh session that is closed afterwards (``fn`` commits)."""
    with session_scope() as session:
        return fn(session, **kwargs)
