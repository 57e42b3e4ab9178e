"""Hypothesis drives the ledger with random operations and compares it with a simple model.

After every step: each balance equals the model's, and ``verify_ledger`` finds the whole
database sound (chain, sums, floors, resolutions). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from croupier.domain.errors import (
    IdempotencyConflict,
    InsufficientFunds,
    LedgerRefusal,
    PendingAlreadyResolved,
)
from croupier.domain.ledger import Account, AccountKind, CreateAccount, TransferRequest
from croupier.services.ledger import Ledger, verify_ledger
from tests.support.ledger import FakeClock, open_test_ledger

PLAYERS = 3
amounts = st.integers(min_value=1, max_value=400)


@dataclass
class Model:
    posted: dict[str, int] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)  # reserved on the debit account
    open: dict[str, tuple[str, str, int, int | None]] = field(default_factory=dict)
    floors: dict[str, int | None] = field(default_factory=dict)

    def available(self, account: str) -> int:
        return self.posted[account] - self.pending[account]

    def allows(self, account: str, amount: int) -> bool:
        floor = self.floors[account]
        return floor is None or self.available(account) - amount >= floor

    def expire(self, now_ms: int) -> None:
        for pid, (debit, _credit, amount, expires) in list(self.open.items()):
            if expires is not None and expires <= now_ms:
                self.pending[debit] -= amount
                del self.open[pid]


def make_machine(url: str) -> type[RuleBasedStateMachine]:
    class LedgerMachine(RuleBasedStateMachine):
        pendings = Bundle("pendings")
        done = Bundle("done")

        def __init__(self) -> None:
            super().__init__()
            self.loop = asyncio.new_event_loop()
            self.clock = FakeClock()
            self.ns = secrets.token_hex(4)  # examples share a database; names don't collide
            self.ledger: Ledger = self.run(open_test_ledger(url, self.clock))
            self.model = Model()
            self.house, self.bank = f"{self.ns}:house", f"{self.ns}:bank"
            self.players = [f"{self.ns}:p{i}" for i in range(PLAYERS)]
            setup = [
                (self.house, AccountKind.HOUSE_BANKROLL, -1_000),
                (self.bank, AccountKind.PAYMENT_CLEARING, None),
            ] + [(p, AccountKind.PLAYER_CASH, 0) for p in self.players]
            self.accounts = [Account(a, kind, "EUR", floor) for a, kind, floor in setup]
            self.run(self.ledger.submit([CreateAccount(a) for a in self.accounts]))
            for account in self.accounts:
                self.model.posted[account.id] = self.model.pending[account.id] = 0
                self.model.floors[account.id] = account.floor_minor
            self.counter = 0

        def run(self, coroutine):  # type: ignore[no-untyped-def]
            return self.loop.run_until_complete(coroutine)

        def teardown(self) -> None:
            self.run(self.ledger.close())
            self.loop.close()

        def new_id(self) -> str:
            self.counter += 1
            return f"{self.ns}:t{self.counter}"

        def submit(self, *requests: TransferRequest) -> object:
            self.model.expire(self.clock.now_ms)
            try:
                return self.run(self.ledger.submit(list(requests)))
            except LedgerRefusal as refusal:
                return refusal

        def move(
            self, debit: str, credit: str, amount: int, kind: str = "single", **kw: object
        ) -> object:
            request = TransferRequest.create(
                self.new_id(),
                kind=kind,
                debit_account_id=debit,
                credit_account_id=credit,
                amount_minor=amount,
                currency="EUR",
                **kw,
            )
            return request

        @rule(player=st.integers(0, PLAYERS - 1), amount=amounts)
        def deposit(self, player: int, amount: int) -> None:
            outcome = self.submit(self.move(self.bank, self.players[player], amount))
            assert not isinstance(outcome, Exception)
            self.model.posted[self.bank] -= amount
            self.model.posted[self.players[player]] += amount

        @rule(
            target=done, player=st.integers(0, PLAYERS - 1), amount=amounts, to_house=st.booleans()
        )
        def single(self, player: int, amount: int, to_house: bool) -> object:
            debit, credit = (self.players[player], self.house)
            if not to_house:
                debit, credit = credit, debit
            request = self.move(debit, credit, amount)
            self.model.expire(self.clock.now_ms)
            allowed = self.model.allows(debit, amount)
            outcome = self.submit(request)
            assert isinstance(outcome, InsufficientFunds) == (not allowed), outcome
            if not allowed:  # refused requests are not stored: a replay is a fresh request
                return multiple()
            self.model.posted[debit] -= amount
            self.model.posted[credit] += amount
            return request

        @rule(
            target=pendings,
            player=st.integers(0, PLAYERS - 1),
            amount=amounts,
            timeout=st.none() | st.integers(1, 5_000),
        )
        def reserve(self, player: int, amount: int, timeout: int | None) -> object:
            debit = self.players[player]
            request = self.move(debit, self.house, amount, "pending", timeout_ms=timeout)
            self.model.expire(self.clock.now_ms)
            allowed = self.model.allows(debit, amount)
            outcome = self.submit(request)
            assert isinstance(outcome, InsufficientFunds) == (not allowed), outcome
            if not allowed:
                return multiple()
            self.model.pending[debit] += amount
            expires = None if timeout is None else self.clock.now_ms + timeout
            self.model.open[request.id] = (debit, self.house, amount, expires)
            return request.id

        @rule(
            pending=consumes(pendings),
            part=st.none() | st.floats(0.01, 1.0),
            win=st.integers(0, 300),
        )
        def settle(self, pending: str, part: float | None, win: int) -> None:
            self.model.expire(self.clock.now_ms)
            entry = self.model.open.get(pending)
            amount = None if part is None or entry is None else max(1, int(entry[2] * part))
            group = [
                TransferRequest.create(
                    self.new_id(), kind="post", pending_id=pending, amount_minor=amount
                )
            ]
            if win:
                group.append(self.move(self.house, entry[0] if entry else self.players[0], win))
            outcome = self.submit(*group)
            if entry is None:
                assert isinstance(outcome, LedgerRefusal), outcome
                return
            debit, credit, reserved, _ = entry
            posted = reserved if amount is None else amount
            house_ok = self.model.allows(self.house, win - posted) if win else True
            if not house_ok:
                assert isinstance(outcome, InsufficientFunds), outcome
                return
            assert not isinstance(outcome, Exception), outcome
            del self.model.open[pending]
            self.model.pending[debit] -= reserved
            self.model.posted[debit] += win - posted
            self.model.posted[credit] += posted - win

        @rule(pending=pendings)
        def void(self, pending: str) -> None:
            self.model.expire(self.clock.now_ms)
            entry = self.model.open.get(pending)
            outcome = self.submit(
                TransferRequest.create(self.new_id(), kind="void", pending_id=pending)
            )
            if entry is None:
                assert isinstance(outcome, PendingAlreadyResolved), outcome
                return
            assert not isinstance(outcome, Exception), outcome
            del self.model.open[pending]
            self.model.pending[entry[0]] -= entry[2]

        @rule(request=done, change=st.booleans())
        def replay(self, request: TransferRequest, change: bool) -> None:
            if change:
                request = request._replace(amount_minor=(request.amount_minor or 0) + 1)
            outcome = self.submit(request)
            if change:
                assert isinstance(outcome, IdempotencyConflict), outcome
            else:
                assert outcome.replayed, outcome  # type: ignore[attr-defined]

        @rule(ms=st.integers(1, 3_000))
        def advance_clock(self, ms: int) -> None:
            self.clock.now_ms += ms
            self.submit_tick()

        def submit_tick(self) -> None:
            self.model.expire(self.clock.now_ms)
            self.run(self.ledger.submit([CreateAccount(self.accounts[0])]))  # a no-op batch

        @invariant()
        def balances_match_the_model(self) -> None:
            for account in self.accounts:
                _, balance = self.run(self.ledger.balance(account.id))
                assert balance.posted == self.model.posted[account.id], account.id
                assert balance.pending == self.model.pending[account.id], account.id

        @invariant()
        def the_ledger_verifies(self) -> None:
            report = self.run(verify_ledger(self.ledger.store))
            assert report.ok, report.problems

    return LedgerMachine


def test_ledger_matches_its_model(database_url: str) -> None:
    machine = make_machine(database_url)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
