"""What the PostgreSQL side stores share: a small asyncpg pool on a database the ledger store
has already migrated."""

from __future__ import annotations

import asyncpg

__all__ = ["PostgresPoolStore", "placeholders", "rows_changed"]

_CONNECT_TIMEOUT_S = 10.0


def placeholders(count: int, start: int = 1) -> str:
    """``$start, …`` for ``count`` parameters of a statement."""
    return ", ".join(f"${n}" for n in range(start, start + count))


def rows_changed(status: str) -> int:
    """The row count of an asyncpg command status (``UPDATE 1``, ``INSERT 0 1``)."""
    return int(status.rsplit(" ", 1)[-1])


class PostgresPoolStore:
    """Base of the PostgreSQL stores other than the ledger's (players, seed pairs)."""

    #: A table the store needs; opening fails clearly when the migrations have not run.
    required_table = ""

    def __init__(self, dsn: str, *, connections_max: int = 4) -> None:
        if not 1 <= connections_max <= 100:
            raise ValueError("connections_max must be in 1..100")
        self.dsn = dsn
        self.connections_max = connections_max
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        pool = await asyncpg.create_pool(
            self.dsn, min_size=1, max_size=self.connections_max, timeout=_CONNECT_TIMEOUT_S
        )
        if await pool.fetchval("SELECT to_regclass($1)", self.required_table) is None:
            await pool.close()
            raise RuntimeError(f"no {self.required_table} table: open the ledger store first")
        self._pool = pool

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    def _connections(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"the {type(self).__name__} is not open")
        return self._pool
