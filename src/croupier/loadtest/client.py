"""A picows WebSocket client for ``/v1/ws``: connect, authenticate, send JSON frames and
match each answer to its request by ``request_id``; events go to a callback."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from picows import (
    WSError,
    WSFrame,
    WSListener,
    WSMsgType,
    WSTransport,
    ws_connect,
)

from croupier.loadtest import LoadtestError

__all__ = [
    "Connection",
    "ConnectionLost",
    "EventHandler",
    "Message",
    "close_all",
    "connect_all",
    "ws_url",
]

Message = dict[str, Any]
#: (event, perf_counter_ns at receipt, wall-clock ns at receipt)
EventHandler = Callable[[Message, int, int], None]
CONNECT_BATCH = 100  # concurrent handshakes: stays well inside a default listen backlog
REQUEST_TIMEOUT_S = 30.0  # auth and subscribe answers


def ws_url(base_url: str) -> str:
    """``http://host:port`` → ``ws://host:port/v1/ws`` (https → wss)."""
    base = base_url.rstrip("/")
    for http, ws in (("https://", "wss://"), ("http://", "ws://")):
        if base.startswith(http):
            return ws + base.removeprefix(http) + "/v1/ws"
    raise LoadtestError(f"--url must start with http:// or https://: {base_url!r}")


class ConnectionLost(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"connection closed ({code}: {reason or 'no reason'})")
        self.code = code
        self.reason = reason

    @property
    def error_code(self) -> str:
        return f"closed-{self.code}" if self.code is not None else "disconnected"


class Connection(WSListener):
    """One WebSocket. ``request`` sends a frame and resolves with the answer that carries the
    same ``request_id``, and the perf_counter_ns at which it arrived."""

    def __init__(self) -> None:
        self.transport: WSTransport | None = None
        self.on_event: EventHandler | None = None
        self.lost: ConnectionLost | None = None
        self.unmatched: Counter[str] = Counter()  # answers to no request of ours, by code
        self._waiting: dict[str, asyncio.Future[tuple[Message, int]]] = {}

    # -- picows callbacks --------------------------------------------------------------

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.TEXT:
            received = time.perf_counter_ns()
            message = json.loads(frame.get_payload_as_bytes())
            if "request_id" not in message:  # an event: answers always carry the key
                if self.on_event is not None:
                    self.on_event(message, received, time.time_ns())
                return
            waiter = self._waiting.pop(str(message["request_id"]), None)
            if waiter is None and message["request_id"] is None and len(self._waiting) == 1:
                # A refusal sent before the request was read (over the rate limit) carries
                # no request_id; with one request in flight, it can only be that one's.
                _, waiter = self._waiting.popitem()
            if waiter is not None and not waiter.done():
                waiter.set_result((message, received))
            else:
                error = message.get("error") or {}
                self.unmatched[str(error.get("code", message.get("type")))] += 1
        elif frame.msg_type == WSMsgType.CLOSE:
            code = frame.get_close_code()
            self.lost = ConnectionLost(int(code.value), frame.get_close_reason())
            transport.send_close(code)
            transport.disconnect()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if self.lost is None:
            self.lost = ConnectionLost(None, "the connection dropped")
        waiting, self._waiting = self._waiting, {}
        for waiter in waiting.values():
            if not waiter.done():
                waiter.set_exception(self.lost)

    # -- requests ----------------------------------------------------------------------

    def send(self, message: Message) -> asyncio.Future[tuple[Message, int]]:
        """Send a frame with a ``request_id``; the future gets its answer."""
        waiter: asyncio.Future[tuple[Message, int]] = asyncio.get_running_loop().create_future()
        if self.lost is not None or self.transport is None:
            waiter.set_exception(self.lost or ConnectionLost(None, "not connected"))
            return waiter
        self._waiting[message["request_id"]] = waiter
        self.transport.send(WSMsgType.TEXT, json.dumps(message, separators=(",", ":")).encode())
        return waiter

    async def request(self, message: Message, expect: str) -> Message:
        """Send, wait for the answer, and refuse any answer but ``expect``."""
        answer, _ = await asyncio.wait_for(self.send(message), REQUEST_TIMEOUT_S)
        if answer.get("type") != expect:
            raise LoadtestError(f"{message['type']} was answered {answer}")
        return answer

    async def authenticate(self, token: str) -> None:
        await self.request({"type": "auth", "request_id": "auth", "token": token}, "authenticated")

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_disconnected:
            self.transport.send_close()
            self.transport.disconnect()


async def _open(url: str, token: str) -> tuple[Connection, int]:
    """A connected, authenticated connection and how long that took (ns)."""
    started = time.perf_counter_ns()
    try:
        _, connection = await ws_connect(Connection, url, websocket_handshake_timeout=30)
    except WSError as error:
        raise LoadtestError(f"WebSocket handshake with {url} failed: {error}") from error
    except OSError as error:
        raise LoadtestError(f"cannot connect to {url}: {error}") from error
    assert isinstance(connection, Connection)
    try:
        await connection.authenticate(token)
    except (ConnectionLost, TimeoutError) as error:
        connection.close()
        raise LoadtestError(f"auth on {url} failed: {error!r}") from error
    return connection, time.perf_counter_ns() - started


async def connect_all(
    url: str,
    tokens: Sequence[str],
    *,
    on_connected: Callable[[int], None] = lambda _ns: None,
) -> list[Connection]:
    """One authenticated connection per token, ``CONNECT_BATCH`` handshakes at a time;
    ``on_connected`` gets each one's connect + auth time in ns."""
    connections: list[Connection] = []
    try:
        for start in range(0, len(tokens), CONNECT_BATCH):
            batch = tokens[start : start + CONNECT_BATCH]
            opened = await asyncio.gather(
                *(_open(url, token) for token in batch), return_exceptions=True
            )
            failures = [item for item in opened if isinstance(item, BaseException)]
            connections += [item[0] for item in opened if not isinstance(item, BaseException)]
            for item in opened:
                if not isinstance(item, BaseException):
                    on_connected(item[1])
            if failures:
                raise failures[0]
    except BaseException:
        await close_all(connections)
        raise
    return connections


async def close_all(connections: Sequence[Connection], timeout_s: float = 10.0) -> None:
    for connection in connections:
        connection.close()
    transports = [c.transport for c in connections if c.transport is not None]
    if not transports:
        return
    waits = {asyncio.ensure_future(t.wait_disconnected()): t for t in transports}
    _, pending = await asyncio.wait(waits, timeout=timeout_s)
    for wait in pending:  # no close handshake in time: drop the socket
        wait.cancel()
        waits[wait].disconnect(graceful=False)
