"""The pure slot engine: draw order, window, line and scatter rules, free spins, money."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.errors import InvalidBet
from croupier.domain.games.slots import SlotGame

TINY = Path(__file__).parents[1] / "golden" / "slots-tiny.toml"


def tiny_data() -> dict[str, Any]:
    return tomllib.loads(TINY.read_text())


class ScriptedRng:
    """Returns scripted draws and records every ``n`` asked for."""

    def __init__(self, draws: Sequence[int]) -> None:
        self.draws = list(draws)
        self.asked: list[int] = []

    def uniform(self, n: int) -> int:
        self.asked.append(n)
        value = self.draws.pop(0)
        assert 0 <= value < n
        return value


def test_draw_order_is_base_reels_then_jackpot_then_free_spins() -> None:
    game = SlotGame.from_data(tiny_data())
    # Base: A A S S A (two scatters: 1 free spin); jackpot draw 0 hits; the free spin
    # shows S S again (retrigger to the cap of 2), then a plain spin.
    rng = ScriptedRng([0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0])
    played = game.play_round(rng)
    assert rng.asked == [2, 2, 2, 2, 2, 4] + [2] * 10
    assert played.stops == (0, 0, 1, 1, 0)
    assert played.window == (("A", "A", "S", "S", "A"),)
    assert played.jackpot_hit is True
    assert [spin.stops for spin in played.free_spins] == [(0, 0, 1, 1, 0), (1, 1, 0, 0, 0)]
    # Base pays the scatter (1); free spin 1 pays 2·1; free spin 2 (W B A A A) pays 2·1.
    assert played.win_multiplier == Fraction(5)
    assert played.settle(7) == 35


def test_window_follows_the_fairness_spec() -> None:
    data = tiny_data()
    data["rows"] = 2
    data["reels"] = [["A", "B", "W"], ["B", "A"], ["A", "S", "B"], ["A", "B", "S"], ["A", "B"]]
    data["scatter"]["free_spins"] = {}
    data["scatter"]["free_spins_max"] = 0
    game = SlotGame.from_data(data)
    # strip[(stop + r) % len] for r = 0, 1: top row first.
    assert game.window_at((2, 1, 2, 0, 1)) == (
        ("W", "A", "B", "A", "B"),
        ("A", "B", "A", "B", "A"),
    )


@pytest.mark.parametrize(
    ("symbols", "expected"),
    [
        (("A", "A", "A", "B", "A"), ("A", 3, 2)),
        (("W", "A", "A", "A", "A"), ("A", 5, 8)),  # the wild substitutes
        (("W", "B", "S", "A", "A"), ("B", 2, 1)),  # a run stops at the scatter
        (("A", "B", "A", "A", "A"), None),  # left to right only
        (("S", "A", "A", "A", "A"), None),  # the scatter is no line symbol
    ],
)
def test_line_wins(symbols: tuple[str, ...], expected: tuple[str, int, int] | None) -> None:
    win = SlotGame.from_data(tiny_data()).line_win(0, symbols)
    assert (win and (win.symbol, win.count, win.pay)) == expected


def test_a_line_pays_its_highest_win_only() -> None:
    data = tiny_data()
    data["wild"]["pays"] = {"2": 3}
    data["reels"][1] = ["A", "B", "W"]
    game = SlotGame.from_data(data)
    # W W B: two wilds pay 3 beat W W B = B×3? B pays only for 2 → wild pays 3.
    win = game.line_win(0, ("W", "W", "B", "S", "A"))
    assert win is not None and (win.symbol, win.count, win.pay) == ("W", 2, 3)
    # W W A A A: A×5 pays 8 > wilds 3, and only the one win is paid.
    win = game.line_win(0, ("W", "W", "A", "A", "A"))
    assert win is not None and (win.symbol, win.count, win.pay) == ("A", 5, 8)


def test_free_spins_stop_at_the_cap() -> None:
    data = tiny_data()
    data["scatter"]["free_spins"] = {"2": 3}
    data["scatter"]["free_spins_max"] = 4
    game = SlotGame.from_data(data)
    always_scatters = ScriptedRng([0, 0, 1, 1, 0, 1] + [0, 0, 1, 1, 0] * 4)
    played = game.play_round(always_scatters)
    assert len(played.free_spins) == 4  # 3 awarded, a retrigger adds 3 but the cap is 4
    assert always_scatters.draws == []


@pytest.mark.parametrize("stake", [0, 11, -1, 2.0, True, "5"])
def test_invalid_stakes_are_refused(stake: Any) -> None:
    game = SlotGame.from_data(tiny_data())
    played = game.play_round(ScriptedRng([0, 0, 0, 0, 0, 1]))
    before = copy.deepcopy(played)
    with pytest.raises(InvalidBet):
        played.settle(stake)
    with pytest.raises(InvalidBet):
        game.jackpot_contribution_minor(stake)
    assert played == before


def test_the_stake_must_be_whole_line_bets() -> None:
    data = tiny_data()
    data["rows"] = 2
    data["paylines"] = [[0, 0, 0, 0, 0], [1, 1, 1, 1, 1]]
    data["limits"] = {"EUR": {"stake_min_minor": 2, "stake_max_minor": 10}}
    game = SlotGame.from_data(data)
    played = game.play_round(ScriptedRng([0, 0, 0, 0, 0, 1] + [0] * 10))
    with pytest.raises(InvalidBet, match="multiple of the 2 lines"):
        played.settle(3)
    assert played.settle(4) == 4 * played.win_multiplier


def test_jackpot_contribution_floors_to_the_minor_unit() -> None:
    game = SlotGame.from_data(tiny_data())  # 10%
    assert [game.jackpot_contribution_minor(s) for s in (1, 9, 10)] == [0, 0, 1]


@given(
    stops=st.tuples(*[st.integers(0, 1)] * 5),
    stake=st.integers(1, 10),
)
def test_settle_is_the_floor_of_stake_times_multiplier(stops: tuple[int, ...], stake: int) -> None:
    game = SlotGame.from_data(tiny_data())
    played = game.play_round(ScriptedRng([*stops, 1] + [0, 0, 0, 0, 0] * 2))
    win = played.settle(stake)
    assert win == int(stake * played.win_multiplier)
    assert win >= 0
