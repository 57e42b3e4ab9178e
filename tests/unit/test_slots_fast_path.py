"""The vectorised evaluator (used by the PAR sheet and the simulation) agrees with the pure
engine spin by spin: the test that proves the fast path is right."""

from __future__ import annotations

import itertools
import random
import tomllib
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from croupier.adapters.game_files import game_ids, load_game_data
from croupier.analysis.slots_tables import FastEvaluator, build_evaluator
from croupier.domain.games.slots import SlotGame

TINY = Path(__file__).parents[1] / "golden" / "slots-tiny.toml"
SLOT_IDS = [i for i in game_ids() if load_game_data(i).get("kind") == "slots"]


def _fast_wins(evaluator: FastEvaluator, stops: list[tuple[int, ...]]) -> list[Fraction]:
    indices = evaluator.group_indices(np.array(stops, dtype=np.int64))
    totals, scatters = evaluator.evaluate(indices)
    return [
        Fraction(int(t), evaluator.line_count) + evaluator.scatter_pays[int(s)]
        for t, s in zip(totals, scatters, strict=True)
    ]


def _assert_agree(game: SlotGame, stops: list[tuple[int, ...]]) -> None:
    evaluator = build_evaluator(game)
    fast = _fast_wins(evaluator, stops)
    indices = evaluator.group_indices(np.array(stops, dtype=np.int64))
    _, scatters = evaluator.evaluate(indices)
    for spin_stops, fast_win, scatter_count in zip(stops, fast, scatters, strict=True):
        spin = game.evaluate(spin_stops)
        assert fast_win == spin.win_multiplier, spin_stops
        expected_count = spin.scatter_win.count if spin.scatter_win else None
        if expected_count is not None:
            assert scatter_count == expected_count, spin_stops


def test_every_spin_of_the_tiny_game_agrees() -> None:
    game = SlotGame.from_data(tomllib.loads(TINY.read_text()))
    _assert_agree(game, list(itertools.product(range(2), repeat=5)))


@pytest.mark.parametrize("game_id", SLOT_IDS)
def test_a_sample_of_spins_agrees(game_id: str) -> None:
    game = SlotGame.from_data(load_game_data(game_id))
    draw = random.Random(f"fast-path:{game_id}")
    lengths = [len(strip) for strip in game.definition.reels]
    stops = [tuple(draw.randrange(n) for n in lengths) for _ in range(1500)]
    # The spins that matter most: every wild-heavy and scatter-heavy window is in the sample.
    specials = [rule.symbol for rule in (game.definition.wild, game.definition.scatter) if rule]
    for symbol in specials:
        spots = [strip.index(symbol) if symbol in strip else 0 for strip in game.definition.reels]
        stops.append(tuple(spots))
        stops.extend(tuple(max(s - 1, 0) if r % 2 else s for r, s in enumerate(spots)) for _ in "x")
    _assert_agree(game, stops)


def test_the_fast_path_sees_wins_where_the_engine_does() -> None:
    """Guards the guard: a deliberately wrong pay table makes the comparison fail."""
    game = SlotGame.from_data(tomllib.loads(TINY.read_text()))
    evaluator = build_evaluator(game)
    broken = FastEvaluator(**{**evaluator.__dict__, "state_pays": evaluator.state_pays * 0})
    stops = list(itertools.product(range(2), repeat=5))
    assert _fast_wins(broken, stops) != [game.evaluate(s).win_multiplier for s in stops]
