"""Chi-square uniformity of ProvablyFairSource on fixed seeds (deterministic, so never flaky).

Each test walks nonces of one fixed seed pair the way rounds do, tallies outcomes and asks
``scipy.stats.chisquare`` whether the counts fit the uniform law. The threshold
``P_VALUE_MIN = 1e-4`` is loose enough that the fixed seeds pass comfortably and tight enough
that the biased draw methods the spec forbids fail by many orders of magnitude (checked below).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from scipy.stats import chisquare

from croupier.domain.fairness import ProvablyFairSource, roulette_pocket, shuffled_shoe

SERVER_SEED = "5eed" * 16
CLIENT_SEED = "uniformity"
P_VALUE_MIN = 1e-4
DRAWS_PER_ROUND = 250


def draws(n: int, rounds: int, client_seed: str = CLIENT_SEED) -> list[int]:
    """``DRAWS_PER_ROUND`` draws of uniform(n) from each of nonces 0 … rounds-1."""
    values: list[int] = []
    for nonce in range(rounds):
        source = ProvablyFairSource(SERVER_SEED, client_seed, nonce)
        values.extend(source.uniform(n) for _ in range(DRAWS_PER_ROUND))
    return values


def tally(values: list[int], buckets: int, bucket_of: Callable[[int], int]) -> list[int]:
    counts = [0] * buckets
    for value in values:
        counts[bucket_of(value)] += 1
    return counts


def p_value(observed: list[int], expected: list[float] | None = None) -> float:
    result = chisquare(observed, expected)
    return float(result.pvalue)


@pytest.mark.parametrize("n", [2, 3, 37, 52, 1000])
def test_uniform_small_n(n: int) -> None:
    rounds = max(40, n * 40 // DRAWS_PER_ROUND)  # at least ~40 expected per outcome
    values = draws(n, rounds, client_seed=f"n{n}")
    assert min(values) == 0 and max(values) == n - 1
    assert p_value(tally(values, n, lambda value: value)) > P_VALUE_MIN


# 2**31 + 1 is the worst case for rejection (almost half of all words are rejected);
# 3 * 2**30 is where plain "word % n" would be most visibly biased.
BIG_NS = [2**31 + 1, 3 * 2**30]
BUCKETS = 64


def bucketed_expected(n: int, total: int) -> list[float]:
    """Expected counts per bucket ``value * 64 // n`` (buckets may differ in size by one)."""
    sizes = [-(-(bucket + 1) * n // BUCKETS) - -(-bucket * n // BUCKETS) for bucket in range(64)]
    assert sum(sizes) == n
    return [total * size / n for size in sizes]


@pytest.mark.parametrize("n", BIG_NS)
def test_uniform_big_n_bucketed(n: int) -> None:
    values = draws(n, 160, client_seed=f"big{n}")
    observed = tally(values, BUCKETS, lambda value: value * BUCKETS // n)
    assert p_value(observed, bucketed_expected(n, len(values))) > P_VALUE_MIN


def test_the_chi_square_catches_modulo_bias() -> None:
    # What a naive "word % n" would give on the same stream: values below 2**30 come up
    # twice as often as the rest. The test above must be able to see that.
    n = 3 * 2**30
    values: list[int] = []
    for nonce in range(160):
        source = ProvablyFairSource(SERVER_SEED, f"big{n}", nonce)
        values.extend(source.next_word() % n for _ in range(DRAWS_PER_ROUND))
    observed = tally(values, BUCKETS, lambda value: value * BUCKETS // n)
    assert p_value(observed, bucketed_expected(n, len(values))) < 1e-100


def test_roulette_pockets_one_spin_per_nonce() -> None:
    pockets = [
        roulette_pocket(ProvablyFairSource(SERVER_SEED, "wheel", nonce))
        for nonce in range(37 * 1000)
    ]
    assert p_value(tally(pockets, 37, lambda pocket: pocket)) > P_VALUE_MIN


SHUFFLES = 52 * 150


@pytest.fixture(scope="module")
def decks() -> list[list[str]]:
    return [
        shuffled_shoe(ProvablyFairSource(SERVER_SEED, "cards", nonce), 1)
        for nonce in range(SHUFFLES)
    ]


def test_ace_of_spades_lands_anywhere(decks: list[list[str]]) -> None:
    positions = [deck.index("As") for deck in decks]
    assert p_value(tally(positions, 52, lambda position: position)) > P_VALUE_MIN


def test_any_card_can_be_dealt_first(decks: list[list[str]]) -> None:
    order = [rank + suit for rank in "23456789TJQKA" for suit in "cdhs"]
    first_cards = [order.index(deck[0]) for deck in decks]
    assert p_value(tally(first_cards, 52, lambda index: index)) > P_VALUE_MIN


def test_neighbouring_cards_are_unrelated(decks: list[list[str]]) -> None:
    # Suit of the card at position 0 against the suit at position 1: 4 x 4 contingency cells,
    # expected in proportion 12/51 (same suit) and 13/51 (other suit) given the first card.
    suits = "cdhs"
    counts = [0] * 16
    for deck in decks:
        counts[suits.index(deck[0][1]) * 4 + suits.index(deck[1][1])] += 1
    expected = [
        SHUFFLES / 4 * (12 / 51 if first == second else 13 / 51)
        for first in range(4)
        for second in range(4)
    ]
    assert p_value(counts, expected) > P_VALUE_MIN
