"""The revocation bus on NATS (core publish/subscribe, not JetStream): every gateway
subscribes to ``<prefix>.sessions.revoked`` and closes the WebSockets of the sessions named.

A revocation is a hint to close sockets at once, not the record of it: the session store
holds the revocation, and every request checks it there. So nothing is lost when a gateway
misses a message (it was down; it then had no sockets), and JetStream's durability is not
needed. The process that publishes tells its own listeners first, without the round trip.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Callable

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from croupier.services.accounts.revocations import notify
from croupier.services.accounts.security_ports import SessionsRevoked

__all__ = ["NatsRevocationBus", "revocation_subject"]

_log = logging.getLogger("croupier.accounts")
_CONNECT_TIMEOUT_S = 5
_FLUSH_TIMEOUT_S = 2  # a logout does not wait longer on NATS (the store holds the revocation)
_TOKENS_MAX = 10_000  # one message names at most this many sessions (a player's, all of them)


def revocation_subject(stream_url: str) -> str:
    """``<prefix>.sessions.revoked``: the prefix of ``CROUPIER_STREAM_URL`` (default croupier)."""
    _, _, query = stream_url.partition("?")
    prefix = dict(urllib.parse.parse_qsl(query)).get("prefix", "croupier")
    return f"{prefix}.sessions.revoked"


class NatsRevocationBus:
    def __init__(self, servers: list[str], subject: str) -> None:
        self.servers = servers
        self.subject = subject
        self._listeners: list[Callable[[SessionsRevoked], None]] = []
        self._nc: Client | None = None
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        nc = await nats.connect(
            self.servers,
            name="croupier-revocations",
            connect_timeout=_CONNECT_TIMEOUT_S,
            max_reconnect_attempts=1,  # fail fast at start; once connected, reconnect for ever
            reconnect_time_wait=0.5,
        )
        nc.options["max_reconnect_attempts"] = -1
        self._nc = nc
        self._subscription = await nc.subscribe(self.subject, cb=self._received)
        await nc.flush()  # subscribed before start returns: nothing published later is missed

    async def close(self) -> None:
        nc, self._nc = self._nc, None
        if nc is not None:
            await nc.close()
        self._listeners.clear()

    def listen(self, listener: Callable[[SessionsRevoked], None]) -> None:
        self._listeners.append(listener)

    async def publish(self, revoked: SessionsRevoked) -> None:
        notify(self._listeners, revoked)
        if self._nc is None:
            raise RuntimeError("the revocation bus is not started")
        body = {"player_id": revoked.player_id, "sessions": list(revoked.token_sha256s)}
        await self._nc.publish(self.subject, json.dumps(body).encode())
        await self._nc.flush(timeout=_FLUSH_TIMEOUT_S)

    async def _received(self, message: Msg) -> None:
        try:
            body = json.loads(message.data)
            sessions = body["sessions"]
            if not isinstance(sessions, list) or len(sessions) > _TOKENS_MAX:
                raise ValueError("sessions must be a bounded list")
            revoked = SessionsRevoked(str(body["player_id"]), tuple(str(s) for s in sessions))
        except (ValueError, KeyError, TypeError):
            _log.warning("a malformed revocation message was ignored")
            return
        notify(self._listeners, revoked)
