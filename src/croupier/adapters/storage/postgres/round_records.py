"""PostgreSQL: the rounds started in a period, for the regulator's export (read-only)."""

from __future__ import annotations

from croupier.adapters.storage.postgres.base import PostgresPoolStore
from croupier.adapters.storage.sqlite.round_records import ROUNDS_STARTED_SQL

__all__ = ["PostgresRoundIndex"]


class PostgresRoundIndex(PostgresPoolStore):
    required_table = "events"

    async def rounds_started(self, start_ms: int, end_ms: int) -> list[str]:
        rows = await self._connections().fetch(
            ROUNDS_STARTED_SQL.format("$1", "$2"), start_ms, end_ms
        )
        return [str(row[0]).removeprefix("round:") for row in rows]
