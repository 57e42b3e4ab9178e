"""``croupier chaos``: a load through HAProxy while components of the cluster are killed.

One job per module: :mod:`.timeline` keeps every request's outcome and turns a kill's span of
it into figures (error window, p99, recovery), :mod:`.bettors` are the HTTP clients that play
rounds and retry with the same ``Idempotency-Key``, :mod:`.watchers` are the WebSocket players
that follow their own stream and resume with ``after_seq``, :mod:`.audit` checks the ledger on
the surviving primary, :mod:`.run` puts one run together and :mod:`.report` prints it.
See docs/operations.md, "Chaos run".
"""

from __future__ import annotations

__all__ = ["KILLS", "ChaosError"]

#: What is killed, in this order (``croupier cluster kill`` names).
KILLS = ("gateway-1", "writer-active", "postgres-primary", "nats-1", "redis-primary")


class ChaosError(Exception):
    """A run that cannot go on (the cluster never recovered, setup failed); says why."""
