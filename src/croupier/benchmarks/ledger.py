"""Ledger throughput: slot-spin-like bet settlements from many concurrent producers.

Each settlement is two ledger requests, as a real round makes them: reserve the stake
(pending), then one linked group that posts it, funds the jackpot and pays the win (on about
one spin in three). Latency is measured from submitting a request to its durable
acknowledgement. The naive mode runs the same code with one request per durable transaction.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from croupier.bootstrap import make_store
from croupier.domain.ledger import Account, AccountKind, CreateAccount, TransferRequest
from croupier.services.ledger import Ledger, LedgerWriter, WriterLimits, verify_ledger
from croupier.services.ledger.bets import reserve_stake, settle_bet

__all__ = ["BenchResult", "run_ledger_bench"]

HOUSE, CLEARING, JACKPOT = "house:EUR", "clearing:EUR", "jackpot:EUR"
STAKE_MINOR = 100
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


async def _produce(
    ledger: Ledger,
    player: int,
    run_id: str,
    stop_at: float,
    latencies: list[float],
    settlement_latencies: list[float],
    rng: random.Random,
) -> int:
    account = f"p{player}"
    done = 0
    clock = time.perf_counter
    while (start := clock()) < stop_at:
        bet_id = f"{run_id}:{player}:{done}"
        await ledger.submit(
            [
                reserve_stake(
                    bet_id,
                    player_account=account,
                    house_account=HOUSE,
                    stake_minor=STAKE_MINOR,
                    currency="EUR",
                )
            ]
        )
        reserved = clock()
        win = STAKE_MINOR * rng.choice((0, 0, 2, 0, 0, 3, 0, 0, 1))
        await ledger.submit(
            settle_bet(
                bet_id,
                player_account=account,
                house_account=HOUSE,
                jackpot_account=JACKPOT,
                currency="EUR",
                contribution_minor=CONTRIBUTION_MINOR,
                win_minor=win,
            )
        )
        end = clock()
        latencies.append(reserved - start)
        latencies.append(end - reserved)
        settlement_latencies.append(end - start)
        done += 1
    return done


async def _run_mode(
    url: str, mode: str, seconds: float, producers: int, limits: WriterLimits
) -> BenchResult:
    store = make_store(url)
    await store.open(writer=True)
    writer = LedgerWriter(store, limits=limits)
    await writer.start()
    ledger = Ledger(store, writer)
    try:
        await _prepare(ledger, producers)
        latencies: list[float] = []
        settlement_latencies: list[float] = []
        rng = random.Random(7)
        batches_before = writer.stats.batches
        cpu_started = time.process_time()
        started = time.perf_counter()
        counts = await asyncio.gather(
            *(
                _produce(
                    ledger,
                    i,
                    secrets.token_hex(4),
                    started + seconds,
                    latencies,
                    settlement_latencies,
                    rng,
                )
                for i in range(producers)
            )
        )
        elapsed = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        batches = writer.stats.batches - batches_before
        verified = (await verify_ledger(store)).ok
    finally:
        await ledger.close()
    total = sum(counts)
    return BenchResult(
        mode=mode,
        settlements=total,
        seconds=elapsed,
        settlements_per_s=total / elapsed,
        p50_ms=_percentile(latencies, 50),
        p99_ms=_percentile(latencies, 99),
        settlement_p50_ms=_percentile(settlement_latencies, 50),
        settlement_p99_ms=_percentile(settlement_latencies, 99),
        batches=batches,
        verified=verified,
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
) -> tuple[BenchResult, BenchResult]:
    """Group-commit mode, then naive mode, each on a fresh database."""
    results = []
    for mode, mode_seconds, mode_producers, mode_limits in (
        ("group", seconds, producers, limits),
        (
            "naive",
            naive_seconds,
            naive_producers,
            WriterLimits(batch_commands_max=1, transfers_cached_max=limits.transfers_cached_max),
        ),
    ):
        async with _fresh_database(backend, database_url) as url:
            results.append(await _run_mode(url, mode, mode_seconds, mode_producers, mode_limits))
    return results[0], results[1]


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
            base = Path(self.admin_url or ".").resolve() if self.admin_url else Path.cwd()
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
