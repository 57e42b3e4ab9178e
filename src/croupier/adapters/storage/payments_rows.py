"""The rows of ``payments``, ``payment_attempts`` (``0017_payments.sql``) and
``reconciliation_items`` (``0022_reconciliation_items.sql``), shared by the
SQLite and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from croupier.domain.payments.states import Kind, State
from croupier.services.payments.reconciliation_items import ReconciliationItem
from croupier.services.payments.store import AttemptRow, PaymentRow

__all__ = [
    "ATTEMPT_COLUMNS",
    "ITEM_COLUMNS",
    "ITEM_OPENED",
    "MUTABLE",
    "PAYMENT_COLUMNS",
    "attempt_from_row",
    "item_from_row",
    "item_values",
    "mutable_values",
    "payment_from_row",
    "payment_row",
]

PAYMENT_COLUMNS = (
    "id, player_id, kind, amount_minor, currency, idempotency_key, parent_id, "
    "instrument_kind, instrument_token, instrument_country, provider, attempt, state, flag, "
    "polls, next_poll_ms, settled_ms, created_ms, updated_ms"
)
#: What an update may change (the rest is the payment's identity).
MUTABLE = ("provider", "attempt", "state", "flag", "polls", "next_poll_ms", "settled_ms")
ATTEMPT_COLUMNS = "payment_id, attempt, provider, reference, outcome, at_ms"


def payment_row(p: PaymentRow) -> tuple[Any, ...]:
    return (
        p.id,
        p.player_id,
        p.kind.value,
        p.amount_minor,
        p.currency,
        p.idempotency_key,
        p.parent_id,
        p.instrument_kind,
        p.instrument_token,
        p.instrument_country,
        p.provider,
        p.attempt,
        p.state.value,
        p.flag,
        p.polls,
        p.next_poll_ms,
        p.settled_ms,
        p.created_ms,
        p.updated_ms,
    )


def mutable_values(p: PaymentRow) -> tuple[Any, ...]:
    return (p.provider, p.attempt, p.state.value, p.flag, p.polls, p.next_poll_ms, p.settled_ms)


def payment_from_row(r: Sequence[Any]) -> PaymentRow:
    return PaymentRow(
        id=r[0],
        player_id=r[1],
        kind=Kind(r[2]),
        amount_minor=int(r[3]),
        currency=r[4],
        idempotency_key=r[5],
        parent_id=r[6],
        instrument_kind=r[7],
        instrument_token=r[8],
        instrument_country=r[9],
        provider=r[10],
        attempt=int(r[11]),
        state=State(r[12]),
        flag=r[13],
        polls=int(r[14]),
        next_poll_ms=None if r[15] is None else int(r[15]),
        settled_ms=None if r[16] is None else int(r[16]),
        created_ms=int(r[17]),
        updated_ms=int(r[18]),
    )


def attempt_from_row(r: Sequence[Any]) -> AttemptRow:
    return AttemptRow(r[0], int(r[1]), r[2], r[3], r[4], int(r[5]))


#: The reconciliation queue's columns (migration 0022), in :class:`ReconciliationItem` order
#: after ``id``.
ITEM_COLUMNS = (
    "day, provider, reference, kind, ledger_minor, provider_minor, currency, problem, "
    "opened_ms, id, resolved_ms, resolved_by, note"
)
#: The columns an opening writes (the store assigns the id; nothing is resolved yet).
ITEM_OPENED = 9


def item_values(item: ReconciliationItem) -> tuple[object, ...]:
    return (
        item.day,
        item.provider,
        item.reference,
        item.kind,
        item.ledger_minor,
        item.provider_minor,
        item.currency,
        item.problem,
        item.opened_ms,
    )


def item_from_row(r: Sequence[Any]) -> ReconciliationItem:
    return ReconciliationItem(*r)
