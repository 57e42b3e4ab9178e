"""PostgreSQL store of the payments workflow: the twin of
:mod:`croupier.adapters.storage.sqlite.payments`."""

from __future__ import annotations

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
from croupier.adapters.storage.postgres.base import PostgresPoolStore, placeholders, rows_changed
from croupier.domain.payments.states import State
from croupier.services.payments.reconciliation_items import ReconciliationItem
from croupier.services.payments.store import AttemptRow, PaymentRow

__all__ = ["PostgresPaymentStore"]

_COUNT = len(PAYMENT_COLUMNS.split(","))
_ASSIGN = ", ".join(f"{name} = ${n}" for n, name in enumerate(MUTABLE, start=1))
_AFTER = len(MUTABLE)
_OPEN = ["sent", "pending", "unknown"]
_OPENED_COLUMNS = ", ".join(ITEM_COLUMNS.split(", ")[:ITEM_OPENED])


class PostgresPaymentStore(PostgresPoolStore):
    """Implements ``croupier.services.payments.store.PaymentStore``."""

    required_table = "payments"

    async def create(self, row: PaymentRow) -> bool:
        status = await self._connections().execute(
            f"INSERT INTO payments ({PAYMENT_COLUMNS}) VALUES ({placeholders(_COUNT)}) "
            "ON CONFLICT (id) DO NOTHING",
            *payment_row(row),
        )
        return rows_changed(status) == 1

    async def get(self, payment_id: str) -> PaymentRow | None:
        row = await self._connections().fetchrow(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = $1", payment_id
        )
        return None if row is None else payment_from_row(tuple(row))

    async def update(self, row: PaymentRow, *, state: State, attempt: int) -> bool:
        n = _AFTER
        status = await self._connections().execute(
            f"UPDATE payments SET {_ASSIGN}, updated_ms = ${n + 1} "
            f"WHERE id = ${n + 2} AND state = ${n + 3} AND attempt = ${n + 4}",
            *mutable_values(row),
            row.updated_ms,
            row.id,
            state.value,
            attempt,
        )
        return rows_changed(status) == 1

    async def add_attempt(self, attempt: AttemptRow) -> bool:
        status = await self._connections().execute(
            f"INSERT INTO payment_attempts ({ATTEMPT_COLUMNS}) VALUES ({placeholders(6)}) "
            "ON CONFLICT DO NOTHING",
            attempt.payment_id,
            attempt.attempt,
            attempt.provider,
            attempt.reference,
            attempt.outcome,
            attempt.at_ms,
        )
        return rows_changed(status) == 1

    async def answer_attempt(self, payment_id: str, attempt: int, outcome: str) -> None:
        await self._connections().execute(
            "UPDATE payment_attempts SET outcome = $1 WHERE payment_id = $2 AND attempt = $3",
            outcome,
            payment_id,
            attempt,
        )

    async def attempts(self, payment_id: str) -> list[AttemptRow]:
        rows = await self._connections().fetch(
            f"SELECT {ATTEMPT_COLUMNS} FROM payment_attempts WHERE payment_id = $1 "
            "ORDER BY attempt",
            payment_id,
        )
        return [attempt_from_row(tuple(r)) for r in rows]

    async def due(self, now_ms: int, limit: int) -> list[PaymentRow]:
        rows = await self._connections().fetch(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE next_poll_ms IS NOT NULL "
            "AND next_poll_ms <= $1 AND state = ANY($2::text[]) ORDER BY next_poll_ms LIMIT $3",
            now_ms,
            _OPEN,
            limit,
        )
        return [payment_from_row(tuple(r)) for r in rows]

    async def in_state(self, state: State, limit: int) -> list[PaymentRow]:
        rows = await self._connections().fetch(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE state = $1 ORDER BY updated_ms LIMIT $2",
            state.value,
            limit,
        )
        return [payment_from_row(tuple(r)) for r in rows]

    async def children(self, parent_id: str) -> list[PaymentRow]:
        rows = await self._connections().fetch(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE parent_id = $1 ORDER BY created_ms",
            parent_id,
        )
        return [payment_from_row(tuple(r)) for r in rows]

    async def last_settled_deposit(self, player_id: str, currency: str) -> PaymentRow | None:
        row = await self._connections().fetchrow(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE player_id = $1 AND kind = 'deposit' "
            "AND currency = $2 AND state = 'settled' ORDER BY settled_ms DESC LIMIT 1",
            player_id,
            currency,
        )
        return None if row is None else payment_from_row(tuple(row))

    async def settled_between(self, start_ms: int, end_ms: int) -> list[PaymentRow]:
        rows = await self._connections().fetch(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE settled_ms >= $1 AND settled_ms < $2 "
            "ORDER BY settled_ms",
            start_ms,
            end_ms,
        )
        return [payment_from_row(tuple(r)) for r in rows]

    async def webhook_seen(self, provider: str, event_id: str) -> bool:
        found = await self._connections().fetchval(
            "SELECT 1 FROM payment_webhook_events WHERE provider = $1 AND event_id = $2",
            provider,
            event_id,
        )
        return found is not None

    async def add_webhook(
        self, provider: str, event_id: str, kind: str, reference: str, result: str, at_ms: int
    ) -> bool:
        status = await self._connections().execute(
            "INSERT INTO payment_webhook_events "
            "(provider, event_id, kind, reference, result, received_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            provider,
            event_id,
            kind,
            reference,
            result,
            at_ms,
        )
        return rows_changed(status) == 1

    async def open_items(self, items: Sequence[ReconciliationItem]) -> int:
        sql = (
            f"INSERT INTO reconciliation_items ({_OPENED_COLUMNS}) "
            f"VALUES ({placeholders(ITEM_OPENED)}) ON CONFLICT DO NOTHING"
        )
        opened = 0
        async with self._connections().acquire() as conn, conn.transaction():
            for item in items:  # one transaction: the day's items open together
                opened += rows_changed(await conn.execute(sql, *item_values(item)))
        return opened

    async def reconciliation_items(
        self, *, resolved: bool, limit: int, after: int | None = None
    ) -> list[ReconciliationItem]:
        state = "IS NOT NULL" if resolved else "IS NULL"
        rows = await self._connections().fetch(
            f"SELECT {ITEM_COLUMNS} FROM reconciliation_items WHERE resolved_ms {state} "
            "AND id > $1 ORDER BY id LIMIT $2",
            after or 0,
            limit,
        )
        return [item_from_row(tuple(r)) for r in rows]

    async def reconciliation_item(self, item_id: int) -> ReconciliationItem | None:
        row = await self._connections().fetchrow(
            f"SELECT {ITEM_COLUMNS} FROM reconciliation_items WHERE id = $1", item_id
        )
        return None if row is None else item_from_row(tuple(row))

    async def resolve_item(self, item_id: int, *, staff_id: str, note: str, now_ms: int) -> bool:
        status = await self._connections().execute(
            "UPDATE reconciliation_items SET resolved_ms = $1, resolved_by = $2, note = $3 "
            "WHERE id = $4 AND resolved_ms IS NULL",
            now_ms,
            staff_id,
            note,
            item_id,
        )
        return rows_changed(status) == 1
