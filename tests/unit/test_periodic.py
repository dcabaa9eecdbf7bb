"""A repeating lifespan task survives a failed round and stops when cancelled."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from portal_app.services.periodic import repeat_in_thread


def _in_own_loop(coroutine):
    # In a thread of its own: the browser tests' sync Playwright may hold the main thread's loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_failed_round_is_logged_and_the_next_round_runs(caplog):
    rounds = []

    def work():
        rounds.append(len(rounds) + 1)
        if len(rounds) == 1:
            raise RuntimeError("the database was away")

    async def run_three_rounds():
        task = asyncio.create_task(repeat_in_thread(work, seconds=0, what="Test work"))
        while len(rounds) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    _in_own_loop(run_three_rounds())
    assert rounds[:3] == [1, 2, 3]
    assert "Test work round failed: RuntimeError: the database was away" in caplog.text
