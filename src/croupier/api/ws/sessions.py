"""Who is on each WebSocket connection, and for how long: authentication and the sweep.

A connection authenticates once (a bearer token on the upgrade request, or an ``auth``
message); what it sends meanwhile waits in its backlog and is dispatched in order after.
A revoked session (a logout, a revoke from the session list, a password change or reset)
is pushed to every gateway on the revocation bus, and :meth:`Sessions.revoked` closes its
connections at once with 1008 (policy), audited as ``player.ws.policy-close``. Besides, the
session is checked again on every request once ``session_check_s`` has passed, and by a
sweep every second on connections that only listen, so an expiry (or a revocation whose
push was lost) ends the connection (4401) even if it never sends another message. The
sweep also closes connections that did not authenticate within ``auth_deadline_s``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

from croupier.api.statuses import status_for
from croupier.api.ws.admission import Admission
from croupier.api.ws.presence import SharedPlayerCap
from croupier.api.ws.protocol import Close, error_frame, reply_frame
from croupier.config import RealtimeSettings
from croupier.domain.accounts import Player
from croupier.domain.errors import CroupierError
from croupier.services.accounts.security_ports import SessionsRevoked
from croupier.services.accounts.service import token_sha256
from croupier.services.audit import AuditEntry, AuditTrail

if TYPE_CHECKING:
    from croupier.api.ws.connection import Connection

__all__ = ["CheckToken", "Sessions"]

#: The player of a live session token; raises a ``CroupierError`` for any other token.
CheckToken = Callable[[str], Awaitable[Player]]

_log = logging.getLogger("croupier.ws")
_SWEEP_EVERY_S = 1.0  # the sweep's period: a session ends at most this late after its check
#: Revoked sessions remembered for connections still authenticating (a check takes ms).
_REVOKED_REMEMBERED_MAX = 10_000


class Sessions:
    """Authenticates connections and keeps checking their sessions.

    ``connections`` is the gateway's set of open connections, only read here (by the
    sweep). ``dispatch`` takes each message that waited while a token was checked;
    ``background`` runs a coroutine as a task the gateway cancels when it closes."""

    def __init__(
        self,
        limits: RealtimeSettings,
        admission: Admission,
        connections: AbstractSet[Connection],
        *,
        dispatch: Callable[[Connection, bytes], None],
        background: Callable[[Coroutine[Any, Any, None]], None],
    ) -> None:
        self._limits = limits
        self._admission = admission
        self._connections = connections
        self._dispatch = dispatch
        self._background = background
        self._check_token: CheckToken | None = None  # from start: there is no store before
        self._shared: SharedPlayerCap | None = None  # the cap across gateways, if shared
        self._audit: AuditTrail | None = None
        #: Sessions revoked lately, newest last: a connection whose token was checked just
        #: before its revocation arrived is closed when its authentication completes.
        self._revoked: dict[str, None] = {}

    def start(
        self,
        check_token: CheckToken,
        shared: SharedPlayerCap | None = None,
        audit: AuditTrail | None = None,
    ) -> None:
        """Check tokens with ``check_token`` from now on, and start the sweep; with
        ``shared``, hold each player to the cap across gateways too; policy closes go to
        ``audit``."""
        self._check_token = check_token
        self._shared = shared
        self._audit = audit
        self._background(self._sweep())
        if shared is not None:
            self._background(shared.renew_forever())

    def forget(self, connection: Connection) -> None:
        """The connection is over: give back its slot across gateways."""
        if self._shared is not None:
            self._shared.release(connection)

    async def authenticate(
        self, connection: Connection, token: str, request_id: str | None
    ) -> str | None:
        """Authenticate ``connection`` with ``token``, then dispatch its backlog; a token
        that fails, or a player over the connection cap, closes it. A request: it answers
        with frames of its own, so returns None."""
        assert self._check_token is not None
        try:
            player = await self._check_token(token)
        except CroupierError as error:
            # 401, or 403 for a known player refused (self-excluded, timed out)
            connection.send(error_frame(error.code, status_for(error), str(error), request_id))
            connection.close(Close.UNAUTHENTICATED, "authentication failed")
            return None
        except Exception:  # the store failed: say so, rather than leave messages waiting
            _log.exception("authenticating a WebSocket failed")
            connection.send(error_frame("internal-error", 500, "the server failed", request_id))
            connection.close(Close.INTERNAL, "authentication could not be checked; reconnect")
            return None
        if connection.closed:  # it went away while the token was checked
            return None
        if connection.player is not None and connection.player.player_id != player.player_id:
            connection.close(Close.POLICY, "a connection serves one player")
            return None
        if not self._admission.admit_player(connection, player.player_id):
            self._refuse_over_cap(connection, request_id)
            return None
        if self._shared is not None and not await self._admit_shared(
            connection, player.player_id, request_id
        ):
            return None
        if token_sha256(token) in self._revoked:  # revoked while it was being checked
            connection.send(
                error_frame("authentication-failed", 401, "the session was revoked", request_id)
            )
            connection.close(Close.POLICY, "the session was revoked")
            return None
        connection.player, connection.token = player, token
        connection.authenticated_at = time.monotonic()
        backlog, connection.backlog = connection.backlog or [], None
        connection.send(reply_frame("authenticated", request_id, player_id=player.player_id))
        for payload in backlog:
            self._dispatch(connection, payload)
        return None

    async def _admit_shared(
        self, connection: Connection, player_id: str, request_id: str | None
    ) -> bool:
        """Hold the connection to the player's cap across gateways; refuse and close it if
        the player is over it, or the shared state cannot say."""
        assert self._shared is not None
        try:
            admitted = await self._shared.admit(connection, player_id)
        except CroupierError as error:  # Unavailable: refuse rather than count nothing
            connection.send(error_frame(error.code, status_for(error), str(error), request_id))
            connection.close(Close.INTERNAL, "the connection could not be counted; reconnect")
            return False
        if not admitted:
            self._refuse_over_cap(connection, request_id)
            return False
        if connection.closed:  # it went away meanwhile: the gateway forgot it already
            self._shared.release(connection)
            return False
        return True

    def _refuse_over_cap(self, connection: Connection, request_id: str | None) -> None:
        limit = self._limits.connections_per_player_max
        detail = f"this player has {limit} connections open already"
        connection.send(error_frame("too-many-connections", 429, detail, request_id))
        reason = "too many connections for this player"
        connection.close(Close.RATE_LIMITED, reason, counted_as="too-many-connections")

    async def fresh_player(self, connection: Connection) -> Player:
        """The connection's player, its session checked again if the last check is older
        than ``session_check_s`` (an ended session closes the connection, and raises)."""
        if time.monotonic() - connection.authenticated_at > self._limits.session_check_s:
            await self._check_session(connection)
        assert connection.player is not None  # requests are dispatched once authenticated
        return connection.player

    def revoked(self, revoked: SessionsRevoked) -> None:
        """Sessions ended (on any gateway): close their connections here at once (1008).
        A request of theirs still running was accepted before the revocation; nothing the
        client sends from now on is read."""
        hashes = frozenset(revoked.token_sha256s)
        for digest in hashes:
            self._revoked[digest] = None
        while len(self._revoked) > _REVOKED_REMEMBERED_MAX:  # the oldest first
            del self._revoked[next(iter(self._revoked))]
        for connection in tuple(self._connections):
            player, token = connection.player, connection.token
            if connection.closed or player is None or player.player_id != revoked.player_id:
                continue
            if token is not None and token_sha256(token) in hashes:
                connection.close(Close.POLICY, "the session was revoked")
                if self._audit is not None:
                    self._background(self._audit_close(connection, player.player_id))

    async def _audit_close(self, connection: Connection, player_id: str) -> None:
        assert self._audit is not None
        actor = f"player:{player_id}"
        try:
            await self._audit.record(
                AuditEntry(
                    "system",
                    "player.ws.policy-close",
                    subject=actor,
                    source_ip=connection.address,
                    reason="the session was revoked",
                )
            )
        except Exception:
            _log.exception("auditing a WebSocket policy close failed")

    async def _check_session(self, connection: Connection) -> None:
        """Authenticate the connection's token again; an ended session closes it (and
        raises)."""
        assert self._check_token is not None and connection.token is not None
        connection.authenticated_at = time.monotonic()  # one check at a time
        try:
            connection.player = await self._check_token(connection.token)
        except CroupierError:
            connection.close(Close.UNAUTHENTICATED, "the session has ended")
            raise

    async def _sweep(self) -> None:
        """Close connections that did not authenticate in time, and check the sessions of
        the rest even when they only listen: a logout or an expiry ends the connection."""
        limits = self._limits
        while True:
            await asyncio.sleep(_SWEEP_EVERY_S)
            now = time.monotonic()
            for connection in tuple(self._connections):
                if connection.player is None:
                    waited = now - connection.opened_at
                    if connection.backlog is None and waited > limits.auth_deadline_s:
                        connection.close(Close.UNAUTHENTICATED, "authenticate first")
                elif now - connection.authenticated_at > limits.session_check_s:
                    self._background(self._recheck(connection))

    async def _recheck(self, connection: Connection) -> None:
        try:
            await self._check_session(connection)
        except CroupierError:
            pass  # the connection is closed
        except Exception:  # the store failed: keep the connection, check again later
            _log.warning("checking a WebSocket session failed", exc_info=True)
