"""WebSocket players: each follows its own ``player`` stream through HAProxy, keeps the last
``seq`` it saw and, whenever its connection drops, reconnects and subscribes again with
``after_seq`` set to it. Any seq that is not exactly the next one is counted: a gap (one
skipped) or a duplicate (one seen again)."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from picows import WSError, ws_connect

from croupier.loadtest import LoadtestError
from croupier.loadtest.client import Connection, ConnectionLost, Message, ws_url
from croupier.loadtest.players import Player

__all__ = ["Watcher", "Watchers"]

RECONNECT_PAUSE_S = 0.1
CONNECT_TIMEOUT_S = 10.0


@dataclass(slots=True)
class Watcher:
    player: Player
    last_seq: int = 0
    events: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)  # (after, got)
    duplicates: list[int] = field(default_factory=list)
    reconnects: int = 0
    reconnect_failures: int = 0
    connected: bool = False
    last_event_at: float = 0.0  # time.monotonic() of the last event: when a stalled one stopped

    def on_event(self, message: Message, _perf_ns: int, _wall_ns: int) -> None:
        if not str(message.get("stream", "")).startswith("player:"):
            return
        seq = int(message["seq"])
        self.events += 1
        self.last_event_at = time.monotonic()
        if seq <= self.last_seq:
            self.duplicates.append(seq)
            return
        if seq != self.last_seq + 1:
            self.gaps.append((self.last_seq, seq))
        self.last_seq = seq


class Watchers:
    def __init__(self, url: str, context: ssl.SSLContext, players: Sequence[Player]) -> None:
        self.url = ws_url(url)
        self.context = context
        self.watchers = [Watcher(p) for p in players]
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, batch: int = 50) -> None:
        """Every watcher connected and subscribed once (``batch`` handshakes at a time)."""
        for first in range(0, len(self.watchers), batch):
            group = self.watchers[first : first + batch]
            ready = [asyncio.get_running_loop().create_future() for _ in group]
            for watcher, future in zip(group, ready, strict=True):
                self._tasks.append(asyncio.create_task(self._follow(watcher, future)))
            await asyncio.gather(*ready)

    def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()

    async def wait_closed(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def reconnects(self) -> int:
        return sum(w.reconnects for w in self.watchers)

    async def _follow(self, watcher: Watcher, ready: asyncio.Future[None]) -> None:
        while not self._stop.is_set():
            connection = await self._subscribe(watcher)
            if connection is None:
                watcher.reconnect_failures += 1
                await asyncio.sleep(RECONNECT_PAUSE_S)
                continue
            watcher.connected = True
            if not ready.done():
                ready.set_result(None)
            try:
                assert connection.transport is not None
                await connection.transport.wait_disconnected()
            finally:
                watcher.connected = False
                connection.close()
            watcher.reconnects += 1

    async def _subscribe(self, watcher: Watcher) -> Connection | None:
        try:
            _, listener = await ws_connect(
                Connection,
                self.url,
                ssl_context=self.context,
                websocket_handshake_timeout=CONNECT_TIMEOUT_S,
            )
        except (TimeoutError, WSError, OSError):
            return None
        assert isinstance(listener, Connection)
        listener.on_event = watcher.on_event
        subscribe = {
            "type": "subscribe",
            "request_id": "follow",
            "channel": "player",
            "after_seq": watcher.last_seq,
        }
        try:
            await listener.authenticate(watcher.player.token)
            await listener.request(subscribe, "subscribed")
        except (ConnectionLost, TimeoutError, LoadtestError):  # the caller retries
            listener.close()
            return None
        return listener
