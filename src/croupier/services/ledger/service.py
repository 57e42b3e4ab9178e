"""The ledger as the rest of Croupier uses it: submit linked groups, read balances and
events, verify. :class:`Ledger` is the in-process ``LedgerClient``: the only door to the
ledger's store for services."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from croupier.domain.errors import AccountNotFound
from croupier.domain.ledger import (
    Account,
    AccountKind,
    Applied,
    Balance,
    Command,
    CreateAccount,
    Event,
    Transfer,
    TransferRequest,
)
from croupier.domain.ledger.audit import Auditor, AuditReport
from croupier.services.ledger.ports import LedgerStore
from croupier.services.ledger.writer import LedgerWriter

__all__ = ["Ledger", "verify_ledger"]


class Ledger:
    """Writes go through the single :class:`LedgerWriter`; reads see committed data only."""

    def __init__(self, store: LedgerStore, writer: LedgerWriter | None) -> None:
        self.store = store
        self.writer = writer

    async def close(self) -> None:
        if self.writer is not None:
            await self.writer.stop()
        await self.store.close()

    async def submit(self, commands: Sequence[Command]) -> Applied:
        if self.writer is None:
            raise RuntimeError("this ledger was opened read-only")
        return await self.writer.submit(commands)

    async def open_account(
        self, account_id: str, kind: AccountKind, currency: str, *, floor_minor: int | None = 0
    ) -> Account:
        account = Account(account_id, kind, currency, floor_minor)
        applied = await self.submit([CreateAccount(account)])
        result = applied.results[0]
        assert isinstance(result, Account)
        return result

    async def transfer(self, transfer_id: str, **fields: Any) -> Transfer:
        """One transfer on its own (see :meth:`TransferRequest.create` for the fields)."""
        applied = await self.submit([TransferRequest.create(transfer_id, **fields)])
        result = applied.results[0]
        assert isinstance(result, Transfer)
        return result

    async def latest_balance(self, account_id: str) -> Balance:
        """The balance as the writer holds it: committed, plus what the batch committing at
        this moment changes. For what a round shows (``balance_before``), not for decisions:
        those are the writer's own, under its floors."""
        writer = self.writer
        if writer is not None and writer.alive:  # a failed writer's memory is uncommitted
            balance = writer.state.balances.get(account_id)
            if balance is not None:
                return balance.copy()
        return (await self.balance(account_id))[1]

    async def open_pendings_debiting(self, account_id: str) -> list[Transfer]:
        """Reservations on ``account_id`` not yet posted or voided (the writer holds them
        all in memory; a read-only ledger asks storage)."""
        writer = self.writer
        if writer is not None and writer.alive:
            pendings: Iterable[Transfer] = writer.state.open_pendings.values()
        else:
            pendings = await self.store.load_open_pendings()
        return [p for p in pendings if p.debit_account_id == account_id]

    async def open_pendings(self) -> list[Transfer]:
        """Every reservation not yet posted or voided (from the writer's memory when it runs)."""
        writer = self.writer
        if writer is not None and writer.alive:
            return list(writer.state.open_pendings.values())
        return await self.store.load_open_pendings()

    async def balance(self, account_id: str) -> tuple[Account, Balance]:
        found = await self.store.get_account(account_id)
        if found is None:
            raise AccountNotFound(f"no account {account_id!r}")
        return found

    async def transfer_by_id(self, transfer_id: str) -> Transfer | None:
        """A committed transfer, or None."""
        found = await self.store.load_transfers([transfer_id])
        return found[0] if found else None

    async def history(
        self,
        account_id: str,
        *,
        limit: int = 50,
        before_seq: int | None = None,
        posted_only: bool = False,
    ) -> list[tuple[int, Transfer]]:
        return await self.store.account_transfers(
            account_id, limit=limit, before_seq=before_seq, posted_only=posted_only
        )

    async def accounts_of_kind(self, kind: str, *, limit: int) -> list[tuple[Account, Balance]]:
        return await self.store.accounts_of_kind(kind, limit=limit)

    # -- the outbox: committed events ------------------------------------------------------
    async def head(self) -> tuple[int, str]:
        """The last committed batch's (seq, hash)."""
        return await self.store.head()

    async def stream_head(self, stream: str) -> int:
        return await self.store.stream_head(stream)

    async def stream_events(
        self, stream: str, *, after_seq: int = 0, limit: int = 1000
    ) -> list[Event]:
        return await self.store.stream_events(stream, after_seq=after_seq, limit=limit)

    async def first_events(
        self, streams: Collection[str], *, limit_per_stream: int
    ) -> dict[str, list[Event]]:
        return await self.store.first_events(streams, limit_per_stream=limit_per_stream)

    async def events_in_batches(self, first: int, last: int) -> list[Event]:
        return await self.store.events_in_batches(first, last)

    async def batch_hashes(self, first: int, last: int) -> dict[int, str]:
        return await self.store.batch_hashes(first, last)


async def verify_ledger(store: LedgerStore, anchor: tuple[int, str] | None = None) -> AuditReport:
    """Replay every committed batch and check every invariant (see ``domain.ledger.audit``),
    and that the ``anchor`` batch ``(seq, hash)``, if given, is in the chain."""
    auditor = Auditor(anchor)
    async with store.snapshot() as snapshot:
        async for batch in snapshot.batches():
            auditor.add_batch(batch)
        stored = await snapshot.all_accounts()
        return auditor.finish(stored, await snapshot.open_pending_ids())
