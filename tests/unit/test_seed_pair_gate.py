"""The seed-pair gate: rotations refused while a round draws, rounds wait out a rotation."""

from __future__ import annotations

import asyncio

import pytest

from croupier.services.seed_pair_gate import RoundInProgress, SeedPairGate


async def _yield_to_others(times: int = 20) -> None:
    for _ in range(times):
        await asyncio.sleep(0)


async def test_a_rotation_is_refused_while_a_round_draws_and_allowed_after() -> None:
    gate = SeedPairGate()
    async with gate.round("p1"):
        with pytest.raises(RoundInProgress):
            async with gate.rotation("p1"):
                pytest.fail("rotated under a round")
        async with gate.rotation("p2"):  # another player's pair is not held
            pass
    async with gate.rotation("p1"):
        pass
    assert len(gate) == 0  # nothing kept for idle players


async def test_a_round_waits_for_a_rotation_in_progress() -> None:
    gate = SeedPairGate()
    order: list[str] = []

    async def play() -> None:
        async with gate.round("p1"):
            order.append("round drew")

    async with gate.rotation("p1"):
        order.append("rotation began")
        waiting = asyncio.create_task(play())
        await _yield_to_others()
        order.append("rotation ended")
    await asyncio.wait_for(waiting, 5)
    assert order == ["rotation began", "rotation ended", "round drew"]
    assert len(gate) == 0


async def test_a_cancelled_waiter_leaves_the_gate_usable() -> None:
    gate = SeedPairGate()

    async def play() -> None:
        async with gate.round("p1"):
            pass

    async with gate.rotation("p1"):
        waiting = asyncio.create_task(play())
        await _yield_to_others()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    async with gate.round("p1"):
        pass
    assert len(gate) == 0
