"""European roulette: layout-true bet validation, payouts, settlement."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.errors import InvalidBet, InvalidInput
from croupier.domain.games.roulette import (
    BLACK_NUMBERS,
    PAYOUT_ODDS,
    POCKETS,
    RED_NUMBERS,
    Bet,
    BetType,
    parse_bet,
    settle,
    spin,
    valid_bets,
)


def grid(number: int) -> tuple[int, int]:
    """(row, column) of 1-36 on the layout, written independently of the engine."""
    return (number - 1) // 3, (number - 1) % 3


def test_bet_counts_match_the_real_table() -> None:
    counts = {bet_type.value: len(valid_bets(bet_type)) for bet_type in BetType}
    assert counts == {
        "straight": 37,
        "split": 60,  # 24 side by side + 33 one above the other + 0-1, 0-2, 0-3
        "street": 12,
        "trio": 2,
        "corner": 22,
        "first_four": 1,
        "six_line": 11,
        "red": 1,
        "black": 1,
        "odd": 1,
        "even": 1,
        "low": 1,
        "high": 1,
        "dozen": 3,
        "column": 3,
    }


def test_splits_are_exactly_the_adjacent_pairs() -> None:
    adjacent = {
        (a, b)
        for a, b in combinations(range(1, 37), 2)
        if abs(grid(a)[0] - grid(b)[0]) + abs(grid(a)[1] - grid(b)[1]) == 1
    }
    adjacent |= {(0, 1), (0, 2), (0, 3)}
    assert set(valid_bets(BetType.SPLIT)) == adjacent


def test_corners_are_exactly_the_two_by_two_squares() -> None:
    squares = {
        tuple(sorted(quad))
        for quad in combinations(range(1, 37), 4)
        if len({grid(n)[0] for n in quad}) == 2
        and len({grid(n)[1] for n in quad}) == 2
        and max(grid(n)[0] for n in quad) - min(grid(n)[0] for n in quad) == 1
        and max(grid(n)[1] for n in quad) - min(grid(n)[1] for n in quad) == 1
    }
    assert set(valid_bets(BetType.CORNER)) == squares


def test_colours_follow_the_layout_rule() -> None:
    # Red: odd numbers in 1-10 and 19-28, even numbers in 11-18 and 29-36.
    expected_red = {n for n in range(1, 37) if (n % 2 == 1) == (n <= 10 or 19 <= n <= 28)}
    assert expected_red == RED_NUMBERS
    assert len(BLACK_NUMBERS) == 18 and not RED_NUMBERS & BLACK_NUMBERS
    assert 0 not in RED_NUMBERS | BLACK_NUMBERS


@pytest.mark.parametrize(
    ("bet_type", "numbers"),
    [
        ("straight", [0]),
        ("straight", [36]),
        ("split", [2, 1]),
        ("split", [0, 3]),
        ("split", [33, 36]),
        ("street", [34, 35, 36]),
        ("trio", [2, 0, 1]),
        ("trio", [0, 2, 3]),
        ("corner", [32, 33, 35, 36]),
        ("first_four", [0, 1, 2, 3]),
        ("six_line", [31, 32, 33, 34, 35, 36]),
        ("red", []),
        ("dozen", [3]),
        ("column", [2]),
    ],
)
def test_valid_bets_parse(bet_type: str, numbers: list[int]) -> None:
    bet = parse_bet(bet_type, numbers, 100)
    assert bet.type == BetType(bet_type)
    assert bet.stake_minor == 100
    assert bet.numbers == tuple(sorted(bet.numbers))


@pytest.mark.parametrize(
    ("bet_type", "numbers"),
    [
        ("straight", [37]),
        ("straight", [-1]),
        ("straight", []),
        ("split", [3, 4]),  # ends of two rows: not adjacent on the layout
        ("split", [0, 4]),
        ("split", [1, 5]),
        ("split", [36, 39]),
        ("split", [1]),
        ("street", [2, 3, 4]),
        ("street", [0, 1, 2]),  # that is a trio
        ("trio", [0, 1, 3]),
        ("corner", [3, 4, 6, 7]),
        ("corner", [0, 1, 2, 3]),  # that is first_four
        ("corner", [1, 2, 3, 4]),
        ("six_line", [3, 4, 5, 6, 7, 8]),
        ("six_line", [1, 2, 3]),
        ("red", [1]),
        ("odd", [1, 3]),
        ("dozen", [0]),
        ("dozen", [4]),
        ("dozen", [1, 2]),
        ("column", []),
        ("basket", [0, 1, 2]),
        ("split", [1, 1]),
        ("split", [True, 2]),
        ("split", "12"),
    ],
)
def test_invalid_bets_are_refused(bet_type: str, numbers: list[int]) -> None:
    with pytest.raises(InvalidBet):
        parse_bet(bet_type, numbers, 100)


@pytest.mark.parametrize("stake", [0, -5, True, 1.5, "100", None])
def test_bad_stakes_are_refused(stake: object) -> None:
    with pytest.raises(InvalidBet):
        parse_bet("straight", [17], stake)  # type: ignore[arg-type]


def test_outside_bets_expand_to_the_pockets_they_cover() -> None:
    assert parse_bet("dozen", [2], 1).numbers == tuple(range(13, 25))
    assert parse_bet("column", [1], 1).numbers == tuple(range(1, 35, 3))
    assert parse_bet("column", list(range(3, 37, 3)), 1).numbers == tuple(range(3, 37, 3))
    assert parse_bet("low", [], 1).numbers == tuple(range(1, 19))
    assert set(parse_bet("black", [], 1).numbers) == BLACK_NUMBERS
    assert 0 not in parse_bet("even", [], 1).numbers


def test_direct_construction_checks_the_layout() -> None:
    with pytest.raises(InvalidBet):
        Bet(BetType.SPLIT, (3, 4), 10)
    with pytest.raises(InvalidBet):
        Bet(BetType.SPLIT, [1, 2], 10)  # type: ignore[arg-type]
    with pytest.raises(InvalidBet):
        Bet("split", (1, 2), 10)  # type: ignore[arg-type]
    with pytest.raises(InvalidBet):
        Bet(BetType.SPLIT, (1, 2), 0)


@pytest.mark.parametrize(
    ("bet_type", "odds"),
    [
        ("straight", 35),
        ("split", 17),
        ("street", 11),
        ("trio", 11),
        ("corner", 8),
        ("first_four", 8),
        ("six_line", 5),
        ("red", 1),
        ("dozen", 2),
        ("column", 2),
    ],
)
def test_a_win_returns_stake_times_odds_plus_one(bet_type: str, odds: int) -> None:
    numbers = valid_bets(BetType(bet_type))[0]
    bet = Bet(BetType(bet_type), numbers, 250)
    assert bet.odds == odds
    assert settle([bet], numbers[0]) == [250 * (odds + 1)]
    losing = next(pocket for pocket in range(POCKETS) if pocket not in numbers)
    assert settle([bet], losing) == [0]


def test_zero_loses_every_outside_bet() -> None:
    outside = [parse_bet(kind, [], 100) for kind in ("red", "black", "odd", "even", "low", "high")]
    outside += [parse_bet(kind, [k], 100) for kind in ("dozen", "column") for k in (1, 2, 3)]
    assert settle(outside, 0) == [0] * len(outside)
    assert settle([parse_bet("straight", [0], 100)], 0) == [3600]


def test_every_single_bet_returns_36_of_37() -> None:
    for bet_type in BetType:
        for numbers in valid_bets(bet_type):
            bet = Bet(bet_type, numbers, 1)
            returned = sum(settle([bet], pocket)[0] for pocket in range(POCKETS))
            assert returned == 36, (bet_type, numbers)


def test_payout_table_is_36_over_k_minus_1() -> None:
    for bet_type in BetType:
        covered = len(valid_bets(bet_type)[0])
        assert PAYOUT_ODDS[bet_type] == 36 // covered - 1
        assert 36 % covered == 0


@pytest.mark.parametrize("pocket", [-1, 37, True, 1.0])
def test_settle_refuses_an_impossible_pocket(pocket: object) -> None:
    with pytest.raises(InvalidInput):
        settle([parse_bet("red", [], 1)], pocket)  # type: ignore[arg-type]


class ScriptedRng:
    def __init__(self, value: int) -> None:
        self.value = value
        self.asked: list[int] = []

    def uniform(self, n: int) -> int:
        self.asked.append(n)
        return self.value


def test_spin_draws_uniform_37() -> None:
    rng = ScriptedRng(17)
    assert spin(rng) == 17
    assert rng.asked == [37]


ALL_BETS = [(bet_type, numbers) for bet_type in BetType for numbers in valid_bets(bet_type)]


@given(
    st.lists(st.sampled_from(ALL_BETS), min_size=1, max_size=20),
    st.integers(min_value=1, max_value=10**12),
    st.integers(min_value=0, max_value=36),
)
def test_settle_pays_each_bet_independently(
    chosen: list[tuple[BetType, tuple[int, ...]]], stake_minor: int, pocket: int
) -> None:
    bets = [Bet(bet_type, numbers, stake_minor) for bet_type, numbers in chosen]
    wins = settle(bets, pocket)
    assert len(wins) == len(bets)
    for bet, win in zip(bets, wins, strict=True):
        expected = stake_minor * (PAYOUT_ODDS[bet.type] + 1) if pocket in bet.numbers else 0
        assert win == expected
        assert isinstance(win, int)
