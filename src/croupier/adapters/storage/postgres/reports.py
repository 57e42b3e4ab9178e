"""PostgreSQL report store: aggregates over the ledger's tables, on a small pool of its own.

The database groups the rows (``GROUP BY`` over ``data_json::jsonb``); the two liability
computations run in one ``REPEATABLE READ`` read-only transaction so they see the same
batches. Sums come back as ``numeric`` (no overflow) and are turned into ``int``.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from croupier.adapters.storage.postgres.base import PostgresPoolStore
from croupier.adapters.storage.report_rows import (
    PeriodReads,
    ReportSql,
    balance_totals,
    kind_totals,
)
from croupier.services.reports.ports import FundingGroup, LiabilityTotals, RoundGroup

__all__ = ["PostgresReportStore"]

_SQL = ReportSql("postgres")


class PostgresReportStore(PostgresPoolStore):
    """Implements ``croupier.services.reports.ReportStore`` on PostgreSQL."""

    required_table = "events"

    def __init__(self, dsn: str, *, connections_max: int = 2) -> None:
        super().__init__(dsn, connections_max=connections_max)

    async def round_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[RoundGroup]:
        return await self._period().round_groups(start_ms, end_ms, game_id)

    async def funding_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[FundingGroup]:
        return await self._period().funding_groups(start_ms, end_ms, game_id)

    def _period(self) -> PeriodReads:
        pool = self._connections()

        async def fetch(sql: str, params: tuple[Any, ...]) -> list[Any]:
            return list(await pool.fetch(sql, *params))

        return PeriodReads(fetch, _SQL)

    async def liability_totals(self) -> LiabilityTotals:
        async with (
            self._connections().acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            return await _liabilities_on(conn)


async def _liabilities_on(conn: asyncpg.Connection) -> LiabilityTotals:
    return LiabilityTotals(
        from_balances=balance_totals(await conn.fetch(_SQL.balances_by_kind())),
        from_transfers=kind_totals(
            await conn.fetch(_SQL.transfers_by_kind("credit")),
            await conn.fetch(_SQL.transfers_by_kind("debit")),
            await conn.fetch(_SQL.open_reservations_by_kind()),
        ),
        head_seq=int(await conn.fetchval(_SQL.head())),
    )
