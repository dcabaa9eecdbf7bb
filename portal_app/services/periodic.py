"""Lifespan tasks that repeat a piece of work for ever, off the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)


async def repeat_in_thread(work: Callable[[], None], *, seconds: float, what: str) -> None:
    """Run ``work`` in a worker thread every ``seconds``; a failed round is logged and the next one
    runs as usual (one bad round must not stop the task)."""
    while True:
        try:
            await asyncio.to_thread(work)
        except asyncio.CancelledError:
            raise
        except Exception as failure:  # see the docstring
            logger.warning("%s round failed: %s: %s", what, type(failure).__name__, failure)
        await asyncio.sleep(seconds)
