"""One Redis connection for the state gateways share, from ``CROUPIER_STATE_URL``.

- ``redis://[:password@]host:port/db`` (``rediss://`` for TLS): one server;
- ``redis+sentinel://host:port,host:port/MASTER[/db]``: Redis Sentinel finds the primary
  (and finds the new one after a failover; a command in flight then fails once and the
  caller's request is refused with 503, never counted twice).

``?prefix=NAME`` puts every key under ``NAME:`` (default ``croupier``), so several
deployments or tests can share one server.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

import redis.asyncio as redis
from redis.asyncio.sentinel import Sentinel

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
    address, _, query = url.partition("?")
    options = dict(urllib.parse.parse_qsl(query))
    prefix = options.pop("prefix", "croupier")
    if not prefix or ":" in prefix:
        raise ValueError(f"a state key prefix is a non-empty name without ':': {prefix!r}")
    if options:
        raise ValueError(f"unknown options in the state URL: {sorted(options)}")
    if address.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(
            address, socket_timeout=_TIMEOUT_S, socket_connect_timeout=_TIMEOUT_S
        )
        return RedisState(client, prefix)
    if address.startswith("redis+sentinel://"):
        sentinel, client = _sentinel_client(address)
        return RedisState(client, prefix, list(sentinel.sentinels))
    raise ValueError(f"a state URL is memory://, redis://… or redis+sentinel://…: {url!r}")


def _sentinel_client(address: str) -> tuple[Sentinel, redis.Redis]:
    parts = urllib.parse.urlsplit(address)
    hosts = []
    for host_port in parts.netloc.rpartition("@")[2].split(","):
        host, _, port = host_port.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"a Sentinel address is host:port: {host_port!r}")
        hosts.append((host.removeprefix("[").removesuffix("]"), int(port)))
    path = [p for p in parts.path.split("/") if p]
    if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError("a Sentinel URL ends with /MASTER_NAME[/DB]")
    sentinel = Sentinel(hosts, socket_timeout=_TIMEOUT_S, socket_connect_timeout=_TIMEOUT_S)
    client: redis.Redis = sentinel.master_for(
        path[0],
        db=int(path[1]) if len(path) == 2 else 0,
        password=parts.password,
        socket_timeout=_TIMEOUT_S,
        socket_connect_timeout=_TIMEOUT_S,
    )
    return sentinel, client
