"""Blackjack invariants over random rules, shoes and legal action sequences (Hypothesis)."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from croupier.domain.cards import canonical_shoe
from croupier.domain.errors import IllegalAction
from croupier.domain.games import blackjack as bj
from croupier.domain.games.blackjack_events import (
    BlackjackEvent,
    DealerHit,
    Dealt,
    Doubled,
    Hit,
    HoleCardRevealed,
    Settled,
    SplitCardDealt,
)
from croupier.domain.games.blackjack_rules import BlackjackRules, parse_rules
from croupier.domain.rng import shuffle


class SeededRng:
    """A reproducible RngSource for tests (never for real rounds)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def uniform(self, n: int) -> int:
        return self._random.randrange(n)


@st.composite
def tables(draw: st.DrawFn) -> BlackjackRules:
    rules: dict[str, Any] = {
        "decks": draw(st.integers(1, 8)),
        "dealer_hits_soft_17": draw(st.booleans()),
        "double": draw(st.sampled_from(["any-two", "9-11", "10-11"])),
        "double_after_split": draw(st.booleans()),
        "split_hands_max": draw(st.integers(1, 8)),
        "resplit_aces": draw(st.booleans()),
        "hit_split_aces": draw(st.booleans()),
        "late_surrender": draw(st.booleans()),
        "insurance": draw(st.booleans()),
        "dealer_peek": draw(st.booleans()),
        "blackjack_pays": draw(st.sampled_from(["3:2", "6:5"])),
    }
    limits = {"currency": "EUR", "stake_min_minor": 1, "stake_max_minor": 10**9}
    return parse_rules(
        {"id": "prop-bj", "kind": "blackjack", "name": "P", "rules": rules, "limits": limits}
    )


seeds = st.integers(0, 2**32)
stakes = st.integers(1, 10**9)


def hard_total(cards: tuple[str, ...]) -> int:
    """Independent of the engine: every ace counts 1."""
    return sum(1 if c[0] == "A" else 10 if c[0] in "TJQK" else int(c[0]) for c in cards)


def is_soft(cards: tuple[str, ...]) -> bool:
    """An ace can count 11 without busting."""
    return any(card[0] == "A" for card in cards) and hard_total(cards) + 10 <= 21


def best_total(cards: tuple[str, ...]) -> int:
    return hard_total(cards) + 10 if is_soft(cards) else hard_total(cards)


def reference_return_minor(hand: bj.Hand, state: bj.RoundState) -> int:
    dealer = best_total(state.dealer_cards)
    dealer_blackjack = len(state.dealer_cards) == 2 and dealer == 21
    total = best_total(hand.cards)
    natural = not hand.from_split and len(hand.cards) == 2 and total == 21
    numerator, denominator = state.rules.blackjack_pays
    if hand.status is bj.HandStatus.SURRENDERED:
        return 0 if dealer_blackjack else hand.stake_minor // 2
    if total > 21:
        return 0
    if natural:
        win = 0 if dealer_blackjack else hand.stake_minor * numerator // denominator
        return hand.stake_minor + win
    if dealer_blackjack or (dealer <= 21 and total < dealer):
        return 0
    return hand.stake_minor if total == dealer else 2 * hand.stake_minor


def make_shoe(data: st.DataObject, rules: BlackjackRules, seed: int) -> tuple[str, ...]:
    """A shuffled shoe; Hypothesis may pull aces, eights, tens, fives, twos to the front so
    that pairs, splits, resplits and doubles come up often."""
    deck = canonical_shoe(rules.decks)
    shuffle(SeededRng(seed), deck)
    front: list[str] = []
    ranks = data.draw(st.lists(st.sampled_from("A8T52"), max_size=12), label="front")
    deal_pairs: bool = data.draw(st.booleans(), label="deal pairs")
    if ranks and deal_pairs:
        # Player's two cards and the next draws share a rank: splits and resplits.
        for position in (2, 4, 5):
            if position < len(ranks):
                ranks[position] = ranks[0]
    for rank in ranks:
        index = next((i for i, card in enumerate(deck) if card[0] == rank), None)
        if index is not None:
            front.append(deck.pop(index))
    return (*front, *deck)


# Hypothesis favours the first options it is offered: put the rich actions first.
PREFERENCE = [bj.Action.SPLIT, bj.Action.HIT, bj.Action.DOUBLE, bj.Action.STAND]


def choose(data: st.DataObject, state: bj.RoundState) -> bj.Action:
    legal = bj.legal_actions(state)
    ordered = [a for a in PREFERENCE if a in legal] + [a for a in legal if a not in PREFERENCE]
    return data.draw(st.sampled_from(ordered), label="action")


def play_randomly(
    data: st.DataObject, rules: BlackjackRules, stake_minor: int, seed: int, save_points: bool
) -> tuple[bj.RoundState, list[BlackjackEvent], list[bj.Action]]:
    """Random legal actions; at drawn points the state goes through JSON and back."""
    shoe = make_shoe(data, rules, seed)
    state, events = bj.deal_shoe(rules, stake_minor, shoe)
    history = list(events)
    actions: list[bj.Action] = []
    while not state.is_settled:
        if save_points and data.draw(st.booleans(), label="save here"):
            state = bj.RoundState.from_dict(json.loads(json.dumps(state.to_dict())))
        action = choose(data, state)
        state, events = bj.apply_action(state, action)
        actions.append(action)
        history.extend(events)
    return state, history, actions


def replay(
    rules: BlackjackRules, stake_minor: int, shoe: tuple[str, ...], actions: list[bj.Action]
) -> tuple[bj.RoundState, list[BlackjackEvent]]:
    state, events = bj.deal_shoe(rules, stake_minor, shoe)
    history = list(events)
    for action in actions:
        state, events = bj.apply_action(state, action)
        history.extend(events)
    return state, history


@settings(max_examples=150, deadline=None)
@given(rules=tables(), stake_minor=stakes, seed=seeds, data=st.data())
def test_saving_and_resuming_anywhere_gives_the_same_round(
    rules: BlackjackRules, stake_minor: int, seed: int, data: st.DataObject
) -> None:
    resumed, resumed_history, actions = play_randomly(data, rules, stake_minor, seed, True)
    straight, straight_history = replay(rules, stake_minor, resumed.shoe, actions)

    assert resumed == straight
    assert resumed_history == straight_history
    assert bj.RoundState.from_dict(json.loads(json.dumps(straight.to_dict()))) == straight


@settings(max_examples=150, deadline=None)
@given(rules=tables(), stake_minor=stakes, seed=seeds, data=st.data())
def test_money_is_conserved_and_matches_a_reference_settlement(
    rules: BlackjackRules, stake_minor: int, seed: int, data: st.DataObject
) -> None:
    state, history, _ = play_randomly(data, rules, stake_minor, seed, False)
    settled = history[-1]

    assert isinstance(settled, Settled)
    assert state.settlement is not None
    expected = tuple(reference_return_minor(hand, state) for hand in state.hands)
    assert state.settlement.hand_returns_minor == expected
    insurance_return = 3 * state.insurance_stake_minor if state.settlement.dealer_blackjack else 0
    assert state.settlement.insurance_return_minor == insurance_return
    stakes_minor = [hand.stake_minor for hand in state.hands]
    assert all(stake in (stake_minor, 2 * stake_minor) for stake in stakes_minor)
    assert state.total_stake_minor == sum(stakes_minor) + state.insurance_stake_minor
    assert settled.total_stake_minor == state.total_stake_minor
    assert (
        settled.total_return_minor == state.total_return_minor == sum(expected) + (insurance_return)
    )
    house_take_minor = state.total_stake_minor - state.total_return_minor
    assert house_take_minor == sum(
        stake - paid for stake, paid in zip(stakes_minor, expected, strict=True)
    ) + (state.insurance_stake_minor - insurance_return)


@settings(max_examples=150, deadline=None)
@given(rules=tables(), stake_minor=stakes, seed=seeds, data=st.data())
def test_cards_come_off_the_shoe_in_the_documented_order(
    rules: BlackjackRules, stake_minor: int, seed: int, data: st.DataObject
) -> None:
    state, history, _ = play_randomly(data, rules, stake_minor, seed, False)
    dealt = history[0]
    assert isinstance(dealt, Dealt)
    hole = next(event.card for event in history if isinstance(event, HoleCardRevealed))
    order = [dealt.player_cards[0], dealt.dealer_upcard, dealt.player_cards[1], hole]
    order += [
        event.card
        for event in history
        if isinstance(event, Hit | Doubled | SplitCardDealt | DealerHit)
    ]

    assert tuple(order) == state.shoe[: state.next_card_index]
    dealer_total = best_total(state.dealer_cards)
    live = any(hand.status is bj.HandStatus.STOOD and not hand.is_blackjack for hand in state.hands)
    if not live:
        assert len(state.dealer_cards) == 2  # nothing left to beat: the dealer draws nothing
    else:
        assert dealer_total >= 17
        assert dealer_total != 17 or not (rules.dealer_hits_soft_17 and is_soft(state.dealer_cards))
        if len(state.dealer_cards) > 2:
            before = state.dealer_cards[:-1]
            before_total = best_total(before)
            assert before_total < 17 or (
                before_total == 17 and rules.dealer_hits_soft_17 and is_soft(before)
            )


@settings(max_examples=100, deadline=None)
@given(rules=tables(), stake_minor=stakes, seed=seeds, data=st.data())
def test_every_illegal_action_is_refused_without_change(
    rules: BlackjackRules, stake_minor: int, seed: int, data: st.DataObject
) -> None:
    state = bj.deal_shoe(rules, stake_minor, make_shoe(data, rules, seed)).state
    while True:
        legal = bj.legal_actions(state)
        before = state.to_dict()
        for action in set(bj.Action) - set(legal):
            try:
                bj.apply_action(state, action)
            except IllegalAction:
                pass
            else:
                raise AssertionError(f"{action} was performed though not legal")
            assert state.to_dict() == before
        if state.is_settled:
            break
        state = bj.apply_action(state, choose(data, state)).state


@settings(max_examples=30, deadline=None)
@given(rules=tables(), stake_minor=stakes, seed=seeds)
def test_start_round_deals_the_croupier_pf_1_shuffle(
    rules: BlackjackRules, stake_minor: int, seed: int
) -> None:
    deck = canonical_shoe(rules.decks)
    shuffle(SeededRng(seed), deck)

    started = bj.start_round(rules, stake_minor, SeededRng(seed))
    assert started == bj.deal_shoe(rules, stake_minor, deck)
    assert started.state.shoe == tuple(deck)
