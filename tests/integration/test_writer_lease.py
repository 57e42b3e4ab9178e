"""The writer lease and the fence on PostgreSQL, on real stores: a lease is taken only
when it has run out, each take-over raises the epoch, and a writer whose epoch is no longer
the lease's has every commit refused inside its transaction, which changes nothing.

The old writer's store here has no ``application_name``, so the take-over does not end its
sessions: what refuses its commit is the epoch check alone."""

from __future__ import annotations

import asyncio
import contextlib
import time

import asyncpg
import pytest

from croupier.adapters.storage.postgres import PostgresLedgerStore
from croupier.adapters.storage.postgres.lease import WriterLease, application_name
from croupier.domain.errors import LedgerUnavailable, WriterLocked
from croupier.domain.ledger import AccountKind
from croupier.roles.writer import renewed_meanwhile
from croupier.services.ledger import Ledger, LedgerWriter

TAKE_OVER_TIMEOUT_S = 20.0


async def _take_when_expired(lease: WriterLease) -> int:
    """Poll until the lease has run out and is ours (each poll is bounded by the lease)."""
    deadline = time.monotonic() + TAKE_OVER_TIMEOUT_S
    while time.monotonic() < deadline:
        epoch = await lease.try_take()
        if epoch is not None:
            return epoch
        await asyncio.sleep(0.05)  # the poll's pace
    raise TimeoutError("the lease never ran out")


async def _fenced_ledger(url: str, epoch: int, holder: str | None = None) -> Ledger:
    store = PostgresLedgerStore(
        url, fence_epoch=epoch, application_name=application_name(holder) if holder else None
    )
    await store.open(writer=True)
    writer = LedgerWriter(store)
    await writer.start()
    return Ledger(store, writer)


async def _stopped(ledger: Ledger) -> None:
    """The writer marks itself failed as its commit task ends: a moment after the refusal."""
    deadline = time.monotonic() + TAKE_OVER_TIMEOUT_S
    while ledger.writer is not None and ledger.writer.alive:
        assert time.monotonic() < deadline, "the fenced writer kept running"
        await asyncio.sleep(0.01)


async def test_a_live_lease_is_not_taken_and_each_take_over_raises_the_epoch(
    postgres_url: str,
) -> None:
    first = WriterLease(postgres_url, holder="first", ttl_s=60)
    second = WriterLease(postgres_url, holder="second", ttl_s=60)
    await first.open()
    await second.open()
    try:
        assert not first.fresh()
        assert await first.try_take() == 1
        assert first.fresh()  # it may answer requests
        assert await second.try_take() is None  # 60 s to go
        assert not second.fresh()
        assert await first.renew(1)
        await first.release(1)  # a clean stop: the standby need not wait
        await first.close()
        assert await second.try_take() == 2
        assert await second.renew(2)
        assert not await second.renew(1)  # an old epoch renews nothing
        assert not second.fresh()  # and whoever tried it answers nothing more
    finally:
        await first.close()
        await second.close()


async def test_a_writer_that_lost_its_lease_has_its_commits_refused(postgres_url: str) -> None:
    old_lease = WriterLease(postgres_url, holder="old", ttl_s=0.5)
    new_lease = WriterLease(postgres_url, holder="new", ttl_s=60)
    await old_lease.open()
    await new_lease.open()
    old = await _fenced_ledger(postgres_url, await old_lease.try_take() or 0)
    try:
        await old.open_account("house:EUR", AccountKind.HOUSE_BANKROLL, "EUR", floor_minor=None)
        head_before = await old.head()
        # The old writer stops renewing (a SIGSTOP, a pause): its lease runs out, and the
        # standby takes it over.
        new_epoch = await _take_when_expired(new_lease)
        assert new_epoch == 2
        with pytest.raises(LedgerUnavailable):
            await old.open_account("player:x:EUR", AccountKind.PLAYER_CASH, "EUR")
        await _stopped(old)  # it stops for good
        assert await old.head() == head_before  # nothing of the refused batch is stored
        assert await old.store.get_account("player:x:EUR") is None
        await old.close()  # its advisory lock (a take-over would have ended its sessions)
        new = await _fenced_ledger(postgres_url, new_epoch)
        try:  # the new writer commits after what the old one committed
            await new.open_account("player:y:EUR", AccountKind.PLAYER_CASH, "EUR")
            assert (await new.head())[0] == head_before[0] + 1
        finally:
            await new.close()
    finally:
        await old.close()
        await old_lease.close()
        await new_lease.close()


async def test_a_take_over_ends_the_previous_holders_sessions(postgres_url: str) -> None:
    """A writer stopped in the middle of a commit would hold the lease row (and its advisory
    lock) as long as its session lives: the take-over ends those sessions."""
    old_lease = WriterLease(postgres_url, holder="old-holder", ttl_s=0.5)
    new_lease = WriterLease(postgres_url, holder="new-holder", ttl_s=60)
    await old_lease.open()
    await new_lease.open()
    old = await _fenced_ledger(postgres_url, await old_lease.try_take() or 0, "old-holder")
    try:
        await old.open_account("house:EUR", AccountKind.HOUSE_BANKROLL, "EUR", floor_minor=None)
        assert await _take_when_expired(new_lease) == 2
        with pytest.raises(LedgerUnavailable):
            await old.open_account("player:x:EUR", AccountKind.PLAYER_CASH, "EUR")
        # Its lease connection was ended too: the lease opens another (as after a PostgreSQL
        # failover) and learns from it that the lease is no longer its own. The first call
        # may be the one that finds the session ended.
        with contextlib.suppress(asyncpg.InterfaceError, asyncpg.InternalClientError, OSError):
            assert await old_lease.renew(1) is False
        assert await old_lease.renew(1) is False
        deadline = time.monotonic() + TAKE_OVER_TIMEOUT_S
        while True:  # the advisory lock goes with the ended sessions, a moment later
            try:
                new = await _fenced_ledger(postgres_url, 2)
                break
            except WriterLocked:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)
        await new.close()
    finally:
        await old.close()
        await old_lease.close()
        await new_lease.close()


async def test_a_writer_starting_slowly_keeps_its_lease(postgres_url: str) -> None:
    """Becoming active may outlast a lease term (the old holder's lock, migrations): the
    lease is renewed meanwhile, so a standby cannot take it from under the starting writer."""
    ttl_s = 0.6
    starting = WriterLease(postgres_url, holder="starting", ttl_s=ttl_s)
    standby = WriterLease(postgres_url, holder="standby", ttl_s=ttl_s)
    await starting.open()
    await standby.open()
    try:
        epoch = await _take_when_expired(starting)
        async with renewed_meanwhile(starting, epoch):
            slow_start_ends = time.monotonic() + 3 * ttl_s
            while time.monotonic() < slow_start_ends:  # three terms of start-up
                assert await standby.try_take() is None
                await asyncio.sleep(ttl_s / 6)  # the standby's poll
        assert await starting.renew(epoch)
        await starting.release(epoch)
    finally:
        await starting.close()
        await standby.close()
