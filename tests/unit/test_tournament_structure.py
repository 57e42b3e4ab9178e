"""Tournament structures: the shipped files load, and inconsistent data is refused by name."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from typing import Any

import pytest

from croupier.adapters.game_files import GameFiles
from croupier.adapters.tournament_files import (
    load_shipped_structure,
    shipped_structure_ids,
    shipped_tournaments,
)
from croupier.domain.errors import GameDefinitionError, UnknownGame
from croupier.domain.poker.tournament_structure import (
    LevelPosition,
    TournamentKind,
    structure_from_dict,
)


def shipped(structure_id: str) -> dict[str, Any]:
    text = shipped_tournaments().joinpath(structure_id + ".toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_the_three_shipped_structures_load() -> None:
    assert shipped_structure_ids() == ["mtt-daily", "sng-6-max", "sng-9-turbo"]
    turbo = load_shipped_structure("sng-9-turbo")
    assert turbo.kind is TournamentKind.SNG and turbo.entries_max == turbo.seats_per_table == 9
    six = load_shipped_structure("sng-6-max")
    assert six.seats_per_table == 6 and six.payout_band(6).places_basis_points == (6500, 3500)
    daily = load_shipped_structure("mtt-daily")
    assert daily.guarantee_minor == 150_000 and daily.rebuy is not None and daily.add_on
    assert len(daily.payout_band(200).places_basis_points) == 30  # 15 % of 200
    assert all(sum(band.places_basis_points) == 10_000 for band in daily.payouts)


def test_the_game_loader_does_not_see_tournament_files() -> None:
    assert not any(
        game_id.startswith(("sng-", "mtt-")) for game_id in GameFiles.shipped().game_ids()
    )


def test_unknown_structure_is_refused() -> None:
    with pytest.raises(UnknownGame):
        load_shipped_structure("nope")


def test_the_clock_walks_levels_and_breaks() -> None:
    daily = load_shipped_structure("mtt-daily")
    assert daily.position_at(0) == LevelPosition(1, False, 600)
    assert daily.position_at(4 * 600) == LevelPosition(4, True, 4 * 600 + 300)
    assert daily.position_at(4 * 600 + 300) == LevelPosition(5, False, 5 * 600 + 300)
    assert daily.position_at(10**9).level == 15  # the last level goes on


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["levels"][3].update(big_blind=100), "blinds must increase"),
        (lambda d: d["levels"][1].update(small_blind=500), "between 1 and the big blind"),
        (lambda d: d["payouts"][0]["places"][0].__setitem__(2, 4000), "not 10000"),
        (lambda d: d["payouts"][1].update(entries_min=30), "must start at 28"),
        (lambda d: d["payouts"][-1].update(entries_max=299), "must cover 20-300"),
        (
            lambda d: d["payouts"][0].update(places=[[1, 1, 3000], [2, 2, 7000]]),
            "at most the place",
        ),
        (lambda d: d["payouts"][0].update(places=[[1, 1, 5000], [3, 3, 5000]]), "without gaps"),
        (lambda d: d.update(late_registration_until_level=99), "late_registration"),
        (lambda d: d["rebuy"].update(until_level=0), "until_level must be an integer >= 1"),
        (lambda d: d.update(breaks=[{"after_level": 15, "minutes": 5}]), "a break follows"),
        (lambda d: d.update(colour="red"), "unknown field(s) colour"),
        (lambda d: d.update(buy_in_minor=10.5), "buy_in_minor must be an integer"),
        (lambda d: d.update(kind="cash"), "kind must be"),
    ],
)
def test_inconsistent_data_is_refused_with_a_clear_message(
    change: Callable[[dict[str, Any]], object], message: str
) -> None:
    data = shipped("mtt-daily")
    change(data)
    with pytest.raises(GameDefinitionError, match=re.escape(message)):
        structure_from_dict(data)


def test_a_sit_and_go_fits_one_table_without_guarantee() -> None:
    data = shipped("sng-9-turbo")
    data.update(entries_min=10, entries_max=10)
    with pytest.raises(GameDefinitionError, match="fits one table"):
        structure_from_dict(data)
    data = shipped("sng-9-turbo")
    data["guarantee_minor"] = 100
    with pytest.raises(GameDefinitionError, match="no guarantee"):
        structure_from_dict(data)
