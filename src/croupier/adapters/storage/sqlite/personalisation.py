"""SQLite engagement store, in the ledger's file (the ledger store migrates it: open that
first). Each :meth:`add` is one transaction of upserts that add to the stored counts."""

from __future__ import annotations

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
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.services.engagement.model import PlayCount
from croupier.services.engagement.ports import DayDelta, PlayDelta, PlayerSummary

__all__ = ["SqliteEngagementStore"]


class SqliteEngagementStore(SqliteStore):
    """Implements ``EngagementStore`` on a SQLite file."""

    thread_prefix = "engagement-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("engagement_plays")

    async def add(self, plays: Sequence[PlayDelta], days: Sequence[DayDelta]) -> None:
        if not plays and not days:
            return

        def write() -> None:
            conn = self._writer()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(ADD_PLAY, [play_row(p) for p in plays])
                conn.executemany(ADD_DAY, [day_row(d) for d in days])
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

        await self._on_writer(write)

    async def play_counts(self, *, limit: int) -> list[PlayCount]:
        rows = await self._read(
            "SELECT player_id, game_id, rounds, stake_minor FROM engagement_plays "
            "ORDER BY last_played_ms DESC, player_id, game_id LIMIT ?",
            (limit,),
        )
        return [PlayCount(*row) for row in rows]

    async def player_plays(self, player_id: str) -> list[PlayCount]:
        rows = await self._read(
            "SELECT player_id, game_id, rounds, stake_minor FROM engagement_plays "
            "WHERE player_id = ? ORDER BY game_id",
            (player_id,),
        )
        return [PlayCount(*row) for row in rows]

    async def summaries(
        self, since: date, *, player_id: str | None = None, limit: int
    ) -> list[PlayerSummary]:
        if player_id is None:
            players = [row[0] for row in await self._read(PLAYERS_PAGE, (limit,))]
        else:
            players = [player_id]
        if not players:
            return []
        marks = f"({', '.join('?' * len(players))})"
        lasts = await self._read(f"{LAST_PLAYED}{marks} GROUP BY player_id", tuple(players))
        days = await self._read(f"{DAYS}{marks}", (since.isoformat(), *players))
        return summaries_from_rows(players, lasts, days)

    async def has_open_risk_flag(self, player_id: str) -> bool:
        """Whether the AML risk queue holds an open flag of the player (its table, read)."""
        rows = await self._read(
            "SELECT 1 FROM risk_flags WHERE player_id = ? AND state = 'open' LIMIT 1",
            (player_id,),
        )
        return bool(rows)
