"""SQLite report store: aggregates over the ledger's file, on reader threads of their own.

Open the ledger store first (it migrates the file). Each aggregate is one statement on a
reader connection (WAL: it never blocks the writer); the two liability computations run in
one read transaction so they see the same batches.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from croupier.adapters.storage.report_rows import (
    PeriodReads,
    ReportSql,
    balance_totals,
    kind_totals,
)
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.services.reports.ports import FundingGroup, LiabilityTotals, RoundGroup

__all__ = ["SqliteReportStore"]

_SQL = ReportSql("sqlite")


class SqliteReportStore(SqliteStore):
    """Implements ``croupier.services.reports.ReportStore`` on a SQLite file."""

    thread_prefix = "reports-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("events")

    async def round_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[RoundGroup]:
        return await PeriodReads(self._read, _SQL).round_groups(start_ms, end_ms, game_id)

    async def funding_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[FundingGroup]:
        return await PeriodReads(self._read, _SQL).funding_groups(start_ms, end_ms, game_id)

    async def liability_totals(self) -> LiabilityTotals:
        return await self._on(self._read_thread, self._liabilities)

    def _liabilities(self) -> LiabilityTotals:
        conn = self._reader()
        conn.execute("BEGIN")  # one snapshot (WAL) for every read below
        try:
            return _liabilities_on(conn)
        finally:
            conn.execute("COMMIT")


def _liabilities_on(conn: sqlite3.Connection) -> LiabilityTotals:
    def rows(sql: str) -> list[Any]:
        return conn.execute(sql).fetchall()

    return LiabilityTotals(
        from_balances=balance_totals(rows(_SQL.balances_by_kind())),
        from_transfers=kind_totals(
            rows(_SQL.transfers_by_kind("credit")),
            rows(_SQL.transfers_by_kind("debit")),
            rows(_SQL.open_reservations_by_kind()),
        ),
        head_seq=int(rows(_SQL.head())[0][0]),
    )
