"""Ledger throughput: slot-spin-like bet settlements from many concurrent producers.

Each settlement is one ledger request, as an instant round makes it: one linked group that
takes the stake, funds the jackpot and pays the win (on about one spin in three). (Until the
rounds were reshaped it was two: reserve the stake, then post it with the rest.) Latency is
measured from submitting a request to its durable acknowledgement. The naive mode runs the
same code with one request per durable transaction.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from croupier.bootstrap import make_store
from croupier.domain.errors import CroupierError
from croupier.domain.ledger import Account, AccountKind, CreateAccount, TransferRequest
from croupier.services.ledger import Ledger, LedgerWriter, WriterLimits, verify_ledger
from croupier.services.ledger.bets import instant_bet

__all__ = ["BenchResult", "run_ledger_bench"]

HOUSE, CLEARING, JACKPOT = "house:EUR", "clearing:EUR", "jackpot:EUR"
STAKE_MINOR = 100
OPEN_LOOP_IN_FLIGHT_MAX = 50_000
CONTRIBUTION_MINOR = 1
DEPOSIT_MINOR = 10**12


@dataclass(frozen=True, slots=True)
class BenchResult:
    mode: str
    settlements: int
    seconds: float
    settlements_per_s: float
    p50_ms: float
    p99_ms: float
    settlement_p50_ms: float
    settlement_p99_ms: float
    batches: int
    verified: bool
    #: Settlements the ledger refused or failed (``Busy`` when its queue is full): not in
    #: ``settlements`` nor in the latencies; a run with any is not a valid measurement.
    failed: int
    #: CPU time of the whole process per settlement (all threads): a figure that load on a
    #: shared machine inflates less than wall-clock throughput.
    cpu_us_per_settlement: float


async def _prepare(ledger: Ledger, players: int) -> None:
    await ledger.submit(
        [
            CreateAccount(Account(HOUSE, AccountKind.HOUSE_BANKROLL, "EUR", -(10**15))),
            CreateAccount(Account(CLEARING, AccountKind.PAYMENT_CLEARING, "EUR", None)),
            CreateAccount(Account(JACKPOT, AccountKind.JACKPOT_POOL, "EUR", 0)),
        ]
    )
    for start in range(0, players, 30):
        group: list[CreateAccount | TransferRequest] = []
        for i in range(start, min(players, start + 30)):
            group.append(CreateAccount(Account(f"p{i}", AccountKind.PLAYER_CASH, "EUR", 0)))
            group.append(
                TransferRequest.create(
                    f"deposit:{i}",
                    debit_account_id=CLEARING,
                    credit_account_id=f"p{i}",
                    amount_minor=DEPOSIT_MINOR,
                    currency="EUR",
                    reason="deposit",
                )
            )
        await ledger.submit(group)


async def _settle_one(
    ledger: Ledger, account: str, bet_id: str, started: float, samples: _Samples, win: int
) -> None:
    """One settlement as a slot spin makes it: stake, contribution and win in one group."""
    try:
        await ledger.submit(
            instant_bet(
                bet_id,
                player_account=account,
                house_account=HOUSE,
                jackpot_account=JACKPOT,
                currency="EUR",
                stake_minor=STAKE_MINOR,
                contribution_minor=CONTRIBUTION_MINOR,
                win_minor=win,
            )
        )
    except CroupierError:
        samples.failed += 1
        return
    end = time.perf_counter()
    samples.requests.append(end - started)
    samples.settlements.append(end - started)


@dataclass
class _Samples:
    requests: list[float]
    settlements: list[float]
    failed: int = 0


def _win(rng: random.Random) -> int:
    return STAKE_MINOR * rng.choice((0, 0, 2, 0, 0, 3, 0, 0, 1))  # a win on one spin in three


async def _closed_loop(
    ledger: Ledger, producers: int, run_id: str, stop_at: float, samples: _Samples
) -> int:
    """Each producer plays one spin after another, as fast as the ledger answers."""
    rng = random.Random(7)

    async def produce(player: int) -> int:
        done = 0
        while (started := time.perf_counter()) < stop_at:
            await _settle_one(
                ledger, f"p{player}", f"{run_id}:{player}:{done}", started, samples, _win(rng)
            )
            done += 1
        return done

    return sum(await asyncio.gather(*(produce(p) for p in range(producers))))


async def _open_loop(
    ledger: Ledger, players: int, run_id: str, stop_at: float, samples: _Samples, rate: float
) -> int:
    """Spins arrive at ``rate`` per second whatever the ledger does (open loop). Latency is
    measured from each spin's scheduled time, so a stall is not hidden (no coordinated
    omission)."""
    rng = random.Random(7)
    interval = 1 / rate
    tasks: set[asyncio.Task[None]] = set()
    scheduled = time.perf_counter()
    n = 0
    while scheduled < stop_at:
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) >= OPEN_LOOP_IN_FLIGHT_MAX:
            raise RuntimeError(
                f"more than {OPEN_LOOP_IN_FLIGHT_MAX} spins in flight: the "
                f"ledger cannot keep up with {rate:,.0f}/s"
            )
        task = asyncio.create_task(
            _settle_one(ledger, f"p{n % players}", f"{run_id}:{n}", scheduled, samples, _win(rng))
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        n += 1
        scheduled += interval
    await asyncio.gather(*tasks)
    return n


async def _run_mode(
    url: str,
    mode: str,
    seconds: float,
    producers: int,
    limits: WriterLimits,
    rate: float | None = None,
) -> BenchResult:
    """One run on a fresh ledger: closed loop with ``producers``, or open loop at ``rate``
    settlements/s spread over ``producers`` players."""
    store = make_store(url)
    await store.open(writer=True)
    writer = LedgerWriter(store, limits=limits)
    await writer.start()
    ledger = Ledger(store, writer)
    try:
        await _prepare(ledger, producers)
        gc.freeze()  # the accounts and caches set up so far live for the whole run
        samples = _Samples([], [])
        batches_before = writer.stats.batches
        cpu_started = time.process_time()
        started = time.perf_counter()
        run_id = secrets.token_hex(4)
        if rate is None:
            await _closed_loop(ledger, producers, run_id, started + seconds, samples)
        else:
            await _open_loop(ledger, producers, run_id, started + seconds, samples, rate)
        total = len(samples.settlements)  # completed ones: the failed are counted apart
        elapsed = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        batches = writer.stats.batches - batches_before
        verified = (await verify_ledger(store)).ok
    finally:
        await ledger.close()
    return BenchResult(
        mode=mode if rate is None else f"{mode} open-loop at {rate:,.0f}/s",
        settlements=total,
        seconds=elapsed,
        settlements_per_s=total / elapsed,
        p50_ms=_percentile(samples.requests, 50),
        p99_ms=_percentile(samples.requests, 99),
        settlement_p50_ms=_percentile(samples.settlements, 50),
        settlement_p99_ms=_percentile(samples.settlements, 99),
        batches=batches,
        verified=verified,
        failed=samples.failed,
        cpu_us_per_settlement=cpu_seconds / max(1, total) * 1e6,
    )


def _percentile(samples: list[float], percent: int) -> float:
    if len(samples) < 2:
        return samples[0] * 1000 if samples else 0.0
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1] * 1000


async def run_ledger_bench(
    backend: str,
    *,
    seconds: float,
    producers: int,
    naive_seconds: float,
    naive_producers: int,
    database_url: str | None,
    limits: WriterLimits,
    rate: float | None = None,
) -> tuple[BenchResult, BenchResult]:
    """Group-commit mode (open loop when ``rate`` is given), then the naive closed-loop
    mode, each on a fresh database."""
    naive_limits = WriterLimits(
        batch_commands_max=1, transfers_cached_max=limits.transfers_cached_max
    )
    async with _fresh_database(backend, database_url) as url:
        group = await _run_mode(url, "group", seconds, producers, limits, rate)
    async with _fresh_database(backend, database_url) as url:
        naive = await _run_mode(url, "naive", naive_seconds, naive_producers, naive_limits)
    return group, naive


class _fresh_database:  # noqa: N801 - used as a context manager
    """A new, empty database for one run, removed afterwards."""

    def __init__(self, backend: str, admin_url: str | None) -> None:
        self.backend = backend
        self.admin_url = admin_url
        self.name = f"croupier_bench_{secrets.token_hex(4)}"
        self.tmp: tempfile.TemporaryDirectory[str] | None = None

    async def __aenter__(self) -> str:
        if self.backend == "sqlite":
            # a directory on the working disk, not tmpfs: durability must cost what it costs
            base = Path(self.admin_url).resolve() if self.admin_url else Path.cwd()
            self.tmp = tempfile.TemporaryDirectory(prefix=".bench-", dir=base)
            return f"sqlite:///{self.tmp.name}/ledger.db"
        import asyncpg

        admin = await asyncpg.connect(self._admin_dsn())
        try:
            await admin.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await admin.close()
        return self._admin_dsn().rsplit("/", 1)[0] + "/" + self.name

    async def __aexit__(self, *exc: object) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()
            return
        import asyncpg

        admin = await asyncpg.connect(self._admin_dsn())
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                self.name,
            )
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        finally:
            await admin.close()

    def _admin_dsn(self) -> str:
        return self.admin_url or os.environ.get(
            "CROUPIER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        )
