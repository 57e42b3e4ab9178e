"""One port for HTTP and WebSocket: the first request of a connection decides who serves it.

uvicorn owns the listening socket and builds a protocol object for each connection; we give
it :class:`SharedPortProtocol`, which reads the request head and hands the connection either
to picows (an upgrade to ``/v1/ws``: 3.3 to 5.5× the round trips per second of uvicorn's
own WebSocket stacks in bench/ws_echo.py, docs/benchmarks.md) or to uvicorn's httptools
protocol, then replays the bytes it read. After that it is out of the way: no proxy hop, no copy.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from picows import WSAutoPingStrategy
from picows.picows import WSProtocol  # type: ignore[attr-defined]
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from croupier.api.ws.gateway import Gateway

__all__ = ["WS_PATH", "SharedPortProtocol", "shared_port_protocol"]

WS_PATH = b"/v1/ws"
#: A connection's first request head: at most this long, complete within ``head_timeout_s``,
#: or it is answered 431 / 408 and closed (httptools itself bounds neither).
_HEAD_BYTES_MAX = 16 * 1024
_READ_BUFFER_BYTES = 1024  # picows grows it when needed; 16 KiB each adds up at 10k idle
_log = logging.getLogger("croupier.ws")


def shared_port_protocol(gateway: Gateway, head_timeout_s: float) -> Any:
    """The ``http=`` protocol class to give uvicorn."""
    return functools.partial(SharedPortProtocol, gateway, head_timeout_s)


class SharedPortProtocol(asyncio.Protocol):
    def __init__(
        self,
        gateway: Gateway,
        head_timeout_s: float,
        config: Any,
        server_state: Any,
        app_state: Any,
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.gateway = gateway
        self.head_timeout_s = head_timeout_s
        self._http = functools.partial(
            HttpToolsProtocol, config=config, server_state=server_state, app_state=app_state
        )
        self._transport: Any = None  # uvloop's transports do not subclass asyncio's
        self._head = bytearray()
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        loop = asyncio.get_running_loop()
        self._deadline = loop.call_later(self.head_timeout_s, self._refuse, b"408 Request Timeout")

    def data_received(self, data: bytes) -> None:
        self._head += data
        end = self._head.find(b"\r\n\r\n")
        if (end if end >= 0 else len(self._head)) >= _HEAD_BYTES_MAX:
            self._refuse(b"431 Request Header Fields Too Large")
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

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _refuse(self, status: bytes) -> None:
        self._cancel_deadline()
        if self._transport is None or self._transport.is_closing():
            return
        self._transport.write(
            b"HTTP/1.1 " + status + b"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        )
        self._transport.close()

    def _hand_to_http(self) -> None:
        assert self._transport is not None
        protocol = self._http()
        self._transport.set_protocol(protocol)
        protocol.connection_made(self._transport)
        protocol.data_received(bytes(self._head))

    def _hand_to_websocket(self) -> None:
        assert self._transport is not None
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
