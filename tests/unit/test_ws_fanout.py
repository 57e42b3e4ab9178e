"""The gateway's routing of live events to the connections that follow a stream."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest

from croupier.api.ws.connection import Connection, Subscription
from croupier.api.ws.gateway import Gateway
from croupier.api.ws.protocol import Close
from croupier.config import RealtimeSettings
from croupier.services.stream import LOBBY_STREAM, StreamEvent


class Recording(Connection):
    """A connection that keeps its frames instead of writing them to a socket; a ``slow``
    one is closed as a slow consumer on its first frame, as a full send buffer would."""

    def __init__(self, gateway: Gateway, *, slow: bool = False) -> None:
        super().__init__(gateway, None)
        self.frames: list[dict[str, object]] = []
        self.slow = slow
        self.close_code: Close | None = None

    def send(self, text: str) -> None:
        if self.slow:
            self.close(Close.SLOW_CONSUMER, "slow consumer: too much unsent data")
        elif not self.closed:
            self.frames.append(json.loads(text))

    def close(self, code: Close, reason: str, *, counted_as: str | None = None) -> None:
        if not self.closed:
            self.closed, self.close_code = True, code
            self.gateway.closed(self)


def _following(gateway: Gateway, connection: Connection, stream: str) -> Subscription:
    subscription = Subscription("lobby", stream, 0)
    subscription.catching_up = False
    gateway.opened(connection)
    gateway.subscriptions._follow(connection, subscription)
    return subscription


def test_a_slow_consumer_closed_mid_broadcast_costs_the_others_nothing() -> None:
    gateway = Gateway(RealtimeSettings())
    healthy = [Recording(gateway) for _ in range(10)]
    slow = Recording(gateway, slow=True)
    for connection in [*healthy[:5], slow, *healthy[5:]]:
        _following(gateway, connection, LOBBY_STREAM)
    gateway.subscriptions._route_live(
        StreamEvent(LOBBY_STREAM, 1, "jackpot.won", 0, '{"amount": 5}')
    )
    assert slow.closed and gateway.connections == 10
    assert [[f["seq"] for f in c.frames] for c in healthy] == [[1]] * 10


class _StoreWithAHole:
    """A stream whose oldest events are gone (aged out of a retention limit, say)."""

    def __init__(self) -> None:
        self.reads = 0

    async def read(self, stream: str, *, after_seq: int, limit: int) -> list[StreamEvent]:
        self.reads += 1
        return [StreamEvent(stream, seq, "jackpot.won", 0, "{}") for seq in range(5, 5 + limit)]


def test_a_replay_that_meets_a_hole_closes_instead_of_spinning() -> None:
    gateway = Gateway(RealtimeSettings())
    store = _StoreWithAHole()
    gateway.subscriptions._stream = store  # type: ignore[assignment]
    connection = Recording(gateway)
    subscription = _following(gateway, connection, LOBBY_STREAM)
    subscription.catching_up = True  # resuming after seq 0: events 1 … 4 are needed first

    async def replay() -> Any:
        await asyncio.wait_for(gateway.subscriptions._catch_up(connection, subscription), 5)

    asyncio.run(replay())
    assert connection.close_code is Close.INTERNAL and store.reads == 1
    assert connection.frames == []  # nothing out of order went out


class _SlowHeads:
    """An event stream whose ``head`` waits for ``release`` (or fails, if ``fail``)."""

    def __init__(self, *, fail: bool = False) -> None:
        self.release = asyncio.Event()
        self.fail = fail

    async def head(self, stream: str) -> int:
        await self.release.wait()
        if self.fail:
            raise ConnectionError("the database went away")
        return 0


def _subscriber(gateway: Gateway, store: _SlowHeads) -> Recording:
    gateway.subscriptions._stream = store  # type: ignore[assignment]
    connection = Recording(gateway)
    connection.player = SimpleNamespace(player_id="p1")  # type: ignore[assignment]
    gateway.opened(connection)
    return connection


def test_a_connection_gone_while_subscribing_is_not_followed() -> None:
    """Two subscribes in flight when the client goes: neither may leave the dead connection
    among the stream's followers (each lobby event would visit it for ever)."""
    gateway, store = Gateway(RealtimeSettings()), _SlowHeads()
    connection = _subscriber(gateway, store)
    message = {"type": "subscribe", "channel": "lobby"}

    async def scenario() -> None:
        first = asyncio.create_task(gateway.subscriptions.subscribe(connection, dict(message)))
        second = asyncio.create_task(gateway.subscriptions.subscribe(connection, dict(message)))
        await asyncio.sleep(0)
        connection.close(Close.GOING_AWAY, "the client went away")
        store.release.set()
        await asyncio.gather(first, second, return_exceptions=True)

    asyncio.run(scenario())
    assert LOBBY_STREAM not in gateway.subscriptions._followers


def test_a_subscribe_that_fails_leaves_nothing_behind() -> None:
    gateway, store = Gateway(RealtimeSettings()), _SlowHeads(fail=True)
    connection = _subscriber(gateway, store)
    store.release.set()

    async def subscribe() -> Any:
        return await gateway.subscriptions.subscribe(
            connection, {"type": "subscribe", "channel": "lobby"}
        )

    with pytest.raises(ConnectionError):
        asyncio.run(subscribe())
    assert connection.subscriptions == {} and LOBBY_STREAM not in gateway.subscriptions._followers
