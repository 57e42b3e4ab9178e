"""The ledger's contract, run against every storage backend (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from croupier.bootstrap import make_store
from croupier.domain.errors import (
    Busy,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    PendingAlreadyResolved,
    WriterLocked,
)
from croupier.domain.ledger import AppendEvent, Command, Event, TransferKind, TransferRequest
from croupier.services.ledger import LedgerUnavailable, WriterLimits, verify_ledger
from tests.support.ledger import (
    CLEARING,
    HOUSE,
    JACKPOT,
    FakeClock,
    open_casino,
    open_test_ledger,
    reserve,
    settlement,
)


async def test_a_bet_settles_and_the_books_balance(database_url: str) -> None:
    ledger = await open_test_ledger(database_url)
    try:
        await open_casino(ledger, players=2, deposit_minor=1_000)
        await ledger.submit([reserve("player:0", "bet1", 300)])
        _, balance = await ledger.balance("player:0")
        assert (balance.posted, balance.pending, balance.available) == (1_000, 300, 700)
        applied = await ledger.submit(settlement("player:0", "bet1", 3, 900))
        assert [t.id for t in applied.results] == ["bet1:post", "bet1:jackpot", "bet1:win"]
        assert (await ledger.balance("player:0"))[1].posted == 1_000 - 300 + 900
        assert (await ledger.balance(HOUSE))[1].posted == 300 - 3 - 900
        assert (await ledger.balance(JACKPOT))[1].posted == 3
        assert (await ledger.balance(CLEARING))[1].posted == -2_000
        history = await ledger.history("player:0", limit=10)
        assert [t.id for _, t in history] == ["bet1:win", "bet1:post", "bet1:stake", "deposit:0"]
        older = await ledger.history("player:0", limit=2, before_seq=history[1][0])
        assert [t.id for _, t in older] == ["bet1:stake", "deposit:0"]
        report = await verify_ledger(ledger.store)
        assert report.ok, report.problems
        assert report.transfers == 2 + 1 + 3
    finally:
        await ledger.close()


async def test_refusals_change_nothing_and_replays_answer_the_same(database_url: str) -> None:
    ledger = await open_test_ledger(database_url)
    try:
        await open_casino(ledger, players=1, deposit_minor=500)
        first = await ledger.submit([reserve("player:0", "b", 200)])
        again = await ledger.submit([reserve("player:0", "b", 200)])
        assert again.replayed and again.results == first.results
        with pytest.raises(IdempotencyConflict):
            await ledger.submit([reserve("player:0", "b", 201)])
        with pytest.raises(InsufficientFunds):
            await ledger.submit([reserve("player:0", "c", 301)])
        void = TransferRequest.create("b:void", kind=TransferKind.VOID, pending_id="b:stake")
        await ledger.submit([void])
        with pytest.raises(PendingAlreadyResolved):
            await ledger.submit(settlement("player:0", "b", 0, 0))
        balance = (await ledger.balance("player:0"))[1]
        assert (balance.posted, balance.pending) == (500, 0)
        assert (await verify_ledger(ledger.store)).ok
    finally:
        await ledger.close()


async def test_open_pendings_survive_a_restart_and_time_out(database_url: str) -> None:
    clock = FakeClock()
    ledger = await open_test_ledger(database_url, clock)
    await open_casino(ledger, players=2, deposit_minor=1_000)
    await ledger.submit([reserve("player:0", "keep", 100)])
    await ledger.submit([reserve("player:1", "lapse", 100, timeout_ms=60_000)])
    await ledger.close()

    ledger = await open_test_ledger(database_url, clock)  # a new writer reloads from the database
    try:
        await open_casino(ledger)  # opening existing accounts again (not yet cached) is a no-op
        await ledger.submit(settlement("player:0", "keep", 0, 250))
        assert (await ledger.balance("player:0"))[1].posted == 1_150
        assert (await ledger.balance("player:1"))[1].pending == 100
        clock.now_ms += 60_000
        await ledger.submit(settlement("player:0", "keep", 0, 0))  # a replay: drives a batch
        assert (await ledger.balance("player:1"))[1].pending == 0
        history = await ledger.history("player:1", limit=1)
        assert history[0][1].reason == "pending_expired"
        with pytest.raises(PendingAlreadyResolved):
            await ledger.submit(settlement("player:1", "lapse", 0, 0))
        assert (await verify_ledger(ledger.store)).ok
    finally:
        await ledger.close()


async def test_a_pending_times_out_with_no_other_traffic(database_url: str) -> None:
    ledger = await open_test_ledger(database_url, clock=lambda: time.time_ns() // 1_000_000)
    try:
        await open_casino(ledger, players=1, deposit_minor=100)
        await ledger.submit([reserve("player:0", "idle", 100, timeout_ms=50)])
        for _ in range(100):
            await asyncio.sleep(0.02)
            if (await ledger.balance("player:0"))[1].pending == 0:
                break
        assert (await ledger.balance("player:0"))[1].available == 100
    finally:
        await ledger.close()


async def test_one_writer_per_database(database_url: str) -> None:
    ledger = await open_test_ledger(database_url)
    try:
        second = make_store(database_url)
        with pytest.raises(WriterLocked):
            await second.open(writer=True)
        await second.close()
    finally:
        await ledger.close()
    with pytest.raises(LedgerUnavailable):
        await ledger.submit([reserve("player:0", "late", 1)])


async def test_a_full_queue_answers_busy_and_loses_nothing(database_url: str) -> None:
    limits = WriterLimits(queue_requests_max=5, batch_commands_max=2, transfers_cached_max=100)
    ledger = await open_test_ledger(database_url, limits=limits)
    try:
        await open_casino(ledger, players=1, deposit_minor=10_000)
        outcomes = await asyncio.gather(
            *(ledger.submit([reserve("player:0", f"q{i}", 10)]) for i in range(50)),
            return_exceptions=True,
        )
        busy = [o for o in outcomes if isinstance(o, Busy)]
        accepted = [o for o in outcomes if not isinstance(o, BaseException)]
        assert busy and accepted and len(busy) + len(accepted) == 50
        assert (await ledger.balance("player:0"))[1].pending == 10 * len(accepted)
        assert (await verify_ledger(ledger.store)).ok
    finally:
        await ledger.close()


async def test_many_concurrent_producers_keep_exact_totals(database_url: str) -> None:
    ledger = await open_test_ledger(database_url)
    players, rounds = 40, 15
    try:
        await open_casino(ledger, players=players, deposit_minor=10_000)

        async def play(p: int) -> int:
            net = 0
            for r in range(rounds):
                stake, win = 10 + r, (r * 7 + p) % 5 * 9
                await ledger.submit([reserve(f"player:{p}", f"b{p}:{r}", stake)])
                await ledger.submit(settlement(f"player:{p}", f"b{p}:{r}", 1, win))
                net += win - stake
            return net

        nets = await asyncio.gather(*(play(p) for p in range(players)))
        for p, net in enumerate(nets):
            assert (await ledger.balance(f"player:{p}"))[1].posted == 10_000 + net
        house = (await ledger.balance(HOUSE))[1].posted
        jackpot = (await ledger.balance(JACKPOT))[1].posted
        assert jackpot == players * rounds
        assert house == -sum(nets) - jackpot
        report = await verify_ledger(ledger.store)
        assert report.ok, report.problems
    finally:
        await ledger.close()


async def test_stream_heads_stay_bounded_and_seqs_stay_gap_free(database_url: str) -> None:
    # Every round opens a stream: the writer forgets old heads and reads them again.
    limits = WriterLimits(streams_cached_max=3, batch_commands_max=8)
    ledger = await open_test_ledger(database_url, limits=limits)
    try:
        streams = [f"round:r{i}" for i in range(8)]
        for stream in streams:  # one batch each
            await ledger.submit([AppendEvent.create(stream, "round.started", {})])
        assert len(ledger.writer.state.stream_heads) <= 3 + 1  # the bound + one uncommitted
        # Two batches in a row on the same streams: the second is prepared while the first
        # commits, so a head the first has not yet stored must not be forgotten meanwhile.
        waves = await asyncio.gather(
            *(
                ledger.submit([AppendEvent.create(s, f"round.wave{wave}", {})])
                for wave in (1, 2)
                for s in streams
            )
        )
        seqs = [applied.results[0].seq for applied in waves]  # type: ignore[union-attr]
        assert seqs == [2] * len(streams) + [3] * len(streams)
        assert len(ledger.writer.state.stream_heads) <= 3 + len(streams)
        report = await verify_ledger(ledger.store)
        assert report.ok and report.events == 3 * len(streams), report.problems
    finally:
        await ledger.close()


async def test_events_carry_what_the_ledger_decided(database_url: str) -> None:
    # Two bets of one player in one batch: each notice has the balance after its own group,
    # and a balancing transfer's notice has what it really took.
    ledger = await open_test_ledger(database_url)
    try:
        await open_casino(ledger, players=1, deposit_minor=1_000)
        await ledger.submit([reserve("player:0", "a", 100), reserve("player:0", "b", 300)])

        def settled(bet: str, win: int) -> list[Command]:
            return [
                *settlement("player:0", bet, 10, win),
                AppendEvent.create(
                    "player:player-0", "round.settled", {"bet": bet}, balances={"after": "player:0"}
                ),
            ]

        first, second = await asyncio.gather(
            ledger.submit(settled("a", 0)), ledger.submit(settled("b", 500))
        )
        assert first.results[-1].data_json == '{"after":600,"bet":"a"}'  # type: ignore[union-attr]
        assert second.results[-1].data_json == '{"after":1100,"bet":"b"}'  # type: ignore[union-attr]
        take = TransferRequest.create(
            "take-pool",
            debit_account_id=JACKPOT,
            credit_account_id="player:0",
            amount_minor=10**9,
            currency="EUR",
            balancing=True,
        )
        won = AppendEvent.create("lobby:main", "jackpot.won", {}, amounts={"amount": "take-pool"})
        applied = await ledger.submit([take, won])
        assert applied.results[1].data_json == '{"amount":20}'  # type: ignore[union-attr]
        stored = await ledger.store.stream_events("player:player-0")
        assert [e.data_json for e in stored] == [
            '{"after":600,"bet":"a"}',
            '{"after":1100,"bet":"b"}',
        ]
        # A field naming an account or a transfer outside the group refuses the group.
        for refused in (
            AppendEvent.create("lobby:main", "x", {}, balances={"b": "player:0"}),
            AppendEvent.create("lobby:main", "x", {}, amounts={"a": "take-pool"}),
        ):
            with pytest.raises(InvalidTransfer, match="not in the group"):
                await ledger.submit([refused])
        assert [e.seq for e in await ledger.store.stream_events("lobby:main")] == [1]
        with pytest.raises(InvalidTransfer, match="already has"):
            AppendEvent.create("lobby:main", "x", {"a": 1}, balances={"a": "player:0"})
        report = await verify_ledger(ledger.store)
        assert report.ok, report.problems
    finally:
        await ledger.close()


async def test_events_commit_with_the_money_in_gap_free_streams(database_url: str) -> None:
    ledger = await open_test_ledger(database_url)
    try:
        await open_casino(ledger, players=1, deposit_minor=100)
        started = AppendEvent.create("round:r1", "round.started", {"stake": 60})
        applied = await ledger.submit([reserve("player:0", "r1", 60), started])
        assert applied.results[1] == Event(
            "round:r1",
            1,
            "round.started",
            '{"stake":60}',
            applied.results[0].timestamp_ms,
            applied.results[0].batch_seq,
        )
        replay = await ledger.submit([reserve("player:0", "r1", 60), started])
        assert replay.replayed and replay.results[1] is None  # a replay appends nothing
        with pytest.raises(InsufficientFunds):  # a refused group appends nothing either
            await ledger.submit(
                [reserve("player:0", "r2", 60), AppendEvent.create("round:r1", "round.lost", {})]
            )
        await ledger.submit(
            [
                *settlement("player:0", "r1", 0, 0),
                AppendEvent.create("round:r1", "round.settled", {"win": 0}),
                AppendEvent.create("player:0", "balance.changed", {"cash": 40}),
            ]
        )
    finally:
        await ledger.close()

    ledger = await open_test_ledger(database_url)  # seqs continue after a restart
    try:
        appended = await ledger.submit([AppendEvent.create("round:r1", "round.archived", {})])
        assert appended.results[0].seq == 3  # type: ignore[union-attr]
        events = await ledger.store.stream_events("round:r1")
        assert [(e.seq, e.type) for e in events] == [
            (1, "round.started"),
            (2, "round.settled"),
            (3, "round.archived"),
        ]
        assert [e.type for e in await ledger.store.stream_events("round:r1", after_seq=2)] == [
            "round.archived"
        ]
        report = await verify_ledger(ledger.store)
        assert report.ok and report.events == 4, report.problems
    finally:
        await ledger.close()


async def test_the_first_events_of_many_streams_come_in_one_read(database_url: str) -> None:
    ledger = await open_test_ledger(database_url)
    try:
        await ledger.submit(
            [AppendEvent.create("round:a", "round.step", {"n": n}) for n in range(5)]
            + [AppendEvent.create("round:b", "round.step", {"n": 9})]
            + [AppendEvent.create("round:a.b", "round.step", {"n": n}) for n in range(3)]
        )
        await ledger.submit([AppendEvent.create("round:b", "round.step", {"n": 10})])
        found = await ledger.first_events(
            ["round:b", "round:a", "round:missing", "round:a", "round:a.b"], limit_per_stream=2
        )
        assert sorted(found) == ["round:a", "round:a.b", "round:b"]  # none for an empty one
        for stream, events in found.items():
            assert events == (await ledger.stream_events(stream))[:2]
        assert [e.data_json for e in found["round:b"]] == ['{"n":9}', '{"n":10}']
        whole = await ledger.first_events(["round:a"], limit_per_stream=1000)
        assert [e.seq for e in whole["round:a"]] == [1, 2, 3, 4, 5]
        assert await ledger.first_events([], limit_per_stream=1) == {}
        with pytest.raises(ValueError, match="at most"):
            await ledger.first_events([f"round:{n}" for n in range(1001)], limit_per_stream=1)
        with pytest.raises(ValueError, match="limit_per_stream"):
            await ledger.first_events(["round:a"], limit_per_stream=0)
    finally:
        await ledger.close()


async def test_a_retry_while_its_batch_commits_is_a_replay_even_when_expiries_flood_the_cache(
    database_url: str,
) -> None:
    """The id cache answers replays: it must keep a transfer until it has committed, even
    when the next batch voids more expired pendings than the cache holds."""
    clock = FakeClock()
    limits = WriterLimits(batch_commands_max=1, transfers_cached_max=4)
    ledger = await open_test_ledger(database_url, clock, limits)
    try:
        await open_casino(ledger, players=1, deposit_minor=10_000)
        for i in range(6):
            await ledger.submit([reserve("player:0", f"lapse{i}", 10, timeout_ms=1_000)])
        store = ledger.store
        commit = store.commit

        async def slow_commit(*args: Any) -> None:
            await asyncio.sleep(0.2)  # the retry arrives while this batch commits
            await commit(*args)

        store.commit = slow_commit  # type: ignore[method-assign]
        bet = TransferRequest.create(
            "bet",
            debit_account_id="player:0",
            credit_account_id=HOUSE,
            amount_minor=100,
            currency="EUR",
        )
        first = asyncio.create_task(ledger.submit([bet]))
        await asyncio.sleep(0.05)
        clock.now_ms += 5_000  # all six reservations expire in the retry's batch
        retried = await ledger.submit([bet])
        assert (await first).results == retried.results and retried.replayed
        assert ledger.writer is not None and ledger.writer.alive
        balance = (await ledger.balance("player:0"))[1]
        assert (balance.posted, balance.pending) == (9_900, 0)
        assert (await verify_ledger(store)).ok
    finally:
        await ledger.close()


async def test_a_resolved_pending_is_refused_as_resolved_after_a_restart(
    database_url: str,
) -> None:
    clock = FakeClock()
    ledger = await open_test_ledger(database_url, clock)
    await open_casino(ledger, players=1, deposit_minor=1_000)
    await ledger.submit([reserve("player:0", "lapse", 100, timeout_ms=1_000)])
    await ledger.submit([reserve("player:0", "twice", 100)])
    await ledger.close()

    ledger = await open_test_ledger(database_url, clock)  # caches cold, pendings reloaded
    try:
        clock.now_ms += 5_000
        with pytest.raises(PendingAlreadyResolved):  # it expired in this very batch
            await ledger.submit(settlement("player:0", "lapse", 0, 0))
        post = settlement("player:0", "twice", 0, 0)
        void = TransferRequest.create(
            "twice:void", kind=TransferKind.VOID, pending_id="twice:stake"
        )
        answers = await asyncio.gather(
            ledger.submit(post), ledger.submit([void]), return_exceptions=True
        )
        assert not isinstance(answers[0], BaseException)  # first in the batch wins
        assert isinstance(answers[1], PendingAlreadyResolved)
        assert (await verify_ledger(ledger.store)).ok
    finally:
        await ledger.close()


async def test_a_failed_commit_stops_the_writer_at_once(database_url: str) -> None:
    """Until a new writer loads from the database, nothing may look alive or show balances
    that were never committed."""
    ledger = await open_test_ledger(database_url)
    try:
        await open_casino(ledger, players=1, deposit_minor=1_000)
        store = ledger.store

        async def failing_commit(*args: Any) -> None:
            raise OSError("the disk is full")

        store.commit = failing_commit  # type: ignore[method-assign]
        with pytest.raises(LedgerUnavailable):
            await ledger.submit([reserve("player:0", "lost", 400)])
        await asyncio.sleep(0)  # nothing else happens: no new request wakes the writer
        assert ledger.writer is not None and not ledger.writer.alive
        assert (await ledger.latest_balance("player:0")).available == 1_000
        with pytest.raises(LedgerUnavailable):
            await ledger.submit([reserve("player:0", "after", 100)])
    finally:
        await ledger.close()


async def test_verify_reads_one_state_while_the_writer_commits(database_url: str) -> None:
    """An operator verifies a live ledger: batches committed during the run must not show
    up as balances that differ from the history replayed."""
    ledger = await open_test_ledger(database_url)
    await open_casino(ledger, players=4, deposit_minor=10**6)
    betting = True

    async def keep_betting(player: str) -> None:
        n = 0
        while betting:
            n += 1
            await ledger.submit([reserve(player, f"live-{player}-{n}", 1)])
            await ledger.submit(settlement(player, f"live-{player}-{n}", 0, n % 2))

    bettors = [asyncio.create_task(keep_betting(f"player:{i}")) for i in range(4)]
    try:
        for _ in range(20):
            report = await verify_ledger(ledger.store)
            assert report.ok, report.problems
    finally:
        betting = False
        await asyncio.gather(*bettors)
        await ledger.close()


async def test_a_new_sqlite_ledger_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """It holds unrevealed server seeds and password hashes (SQLite only: PostgreSQL keeps
    its own files)."""
    ledger = await open_test_ledger(f"sqlite:///{tmp_path}/own.db")
    try:
        await open_casino(ledger, players=1, deposit_minor=100)  # the WAL exists by now
        files = sorted(tmp_path.glob("own.db*"))
        assert len(files) >= 2
        assert all(f.stat().st_mode & 0o077 == 0 for f in files), [
            oct(f.stat().st_mode) for f in files
        ]
    finally:
        await ledger.close()
