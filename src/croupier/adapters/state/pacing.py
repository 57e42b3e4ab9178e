"""Spin pacing on Redis: the :class:`~croupier.services.compliance.pacing.SpinPacer` port
shared by every gateway.

One key per player, ``pace:player:<id>``, holding the start of the last spin that passed
(integer microseconds, the service's clock). Taking a spin is one Lua script, atomic on the
server and one round trip: it compares the recorded spin with now and, only if the interval
has passed, records now; of two spins at once through two gateways exactly one passes. A
give-back restores the previous value only if the key still holds the spin being given back.
The key expires a minute after its interval ends (a spin that old binds no one), so Redis
holds only the players who spun lately. Player ids are opaque; no personal data is stored.
Redis unreachable: ``Unavailable`` (503), the spin refused, never let through unpaced.
Microseconds since the epoch (about 1.8 × 10¹⁵) are exact in Lua's doubles (2⁵³).
"""

from __future__ import annotations

from typing import Any, Final

import redis.exceptions

from croupier.adapters.state.connection import RedisState
from croupier.domain.errors import Unavailable
from croupier.services.compliance.pacing import SpinTake

__all__ = ["RedisSpinPacer"]

_LINGER_MS: Final = 60_000  # beyond the interval: a key's time to live

# KEYS: the player's key; ARGV: now_us, interval_us, ttl_ms. Returns {taken, previous or -1}.
_TAKE = """
local now, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
local previous = redis.call('GET', KEYS[1])
if previous then
  previous = tonumber(previous)
  local elapsed = now - previous
  if interval > 0 and (elapsed < 0 or elapsed < interval) then return {0, previous} end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[3]))
return {1, previous or -1}
"""

# KEYS: the player's key; ARGV: taken_us, previous_us ('' for none). The previous spin keeps
# the taken one's time to live: it is older, so that is long enough.
_GIVE_BACK = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
end
return 1
"""


class RedisSpinPacer:
    def __init__(self, state: RedisState) -> None:
        self.state = state
        self._take = state.client.register_script(_TAKE)
        self._give_back = state.client.register_script(_GIVE_BACK)

    async def take(self, player_id: str, now_us: int, interval_us: int) -> SpinTake:
        taken, previous = await self._run(
            self._take, [self._key(player_id)], [now_us, interval_us, _ttl_ms(interval_us)]
        )
        previous_us = int(previous)
        return SpinTake(bool(int(taken)), None if previous_us < 0 else previous_us)

    async def give_back(self, player_id: str, taken_us: int, previous_us: int | None) -> None:
        previous = "" if previous_us is None else str(previous_us)
        await self._run(self._give_back, [self._key(player_id)], [str(taken_us), previous])

    def _key(self, player_id: str) -> str:
        return self.state.key("pace", "player", player_id)

    async def _run(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        try:
            return await script(keys=keys, args=args)
        except redis.exceptions.RedisError as error:
            raise Unavailable(f"the shared state store is unreachable: {error}") from error


def _ttl_ms(interval_us: int) -> int:
    return -(-interval_us // 1000) + _LINGER_MS
