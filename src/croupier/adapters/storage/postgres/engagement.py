"""PostgreSQL store of leaderboard definitions, closed periods and tournaments: the twin of
:mod:`croupier.adapters.storage.sqlite.engagement`."""

from __future__ import annotations

from croupier.adapters.storage.engagement_rows import entries_json, period_from_row
from croupier.adapters.storage.postgres.base import PostgresPoolStore, rows_changed
from croupier.services.leaderboards.ports import ClosedPeriod, StoredTournament

__all__ = ["PostgresEngagementStore"]

_PERIOD = "board_id, period, starts_at_ms, ends_at_ms, entries_json"


class PostgresEngagementStore(PostgresPoolStore):
    """Implements :class:`~croupier.services.leaderboards.ports.EngagementStore`."""

    required_table = "tournaments"

    async def _write(self, sql: str, *params: object) -> int:
        return rows_changed(await self._connections().execute(sql, *params))

    async def add_definition(
        self, board_id: str, definition_json: str, by: str, at_ms: int
    ) -> bool:
        sql = (
            "INSERT INTO leaderboard_definitions VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (id) DO NOTHING"
        )
        return await self._write(sql, board_id, definition_json, by, at_ms) == 1

    async def delete_definition(self, board_id: str) -> bool:
        return await self._write("DELETE FROM leaderboard_definitions WHERE id = $1", board_id) == 1

    async def definitions(self) -> list[str]:
        rows = await self._connections().fetch(
            "SELECT definition_json FROM leaderboard_definitions ORDER BY id"
        )
        return [row[0] for row in rows]

    async def archive_period(self, closed: ClosedPeriod) -> bool:
        sql = (
            f"INSERT INTO leaderboard_periods ({_PERIOD}) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (board_id, period) DO NOTHING"
        )
        row = (closed.board_id, closed.period, closed.starts_at_ms, closed.ends_at_ms)
        return await self._write(sql, *row, entries_json(closed)) == 1

    async def closed_period(self, board_id: str, period: str) -> ClosedPeriod | None:
        row = await self._connections().fetchrow(
            f"SELECT {_PERIOD} FROM leaderboard_periods WHERE board_id = $1 AND period = $2",
            board_id,
            period,
        )
        return None if row is None else period_from_row(tuple(row))

    async def closed_periods(self, board_id: str, *, limit: int) -> list[str]:
        rows = await self._connections().fetch(
            "SELECT period FROM leaderboard_periods WHERE board_id = $1 "
            "ORDER BY period DESC LIMIT $2",
            board_id,
            limit,
        )
        return [row[0] for row in rows]

    async def add_tournament(
        self, tournament_id: str, definition_json: str, ends_at_ms: int, at_ms: int
    ) -> bool:
        sql = (
            "INSERT INTO tournaments (id, definition_json, state, ends_at_ms, results_json, "
            "created_at_ms) VALUES ($1, $2, 'open', $3, NULL, $4) ON CONFLICT (id) DO NOTHING"
        )
        return await self._write(sql, tournament_id, definition_json, ends_at_ms, at_ms) == 1

    async def tournament(self, tournament_id: str) -> StoredTournament | None:
        row = await self._connections().fetchrow(
            "SELECT definition_json, state, results_json FROM tournaments WHERE id = $1",
            tournament_id,
        )
        return None if row is None else StoredTournament(*row)

    async def tournaments(self, *, limit: int) -> list[StoredTournament]:
        rows = await self._connections().fetch(
            "SELECT definition_json, state, results_json FROM tournaments "
            "ORDER BY ends_at_ms DESC, id LIMIT $1",
            limit,
        )
        return [StoredTournament(*row) for row in rows]

    async def due_tournaments(self, now_ms: int, *, limit: int) -> list[str]:
        rows = await self._connections().fetch(
            "SELECT id FROM tournaments WHERE state != 'settled' AND ends_at_ms <= $1 "
            "ORDER BY ends_at_ms, id LIMIT $2",
            now_ms,
            limit,
        )
        return [row[0] for row in rows]

    async def move_tournament(
        self, tournament_id: str, *, from_state: str, to_state: str, results_json: str | None
    ) -> bool:
        sql = (
            "UPDATE tournaments SET state = $1, results_json = COALESCE($2, results_json) "
            "WHERE id = $3 AND state = $4"
        )
        return await self._write(sql, to_state, results_json, tournament_id, from_state) == 1

    async def add_entry(
        self, tournament_id: str, player_id: str, *, fee_minor: int, at_ms: int, entrants_max: int
    ) -> bool:
        async with self._connections().acquire() as connection, connection.transaction():
            # the tournament's row, locked: joins of one tournament count entrants one at a time
            await connection.execute(
                "SELECT 1 FROM tournaments WHERE id = $1 FOR UPDATE", tournament_id
            )
            if await connection.fetchval(
                "SELECT 1 FROM tournament_entries WHERE tournament_id = $1 AND player_id = $2",
                tournament_id,
                player_id,
            ):
                return True
            count = await connection.fetchval(
                "SELECT count(*) FROM tournament_entries WHERE tournament_id = $1", tournament_id
            )
            if count >= entrants_max:
                return False
            await connection.execute(
                "INSERT INTO tournament_entries VALUES ($1, $2, $3, $4)",
                tournament_id,
                player_id,
                at_ms,
                fee_minor,
            )
            return True

    async def entries(self, tournament_id: str) -> list[tuple[str, int]]:
        rows = await self._connections().fetch(
            "SELECT player_id, fee_minor FROM tournament_entries WHERE tournament_id = $1 "
            "ORDER BY joined_at_ms, player_id",
            tournament_id,
        )
        return [(row[0], int(row[1])) for row in rows]

    async def entered_at(self, tournament_id: str) -> dict[str, int]:
        rows = await self._connections().fetch(
            "SELECT player_id, joined_at_ms FROM tournament_entries WHERE tournament_id = $1",
            tournament_id,
        )
        return {row[0]: int(row[1]) for row in rows}
