"""Blackjack: a pure engine over immutable round states.

A round is a value. :func:`start_round` shuffles a fresh shoe with the round's
:class:`~croupier.domain.rng.RngSource` (croupier-pf-1: ``canonical_shoe(decks)`` then
Fisher–Yates via :func:`~croupier.domain.rng.shuffle`, dealt from index 0 upward) and deals
**player, dealer up card, player, dealer hole card**. Each action comes as ``verify_x(state)``
(raises :class:`~croupier.domain.errors.IllegalAction` with the reason), ``can_x(state)`` and
``x(state) -> Step(state, events)``; the old state is never modified, so a refused action
changes nothing. The dealer's turn and the settlement run inside the action that ends the
player's last hand.

>>> from croupier.domain.games.blackjack_rules import parse_rules
>>> rules = parse_rules({"id": "bj", "kind": "blackjack", "name": "Demo", "rules": {
...     "decks": 1, "dealer_hits_soft_17": False, "double": "any-two",
...     "double_after_split": True, "split_hands_max": 4, "resplit_aces": False,
...     "hit_split_aces": False, "late_surrender": False, "insurance": True,
...     "dealer_peek": True, "blackjack_pays": "3:2"},
...     "limits": {"currency": "EUR", "stake_min_minor": 100, "stake_max_minor": 10000}})
>>> rest = [card for card in canonical_shoe(1) if card not in ("Tc", "9d", "7h", "8s")]
>>> state, events = deal_shoe(rules, 100, ("Tc", "9d", "7h", "8s", *rest))
>>> state.active_hand.total, can_double(state)
(17, True)
>>> state, events = stand(state)
>>> state.total_stake_minor, state.total_return_minor  # 17 against the dealer's 17: a push
(100, 100)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from enum import Enum

from croupier.domain.cards import canonical_shoe
from croupier.domain.errors import IllegalAction, InvalidBet
from croupier.domain.games.blackjack_events import (
    BlackjackEvent,
    Dealt,
    Doubled,
    Hit,
    InsuranceDeclined,
    InsuranceTaken,
    Split,
    Stood,
    Surrendered,
)
from croupier.domain.games.blackjack_flow import (
    Draft,
    Step,
    begin_hand,
    finish_hand,
    peek_then_play,
)
from croupier.domain.games.blackjack_rules import BlackjackRules, DoubleOn, parse_rules
from croupier.domain.games.blackjack_state import (
    CARD_VALUES,
    Hand,
    HandStatus,
    InvalidRoundState,
    Phase,
    RoundState,
    Settlement,
    hand_total,
)
from croupier.domain.rng import RngSource, shuffle

__all__ = [
    "Action",
    "BlackjackEvent",
    "BlackjackRules",
    "DoubleOn",
    "Hand",
    "HandStatus",
    "InvalidRoundState",
    "Phase",
    "RoundState",
    "Settlement",
    "Step",
    "apply_action",
    "can_decline_insurance",
    "can_double",
    "can_hit",
    "can_split",
    "can_stand",
    "can_surrender",
    "can_take_insurance",
    "deal_shoe",
    "decline_insurance",
    "double",
    "hand_total",
    "hit",
    "legal_actions",
    "parse_rules",
    "split",
    "stand",
    "start_round",
    "surrender",
    "take_insurance",
    "verify_decline_insurance",
    "verify_double",
    "verify_hit",
    "verify_split",
    "verify_stand",
    "verify_surrender",
    "verify_take_insurance",
]

_PLAYING = HandStatus.PLAYING
_STOOD = HandStatus.STOOD
_BUSTED = HandStatus.BUSTED
_DOUBLE_TOTALS = {
    DoubleOn.ANY_TWO: range(2, 22),
    DoubleOn.NINE_TO_ELEVEN: range(9, 12),
    DoubleOn.TEN_TO_ELEVEN: range(10, 12),
}


class Action(Enum):
    """Every player decision, for :func:`legal_actions` and :func:`apply_action`."""

    HIT = "hit"
    STAND = "stand"
    DOUBLE = "double"
    SPLIT = "split"
    SURRENDER = "surrender"
    TAKE_INSURANCE = "take-insurance"
    DECLINE_INSURANCE = "decline-insurance"


# --- starting a round ------------------------------------------------------------------------


def start_round(rules: BlackjackRules, stake_minor: int, rng: RngSource) -> Step:
    """Shuffle a fresh shoe (croupier-pf-1) and deal; the stake is checked before any draw."""
    _verify_stake(rules, stake_minor)
    shoe = canonical_shoe(rules.decks)
    shuffle(rng, shoe)
    return deal_shoe(rules, stake_minor, tuple(shoe), verify_shoe=False)


def deal_shoe(
    rules: BlackjackRules, stake_minor: int, shoe: Sequence[str], *, verify_shoe: bool = True
) -> Step:
    """Deal a round from an already shuffled shoe (a stacked one in tests).

    ``verify_shoe=False`` skips the permutation check; only for shoes built by permuting
    ``canonical_shoe(rules.decks)``, where the check cannot fail.
    """
    _verify_stake(rules, stake_minor)
    shoe = tuple(shoe)
    if verify_shoe and Counter(shoe) != Counter(canonical_shoe(rules.decks)):
        raise InvalidRoundState(f"shoe: not a permutation of {rules.decks} canonical decks")
    player = (shoe[0], shoe[2])
    hand = Hand(player, stake_minor, _PLAYING, False, False)
    state = RoundState(
        rules, shoe, 4, stake_minor, (shoe[1], shoe[3]), (hand,), 0, 0, Phase.INSURANCE, None
    )
    draft = Draft(state)
    draft.events.append(Dealt(stake_minor, player, shoe[1]))
    if not (shoe[1][0] == "A" and rules.insurance and stake_minor >= 2):
        peek_then_play(draft)
    return draft.step()


def _verify_stake(rules: BlackjackRules, stake_minor: int) -> None:
    if isinstance(stake_minor, bool) or not isinstance(stake_minor, int):
        raise InvalidBet(f"stake_minor: must be an integer of minor units, got {stake_minor!r}")
    if not rules.stake_min_minor <= stake_minor <= rules.stake_max_minor:
        raise InvalidBet(
            f"stake_minor: {stake_minor} is outside the table limits "
            f"{rules.stake_min_minor}..{rules.stake_max_minor} {rules.currency} minor units"
        )


# --- insurance ---------------------------------------------------------------------------------


def verify_take_insurance(state: RoundState) -> None:
    """Raise :class:`IllegalAction` unless insurance is on offer (dealer ace, before play)."""
    if state.phase is not Phase.INSURANCE:
        raise IllegalAction("take insurance: only offered right after the deal, under a dealer ace")


def can_take_insurance(state: RoundState) -> bool:
    """Whether :func:`take_insurance` is legal now."""
    return state.phase is Phase.INSURANCE


def take_insurance(state: RoundState) -> Step:
    """Stake half the bet (floored) on a dealer blackjack; it pays 2:1. Then the dealer peeks."""
    verify_take_insurance(state)
    draft = Draft(state)
    draft.insurance_stake_minor = state.stake_minor // 2
    draft.events.append(InsuranceTaken(draft.insurance_stake_minor))
    peek_then_play(draft)
    return draft.step()


def verify_decline_insurance(state: RoundState) -> None:
    """Raise :class:`IllegalAction` unless insurance is on offer."""
    if state.phase is not Phase.INSURANCE:
        raise IllegalAction("decline insurance: insurance is not on offer")


def can_decline_insurance(state: RoundState) -> bool:
    """Whether :func:`decline_insurance` is legal now."""
    return state.phase is Phase.INSURANCE


def decline_insurance(state: RoundState) -> Step:
    """Refuse insurance; the dealer then peeks (if the rules say so) and play begins."""
    verify_decline_insurance(state)
    draft = Draft(state)
    draft.events.append(InsuranceDeclined())
    peek_then_play(draft)
    return draft.step()


# --- playing a hand ----------------------------------------------------------------------------


def _playing_hand(state: RoundState, action: str) -> Hand:
    if state.phase is not Phase.PLAYER:
        raise IllegalAction(f"{action}: no hand to play (round is in phase {state.phase.value})")
    return state.hands[state.active_hand_index]


def verify_hit(state: RoundState) -> None:
    """Raise :class:`IllegalAction` unless the active hand may take a card."""
    hand = _playing_hand(state, "hit")
    if hand.is_split_aces and not state.rules.hit_split_aces:
        raise IllegalAction("hit: split aces receive one card only")


def can_hit(state: RoundState) -> bool:
    """Whether :func:`hit` is legal now."""
    return _allowed(verify_hit, state)


def hit(state: RoundState) -> Step:
    """Draw one card to the active hand; it busts over 21 and stands automatically on 21."""
    verify_hit(state)
    draft = Draft(state)
    index = state.active_hand_index
    hand = state.hands[index]
    card = draft.draw()
    cards = (*hand.cards, card)
    draft.events.append(Hit(index, card))
    total = hand_total(cards)[0]
    if total < 21:
        draft.hands[index] = Hand(cards, hand.stake_minor, _PLAYING, hand.from_split, False)
    elif total == 21:
        draft.events.append(Stood(index, True))
        finish_hand(draft, Hand(cards, hand.stake_minor, _STOOD, hand.from_split, False))
    else:
        finish_hand(draft, Hand(cards, hand.stake_minor, _BUSTED, hand.from_split, False))
    return draft.step()


def verify_stand(state: RoundState) -> None:
    """Raise :class:`IllegalAction` unless a hand is being played."""
    _playing_hand(state, "stand")


def can_stand(state: RoundState) -> bool:
    """Whether :func:`stand` is legal now."""
    return state.phase is Phase.PLAYER


def stand(state: RoundState) -> Step:
    """End the active hand on its total."""
    verify_stand(state)
    draft = Draft(state)
    hand = state.hands[state.active_hand_index]
    draft.events.append(Stood(state.active_hand_index, False))
    finish_hand(draft, Hand(hand.cards, hand.stake_minor, _STOOD, hand.from_split, False))
    return draft.step()


def verify_double(state: RoundState) -> None:
    """Raise :class:`IllegalAction` unless the active hand may double down."""
    hand = _playing_hand(state, "double")
    rules = state.rules
    if len(hand.cards) != 2:
        raise IllegalAction("double: only on the first two cards of a hand")
    if hand.from_split and not rules.double_after_split:
        raise IllegalAction("double: not allowed after a split at this table")
    if hand.is_split_aces and not rules.hit_split_aces:
        raise IllegalAction("double: split aces receive one card only")
    if hand_total(hand.cards)[0] not in _DOUBLE_TOTALS[rules.double_on]:
        raise IllegalAction(f"double: only on totals {rules.double_on.value} at this table")


def can_double(state: RoundState) -> bool:
    """Whether :func:`double` is legal now."""
    return _allowed(verify_double, state)


def double(state: RoundState) -> Step:
    """Double the hand's stake and take exactly one more card; the hand then ends."""
    verify_double(state)
    draft = Draft(state)
    index = state.active_hand_index
    hand = state.hands[index]
    card = draft.draw()
    cards = (*hand.cards, card)
    draft.events.append(Doubled(index, hand.stake_minor, card))
    status = _BUSTED if hand_total(cards)[0] > 21 else _STOOD
    finish_hand(draft, Hand(cards, 2 * hand.stake_minor, status, hand.from_split, True))
    return draft.step()


def verify_split(state: RoundState) -> None:
    """Raise :class:`IllegalAction` unless the active hand is a splittable pair."""
    hand = _playing_hand(state, "split")
    rules = state.rules
    cards = hand.cards
    if len(cards) != 2 or CARD_VALUES[cards[0]] != CARD_VALUES[cards[1]]:
        raise IllegalAction("split: only a first-two-card pair of equal value splits")
    if len(state.hands) >= rules.split_hands_max:
        raise IllegalAction(f"split: at most {rules.split_hands_max} hands at this table")
    if hand.is_split_aces and not rules.resplit_aces:
        raise IllegalAction("split: aces may not be resplit at this table")


def can_split(state: RoundState) -> bool:
    """Whether :func:`split` is legal now."""
    return _allowed(verify_split, state)


def split(state: RoundState) -> Step:
    """Split the pair into two hands of the same stake; the first gets its second card now."""
    verify_split(state)
    draft = Draft(state)
    index = state.active_hand_index
    hand = state.hands[index]
    first, second = hand.cards
    draft.hands[index] = Hand((first,), hand.stake_minor, _PLAYING, True, False)
    draft.hands.insert(index + 1, Hand((second,), hand.stake_minor, _PLAYING, True, False))
    draft.events.append(Split(index, hand.stake_minor))
    begin_hand(draft, index)
    return draft.step()


def verify_surrender(state: RoundState) -> None:
    """Raise :class:`IllegalAction` unless late surrender is open (first decision, no split)."""
    hand = _playing_hand(state, "surrender")
    if not state.rules.late_surrender:
        raise IllegalAction("surrender: not offered at this table")
    if len(state.hands) != 1 or len(hand.cards) != 2:
        raise IllegalAction("surrender: only as the first decision on the first two cards")


def can_surrender(state: RoundState) -> bool:
    """Whether :func:`surrender` is legal now."""
    return _allowed(verify_surrender, state)


def surrender(state: RoundState) -> Step:
    """Give up the hand; half the stake (floored) comes back unless the dealer has blackjack."""
    verify_surrender(state)
    draft = Draft(state)
    hand = state.hands[0]
    draft.events.append(Surrendered(0))
    surrendered = Hand(hand.cards, hand.stake_minor, HandStatus.SURRENDERED, False, False)
    finish_hand(draft, surrendered)
    return draft.step()


# --- dispatch ----------------------------------------------------------------------------------


def _allowed(verify: Callable[[RoundState], None], state: RoundState) -> bool:
    try:
        verify(state)
    except IllegalAction:
        return False
    return True


_ACTIONS: dict[Action, tuple[Callable[[RoundState], bool], Callable[[RoundState], Step]]] = {
    Action.HIT: (can_hit, hit),
    Action.STAND: (can_stand, stand),
    Action.DOUBLE: (can_double, double),
    Action.SPLIT: (can_split, split),
    Action.SURRENDER: (can_surrender, surrender),
    Action.TAKE_INSURANCE: (can_take_insurance, take_insurance),
    Action.DECLINE_INSURANCE: (can_decline_insurance, decline_insurance),
}


def legal_actions(state: RoundState) -> tuple[Action, ...]:
    """The actions legal now, in :class:`Action` order; empty once the round is settled."""
    return tuple(action for action, (allowed, _) in _ACTIONS.items() if allowed(state))


def apply_action(state: RoundState, action: Action) -> Step:
    """Perform ``action`` (verifying it first, like each ``x()`` function)."""
    return _ACTIONS[action][1](state)
