"""The ledger's rules, applied by its single writer to its in-memory state, one batch at a time.

:class:`BatchBuilder` applies requests to a :class:`~croupier.domain.ledger.state.LedgerState`
one linked group at a time: a group either applies whole or raises and leaves the state
exactly as it was.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Mapping, Sequence
from typing import cast

from croupier.domain.errors import (
    AccountConflict,
    AccountNotFound,
    CurrencyMismatch,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    InvariantBroken,
    PendingAlreadyResolved,
    PendingNotFound,
)
from croupier.domain.ledger.accounts import Account, Balance
from croupier.domain.ledger.events import (
    EVENT_DATA_BYTES_MAX,
    FILL_BALANCE,
    AppendEvent,
    Event,
    StreamConflict,
)
from croupier.domain.ledger.state import Applied, Command, CreateAccount, LedgerState
from croupier.domain.ledger.transfers import (
    EXPIRY_REASON,
    Transfer,
    TransferKind,
    TransferRequest,
    canonical_json,
)
from croupier.domain.money import AMOUNT_MAX

__all__ = ["GROUP_SIZE_MAX", "BatchBuilder"]

GROUP_SIZE_MAX = 64


class BatchBuilder:
    """Applies linked groups for one batch (one durable commit) and collects what to store."""

    def __init__(self, state: LedgerState, batch_seq: int, now_ms: int) -> None:
        self.state = state
        self.batch_seq = batch_seq
        self.now_ms = now_ms
        self.accounts: list[Account] = []
        self.transfers: list[Transfer] = []
        self.events: list[Event] = []
        self.touched: set[str] = set()

    def expire_due(self) -> list[Transfer]:
        """Void every pending transfer whose timeout has passed, as system transfers."""
        voids: list[Transfer] = []
        while (due := self.state.next_expiry_ms()) is not None and due <= self.now_ms:
            _, pending_id = heapq.heappop(self.state._expiries)
            request = TransferRequest(
                id=f"~expired:{pending_id}",
                kind=TransferKind.VOID,
                debit_account_id=None,
                credit_account_id=None,
                amount_minor=None,
                currency=None,
                pending_id=pending_id,
                reason=EXPIRY_REASON,
                metadata_json="{}",
                timeout_ms=None,
            )
            voids.append(self._group([request], {}).results[0])  # type: ignore[arg-type]
        return voids

    def apply(self, commands: Sequence[Command], known: Mapping[str, Transfer]) -> Applied:
        """Apply one linked group, or raise and change nothing.

        ``known`` maps transfer ids already committed (in storage or earlier in this batch) to
        their transfers, so replays return the first result.
        """
        if not 1 <= len(commands) <= GROUP_SIZE_MAX:
            raise InvalidTransfer(f"a linked group holds 1 to {GROUP_SIZE_MAX} commands")
        ids: set[str] = set()
        found = 0
        for command in commands:
            if isinstance(command, TransferRequest):
                if command.id in ids:
                    raise InvalidTransfer("a linked group names the same transfer id twice")
                ids.add(command.id)
                found += command.id in known
        if not found:
            return self._group(commands, known)
        if found < len(ids):
            raise IdempotencyConflict("some transfers of this linked group already exist")
        return self._replay(commands, known)

    def _replay(self, commands: Sequence[Command], known: Mapping[str, Transfer]) -> Applied:
        results: list[Account | Transfer | Event | None] = []
        for command in commands:
            if isinstance(command, CreateAccount):
                self._check_account_replay(command.account)
                results.append(command.account)
                continue
            if isinstance(command, AppendEvent):
                results.append(None)
                continue
            transfer = known[command.id]
            if not command.matches(transfer):
                raise IdempotencyConflict(f"transfer {command.id!r} exists with other content")
            results.append(transfer)
        return Applied(tuple(results), replayed=True)

    def _check_account_replay(self, account: Account) -> None:
        current = self.state.accounts.get(account.id)  # the writer loads it if stored
        if current is None:  # the first time, this group opened it: so not the same group
            raise IdempotencyConflict(
                f"this group's transfers exist, but account {account.id!r} does not"
            )
        if current != account:
            raise AccountConflict(f"account {account.id!r} exists with other settings")

    def _group(self, commands: Sequence[Command], known: Mapping[str, Transfer]) -> Applied:
        overlay = _Overlay(self.state)
        results: list[Account | Transfer | Event | None] = []
        try:
            for command in commands:
                if isinstance(command, CreateAccount):
                    results.append(overlay.create_account(command.account))
                elif isinstance(command, AppendEvent):
                    results.append(overlay.append_event(command, self.batch_seq, self.now_ms))
                else:
                    results.append(overlay.transfer(command, known, self.batch_seq, self.now_ms))
            for index, command in enumerate(commands):  # now the group's sums are final
                if isinstance(command, AppendEvent) and command.fills:
                    event = cast(Event, results[index])
                    results[index] = _filled(event, command.fills, overlay, results)
        except BaseException:
            overlay.rollback()
            raise
        overlay.commit()
        self.accounts.extend(overlay.new_accounts)
        self.transfers += [t for t in results if isinstance(t, Transfer)]
        self.events += [e for e in results if isinstance(e, Event)]
        self.touched.update(overlay.balances)
        return Applied(tuple(results), replayed=False)


class _Overlay:
    """One linked group in progress: balances change in place, with an undo log so that a
    failing group puts every sum back (cheaper than copying balances on the common path);
    new accounts and pending changes wait aside until the whole group has succeeded."""

    __slots__ = ("_undo", "balances", "closed", "heads", "new_accounts", "opened", "state")

    def __init__(self, state: LedgerState) -> None:
        self.state = state
        self.new_accounts: list[Account] = []
        self.balances: dict[str, Balance] = {}  # every balance this group touched
        self._undo: list[tuple[Balance, int, int, int, int]] = []
        self.opened: dict[str, Transfer] = {}
        self.closed: set[str] = set()
        self.heads: dict[str, int] = {}  # event streams this group appends to

    def rollback(self) -> None:
        for balance, debits_posted, credits_posted, debits_pending, credits_pending in self._undo:
            balance.debits_posted, balance.credits_posted = debits_posted, credits_posted
            balance.debits_pending, balance.credits_pending = debits_pending, credits_pending

    def create_account(self, account: Account) -> Account:
        current = self.state.accounts.get(account.id) or next(
            (a for a in self.new_accounts if a.id == account.id), None
        )
        if current is not None:
            if current != account:
                raise AccountConflict(f"account {account.id!r} exists with other settings")
            return current
        self.new_accounts.append(account)
        self.balances[account.id] = Balance()
        return account

    def append_event(self, command: AppendEvent, batch_seq: int, now_ms: int) -> Event:
        head = self._head(command.stream)
        if command.expected_seq is not None and head != command.expected_seq:
            raise StreamConflict(
                f"stream {command.stream!r} is at seq {head}, not {command.expected_seq}"
            )
        if command.guard is not None:
            guarded, expected = command.guard
            if (guarded_head := self._head(guarded)) != expected:
                raise StreamConflict(f"stream {guarded!r} is at seq {guarded_head}, not {expected}")
        seq = self.heads[command.stream] = head + 1
        return Event(command.stream, seq, command.type, command.data_json, now_ms, batch_seq)

    def _head(self, stream: str) -> int:
        head = self.heads.get(stream)
        if head is None:
            head = self.state.stream_heads.get(stream)
            if head is None:  # the writer loads every named stream's head before applying
                raise InvariantBroken(f"the head of stream {stream!r} was not loaded")
        return head

    def commit(self) -> None:
        stream_heads = self.state.stream_heads
        for stream, seq in self.heads.items():  # to the young end: the writer evicts the old
            stream_heads.pop(stream, None)
            stream_heads[stream] = seq
        for account in self.new_accounts:
            self.state.accounts[account.id] = account
            self.state.balances[account.id] = self.balances[account.id]
        for pending in self.opened.values():
            if pending.id not in self.closed:
                self.state.load_pending(pending)
        for pending_id in self.closed:
            self.state.open_pendings.pop(pending_id, None)

    def _account(self, account_id: str, currency_code: str) -> tuple[Account, Balance]:
        account = self.state.accounts.get(account_id) or next(
            (a for a in self.new_accounts if a.id == account_id), None
        )
        if account is None:
            raise AccountNotFound(f"no account {account_id!r}")
        if account.currency != currency_code:
            raise CurrencyMismatch(
                f"account {account_id!r} holds {account.currency}, not {currency_code}"
            )
        balance = self.balances.get(account_id)
        if balance is None:
            balance = self.balances[account_id] = self.state.balances[account_id]
            self._undo.append(
                (
                    balance,
                    balance.debits_posted,
                    balance.credits_posted,
                    balance.debits_pending,
                    balance.credits_pending,
                )
            )
        return account, balance

    def transfer(
        self, request: TransferRequest, known: Mapping[str, Transfer], batch_seq: int, now_ms: int
    ) -> Transfer:
        if request.kind in (TransferKind.SINGLE, TransferKind.PENDING):
            return self._move(request, batch_seq, now_ms)
        return self._resolve(request, known, batch_seq, now_ms)

    def _move(self, request: TransferRequest, batch_seq: int, now_ms: int) -> Transfer:
        assert request.debit_account_id and request.credit_account_id and request.currency
        amount = request.amount_minor or 0
        debit_account, debit = self._account(request.debit_account_id, request.currency)
        _, credit = self._account(request.credit_account_id, request.currency)
        floor = debit_account.floor_minor
        if request.balancing and floor is not None:
            amount = max(0, min(amount, debit.available - floor))
        if floor is not None and debit.available - amount < floor:
            raise InsufficientFunds(
                f"account {debit_account.id!r} has {debit.available} available, needs {amount}"
            )
        pending = request.kind is TransferKind.PENDING
        if pending:
            debit.debits_pending += amount
            credit.credits_pending += amount
            _check_no_overflow(debit.debits_pending, credit.credits_pending)
        else:
            debit.debits_posted += amount
            credit.credits_posted += amount
            _check_no_overflow(debit.debits_posted, credit.credits_posted)
        expires = now_ms + request.timeout_ms if request.timeout_ms is not None else None
        transfer = _committed(
            request,
            request.debit_account_id,
            request.credit_account_id,
            amount,
            request.currency,
            batch_seq,
            now_ms,
            expires,
        )
        if pending:
            self.opened[transfer.id] = transfer
        return transfer

    def _resolve(
        self, request: TransferRequest, known: Mapping[str, Transfer], batch_seq: int, now_ms: int
    ) -> Transfer:
        pending_id = request.pending_id or ""
        # Open pendings live in memory (the writer loads them all), so anything else the
        # ledger knows under that id has been posted, voided or expired already.
        pending = self.opened.get(pending_id) or self.state.open_pendings.get(pending_id)
        if pending is None or pending_id in self.closed:
            if pending_id in known or pending_id in self.closed:
                raise PendingAlreadyResolved(f"pending transfer {pending_id!r} is already resolved")
            raise PendingNotFound(f"no pending transfer {pending_id!r}")
        if pending.kind is not TransferKind.PENDING:
            raise InvalidTransfer(f"transfer {pending_id!r} is not a pending transfer")
        _check_matches(request, pending)
        amount = pending.amount_minor if request.amount_minor is None else request.amount_minor
        if amount > pending.amount_minor:
            raise InvalidTransfer(
                f"cannot post {amount}: the pending amount is {pending.amount_minor}"
            )
        _, debit = self._account(pending.debit_account_id, pending.currency)
        _, credit = self._account(pending.credit_account_id, pending.currency)
        debit.debits_pending -= pending.amount_minor
        credit.credits_pending -= pending.amount_minor
        if request.kind is TransferKind.POST:
            debit.debits_posted += amount
            credit.credits_posted += amount
            _check_no_overflow(debit.debits_posted, credit.credits_posted)
        self.closed.add(pending_id)
        return _committed(
            request,
            pending.debit_account_id,
            pending.credit_account_id,
            amount,
            pending.currency,
            batch_seq,
            now_ms,
            None,
        )


def _check_matches(request: TransferRequest, pending: Transfer) -> None:
    for name in ("debit_account_id", "credit_account_id", "currency"):
        given = getattr(request, name)
        if given is not None and given != getattr(pending, name):
            raise InvalidTransfer(f"{name} {given!r} does not match the pending transfer's")


def _check_no_overflow(debit_sum: int, credit_sum: int) -> None:
    """Sums only grow; each must fit the 64-bit columns that store it (the group rolls back)."""
    if debit_sum > AMOUNT_MAX or credit_sum > AMOUNT_MAX:
        raise InvalidTransfer("the transfer would overflow a 64-bit balance")


def _filled(
    event: Event,
    fills: tuple[tuple[str, str, str], ...],
    overlay: _Overlay,
    results: Sequence[Account | Transfer | Event | None],
) -> Event:
    """``event`` with the values its group decided written into its data."""
    data = json.loads(event.data_json)
    transfers = {r.id: r for r in results if isinstance(r, Transfer)}
    for key, what, ref in fills:
        if what == FILL_BALANCE:
            balance = overlay.balances.get(ref)
            if balance is None:
                raise InvalidTransfer(f"event field {key!r}: {ref!r} is not in the group")
            data[key] = balance.available
        else:
            transfer = transfers.get(ref)
            if transfer is None:
                raise InvalidTransfer(f"event field {key!r}: {ref!r} is not in the group")
            data[key] = transfer.amount_minor
    text = canonical_json(data)
    if len(text) > EVENT_DATA_BYTES_MAX:
        raise InvalidTransfer(f"event data is larger than {EVENT_DATA_BYTES_MAX} bytes")
    return event._replace(data_json=text)


def _committed(
    request: TransferRequest,
    debit_account_id: str,
    credit_account_id: str,
    amount_minor: int,
    currency_code: str,
    batch_seq: int,
    now_ms: int,
    expires_at_ms: int | None,
) -> Transfer:
    return Transfer(
        request.id,
        request.kind,
        debit_account_id,
        credit_account_id,
        amount_minor,
        currency_code,
        request.pending_id,
        request.reason,
        request.metadata_json,
        now_ms,
        expires_at_ms,
        batch_seq,
    )
