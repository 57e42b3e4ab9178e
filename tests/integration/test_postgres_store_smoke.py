"""Smoke test of the PostgreSQL ledger store through the real writer (each test: a fresh database).

Needs PostgreSQL: the ``postgres_url`` fixture (tests/conftest.py) skips when it is unreachable,
unless ``CROUPIER_REQUIRE_SERVICES=1``, which makes that a failure.
"""

from __future__ import annotations

import asyncio

import pytest

from croupier.adapters.storage.migrations import SchemaNotReady
from croupier.adapters.storage.postgres import PostgresLedgerStore
from croupier.domain.errors import InsufficientFunds, InvariantBroken, WriterLocked
from croupier.domain.ledger import (
    GENESIS_HASH,
    Account,
    AccountKind,
    Balance,
    BatchRecord,
    CreateAccount,
    TransferRequest,
)
from croupier.services.ledger import Ledger, LedgerWriter, verify_ledger

pytestmark = pytest.mark.postgres


async def _open(url: str) -> tuple[PostgresLedgerStore, Ledger]:
    store = PostgresLedgerStore(url)
    await store.open(writer=True)
    writer = LedgerWriter(store)
    await writer.start()
    return store, Ledger(store, writer)


def _move(
    transfer_id: str, debit: str, credit: str, amount: int, **fields: object
) -> TransferRequest:
    return TransferRequest.create(
        transfer_id,
        debit_account_id=debit,
        credit_account_id=credit,
        amount_minor=amount,
        currency="EUR",
        **fields,  # type: ignore[arg-type]
    )


async def _available(ledger: Ledger, account_id: str) -> int:
    return (await ledger.balance(account_id))[1].available


async def test_a_session_of_play_survives_a_restart_and_verifies(postgres_url: str) -> None:
    store, ledger = await _open(postgres_url)
    try:
        await ledger.submit(
            [
                CreateAccount(Account("clearing", AccountKind.PAYMENT_CLEARING, "EUR", None)),
                CreateAccount(Account("house", AccountKind.HOUSE_BANKROLL, "EUR", -1_000_000)),
                CreateAccount(Account("alice", AccountKind.PLAYER_CASH, "EUR", 0)),
            ]
        )
        deposit = _move("dep-1", "clearing", "alice", 10_000, reason="deposit")
        first = await ledger.submit([deposit])
        await ledger.submit([_move("bet-1", "alice", "house", 500, kind="pending")])
        assert (await ledger.balance("alice"))[1].pending == 500
        await ledger.submit(
            [
                TransferRequest.create("post-1", kind="post", pending_id="bet-1"),
                _move("win-1", "house", "alice", 1_200, reason="win"),
            ]
        )
        assert (await ledger.balance("alice"))[1].pending == 0
        await ledger.submit([_move("bet-2", "alice", "house", 300, kind="pending")])
        await ledger.submit([TransferRequest.create("void-2", kind="void", pending_id="bet-2")])
        assert await _available(ledger, "alice") == 10_700

        with pytest.raises(InsufficientFunds):
            await ledger.submit([_move("bet-big", "alice", "house", 10_701, kind="pending")])
        replay = await ledger.submit([deposit])
        assert replay.replayed and replay.results == first.results
        assert await _available(ledger, "alice") == 10_700

        await ledger.submit([_move("bet-3", "alice", "house", 700, kind="pending")])
    finally:
        await ledger.close()

    store, ledger = await _open(postgres_url)  # a restart: the open pending comes back
    try:
        assert ledger.writer is not None and set(ledger.writer.state.open_pendings) == {"bet-3"}
        assert await _available(ledger, "alice") == 10_000
        await ledger.submit([TransferRequest.create("post-3", kind="post", pending_id="bet-3")])
        _, balance = await ledger.balance("alice")
        assert (balance.posted, balance.pending) == (10_000, 0)

        history = await ledger.history("alice", limit=3)
        assert [t.id for _, t in history] == ["post-3", "bet-3", "void-2"]
        older = await ledger.history("alice", limit=2, before_seq=history[-1][0])
        assert [t.id for _, t in older] == ["bet-2", "win-1"]

        report = await verify_ledger(store)
        assert report.ok, report.problems
        assert (report.transfers, report.accounts) == (8, 3)
    finally:
        await ledger.close()


async def test_concurrent_groups_keep_batch_order_and_balances(postgres_url: str) -> None:
    store, ledger = await _open(postgres_url)
    try:
        await ledger.submit(
            [
                CreateAccount(Account("clearing", AccountKind.PAYMENT_CLEARING, "EUR", None)),
                CreateAccount(Account("house", AccountKind.HOUSE_BANKROLL, "EUR", -(10**9))),
            ]
        )
        players = [f"p{i}" for i in range(50)]
        await asyncio.gather(
            *(
                ledger.submit(
                    [
                        CreateAccount(Account(p, AccountKind.PLAYER_CASH, "EUR", 0)),
                        _move(f"dep-{p}", "clearing", p, 1_000),
                    ]
                )
                for p in players
            )
        )

        async def play(player: str, round_number: int) -> None:
            bet = f"bet-{player}-{round_number}"
            await ledger.submit([_move(bet, player, "house", 10, kind="pending")])
            await ledger.submit(
                [
                    TransferRequest.create(f"post-{bet}", kind="post", pending_id=bet),
                    _move(f"win-{bet}", "house", player, 25),
                ]
            )

        await asyncio.gather(*(play(p, r) for p in players for r in range(4)))
        assert await _available(ledger, "p7") == 1_000 + 4 * 15
        assert (await ledger.balance("house"))[1].posted == -50 * 4 * 15
        report = await verify_ledger(store)  # the hash chain checks each batch's row order
        assert report.ok, report.problems
        assert report.transfers == 50 + 50 * 4 * 3
    finally:
        await ledger.close()


async def test_one_writer_per_database_and_readers_never_migrate(postgres_url: str) -> None:
    early = [PostgresLedgerStore(postgres_url) for _ in range(3)]
    opened = await asyncio.gather(*(s.open(writer=False) for s in early), return_exceptions=True)
    assert all(isinstance(o, SchemaNotReady) for o in opened)  # nothing to read: no ledger yet

    first = PostgresLedgerStore(postgres_url)
    await first.open(writer=True)
    try:
        second = PostgresLedgerStore(postgres_url)
        with pytest.raises(WriterLocked):
            await second.open(writer=True)
        reader = PostgresLedgerStore(postgres_url)
        await reader.open(writer=False)
        assert await reader.head() == await first.head()
        await reader.close()
    finally:
        await first.close()
    again = PostgresLedgerStore(postgres_url)  # closing released the lock
    await again.open(writer=True)
    await again.close()


async def test_a_batch_naming_an_unknown_account_is_refused_whole(postgres_url: str) -> None:
    store = PostgresLedgerStore(postgres_url)
    await store.open(writer=True)
    try:
        house = Account("house", AccountKind.HOUSE_BANKROLL, "EUR", -100)
        await store.commit(BatchRecord.seal(1, GENESIS_HASH, 0, [house], []), {"house": Balance()})
        bad = BatchRecord.seal(2, (await store.head())[1], 0, [], [])
        with pytest.raises(InvariantBroken):
            await store.commit(bad, {"house": Balance(1, 0, 0, 0), "ghost": Balance(0, 1, 0, 0)})
        assert (await store.head())[0] == 1
        assert await store.get_account("house") == (house, Balance())
    finally:
        await store.close()
