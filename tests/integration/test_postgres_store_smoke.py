"""Smoke test of the PostgreSQL ledger store through the real writer (each test: a fresh database).

Needs PostgreSQL (``CROUPIER_TEST_POSTGRES_URL``, default ``postgresql://root@127.0.0.1:5432/test``).
Skipped when it is unreachable, unless ``CROUPIER_REQUIRE_SERVICES=1``, which makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest

from croupier.adapters.storage.postgres import PostgresLedgerStore, WriterLocked
from croupier.domain.errors import InsufficientFunds
from croupier.domain.ledger import Account, AccountKind, CreateAccount, TransferRequest
from croupier.services.ledger import Ledger, LedgerWriter, verify_ledger

pytestmark = pytest.mark.postgres

ADMIN_URL = os.environ.get("CROUPIER_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")


async def _admin_connection() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(ADMIN_URL, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        reason = f"PostgreSQL unreachable at {ADMIN_URL}: {error!r}"
        if os.environ.get("CROUPIER_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    """A fresh, empty database, dropped afterwards."""
    admin = await _admin_connection()
    name = f"croupier_t_{secrets.token_hex(6)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base, _, _ = ADMIN_URL.rpartition("/")
        yield f"{base}/{name}"
    finally:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


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
        transfer_id, debit_account_id=debit, credit_account_id=credit, amount_minor=amount,
        currency="EUR", **fields,  # type: ignore[arg-type]
    )  # fmt: skip


async def _available(ledger: Ledger, account_id: str) -> int:
    return (await ledger.balance(account_id))[1].available


async def test_a_session_of_play_survives_a_restart_and_verifies(database_url: str) -> None:
    store, ledger = await _open(database_url)
    try:
        await ledger.submit([
            CreateAccount(Account("clearing", AccountKind.PAYMENT_CLEARING, "EUR", None)),
            CreateAccount(Account("house", AccountKind.HOUSE_BANKROLL, "EUR", -1_000_000)),
            CreateAccount(Account("alice", AccountKind.PLAYER_CASH, "EUR", 0)),
        ])  # fmt: skip
        deposit = _move("dep-1", "clearing", "alice", 10_000, reason="deposit")
        first = await ledger.submit([deposit])
        await ledger.submit([_move("bet-1", "alice", "house", 500, kind="pending")])
        assert (await ledger.balance("alice"))[1].pending == 500
        await ledger.submit([
            TransferRequest.create("post-1", kind="post", pending_id="bet-1"),
            _move("win-1", "house", "alice", 1_200, reason="win"),
        ])  # fmt: skip
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

    store, ledger = await _open(database_url)  # a restart: the open pending comes back
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


async def test_concurrent_groups_keep_batch_order_and_balances(database_url: str) -> None:
    store, ledger = await _open(database_url)
    try:
        await ledger.submit([
            CreateAccount(Account("clearing", AccountKind.PAYMENT_CLEARING, "EUR", None)),
            CreateAccount(Account("house", AccountKind.HOUSE_BANKROLL, "EUR", -10**9)),
        ])  # fmt: skip
        players = [f"p{i}" for i in range(50)]
        await asyncio.gather(*(
            ledger.submit([
                CreateAccount(Account(p, AccountKind.PLAYER_CASH, "EUR", 0)),
                _move(f"dep-{p}", "clearing", p, 1_000),
            ])
            for p in players
        ))  # fmt: skip

        async def play(player: str, round_number: int) -> None:
            bet = f"bet-{player}-{round_number}"
            await ledger.submit([_move(bet, player, "house", 10, kind="pending")])
            await ledger.submit([
                TransferRequest.create(f"post-{bet}", kind="post", pending_id=bet),
                _move(f"win-{bet}", "house", player, 25),
            ])  # fmt: skip

        await asyncio.gather(*(play(p, r) for p in players for r in range(4)))
        assert await _available(ledger, "p7") == 1_000 + 4 * 15
        assert (await ledger.balance("house"))[1].posted == -50 * 4 * 15
        report = await verify_ledger(store)  # the hash chain checks each batch's row order
        assert report.ok, report.problems
        assert report.transfers == 50 + 50 * 4 * 3
    finally:
        await ledger.close()


async def test_one_writer_per_database_and_parallel_starts_migrate_once(database_url: str) -> None:
    stores = [PostgresLedgerStore(database_url) for _ in range(3)]
    await asyncio.gather(*(s.open(writer=False) for s in stores))  # all migrate at once
    for s in stores:
        await s.close()

    first = PostgresLedgerStore(database_url)
    await first.open(writer=True)
    try:
        second = PostgresLedgerStore(database_url)
        with pytest.raises(WriterLocked):
            await second.open(writer=True)
        reader = PostgresLedgerStore(database_url)
        await reader.open(writer=False)
        assert await reader.head() == await first.head()
        await reader.close()
    finally:
        await first.close()
    again = PostgresLedgerStore(database_url)  # closing released the lock
    await again.open(writer=True)
    await again.close()
