"""Slot definitions: a malformed file names the field it got wrong."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from croupier.adapters.game_files import load_game_data
from croupier.domain.errors import GameDefinitionError, UnknownGame
from croupier.domain.games.slots import SlotGame

TINY = Path(__file__).parents[1] / "golden" / "slots-tiny.toml"


def tiny_data() -> dict[str, Any]:
    return tomllib.loads(TINY.read_text())


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        data = data[key]
    if value is KeyError:
        del data[last]
    else:
        data[last] = value


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("paytable.A", {"5": -1}, r"^paytable\.A\[5\]: expected a non-negative integer"),
        ("paytable.A", {"5": 2.5}, r"^paytable\.A\[5\]: expected a non-negative integer"),
        ("paytable.A", {"6": 1}, r"^paytable\.A\[6\]: the count must be"),
        ("paytable.Z", {"3": 1}, r"^paytable\.Z: symbol is on no reel"),
        ("kind", "roulette", r"^kind: expected 'slots'"),
        ("rows", 0, r"^rows: expected an integer"),
        ("reels", [["A"]] * 4, r"^reels: expected a list of 5"),
        ("paylines", [[0, 0, 0, 0]], r"^paylines\[0\]: expected 5 row indexes"),
        ("paylines", [[0, 0, 0, 0, 1]], r"^paylines\[0\]\[4\]: expected a non-negative"),
        ("wild.symbol", "A", r"^wild\.symbol: must be on a reel and not in the paytable"),
        ("scatter.symbol", "W", r"^scatter\.symbol: the scatter cannot also be the wild"),
        ("scatter.free_spins_max", KeyError, r"^scatter\.free_spins_max: free spins need"),
        ("jackpot.odds", 0, r"^jackpot\.odds: expected an integer in \[1, 4294967296\]"),
        ("jackpot.contribution_bps", 10_001, r"^jackpot\.contribution_bps: expected"),
        ("limits.EUR.stake_max_minor", 0, r"^limits\.EUR\.stake_max_minor: must be 1 to"),
        ("limits.EUR.stake_min_minor", 2.5, r"^limits\.EUR\.stake_min_minor: expected an int"),
        ("limits.EUR.stake_min_minor", True, r"^limits\.EUR\.stake_min_minor: expected an int"),
        ("limits.EUR.stake_max_minor", 10**12 + 1, r"^limits\.EUR\.stake_max_minor: must be"),
        ("limits.EUR.colour", "red", r"^limits\.EUR\.colour: unknown field"),
        ("limits.EUR", 5, r"^limits\.EUR: expected a table"),
        ("limits.eur", {"stake_min_minor": 1, "stake_max_minor": 2}, r"^limits\.eur: not a"),
        ("limits", {}, r"^limits: expected a \[limits\.<CURRENCY>\] table"),
        ("limits", KeyError, r"^limits: expected a \[limits\.<CURRENCY>\] table"),
        ("stake", {"min_minor": 1, "max_minor": 2}, r"^stake: replaced by one \[limits\."),
        ("bonus", 1, r"^bonus: unknown field"),
        ("id", KeyError, r"^id: expected a non-empty string"),
    ],
)
def test_malformed_definitions_name_the_field(path: str, value: Any, message: str) -> None:
    data = tiny_data()
    _set(data, path, value)
    with pytest.raises(GameDefinitionError, match=message):
        SlotGame.from_data(data)


def test_scatters_must_be_spaced_so_a_reel_shows_one() -> None:
    data = tiny_data()
    data["rows"] = 2
    data["reels"][2] = ["A", "S", "S", "A"]
    with pytest.raises(GameDefinitionError, match=r"^reels\[2\]\[2\]: scatters must be"):
        SlotGame.from_data(data)


def test_stake_limits_must_be_whole_line_bets() -> None:
    data = tiny_data()
    data["rows"] = 2
    data["paylines"] = [[0, 0, 0, 0, 0], [1, 1, 1, 1, 1]]
    with pytest.raises(
        GameDefinitionError, match=r"^limits\.EUR\.stake_min_minor: must be a multiple of 2"
    ):
        SlotGame.from_data(data)


def test_more_than_sixteen_symbols_are_refused() -> None:
    data = tiny_data()
    data["reels"][4] = [f"X{i}" for i in range(14)]
    with pytest.raises(GameDefinitionError, match=r"^reels: at most 16 distinct symbols"):
        SlotGame.from_data(data)


def test_a_valid_definition_loads() -> None:
    game = SlotGame.from_data(tiny_data())
    assert (game.game_id, game.line_count, game.definition.rows) == ("slots-tiny", 1, 1)


def test_unknown_games_are_refused() -> None:
    with pytest.raises(UnknownGame):
        load_game_data("no-such-slot")
