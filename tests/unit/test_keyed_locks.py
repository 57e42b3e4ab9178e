"""One lock per key: one holder of a key at a time, other keys free, nothing kept when idle."""

from __future__ import annotations

import asyncio

import pytest

from croupier.services.keyed_locks import KeyedLocks


async def _yield_to_others(times: int = 20) -> None:
    for _ in range(times):
        await asyncio.sleep(0)


async def test_one_key_is_held_by_one_at_a_time_and_other_keys_are_free() -> None:
    locks = KeyedLocks()
    order: list[str] = []

    async def second() -> None:
        async with locks.hold("k"):
            order.append("second holds k")

    async with locks.hold("k"):
        waiting = asyncio.create_task(second())
        await _yield_to_others()
        async with locks.hold("other"):  # would deadlock if keys shared a lock
            order.append("other held")
        order.append("first releases k")
    await asyncio.wait_for(waiting, 5)
    assert order == ["other held", "first releases k", "second holds k"]
    assert len(locks) == 0


async def test_nothing_is_kept_after_a_failure_or_a_cancelled_waiter() -> None:
    locks = KeyedLocks()
    with pytest.raises(RuntimeError):
        async with locks.hold("k"):
            raise RuntimeError("the request failed")
    async with locks.hold("k"):
        waiting = asyncio.create_task(locks.hold("k").__aenter__())
        await _yield_to_others()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    assert len(locks) == 0
