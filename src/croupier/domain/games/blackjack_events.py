"""Blackjack round events: one small frozen record per thing that happened, in order.

The events a round emits, concatenated, are its history. The dealer's hole card appears only
in :class:`HoleCardRevealed`, so the history is safe to stream to the player as it happens.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

__all__ = [
    "BlackjackEvent",
    "Busted",
    "DealerHit",
    "DealerPeeked",
    "Dealt",
    "Doubled",
    "Hit",
    "HoleCardRevealed",
    "InsuranceDeclined",
    "InsuranceTaken",
    "Settled",
    "Split",
    "SplitCardDealt",
    "Stood",
    "Surrendered",
    "event_to_dict",
]


@dataclass(frozen=True, slots=True)
class Dealt:
    """The opening deal: two cards to the player, the dealer's up card (the hole card is hidden)."""

    stake_minor: int
    player_cards: tuple[str, str]
    dealer_upcard: str


@dataclass(frozen=True, slots=True)
class InsuranceTaken:
    """The player insured against a dealer blackjack: ``stake_minor`` is half the stake, floored."""

    stake_minor: int


@dataclass(frozen=True, slots=True)
class InsuranceDeclined:
    """The player declined insurance."""


@dataclass(frozen=True, slots=True)
class DealerPeeked:
    """The dealer checked the hole card under an ace or ten-valued up card."""

    blackjack: bool


@dataclass(frozen=True, slots=True)
class Hit:
    """Hand ``hand_index`` took ``card``."""

    hand_index: int
    card: str


@dataclass(frozen=True, slots=True)
class Stood:
    """Hand ``hand_index`` stands; ``automatic`` when the engine ended it (21, split aces)."""

    hand_index: int
    automatic: bool


@dataclass(frozen=True, slots=True)
class Doubled:
    """Hand ``hand_index`` doubled: ``stake_minor`` more staked, exactly one ``card`` drawn."""

    hand_index: int
    stake_minor: int
    card: str


@dataclass(frozen=True, slots=True)
class Split:
    """Hand ``hand_index`` split into itself and a new hand at ``hand_index + 1``."""

    hand_index: int
    stake_minor: int


@dataclass(frozen=True, slots=True)
class SplitCardDealt:
    """A split hand received its second card as play reached it."""

    hand_index: int
    card: str


@dataclass(frozen=True, slots=True)
class Surrendered:
    """Hand ``hand_index`` surrendered (late surrender: half the stake back, floored)."""

    hand_index: int


@dataclass(frozen=True, slots=True)
class Busted:
    """Hand ``hand_index`` went over 21."""

    hand_index: int
    total: int


@dataclass(frozen=True, slots=True)
class HoleCardRevealed:
    """The dealer turned the hole card over."""

    card: str


@dataclass(frozen=True, slots=True)
class DealerHit:
    """The dealer drew ``card``."""

    card: str


@dataclass(frozen=True, slots=True)
class Settled:
    """The round is over. Returns include the stake given back (a push returns the stake)."""

    dealer_total: int
    dealer_blackjack: bool
    hand_returns_minor: tuple[int, ...]
    insurance_return_minor: int
    total_stake_minor: int
    total_return_minor: int


BlackjackEvent = (
    Dealt
    | InsuranceTaken
    | InsuranceDeclined
    | DealerPeeked
    | Hit
    | Stood
    | Doubled
    | Split
    | SplitCardDealt
    | Surrendered
    | Busted
    | HoleCardRevealed
    | DealerHit
    | Settled
)

_TYPE_NAMES = {
    Dealt: "dealt",
    InsuranceTaken: "insurance-taken",
    InsuranceDeclined: "insurance-declined",
    DealerPeeked: "dealer-peeked",
    Hit: "hit",
    Stood: "stood",
    Doubled: "doubled",
    Split: "split",
    SplitCardDealt: "split-card-dealt",
    Surrendered: "surrendered",
    Busted: "busted",
    HoleCardRevealed: "hole-card-revealed",
    DealerHit: "dealer-hit",
    Settled: "settled",
}


def event_to_dict(event: BlackjackEvent) -> dict[str, Any]:
    """A JSON-safe dict: ``{"type": "hit", "hand_index": 0, "card": "As"}``."""
    result: dict[str, Any] = {"type": _TYPE_NAMES[type(event)]}
    for field in fields(event):
        value = getattr(event, field.name)
        result[field.name] = list(value) if isinstance(value, tuple) else value
    return result
