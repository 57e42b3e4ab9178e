"""Test helpers for the poker domain: a seeded RngSource and an all-in hand simulator.

The simulator stands in for the table actor in tournament tests: each "hand" is an all-in
between two or three random players with chips at one table, with proper side pots, so
chips are conserved and simultaneous bust-outs (sometimes with equal stacks) happen.
"""

from __future__ import annotations

import random

from croupier.domain.games.holdem import deal_order
from croupier.domain.poker.seating import TableSeats
from croupier.domain.poker.tournament import HandOutcome
from croupier.domain.rng import RngSource, shuffle


class SeededRng:
    """A reproducible RngSource for tests (not for play)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def uniform(self, n: int) -> int:
        return self._random.randrange(n)


def all_in_hand(table: TableSeats, stacks: dict[str, int], rng: RngSource) -> HandOutcome | None:
    """One simulated hand at ``table`` (``None`` if fewer than two players have chips)."""
    live = {seat: who for seat, who in table.players.items() if stacks[who] > 0}
    if len(live) < 2:
        return None
    button = deal_order(list(live), table.button_seat)[-1]
    starting = {who: stacks[who] for who in live.values()}
    if rng.uniform(5):  # most hands: a small pot between two players, nobody busts
        first, second = sorted(live.values())[:2] if len(live) == 2 else _two(live, rng)
        amount = 1 + rng.uniform(max(1, min(starting[first], starting[second]) // 10))
        amount = min(amount, starting[second] - 1) if starting[second] > 1 else 0
        final_small = {
            **starting,
            first: starting[first] + amount,
            second: starting[second] - amount,
        }
        return HandOutcome(table.table_id, button, starting, final_small)
    players = sorted(live.values())
    shuffle(rng, players)
    all_in = players[: 2 + rng.uniform(2) if len(players) > 2 else 2]
    finish_order = list(all_in)  # random order: the first is the best hand
    shuffle(rng, finish_order)
    final = dict(starting)
    level = 0
    for cap in sorted({starting[who] for who in all_in}):
        covering = [who for who in all_in if starting[who] >= cap]
        layer = (cap - level) * len(covering)
        for who in covering:
            final[who] -= cap - level
        winner = next(who for who in finish_order if who in covering)
        final[winner] += layer
        level = cap
    return HandOutcome(table.table_id, button, starting, final)


def _two(live: dict[int, str], rng: RngSource) -> tuple[str, str]:
    players = sorted(live.values())
    shuffle(rng, players)
    return players[0], players[1]
