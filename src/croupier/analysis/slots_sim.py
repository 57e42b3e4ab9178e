"""Monte Carlo simulation of a slot game, vectorised over chunks of spins.

Simulation is not live play, so it draws from numpy's PCG64 rather than the provably-fair
stream; stops are uniform either way. Per chunk: draw every reel group's combined stop at
once, score all spins with :class:`FastEvaluator`, play the features that triggered as
parallel "generations" (every active feature plays its next free spin together; retriggers
extend it up to the cap), then resolve the jackpot draws.

The jackpot is simulated as a real progressive pool at the chosen stake: it grows by the
contribution every spin (the winning spin's included), pays out on a hit and restarts at its
seed. The pool starts in its steady state (spins since the last hit drawn geometric), so
the simulated jackpot RTP is unbiased even for runs shorter than the mean time to a hit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from croupier.analysis.slots_par import CHUNK_SPINS
from croupier.analysis.slots_tables import FastEvaluator
from croupier.domain.games.slots import SlotGame
from croupier.domain.games.slots_definition import BASIS_POINTS

__all__ = ["WORKERS", "Simulation", "simulate"]

CHECKPOINTS_MAX = 400
WORKERS = 2

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Simulation:
    """What a run of ``spins`` paid rounds returned, in stakes."""

    spins: int
    seed: int
    stake_minor: int
    game_win: float  # base + feature, in stakes
    jackpot_win: float  # in stakes
    square_sum: float  # Σ (round win / stake)²
    features: int
    free_spins: int
    jackpot_hits: int
    elapsed_s: float
    checkpoints: tuple[tuple[int, float], ...] = field(repr=False)  # (spins, running RTP)

    @property
    def rtp(self) -> float:
        """Simulated RTP, jackpot included."""
        return (self.game_win + self.jackpot_win) / self.spins

    @property
    def game_rtp(self) -> float:
        """Simulated RTP without the jackpot."""
        return self.game_win / self.spins

    @property
    def sample_sd(self) -> float:
        """Sample standard deviation of one round's win, in stakes."""
        return float(max(self.square_sum / self.spins - self.rtp**2, 0.0) ** 0.5)

    @property
    def spins_per_s(self) -> float:
        """Throughput of the run."""
        return self.spins / self.elapsed_s if self.elapsed_s > 0 else float("inf")


class _Run:
    """Mutable bookkeeping of one simulation (kept out of the result)."""

    def __init__(self, game: SlotGame, evaluator: FastEvaluator, stake_minor: int) -> None:
        self.game = game
        self.evaluator = evaluator
        self.lines = game.line_count
        self.scatter_pays = np.array(evaluator.scatter_pays, np.int64)
        self.awards = np.array(evaluator.awards, np.int64)
        scatter = game.definition.scatter
        self.cap = scatter.free_spins_max if scatter else 0
        self.multiplier = scatter.free_spin_multiplier if scatter else 1
        self.stake_minor = stake_minor
        jackpot = game.definition.jackpot
        self.odds = jackpot.odds if jackpot else 0
        self.seed_minor = jackpot.seed_minor if jackpot else 0
        self.contribution_minor = (
            stake_minor * jackpot.contribution_bps // BASIS_POINTS if jackpot else 0
        )
        self.age = 0  # spins since the pool last restarted
        self.features = self.free_spins = self.jackpot_hits = 0

    def spin_wins(self, rng: np.random.Generator, size: int) -> tuple[IntArray, IntArray]:
        """Wins (line bets, unmultiplied) and scatter counts of ``size`` fresh spins."""
        indices = [rng.integers(0, n, size, dtype=np.int64) for n in self.evaluator.group_sizes]
        totals, scatters = self.evaluator.evaluate(indices)
        return totals + self.scatter_pays[scatters] * self.lines, scatters

    def features_win(self, rng: np.random.Generator, starts: IntArray) -> IntArray:
        """Total free-spin win (line bets) of features starting with ``starts`` spins each."""
        awarded = np.minimum(starts, self.cap)
        played = np.zeros_like(awarded)
        totals = np.zeros_like(awarded)
        active = np.flatnonzero(played < awarded)
        while active.size:
            wins, scatters = self.spin_wins(rng, active.size)
            totals[active] += self.multiplier * wins
            played[active] += 1
            awarded[active] = np.minimum(awarded[active] + self.awards[scatters], self.cap)
            active = active[played[active] < awarded[active]]
        self.features += int(starts.size)
        self.free_spins += int(played.sum())
        return totals

    def jackpot_wins(self, rng: np.random.Generator, size: int) -> tuple[IntArray, IntArray]:
        """Positions of jackpot hits in this chunk and the pool each one won (minor units)."""
        if not self.odds:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        hits = np.flatnonzero(rng.integers(0, self.odds, size, dtype=np.int64) == 0)
        if not hits.size:
            self.age += size
            return hits, hits
        ages = np.diff(hits, prepend=-1 - self.age)  # spins since the restart, this one incl.
        self.age = size - 1 - int(hits[-1])
        self.jackpot_hits += int(hits.size)
        return hits, self.seed_minor + self.contribution_minor * ages


@dataclass(frozen=True)
class _Chunk:
    """One chunk's sums and its running totals at the checkpoints that fall inside it."""

    start: int
    size: int
    game_line_bets: int
    jackpot: float
    squares: float
    at: npt.NDArray[np.int64]
    running: npt.NDArray[np.float64]


def _play_chunk(
    run: _Run, rng: np.random.Generator, start: int, size: int, grid: IntArray
) -> _Chunk:
    wins, scatters = run.spin_wins(rng, size)
    triggered = np.flatnonzero(run.awards[scatters] > 0)
    if triggered.size:
        wins[triggered] += run.features_win(rng, run.awards[scatters[triggered]])
    round_wins = wins / run.lines
    hits, pools = run.jackpot_wins(rng, size)
    round_wins[hits] += pools / run.stake_minor
    inside = grid[(grid > start) & (grid <= start + size)]
    running = np.cumsum(round_wins)[inside - start - 1] if inside.size else np.zeros(0)
    return _Chunk(
        start=start,
        size=size,
        game_line_bets=int(wins.sum()),
        jackpot=float(pools.sum()) / run.stake_minor,
        squares=float(np.dot(round_wins, round_wins)),
        at=inside,
        running=running,
    )


def simulate(
    game: SlotGame,
    evaluator: FastEvaluator,
    spins: int,
    seed: int,
    stake_minor: int,
    progress: Callable[[int], None] | None = None,
    workers: int = WORKERS,
) -> Simulation:
    """Play ``spins`` paid rounds at ``stake_minor``; ``progress(n)`` after each chunk.

    Chunk i goes to worker i mod ``workers``; each worker has its own PCG64 stream (spawned
    from ``seed``) and its own jackpot pool, so a (seed, workers) pair repeats exactly.
    numpy releases the GIL in the gathers, so two threads use two cores.
    """
    game.check_stake(stake_minor)
    streams = np.random.SeedSequence(seed).spawn(workers)
    starts = list(range(0, spins, CHUNK_SPINS))
    grid = np.unique(np.geomspace(1, spins, CHECKPOINTS_MAX).astype(np.int64))

    def work(worker: int) -> tuple[_Run, list[_Chunk]]:
        rng = np.random.Generator(np.random.PCG64(streams[worker]))
        run = _Run(game, evaluator, stake_minor)
        if run.odds:  # steady state: spins since the last hit are geometric (≥ 0)
            run.age = int(rng.geometric(1 / run.odds)) - 1
        chunks = []
        for start in starts[worker::workers]:
            chunks.append(_play_chunk(run, rng, start, min(CHUNK_SPINS, spins - start), grid))
            if progress is not None:
                progress(chunks[-1].size)
        return run, chunks

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(work, range(workers)))
    elapsed_s = time.perf_counter() - started
    chunks = sorted((c for _, done in results for c in done), key=lambda c: c.start)
    checkpoints: list[tuple[int, float]] = []
    prior = 0.0
    for chunk in chunks:
        running = (prior + chunk.running) / chunk.at
        checkpoints.extend(zip(chunk.at.tolist(), running.tolist(), strict=True))
        prior += chunk.game_line_bets / game.line_count + chunk.jackpot
    runs = [run for run, _ in results]
    return Simulation(
        spins=spins,
        seed=seed,
        stake_minor=stake_minor,
        game_win=sum(c.game_line_bets for c in chunks) / game.line_count,
        jackpot_win=sum(c.jackpot for c in chunks),
        square_sum=sum(c.squares for c in chunks),
        features=sum(r.features for r in runs),
        free_spins=sum(r.free_spins for r in runs),
        jackpot_hits=sum(r.jackpot_hits for r in runs),
        elapsed_s=elapsed_s,
        checkpoints=tuple(checkpoints),
    )
