"""The shipped hold'em table files (holdem-*.toml) load and play a hand."""

from __future__ import annotations

import random

import pytest

from croupier.adapters.game_files import game_ids, load_game_data
from croupier.domain.games.holdem import Table, TableConfig

HOLDEM_IDS = [game_id for game_id in game_ids() if game_id.startswith("holdem-")]


class SeededRng:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def uniform(self, n: int) -> int:
        return self._random.randrange(n)


def test_there_are_table_files() -> None:
    assert len(HOLDEM_IDS) >= 3


@pytest.mark.parametrize("game_id", HOLDEM_IDS)
def test_each_table_file_loads_round_trips_and_deals(game_id: str) -> None:
    data = load_game_data(game_id)
    config = TableConfig.from_dict(data)
    assert data["id"] == game_id
    assert TableConfig.from_dict(config.to_dict()) == config
    stacks = {seat: 100 * config.big_blind_minor for seat in range(min(4, config.seat_count))}
    table = Table(config, stacks)
    hand = table.start_hand(SeededRng(0))
    while hand.to_act is not None:
        hand.check_or_call(hand.to_act)
    assert hand.result is not None
    assert sum(s.stack_minor for s in table.seats.values()) + hand.result.rake_minor == sum(
        stacks.values()
    )
