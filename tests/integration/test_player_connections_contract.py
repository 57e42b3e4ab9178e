"""The ``PlayerConnections`` contract (open WebSocket connections per player, against the
cap), on both adapters: in process, and on Redis (a key prefix of the test's own, deleted
afterwards). Then what only the shared one promises: two gateways at once never pass the
cap, and a gateway that dies frees its slots when their leases end, while slots that are
renewed stay held. And the gateway's side (``SharedPlayerCap``): two of them on one Redis
hold one player to one cap."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from croupier.adapters.state.connection import RedisState, connect_state
from croupier.adapters.state.presence import RedisPlayerConnections
from croupier.api.ws.presence import SharedPlayerCap
from croupier.domain.errors import Unavailable
from croupier.services.presence import MemoryPlayerConnections, PlayerConnections
from tests.support.redis import redis_state_url  # noqa: F401  (a fixture)

WAIT_S = 20.0  # a budget for a lease to run out, not a delay
Make = Callable[..., PlayerConnections]


@pytest.fixture
async def states() -> AsyncIterator[list[RedisState]]:
    opened: list[RedisState] = []
    yield opened
    for state in opened:
        await state.close()


def redis_factory(request: pytest.FixtureRequest, states: list[RedisState]) -> Make:
    url = str(request.getfixturevalue("redis_state_url"))

    def make(lease_s: float = 60.0) -> PlayerConnections:
        states.append(state := connect_state(url))
        return RedisPlayerConnections(state, lease_s=lease_s)

    return make


@pytest.fixture(params=["memory", "redis"])
def make(request: pytest.FixtureRequest, states: list[RedisState]) -> Make:
    if request.param == "memory":
        return lambda **_: MemoryPlayerConnections()
    return redis_factory(request, states)


@pytest.fixture
def shared(request: pytest.FixtureRequest, states: list[RedisState]) -> Make:
    return redis_factory(request, states)


async def test_a_player_holds_the_cap_and_a_release_frees_a_slot(make: Make) -> None:
    slots = make()
    assert await slots.take("p1", "g:1", 2) and await slots.take("p1", "g:2", 2)
    assert await slots.take("p1", "g:1", 2)  # the same connection again: no second slot
    assert not await slots.take("p1", "g:3", 2)
    assert await slots.take("p2", "g:3", 2)  # another player has a count of its own
    assert await slots.count("p1") == 2
    await slots.release("p1", "g:1")
    await slots.release("p1", "g:1")  # twice: harmless
    assert await slots.count("p1") == 1
    assert await slots.take("p1", "g:3", 2)
    await slots.release("p1", "g:9")  # a holder that holds nothing
    assert await slots.count("nobody") == 0


async def test_two_gateways_at_once_never_pass_the_cap(shared: Make) -> None:
    gateways = [shared(), shared()]
    taken = await asyncio.gather(
        *(gateways[i % 2].take("p1", f"g{i % 2}:{i}", 10) for i in range(100))
    )
    assert sum(taken) == 10
    assert await gateways[0].count("p1") == await gateways[1].count("p1") == 10


async def test_a_dead_gateways_slots_free_themselves_and_renewed_ones_stay(shared: Make) -> None:
    alive, dead = shared(lease_s=0.5), shared(lease_s=0.5)
    assert await alive.take("p1", "alive:1", 2)
    assert await dead.take("p1", "dead:1", 2)
    assert not await alive.take("p1", "alive:2", 2)
    deadline = time.monotonic() + WAIT_S
    while await alive.count("p1") > 1:  # the dead gateway renews nothing
        assert time.monotonic() < deadline, "the dead gateway's slot never expired"
        await alive.renew([("p1", "alive:1")])
        await asyncio.sleep(0.05)
    assert not await alive.take("p1", "other:1", 1)  # the renewed slot is still held
    assert await alive.take("p1", "alive:2", 2)


async def test_the_keys_expire(shared: Make, states: list[RedisState]) -> None:
    slots = shared(lease_s=30)
    await slots.take("p1", "g:1", 2)
    state = states[-1]
    keys = [key async for key in state.client.scan_iter(match=f"{state.prefix}:*")]
    assert len(keys) == 1 and 0 < await state.client.pttl(keys[0]) <= 30_000


async def test_an_unreachable_redis_refuses_rather_than_admits(states: list[RedisState]) -> None:
    states.append(state := connect_state("redis://127.0.0.1:1/0?prefix=nowhere"))
    with pytest.raises(Unavailable):
        await RedisPlayerConnections(state).take("p1", "g:1", 2)


async def test_two_gateways_hold_one_player_to_one_cap(shared: Make) -> None:
    """The gateway's side: connections are named per gateway, given back on close."""
    one, two = SharedPlayerCap(shared(), 3), SharedPlayerCap(shared(), 3)
    first, second, third, fourth = object(), object(), object(), object()
    assert await one.admit(first, "p1") and await one.admit(second, "p1")
    assert await one.admit(first, "p1")  # authenticating again takes no second slot
    assert await two.admit(third, "p1")
    assert not await two.admit(fourth, "p1")
    one.release(first)
    await one.close()  # waits for the releases: first and second are given back
    assert await two.admit(fourth, "p1")
    assert await two.connections.count("p1") == 2
    await two.close()
    assert await two.connections.count("p1") == 0
