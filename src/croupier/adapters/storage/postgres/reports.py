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
    ReportSql,
    balance_totals,
    funding_group,
    kind_totals,
    round_group,
    within_limit,
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
        pool = self._connections()
        span = await pool.fetchrow(_SQL.period_batches(), start_ms, end_ms)
        if span is None or span[0] is None:
            return []
        params: tuple[Any, ...] = (span[0], span[1], start_ms, end_ms)
        if game_id is not None:
            params += (game_id,)
        rows = await pool.fetch(_SQL.round_groups(one_game=game_id is not None), *params)
        return [round_group(row) for row in within_limit(rows, "rounds")]

    async def funding_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[FundingGroup]:
        rows = await self._connections().fetch(_SQL.funding_groups(), start_ms, end_ms)
        groups = [funding_group(row) for row in within_limit(rows, "jackpot fundings")]
        return [g for g in groups if game_id is None or g.game_id == game_id]

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
