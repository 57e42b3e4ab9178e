"""Open WebSocket connections per player on Redis, shared by every gateway (the
:class:`~croupier.services.presence.PlayerConnections` port).

One sorted set per player, ``presence:player:<id>``: a member per connection (its holder
name), scored by when its lease ends, in the Redis server's own clock (``TIME``, so the
gateways' clocks do not matter). Taking a slot is one Lua script, atomic on the server: it
drops expired holders, then adds this one if the player is under the cap, so two gateways
at once never pass it. The key itself expires with its newest lease. Redis unreachable:
``Unavailable`` (the connection is refused, never admitted uncounted).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import redis.exceptions

from croupier.adapters.state.connection import RedisState
from croupier.domain.errors import Unavailable
from croupier.services.presence import LEASE_S

__all__ = ["RedisPlayerConnections"]

_RENEW_CHUNK = 500  # holders renewed per script call

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: the player's set; ARGV: holder, limit, lease_ms
_TAKE = (
    _NOW
    + """
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease)
return 1
"""
)

# KEYS: the players' sets, one per holder; ARGV: lease_ms, then the holders in KEYS' order
_RENEW = (
    _NOW
    + """
local lease = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now + lease, ARGV[i + 1])  -- a holder gone stays gone
  redis.call('PEXPIRE', key, lease)
end
return #KEYS
"""
)

# KEYS: the player's set
_COUNT = (
    _NOW
    + """
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""
)


class RedisPlayerConnections:
    def __init__(self, state: RedisState, *, lease_s: float = LEASE_S) -> None:
        self.state = state
        self.lease_ms = max(1, round(lease_s * 1000))
        client = state.client
        self._take = client.register_script(_TAKE)
        self._renew = client.register_script(_RENEW)
        self._count = client.register_script(_COUNT)

    async def take(self, player_id: str, holder: str, limit: int) -> bool:
        taken = await self._run(self._take, [self._key(player_id)], [holder, limit, self.lease_ms])
        return bool(taken)

    async def release(self, player_id: str, holder: str) -> None:
        try:
            await self.state.client.zrem(self._key(player_id), holder)
        except redis.exceptions.RedisError as error:
            raise Unavailable(f"the shared state store is unreachable: {error}") from error

    async def renew(self, held: Collection[tuple[str, str]]) -> None:
        pairs = list(held)
        for start in range(0, len(pairs), _RENEW_CHUNK):
            chunk = pairs[start : start + _RENEW_CHUNK]
            await self._run(
                self._renew,
                [self._key(player_id) for player_id, _ in chunk],
                [self.lease_ms, *(holder for _, holder in chunk)],
            )

    async def count(self, player_id: str) -> int:
        return int(await self._run(self._count, [self._key(player_id)], []))

    def _key(self, player_id: str) -> str:
        return self.state.key("presence", "player", player_id)

    async def _run(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        try:
            return await script(keys=keys, args=args)
        except redis.exceptions.RedisError as error:
            raise Unavailable(f"the shared state store is unreachable: {error}") from error
