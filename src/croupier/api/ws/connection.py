"""One client's WebSocket: its player, its subscriptions, its budgets, its send path."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import TYPE_CHECKING

from picows import WSCloseCode, WSFrame, WSListener, WSMsgType, WSTransport

from croupier.api.ws.protocol import BadMessage, Close, error_frame
from croupier.domain.accounts import Player
from croupier.services.stream import StreamEvent

if TYPE_CHECKING:
    from croupier.api.ws.gateway import Gateway

__all__ = ["Connection", "Subscription"]

#: After its close frame, how long the server reads on (and drops) what a client still sends,
#: waiting for the client's close frame, before it drops the socket.
CLOSE_WAIT_S = 5.0


class Subscription:
    """One stream followed by one connection. ``last_seq`` is the last seq sent; while
    ``catching_up``, live events wait in ``held`` and the replay decides what goes out."""

    __slots__ = ("catching_up", "channel", "held", "last_seq", "stream")

    def __init__(self, channel: str, stream: str, last_seq: int) -> None:
        self.channel = channel
        self.stream = stream
        self.last_seq = last_seq
        self.catching_up = True
        self.held: list[StreamEvent] = []


class Connection(WSListener):
    def __init__(self, gateway: Gateway, header_token: str | None) -> None:
        """``header_token``: from ``Authorization: Bearer`` on the upgrade request."""
        super().__init__()
        self.gateway = gateway
        self.token = header_token
        self.backlog: list[bytes] | None = None  # messages that arrived while authenticating
        self.transport: WSTransport | None = None
        self.player: Player | None = None
        self.address: str | None = None  # the client's, once connected (for the audit)
        self.opened_at = time.monotonic()
        self.authenticated_at = 0.0
        self.subscriptions: dict[str, Subscription] = {}  # by stream
        self._subscribing: asyncio.Lock | None = None
        self.in_flight = 0
        self.closed = False  # nothing more is read from or sent to the client
        self._close_wait: asyncio.TimerHandle | None = None
        self._fragments: bytearray | None = None  # a message arriving in fragments, so far
        self._fragments_binary = False
        limits = gateway.limits
        self._tokens = float(limits.messages_burst)
        self._refilled_at = time.monotonic()
        self._strikes: deque[float] = deque()

    @property
    def subscribing(self) -> asyncio.Lock:
        """Held while a subscription changes: made on first use (idle connections are
        many, and most never change one)."""
        if self._subscribing is None:
            self._subscribing = asyncio.Lock()
        return self._subscribing

    # -- picows callbacks --------------------------------------------------------------------
    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        self.gateway.opened(self)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.CLOSE:
            self._close_received(transport, frame)
        elif self.closed or frame.msg_type in (WSMsgType.PING, WSMsgType.PONG):
            return  # closing: what the client sent before it saw our close frame is dropped
        elif frame.msg_type == WSMsgType.TEXT and frame.fin and self._fragments is None:
            self.gateway.received(self, frame.get_payload_as_bytes())
        elif frame.msg_type == WSMsgType.BINARY and frame.fin and self._fragments is None:
            self.refuse(BadMessage("unsupported-frame", "send each message as text"))
        else:
            self._fragment(frame)

    def _fragment(self, frame: WSFrame) -> None:
        """One fragment of a message (RFC 6455, 5.4): kept until the last, within the same
        size limit as a message in one frame. picows checks each frame's size, not the sum."""
        first = frame.msg_type != WSMsgType.CONTINUATION
        if first != (self._fragments is None):
            reason = "a new message before the last one ended" if first else "nothing to continue"
            self.close(Close.PROTOCOL_ERROR, reason)
            return
        if self._fragments is None:  # the first
            self._fragments = bytearray()
            self._fragments_binary = frame.msg_type == WSMsgType.BINARY
        fragments, limit = self._fragments, self.gateway.limits.message_bytes_max
        if len(fragments) + frame.payload_size > limit:
            self.close(Close.TOO_BIG, f"a message over {limit} bytes")
            return
        fragments += frame.get_payload_as_memoryview()
        if not frame.fin:
            return
        message, self._fragments = bytes(fragments), None
        if self._fragments_binary:
            self.refuse(BadMessage("unsupported-frame", "send each message as text"))
        else:
            self.gateway.received(self, message)

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if self._close_wait is not None:
            self._close_wait.cancel()
        self.closed = True
        self.gateway.closed(self)

    def _close_received(self, transport: WSTransport, frame: WSFrame) -> None:
        """The client's close frame: answer it, unless it answers ours, and end the socket."""
        if not self.closed:
            code = frame.get_close_code()
            transport.send_close(WSCloseCode.OK if code == WSCloseCode.NO_INFO else code)
            self.closed = True
            self.gateway.closed(self)
        transport.disconnect()

    # -- sending -----------------------------------------------------------------------------
    def send(self, text: str) -> None:
        """Queue one frame; a client that lets too much pile up is disconnected instead."""
        if self.closed or self.transport is None:
            return
        buffered = self.transport.underlying_transport.get_write_buffer_size()
        if buffered > self.gateway.limits.send_buffer_bytes_max:
            self.close(Close.SLOW_CONSUMER, "slow consumer: too much unsent data")
            return
        self.transport.send(WSMsgType.TEXT, text.encode())

    def close(self, code: Close, reason: str, *, counted_as: str | None = None) -> None:
        """Send a close frame and stop serving the client; ``/metrics`` counts it under
        ``counted_as``, by default the code's name.

        The socket stays open until the client answers with its own close frame, for at most
        ``CLOSE_WAIT_S``: closing it while the client's messages (a flood's) are still
        arriving unread would send a TCP reset, and a reset can destroy the close frame
        before the client reads it. A client that never answers is cut off then."""
        if self.closed or self.transport is None:
            return
        self.closed = True
        self.gateway.closes[counted_as or code.name.lower().replace("_", "-")] += 1
        self.transport.send_close(WSCloseCode(int(code)), reason.encode())
        loop = asyncio.get_running_loop()
        self._close_wait = loop.call_later(CLOSE_WAIT_S, self.transport.disconnect, False)
        self.gateway.closed(self)

    # -- budgets -----------------------------------------------------------------------------
    def take_token(self) -> bool:
        """A message within the rate budget (a token bucket)."""
        limits = self.gateway.limits
        now = time.monotonic()
        self._tokens = min(
            float(limits.messages_burst),
            self._tokens + (now - self._refilled_at) * limits.messages_per_s,
        )
        self._refilled_at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def refuse(self, bad: BadMessage, *, status: int = 400, close: Close = Close.POLICY) -> None:
        """Answer a bad message with an error frame; too many within the window closes."""
        self.send(error_frame(bad.code, status, bad.detail, bad.request_id))
        limits = self.gateway.limits
        now = time.monotonic()
        strikes = self._strikes
        strikes.append(now)
        while strikes and strikes[0] < now - limits.strike_window_s:
            strikes.popleft()
        if len(strikes) >= limits.strikes_max:
            self.close(close, f"too many refused messages ({bad.code})")
