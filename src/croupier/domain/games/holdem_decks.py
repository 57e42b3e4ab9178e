"""Deck positions of a hold'em deal, and a fake RNG that yields a chosen deck.

The deal order (croupier-pf-1 deck, dealt from index 0) for ``n`` players in deal order
(left of the button first, the button last)::

    0 … n-1        first hole card of each player
    n … 2n-1       second hole card of each player
    2n             burn        2n+1 … 2n+3   flop
    2n+4           burn        2n+5          turn
    2n+6           burn        2n+7          river

:func:`stacked_deck` builds a deck that deals given cards (for tests and for reconstructing a
documented hand); :class:`DeckReplayRng` is an :class:`~croupier.domain.rng.RngSource` fake
whose draws make :func:`~croupier.domain.rng.shuffle` produce exactly that deck.
"""

from __future__ import annotations

from collections.abc import Sequence

from croupier.domain.cards import canonical_deck
from croupier.domain.errors import GameError

__all__ = ["DeckReplayRng", "board_positions", "stacked_deck"]

_UNKNOWN = "??"


def board_positions(player_count: int) -> tuple[int, ...]:
    """Deck indices of the five board cards (flop, turn, river) for ``player_count`` players."""
    start = 2 * player_count
    return (start + 1, start + 2, start + 3, start + 5, start + 7)


def _split(cards: str) -> list[str]:
    text = cards.replace(" ", "")
    return [text[index : index + 2] for index in range(0, len(text), 2)]


def stacked_deck(hole_cards: Sequence[str], board: str = "") -> list[str]:
    """A full 52-card deck dealing ``hole_cards[i]`` (e.g. ``"AcKd"``) to the i-th player in
    deal order and ``board`` (up to five cards, e.g. ``"Jc3d5c4hJh"``). ``"??"`` or missing
    cards, and every burn, are filled with the unused cards in canonical order.

    >>> deck = stacked_deck(["AcAd", "KcKd"], "2c3c4c")
    >>> deck[:4], deck[5:8]
    (['Ac', 'Kc', 'Ad', 'Kd'], ['2c', '3c', '4c'])
    """
    player_count = len(hole_cards)
    wanted: dict[int, str] = {}
    for player, cards in enumerate(hole_cards):
        first, second = _split(cards)
        wanted[player] = first
        wanted[player_count + player] = second
    for position, card in zip(board_positions(player_count), _split(board), strict=False):
        wanted[position] = card
    chosen = [card for card in wanted.values() if card != _UNKNOWN]
    if len(set(chosen)) != len(chosen) or not set(chosen) <= set(canonical_deck()):
        raise GameError(f"stacked cards repeat or are not cards: {chosen}")
    spare = iter(card for card in canonical_deck() if card not in chosen)
    return [
        wanted[index] if wanted.get(index, _UNKNOWN) != _UNKNOWN else next(spare)
        for index in range(52)
    ]


class DeckReplayRng:
    """An RngSource whose draws make ``shuffle(rng, canonical_deck())`` yield ``target``.

    Only for one 52-card shuffle, and only in that exact call order (n = 52, 51, …, 2).
    """

    def __init__(self, target: Sequence[str]) -> None:
        if sorted(target) != sorted(canonical_deck()):
            raise GameError("the target must be a permutation of the canonical deck")
        self._target = list(target)
        self._working = canonical_deck()

    def uniform(self, n: int) -> int:
        """The index ``j`` whose swap puts ``target[n - 1]`` in place."""
        position = n - 1
        index = self._working.index(self._target[position])
        self._working[position], self._working[index] = (
            self._working[index],
            self._working[position],
        )
        return index
