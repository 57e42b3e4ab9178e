"""The jackpot display values on Redis (the
:class:`~croupier.services.jackpots.display.JackpotDisplay` port): one hash,
``jackpots:tick``, holding the newest tick (seq, time, JSON data). A save is one Lua script
that keeps it only if its seq is not older than the one kept, so a late, out-of-order save
never shows older values. The key expires an hour after the last save (the ticker repeats
its tick every few seconds), so a deployment without a ticker shows nothing stale."""

from __future__ import annotations

from typing import Any

import redis.exceptions

from croupier.adapters.state.connection import RedisState
from croupier.domain.errors import Unavailable
from croupier.services.jackpots import TICK_TYPE
from croupier.services.stream import JACKPOTS_STREAM, StreamEvent

__all__ = ["RedisJackpotDisplay"]

_TTL_S = 3_600

# KEYS: the tick's hash; ARGV: seq, ts_ms, data, ttl_s
_SAVE = """
local kept = tonumber(redis.call('HGET', KEYS[1], 'seq') or '-1')
if tonumber(ARGV[1]) < kept then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'ts', ARGV[2], 'data', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


class RedisJackpotDisplay:
    def __init__(self, state: RedisState) -> None:
        self.state = state
        self._key = state.key("jackpots", "tick")
        self._save = state.client.register_script(_SAVE)

    async def save(self, tick: StreamEvent) -> None:
        await self._run(
            self._save(keys=[self._key], args=[tick.seq, tick.ts_ms, tick.data_json, _TTL_S])
        )

    async def latest(self) -> StreamEvent | None:
        kept = await self._run(self.state.client.hgetall(self._key))
        if not kept:
            return None
        return StreamEvent(
            JACKPOTS_STREAM, int(kept[b"seq"]), TICK_TYPE, int(kept[b"ts"]), kept[b"data"].decode()
        )

    async def _run(self, command: Any) -> Any:
        try:
            return await command
        except redis.exceptions.RedisError as error:
            raise Unavailable(f"the shared state store is unreachable: {error}") from error
