"""The back office's reconciliation queue (migration 0022): one item per amount mismatch or
line found on one side only, opened by ``croupier payments reconcile`` and resolved by staff
with a note. An item is named by (day, provider, reference, kind), so opening is idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from croupier.domain.payments.reconciliation import Reconciliation

__all__ = ["PROBLEMS", "ReconciliationItem", "items_of"]

PROBLEMS = ("amount-mismatch", "only-in-ledger", "only-at-provider")


@dataclass(frozen=True, slots=True)
class ReconciliationItem:
    day: str  # YYYY-MM-DD, UTC
    provider: str
    reference: str
    kind: str
    ledger_minor: int | None
    provider_minor: int | None
    currency: str
    problem: str
    opened_ms: int
    id: int = 0  # assigned by the store
    resolved_ms: int | None = None
    resolved_by: str | None = None  # the staff id
    note: str | None = None

    @property
    def resolved(self) -> bool:
        return self.resolved_ms is not None


def items_of(day: dt.date, result: Reconciliation, now_ms: int) -> list[ReconciliationItem]:
    """The items a day's reconciliation opens: each mismatch, then each one-sided line."""
    iso = day.isoformat()
    items = [
        ReconciliationItem(
            iso,
            m.provider,
            m.ledger.reference,
            m.ledger.kind,
            m.ledger.amount_minor,
            m.reported.amount_minor,
            m.ledger.currency,
            "amount-mismatch",
            now_ms,
        )
        for m in result.mismatches
    ]
    items += [
        ReconciliationItem(
            iso,
            line.provider,
            line.reference,
            line.kind,
            line.amount_minor,
            None,
            line.currency,
            "only-in-ledger",
            now_ms,
        )
        for line in result.only_in_ledger
    ]
    items += [
        ReconciliationItem(
            iso,
            only.provider,
            only.reported.reference,
            only.reported.kind,
            None,
            only.reported.amount_minor,
            only.reported.currency,
            "only-at-provider",
            now_ms,
        )
        for only in result.only_at_provider
    ]
    return items
