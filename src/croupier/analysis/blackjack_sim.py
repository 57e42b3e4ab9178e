"""Monte Carlo house edge of a blackjack rule set under basic strategy.

Every hand is a full engine round (:func:`croupier.domain.games.blackjack.deal_shoe` and the
action functions) on a freshly shuffled shoe, exactly as a live table plays it. Only the
shuffle differs from production: instead of the croupier-pf-1 Fisher–Yates over an
``RngSource`` (311 Python-level draws per six-deck round, which would dominate the run) the
simulator takes uniformly random permutations of ``canonical_shoe(decks)`` in batches from
NumPy's seeded PCG64 generator. Both give every ordering of the shoe equal probability, so the
edge measured is the edge of the game; the fast generator lives here, never in the domain.

Work is split into chunks of hands; chunk ``i`` draws from
``SeedSequence(seed, spawn_key=(i,))``, so a run is reproducible from ``(seed, hands)`` whatever
the number of worker processes. Sums are exact integers of minor units.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from croupier.analysis.blackjack_strategy import BasicStrategy, basic_strategy
from croupier.domain.cards import canonical_shoe
from croupier.domain.games.blackjack import (
    Action,
    BlackjackRules,
    Phase,
    RoundState,
    Step,
    deal_shoe,
    decline_insurance,
    double,
    hit,
    parse_rules,
    split,
    stand,
    surrender,
    take_insurance,
)

__all__ = [
    "CHUNK_HANDS_MAX",
    "ChunkResult",
    "SimulationSummary",
    "play_hand",
    "simulate",
    "simulate_chunk",
    "summarize",
]

#: Hands per unit of work: big enough to amortise process overhead, small for a smooth bar.
CHUNK_HANDS_MAX = 25_000
#: Shoes generated per NumPy call inside a chunk (bounds memory: 2,000 × 416 cards).
_BATCH_SHOES = 2_000
#: Two-sided 99% normal quantile.
Z_99 = 2.5758293035489004

_PERFORM: dict[Action, Callable[[RoundState], Step]] = {
    Action.HIT: hit,
    Action.STAND: stand,
    Action.DOUBLE: double,
    Action.SPLIT: split,
    Action.SURRENDER: surrender,
    Action.TAKE_INSURANCE: take_insurance,
    Action.DECLINE_INSURANCE: decline_insurance,
}


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """Exact sums over a chunk of hands; ``net`` is return minus stake, in minor units."""

    hands: int
    net_sum_minor: int
    net_square_sum_minor: int


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    """A finished simulation, per initial stake."""

    hands: int
    stake_minor: int
    house_edge: float
    house_edge_low_99: float
    house_edge_high_99: float
    std_dev_per_hand: float


def play_hand(
    rules: BlackjackRules, strategy: BasicStrategy, stake_minor: int, shoe: list[str]
) -> RoundState:
    """Play one round from ``shoe`` with ``strategy``; the settled state."""
    state = deal_shoe(rules, stake_minor, shoe, verify_shoe=False).state
    decide = strategy.decide
    settled = Phase.SETTLED
    while state.phase is not settled:
        state = _PERFORM[decide(state)](state).state
    return state


def simulate_chunk(
    rules_data: dict[str, Any], stake_minor: int, seed: int, chunk_index: int, hands: int
) -> ChunkResult:
    """Play ``hands`` rounds on shoes from ``SeedSequence(seed, spawn_key=(chunk_index,))``."""
    rules = parse_rules(rules_data)
    strategy = basic_strategy(rules)
    generator = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(chunk_index,)))
    )
    cards = np.array(canonical_shoe(rules.decks), dtype=object)
    net_sum_minor = 0
    net_square_sum_minor = 0
    for shoe in _shoes(generator, cards, hands):
        state = play_hand(rules, strategy, stake_minor, shoe)
        net_minor = state.total_return_minor - state.total_stake_minor
        net_sum_minor += net_minor
        net_square_sum_minor += net_minor * net_minor
    return ChunkResult(hands, net_sum_minor, net_square_sum_minor)


def _shoes(generator: np.random.Generator, cards: Any, count: int) -> Iterator[list[str]]:
    size = len(cards)
    while count > 0:
        batch = min(count, _BATCH_SHOES)
        order = generator.permuted(np.tile(np.arange(size, dtype=np.int16), (batch, 1)), axis=1)
        # An object array holds the interned card strings: tolist() only copies references.
        yield from cards[order].tolist()
        count -= batch


def _chunks(hands: int) -> list[tuple[int, int]]:
    """(chunk_index, hands) pairs covering ``hands``."""
    full, rest = divmod(hands, CHUNK_HANDS_MAX)
    chunks = [(index, CHUNK_HANDS_MAX) for index in range(full)]
    if rest:
        chunks.append((full, rest))
    return chunks


def simulate(
    rules: BlackjackRules,
    hands: int,
    seed: int,
    *,
    stake_minor: int,
    workers: int,
    on_chunk: Callable[[ChunkResult], None] | None = None,
) -> ChunkResult:
    """Play ``hands`` rounds over ``workers`` processes (1: in this process); the exact totals."""
    rules_data = rules.to_data()
    jobs = [(rules_data, stake_minor, seed, index, size) for index, size in _chunks(hands)]
    total = ChunkResult(0, 0, 0)
    if workers <= 1 or len(jobs) == 1:
        results: Iterator[ChunkResult] = (simulate_chunk(*job) for job in jobs)
        total = _accumulate(results, on_chunk)
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            total = _accumulate(pool.imap_unordered(_run_job, jobs), on_chunk)
    return total


def _run_job(job: tuple[dict[str, Any], int, int, int, int]) -> ChunkResult:
    return simulate_chunk(*job)


def _accumulate(
    results: Iterator[ChunkResult], on_chunk: Callable[[ChunkResult], None] | None
) -> ChunkResult:
    hands = net_sum_minor = net_square_sum_minor = 0
    for result in results:
        hands += result.hands
        net_sum_minor += result.net_sum_minor
        net_square_sum_minor += result.net_square_sum_minor
        if on_chunk is not None:
            on_chunk(result)
    return ChunkResult(hands, net_sum_minor, net_square_sum_minor)


def summarize(total: ChunkResult, stake_minor: int) -> SimulationSummary:
    """House edge (the player's mean loss per initial stake), its 99% interval, std dev."""
    count = total.hands
    mean = total.net_sum_minor / count
    # Sample variance from the exact integer sums (no cancellation error).
    spread = count * total.net_square_sum_minor - total.net_sum_minor**2
    variance = spread / (count * (count - 1)) if count > 1 else 0.0
    std_dev = math.sqrt(variance) / stake_minor
    edge = -mean / stake_minor
    half_width = Z_99 * std_dev / math.sqrt(count)
    return SimulationSummary(
        hands=count,
        stake_minor=stake_minor,
        house_edge=edge,
        house_edge_low_99=edge - half_width,
        house_edge_high_99=edge + half_width,
        std_dev_per_hand=std_dev,
    )
