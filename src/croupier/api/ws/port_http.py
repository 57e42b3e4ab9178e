"""The HTTP side of the shared port: uvicorn's protocol with a deadline on every request's
head and body, the count of connections that are still HTTP, and the refusals sent raw.

uvicorn bounds neither how long a request's body may take nor, for a kept-alive
connection, how long its next head may take: 30 clients trickling 60,000-byte bodies at a
byte a second held their connections for the whole 16 hours it would take.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any, Literal

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = [
    "BUSY",
    "HEADERS_TOO_LARGE",
    "HEAD_BYTES_MAX",
    "REQUEST_TIMEOUT",
    "ConnectionSlots",
    "DeadlineHttpProtocol",
    "refusal",
]


def refusal(status: int, code: str, detail: str, *, retry_after_s: int | None = None) -> bytes:
    """A whole ``Connection: close`` problem+json response, for a refusal made below the app."""
    body = json.dumps(
        {
            "type": f"https://croupier.dev/problems/{code}",
            "title": code.replace("-", " ").capitalize(),
            "status": status,
            "detail": detail,
        },
        separators=(",", ":"),
    ).encode()
    lines = [
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
        "Content-Type: application/problem+json",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    if retry_after_s is not None:
        lines.append(f"Retry-After: {retry_after_s}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


#: A request head may be at most this long (a later one on a kept-alive connection may run
#: over by what one read brings: the count starts with the read after its first byte).
HEAD_BYTES_MAX = 16 * 1024
REQUEST_TIMEOUT = refusal(408, "request-timeout", "the request did not arrive in time")
HEADERS_TOO_LARGE = refusal(431, "headers-too-large", "the request head is over 16 KiB")
BUSY = refusal(503, "busy", "too many open connections; retry", retry_after_s=1)


class ConnectionSlots:
    """How many connections may be open and not (yet) WebSocket ones: taken when a
    connection is accepted, given back when it closes or is handed to picows."""

    def __init__(self, connections_max: int) -> None:
        self.connections_max = connections_max
        self.taken = 0

    def take(self) -> bool:
        if self.taken >= self.connections_max:
            return False
        self.taken += 1
        return True

    def give_back(self) -> None:
        if self.taken <= 0:
            raise RuntimeError("a connection slot was given back twice")
        self.taken -= 1


class DeadlineHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus: each request's head must arrive within
    ``head_timeout_s`` of its first byte, and its whole body within ``body_timeout_s`` of its
    head, or the connection is answered 408 (if no answer has begun) and closed; a head past
    :data:`HEAD_BYTES_MAX` is answered 431 and closed (httptools bounds neither).

    A deadline is armed only when a read ends part-way through a request, so a request that
    arrives in one read costs no timer. Idle time between requests is uvicorn's keep-alive
    timeout's business. Holds a :class:`ConnectionSlots` slot until the connection closes.
    """

    def __init__(
        self,
        head_timeout_s: float,
        body_timeout_s: float,
        slots: ConnectionSlots,
        config: Any,
        server_state: Any,
        app_state: Any,
    ) -> None:
        super().__init__(config=config, server_state=server_state, app_state=app_state)
        self._timeout_s = {"head": head_timeout_s, "body": body_timeout_s}
        self._slots = slots
        self._reading: Literal["head", "body"] | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._deadline_for: Literal["head", "body"] | None = None
        self._head_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._reading == "head":
            self._head_bytes += len(data)
            if self._head_bytes > HEAD_BYTES_MAX:
                self._refuse_request(HEADERS_TOO_LARGE)
                return
        super().data_received(data)
        self._keep_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading = "head"
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._reading = "body"

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._reading = None

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            self._cancel_deadline()
            super().connection_lost(exc)
        finally:
            self._slots.give_back()

    def _keep_deadline(self) -> None:
        if self._reading is None or self.transport.is_closing():
            self._cancel_deadline()
        elif self._deadline is None or self._deadline_for != self._reading:
            self._cancel_deadline()
            timeout_s = self._timeout_s[self._reading]
            self._deadline = self.loop.call_later(timeout_s, self._deadline_passed)
            self._deadline_for = self._reading

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _deadline_passed(self) -> None:
        self._deadline = None
        if self._reading is None or self.transport.is_closing():
            return
        if self.flow.read_paused:  # uvicorn stopped reading (pipelining): not the client's delay
            self._keep_deadline()
            return
        self._refuse_request(REQUEST_TIMEOUT)

    def _refuse_request(self, response: bytes) -> None:
        """Answer the request being read with ``response`` unless an answer has begun (on
        this request, or still on the one before it), and close."""
        self._cancel_deadline()
        cycle = self.cycle  # while reading a head, the previous request's (or None)
        if self._reading == "head":
            answer = cycle is None or cycle.response_complete
        else:
            answer = not cycle.response_started
            cycle.disconnected = True  # the app's answer, if it comes, goes nowhere
            cycle.message_event.set()  # and a read of the body ends now
        if answer:
            self.transport.write(response)
        self.transport.close()
