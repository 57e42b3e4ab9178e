"""The gateway: frames from clients to the platform, events from the stream to clients.

One per server process. It subscribes to each stream family once and routes every live
event to the connections following its stream. Per connection and stream it guarantees
seq order without gaps or duplicates: a subscription replays the stored events after the
client's ``after_seq`` while live ones wait, and any live event that skips ahead starts the
same catch-up from the last seq sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from picows import WSUpgradeRequest, WSUpgradeResponse, WSUpgradeResponseWithListener

from croupier.api.statuses import status_for
from croupier.api.ws.admission import Admission, client_address, trusted_networks
from croupier.api.ws.connection import Connection, Subscription
from croupier.api.ws.protocol import BadMessage, Close, error_frame, parse, reply_frame
from croupier.api.ws.rounds import round_action, round_start
from croupier.api.ws.sessions import Sessions
from croupier.config import RealtimeSettings
from croupier.domain.errors import CroupierError
from croupier.services.stream import (
    JACKPOTS_STREAM,
    LOBBY_STREAM,
    StreamEvent,
    player_stream,
)

if TYPE_CHECKING:
    from croupier.bootstrap import Platform

__all__ = ["Gateway"]

_log = logging.getLogger("croupier.ws")
_FAMILIES = ("player", "lobby", "jackpots")
_REPLAY_PAGE = 500
_HELD_MAX = 1000  # live events held per catching-up subscription; beyond, re-read the store
_STALLED_READS_MAX = 40  # × 50 ms: how long a gap may stay unfilled before giving up


class Gateway:
    def __init__(self, limits: RealtimeSettings, trusted_proxies: Sequence[str] = ()) -> None:
        """``trusted_proxies``: ``CROUPIER_TRUSTED_PROXIES``, for what a client's address is."""
        self.limits = limits
        self.admission = Admission(
            limits.connections_per_address_max, limits.connections_per_player_max
        )
        self._trusted_proxies = trusted_networks(trusted_proxies)
        self.platform: Platform | None = None
        self._connections: set[Connection] = set()
        self._followers: dict[str, set[Connection]] = {}  # stream -> connections
        self._unsubscribe: list[Callable[[], None]] = []
        self._last_tick: StreamEvent | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.closes: Counter[str] = Counter()  # by close reason, for /metrics
        self.sessions = Sessions(
            limits,
            self.admission,
            self._connections,
            dispatch=self.received,
            background=self._background,
        )

    @property
    def connections(self) -> int:
        return len(self._connections)

    async def start(self, platform: Platform) -> None:
        self.platform = platform
        self._last_tick = platform.ticker.tick()
        for family in _FAMILIES:
            self._unsubscribe.append(platform.stream.subscribe(family, self._live))
        self.sessions.start(platform.accounts.authenticate)

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for connection in list(self._connections):
            connection.close(Close.GOING_AWAY, "the server is shutting down")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.platform = None

    # -- connections -------------------------------------------------------------------------
    def listener_for(self, request: WSUpgradeRequest) -> Any:
        """picows's listener factory for an upgrade request to ``/v1/ws``."""
        if self.platform is None:
            refused = WSUpgradeResponse.create_error_response(503, b"starting or stopping")
            return WSUpgradeResponseWithListener(refused, None)
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        return Connection(self, token.strip() if scheme.lower() == "bearer" else None)

    def opened(self, connection: Connection) -> None:
        self._connections.add(connection)
        if not self.admission.admit_address(connection, self._address_of(connection)):
            reason = "too many connections from this address"
            connection.close(Close.RATE_LIMITED, reason, counted_as="too-many-connections")
            return
        if connection.token is not None:
            connection.backlog = []
            self._spawn(connection, self.sessions.authenticate(connection, connection.token, None))

    def closed(self, connection: Connection) -> None:
        self._connections.discard(connection)
        self.admission.release(connection)
        for stream in connection.subscriptions:
            self._unfollow(stream, connection)
        connection.subscriptions.clear()

    def _address_of(self, connection: Connection) -> str | None:
        transport = connection.transport
        if transport is None:
            return None
        peer = transport.underlying_transport.get_extra_info("peername")
        host = peer[0] if isinstance(peer, tuple) else None  # a Unix socket's is a str
        forwarded = transport.request.headers.getall("x-forwarded-for", [])
        return client_address(host, forwarded, self._trusted_proxies)

    # -- frames in ---------------------------------------------------------------------------
    def received(self, connection: Connection, payload: bytes) -> None:
        if connection.closed:
            return
        if connection.backlog is not None:  # authenticating: keep the order
            if len(connection.backlog) >= self.limits.in_flight_max:
                connection.close(Close.POLICY, "too many messages before authentication")
            else:
                connection.backlog.append(payload)
            return
        try:
            message = parse(payload)
        except BadMessage as bad:
            connection.refuse(bad)
            return
        kind, request_id = message["type"], message.get("request_id")
        if not connection.take_token():
            refused = BadMessage("rate-limited", "over the message rate: slow down", request_id)
            connection.refuse(refused, status=429, close=Close.RATE_LIMITED)
            return
        if kind == "ping":
            connection.send(reply_frame("pong", request_id))
        elif kind == "auth":
            connection.backlog = []
            authenticating = self.sessions.authenticate(connection, message["token"], request_id)
            self._spawn(connection, authenticating)
        elif connection.player is None:
            connection.send(
                error_frame("authentication-failed", 401, "authenticate first", request_id)
            )
            connection.close(Close.UNAUTHENTICATED, "authenticate first")
        elif connection.in_flight >= self.limits.in_flight_max:
            refused = BadMessage("too-many-requests", "too many requests in flight", request_id)
            connection.refuse(refused, status=429, close=Close.RATE_LIMITED)
        elif kind == "subscribe":
            self._spawn(connection, self._subscribe(connection, message), request_id)
        elif kind == "unsubscribe":
            self._spawn(connection, self._unsubscribe_channel(connection, message), request_id)
        elif kind == "round.start":
            self._spawn(connection, self._round_start(connection, message), request_id)
        else:
            self._spawn(connection, self._round_action(connection, message), request_id)

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _spawn(
        self,
        connection: Connection,
        work: Coroutine[Any, Any, str | None],
        request_id: str | None = None,
    ) -> None:
        """Run one request; its answer (or its error) is sent when it finishes."""
        connection.in_flight += 1
        task = asyncio.get_running_loop().create_task(self._answer(connection, work, request_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(
        self,
        connection: Connection,
        work: Coroutine[Any, Any, str | None],
        request_id: str | None,
    ) -> None:
        try:
            frame = await work
        except BadMessage as bad:
            connection.refuse(bad)
            return
        except CroupierError as error:
            frame = error_frame(error.code, status_for(error), str(error), request_id)
        except Exception:
            _log.exception("a WebSocket request failed")
            frame = error_frame("internal-error", 500, "the server failed", request_id)
        finally:
            connection.in_flight -= 1
        if frame is not None:
            connection.send(frame)

    # -- rounds ------------------------------------------------------------------------------
    async def _round_start(self, connection: Connection, message: dict[str, Any]) -> str:
        assert self.platform is not None
        request_id, game_id, request = round_start(message)
        player = await self.sessions.fresh_player(connection)
        view = await self.platform.rounds.play(player, game_id, request_id, request)
        return reply_frame("result", request_id, data=view)

    async def _round_action(self, connection: Connection, message: dict[str, Any]) -> str:
        assert self.platform is not None
        request_id, round_id, action = round_action(message)
        player = await self.sessions.fresh_player(connection)
        view = await self.platform.rounds.act(player, round_id, request_id, action)
        return reply_frame("result", request_id, data=view)

    # -- subscriptions -----------------------------------------------------------------------
    async def _subscribe(self, connection: Connection, message: dict[str, Any]) -> str | None:
        async with connection.subscribing:  # subscription changes apply in the order sent
            subscription = await self._open_subscription(connection, message)
        if subscription is not None:
            await self._catch_up(connection, subscription)
        return None

    async def _open_subscription(
        self, connection: Connection, message: dict[str, Any]
    ) -> Subscription | None:
        """Follow the channel's stream and answer ``subscribed``; the subscription to catch
        up, or None (a state feed, or a connection that closed meanwhile)."""
        assert self.platform is not None and connection.player is not None
        channel, request_id = message["channel"], message.get("request_id")
        after_seq: int | None = message.get("after_seq")
        stream = {
            "player": player_stream(connection.player.player_id),
            "lobby": LOBBY_STREAM,
            "jackpots": JACKPOTS_STREAM,
        }[channel]
        if connection.closed:  # while this waited for the lock
            return None
        if stream in connection.subscriptions:
            raise BadMessage("already-subscribed", f"already subscribed to {channel}", request_id)
        if stream == JACKPOTS_STREAM:  # a state feed: the latest tick, then live ones
            tick = self._last_tick
            subscription = Subscription(channel, stream, 0)
            subscription.catching_up = False
            self._follow(connection, subscription)
            connection.send(
                reply_frame(
                    "subscribed",
                    request_id,
                    channel=channel,
                    stream=stream,
                    head_seq=tick.seq if tick else 0,
                )
            )
            if tick is not None:
                subscription.last_seq = tick.seq
                connection.send(tick.frame())
            return None
        subscription = Subscription(channel, stream, after_seq or 0)
        self._follow(connection, subscription)  # live events are held from here on
        try:
            head = await self.platform.stream.head(stream)
        except BaseException:  # leave no half-made subscription behind
            if connection.subscriptions.get(stream) is subscription:
                del connection.subscriptions[stream]
                self._unfollow(stream, connection)
            raise
        if subscription is not connection.subscriptions.get(stream):
            return None  # the connection closed meanwhile
        if after_seq is None:
            subscription.last_seq = head
        connection.send(
            reply_frame("subscribed", request_id, channel=channel, stream=stream, head_seq=head)
        )
        return subscription

    async def _unsubscribe_channel(self, connection: Connection, message: dict[str, Any]) -> str:
        channel = message["channel"]
        async with connection.subscribing:
            for stream, subscription in list(connection.subscriptions.items()):
                if subscription.channel == channel:
                    del connection.subscriptions[stream]
                    self._unfollow(stream, connection)
        return reply_frame("unsubscribed", message.get("request_id"), channel=channel)

    def _follow(self, connection: Connection, subscription: Subscription) -> None:
        connection.subscriptions[subscription.stream] = subscription
        self._followers.setdefault(subscription.stream, set()).add(connection)

    def _unfollow(self, stream: str, connection: Connection) -> None:
        followers = self._followers.get(stream)
        if followers is not None:
            followers.discard(connection)
            if not followers:
                del self._followers[stream]

    async def _catch_up(self, connection: Connection, subscription: Subscription) -> None:
        """Send the stored events after ``last_seq``, then the held live ones, in order.

        If the store cannot be read, the connection is closed: its client resumes from the
        last seq it has, rather than wait on a subscription that has stopped."""
        try:
            await self._replay(connection, subscription)
        except Exception:
            _log.exception("replaying %s failed", subscription.stream)
            connection.close(Close.INTERNAL, "events could not be read; reconnect and resume")

    async def _replay(self, connection: Connection, subscription: Subscription) -> None:
        assert self.platform is not None
        stream = self.platform.stream
        stalled = 0
        while not connection.closed and subscription is connection.subscriptions.get(
            subscription.stream
        ):
            before = subscription.last_seq
            events = await stream.read(
                subscription.stream, after_seq=subscription.last_seq, limit=_REPLAY_PAGE
            )
            if subscription is not connection.subscriptions.get(subscription.stream):
                return  # unsubscribed or closed meanwhile
            if events and events[0].seq != before + 1:  # the store has lost what it had
                _log.error("%s: seq %d is missing from the store", subscription.stream, before + 1)
                connection.close(Close.INTERNAL, "events are missing; reconnect and resume")
                return
            for event in events:
                self._send_next(connection, subscription, event)
            if len(events) == _REPLAY_PAGE:
                continue
            held, subscription.held = sorted(subscription.held), []
            for event in held:
                if event.seq > subscription.last_seq + 1:
                    break  # a gap: the next read fills it
                self._send_next(connection, subscription, event)
            else:
                if not subscription.held:
                    subscription.catching_up = False
                    return
                continue
            stalled = stalled + 1 if subscription.last_seq == before else 0
            if stalled >= _STALLED_READS_MAX:  # the store lacks what the live stream has
                _log.error("%s: seq %d is missing from the store", subscription.stream, before + 1)
                connection.close(Close.INTERNAL, "events are missing; reconnect and resume")
                return
            if stalled:
                await asyncio.sleep(0.05)

    @staticmethod
    def _send_next(connection: Connection, subscription: Subscription, event: StreamEvent) -> None:
        if event.seq == subscription.last_seq + 1:
            connection.send(event.frame())
            subscription.last_seq = event.seq

    # -- events in ---------------------------------------------------------------------------
    def _live(self, event: StreamEvent) -> None:
        """The stream's handler: route one live event to its followers."""
        if event.stream == JACKPOTS_STREAM and (
            self._last_tick is None or event.seq >= self._last_tick.seq
        ):
            self._last_tick = event
        followers = self._followers.get(event.stream)
        if not followers:
            return
        frame: str | None = None
        for connection in tuple(followers):  # a slow consumer's close leaves the set
            subscription = connection.subscriptions.get(event.stream)
            if subscription is None or event.seq <= subscription.last_seq:
                continue  # a duplicate (at-least-once delivery) or a repeated tick
            if subscription.catching_up:
                if len(subscription.held) < _HELD_MAX:
                    subscription.held.append(event)
                continue
            if event.stream == JACKPOTS_STREAM or event.seq == subscription.last_seq + 1:
                frame = frame or event.frame()
                connection.send(frame)
                subscription.last_seq = event.seq
            else:  # ahead of the next seq: fetch what is missing first
                subscription.catching_up = True
                subscription.held.append(event)
                self._spawn(connection, self._catch_up(connection, subscription))
