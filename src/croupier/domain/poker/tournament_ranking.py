"""Finish places and prize money from eliminations: the ranking rules, as pure functions.

- Players busted together (one hand; during hand-for-hand, one round of hands across all
  tables) take the lowest free places; a bigger stack at the start of that hand finishes
  higher; equal starting stacks tie and cover the places together.
- Tied players share the prizes of the places they cover equally (``payouts.split_tied``,
  the remainder one unit each in entry order).

>>> rank_busted([("ann", 500), ("bob", 900), ("cy", 500)], players_remaining=10)
[('bob', 8, 8), ('ann', 9, 10), ('cy', 9, 10)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from croupier.domain.errors import InvariantBroken
from croupier.domain.poker.payouts import place_prizes, split_tied

__all__ = ["Payout", "rank_busted", "ranked_payouts"]


@dataclass(frozen=True)
class Payout:
    """What one entrant wins: their place (a range when tied) and the amount, minor units."""

    entrant_id: str
    place: int
    tied_to_place: int
    amount_minor: int


def rank_busted(
    busted: Sequence[tuple[str, int]], players_remaining: int
) -> list[tuple[str, int, int]]:
    """Places of players busted together: ``busted`` is (entrant, stack at the start of the
    hand) in entry order; ``players_remaining`` counts them too. Returns (entrant, best
    place, worst place), best first."""
    if not busted or len(busted) > players_remaining:
        raise InvariantBroken(f"{len(busted)} busted of {players_remaining} remaining")
    ordered = sorted(busted, key=lambda item: -item[1])  # stable: entry order among equals
    best = players_remaining - len(busted) + 1
    places: list[tuple[str, int, int]] = []
    for _, group in groupby(ordered, key=lambda item: item[1]):
        members = [key for key, _ in group]
        worst = best + len(members) - 1
        places.extend((key, best, worst) for key in members)
        best = worst + 1
    return places


def ranked_payouts(
    ranking: Mapping[str, tuple[int, int]],
    entry_order: Sequence[str],
    pool_minor: int,
    places_basis_points: Sequence[int],
) -> tuple[Payout, ...]:
    """Every paid entrant's prize; the amounts sum to ``pool_minor`` exactly."""
    prizes = list(place_prizes(pool_minor, places_basis_points))
    prizes += [0] * max(0, len(entry_order) - len(prizes))
    groups: dict[tuple[int, int], list[str]] = {}
    for entrant in entry_order:
        groups.setdefault(ranking[entrant], []).append(entrant)
    result: list[Payout] = []
    for (best, worst), members in sorted(groups.items()):
        if worst - best + 1 != len(members):
            raise InvariantBroken(f"places {best}-{worst} held by {len(members)} players")
        for entrant, amount in split_tied(prizes[best - 1 : worst], members):
            if amount:
                result.append(Payout(entrant, best, worst, amount))
    if sum(payout.amount_minor for payout in result) != pool_minor:
        raise InvariantBroken("payouts do not sum to the prize pool")
    return tuple(result)
