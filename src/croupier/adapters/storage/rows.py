"""Row encodings shared by the SQL adapters: one place that knows the column order."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from croupier.domain.ledger import (
    Account,
    AccountKind,
    Balance,
    BatchRecord,
    Event,
    Transfer,
    TransferKind,
)
from croupier.services.ledger.ports import FIRST_EVENTS_PER_STREAM_MAX, FIRST_EVENTS_STREAMS_MAX

__all__ = [
    "ACCOUNT_COLUMNS",
    "ALL_KINDS",
    "EVENT_COLUMNS",
    "POSTED_KINDS",
    "TRANSFER_COLUMNS",
    "Fetch",
    "SnapshotReads",
    "account_from_row",
    "account_row",
    "assemble_batches",
    "event_from_row",
    "events_by_stream",
    "first_events_streams",
    "pending_changes",
    "transfer_from_row",
    "transfer_row",
]

#: Transfer kinds that move money for good (``pending`` reserves, ``void`` cancels).
POSTED_KINDS = (TransferKind.SINGLE.value, TransferKind.POST.value)
ALL_KINDS = tuple(kind.value for kind in TransferKind)

EVENT_COLUMNS = "stream, seq, type, data_json, timestamp_ms, batch_seq"

ACCOUNT_COLUMNS = (
    "id, kind, currency, floor_minor, debits_posted, credits_posted, debits_pending, "
    "credits_pending"
)
TRANSFER_COLUMNS = (
    "id, kind, debit_account_id, credit_account_id, amount_minor, currency, pending_id, reason, "
    "metadata_json, timestamp_ms, expires_at_ms, batch_seq"
)


def account_row(
    account: Account, balance: Balance, batch_seq: int, position: int
) -> tuple[Any, ...]:
    return (
        account.id,
        account.kind.value,
        account.currency,
        account.floor_minor,
        batch_seq,
        position,
        balance.debits_posted,
        balance.credits_posted,
        balance.debits_pending,
        balance.credits_pending,
    )


def account_from_row(row: Sequence[Any]) -> tuple[Account, Balance]:
    account = Account(id=row[0], kind=AccountKind(row[1]), currency=row[2], floor_minor=row[3])
    return account, Balance(row[4], row[5], row[6], row[7])


def transfer_row(transfer: Transfer) -> tuple[Any, ...]:
    return (
        transfer.id,
        transfer.kind.value,
        transfer.debit_account_id,
        transfer.credit_account_id,
        transfer.amount_minor,
        transfer.currency,
        transfer.pending_id,
        transfer.reason,
        transfer.metadata_json,
        transfer.timestamp_ms,
        transfer.expires_at_ms,
        transfer.batch_seq,
    )


def transfer_from_row(row: Sequence[Any]) -> Transfer:
    return Transfer(
        id=row[0],
        kind=TransferKind(row[1]),
        debit_account_id=row[2],
        credit_account_id=row[3],
        amount_minor=row[4],
        currency=row[5],
        pending_id=row[6],
        reason=row[7],
        metadata_json=row[8],
        timestamp_ms=row[9],
        expires_at_ms=row[10],
        batch_seq=row[11],
    )


def pending_changes(batch: BatchRecord) -> tuple[list[str], list[str]]:
    """Ids that become open pendings, and ids that stop being open, in one batch."""
    opened = {t.id for t in batch.transfers if t.kind is TransferKind.PENDING}
    closed = {t.pending_id for t in batch.transfers if t.pending_id is not None}
    return sorted(opened - closed), sorted(closed - opened)


def event_from_row(row: Sequence[Any]) -> Event:
    return Event(row[0], row[1], row[2], row[3], row[4], row[5])


def first_events_streams(streams: Collection[str], limit_per_stream: int) -> list[str]:
    """The distinct streams of a ``first_events`` call, checked against its bounds."""
    names = sorted(set(streams))
    if len(names) > FIRST_EVENTS_STREAMS_MAX:
        raise ValueError(f"first_events reads at most {FIRST_EVENTS_STREAMS_MAX} streams")
    if (
        isinstance(limit_per_stream, bool)
        or not 1 <= limit_per_stream <= FIRST_EVENTS_PER_STREAM_MAX
    ):
        raise ValueError(f"limit_per_stream must be 1 to {FIRST_EVENTS_PER_STREAM_MAX}")
    return names


def events_by_stream(rows: Iterable[Sequence[Any]]) -> dict[str, list[Event]]:
    """Event rows, ordered by stream then seq, grouped by stream."""
    found: dict[str, list[Event]] = {}
    for row in rows:
        event = event_from_row(row)
        found.setdefault(event.stream, []).append(event)
    return found


def assemble_batches(
    heads: list[Any], accounts: list[Any], transfers: list[Any], events: Sequence[Any] = ()
) -> list[BatchRecord]:
    """Group account, transfer and event rows under their batch heads (rows in order)."""
    by_batch_accounts: dict[int, list[Account]] = {}
    for row in accounts:
        by_batch_accounts.setdefault(row[0], []).append(account_from_row(row[1:])[0])
    by_batch_transfers: dict[int, list[Transfer]] = {}
    for row in transfers:
        transfer = transfer_from_row(row)
        by_batch_transfers.setdefault(transfer.batch_seq, []).append(transfer)
    by_batch_events: dict[int, list[Event]] = {}
    for row in events:
        event = event_from_row(row)
        by_batch_events.setdefault(event.batch_seq, []).append(event)
    return [
        BatchRecord(
            seq,
            prev_hash,
            digest,
            timestamp_ms,
            tuple(by_batch_accounts.get(seq, ())),
            tuple(by_batch_transfers.get(seq, ())),
            tuple(by_batch_events.get(seq, ())),
        )
        for seq, prev_hash, digest, timestamp_ms in heads
    ]


#: Run one query with its parameters; its rows.
Fetch = Callable[[str, tuple[Any, ...]], Awaitable[Sequence[Any]]]


@dataclass(frozen=True, slots=True)
class SnapshotReads:
    """What verification reads (``LedgerSnapshot``) through ``fetch``: the same SQL on both
    dialects but for the placeholders of its first and second parameters (``?`` or ``$1``)."""

    fetch: Fetch
    first: str = "?"
    second: str = "?"

    async def all_accounts(self) -> list[tuple[Account, Balance]]:
        rows = await self.fetch(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY batch_seq, position", ()
        )
        return [account_from_row(row) for row in rows]

    async def open_pending_ids(self) -> list[str]:
        return [row[0] for row in await self.fetch("SELECT id FROM open_pendings", ())]

    async def batches(self, *, chunk_size: int = 1000) -> AsyncIterator[BatchRecord]:
        """Every committed batch with its content, in order, ``chunk_size`` at a time."""
        after, between = 0, f"BETWEEN {self.first} AND {self.second}"
        while True:
            heads = await self.fetch(
                "SELECT seq, prev_hash, hash, timestamp_ms FROM batches "
                f"WHERE seq > {self.first} ORDER BY seq LIMIT {self.second}",
                (after, chunk_size),
            )
            if not heads:
                return
            span = (heads[0][0], heads[-1][0])
            accounts = await self.fetch(
                f"SELECT batch_seq, {ACCOUNT_COLUMNS} FROM accounts "
                f"WHERE batch_seq {between} ORDER BY batch_seq, position",
                span,
            )
            transfers = await self.fetch(
                f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE batch_seq {between} ORDER BY seq",
                span,
            )
            events = await self.fetch(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE batch_seq {between} ORDER BY global_seq",
                span,
            )
            for record in assemble_batches(
                list(heads), list(accounts), list(transfers), list(events)
            ):
                yield record
            after = span[1]
