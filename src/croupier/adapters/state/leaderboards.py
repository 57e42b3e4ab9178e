"""The boards on Redis sorted sets (``<prefix>:lb:<board>:<period>``), at scale.

* ``best``: ``ZADD key GT packed player`` (the packed score is better-is-larger on both
  sorts, so GT keeps the better score, and of equal scores the earlier);
* ``set``: ``ZADD key packed player``;
* ``incr``: a Lua script (``ZSCORE``, add, ``ZADD``): ``ZINCRBY`` alone would add to the
  score but keep the time of the first value, when the tie-break wants the time the sum was
  reached. Lua numbers are float64: the packed values stay exact (< 2^53), and go back to
Redis written with every digit.

Queries: ``ZREVRANK`` (a rank), ``ZRANGE key start stop REV WITHSCORES`` (a page), ``ZCARD``.
A batch of updates is one pipelined round trip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis.exceptions

from croupier.adapters.state.connection import RedisState
from croupier.domain.engagement.scores import (
    SCORE_MAX,
    TIME_BITS,
    TIME_MAX_S,
    decode_score,
    encode_score,
)
from croupier.domain.errors import Unavailable
from croupier.services.leaderboards.ports import Entry, Update, check_sequence

__all__ = ["RedisBoards"]

# KEYS: board; ARGV: player, delta, t_s, sort ('desc'|'asc'). Mirrors domain/engagement/scores.
_INCR = f"""
local shift = {2**TIME_BITS}
local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
local score = tonumber(ARGV[2])
if old then
  local kept = math.floor(tonumber(old) / shift)
  if ARGV[4] == 'asc' then kept = {SCORE_MAX} - kept end
  score = score + kept
end
if score > {SCORE_MAX} then score = {SCORE_MAX} end
local rank_score = score
if ARGV[4] == 'asc' then rank_score = {SCORE_MAX} - score end
local packed = rank_score * shift + ({TIME_MAX_S} - tonumber(ARGV[3]))
-- as text with every digit: Lua's own number format (%.14g) would round it
redis.call('ZADD', KEYS[1], string.format('%.0f', packed), ARGV[1])
return 1
"""


class RedisBoards:
    """Implements :class:`~croupier.services.leaderboards.ports.BoardState` on Redis."""

    def __init__(self, state: RedisState, *, owns_state: bool = False) -> None:
        self.state = state
        self._owns_state = owns_state
        self._incr = state.client.register_script(_INCR)

    def _key(self, key: str) -> str:
        return self.state.key("lb", key)

    async def apply(self, updates: Sequence[Update]) -> None:
        check_sequence(updates)
        if not updates:
            return
        pipe = self.state.client.pipeline(transaction=False)
        for update in updates:
            key = self._key(update.key)
            if update.operator == "incr":
                args: list[str | int] = [update.player_id, update.score, update.t_s, update.sort]
                await self._incr(keys=[key], args=args, client=pipe)  # queued, not sent
                continue
            packed = encode_score(update.score, update.t_s, sort=update.sort)
            pipe.zadd(key, {update.player_id: packed}, gt=update.operator == "best")
        await self._run(pipe.execute())

    async def top(self, key: str, limit: int, *, sort: str, offset: int = 0) -> list[Entry]:
        if limit <= 0:
            return []
        # ZRANGE … REV by hand: redis-py's zrange(desc=True) sends the deprecated ZREVRANGE
        last = offset + limit - 1
        command = ("ZRANGE", self._key(key), offset, last, "REV", "WITHSCORES")
        rows = await self._run(
            self.state.client.execute_command(*command, withscores=True)  # type: ignore[no-untyped-call]
        )
        return [
            Entry(offset + n, member.decode(), *decode_score(packed, sort=sort))
            for n, (member, packed) in enumerate(rows, start=1)
        ]

    async def entry(self, key: str, player_id: str, *, sort: str) -> Entry | None:
        pipe = self.state.client.pipeline(transaction=False)
        pipe.zrevrank(self._key(key), player_id)
        pipe.zscore(self._key(key), player_id)
        rank, packed = await self._run(pipe.execute())
        if rank is None or packed is None:
            return None
        return Entry(int(rank) + 1, player_id, *decode_score(packed, sort=sort))

    async def size(self, key: str) -> int:
        return int(await self._run(self.state.client.zcard(self._key(key))))

    async def delete(self, key: str) -> None:
        await self._run(self.state.client.delete(self._key(key)))

    async def close(self) -> None:
        if self._owns_state:
            await self.state.close()

    async def _run(self, command: Any) -> Any:
        try:
            return await command
        except redis.exceptions.RedisError as error:
            raise Unavailable(f"the shared state store is unreachable: {error}") from error
