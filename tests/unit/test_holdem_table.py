"""The hold'em table between hands: button movement, skipped seats, stacks, save/resume."""

from __future__ import annotations

import json
import random

import pytest

from croupier.domain.errors import GameError, IllegalAction
from croupier.domain.games.holdem import (
    BlindOrStraddlePosted,
    Hand,
    Table,
    TableConfig,
    deal_order,
)
from croupier.domain.games.holdem_decks import DeckReplayRng, stacked_deck

CONFIG = TableConfig(small_blind_minor=50, big_blind_minor=100, seat_count=6)


class SeededRng:
    """A reproducible RngSource for tests (not for play)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def uniform(self, n: int) -> int:
        return self._random.randrange(n)


def blinds(hand: Hand) -> list[tuple[int, int]]:
    return [(e.seat, e.amount_minor) for e in hand.history if isinstance(e, BlindOrStraddlePosted)]


def fold_round(hand: Hand) -> None:
    while hand.to_act is not None:
        if hand.can_fold(hand.to_act):
            hand.fold(hand.to_act)
        else:
            hand.check_or_call(hand.to_act)


def test_the_button_moves_clockwise_and_blinds_follow() -> None:
    table = Table(CONFIG, {0: 1000, 2: 1000, 4: 1000})
    buttons = []
    for seed in range(4):
        hand = table.start_hand(SeededRng(seed))
        buttons.append((hand.button_seat, blinds(hand)))
        fold_round(hand)
    assert buttons == [
        (0, [(2, 50), (4, 100)]),
        (2, [(4, 50), (0, 100)]),
        (4, [(0, 50), (2, 100)]),
        (0, [(2, 50), (4, 100)]),
    ]


def test_heads_up_the_button_posts_the_small_blind_and_acts_first_preflop() -> None:
    table = Table(CONFIG, {1: 1000, 3: 1000})
    hand = table.start_hand(SeededRng(1))
    assert hand.button_seat == 1
    assert blinds(hand) == [(3, 100), (1, 50)]
    assert hand.to_act == 1


def test_sitting_out_empty_and_busted_seats_are_skipped() -> None:
    table = Table(CONFIG, {0: 1000, 1: 1000, 3: 1000, 5: 1000})
    table.sit_out(1)
    hand = table.start_hand(SeededRng(2))
    assert hand.seats == (3, 5, 0)
    fold_round(hand)
    table.sit_out(1, sitting_out=False)
    hand = table.start_hand(SeededRng(3))
    assert hand.seats == (3, 5, 0, 1)  # the button moves on from 0 to the returning seat 1
    assert hand.button_seat == 1


def test_a_busted_player_is_not_dealt_in() -> None:
    table = Table(CONFIG, {0: 100, 1: 5000, 2: 5000})
    deck = stacked_deck(["AcAd", "KcKd", "7c2d"], "2h8s9dJs3h")
    hand = table.start_hand(DeckReplayRng(deck))  # button 0, seat 1 small, seat 2 big blind
    hand.check_or_call(0)  # calling the big blind puts seat 0 all-in
    hand.bet_or_raise_to(1, 5000)
    hand.fold(2)
    assert hand.result is not None and hand.result.final_stack_for(0) == 0
    assert table.seats[0].stack_minor == 0
    nxt = table.start_hand(SeededRng(5))
    assert nxt.seats == (2, 1)  # seat 0 is skipped; the button moves on to seat 1


def test_stacks_carry_over_between_hands_and_chips_are_conserved() -> None:
    table = Table(CONFIG, {0: 1000, 2: 2000, 4: 3000})
    for seed in range(10):
        hand = table.start_hand(SeededRng(seed))
        while hand.to_act is not None:
            seat = hand.to_act
            legal = hand.legal_actions()
            assert legal is not None
            if legal.min_raise_to_minor is not None and seed % 2:
                hand.bet_or_raise_to(seat, legal.min_raise_to_minor)
            else:
                hand.check_or_call(seat)
        assert sum(s.stack_minor for s in table.seats.values()) == 6000
        if sum(1 for s in table.seats.values() if s.stack_minor) < 2:
            break


def test_refusals_between_and_during_hands() -> None:
    table = Table(CONFIG, {0: 1000})
    with pytest.raises(IllegalAction, match="two players"):
        table.start_hand(SeededRng(0))
    with pytest.raises(IllegalAction, match="taken"):
        table.seat_player(0, 500)
    with pytest.raises(GameError, match="between 0 and 5"):
        table.seat_player(6, 500)
    table.seat_player(1, 1000)
    table.start_hand(SeededRng(0))
    with pytest.raises(IllegalAction, match="in progress"):
        table.start_hand(SeededRng(1))
    with pytest.raises(IllegalAction, match="playing a hand"):
        table.remove_player(1)
    with pytest.raises(IllegalAction, match="playing a hand"):
        table.add_chips(0, 100)
    table.seat_player(3, 700)  # joining mid-hand is fine: dealt in next hand
    assert table.remove_player(3) == 700


def test_a_table_with_a_hand_in_progress_saves_and_resumes() -> None:
    table = Table(CONFIG, {0: 1000, 2: 2000, 4: 3000})
    fold_round(table.start_hand(SeededRng(9)))
    hand = table.start_hand(SeededRng(10))
    hand.check_or_call(hand.seats[-1])
    saved = json.loads(json.dumps(table.to_dict()))
    resumed = Table.from_dict(saved)
    assert resumed.hand is not None
    assert resumed.hand.history == hand.history
    assert resumed.button_seat == table.button_seat
    for copy in (table, resumed):
        live = copy.hand
        assert live is not None
        fold_round(live)
    assert resumed.seats == table.seats


def test_deal_order_puts_the_new_button_last() -> None:
    assert deal_order([0, 3, 5], 3) == (0, 3, 5)
    assert deal_order([0, 3, 5], 1) == (5, 0, 3)
    assert deal_order([2, 7], None) == (7, 2)
