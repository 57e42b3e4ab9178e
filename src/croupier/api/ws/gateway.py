"""The gateway: one per server process, the composition of ``/v1/ws`` and its dispatch.

It owns the open connections and the tasks their requests run in, and hands each request
to the part whose job it is:

- :class:`~croupier.api.ws.sessions.Sessions`: authenticating a connection, checking its
  session again, and the sweep that ends revoked and expired sessions;
- :class:`~croupier.api.ws.subscriptions.Subscriptions`: subscribing, replaying after a
  seq, and the live fan-out of stream events;
- the platform's rounds, for ``round.start`` and ``round.action``.

A frame's way in: :meth:`Gateway.received` checks the connection's budgets and parses it,
then either answers at once (``ping``, a refusal) or spawns the request as a task, counted
in flight until it ends; its answer, or its error as an error frame, is sent then.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from picows import WSUpgradeRequest, WSUpgradeResponse, WSUpgradeResponseWithListener

from croupier.api.statuses import status_for
from croupier.api.ws.admission import Admission, client_address, trusted_networks
from croupier.api.ws.connection import Connection
from croupier.api.ws.poker import TABLE_MESSAGES, table_request
from croupier.api.ws.presence import SharedPlayerCap
from croupier.api.ws.protocol import BadMessage, Close, error_frame, parse, reply_frame
from croupier.api.ws.rounds import round_action, round_start
from croupier.api.ws.sessions import Sessions
from croupier.api.ws.subscriptions import Subscriptions
from croupier.config import RealtimeSettings
from croupier.domain.accounts import Player
from croupier.domain.errors import CroupierError, GeoBlocked
from croupier.services.accounts import token_sha256

if TYPE_CHECKING:
    from croupier.bootstrap import Platform

__all__ = ["Gateway"]

_log = logging.getLogger("croupier.ws")


class Gateway:
    """``/v1/ws``: picows's listener factory, the connections' callbacks, and the
    dispatch of their requests to :attr:`sessions`, :attr:`subscriptions` and the rounds."""

    def __init__(
        self,
        limits: RealtimeSettings,
        trusted_proxies: Sequence[str] = (),
        unavailable: tuple[type[BaseException], ...] = (),
    ) -> None:
        """``trusted_proxies``: ``CROUPIER_TRUSTED_PROXIES``, for what a client's address is.
        ``unavailable``: the storage's "database away for now" errors (503, not 500)."""
        self.limits = limits
        self._unavailable = unavailable
        self.admission = Admission(
            limits.connections_per_address_max, limits.connections_per_player_max
        )
        self._trusted_proxies = trusted_networks(trusted_proxies)
        self.platform: Platform | None = None
        self._connections: set[Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.closes: Counter[str] = Counter()  # by close reason, for /metrics
        self.sessions = Sessions(
            limits,
            self.admission,
            self._connections,
            dispatch=self.received,
            background=self._background,
        )
        self.subscriptions = Subscriptions(spawn=self._spawn)
        self.shared_cap: SharedPlayerCap | None = None  # with shared state only

    @property
    def connections(self) -> int:
        return len(self._connections)

    async def start(self, platform: Platform) -> None:
        """Serve from now on: follow the event stream, check tokens, sweep sessions."""
        self.platform = platform
        self.subscriptions.start(platform.stream, platform.ticker.tick())
        if platform.player_connections is not None:
            self.shared_cap = SharedPlayerCap(
                platform.player_connections, self.limits.connections_per_player_max
            )
        self.sessions.start(_socket_check(platform), self.shared_cap, platform.audit)
        platform.accounts.on_revocation(self.sessions.revoked)  # logouts close sockets at once

    async def close(self) -> None:
        """Stop following the stream, close every connection (1001), end every task."""
        self.subscriptions.close()
        for connection in list(self._connections):
            connection.close(Close.GOING_AWAY, "the server is shutting down")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.shared_cap is not None:
            await self.shared_cap.close()
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
        """A connection is up: count it against its address, and authenticate it at once
        if its upgrade request carried a bearer token."""
        self._connections.add(connection)
        connection.address = self._address_of(connection)
        if not self.admission.admit_address(connection, connection.address):
            reason = "too many connections from this address"
            connection.close(Close.RATE_LIMITED, reason, counted_as="too-many-connections")
            return
        if connection.token is not None:
            connection.backlog = []
            self._spawn(connection, self.sessions.authenticate(connection, connection.token, None))

    def closed(self, connection: Connection) -> None:
        """A connection is over (called again for the same one: harmless)."""
        self._connections.discard(connection)
        self.admission.release(connection)
        self.sessions.forget(connection)
        self.subscriptions.forget(connection)

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
        """One whole text message from a client; while the connection authenticates, it
        waits in the backlog (:mod:`~croupier.api.ws.sessions` dispatches it after)."""
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
            self._spawn(connection, self.subscriptions.subscribe(connection, message), request_id)
        elif kind == "unsubscribe":
            self._spawn(connection, self.subscriptions.unsubscribe(connection, message), request_id)
        elif kind == "round.start":
            self._spawn(connection, self._round_start(connection, message), request_id)
        elif kind in TABLE_MESSAGES:
            self._spawn(connection, self._table(connection, message), request_id)
        elif kind == "reality.ack":
            self._spawn(connection, self._reality_ack(connection, request_id), request_id)
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
            retry_after = getattr(error, "retry_after_s", None)
            frame = error_frame(
                error.code,
                status_for(error),
                str(error),
                request_id,
                retry_after_s=retry_after if isinstance(retry_after, int) else None,
            )
        except self._unavailable as error:
            _log.warning("database unavailable for a WebSocket request: %r", error)
            frame = error_frame(
                "database-unavailable", 503, "the database cannot be reached; retry", request_id
            )
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
        await self._located(connection, player)
        await self.platform.accounts.check_can_play(player)
        view = await self.platform.rounds.play(player, game_id, request_id, request)
        return reply_frame("result", request_id, data=view)

    async def _reality_ack(self, connection: Connection, request_id: str | None) -> str:
        """The player read the ``reality.check`` notice (as ``POST /v1/reality-checks/ack``)."""
        assert self.platform is not None
        responsible = self.platform.responsible
        if responsible is None:
            raise BadMessage("unknown-type", "reality checks are not enabled here", request_id)
        player = await self.sessions.fresh_player(connection)
        ip = connection.address or "unknown"
        answer = await responsible.acknowledge_reality_check(player, ip=ip)
        return reply_frame("reality.acknowledged", request_id, data=answer)

    async def _round_action(self, connection: Connection, message: dict[str, Any]) -> str:
        assert self.platform is not None
        request_id, round_id, action = round_action(message)
        player = await self.sessions.fresh_player(connection)
        await self._located(connection, player)
        view = await self.platform.rounds.act(player, round_id, request_id, action)
        return reply_frame("result", request_id, data=view)

    async def _table(self, connection: Connection, message: dict[str, Any]) -> str:
        """A cash-table message (``api/ws/poker.py``), checked like a round."""
        assert self.platform is not None
        player = await self.sessions.fresh_player(connection)
        await self._located(connection, player)
        return await table_request(self.platform, player, message)

    async def _located(self, connection: Connection, player: Player) -> None:
        """Every round, as over HTTP: the connection's address against the player's licence
        (cached per session and address; 451 ``geo-blocked``)."""
        assert self.platform is not None
        gate = self.platform.compliance
        if gate is None:
            return
        if connection.address is None or connection.token is None:
            raise GeoBlocked("this connection's address is not known")
        await gate.admit_request(player, token_sha256(connection.token), connection.address)


def _socket_check(platform: Platform) -> Callable[[str], Awaitable[Player]]:
    """The token check of a WebSocket: a live session, and (with responsible gambling) a
    player not excluded: a withdrawal-only session of a self-excluded or timed-out player
    has no use for play or its notices, so no socket is kept for it."""
    responsible = platform.responsible
    if responsible is None:
        return platform.accounts.authenticate

    async def check(token: str) -> Player:
        player = await platform.accounts.authenticate(token)
        await responsible.before_socket(player.player_id)
        return player

    return check
