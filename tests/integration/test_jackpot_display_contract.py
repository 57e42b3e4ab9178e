"""The ``JackpotDisplay`` contract on both adapters (in process; Redis with a key prefix of
the test's own): the newest tick by seq is kept, whatever order saves arrive in; on Redis,
another gateway reads what the ticker saved, and the key expires. Then the ticker itself,
over a real ledger, keeps every tick it sends in the display."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import pytest

from croupier.adapters.state.connection import RedisState, connect_state
from croupier.adapters.state.jackpots import RedisJackpotDisplay
from croupier.adapters.stream.inprocess import InProcessStream
from croupier.domain.ledger import AccountKind
from croupier.services.jackpots import (
    TICK_TYPE,
    JackpotDisplay,
    JackpotTicker,
    MemoryJackpotDisplay,
)
from croupier.services.stream import JACKPOTS_STREAM, StreamEvent
from tests.support.ledger import open_test_ledger
from tests.support.redis import redis_state_url  # noqa: F401  (a fixture)

Make = Callable[[], JackpotDisplay]


def tick(seq: int, amount: int) -> StreamEvent:
    data = json.dumps({"pools": [{"game_id": "g", "currency": "EUR", "amount": amount}]})
    return StreamEvent(JACKPOTS_STREAM, seq, TICK_TYPE, 1_800_000_000_000 + seq, data)


@pytest.fixture
async def states() -> AsyncIterator[list[RedisState]]:
    opened: list[RedisState] = []
    yield opened
    for state in opened:
        await state.close()


@pytest.fixture(params=["memory", "redis"])
def make(request: pytest.FixtureRequest, states: list[RedisState]) -> Make:
    if request.param == "memory":
        shared = MemoryJackpotDisplay()  # one process: every "gateway" is this one
        return lambda: shared
    url = str(request.getfixturevalue("redis_state_url"))

    def redis_display() -> JackpotDisplay:
        states.append(state := connect_state(url))
        return RedisJackpotDisplay(state)

    return redis_display


async def test_the_newest_tick_is_kept_whatever_the_order(make: Make) -> None:
    ticker, gateway = make(), make()
    assert await gateway.latest() is None
    await ticker.save(tick(5, 100))
    assert await gateway.latest() == tick(5, 100)
    await ticker.save(tick(3, 90))  # a late save of older values
    assert await gateway.latest() == tick(5, 100)
    await ticker.save(tick(5, 100)._replace(ts_ms=1))  # a repeat of the same batch
    assert await gateway.latest() == tick(5, 100)._replace(ts_ms=1)
    await ticker.save(tick(9, 120))
    assert await gateway.latest() == tick(9, 120)


@pytest.fixture
def state_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("redis_state_url"))


async def test_the_key_expires(states: list[RedisState], state_url: str) -> None:
    states.append(state := connect_state(state_url))
    await RedisJackpotDisplay(state).save(tick(1, 10))
    keys = [key async for key in state.client.scan_iter(match=f"{state.prefix}:*")]
    assert len(keys) == 1 and 0 < await state.client.ttl(keys[0]) <= 3_600


async def test_the_ticker_keeps_what_it_sends_in_the_display(tmp_path: object) -> None:
    ledger = await open_test_ledger(f"sqlite:///{tmp_path}/ledger.db")
    display = MemoryJackpotDisplay()
    stream = InProcessStream(ledger.store)
    sent: list[StreamEvent] = []
    stream.subscribe("jackpots", sent.append)
    pool = "jackpot:lotus-20:EUR"
    await ledger.open_account(pool, AccountKind.JACKPOT_POOL, "EUR")
    ticker = JackpotTicker(ledger, stream, interval_s=0.01, repeat_s=0.05, display=display)
    try:
        await ticker.start()
        async with asyncio.timeout(10):  # the repeat sends it, then saves it
            while await display.latest() is None:
                await asyncio.sleep(0.01)
        kept = await display.latest()
        assert kept is not None and sent and kept.seq == sent[-1].seq
        assert json.loads(kept.data_json)["pools"][0]["game_id"] == "lotus-20"
    finally:
        await ticker.close()
        await ledger.close()
