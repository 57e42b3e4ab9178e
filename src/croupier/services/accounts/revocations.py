"""The revocation bus in one process: a revoked session's WebSockets close at once.

Every gateway of a deployment must hear a revocation, wherever it was made; with one process
(``CROUPIER_STREAM_URL=memory://``) that is this list of listeners, with NATS it is
:class:`~croupier.adapters.stream.nats_revocations.NatsRevocationBus`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from croupier.services.accounts.security_ports import SessionsRevoked

__all__ = ["MemoryRevocationBus", "notify"]

_log = logging.getLogger("croupier.accounts")


def notify(listeners: list[Callable[[SessionsRevoked], None]], revoked: SessionsRevoked) -> None:
    """Call every listener; one that fails is logged and does not stop the others."""
    for listener in listeners:
        try:
            listener(revoked)
        except Exception:
            _log.exception("a revocation listener failed")


class MemoryRevocationBus:
    def __init__(self) -> None:
        self._listeners: list[Callable[[SessionsRevoked], None]] = []

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        self._listeners.clear()

    def listen(self, listener: Callable[[SessionsRevoked], None]) -> None:
        self._listeners.append(listener)

    async def publish(self, revoked: SessionsRevoked) -> None:
        notify(self._listeners, revoked)
