"""Verification of a whole ledger, from its committed batches alone.

The :class:`Auditor` replays every batch in order and checks what must always hold:

* the hash chain: each batch's hash recomputes and names the previous batch's hash;
* each stored balance equals the sum of the transfers that touched the account;
* per currency, all posted balances sum to zero, and pending debits equal pending credits;
* no account with a floor is below it;
* every post or void resolves an existing pending transfer, once, for no more than it reserved;
* each event stream's seqs run 1, 2, 3, … with no gap or repeat;
* each cash table's escrow account holds what the table's events say it holds (its stacks
  plus its bets and pots) after every commit that claims it (``domain/poker/escrow_audit``);
* if given an anchor (a batch's seq and hash recorded earlier, outside the database), that
  batch is still there with that hash: a chain rewritten or cut short from the anchor on
  would otherwise verify, since nothing inside the database can tell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from croupier.domain.ledger.accounts import Account, Balance
from croupier.domain.ledger.chain import GENESIS_HASH, BatchRecord, batch_hash
from croupier.domain.ledger.transfers import Transfer, TransferKind
from croupier.domain.poker.escrow_audit import escrow_claims

__all__ = ["AuditReport", "Auditor"]

PROBLEMS_MAX = 100  # a broken ledger can have millions; the first hundred tell the story


@dataclass(slots=True)
class AuditReport:
    batches: int = 0
    accounts: int = 0
    transfers: int = 0
    events: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)
    problems_total: int = 0

    @property
    def ok(self) -> bool:
        return self.problems_total == 0


class Auditor:
    def __init__(self, anchor: tuple[int, str] | None = None) -> None:
        """``anchor``: ``(seq, hash)`` of a batch that must be in the chain."""
        self.report = AuditReport()
        self._anchor = anchor
        self._accounts: dict[str, Account] = {}
        self._balances: dict[str, Balance] = {}
        self._pendings: dict[str, Transfer] = {}
        self._resolved: set[str] = set()
        self._seq = 0
        self._stream_heads: dict[str, int] = {}

    def _problem(self, message: str) -> None:
        self.report.problems_total += 1
        if len(self.report.problems) < PROBLEMS_MAX:
            self.report.problems.append(message)

    def add_batch(self, batch: BatchRecord) -> None:
        report = self.report
        if batch.seq != self._seq + 1:
            self._problem(f"batch {batch.seq}: expected batch {self._seq + 1} (missing batches)")
        if batch.prev_hash != report.head_hash:
            self._problem(f"batch {batch.seq}: prev_hash does not match batch {self._seq}'s hash")
        recomputed = batch_hash(
            batch.seq,
            batch.prev_hash,
            batch.timestamp_ms,
            batch.accounts,
            batch.transfers,
            batch.events,
        )
        if recomputed != batch.hash:
            self._problem(f"batch {batch.seq}: content does not match its hash (tampered)")
        anchor = self._anchor
        if anchor is not None and batch.seq == anchor[0] and batch.hash != anchor[1]:
            self._problem(
                f"batch {batch.seq}: hash {batch.hash} is not the anchored "
                f"{anchor[1]} (the chain was rewritten)"
            )
        self._seq, report.head_seq, report.head_hash = batch.seq, batch.seq, batch.hash
        report.batches += 1
        for account in batch.accounts:
            if account.id in self._accounts:
                self._problem(f"batch {batch.seq}: account {account.id!r} opened twice")
            self._accounts[account.id] = account
            self._balances[account.id] = Balance()
        for transfer in batch.transfers:
            self._apply(transfer)
        for event in batch.events:
            expected = self._stream_heads.get(event.stream, 0) + 1
            if event.seq != expected:
                self._problem(
                    f"stream {event.stream!r}: event seq {event.seq}, expected {expected}"
                )
            self._stream_heads[event.stream] = event.seq
            self.report.events += 1
        self._check_escrow_claims(batch)

    def _check_escrow_claims(self, batch: BatchRecord) -> None:
        claims = escrow_claims((event.stream, event.data_json) for event in batch.events)
        for account_id, (stream, claimed) in claims.items():
            balance = self._balances.get(account_id)
            posted = None if balance is None else balance.posted
            if posted != claimed:
                self._problem(
                    f"batch {batch.seq}: {stream} says escrow {account_id!r} holds {claimed} "
                    f"(stacks + pots), the ledger says {posted}"
                )

    def _apply(self, transfer: Transfer) -> None:
        self.report.transfers += 1
        debit = self._balance(transfer, transfer.debit_account_id)
        credit = self._balance(transfer, transfer.credit_account_id)
        if debit is None or credit is None:
            return
        amount = transfer.amount_minor
        if transfer.kind is TransferKind.SINGLE:
            debit.debits_posted += amount
            credit.credits_posted += amount
        elif transfer.kind is TransferKind.PENDING:
            debit.debits_pending += amount
            credit.credits_pending += amount
            self._pendings[transfer.id] = transfer
        else:
            self._resolve(transfer, debit, credit)

    def _resolve(self, transfer: Transfer, debit: Balance, credit: Balance) -> None:
        pending_id = transfer.pending_id or ""
        pending = self._pendings.get(pending_id)
        if pending is None:
            self._problem(f"transfer {transfer.id!r} resolves unknown pending {pending_id!r}")
            return
        if pending_id in self._resolved:
            self._problem(f"pending {pending_id!r} resolved twice (posted and voided?)")
            return
        self._resolved.add(pending_id)
        if (transfer.debit_account_id, transfer.credit_account_id) != (
            pending.debit_account_id,
            pending.credit_account_id,
        ):
            self._problem(f"transfer {transfer.id!r} names other accounts than its pending")
        if transfer.kind is TransferKind.POST and transfer.amount_minor > pending.amount_minor:
            self._problem(f"transfer {transfer.id!r} posts more than pending {pending_id!r}")
        debit.debits_pending -= pending.amount_minor
        credit.credits_pending -= pending.amount_minor
        if transfer.kind is TransferKind.POST:
            debit.debits_posted += transfer.amount_minor
            credit.credits_posted += transfer.amount_minor

    def _balance(self, transfer: Transfer, account_id: str) -> Balance | None:
        account = self._accounts.get(account_id)
        if account is None:
            self._problem(f"transfer {transfer.id!r} names unknown account {account_id!r}")
            return None
        if account.currency != transfer.currency:
            self._problem(f"transfer {transfer.id!r} is in another currency than {account_id!r}")
        return self._balances[account_id]

    def finish(
        self,
        stored: Iterable[tuple[Account, Balance]],
        stored_open_pendings: Iterable[str] | None = None,
    ) -> AuditReport:
        """Compare the replayed balances (and, if given, the ids the store lists as open
        pendings) with the stored ones and check the global sums."""
        if self._anchor is not None and self._seq < self._anchor[0]:
            self._problem(
                f"the chain ends at batch {self._seq}, before the anchored batch "
                f"{self._anchor[0]} (it was cut short)"
            )
        if stored_open_pendings is not None:
            self._check_open_pendings(set(stored_open_pendings))
        seen: set[str] = set()
        for account, balance in stored:
            seen.add(account.id)
            expected = self._balances.get(account.id)
            if expected is None:
                self._problem(f"account {account.id!r} is stored but was never opened in a batch")
            elif expected != balance:
                self._problem(
                    f"account {account.id!r}: stored balance {balance} != sum of entries {expected}"
                )
            if self._accounts.get(account.id, account) != account:
                self._problem(f"account {account.id!r}: stored settings differ from when opened")
        for missing in self._balances.keys() - seen:
            self._problem(f"account {missing!r} was opened but is not stored")
        self._check_sums()
        self.report.accounts = len(self._accounts)
        return self.report

    def _check_open_pendings(self, stored: set[str]) -> None:
        # The writer reloads open pendings from this list after a restart: one missing would
        # never expire and could not be posted; one too many would be resolved twice.
        open_ids = self._pendings.keys() - self._resolved
        for pending_id in sorted(open_ids - stored):
            self._problem(f"pending {pending_id!r} is open but not listed as open")
        for pending_id in sorted(stored - open_ids):
            self._problem(f"pending {pending_id!r} is listed as open but is not")

    def _check_sums(self) -> None:
        posted: dict[str, int] = {}
        pending: dict[str, int] = {}
        for account_id, balance in self._balances.items():
            account = self._accounts[account_id]
            posted[account.currency] = posted.get(account.currency, 0) + balance.posted
            pending[account.currency] = (
                pending.get(account.currency, 0) + balance.credits_pending - balance.debits_pending
            )
            if account.floor_minor is not None and balance.available < account.floor_minor:
                self._problem(
                    f"account {account_id!r}: available {balance.available} is below its floor "
                    f"{account.floor_minor}"
                )
        for code, total in posted.items():
            if total != 0:
                self._problem(f"{code}: posted balances sum to {total}, not 0")
        for code, total in pending.items():
            if total != 0:
                self._problem(f"{code}: pending credits and debits differ by {total}")
