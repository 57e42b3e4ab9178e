"""Blackjack engine rules, played on stacked shoes (deal order: player, up, player, hole)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from croupier.domain.cards import canonical_shoe
from croupier.domain.errors import IllegalAction, InvalidBet
from croupier.domain.games import blackjack as bj
from croupier.domain.games import blackjack_events as bj_events
from croupier.domain.games.blackjack_events import (
    DealerHit,
    DealerPeeked,
    Dealt,
    HoleCardRevealed,
    Settled,
    event_to_dict,
)
from croupier.domain.games.blackjack_rules import BlackjackRules, parse_rules
from croupier.domain.games.blackjack_stacking import StackedRng, stacked_shoe
from croupier.domain.rng import shuffle


def rules_with(**changes: Any) -> BlackjackRules:
    """The 6-deck S17 table with some rules changed."""
    rules: dict[str, Any] = {
        "decks": 6,
        "dealer_hits_soft_17": False,
        "double": "any-two",
        "double_after_split": True,
        "split_hands_max": 4,
        "resplit_aces": False,
        "hit_split_aces": False,
        "late_surrender": False,
        "insurance": True,
        "dealer_peek": True,
        "blackjack_pays": "3:2",
    }
    rules.update(changes)
    limits = {"currency": "EUR", "stake_min_minor": 1, "stake_max_minor": 100_000}
    return parse_rules(
        {"id": "test-bj", "kind": "blackjack", "name": "Test", "rules": rules, "limits": limits}
    )


S17 = rules_with()


def deal(front: list[str], stake_minor: int = 100, rules: BlackjackRules = S17) -> bj.RoundState:
    return bj.deal_shoe(rules, stake_minor, stacked_shoe(rules.decks, front)).state


def play(state: bj.RoundState, *actions: Callable[[bj.RoundState], bj.Step]) -> bj.RoundState:
    for action in actions:
        state = action(state).state
    return state


def test_deal_order_is_player_up_player_hole() -> None:
    step = bj.deal_shoe(S17, 100, stacked_shoe(6, ["9c", "6d", "8h", "Ts"]))

    assert step.events == (Dealt(100, ("9c", "8h"), "6d"),)
    assert step.state.hands[0].cards == ("9c", "8h")
    assert step.state.dealer_cards == ("6d", "Ts")
    assert step.state.next_card_index == 4


def test_start_round_shuffles_the_canonical_shoe_with_the_rng() -> None:
    order = stacked_shoe(6, ["Ac", "Kd", "Qh", "7s"])
    state = bj.start_round(S17, 100, StackedRng(order)).state
    deck = canonical_shoe(6)
    shuffle(StackedRng(order), deck)

    assert state.shoe == tuple(deck) == order
    assert state.hands[0].is_blackjack


def test_peek_finds_dealer_blackjack_and_ends_the_round() -> None:
    step = bj.deal_shoe(S17, 100, stacked_shoe(6, ["Tc", "Kd", "9h", "As"]))

    assert step.state.is_settled
    assert bj.legal_actions(step.state) == ()
    assert step.events[1:] == (
        DealerPeeked(True),
        HoleCardRevealed("As"),
        Settled(21, True, (0,), 0, 100, 0),
    )


@pytest.mark.parametrize(
    ("front", "actions"),
    [(["As", "Kd", "Qh", "Ac"], ()), (["As", "Ad", "Qh", "Kc"], (bj.decline_insurance,))],
    ids=["ten-up", "ace-up"],
)
def test_blackjack_against_dealer_blackjack_pushes(
    front: list[str], actions: tuple[Callable[[bj.RoundState], bj.Step], ...]
) -> None:
    state = play(deal(front), *actions)

    assert state.is_settled
    assert (state.total_stake_minor, state.total_return_minor) == (100, 100)


def test_insurance_pays_two_to_one_on_dealer_blackjack() -> None:
    state = deal(["Tc", "Ad", "9h", "Ks"])

    assert bj.legal_actions(state) == (bj.Action.TAKE_INSURANCE, bj.Action.DECLINE_INSURANCE)
    state = play(state, bj.take_insurance)
    assert state.is_settled
    assert state.settlement is not None
    assert state.settlement.insurance_return_minor == 150
    assert (state.total_stake_minor, state.total_return_minor) == (150, 150)


def test_lost_insurance_is_half_the_stake_floored_and_play_goes_on() -> None:
    state = play(deal(["Tc", "Ad", "9h", "7s"], stake_minor=101), bj.take_insurance)

    assert state.insurance_stake_minor == 50
    assert bj.can_hit(state)
    state = play(state, bj.stand)  # 19 against the dealer's soft 18
    assert state.settlement is not None
    assert state.settlement.insurance_return_minor == 0
    assert (state.total_stake_minor, state.total_return_minor) == (151, 202)


@pytest.mark.parametrize(
    ("pays", "stake_minor", "return_minor"),
    [("3:2", 100, 250), ("3:2", 101, 252), ("6:5", 100, 220), ("6:5", 101, 222)],
)
def test_blackjack_payout_floors_to_the_minor_unit(
    pays: str, stake_minor: int, return_minor: int
) -> None:
    state = deal(["As", "9d", "Kh", "7c"], stake_minor, rules_with(blackjack_pays=pays))

    assert state.is_settled
    assert state.total_return_minor == return_minor


def test_split_aces_get_one_card_each_and_21_pays_even_money() -> None:
    state = play(deal(["Ac", "6d", "Ah", "Ts", "Kd", "5c", "9s"]), bj.split)

    assert [hand.cards for hand in state.hands] == [("Ac", "Kd"), ("Ah", "5c")]
    assert state.is_settled  # both hands stood automatically; dealer 16 drew 9 and bust
    assert state.settlement is not None
    assert state.settlement.hand_returns_minor == (200, 200)


def test_split_aces_may_not_hit_or_resplit_by_default() -> None:
    state = play(deal(["Ac", "6d", "Ah", "Ts", "Ad", "5c", "9s"]), bj.split)

    assert state.is_settled
    assert [hand.cards for hand in state.hands] == [("Ac", "Ad"), ("Ah", "5c")]


def test_resplit_aces_when_the_table_allows_it() -> None:
    rules = rules_with(resplit_aces=True)
    state = play(deal(["Ac", "6d", "Ah", "Ts", "Ad"], rules=rules), bj.split)

    assert bj.legal_actions(state) == (bj.Action.STAND, bj.Action.SPLIT)
    with pytest.raises(IllegalAction, match="one card only"):
        bj.verify_hit(state)
    state = play(state, bj.split)
    assert len(state.hands) == 3


def test_double_after_split_follows_the_rule() -> None:
    front = ["8c", "6d", "8h", "Ts", "3d"]
    das = play(deal(front), bj.split)
    no_das = play(deal(front, rules=rules_with(double_after_split=False)), bj.split)

    assert das.active_hand.cards == ("8c", "3d")
    assert bj.can_double(das)
    with pytest.raises(IllegalAction, match="after a split"):
        bj.verify_double(no_das)


def test_split_limit_stops_at_the_table_maximum() -> None:
    state = deal(["8c", "6d", "8h", "Ts", "8d", "8s", "8c"])
    state = play(state, bj.split, bj.split, bj.split)

    assert len(state.hands) == 4
    assert state.active_hand.cards == ("8c", "8c")
    with pytest.raises(IllegalAction, match="at most 4 hands"):
        bj.verify_split(state)


def test_split_hands_are_dealt_their_second_card_in_play_order() -> None:
    state = play(deal(["8c", "6d", "8h", "Ts", "3d", "2c", "9h"]), bj.split, bj.stand)

    assert [hand.cards for hand in state.hands] == [("8c", "3d"), ("8h", "2c")]
    assert state.active_hand_index == 1
    assert bj.stand(state).events[0:2] == (bj_events.Stood(1, False), HoleCardRevealed("Ts"))


def test_late_surrender_returns_half_the_stake_floored() -> None:
    rules = rules_with(late_surrender=True)
    state = play(deal(["Tc", "Td", "6h", "7s"], 101, rules), bj.surrender)

    assert (state.total_stake_minor, state.total_return_minor) == (101, 50)


def test_surrender_only_where_offered_and_as_the_first_decision() -> None:
    with pytest.raises(IllegalAction, match="not offered"):
        bj.verify_surrender(deal(["Tc", "Td", "3h", "7s", "2c"]))
    rules = rules_with(late_surrender=True)
    after_hit = play(deal(["Tc", "Td", "3h", "7s", "2c"], rules=rules), bj.hit)
    with pytest.raises(IllegalAction, match="first decision"):
        bj.verify_surrender(after_hit)


def test_push_returns_the_stake() -> None:
    state = play(deal(["Tc", "Td", "7h", "7s"]), bj.stand)

    assert (state.total_stake_minor, state.total_return_minor) == (100, 100)


def test_player_bust_loses_and_the_dealer_does_not_draw() -> None:
    step = bj.hit(deal(["Tc", "6d", "6h", "Ts", "Kd"]))

    assert step.state.is_settled
    assert step.state.total_return_minor == 0
    assert step.state.dealer_cards == ("6d", "Ts")
    assert not any(isinstance(event, DealerHit) for event in step.events)


def test_dealer_bust_pays_even_money() -> None:
    state = play(deal(["Tc", "6d", "8h", "Ts", "9c"]), bj.stand)

    assert state.dealer_cards == ("6d", "Ts", "9c")
    assert state.total_return_minor == 200


@pytest.mark.parametrize(("hits_soft_17", "return_minor"), [(False, 200), (True, 0)])
def test_soft_17_stands_or_hits_per_table(hits_soft_17: bool, return_minor: int) -> None:
    rules = rules_with(dealer_hits_soft_17=hits_soft_17)
    state = play(deal(["Tc", "6d", "8h", "As", "4c"], rules=rules), bj.stand)

    assert state.dealer_cards == (("6d", "As", "4c") if hits_soft_17 else ("6d", "As"))
    assert state.total_return_minor == return_minor


def test_double_stakes_twice_and_draws_exactly_one_card() -> None:
    state = play(deal(["6c", "9d", "5h", "Ts", "Tc", "2d"]), bj.double)

    assert state.hands[0].cards == ("6c", "5h", "Tc")
    assert state.hands[0].doubled
    assert (state.total_stake_minor, state.total_return_minor) == (200, 400)


def test_double_restricted_to_ten_and_eleven() -> None:
    state = deal(["5c", "9d", "4h", "Ts"], rules=rules_with(double="10-11"))

    with pytest.raises(IllegalAction, match="10-11"):
        bj.verify_double(state)


def test_without_peek_dealer_blackjack_takes_doubled_stakes() -> None:
    rules = rules_with(dealer_peek=False)
    state = deal(["6c", "Td", "5h", "As", "9c"], rules=rules)

    assert not state.is_settled
    state = play(state, bj.double)
    assert state.settlement is not None and state.settlement.dealer_blackjack
    assert (state.total_stake_minor, state.total_return_minor) == (200, 0)


def test_hitting_to_21_stands_automatically() -> None:
    state = play(deal(["6c", "9d", "5h", "8s", "Tc", "Kd"]), bj.hit)

    assert state.is_settled  # the dealer's 17 drew nothing
    assert state.total_return_minor == 200


Act = Callable[[bj.RoundState], bj.Step]


@pytest.mark.parametrize(
    ("front", "before_actions", "attempt", "reason"),
    [
        (["6c", "9d", "5h", "8s", "2c"], (bj.hit,), bj.double, "first two cards"),
        (["6c", "9d", "5h", "8s"], (), bj.split, "pair"),
        (["6c", "Ad", "5h", "8s"], (), bj.hit, "phase insurance"),
        (["6c", "9d", "5h", "8s"], (), bj.take_insurance, "insurance"),
        (["Tc", "6d", "6h", "Ts", "Kd"], (bj.hit,), bj.stand, "phase settled"),
    ],
    ids=["double-after-hit", "split-non-pair", "hit-during-insurance", "insure-no-ace", "settled"],
)
def test_illegal_action_raises_and_leaves_the_state_unchanged(
    front: list[str], before_actions: tuple[Act, ...], attempt: Act, reason: str
) -> None:
    state = play(deal(front), *before_actions)
    before = state.to_dict()

    with pytest.raises(IllegalAction, match=reason):
        attempt(state)
    assert state.to_dict() == before
    assert attempt.__name__ not in [
        action.value.replace("-", "_") for action in bj.legal_actions(state)
    ]


@pytest.mark.parametrize("stake", [0, 100_001, True, 100.0, "100"])
def test_stake_outside_limits_or_not_an_integer_is_refused(stake: Any) -> None:
    with pytest.raises(InvalidBet, match="stake_minor"):
        bj.deal_shoe(S17, stake, stacked_shoe(6, []))


def test_a_shoe_that_is_not_a_permutation_is_refused() -> None:
    shoe = list(stacked_shoe(6, []))
    shoe[0] = shoe[1]

    with pytest.raises(bj.InvalidRoundState, match="shoe"):
        bj.deal_shoe(S17, 100, shoe)


def test_events_serialise_to_plain_dicts() -> None:
    settled = bj.hit(deal(["Tc", "6d", "6h", "Ts", "Kd"])).events[-1]

    assert event_to_dict(settled) == {
        "type": "settled",
        "dealer_total": 16,
        "dealer_blackjack": False,
        "hand_returns_minor": [0],
        "insurance_return_minor": 0,
        "total_stake_minor": 100,
        "total_return_minor": 0,
    }
