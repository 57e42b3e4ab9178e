"""Hand histories: a golden PokerStars-style text for a stacked deck, viewer filtering,
the JSON form, and (Hypothesis) many random hands read back by an independent parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.games.holdem import Hand, TableConfig
from croupier.domain.games.holdem_decks import stacked_deck
from croupier.domain.money import currency
from croupier.domain.poker.hand_history import hand_history_json, hand_history_text, record_hand
from tests.support.hand_history_parser import parse
from tests.support.poker import SeededRng

GOLDEN = Path(__file__).parent.parent / "golden" / "hand_history_three_way_all_in.txt"
EUR = currency("EUR")
WHEN = datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC)
NAMES = {seat: name for seat, name in enumerate(["ann", "bob", "cy", "dee", "eve", "fay"])}


def three_way_all_in() -> Hand:
    config = TableConfig(50, 100, ante_minor=10, rake_basis_points=500, rake_cap_minor=300)
    deck = stacked_deck(["AcAd", "KcKd", "7h2s"], "2c3c4c5d6h")
    hand = Hand(config, [1, 3, 5], [10_000, 5_000, 8_000], deck)
    hand.bet_or_raise_to(5, 300)
    hand.check_or_call(1)
    hand.bet_or_raise_to(3, 4_990)
    hand.check_or_call(5)
    hand.bet_or_raise_to(1, 9_990)
    hand.check_or_call(5)
    return hand


def test_golden_text_of_a_three_way_all_in_with_an_uncalled_bet() -> None:
    record = record_hand(
        three_way_all_in(), hand_id="1001", table_name="Table 1", played_at=WHEN,
        currency=EUR, names=NAMES,
    )  # fmt: skip
    assert hand_history_text(record, reveal_all=True) == GOLDEN.read_text(encoding="utf-8")


def test_only_the_viewer_sees_their_hole_cards_until_showdown() -> None:
    config = TableConfig(50, 100)
    hand = Hand(config, [0, 2], [1_000, 1_000], stacked_deck(["AcAd", "KcKd"]))
    hand.fold(2)  # heads-up: the button (seat 2) acts first preflop and folds
    record = record_hand(
        hand, hand_id="7", table_name="T", played_at=WHEN, currency=EUR, names=NAMES
    )
    text = hand_history_text(record, viewer_seat=0)
    assert "Dealt to ann [Ac Ad]" in text and "Kc" not in text
    assert "Uncalled bet (0.50) returned to ann" in text
    assert "Seat 3: cy (button) (small blind) folded before Flop" in text
    document = hand_history_json(record, viewer_seat=2)
    assert document["hole_cards"] == {"2": ["Kc", "Kd"]}
    assert json.loads(json.dumps(document)) == document


def random_hand(data: st.DataObject) -> Hand:
    """Built in the test, not a strategy: pokerkit touches the global ``random`` (docs)."""
    draw = data.draw
    players = draw(st.integers(2, 6))
    config = TableConfig(
        draw(st.integers(1, 50)), 100,
        ante_minor=draw(st.sampled_from([0, 5])),
        straddle_minor=draw(st.sampled_from([0, 200])),
        rake_basis_points=draw(st.sampled_from([0, 500])),
        rake_cap_minor=draw(st.sampled_from([None, 300])),
    )  # fmt: skip
    stacks = draw(st.lists(st.integers(1, 20_000), min_size=players, max_size=players))
    seats = sorted(
        draw(st.lists(st.integers(0, 5), min_size=players, max_size=players, unique=True))
    )
    hand = Hand.deal(config, seats, stacks, SeededRng(draw(st.integers(0, 2**32))))
    while (legal := hand.legal_actions()) is not None:
        choice = draw(st.integers(0, 9))
        low, high = legal.min_raise_to_minor, legal.max_raise_to_minor
        if choice < 2 and legal.can_fold:
            hand.fold(legal.seat)
        elif choice >= 7 and low is not None and high is not None:
            hand.bet_or_raise_to(legal.seat, draw(st.integers(low, high)))
        else:
            hand.check_or_call(legal.seat)
    return hand


@given(data=st.data())
def test_a_parser_reads_back_players_pot_board_and_winners(data: st.DataObject) -> None:
    hand = random_hand(data)
    record = record_hand(
        hand, hand_id="42", table_name="T", played_at=WHEN, currency=EUR, names=NAMES
    )
    parsed = parse(hand_history_text(record, reveal_all=True), EUR)
    result = hand.result
    assert result is not None
    assert parsed.stacks == {
        NAMES[s]: v for s, v in zip(result.seats, result.starting_stacks_minor, strict=True)
    }
    assert parsed.final_stacks() == {
        NAMES[s]: v for s, v in zip(result.seats, result.final_stacks_minor, strict=True)
    }
    assert parsed.rake == result.rake_minor
    assert parsed.total_pot == sum(parsed.collected.values()) + result.rake_minor
    assert parsed.board == list(hand.board)
    assert parsed.dealt == {
        NAMES[s]: list(hand.hole_cards(s)) or parsed.dealt[NAMES[s]] for s in result.seats
    }
    winners = {NAMES[s] for s, net in zip(result.seats, result.net_minor, strict=True) if net > 0}
    assert winners <= parsed.winners()
    document = json.loads(json.dumps(hand_history_json(record, reveal_all=True)))
    finals = dict(zip(result.seats, result.final_stacks_minor, strict=True))
    assert document["final_stacks_minor"] == {str(seat): stack for seat, stack in finals.items()}
    assert document["rake_minor"] == result.rake_minor and document["board"] == list(hand.board)
