"""Saving and resuming a blackjack round: ``RoundState`` ⇄ a JSON-safe dict.

The dict carries the rules the round started under (a later edit of the game file does not
change a round in flight) and the whole shuffled shoe, so a resumed round deals exactly the
cards it would have dealt. Loading re-checks everything and raises
:class:`~croupier.domain.games.blackjack_state.InvalidRoundState` naming the bad field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, TypeVar

from croupier.domain.cards import canonical_shoe
from croupier.domain.errors import GameDefinitionError
from croupier.domain.games.blackjack_rules import parse_rules
from croupier.domain.games.blackjack_state import (
    CARD_VALUES,
    Hand,
    HandStatus,
    InvalidRoundState,
    Phase,
    RoundState,
    Settlement,
)

__all__ = ["STATE_FORMAT", "state_from_dict", "state_to_dict"]

_E = TypeVar("_E", Phase, HandStatus)

#: Version tag of the saved layout; a different layout gets a new tag.
STATE_FORMAT = "croupier-blackjack-round-1"


def state_to_dict(state: RoundState) -> dict[str, Any]:
    """A JSON-safe dict holding everything needed to resume ``state``."""
    settlement = state.settlement
    return {
        "format": STATE_FORMAT,
        "rules": state.rules.to_data(),
        "shoe": list(state.shoe),
        "next_card_index": state.next_card_index,
        "stake_minor": state.stake_minor,
        "dealer_cards": list(state.dealer_cards),
        "hands": [
            {
                "cards": list(hand.cards),
                "stake_minor": hand.stake_minor,
                "status": hand.status.value,
                "from_split": hand.from_split,
                "doubled": hand.doubled,
            }
            for hand in state.hands
        ],
        "active_hand_index": state.active_hand_index,
        "insurance_stake_minor": state.insurance_stake_minor,
        "phase": state.phase.value,
        "settlement": None
        if settlement is None
        else {
            "dealer_total": settlement.dealer_total,
            "dealer_blackjack": settlement.dealer_blackjack,
            "hand_returns_minor": list(settlement.hand_returns_minor),
            "insurance_return_minor": settlement.insurance_return_minor,
        },
    }


def state_from_dict(data: object) -> RoundState:
    """The state saved by :func:`state_to_dict`; :class:`InvalidRoundState` if malformed."""
    table = _mapping(data, "state")
    if table.get("format") != STATE_FORMAT:
        raise InvalidRoundState(f"format: expected {STATE_FORMAT!r}, got {table.get('format')!r}")
    try:
        rules = parse_rules(_mapping(table.get("rules"), "rules"))
    except GameDefinitionError as error:
        raise InvalidRoundState(f"rules: {error}") from None
    shoe = _cards(table, "shoe")
    if Counter(shoe) != Counter(canonical_shoe(rules.decks)):
        raise InvalidRoundState(f"shoe: not a permutation of {rules.decks} canonical decks")
    next_card_index = _integer(table, "next_card_index", 4, len(shoe))
    stake_minor = _integer(table, "stake_minor", rules.stake_min_minor, rules.stake_max_minor)
    raw_hands = table.get("hands")
    if not isinstance(raw_hands, list) or not 1 <= len(raw_hands) <= rules.split_hands_max:
        raise InvalidRoundState(f"hands: must be a list of 1..{rules.split_hands_max} hands")
    hands = tuple(_hand(raw, f"hands[{i}]", stake_minor) for i, raw in enumerate(raw_hands))
    phase = _enum(Phase, table, "phase")
    state = RoundState(
        rules=rules,
        shoe=shoe,
        next_card_index=next_card_index,
        stake_minor=stake_minor,
        dealer_cards=_cards(table, "dealer_cards"),
        hands=hands,
        active_hand_index=_integer(table, "active_hand_index", 0, len(hands) - 1),
        insurance_stake_minor=_integer(table, "insurance_stake_minor", 0, stake_minor // 2),
        phase=phase,
        settlement=_settlement(table.get("settlement"), phase, len(hands)),
    )
    _check_consistent(state)
    return state


def _check_consistent(state: RoundState) -> None:
    """The dealt cards must be exactly the shoe's prefix, dealt in the documented order."""
    shoe = state.shoe
    dealt = [card for hand in state.hands for card in hand.cards]
    dealt.extend(state.dealer_cards)
    if Counter(dealt) != Counter(shoe[: state.next_card_index]):
        raise InvalidRoundState("next_card_index: dealt cards differ from the shoe's prefix")
    if state.dealer_cards[:2] != (shoe[1], shoe[3]) or state.hands[0].cards[0] != shoe[0]:
        raise InvalidRoundState("dealer_cards: the opening deal does not match the shoe")
    if state.insurance_stake_minor not in (0, state.stake_minor // 2):
        raise InvalidRoundState("insurance_stake_minor: must be 0 or half the stake")
    if state.phase is Phase.PLAYER and state.active_hand.status is not HandStatus.PLAYING:
        raise InvalidRoundState("active_hand_index: the active hand is not being played")


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidRoundState(f"{path}: must be an object")
    return value


def _integer(table: Mapping[str, Any], key: str, low: int, high: int, path: str = "") -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidRoundState(f"{path}{key}: must be an integer {low}..{high}, got {value!r}")
    return value


def _flag(table: Mapping[str, Any], key: str, path: str = "") -> bool:
    value = table.get(key)
    if not isinstance(value, bool):
        raise InvalidRoundState(f"{path}{key}: must be true or false")
    return value


def _cards(table: Mapping[str, Any], key: str, path: str = "") -> tuple[str, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not value or not all(card in CARD_VALUES for card in value):
        raise InvalidRoundState(f"{path}{key}: must be a non-empty list of cards like 'As'")
    return tuple(value)


def _enum(kind: type[_E], table: Mapping[str, Any], key: str, path: str = "") -> _E:
    value = table.get(key)
    try:
        return kind(value)
    except ValueError:
        raise InvalidRoundState(f"{path}{key}: unknown value {value!r}") from None


def _hand(raw: object, path: str, stake_minor: int) -> Hand:
    table = _mapping(raw, path)
    prefix = f"{path}."
    doubled = _flag(table, "doubled", prefix)
    hand = Hand(
        cards=_cards(table, "cards", prefix),
        stake_minor=_integer(table, "stake_minor", stake_minor, 2 * stake_minor, prefix),
        status=_enum(HandStatus, table, "status", prefix),
        from_split=_flag(table, "from_split", prefix),
        doubled=doubled,
    )
    if hand.stake_minor != (2 * stake_minor if doubled else stake_minor):
        raise InvalidRoundState(f"{path}.stake_minor: must be the stake, doubled if doubled")
    return hand


def _settlement(raw: object, phase: Phase, hand_count: int) -> Settlement | None:
    if raw is None:
        if phase is Phase.SETTLED:
            raise InvalidRoundState("settlement: missing on a settled round")
        return None
    if phase is not Phase.SETTLED:
        raise InvalidRoundState("settlement: present on an unsettled round")
    table = _mapping(raw, "settlement")
    returns = table.get("hand_returns_minor")
    if (
        not isinstance(returns, list)
        or len(returns) != hand_count
        or not all(type(value) is int and value >= 0 for value in returns)
    ):
        raise InvalidRoundState("settlement.hand_returns_minor: one integer >= 0 per hand")
    return Settlement(
        dealer_total=_integer(table, "dealer_total", 2, 31, "settlement."),
        dealer_blackjack=_flag(table, "dealer_blackjack", "settlement."),
        hand_returns_minor=tuple(returns),
        insurance_return_minor=_integer(table, "insurance_return_minor", 0, 2**62, "settlement."),
    )
