"""SQLite store of leaderboard definitions, closed periods and tournaments (migration 0020),
in the ledger's file (the ledger store migrates it: open that first)."""

from __future__ import annotations

from croupier.adapters.storage.engagement_rows import entries_json, period_from_row
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.services.leaderboards.ports import ClosedPeriod, StoredTournament

__all__ = ["SqliteEngagementStore"]

_PERIOD = "board_id, period, starts_at_ms, ends_at_ms, entries_json"


class SqliteEngagementStore(SqliteStore):
    """Implements :class:`~croupier.services.leaderboards.ports.EngagementStore`."""

    thread_prefix = "engagement-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("tournaments")

    async def _change(self, sql: str, params: tuple[object, ...]) -> int:
        return int(await self._on_writer(lambda: self._writer().execute(sql, params).rowcount))

    async def add_definition(
        self, board_id: str, definition_json: str, by: str, at_ms: int
    ) -> bool:
        sql = "INSERT OR IGNORE INTO leaderboard_definitions VALUES (?, ?, ?, ?)"
        return await self._change(sql, (board_id, definition_json, by, at_ms)) == 1

    async def delete_definition(self, board_id: str) -> bool:
        sql = "DELETE FROM leaderboard_definitions WHERE id = ?"
        return await self._change(sql, (board_id,)) == 1

    async def definitions(self) -> list[str]:
        rows = await self._read("SELECT definition_json FROM leaderboard_definitions ORDER BY id")
        return [row[0] for row in rows]

    async def archive_period(self, closed: ClosedPeriod) -> bool:
        sql = f"INSERT OR IGNORE INTO leaderboard_periods ({_PERIOD}) VALUES (?, ?, ?, ?, ?)"
        row = (closed.board_id, closed.period, closed.starts_at_ms, closed.ends_at_ms)
        return await self._change(sql, (*row, entries_json(closed))) == 1

    async def closed_period(self, board_id: str, period: str) -> ClosedPeriod | None:
        rows = await self._read(
            f"SELECT {_PERIOD} FROM leaderboard_periods WHERE board_id = ? AND period = ?",
            (board_id, period),
        )
        return period_from_row(tuple(rows[0])) if rows else None

    async def closed_periods(self, board_id: str, *, limit: int) -> list[str]:
        rows = await self._read(
            "SELECT period FROM leaderboard_periods WHERE board_id = ? "
            "ORDER BY period DESC LIMIT ?",
            (board_id, limit),
        )
        return [row[0] for row in rows]

    async def add_tournament(
        self, tournament_id: str, definition_json: str, ends_at_ms: int, at_ms: int
    ) -> bool:
        sql = (
            "INSERT OR IGNORE INTO tournaments (id, definition_json, state, ends_at_ms, "
            "results_json, created_at_ms) VALUES (?, ?, 'open', ?, NULL, ?)"
        )
        return await self._change(sql, (tournament_id, definition_json, ends_at_ms, at_ms)) == 1

    async def tournament(self, tournament_id: str) -> StoredTournament | None:
        rows = await self._read(
            "SELECT definition_json, state, results_json FROM tournaments WHERE id = ?",
            (tournament_id,),
        )
        return StoredTournament(*rows[0]) if rows else None

    async def tournaments(self, *, limit: int) -> list[StoredTournament]:
        rows = await self._read(
            "SELECT definition_json, state, results_json FROM tournaments "
            "ORDER BY ends_at_ms DESC, id LIMIT ?",
            (limit,),
        )
        return [StoredTournament(*row) for row in rows]

    async def due_tournaments(self, now_ms: int, *, limit: int) -> list[str]:
        rows = await self._read(
            "SELECT id FROM tournaments WHERE state != 'settled' AND ends_at_ms <= ? "
            "ORDER BY ends_at_ms, id LIMIT ?",
            (now_ms, limit),
        )
        return [row[0] for row in rows]

    async def move_tournament(
        self, tournament_id: str, *, from_state: str, to_state: str, results_json: str | None
    ) -> bool:
        sql = (
            "UPDATE tournaments SET state = ?, results_json = COALESCE(?, results_json) "
            "WHERE id = ? AND state = ?"
        )
        return await self._change(sql, (to_state, results_json, tournament_id, from_state)) == 1

    async def add_entry(
        self, tournament_id: str, player_id: str, *, fee_minor: int, at_ms: int, entrants_max: int
    ) -> bool:
        sql = (
            "INSERT OR IGNORE INTO tournament_entries "
            "SELECT ?, ?, ?, ? WHERE (SELECT count(*) FROM tournament_entries "
            "WHERE tournament_id = ?) < ?"
        )
        params = (tournament_id, player_id, at_ms, fee_minor, tournament_id, entrants_max)
        if await self._change(sql, params) == 1:
            return True
        found = await self._read(
            "SELECT 1 FROM tournament_entries WHERE tournament_id = ? AND player_id = ?",
            (tournament_id, player_id),
        )
        return bool(found)

    async def entries(self, tournament_id: str) -> list[tuple[str, int]]:
        rows = await self._read(
            "SELECT player_id, fee_minor FROM tournament_entries WHERE tournament_id = ? "
            "ORDER BY joined_at_ms, player_id",
            (tournament_id,),
        )
        return [(row[0], int(row[1])) for row in rows]

    async def entered_at(self, tournament_id: str) -> dict[str, int]:
        rows = await self._read(
            "SELECT player_id, joined_at_ms FROM tournament_entries WHERE tournament_id = ?",
            (tournament_id,),
        )
        return {row[0]: int(row[1]) for row in rows}
