"""Streams to the connections that follow them: subscribe, replay, and live fan-out.

One :class:`Subscriptions` per gateway. It subscribes to each stream family once and routes
every live event to the connections following its stream. Per connection and stream it
guarantees seq order without gaps or duplicates: a subscription replays the stored events
after the client's ``after_seq`` while live ones wait, and any live event that skips ahead
starts the same catch-up from the last seq sent.

``jackpots`` and ``leaderboard:<id>`` are state feeds, not logs: a new subscriber gets the
latest tick at once (a board's: if this gateway has seen one), then live ones, and nothing
is replayed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from croupier.api.ws.connection import Connection, Subscription
from croupier.api.ws.protocol import BadMessage, Close, reply_frame
from croupier.services.stream import (
    JACKPOTS_STREAM,
    LOBBY_STREAM,
    EventStream,
    StreamEvent,
    family_of,
    player_stream,
)

__all__ = ["Spawn", "Subscriptions"]

#: Runs one piece of a connection's work as a request in flight (counted against
#: ``in_flight_max``); the frame it returns, if any, is sent when it finishes.
Spawn = Callable[[Connection, Coroutine[Any, Any, str | None]], None]

_log = logging.getLogger("croupier.ws")
_FAMILIES = ("player", "lobby", "jackpots", "table", "leaderboard", "poker-tournament")
_BOARD_TICKS_MAX = 1000  # boards whose latest standings a gateway keeps for new subscribers
_REPLAY_PAGE = 500  # events per read of the store
_HELD_MAX = 1000  # live events held per catching-up subscription; beyond, re-read the store
# A gap the store does not fill yet (its copy may lag the live stream) is read again after a
# pause; after this many reads that bring nothing new, the events are taken to be lost.
_STALLED_READS_MAX = 40
_STALLED_READ_PAUSE_S = 0.05


class Subscriptions:
    """Who follows which stream, and the delivery of each stream's events to them.

    ``spawn`` runs a live-triggered catch-up as a request of its connection, so it counts
    against the connection's requests in flight like a ``subscribe`` does."""

    def __init__(self, spawn: Spawn) -> None:
        self._spawn = spawn
        self._stream: EventStream | None = None  # from start
        self._followers: dict[str, set[Connection]] = {}  # stream -> connections
        self._stop_following: list[Callable[[], None]] = []  # one per family
        self._last_tick: StreamEvent | None = None
        self._board_ticks: dict[str, StreamEvent] = {}  # leaderboard stream -> latest

    def start(self, stream: EventStream, last_tick: StreamEvent) -> None:
        """Take live events from ``stream`` (every family) and replay from it;
        ``last_tick`` is the jackpot values a subscriber gets until a newer tick comes."""
        self._stream, self._last_tick = stream, last_tick
        for family in _FAMILIES:
            self._stop_following.append(stream.subscribe(family, self._route_live))

    def close(self) -> None:
        """Take no more live events."""
        for stop in self._stop_following:
            stop()
        self._stop_following.clear()

    def forget(self, connection: Connection) -> None:
        """A closed connection follows nothing any more."""
        for stream in connection.subscriptions:
            self._unfollow(stream, connection)
        connection.subscriptions.clear()

    # -- requests ----------------------------------------------------------------------------
    async def subscribe(self, connection: Connection, message: dict[str, Any]) -> str | None:
        """A ``subscribe`` request: ``subscribed``, then the stored events after
        ``after_seq``, then live ones. Answers with frames of its own, so returns None."""
        async with connection.subscribing:  # subscription changes apply in the order sent
            subscription = await self._open_subscription(connection, message)
        if subscription is not None:
            await self._catch_up(connection, subscription)
        return None

    async def unsubscribe(self, connection: Connection, message: dict[str, Any]) -> str:
        """An ``unsubscribe`` request: after ``unsubscribed``, nothing more of the channel."""
        channel = message["channel"]
        async with connection.subscribing:
            for stream, subscription in list(connection.subscriptions.items()):
                if subscription.channel == channel:
                    del connection.subscriptions[stream]
                    self._unfollow(stream, connection)
        return reply_frame("unsubscribed", message.get("request_id"), channel=channel)

    async def _open_subscription(
        self, connection: Connection, message: dict[str, Any]
    ) -> Subscription | None:
        """Follow the channel's stream and answer ``subscribed``; the subscription to catch
        up, or None (a state feed, or a connection that closed meanwhile)."""
        assert self._stream is not None and connection.player is not None
        channel, request_id = message["channel"], message.get("request_id")
        after_seq: int | None = message.get("after_seq")
        stream = {
            "player": player_stream(connection.player.player_id),
            "lobby": LOBBY_STREAM,
            "jackpots": JACKPOTS_STREAM,
            "table": f"table:{message.get('table_id')}",
            "tournament": f"poker-tournament:{message.get('tournament_id')}",
        }.get(channel, channel)  # leaderboard:<id> is its own stream
        if connection.closed:  # while this waited for the lock
            return None
        if stream in connection.subscriptions:
            raise BadMessage("already-subscribed", f"already subscribed to {channel}", request_id)
        if _is_state_feed(stream):
            self._open_state_feed(connection, channel, request_id)
            return None
        subscription = Subscription(channel, stream, after_seq or 0)
        self._follow(connection, subscription)  # live events are held from here on
        try:
            head = await self._stream.head(stream)
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

    def _open_state_feed(
        self, connection: Connection, channel: str, request_id: str | None
    ) -> None:
        """Follow a state feed: ``subscribed``, the latest tick, then live ones."""
        stream = JACKPOTS_STREAM if channel == "jackpots" else channel
        tick = self._last_tick if channel == "jackpots" else self._board_ticks.get(stream)
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

    def _follow(self, connection: Connection, subscription: Subscription) -> None:
        connection.subscriptions[subscription.stream] = subscription
        self._followers.setdefault(subscription.stream, set()).add(connection)

    def _unfollow(self, stream: str, connection: Connection) -> None:
        followers = self._followers.get(stream)
        if followers is not None:
            followers.discard(connection)
            if not followers:
                del self._followers[stream]  # a stream nobody follows costs nothing

    # -- catching up -------------------------------------------------------------------------
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
        assert self._stream is not None
        stream = self._stream
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
                _send_next(connection, subscription, event)
            if len(events) == _REPLAY_PAGE:
                continue
            held, subscription.held = sorted(subscription.held), []
            for event in held:
                if event.seq > subscription.last_seq + 1:
                    break  # a gap: the next read fills it
                _send_next(connection, subscription, event)
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
                await asyncio.sleep(_STALLED_READ_PAUSE_S)

    # -- live events -------------------------------------------------------------------------
    def _route_live(self, event: StreamEvent) -> None:
        """The stream's handler: route one live event to its followers."""
        if event.stream == JACKPOTS_STREAM and (
            self._last_tick is None or event.seq >= self._last_tick.seq
        ):
            self._last_tick = event
        elif family_of(event.stream) == "leaderboard":
            kept = self._board_ticks.get(event.stream)
            room = kept is not None or len(self._board_ticks) < _BOARD_TICKS_MAX
            if room and (kept is None or event.seq >= kept.seq):
                self._board_ticks[event.stream] = event
        followers = self._followers.get(event.stream)
        if not followers:
            return
        frame: str | None = None  # encoded once, for the first follower that needs it
        for connection in tuple(followers):  # a slow consumer's close leaves the set
            subscription = connection.subscriptions.get(event.stream)
            if subscription is None or event.seq <= subscription.last_seq:
                continue  # a duplicate (at-least-once delivery) or a repeated tick
            if subscription.catching_up:
                if len(subscription.held) < _HELD_MAX:
                    subscription.held.append(event)
                continue
            if _is_state_feed(event.stream) or event.seq == subscription.last_seq + 1:
                frame = frame or event.frame()
                connection.send(frame)
                subscription.last_seq = event.seq
            else:  # ahead of the next seq: fetch what is missing first
                subscription.catching_up = True
                subscription.held.append(event)
                self._spawn(connection, self._catch_up(connection, subscription))


def _is_state_feed(stream: str) -> bool:
    """Jackpot values and leaderboard standings: each tick replaces the last, no replay."""
    return stream == JACKPOTS_STREAM or family_of(stream) == "leaderboard"


def _send_next(connection: Connection, subscription: Subscription, event: StreamEvent) -> None:
    """Send ``event`` if it is the next seq of the subscription (not one already sent)."""
    if event.seq == subscription.last_seq + 1:
        connection.send(event.frame())
        subscription.last_seq = event.seq
