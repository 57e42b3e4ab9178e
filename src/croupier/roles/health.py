"""A tiny HTTP health port for processes that serve no HTTP otherwise (``croupier writer``):
``GET /healthz`` is 200 while the process runs; ``GET /readyz`` is 200 only when ``ready()``
says so, else 503. Enough for HAProxy's ``option httpchk`` and for ``croupier cluster``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

__all__ = ["HealthPort"]

_REQUEST_BYTES_MAX = 8 * 1024
_READ_TIMEOUT_S = 5.0


class HealthPort:
    def __init__(
        self, host: str, port: int, ready: Callable[[], Awaitable[tuple[bool, dict[str, object]]]]
    ) -> None:
        self.host = host
        self.port = port
        self.ready = ready
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT_S)
            if len(head) > _REQUEST_BYTES_MAX:
                raise ValueError("request head too large")
            body: dict[str, object]
            method, path, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            if method not in ("GET", "HEAD"):
                status, body = 405, {"status": "method not allowed"}
            elif path == "/healthz":
                status, body = 200, {"status": "ok"}
            elif path == "/readyz":
                ok, body = await self.ready()
                status = 200 if ok else 503
            else:
                status, body = 404, {"status": "not found"}
            payload = json.dumps(body).encode()
            reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}.get(
                status, "Service Unavailable"
            )
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + (payload if method == "GET" else b"")
            )
            await writer.drain()
        except (OSError, ValueError, TimeoutError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
