"""Playing cards as two-character strings (``"As"``, ``"Td"``) and the canonical shoe order."""

from __future__ import annotations

__all__ = ["RANKS", "SUITS", "canonical_deck", "canonical_shoe"]

RANKS = "23456789TJQKA"
SUITS = "cdhs"


def canonical_deck() -> list[str]:
    """The 52 cards in croupier-pf-1 order: ``2c 2d 2h 2s 3c … As``."""
    return [rank + suit for rank in RANKS for suit in SUITS]


def canonical_shoe(decks: int) -> list[str]:
    """``decks`` canonical decks in sequence (1 to 8)."""
    if isinstance(decks, bool) or not isinstance(decks, int) or not 1 <= decks <= 8:
        raise ValueError(f"a shoe holds 1 to 8 decks, got {decks!r}")
    return canonical_deck() * decks
