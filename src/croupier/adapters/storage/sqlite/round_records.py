"""SQLite: the rounds started in a period, for the regulator's export (read-only)."""

from __future__ import annotations

from croupier.adapters.storage.sqlite.base import SqliteStore

__all__ = ["ROUNDS_STARTED_SQL", "SqliteRoundIndex"]

#: A round's stream is ``round:<id>``; its first event (seq 1) is when it started. The
#: period is found on ``batches`` and the events through their batch index, as the reports do.
ROUNDS_STARTED_SQL = (
    "SELECT stream FROM events WHERE batch_seq BETWEEN "
    "(SELECT COALESCE(MIN(seq), 0) FROM batches WHERE timestamp_ms >= {0} AND timestamp_ms < {1}) "
    "AND (SELECT COALESCE(MAX(seq), -1) FROM batches "
    "WHERE timestamp_ms >= {0} AND timestamp_ms < {1}) "
    "AND seq = 1 AND stream LIKE 'round:%' ORDER BY batch_seq, stream"
)


class SqliteRoundIndex(SqliteStore):
    thread_prefix = "records-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("events")

    async def rounds_started(self, start_ms: int, end_ms: int) -> list[str]:
        rows = await self._read(ROUNDS_STARTED_SQL.format("?1", "?2"), (start_ms, end_ms))
        return [row[0].removeprefix("round:") for row in rows]
