"""SQLite store of the players' responsible-gambling settings (migration 0014), in the
ledger's file (the ledger store migrates it: open that first)."""

from __future__ import annotations

from datetime import datetime

from croupier.adapters.storage.responsible_rows import COLUMNS, state_from_row, state_row
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.domain.compliance.responsible import ResponsibleState

__all__ = ["SqliteResponsibleStore"]

_MARKS = ", ".join("?" * 12)
_ASSIGN = ", ".join(f"{column.strip()} = ?" for column in COLUMNS.split(",")[1:])


class SqliteResponsibleStore(SqliteStore):
    """Implements ``croupier.services.compliance.responsible.ResponsibleStore``."""

    thread_prefix = "rg-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("responsible_gambling")

    async def get(self, player_id: str) -> tuple[ResponsibleState, int] | None:
        rows = self._lookup(
            f"SELECT {COLUMNS} FROM responsible_gambling WHERE player_id = ?", (player_id,)
        )
        return state_from_row(rows[0]) if rows else None

    async def put(self, state: ResponsibleState, *, version: int, at: datetime) -> bool:
        """Insert (``version`` 0) or update the row last read at ``version``; ``False`` if
        another change came first (read again and retry)."""
        row = state_row(state, version + 1, at)
        if version == 0:
            sql = f"INSERT OR IGNORE INTO responsible_gambling ({COLUMNS}) VALUES ({_MARKS})"
            params: tuple[object, ...] = row
        else:
            sql = f"UPDATE responsible_gambling SET {_ASSIGN} WHERE player_id = ? AND version = ?"
            params = (*row[1:], state.player_id, version)
        changed = await self._on_writer(lambda: self._writer().execute(sql, params).rowcount)
        return bool(changed == 1)

    async def excluded(
        self, now_ms: int, *, after_player_id: str, limit: int
    ) -> list[ResponsibleState]:
        rows = await self._read(
            f"SELECT {COLUMNS} FROM responsible_gambling WHERE exclusion_kind IS NOT NULL "
            "AND exclusion_until_ms > ? AND player_id > ? ORDER BY player_id LIMIT ?",
            (now_ms, after_player_id, limit),
        )
        return [state_from_row(row)[0] for row in rows]
