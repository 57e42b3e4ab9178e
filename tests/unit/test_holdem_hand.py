"""A hold'em hand through our API: turns, legal actions, refusals, deal order, save/resume."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from croupier.domain.cards import canonical_deck
from croupier.domain.errors import GameDefinitionError, GameError, IllegalAction
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.games.holdem import (
    ActionKind,
    BettingLimit,
    BlindOrStraddlePosted,
    BoardDealt,
    CardBurned,
    Hand,
    HandEnded,
    HandMucked,
    HandShown,
    HoleCardDealt,
    PlayerAction,
    TableConfig,
)
from croupier.domain.games.holdem_decks import stacked_deck

CONFIG = TableConfig(small_blind_minor=50, big_blind_minor=100)


def three_handed(config: TableConfig = CONFIG) -> Hand:
    deck = stacked_deck(["AcAd", "KcKd", "QcQd"], "2h7s8d3s9h")
    return Hand(config, (2, 5, 7), (10_000, 10_000, 10_000), deck)


def snapshot(hand: Hand) -> tuple[Any, ...]:
    return (hand.to_dict(), hand.history, hand.stacks_minor(), hand.bets_minor(), hand.to_act)


def test_blinds_are_posted_left_of_the_button_and_utg_acts_first() -> None:
    hand = three_handed()
    blinds = [event for event in hand.history if isinstance(event, BlindOrStraddlePosted)]
    assert [(event.seat, event.amount_minor) for event in blinds] == [(2, 50), (5, 100)]
    assert hand.button_seat == 7
    assert hand.to_act == 7
    legal = hand.legal_actions()
    assert legal is not None
    assert (legal.call_minor, legal.min_raise_to_minor, legal.max_raise_to_minor) == (
        100,
        200,
        10_000,
    )


def test_min_raise_is_the_last_full_raise_size() -> None:
    hand = three_handed()
    hand.bet_or_raise_to(7, 350)  # a raise of 250 over the big blind
    legal = hand.legal_actions()
    assert legal is not None and legal.seat == 2
    assert legal.min_raise_to_minor == 600  # 350 + 250


def test_deal_order_one_card_at_a_time_then_burn_and_board() -> None:
    deck = canonical_deck()
    hand = Hand(CONFIG, (2, 5, 7), (10_000, 10_000, 10_000), deck)
    hand.check_or_call(7)
    hand.check_or_call(2)
    hand.check_or_call(5)
    hole = [(e.seat, e.deck_index) for e in hand.history if isinstance(e, HoleCardDealt)]
    assert hole == [(2, 0), (5, 1), (7, 2), (2, 3), (5, 4), (7, 5)]
    assert hand.hole_cards(2) == (deck[0], deck[3])
    burns = [e.deck_index for e in hand.history if isinstance(e, CardBurned)]
    flop = [e for e in hand.history if isinstance(e, BoardDealt)]
    assert burns == [6]
    assert flop[0].street == "flop" and flop[0].cards == tuple(deck[7:10])
    assert hand.cards_dealt == 10


def test_out_of_turn_is_refused_with_a_reason_and_changes_nothing() -> None:
    hand = three_handed()
    before = snapshot(hand)
    with pytest.raises(IllegalAction, match="out of turn: seat 7 is to act"):
        hand.check_or_call(2)
    assert not hand.can_fold(5)
    assert snapshot(hand) == before


@pytest.mark.parametrize("amount", [199, 10_001, 0, True, 250.0, "300"])
def test_illegal_amounts_are_refused_and_change_nothing(amount: Any) -> None:
    hand = three_handed()
    before = snapshot(hand)
    with pytest.raises(IllegalAction):
        hand.bet_or_raise_to(7, amount)
    assert not hand.can_bet_or_raise_to(7, amount)
    assert snapshot(hand) == before


def test_folding_when_checking_is_free_is_refused() -> None:
    hand = three_handed()
    hand.check_or_call(7)
    hand.check_or_call(2)
    before = snapshot(hand)
    with pytest.raises(IllegalAction, match="checking is free"):
        hand.fold(5)
    assert snapshot(hand) == before
    hand.check_or_call(5)  # the big blind checks its option


def test_a_call_of_an_all_in_cannot_be_reraised_by_the_covered_player() -> None:
    deck = stacked_deck(["AcAd", "KcKd"], "2h7s8d3s9h")
    hand = Hand(CONFIG, (0, 1), (10_000, 500), deck)
    hand.bet_or_raise_to(1, 500)  # the button shoves its whole stack
    legal = hand.legal_actions()
    assert legal is not None
    assert legal.min_raise_to_minor is None and legal.call_minor == 400
    with pytest.raises(IllegalAction, match="cannot bet or raise"):
        hand.bet_or_raise_to(0, 1000)


def test_after_the_hand_every_action_is_refused() -> None:
    hand = three_handed()
    hand.fold(7)
    hand.fold(2)
    assert hand.is_complete and hand.to_act is None and hand.legal_actions() is None
    with pytest.raises(IllegalAction, match="the hand is over"):
        hand.check_or_call(5)
    assert isinstance(hand.history[-1], HandEnded)
    assert hand.result is not None and hand.result.net_for(5) == 50


def test_straddle_is_posted_with_four_players_and_sets_the_min_raise() -> None:
    config = TableConfig(small_blind_minor=50, big_blind_minor=100, straddle_minor=200)
    deck = stacked_deck(["2c3c", "2d3d", "2h3h", "4c5c"], "")
    hand = Hand(config, (0, 1, 2, 3), (5000,) * 4, deck)
    blinds = [
        (e.seat, e.amount_minor) for e in hand.history if isinstance(e, BlindOrStraddlePosted)
    ]
    assert blinds == [(0, 50), (1, 100), (2, 200)]
    legal = hand.legal_actions()
    assert legal is not None and legal.seat == 3
    assert (legal.call_minor, legal.min_raise_to_minor) == (200, 400)


def test_no_straddle_with_three_players() -> None:
    config = TableConfig(small_blind_minor=50, big_blind_minor=100, straddle_minor=200)
    hand = three_handed(config)
    blinds = [e for e in hand.history if isinstance(e, BlindOrStraddlePosted)]
    assert len(blinds) == 2


def test_pot_limit_caps_the_raise_at_the_pot() -> None:
    config = TableConfig(50, 100, betting_limit=BettingLimit.POT_LIMIT)
    legal = three_handed(config).legal_actions()
    # Call 100, then raise the pot: 150 in the middle + 100 call = 250 more -> to 350.
    assert legal is not None and legal.max_raise_to_minor == 350


def test_antes_are_posted_by_everyone() -> None:
    config = TableConfig(small_blind_minor=50, big_blind_minor=100, ante_minor=10)
    hand = three_handed(config)
    hand.fold(7)
    hand.fold(2)
    assert hand.result is not None
    assert hand.result.net_minor == (-60, 70, -10)


def test_save_and_resume_mid_hand_replays_to_the_same_state() -> None:
    hand = three_handed()
    hand.bet_or_raise_to(7, 300)
    hand.check_or_call(2)
    hand.check_or_call(5)
    hand.bet_or_raise_to(2, 500)
    saved = json.loads(json.dumps(hand.to_dict()))
    resumed = Hand.from_dict(saved)
    assert resumed.history == hand.history
    assert resumed.to_act == hand.to_act == 5
    for copy in (hand, resumed):
        copy.fold(5)
        copy.check_or_call(7)
    assert resumed.history == hand.history
    assert resumed.to_dict() == hand.to_dict()


def test_a_tampered_save_is_refused() -> None:
    saved = three_handed().to_dict()
    saved["actions"] = [PlayerAction(2, ActionKind.CHECK_OR_CALL).to_dict()]
    with pytest.raises(IllegalAction, match="saved action 0 does not replay"):
        Hand.from_dict(saved)
    saved["deck"] = [*saved["deck"][:-1], "Ac"]  # Ac twice
    with pytest.raises(GameError, match="permutation"):
        Hand.from_dict(saved)
    with pytest.raises(GameError):
        Hand.from_dict({"format": "something-else"})


def test_history_serialises_to_json() -> None:
    hand = three_handed()
    hand.bet_or_raise_to(7, 10_000)
    hand.check_or_call(2)
    hand.fold(5)
    events = [event.to_dict() for event in hand.history]
    assert json.loads(json.dumps(events)) == events
    assert events[0] == {
        "type": "hand-started",
        "button_seat": 7,
        "seats": [2, 5, 7],
        "stacks_minor": [10_000, 10_000, 10_000],
    }
    assert events[-1]["type"] == "hand-ended"


def test_config_reads_a_table_file_and_refuses_typos() -> None:
    data = {"kind": "holdem", "name": "NL 1/2", "small_blind_minor": 100, "big_blind_minor": 200}
    assert TableConfig.from_dict(data) == TableConfig(100, 200)
    assert TableConfig.from_dict(CONFIG.to_dict()) == CONFIG
    with pytest.raises(GameDefinitionError, match="big_blnd_minor"):
        TableConfig.from_dict({"small_blind_minor": 1, "big_blnd_minor": 2})
    with pytest.raises(GameDefinitionError, match="small_blind_minor"):
        TableConfig(small_blind_minor=3, big_blind_minor=2)
    with pytest.raises(GameDefinitionError, match="rake_basis_points"):
        TableConfig(1, 2, rake_basis_points=10_001)


def _reference_deck(server_seed: str, client_seed: str, nonce: int) -> list[str]:
    """croupier-pf-1 written out independently, as a player would."""
    words: list[int] = []
    block = 0

    def uniform(n: int) -> int:
        nonlocal block
        limit = 2**32 - (2**32 % n)
        while True:
            if not words:
                message = f"{client_seed}:{nonce}:{block}".encode()
                digest = hmac.new(server_seed.encode(), message, hashlib.sha256).digest()
                words.extend(int.from_bytes(digest[i : i + 4], "big") for i in range(0, 32, 4))
                block += 1
            word = words.pop(0)
            if word < limit:
                return word % n

    deck = canonical_deck()
    for i in range(len(deck) - 1, 0, -1):
        j = uniform(i + 1)
        deck[i], deck[j] = deck[j], deck[i]
    return deck


def test_a_player_recomputes_the_deal_from_the_provably_fair_seeds() -> None:
    server_seed, client_seed, nonce = "00" * 32, "player", 0
    rng = ProvablyFairSource(server_seed, client_seed, nonce)
    hand = Hand.deal(CONFIG, (2, 5, 7), (10_000, 10_000, 10_000), rng)
    for seat in (7, 2):
        hand.check_or_call(seat)
    hand.check_or_call(5)
    for _ in range(3):
        for seat in (2, 5, 7):
            hand.check_or_call(seat)
    deck = _reference_deck(server_seed, client_seed, nonce)
    assert hand.deck == tuple(deck)
    assert hand.hole_cards(5) == (deck[1], deck[4])
    assert hand.board == (deck[7], deck[8], deck[9], deck[11], deck[13])


def test_showdown_shows_the_winner_and_mucks_hands_that_cannot_win() -> None:
    config = TableConfig(small_blind_minor=1, big_blind_minor=2)
    deck = stacked_deck(["AcAd", "7c2d", "KcKd"], "2h8s9dJs3h")
    hand = Hand(config, (0, 1, 2), (100, 100, 100), deck)
    for seat in (2, 0, 1):
        hand.check_or_call(seat)
    for _ in range(3):
        for seat in (0, 1, 2):
            hand.check_or_call(seat)
    shown = [(e.seat, e.cards) for e in hand.history if isinstance(e, HandShown)]
    mucked = [e.seat for e in hand.history if isinstance(e, HandMucked)]
    assert shown == [(0, ("Ac", "Ad"))]
    assert mucked == [1, 2]
    assert hand.result is not None and hand.result.net_minor == (4, -2, -2)
