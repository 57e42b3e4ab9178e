"""PostgreSQL store of the players' responsible-gambling settings: the twin of
:mod:`croupier.adapters.storage.sqlite.responsible`."""

from __future__ import annotations

from datetime import datetime

from croupier.adapters.storage.postgres.base import PostgresPoolStore, rows_changed
from croupier.adapters.storage.responsible_rows import COLUMNS, state_from_row, state_row
from croupier.domain.compliance.responsible import ResponsibleState

__all__ = ["PostgresResponsibleStore"]

_NAMES = [column.strip() for column in COLUMNS.split(",")]
_MARKS = ", ".join(f"${n}" for n in range(1, 13))
_ASSIGN = ", ".join(f"{name} = ${n}" for n, name in enumerate(_NAMES[1:], start=2))


class PostgresResponsibleStore(PostgresPoolStore):
    """Implements ``croupier.services.compliance.responsible.ResponsibleStore``."""

    required_table = "responsible_gambling"

    async def get(self, player_id: str) -> tuple[ResponsibleState, int] | None:
        row = await self._connections().fetchrow(
            f"SELECT {COLUMNS} FROM responsible_gambling WHERE player_id = $1", player_id
        )
        return None if row is None else state_from_row(tuple(row))

    async def put(self, state: ResponsibleState, *, version: int, at: datetime) -> bool:
        """Insert (``version`` 0) or update the row last read at ``version``; ``False`` if
        another change came first (read again and retry)."""
        row = state_row(state, version + 1, at)
        if version == 0:
            status = await self._connections().execute(
                f"INSERT INTO responsible_gambling ({COLUMNS}) VALUES ({_MARKS}) "
                "ON CONFLICT (player_id) DO NOTHING",
                *row,
            )
        else:
            status = await self._connections().execute(
                f"UPDATE responsible_gambling SET {_ASSIGN} WHERE player_id = $1 AND version = $13",
                *row,
                version,
            )
        return rows_changed(status) == 1

    async def excluded(
        self, now_ms: int, *, after_player_id: str, limit: int
    ) -> list[ResponsibleState]:
        rows = await self._connections().fetch(
            f"SELECT {COLUMNS} FROM responsible_gambling WHERE exclusion_kind IS NOT NULL "
            "AND exclusion_until_ms > $1 AND player_id > $2 ORDER BY player_id LIMIT $3",
            now_ms,
            after_player_id,
            limit,
        )
        return [state_from_row(tuple(row))[0] for row in rows]
