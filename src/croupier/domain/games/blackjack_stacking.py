"""Stacked shoes for tests and demonstrations: choose the cards a round will deal.

:func:`stacked_shoe` builds a full shoe whose first cards are the ones you name (the rest in
canonical order); :class:`StackedRng` is an :class:`~croupier.domain.rng.RngSource` whose
draws make :func:`~croupier.domain.rng.shuffle` of the canonical shoe produce a chosen order,
so a test can drive :func:`~croupier.domain.games.blackjack.start_round` itself.

>>> from croupier.domain.rng import shuffle
>>> shoe = stacked_shoe(1, ["As", "Kd"])
>>> shoe[:3]
('As', 'Kd', '2c')
>>> deck = canonical_shoe(1)
>>> shuffle(StackedRng(shoe), deck)
>>> tuple(deck) == shoe
True
"""

from __future__ import annotations

from collections.abc import Sequence

from croupier.domain.cards import canonical_shoe
from croupier.domain.errors import InvalidInput

__all__ = ["StackedRng", "stacked_shoe"]


def stacked_shoe(decks: int, front: Sequence[str]) -> tuple[str, ...]:
    """A shoe of ``decks`` decks starting with ``front``, then the remaining cards in order."""
    rest = canonical_shoe(decks)
    for card in front:
        if card not in rest:
            raise InvalidInput(f"front: no {card!r} left in {decks} deck(s)")
        rest.remove(card)
    return (*front, *rest)


class StackedRng:
    """Answers ``uniform`` so that Fisher–Yates over ``canonical_shoe`` yields ``order``.

    Fisher–Yates fixes position ``i = n-1, n-2, …, 1`` in turn by swapping in ``deck[j]``; the
    draw for ``i`` is wherever ``order[i]`` currently sits among ``deck[0..i]``.
    """

    def __init__(self, order: Sequence[str]) -> None:
        deck = canonical_shoe(len(order) // 52) if len(order) % 52 == 0 else []
        if sorted(deck) != sorted(order):
            raise InvalidInput("order: not a permutation of a canonical shoe")
        self._draws: list[int] = []
        for i in range(len(deck) - 1, 0, -1):
            j = deck.index(order[i], 0, i + 1)
            deck[i], deck[j] = deck[j], deck[i]
            self._draws.append(j)
        self._draws.reverse()

    def uniform(self, n: int) -> int:
        """The next planned draw (checked against ``n``: the shuffle must match the plan)."""
        if not self._draws:
            raise InvalidInput("StackedRng: no draws left")
        draw = self._draws.pop()
        if not 0 <= draw < n:
            raise InvalidInput(f"StackedRng: planned draw {draw} does not fit uniform({n})")
        return draw
