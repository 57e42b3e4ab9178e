"""The hand history: every step of a hold'em hand as a small frozen event, in order.

Events name seats (the table's seat numbers), never engine indices. Cards carry the index in
the shuffled deck they were dealt from, so anyone holding the deck can check the deal.
Each event has a ``to_dict()`` with a ``"type"`` key, JSON-safe.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

__all__ = [
    "AntePosted",
    "BetOrRaisedTo",
    "BlindOrStraddlePosted",
    "BoardDealt",
    "CardBurned",
    "CheckedOrCalled",
    "Folded",
    "HandEnded",
    "HandEvent",
    "HandMucked",
    "HandShown",
    "HandStarted",
    "HoleCardDealt",
    "PotAwarded",
]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class HandEvent:
    """Base of every hand event."""

    type: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: ``{"type": ..., <fields>}`` (tuples become lists)."""
        data: dict[str, Any] = {"type": self.type}
        for field in fields(self):
            data[field.name] = _plain(getattr(self, field.name))
        return data


@dataclass(frozen=True)
class HandStarted(HandEvent):
    """Who is dealt in: ``seats`` in deal order (left of the button first, button last)."""

    type: ClassVar[str] = "hand-started"
    button_seat: int
    seats: tuple[int, ...]
    stacks_minor: tuple[int, ...]


@dataclass(frozen=True)
class AntePosted(HandEvent):
    type: ClassVar[str] = "ante-posted"
    seat: int
    amount_minor: int


@dataclass(frozen=True)
class BlindOrStraddlePosted(HandEvent):
    type: ClassVar[str] = "blind-posted"
    seat: int
    amount_minor: int


@dataclass(frozen=True)
class HoleCardDealt(HandEvent):
    type: ClassVar[str] = "hole-card-dealt"
    seat: int
    card: str
    deck_index: int


@dataclass(frozen=True)
class CardBurned(HandEvent):
    type: ClassVar[str] = "card-burned"
    card: str
    deck_index: int


@dataclass(frozen=True)
class BoardDealt(HandEvent):
    """``street`` is ``flop``, ``turn`` or ``river``; the cards came from consecutive indices."""

    type: ClassVar[str] = "board-dealt"
    street: str
    cards: tuple[str, ...]
    first_deck_index: int


@dataclass(frozen=True)
class Folded(HandEvent):
    type: ClassVar[str] = "folded"
    seat: int


@dataclass(frozen=True)
class CheckedOrCalled(HandEvent):
    """``amount_minor`` is what the player added (0 for a check)."""

    type: ClassVar[str] = "checked-or-called"
    seat: int
    amount_minor: int


@dataclass(frozen=True)
class BetOrRaisedTo(HandEvent):
    """``amount_minor`` is the player's total bet on this street after the action."""

    type: ClassVar[str] = "bet-or-raised-to"
    seat: int
    amount_minor: int


@dataclass(frozen=True)
class HandShown(HandEvent):
    type: ClassVar[str] = "hand-shown"
    seat: int
    cards: tuple[str, ...]


@dataclass(frozen=True)
class HandMucked(HandEvent):
    type: ClassVar[str] = "hand-mucked"
    seat: int


@dataclass(frozen=True)
class PotAwarded(HandEvent):
    """One pot (0 = main, then side pots): its rake and who won how much of the rest.

    ``showdown_seats`` are the seats still holding live cards for this pot when it was pushed
    (pokerkit kills a hand that can win nothing before pushing, so a loser may be absent).
    """

    type: ClassVar[str] = "pot-awarded"
    pot_index: int
    showdown_seats: tuple[int, ...]
    rake_minor: int
    awards_minor: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class HandEnded(HandEvent):
    """Final stacks and net result per seat (in ``HandStarted.seats`` order) and the rake."""

    type: ClassVar[str] = "hand-ended"
    seats: tuple[int, ...]
    stacks_minor: tuple[int, ...]
    net_minor: tuple[int, ...]
    rake_minor: int
