"""The prize pool and what each place wins, in integer minor units, exactly.

Rounding rule (documented in docs/poker.md): each place first gets
``floor(pool × basis_points / 10000)``; the remainder (always fewer units than paid places)
goes **one minor unit each to the top places**, 1st first. The payouts then sum to the pool
exactly and never increase down the places (the basis points never do).

Ties: players who share places (simultaneous eliminations with equal starting stacks) share
the sum of those places' prizes equally; the remainder of that division goes one unit each
to the tied players in the order given (the tournament passes them by entry number).

>>> place_prizes(1001, (5000, 3000, 2000))
(501, 300, 200)
>>> split_tied(prize_of_places=(300, 200, 0), players=("ann", "bob", "cy"))
(('ann', 167), ('bob', 167), ('cy', 166))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from croupier.domain.errors import InvariantBroken
from croupier.domain.poker.tournament_structure import BASIS_POINTS_TOTAL, TournamentStructure

__all__ = ["PoolCounts", "place_prizes", "prize_pool_minor", "split_tied"]


@dataclass(frozen=True)
class PoolCounts:
    """What was sold: entries (late ones included), re-buys and add-ons."""

    entries: int
    rebuys: int = 0
    add_ons: int = 0


def prize_pool_minor(structure: TournamentStructure, counts: PoolCounts) -> int:
    """``max(guarantee, entries × buy-in + re-buys × price + add-ons × price)``; fees are
    the house's and never part of the pool.

    >>> from croupier.domain.poker.tournament_structure import _SAMPLE, parse_structure
    >>> prize_pool_minor(parse_structure(_SAMPLE), PoolCounts(entries=2))
    200
    """
    collected = counts.entries * structure.buy_in_minor
    if structure.rebuy is not None:
        collected += counts.rebuys * structure.rebuy.price_minor
    if structure.add_on is not None:
        collected += counts.add_ons * structure.add_on.price_minor
    return max(structure.guarantee_minor, collected)


def place_prizes(pool_minor: int, places_basis_points: Sequence[int]) -> tuple[int, ...]:
    """The prize of each paid place (1st first) under the rounding rule above."""
    if pool_minor < 0 or sum(places_basis_points) != BASIS_POINTS_TOTAL:
        raise InvariantBroken(f"cannot split pool {pool_minor} by {places_basis_points}")
    prizes = [pool_minor * points // BASIS_POINTS_TOTAL for points in places_basis_points]
    remainder = pool_minor - sum(prizes)
    if not 0 <= remainder < len(prizes):
        raise InvariantBroken(f"rounding remainder {remainder} for {len(prizes)} places")
    for place in range(remainder):
        prizes[place] += 1
    return tuple(prizes)


def split_tied(
    prize_of_places: Sequence[int], players: Sequence[str]
) -> tuple[tuple[str, int], ...]:
    """Share the prizes of the places tied ``players`` cover (one place each), equally;
    the remainder one unit each to the first players given."""
    if len(prize_of_places) != len(players) or not players:
        raise InvariantBroken("tied players cover exactly as many places as there are players")
    share, remainder = divmod(sum(prize_of_places), len(players))
    return tuple(
        (player, share + (1 if index < remainder else 0)) for index, player in enumerate(players)
    )
