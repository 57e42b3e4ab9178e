"""Invariants of hold'em over random tables, stacks, decks and legal action sequences."""

from __future__ import annotations

import random
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from croupier.domain.errors import IllegalAction
from croupier.domain.games.holdem import (
    BettingLimit,
    BoardDealt,
    CardBurned,
    Hand,
    HoleCardDealt,
    TableConfig,
)


class SeededRng:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def uniform(self, n: int) -> int:
        return self._random.randrange(n)


@st.composite
def configs(draw: st.DrawFn) -> TableConfig:
    small = draw(st.integers(1, 50))
    big = draw(st.integers(small, 100))
    return TableConfig(
        small_blind_minor=small,
        big_blind_minor=big,
        ante_minor=draw(st.sampled_from([0, 0, 1, 7])),
        straddle_minor=draw(st.sampled_from([0, 0, 2 * big])),
        betting_limit=draw(st.sampled_from(BettingLimit)),
        rake_basis_points=draw(st.sampled_from([0, 250, 500, 1000])),
        rake_cap_minor=draw(st.sampled_from([None, 0, 3, 50, 500])),
        no_flop_no_drop=draw(st.booleans()),
    )


def _try_illegal(hand: Hand, data: st.DataObject) -> None:
    """An out-of-turn or out-of-range action must be refused and change nothing."""
    legal = hand.legal_actions()
    assert legal is not None
    before = (hand.to_dict(), hand.history, hand.stacks_minor(), hand.bets_minor())
    others = [seat for seat in hand.seats if seat != legal.seat]
    wrong_seat = data.draw(st.sampled_from(others))
    attempts: list[Callable[[], None]] = [lambda: hand.check_or_call(wrong_seat)]
    high = legal.max_raise_to_minor
    if high is not None:
        attempts.append(lambda: hand.bet_or_raise_to(legal.seat, high + 1))
    for attempt in attempts:
        try:
            attempt()
        except IllegalAction:
            pass
        else:
            raise AssertionError("an illegal action was accepted")
    assert (hand.to_dict(), hand.history, hand.stacks_minor(), hand.bets_minor()) == before


def _play_randomly(hand: Hand, total_minor: int, data: st.DataObject) -> None:
    for _ in range(500):
        if hand.to_act is None:
            return
        in_play = sum(hand.stacks_minor().values()) + sum(hand.bets_minor().values())
        assert in_play + sum(hand.pots_minor()) == total_minor
        legal = hand.legal_actions()
        assert legal is not None and legal.seat == hand.to_act
        if data.draw(st.integers(0, 9)) == 0:
            _try_illegal(hand, data)
        options = ["call"]
        if legal.can_fold:
            options.append("fold")
        if legal.min_raise_to_minor is not None and legal.max_raise_to_minor is not None:
            options.append("raise")
        choice = data.draw(st.sampled_from(options))
        if choice == "fold":
            hand.fold(legal.seat)
        elif choice == "call":
            hand.check_or_call(legal.seat)
        else:
            assert legal.min_raise_to_minor is not None and legal.max_raise_to_minor is not None
            low, high = legal.min_raise_to_minor, legal.max_raise_to_minor
            amount = data.draw(st.sampled_from([low, high, (low + high) // 2]))
            hand.bet_or_raise_to(legal.seat, amount)
    raise AssertionError("hand did not end within 500 actions")


@settings(max_examples=120, deadline=None, database=None)
@given(
    config=configs(),
    stacks=st.lists(st.integers(1, 3000), min_size=2, max_size=9),
    seat_order=st.permutations(range(9)),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_chips_are_conserved_and_the_deal_follows_the_documented_order(
    config: TableConfig,
    stacks: list[int],
    seat_order: list[int],
    seed: int,
    data: st.DataObject,
) -> None:
    seats = tuple(seat_order[: len(stacks)])
    total_minor = sum(stacks)
    hand = Hand.deal(config, seats, stacks, SeededRng(seed))
    _play_randomly(hand, total_minor, data)

    result = hand.result
    assert result is not None
    assert sum(result.final_stacks_minor) + result.rake_minor == total_minor
    assert sum(result.net_minor) == -result.rake_minor
    assert all(stack >= 0 for stack in result.final_stacks_minor)
    assert result.rake_minor <= -sum(net for net in result.net_minor if net < 0)
    if config.rake_cap_minor is not None:
        assert result.rake_minor <= config.rake_cap_minor
    flop_seen = any(isinstance(event, BoardDealt) for event in hand.history)
    if config.rake_basis_points == 0 or (config.no_flop_no_drop and not flop_seen):
        assert result.rake_minor == 0

    # Cards leave the deck from index 0 upward: hole cards round by round, then burn + board.
    n = len(seats)
    dealt = [
        event
        for event in hand.history
        if isinstance(event, HoleCardDealt | CardBurned | BoardDealt)
    ]
    indices: list[int] = []
    for event in dealt:
        if isinstance(event, BoardDealt):
            indices.extend(range(event.first_deck_index, event.first_deck_index + len(event.cards)))
            assert event.cards == hand.deck[event.first_deck_index : indices[-1] + 1]
        else:
            indices.append(event.deck_index)
            assert event.card == hand.deck[event.deck_index]
        if isinstance(event, HoleCardDealt):
            assert event.seat == seats[event.deck_index % n]
    assert indices == list(range(hand.cards_dealt))

    # Save/resume: replaying the stored actions rebuilds the identical history.
    assert Hand.from_dict(hand.to_dict()).history == hand.history
