"""Multi-deck (4–8 decks) blackjack basic strategy, for the dealer standing or hitting soft 17.

Source: the Wizard of Odds "4-Deck to 8-Deck Blackjack Strategy" charts
(https://wizardofodds.com/games/blackjack/strategy/4-decks/), dealer stands on soft 17 and
dealer hits soft 17, with the footnoted variations for double after split and late surrender.
It is total-dependent basic strategy (no composition or count); insurance is always declined.

Each row lists the play against the dealer's up card 2 3 4 5 6 7 8 9 T A. Codes:

=====  ==========================================================
``H``  hit
``S``  stand
``D``  double if allowed, else hit
``d``  double if allowed, else stand
``P``  split
``p``  split if doubling after a split is allowed, else play the total
``R``  surrender if allowed, else hit
``r``  surrender if allowed, else stand
``Q``  surrender if allowed, else split
=====  ==========================================================

The tables are for 4–8 decks; the simulator uses them for any deck count (for one or two
decks they are close to, not exactly, the optimal strategy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from croupier.domain.games.blackjack import (
    Action,
    BlackjackRules,
    Phase,
    RoundState,
    can_double,
    can_split,
    can_surrender,
    hand_total,
)
from croupier.domain.games.blackjack_state import CARD_VALUES

__all__ = ["BasicStrategy", "basic_strategy"]

_HARD_S17 = {
    **dict.fromkeys(range(4, 9), "HHHHHHHHHH"),
    9: "HDDDDHHHHH",
    10: "DDDDDDDDHH",
    11: "DDDDDDDDDH",
    12: "HHSSSHHHHH",
    13: "SSSSSHHHHH",
    14: "SSSSSHHHHH",
    15: "SSSSSHHHRH",
    16: "SSSSSHHRRR",
    **dict.fromkeys(range(17, 21), "SSSSSSSSSS"),
}
_HARD_H17 = {
    **_HARD_S17,
    11: "DDDDDDDDDD",
    15: "SSSSSHHHRR",
    17: "SSSSSSSSSr",
}
_SOFT_S17 = {
    12: "HHHHHHHHHH",  # A,A that may not be split again
    13: "HHHDDHHHHH",
    14: "HHHDDHHHHH",
    15: "HHDDDHHHHH",
    16: "HHDDDHHHHH",
    17: "HDDDDHHHHH",
    18: "SddddSSHHH",
    19: "SSSSSSSSSS",
    20: "SSSSSSSSSS",
}
_SOFT_H17 = {**_SOFT_S17, 18: "dddddSSHHH", 19: "SSSSdSSSSS"}
#: Pairs by card value (1 = aces). 5,5 and ten-valued pairs play as hard 10 and hard 20.
_PAIRS_S17 = {
    1: "PPPPPPPPPP",
    2: "ppPPPPHHHH",
    3: "ppPPPPHHHH",
    4: "HHHppHHHHH",
    6: "pPPPPHHHHH",
    7: "PPPPPPHHHH",
    8: "PPPPPPPPPP",
    9: "PPPPPSPPSS",
}
_PAIRS_H17 = {**_PAIRS_S17, 8: "PPPPPPPPPQ"}

#: Up card → column: 2..9 → 0..7, ten-valued → 8, ace → 9.
_COLUMN = {card: 9 if value == 1 else value - 2 for card, value in CARD_VALUES.items()}


@dataclass(frozen=True, slots=True)
class BasicStrategy:
    """The basic-strategy tables chosen for one rule set."""

    hard: dict[int, str]
    soft: dict[int, str]
    pairs: dict[int, str]
    double_after_split: bool

    def decide(self, state: RoundState) -> Action:
        """The basic-strategy action for ``state`` (which must not be settled)."""
        if state.phase is Phase.INSURANCE:
            return Action.DECLINE_INSURANCE
        hand = state.hands[state.active_hand_index]
        cards = hand.cards
        column = _COLUMN[state.dealer_cards[0]]
        if len(cards) == 2:
            value = CARD_VALUES[cards[0]]
            row = self.pairs.get(value) if value == CARD_VALUES[cards[1]] else None
            if row is not None:
                code = row[column]
                if code == "Q" and can_surrender(state):
                    return Action.SURRENDER
                if (code in "PQ" or (code == "p" and self.double_after_split)) and can_split(state):
                    return Action.SPLIT
        total, soft = hand_total(cards)
        code = (self.soft if soft else self.hard)[total][column]
        return _RESOLVE[code](state)


def _double_else(fallback: Action) -> Callable[[RoundState], Action]:
    return lambda state: Action.DOUBLE if can_double(state) else fallback


def _surrender_else(fallback: Action) -> Callable[[RoundState], Action]:
    return lambda state: Action.SURRENDER if can_surrender(state) else fallback


_RESOLVE: dict[str, Callable[[RoundState], Action]] = {
    "H": lambda state: Action.HIT,
    "S": lambda state: Action.STAND,
    "D": _double_else(Action.HIT),
    "d": _double_else(Action.STAND),
    "R": _surrender_else(Action.HIT),
    "r": _surrender_else(Action.STAND),
}


def basic_strategy(rules: BlackjackRules) -> BasicStrategy:
    """The tables for ``rules``: the H17 chart if the dealer hits soft 17, else the S17 chart."""
    if rules.dealer_hits_soft_17:
        return BasicStrategy(_HARD_H17, _SOFT_H17, _PAIRS_H17, rules.double_after_split)
    return BasicStrategy(_HARD_S17, _SOFT_S17, _PAIRS_S17, rules.double_after_split)
