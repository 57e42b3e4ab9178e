"""The blackjack round as an immutable value: hands, dealer cards, the shuffled shoe, the phase.

Actions (in :mod:`croupier.domain.games.blackjack`) never modify a :class:`RoundState`; they
return a new one. Because the shoe is part of the state, a saved state
(:mod:`~croupier.domain.games.blackjack_codec`) resumes and continues exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from croupier.domain.cards import canonical_deck
from croupier.domain.errors import InvalidRoundState
from croupier.domain.games.blackjack_rules import BlackjackRules

__all__ = [
    "Hand",
    "HandStatus",
    "InvalidRoundState",
    "Phase",
    "RoundState",
    "Settlement",
    "card_value",
    "hand_total",
    "is_ace",
]


#: Card → blackjack value with aces as 1 (the soft ace's +10 is added by ``hand_total``).
CARD_VALUES: dict[str, int] = {
    card: 1 if card[0] == "A" else 10 if card[0] in "TJQK" else int(card[0])
    for card in canonical_deck()
}


def card_value(card: str) -> int:
    """The card's value, aces counted as 1: ``card_value("Kd") == 10``."""
    return CARD_VALUES[card]


def is_ace(card: str) -> bool:
    """Whether ``card`` is an ace."""
    return card[0] == "A"


def hand_total(cards: Sequence[str]) -> tuple[int, bool]:
    """The best total and whether it is soft (an ace counted as 11).

    >>> hand_total(("As", "6d"))
    (17, True)
    >>> hand_total(("As", "6d", "Tc"))
    (17, False)
    """
    total = 0
    has_ace = False
    values = CARD_VALUES
    for card in cards:
        value = values[card]
        total += value
        if value == 1:
            has_ace = True
    if has_ace and total <= 11:
        return total + 10, True
    return total, False


class Phase(Enum):
    """Where a round stands. The dealer's turn is not a phase: it runs inside the last action."""

    INSURANCE = "insurance"
    PLAYER = "player"
    SETTLED = "settled"


class HandStatus(Enum):
    """A player hand's state; only the active hand in ``Phase.PLAYER`` is ``PLAYING``."""

    PLAYING = "playing"
    STOOD = "stood"
    BUSTED = "busted"
    SURRENDERED = "surrendered"


@dataclass(frozen=True, slots=True)
class Hand:
    """One player hand. ``stake_minor`` includes a double."""

    cards: tuple[str, ...]
    stake_minor: int
    status: HandStatus
    from_split: bool
    doubled: bool

    @property
    def total(self) -> int:
        """The best total (an ace counts 11 when that does not bust)."""
        return hand_total(self.cards)[0]

    @property
    def is_blackjack(self) -> bool:
        """Two cards making 21 on an unsplit hand (21 after a split is just 21)."""
        return not self.from_split and len(self.cards) == 2 and hand_total(self.cards)[0] == 21

    @property
    def is_split_aces(self) -> bool:
        """A hand started from splitting aces."""
        return self.from_split and self.cards[0][0] == "A"


@dataclass(frozen=True, slots=True)
class Settlement:
    """How a settled round paid: per hand and for insurance, stakes included."""

    dealer_total: int
    dealer_blackjack: bool
    hand_returns_minor: tuple[int, ...]
    insurance_return_minor: int

    @property
    def total_return_minor(self) -> int:
        """Everything paid back to the player (stakes of winning and pushed bets included)."""
        return sum(self.hand_returns_minor) + self.insurance_return_minor


@dataclass(frozen=True, slots=True)
class RoundState:
    """A whole round. ``shoe[:next_card_index]`` are the cards dealt so far, in order."""

    rules: BlackjackRules
    shoe: tuple[str, ...]
    next_card_index: int
    stake_minor: int
    dealer_cards: tuple[str, ...]
    hands: tuple[Hand, ...]
    active_hand_index: int
    #: 0 when insurance was not taken (or not yet decided in ``Phase.INSURANCE``).
    insurance_stake_minor: int
    phase: Phase
    settlement: Settlement | None

    @property
    def active_hand(self) -> Hand:
        """The hand the player acts on now (meaningful in ``Phase.PLAYER``)."""
        return self.hands[self.active_hand_index]

    @property
    def dealer_upcard(self) -> str:
        """The dealer's face-up card."""
        return self.dealer_cards[0]

    @property
    def total_stake_minor(self) -> int:
        """Everything the player has staked: hands (with splits and doubles) and insurance."""
        return sum(hand.stake_minor for hand in self.hands) + self.insurance_stake_minor

    @property
    def total_return_minor(self) -> int:
        """Everything returned to the player; 0 until the round is settled."""
        settlement = self.settlement
        return 0 if settlement is None else settlement.total_return_minor

    @property
    def is_settled(self) -> bool:
        """Whether the round is over."""
        return self.phase is Phase.SETTLED

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict; :meth:`from_dict` restores an equal state."""
        from croupier.domain.games.blackjack_codec import state_to_dict

        return state_to_dict(self)

    @staticmethod
    def from_dict(data: object) -> RoundState:
        """Restore a state saved by :meth:`to_dict`; ``InvalidRoundState`` if malformed."""
        from croupier.domain.games.blackjack_codec import state_from_dict

        return state_from_dict(data)
