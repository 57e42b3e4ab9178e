"""PostgreSQL engagement store: the scale-out twin of
:mod:`croupier.adapters.storage.sqlite.personalisation` (same statements, numbered parameters)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from croupier.adapters.storage.personalisation_rows import (
    ADD_DAY,
    ADD_PLAY,
    DAYS,
    LAST_PLAYED,
    PLAYERS_PAGE,
    day_row,
    play_row,
    summaries_from_rows,
)
from croupier.adapters.storage.postgres.base import PostgresPoolStore
from croupier.services.engagement.model import PlayCount
from croupier.services.engagement.ports import DayDelta, PlayDelta, PlayerSummary

__all__ = ["PostgresEngagementStore"]


def _numbered(sql: str) -> str:
    """``?`` placeholders as ``$1, $2, …``."""
    counter = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


class PostgresEngagementStore(PostgresPoolStore):
    """Implements ``EngagementStore`` on PostgreSQL."""

    required_table = "engagement_plays"

    async def add(self, plays: Sequence[PlayDelta], days: Sequence[DayDelta]) -> None:
        if not plays and not days:
            return
        async with self._connections().acquire() as conn, conn.transaction():
            if plays:
                await conn.executemany(_numbered(ADD_PLAY), [play_row(p) for p in plays])
            if days:
                await conn.executemany(_numbered(ADD_DAY), [day_row(d) for d in days])

    async def play_counts(self, *, limit: int) -> list[PlayCount]:
        rows = await self._connections().fetch(
            "SELECT player_id, game_id, rounds, stake_minor FROM engagement_plays "
            "ORDER BY last_played_ms DESC, player_id, game_id LIMIT $1",
            limit,
        )
        return [PlayCount(*row) for row in rows]

    async def player_plays(self, player_id: str) -> list[PlayCount]:
        rows = await self._connections().fetch(
            "SELECT player_id, game_id, rounds, stake_minor FROM engagement_plays "
            "WHERE player_id = $1 ORDER BY game_id",
            player_id,
        )
        return [PlayCount(*row) for row in rows]

    async def summaries(
        self, since: date, *, player_id: str | None = None, limit: int
    ) -> list[PlayerSummary]:
        pool = self._connections()
        if player_id is None:
            players = [row[0] for row in await pool.fetch(_numbered(PLAYERS_PAGE), limit)]
        else:
            players = [player_id]
        if not players:
            return []
        lasts = await pool.fetch(
            f"{LAST_PLAYED}(SELECT unnest($1::text[])) GROUP BY player_id", players
        )
        days = await pool.fetch(
            f"{DAYS.replace('?', '$1')}(SELECT unnest($2::text[]))", since.isoformat(), players
        )
        return summaries_from_rows(players, lasts, days)

    async def has_open_risk_flag(self, player_id: str) -> bool:
        """Whether the AML risk queue holds an open flag of the player (its table, read)."""
        found = await self._connections().fetchval(
            "SELECT 1 FROM risk_flags WHERE player_id = $1 AND state = 'open' LIMIT 1",
            player_id,
        )
        return found is not None
