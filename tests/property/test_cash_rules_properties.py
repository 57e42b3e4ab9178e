"""Cash-table money rules: buy-in and top-up bounds, the escrow invariant, and (Hypothesis)
the refunds of a hand cancelled at any point restore every pre-hand stack exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.errors import GameDefinitionError, IllegalAction, InvariantBroken
from croupier.domain.games.holdem import Hand, TableConfig
from croupier.domain.poker.cash_rules import (
    buy_in_bounds_minor,
    cancelled_hand_refunds,
    check_escrow,
    escrow_balanced,
    verify_buy_in,
    verify_top_up,
)
from tests.support.poker import SeededRng

CONFIG = TableConfig(50, 100, min_buy_in_bb=40, max_buy_in_bb=100)


def test_buy_in_bounds_come_from_the_table_data() -> None:
    assert buy_in_bounds_minor(CONFIG) == (4_000, 10_000)
    assert buy_in_bounds_minor(TableConfig(50, 100)) == (2_000, 10_000)  # the defaults
    verify_buy_in(CONFIG, 4_000)
    verify_buy_in(CONFIG, 10_000)
    for wrong in (3_999, 10_001, True, 5_000.0):
        with pytest.raises(IllegalAction):
            verify_buy_in(CONFIG, wrong)  # type: ignore[arg-type]


def test_top_up_only_between_hands_and_up_to_the_maximum() -> None:
    verify_top_up(CONFIG, 6_000, 4_000, in_hand=False)
    with pytest.raises(IllegalAction, match="at most 10000"):
        verify_top_up(CONFIG, 6_000, 4_001, in_hand=False)
    with pytest.raises(IllegalAction, match="hand is over"):
        verify_top_up(CONFIG, 6_000, 100, in_hand=True)
    with pytest.raises(IllegalAction, match="at least one"):
        verify_top_up(CONFIG, 6_000, 0, in_hand=False)


def test_the_escrow_invariant() -> None:
    assert escrow_balanced(1_500, [1_000, 300], [150, 50])
    with pytest.raises(InvariantBroken, match="escrow 1499"):
        check_escrow(1_499, [1_000, 300], [150, 50])


def test_a_settled_hand_cannot_be_cancelled() -> None:
    hand = Hand.deal(CONFIG, [0, 1], [5_000, 5_000], SeededRng(1))
    hand.fold(hand.seats[-1])
    with pytest.raises(IllegalAction, match="settled"):
        cancelled_hand_refunds(hand.history)


@given(data=st.data())
def test_refunds_of_a_cancelled_hand_restore_the_stacks(data: st.DataObject) -> None:
    players = data.draw(st.integers(2, 9))
    config = TableConfig(
        data.draw(st.integers(1, 100)), 100,
        ante_minor=data.draw(st.sampled_from([0, 10])),
        straddle_minor=data.draw(st.sampled_from([0, 200])),
    )  # fmt: skip
    stacks = data.draw(st.lists(st.integers(1, 30_000), min_size=players, max_size=players))
    hand = Hand.deal(config, list(range(players)), stacks, SeededRng(data.draw(st.integers(0, 9))))
    for _ in range(data.draw(st.integers(0, 30))):  # stop (crash) after a random action
        legal = hand.legal_actions()
        if legal is None:
            break
        choice = data.draw(st.integers(0, 3))
        low, high = legal.min_raise_to_minor, legal.max_raise_to_minor
        if choice == 0 and legal.can_fold:
            hand.fold(legal.seat)
        elif choice == 1 and low is not None and high is not None:
            hand.bet_or_raise_to(legal.seat, data.draw(st.integers(low, high)))
        else:
            hand.check_or_call(legal.seat)
    if hand.is_complete:
        return
    refunds = cancelled_hand_refunds(hand.history)
    behind = hand.stacks_minor()
    assert {seat: behind[seat] + refunds[seat] for seat in hand.seats} == dict(
        zip(hand.seats, hand.starting_stacks_minor, strict=True)
    )
    in_pots = [*hand.pots_minor(), *hand.bets_minor().values()]
    assert escrow_balanced(sum(stacks), behind.values(), in_pots)
    assert sum(refunds.values()) == sum(in_pots)


def test_buy_in_bounds_are_checked_table_data() -> None:
    with pytest.raises(GameDefinitionError, match="min_buy_in_bb"):
        TableConfig(50, 100, min_buy_in_bb=200, max_buy_in_bb=100)
    with pytest.raises(GameDefinitionError, match="unknown table config"):
        TableConfig.from_dict({"small_blind_minor": 1, "big_blind_minor": 2, "max_buy_in": 5})
    config = TableConfig.from_dict({"small_blind_minor": 1, "big_blind_minor": 2})
    assert (config.min_buy_in_bb, config.max_buy_in_bb) == (20, 100)  # old files still load
