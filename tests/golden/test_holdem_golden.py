"""Known-answer hold'em hands: documented hands replayed card for card, and hand-built pots.

Each case stacks the deck (``stacked_deck``), replays the actions and checks the final stacks,
the pots and the rake a player or auditor would see.
"""

from __future__ import annotations

from croupier.domain.games.holdem import (
    BoardDealt,
    Hand,
    PotAwarded,
    Table,
    TableConfig,
)
from croupier.domain.games.holdem_decks import DeckReplayRng, stacked_deck

ROYAL_BOARD = "TsJsQsKsAs"


def pots(hand: Hand) -> list[PotAwarded]:
    return [event for event in hand.history if isinstance(event, PotAwarded)]


def play(hand: Hand, script: list[tuple[int, str, int | None]]) -> None:
    """Replay ``(seat, action, amount)``; action is f(old), c(heck/call) or r(aise to)."""
    for seat, action, amount in script:
        if action == "f":
            hand.fold(seat)
        elif action == "c":
            hand.check_or_call(seat)
        else:
            assert amount is not None
            hand.bet_or_raise_to(seat, amount)


def test_dwan_ivey_2009_million_dollar_pot() -> None:
    """High Stakes Poker 2009 (https://youtu.be/GnxFohpljqM), as in pokerkit's test corpus.

    Ivey (SB, seat 1) Ac2d, Antonius (BB, seat 2, stack not shown: 2,000,000 here),
    Dwan (button, seat 0) 7h6h; board Jc3d5c 4h Jh; blinds 1000/2000, ante 500.
    """
    config = TableConfig(small_blind_minor=1000, big_blind_minor=2000, ante_minor=500)
    deck = stacked_deck(["Ac2d", "????", "7h6h"], "Jc3d5c4hJh")
    table = Table(config, {0: 553_500, 1: 1_125_600, 2: 2_000_000})
    hand = table.start_hand(DeckReplayRng(deck))
    assert hand.seats == (1, 2, 0)
    assert hand.hole_cards(1) == ("Ac", "2d") and hand.hole_cards(0) == ("7h", "6h")
    play(hand, [(0, "r", 7000), (1, "r", 23000), (2, "f", None), (0, "c", None)])
    play(hand, [(1, "r", 35000), (0, "c", None)])
    play(hand, [(1, "r", 90000), (0, "r", 232_600), (1, "r", 1_067_100), (0, "c", None)])
    assert hand.result is not None
    assert hand.board == ("Jc", "3d", "5c", "4h", "Jh")
    assert hand.result.final_stacks_minor == (572_100, 1_997_500, 1_109_500)
    assert hand.result.rake_minor == 0
    assert {seat: table.seats[seat].stack_minor for seat in (0, 1, 2)} == {
        0: 1_109_500,
        1: 572_100,
        2: 1_997_500,
    }
    (pot,) = pots(hand)
    assert pot.awards_minor == ((0, 1_109_500),)


def test_pokerkit_corpus_royal_board_four_pots_each_split_with_rake() -> None:
    """pokerkit test_chips_pushing: royal flush on board, stacks 100/10/10000/1000, 10 % rake.

    Three pots (40, 270, 1800) are each chopped among everyone still eligible; the rake is
    211 = 10 % of 2110 and the uncalled 9000 goes back without rake.
    """
    config = TableConfig(small_blind_minor=1, big_blind_minor=2, rake_basis_points=1000)
    deck = stacked_deck(["2c3c", "2d3d", "2h3h", "4c5c"], ROYAL_BOARD)
    hand = Hand(config, (0, 1, 2, 3), (100, 10, 10_000, 1000), deck)
    play(hand, [(2, "r", 10_000), (3, "c", None), (0, "c", None), (1, "c", None)])
    assert hand.result is not None
    assert hand.result.final_stacks_minor == (90, 9, 9900, 900)
    assert hand.result.rake_minor == 211
    assert [(pot.rake_minor, pot.showdown_seats) for pot in pots(hand)] == [
        (4, (0, 1, 2, 3)),
        (27, (0, 2, 3)),
        (180, (2, 3)),
    ]


def test_three_all_ins_of_different_sizes_make_three_pots() -> None:
    config = TableConfig(small_blind_minor=5, big_blind_minor=10)
    # Deal order: A (SB, 100), B (BB, 200), C (300), D (button, 1000). A > B > C > D.
    deck = stacked_deck(["AcAd", "KcKd", "QcQd", "JcJd"], "2h7s8d3s9h")
    hand = Hand(config, (0, 1, 2, 3), (100, 200, 300, 1000), deck)
    play(hand, [(2, "r", 300), (3, "c", None), (0, "c", None), (1, "c", None)])
    assert hand.result is not None
    assert [(pot.showdown_seats, pot.awards_minor) for pot in pots(hand)] == [
        ((0, 1, 2), ((0, 400),)),  # D's jacks win nothing, so D's hand is killed
        ((1, 2), ((1, 300),)),
        ((2,), ((2, 200),)),
    ]
    assert hand.result.final_stacks_minor == (400, 300, 200, 700)
    assert hand.result.net_minor == (300, 100, -100, -300)


def test_heads_up_chop_gives_the_odd_chip_to_the_first_winner_left_of_the_button() -> None:
    # Three players: the SB posts 1 and folds, BB and button tie: pot 5 -> 3 to BB, 2 to button.
    config = TableConfig(small_blind_minor=1, big_blind_minor=2)
    deck = stacked_deck(["7c2d", "4c5d", "4d5c"], ROYAL_BOARD)
    hand = Hand(config, (4, 6, 8), (50, 50, 50), deck)
    play(hand, [(8, "c", None), (4, "f", None), (6, "c", None)])
    for _ in range(3):
        play(hand, [(6, "c", None), (8, "c", None)])
    (pot,) = pots(hand)
    assert pot.awards_minor == ((6, 3), (8, 2))
    assert hand.result is not None and hand.result.net_minor == (-1, 1, 0)


def test_three_way_chop_gives_every_odd_chip_to_the_first_winner_left_of_the_button() -> None:
    # 4 players call 2 (pot 8); flop SB bets 2, BB and UTG call, button folds: pot 14 = 3*4 + 2.
    config = TableConfig(small_blind_minor=1, big_blind_minor=2)
    deck = stacked_deck(["2c3c", "2d3d", "2h3h", "4c5c"], ROYAL_BOARD)
    hand = Hand(config, (0, 1, 2, 3), (100, 100, 100, 100), deck)
    play(hand, [(2, "c", None), (3, "c", None), (0, "c", None), (1, "c", None)])
    play(hand, [(0, "r", 2), (1, "c", None), (2, "c", None), (3, "f", None)])
    for _ in range(2):
        play(hand, [(0, "c", None), (1, "c", None), (2, "c", None)])
    (pot,) = pots(hand)
    assert pot.awards_minor == ((0, 6), (1, 4), (2, 4))
    assert hand.result is not None and hand.result.net_minor == (2, 0, 0, -2)


def test_rake_is_capped_per_hand() -> None:
    config = TableConfig(
        small_blind_minor=50, big_blind_minor=100, rake_basis_points=500, rake_cap_minor=300
    )
    deck = stacked_deck(["AcAd", "KcKd"], "2h7s8d3s9h")
    hand = Hand(config, (0, 1), (10_000, 10_000), deck)
    play(hand, [(1, "r", 10_000), (0, "c", None)])  # heads-up: the button (seat 1) acts first
    assert hand.result is not None
    # 5 % of 20,000 is 1,000, capped at 300; the winner gets 20,000 - 300.
    assert hand.result.rake_minor == 300
    assert hand.result.final_stacks_minor == (19_700, 0)


def test_rake_below_the_cap_is_the_floor_of_the_percentage() -> None:
    config = TableConfig(
        small_blind_minor=1, big_blind_minor=2, rake_basis_points=500, rake_cap_minor=300
    )
    deck = stacked_deck(["AcAd", "KcKd"], "2h7s8d3s9h")
    hand = Hand(config, (0, 1), (1000, 1000), deck)
    play(hand, [(1, "r", 199), (0, "c", None)])
    for _ in range(3):
        play(hand, [(0, "c", None), (1, "c", None)])
    assert hand.result is not None
    assert hand.result.rake_minor == 19  # floor(5 % of 398)
    assert hand.result.final_stacks_minor == (1000 + 199 - 19, 1000 - 199)


def test_no_flop_no_drop_takes_no_rake_from_a_hand_won_preflop() -> None:
    config = TableConfig(
        small_blind_minor=50, big_blind_minor=100, rake_basis_points=1000, rake_cap_minor=500
    )
    deck = stacked_deck(["AcAd", "KcKd", "QcQd"], "")
    hand = Hand(config, (0, 1, 2), (5000, 5000, 5000), deck)
    play(hand, [(2, "r", 300), (0, "c", None), (1, "r", 1200), (2, "f", None), (0, "f", None)])
    assert hand.result is not None
    assert hand.result.rake_minor == 0
    assert hand.result.final_stacks_minor == (4700, 5600, 4700)
    assert not any(isinstance(event, BoardDealt) for event in hand.history)


def test_rake_with_side_pots_is_shared_pro_rata_and_never_exceeds_the_cap() -> None:
    # Pots 300 (3 x 100) and 200 (2 x 100); hand rake min(5 % of 500, 20) = 20 -> 12 + 8.
    config = TableConfig(
        small_blind_minor=5, big_blind_minor=10, rake_basis_points=500, rake_cap_minor=20
    )
    deck = stacked_deck(["AcAd", "KcKd", "QcQd"], "2h7s8d3s9h")
    hand = Hand(config, (0, 1, 2), (100, 200, 300), deck)
    play(hand, [(2, "r", 300), (0, "c", None), (1, "c", None)])
    assert hand.result is not None
    assert [(pot.rake_minor, pot.awards_minor) for pot in pots(hand)] == [
        (12, ((0, 288),)),
        (8, ((1, 192),)),
    ]
    assert hand.result.final_stacks_minor == (288, 192, 100)
