"""How a blackjack round moves between player decisions (internal to the engine).

Each action copies the frozen :class:`RoundState` into a :class:`Draft`, changes the draft, and
freezes it into the next state. The draft never escapes an action, so callers only ever see
immutable states, and an action that is refused has not built one.

Card order (croupier-pf-1 deals from shoe index 0 upward): player, dealer up card, player,
dealer hole card; then, strictly in the order play happens, the player's draws (a split hand
gets its second card when play reaches it), then the dealer's draws.
"""

from __future__ import annotations

from typing import NamedTuple

from croupier.domain.errors import InvariantBroken
from croupier.domain.games.blackjack_events import (
    BlackjackEvent,
    Busted,
    DealerHit,
    DealerPeeked,
    HoleCardRevealed,
    Settled,
    SplitCardDealt,
    Stood,
)
from croupier.domain.games.blackjack_rules import BlackjackRules
from croupier.domain.games.blackjack_state import (
    CARD_VALUES,
    Hand,
    HandStatus,
    Phase,
    RoundState,
    Settlement,
    hand_total,
)

__all__ = ["Draft", "Step", "begin_hand", "finish_hand", "peek_then_play"]

_PLAYING = HandStatus.PLAYING
_STOOD = HandStatus.STOOD
_BUSTED = HandStatus.BUSTED
_SURRENDERED = HandStatus.SURRENDERED


class Step(NamedTuple):
    """What an action returns: the next state and the events it emitted, in order."""

    state: RoundState
    events: tuple[BlackjackEvent, ...]


class Draft:
    """A mutable working copy of one state, private to a single action."""

    __slots__ = (
        "active_hand_index",
        "dealer_cards",
        "events",
        "hands",
        "insurance_stake_minor",
        "next_card_index",
        "phase",
        "rules",
        "settlement",
        "shoe",
        "stake_minor",
    )

    def __init__(self, state: RoundState) -> None:
        self.rules: BlackjackRules = state.rules
        self.shoe = state.shoe
        self.next_card_index = state.next_card_index
        self.stake_minor = state.stake_minor
        self.dealer_cards = state.dealer_cards
        self.hands = list(state.hands)
        self.active_hand_index = state.active_hand_index
        self.insurance_stake_minor = state.insurance_stake_minor
        self.phase = state.phase
        self.settlement: Settlement | None = state.settlement
        self.events: list[BlackjackEvent] = []

    def draw(self) -> str:
        """The next card of the shoe."""
        index = self.next_card_index
        if index >= len(self.shoe):
            # Impossible with <= 8 hands (every hand stops by 31, a deck holds 340 points);
            # checked anyway because a short shoe would silently corrupt a round.
            raise InvariantBroken("blackjack: the shoe ran out of cards")
        self.next_card_index = index + 1
        return self.shoe[index]

    def step(self) -> Step:
        """Freeze the draft into the next state."""
        state = RoundState(
            self.rules,
            self.shoe,
            self.next_card_index,
            self.stake_minor,
            self.dealer_cards,
            tuple(self.hands),
            self.active_hand_index,
            self.insurance_stake_minor,
            self.phase,
            self.settlement,
        )
        return Step(state, tuple(self.events))


def peek_then_play(draft: Draft) -> None:
    """After the deal (and any insurance decision): peek if the rules say so, then play."""
    dealer_blackjack = hand_total(draft.dealer_cards)[0] == 21
    if draft.rules.dealer_peek and CARD_VALUES[draft.dealer_cards[0]] in (1, 10):
        draft.events.append(DealerPeeked(dealer_blackjack))
        if dealer_blackjack:
            _finish_round(draft)
            return
    if draft.hands[0].is_blackjack:
        _finish_round(draft)
        return
    draft.phase = Phase.PLAYER
    begin_hand(draft, 0)


def begin_hand(draft: Draft, index: int) -> None:
    """Make hand ``index`` active, dealing a split hand its second card; skip finished hands."""
    rules = draft.rules
    hands = draft.hands
    while index < len(hands):
        hand = hands[index]
        if len(hand.cards) == 1:
            card = draft.draw()
            hand = Hand((*hand.cards, card), hand.stake_minor, _PLAYING, True, False)
            hands[index] = hand
            draft.events.append(SplitCardDealt(index, card))
        if hand_total(hand.cards)[0] == 21 or (
            hand.is_split_aces and not rules.hit_split_aces and not _may_resplit(draft, hand)
        ):
            hands[index] = Hand(hand.cards, hand.stake_minor, _STOOD, hand.from_split, False)
            draft.events.append(Stood(index, True))
            index += 1
            continue
        draft.active_hand_index = index
        return
    _finish_round(draft)


def finish_hand(draft: Draft, hand: Hand) -> None:
    """Store the active hand (now stood, busted or surrendered) and move on."""
    index = draft.active_hand_index
    draft.hands[index] = hand
    if hand.status is _BUSTED:
        draft.events.append(Busted(index, hand_total(hand.cards)[0]))
    begin_hand(draft, index + 1)


def _may_resplit(draft: Draft, hand: Hand) -> bool:
    return (
        draft.rules.resplit_aces
        and hand.cards[1][0] == "A"
        and len(draft.hands) < draft.rules.split_hands_max
    )


def _finish_round(draft: Draft) -> None:
    """The dealer's turn, then settlement. Hands still marked playing (an early end) stand."""
    hands = draft.hands
    for index, hand in enumerate(hands):
        if hand.status is _PLAYING:
            hands[index] = Hand(hand.cards, hand.stake_minor, _STOOD, hand.from_split, False)
    draft.events.append(HoleCardRevealed(draft.dealer_cards[1]))
    # The dealer draws only if some hand can still lose to the dealer's total.
    if any(hand.status is _STOOD and not hand.is_blackjack for hand in hands):
        hits_soft_17 = draft.rules.dealer_hits_soft_17
        while True:
            total, soft = hand_total(draft.dealer_cards)
            if total > 17 or (total == 17 and not (soft and hits_soft_17)):
                break
            card = draft.draw()
            draft.dealer_cards = (*draft.dealer_cards, card)
            draft.events.append(DealerHit(card))
    _settle(draft)


def _settle(draft: Draft) -> None:
    dealer_total = hand_total(draft.dealer_cards)[0]
    dealer_blackjack = len(draft.dealer_cards) == 2 and dealer_total == 21
    numerator, denominator = draft.rules.blackjack_pays
    returns = tuple(
        _hand_return_minor(hand, dealer_total, dealer_blackjack, numerator, denominator)
        for hand in draft.hands
    )
    insurance_return_minor = 3 * draft.insurance_stake_minor if dealer_blackjack else 0
    settlement = Settlement(dealer_total, dealer_blackjack, returns, insurance_return_minor)
    total_stake_minor = sum(hand.stake_minor for hand in draft.hands)
    total_stake_minor += draft.insurance_stake_minor
    draft.settlement = settlement
    draft.phase = Phase.SETTLED
    draft.events.append(
        Settled(
            dealer_total,
            dealer_blackjack,
            returns,
            insurance_return_minor,
            total_stake_minor,
            settlement.total_return_minor,
        )
    )


def _hand_return_minor(
    hand: Hand, dealer_total: int, dealer_blackjack: bool, numerator: int, denominator: int
) -> int:
    """Stake plus winnings for one hand. Blackjack winnings round down to the minor unit."""
    stake_minor = hand.stake_minor
    status = hand.status
    if status is _SURRENDERED:
        # Late surrender: without a peek the dealer's blackjack still takes the whole stake.
        return 0 if dealer_blackjack else stake_minor // 2
    if status is _BUSTED:
        return 0
    if hand.is_blackjack:
        if dealer_blackjack:
            return stake_minor
        return stake_minor + stake_minor * numerator // denominator
    if dealer_blackjack:
        return 0
    total = hand_total(hand.cards)[0]
    if dealer_total > 21 or total > dealer_total:
        return 2 * stake_minor
    return stake_minor if total == dealer_total else 0
