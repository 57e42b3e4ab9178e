"""The state the ledger's single writer keeps in memory, and the commands it applies to it.

:class:`LedgerState` holds the balances of the accounts the writer has loaded and every open
pending transfer; :func:`accounts_named` and :func:`streams_named` say what a group needs
loaded before it is applied. Applying groups is :mod:`~croupier.domain.ledger.batch`'s job.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

from croupier.domain.ledger.accounts import Account, Balance
from croupier.domain.ledger.events import AppendEvent, Event
from croupier.domain.ledger.transfers import Transfer, TransferRequest

__all__ = [
    "Applied",
    "Command",
    "CreateAccount",
    "LedgerState",
    "accounts_named",
    "streams_named",
]


@dataclass(frozen=True, slots=True)
class CreateAccount:
    """Open an account. Idempotent: the same account again is a no-op, another is a conflict."""

    account: Account


Command = CreateAccount | TransferRequest | AppendEvent


@dataclass(frozen=True, slots=True)
class Applied:
    """What a linked group produced (or, for a replay, what it produced the first time)."""

    #: One result per command. In a replay, events are not appended again: their slots are None.
    results: tuple[Account | Transfer | Event | None, ...]
    replayed: bool


@dataclass(slots=True)
class LedgerState:
    accounts: dict[str, Account] = field(default_factory=dict)
    balances: dict[str, Balance] = field(default_factory=dict)
    open_pendings: dict[str, Transfer] = field(default_factory=dict)
    #: The last seq of each event stream the writer has loaded (0: no events yet), least
    #: recently appended to first.
    stream_heads: dict[str, int] = field(default_factory=dict)
    _expiries: list[tuple[int, str]] = field(default_factory=list)

    def load_account(self, account: Account, balance: Balance) -> None:
        self.accounts[account.id] = account
        self.balances[account.id] = balance

    def load_pending(self, pending: Transfer) -> None:
        self.open_pendings[pending.id] = pending
        if pending.expires_at_ms is not None:
            heapq.heappush(self._expiries, (pending.expires_at_ms, pending.id))

    def forget_account(self, account_id: str) -> None:
        """Drop a cached account (its committed balance stays in storage)."""
        self.accounts.pop(account_id, None)
        self.balances.pop(account_id, None)

    def next_expiry_ms(self) -> int | None:
        while self._expiries and self._expiries[0][1] not in self.open_pendings:
            heapq.heappop(self._expiries)
        return self._expiries[0][0] if self._expiries else None


def streams_named(commands: Iterable[Command]) -> set[str]:
    """Event streams a group appends to or guards."""
    names: set[str] = set()
    for command in commands:
        if isinstance(command, AppendEvent):
            names.add(command.stream)
            if command.guard is not None:
                names.add(command.guard[0])
    return names


def accounts_named(commands: Iterable[Command], state: LedgerState) -> set[str]:
    """Account ids a group touches or opens (those of pendings it resolves included)."""
    names: set[str] = set()
    for command in commands:
        if isinstance(command, CreateAccount):
            names.add(command.account.id)  # it may exist already, in storage only
            continue
        if isinstance(command, AppendEvent):
            continue
        for account_id in (command.debit_account_id, command.credit_account_id):
            if account_id is not None:
                names.add(account_id)
        pending = state.open_pendings.get(command.pending_id or "")
        if pending is not None:
            names.update((pending.debit_account_id, pending.credit_account_id))
    return names
