"""One Redis connection for the state gateways share, from ``CROUPIER_STATE_URL``.

- ``redis://[:password@]host:port/db`` (``rediss://`` for TLS): one server;
- ``redis+sentinel://host:port,host:port/MASTER[/db]``: Redis Sentinel finds the primary
  (and finds the new one after a failover; a command in flight then fails once and the
  caller's request is refused with 503, never counted twice).

``?prefix=NAME`` puts every key under ``NAME:`` (default ``croupier``), so several
deployments or tests can share one server.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import redis.asyncio as redis
from redis.asyncio.sentinel import Sentinel

from croupier.adapters.state.address import parse_state_url

__all__ = ["RedisState", "connect_state"]

_TIMEOUT_S = 2.0  # a gateway answers 503 rather than hang on an unreachable Redis


@dataclass
class RedisState:
    """A Redis client and the key prefix of this deployment."""

    client: redis.Redis
    prefix: str
    sentinels: list[redis.Redis] = field(default_factory=list)  # what finds the primary

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    async def close(self) -> None:
        await self.client.aclose()
        await self.client.connection_pool.disconnect()  # a Sentinel pool is not the client's
        for sentinel in self.sentinels:
            await sentinel.aclose()


def connect_state(url: str) -> RedisState:
    """The client for a ``redis://`` or ``redis+sentinel://`` URL (``ValueError`` for any
    other); it connects on first use."""
    address = parse_state_url(url)
    if address.url is not None:
        client = redis.Redis.from_url(
            address.url, socket_timeout=_TIMEOUT_S, socket_connect_timeout=_TIMEOUT_S
        )
        return RedisState(client, address.prefix)
    sentinel = Sentinel(
        list(address.sentinels), socket_timeout=_TIMEOUT_S, socket_connect_timeout=_TIMEOUT_S
    )
    client = sentinel.master_for(
        address.master,
        db=address.db,
        password=address.password,
        socket_timeout=_TIMEOUT_S,
        socket_connect_timeout=_TIMEOUT_S,
    )
    return RedisState(client, address.prefix, list(sentinel.sentinels))
