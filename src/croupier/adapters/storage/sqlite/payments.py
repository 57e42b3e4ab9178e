"""SQLite store of the payments workflow (migration 0017), in the ledger's file (the ledger
store migrates it: open that first)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence

from croupier.adapters.storage.payments_rows import (
    ATTEMPT_COLUMNS,
    ITEM_COLUMNS,
    ITEM_OPENED,
    MUTABLE,
    PAYMENT_COLUMNS,
    attempt_from_row,
    item_from_row,
    item_values,
    mutable_values,
    payment_from_row,
    payment_row,
)
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.domain.payments.states import State
from croupier.services.payments.reconciliation_items import ReconciliationItem
from croupier.services.payments.store import AttemptRow, PaymentRow

__all__ = ["SqlitePaymentStore"]

_MARKS = ", ".join("?" * len(PAYMENT_COLUMNS.split(",")))
_ASSIGN = ", ".join(f"{name} = ?" for name in MUTABLE)
_SIX = ", ".join("?" * 6)
_OPEN = ("sent", "pending", "unknown")
_OPENED_COLUMNS = ", ".join(ITEM_COLUMNS.split(", ")[:ITEM_OPENED])


class SqlitePaymentStore(SqliteStore):
    """Implements ``croupier.services.payments.store.PaymentStore``."""

    thread_prefix = "payments-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("payments")

    async def create(self, row: PaymentRow) -> bool:
        sql = f"INSERT OR IGNORE INTO payments ({PAYMENT_COLUMNS}) VALUES ({_MARKS})"
        return await self._changed(sql, payment_row(row))

    async def get(self, payment_id: str) -> PaymentRow | None:
        rows = self._lookup(f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ?", (payment_id,))
        return payment_from_row(rows[0]) if rows else None

    async def update(self, row: PaymentRow, *, state: State, attempt: int) -> bool:
        sql = (
            f"UPDATE payments SET {_ASSIGN}, updated_ms = ? "
            "WHERE id = ? AND state = ? AND attempt = ?"
        )
        params = (*mutable_values(row), row.updated_ms, row.id, state.value, attempt)
        return await self._changed(sql, params)

    async def add_attempt(self, attempt: AttemptRow) -> bool:
        sql = (
            f"INSERT OR IGNORE INTO payment_attempts ({ATTEMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
        )
        params = (
            attempt.payment_id,
            attempt.attempt,
            attempt.provider,
            attempt.reference,
            attempt.outcome,
            attempt.at_ms,
        )
        return await self._changed(sql, params)

    async def answer_attempt(self, payment_id: str, attempt: int, outcome: str) -> None:
        await self._write(
            "UPDATE payment_attempts SET outcome = ? WHERE payment_id = ? AND attempt = ?",
            (outcome, payment_id, attempt),
        )

    async def attempts(self, payment_id: str) -> list[AttemptRow]:
        rows = await self._read(
            f"SELECT {ATTEMPT_COLUMNS} FROM payment_attempts WHERE payment_id = ? ORDER BY attempt",
            (payment_id,),
        )
        return [attempt_from_row(r) for r in rows]

    async def due(self, now_ms: int, limit: int) -> list[PaymentRow]:
        rows = await self._read(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE next_poll_ms IS NOT NULL "
            "AND next_poll_ms <= ? AND state IN (?, ?, ?) ORDER BY next_poll_ms LIMIT ?",
            (now_ms, *_OPEN, limit),
        )
        return [payment_from_row(r) for r in rows]

    async def in_state(self, state: State, limit: int) -> list[PaymentRow]:
        rows = await self._read(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE state = ? ORDER BY updated_ms LIMIT ?",
            (state.value, limit),
        )
        return [payment_from_row(r) for r in rows]

    async def children(self, parent_id: str) -> list[PaymentRow]:
        rows = await self._read(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE parent_id = ? ORDER BY created_ms",
            (parent_id,),
        )
        return [payment_from_row(r) for r in rows]

    async def last_settled_deposit(self, player_id: str, currency: str) -> PaymentRow | None:
        rows = await self._read(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE player_id = ? AND kind = 'deposit' "
            "AND currency = ? AND state = 'settled' ORDER BY settled_ms DESC LIMIT 1",
            (player_id, currency),
        )
        return payment_from_row(rows[0]) if rows else None

    async def settled_between(self, start_ms: int, end_ms: int) -> list[PaymentRow]:
        rows = await self._read(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE settled_ms >= ? AND settled_ms < ? "
            "ORDER BY settled_ms",
            (start_ms, end_ms),
        )
        return [payment_from_row(r) for r in rows]

    async def webhook_seen(self, provider: str, event_id: str) -> bool:
        rows = self._lookup(
            "SELECT 1 FROM payment_webhook_events WHERE provider = ? AND event_id = ?",
            (provider, event_id),
        )
        return bool(rows)

    async def add_webhook(
        self, provider: str, event_id: str, kind: str, reference: str, result: str, at_ms: int
    ) -> bool:
        sql = (
            "INSERT OR IGNORE INTO payment_webhook_events "
            "(provider, event_id, kind, reference, result, received_ms) VALUES (?, ?, ?, ?, ?, ?)"
        )
        return await self._changed(sql, (provider, event_id, kind, reference, result, at_ms))

    async def open_items(self, items: Sequence[ReconciliationItem]) -> int:
        sql = (
            f"INSERT OR IGNORE INTO reconciliation_items ({_OPENED_COLUMNS}) "
            f"VALUES ({', '.join('?' * ITEM_OPENED)})"
        )

        def insert() -> int:
            conn = self._writer()
            conn.execute("BEGIN IMMEDIATE")  # one transaction: the day's items open together
            try:
                opened = sum(conn.execute(sql, item_values(item)).rowcount for item in items)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            return opened

        return await self._on_writer(insert)

    async def reconciliation_items(
        self, *, resolved: bool, limit: int, after: int | None = None
    ) -> list[ReconciliationItem]:
        state = "IS NOT NULL" if resolved else "IS NULL"
        rows = await self._read(
            f"SELECT {ITEM_COLUMNS} FROM reconciliation_items WHERE resolved_ms {state} "
            "AND id > ? ORDER BY id LIMIT ?",
            (after or 0, limit),
        )
        return [item_from_row(r) for r in rows]

    async def reconciliation_item(self, item_id: int) -> ReconciliationItem | None:
        rows = self._lookup(
            f"SELECT {ITEM_COLUMNS} FROM reconciliation_items WHERE id = ?", (item_id,)
        )
        return item_from_row(rows[0]) if rows else None

    async def resolve_item(self, item_id: int, *, staff_id: str, note: str, now_ms: int) -> bool:
        sql = (
            "UPDATE reconciliation_items SET resolved_ms = ?, resolved_by = ?, note = ? "
            "WHERE id = ? AND resolved_ms IS NULL"
        )
        return await self._changed(sql, (now_ms, staff_id, note, item_id))

    async def _changed(self, sql: str, params: tuple[object, ...]) -> bool:
        count = await self._on_writer(lambda: self._writer().execute(sql, params).rowcount)
        return bool(count == 1)
