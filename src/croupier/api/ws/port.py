"""One port for HTTP and WebSocket: the first request of a connection decides who serves it.

uvicorn owns the listening socket and builds a protocol object for each connection; we give
it :class:`SharedPortProtocol`, which reads the request head and hands the connection either
to picows (an upgrade to ``/v1/ws``: 3.3 to 5.5× the round trips per second of uvicorn's
own WebSocket stacks in bench/ws_echo.py, docs/benchmarks.md) or to uvicorn's httptools
protocol, then replays the bytes it read. After that it is out of the way: no proxy hop, no copy.

That first head must be complete within ``head_timeout_s`` and under ``HEAD_BYTES_MAX``, or
it is answered 408 / 431 and closed. Connections that are not (yet) WebSocket ones are
capped (``connections_max``): one past the cap is answered 503 as it is accepted. Once
handed over, an HTTP connection's later requests get the same bounds, and a body its own
deadline, from :class:`~croupier.api.ws.port_http.DeadlineHttpProtocol`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from picows import WSAutoPingStrategy
from picows.picows import WSProtocol  # type: ignore[attr-defined]

from croupier.api.ws.gateway import Gateway
from croupier.api.ws.port_http import (
    BUSY,
    HEAD_BYTES_MAX,
    HEADERS_TOO_LARGE,
    REQUEST_TIMEOUT,
    ConnectionSlots,
    DeadlineHttpProtocol,
)
from croupier.config import HttpSettings

__all__ = ["WS_PATH", "SharedPortProtocol", "shared_port_protocol"]

WS_PATH = b"/v1/ws"
_READ_BUFFER_BYTES = 1024  # picows grows it when needed; 16 KiB each adds up at 10k idle
_log = logging.getLogger("croupier.ws")


def shared_port_protocol(gateway: Gateway, http: HttpSettings) -> Any:
    """The ``http=`` protocol class to give uvicorn (one per server: it holds the count)."""
    return functools.partial(
        SharedPortProtocol, gateway, http, ConnectionSlots(http.connections_max)
    )


class SharedPortProtocol(asyncio.Protocol):
    def __init__(
        self,
        gateway: Gateway,
        http: HttpSettings,
        slots: ConnectionSlots,
        config: Any,
        server_state: Any,
        app_state: Any,
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.gateway = gateway
        self.head_timeout_s = http.head_timeout_s
        self.slots = slots
        self._http = functools.partial(
            DeadlineHttpProtocol,
            http.head_timeout_s,
            http.body_timeout_s,
            slots,
            config=config,
            server_state=server_state,
            app_state=app_state,
        )
        self._transport: Any = None  # uvloop's transports do not subclass asyncio's
        self._head = bytearray()
        self._deadline: asyncio.TimerHandle | None = None
        self._holds_slot = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        if not self.slots.take():
            self._refuse(BUSY)  # before reading a byte: the cap bounds heads being read too
            return
        self._holds_slot = True
        loop = asyncio.get_running_loop()
        self._deadline = loop.call_later(self.head_timeout_s, self._refuse, REQUEST_TIMEOUT)

    def data_received(self, data: bytes) -> None:
        if self._transport is None or self._transport.is_closing():
            return  # refused: whatever else comes is not read
        self._head += data
        end = self._head.find(b"\r\n\r\n")
        if (end if end >= 0 else len(self._head)) >= HEAD_BYTES_MAX:
            self._refuse(HEADERS_TOO_LARGE)
            return
        if end < 0:
            return  # wait for the whole request head
        self._cancel_deadline()
        if _is_websocket_upgrade(bytes(self._head[:end])):
            self._hand_to_websocket()
        else:
            self._hand_to_http()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        self._transport = None
        self._give_back_slot()

    def _give_back_slot(self) -> None:
        if self._holds_slot:
            self._holds_slot = False
            self.slots.give_back()

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _refuse(self, response: bytes) -> None:
        self._cancel_deadline()
        if self._transport is None or self._transport.is_closing():
            return
        self._transport.write(response)
        self._transport.close()

    def _hand_to_http(self) -> None:
        assert self._transport is not None
        self._holds_slot = False  # the HTTP protocol gives it back when the connection closes
        protocol = self._http()
        self._transport.set_protocol(protocol)
        protocol.connection_made(self._transport)
        protocol.data_received(bytes(self._head))

    def _hand_to_websocket(self) -> None:
        assert self._transport is not None
        self._give_back_slot()  # not counted: the gateway bounds each WebSocket connection
        limits = self.gateway.limits
        protocol = WSProtocol(
            None,  # host and port: a server's protocol has none
            None,  # path: the listener factory routes
            False,  # not the client side
            self.gateway.listener_for,
            _log,
            True,  # disconnect on an exception in a callback
            5.0,  # handshake timeout, s
            True,  # auto ping: close dead connections
            float(limits.heartbeat_s),  # ping after this much silence
            float(limits.heartbeat_s),  # close if no pong within this
            WSAutoPingStrategy.PING_WHEN_IDLE,
            True,  # answer pings
            limits.message_bytes_max,
            None,  # extra response headers
            _READ_BUFFER_BYTES,
        )
        self._transport.set_protocol(protocol)
        protocol.connection_made(self._transport)
        data = memoryview(bytes(self._head))
        while data:  # picows is a BufferedProtocol: copy into the buffers it lends
            buffer = protocol.get_buffer(len(data))
            size = min(len(buffer), len(data))
            buffer[:size] = data[:size]
            protocol.buffer_updated(size)
            data = data[size:]


def _is_websocket_upgrade(head: bytes) -> bool:
    request_line, _, headers = head.partition(b"\r\n")
    parts = request_line.split(b" ")
    if len(parts) != 3 or parts[0] != b"GET" or parts[1].split(b"?")[0] != WS_PATH:
        return False
    return any(
        name.strip().lower() == b"upgrade" and value.strip().lower() == b"websocket"
        for name, _, value in (line.partition(b":") for line in headers.split(b"\r\n"))
    )
