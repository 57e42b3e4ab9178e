"""Every shipped slot game meets the limits, checked on its exact PAR sheet.

NJ-style limits: RTP at least 85% at every stake, no prize (the jackpot included) rarer than
1 in 100,000,000; and the catalogue spans clearly different volatilities.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from croupier.adapters.game_files import game_ids, load_game_data
from croupier.analysis.slots_par import ParSheet, par_sheet
from croupier.analysis.slots_tables import build_evaluator
from croupier.domain.games.slots import SlotGame

SLOT_IDS = [i for i in game_ids() if load_game_data(i).get("kind") == "slots"]
RTP_MIN = Fraction(85, 100)
RAREST = Fraction(1, 100_000_000)
_SHEETS: dict[str, tuple[SlotGame, ParSheet]] = {}


def sheet(game_id: str) -> tuple[SlotGame, ParSheet]:
    if game_id not in _SHEETS:
        game = SlotGame.from_data(load_game_data(game_id))
        _SHEETS[game_id] = game, par_sheet(game, build_evaluator(game))
    return _SHEETS[game_id]


def test_at_least_three_slot_games_ship_one_with_twenty_lines() -> None:
    assert len(SLOT_IDS) >= 3
    lines = [SlotGame.from_data(load_game_data(i)).line_count for i in SLOT_IDS]
    assert 20 in lines


@pytest.mark.parametrize("game_id", SLOT_IDS)
def test_limits_hold_on_the_exact_par(game_id: str) -> None:
    game, par = sheet(game_id)
    assert len(game.definition.reels) == 5 and game.definition.rows == 3
    # The jackpot adds to the RTP at every stake, so the game alone must clear the floor.
    assert par.game_rtp >= RTP_MIN
    assert RTP_MIN <= par.total_rtp < 1
    assert RTP_MIN <= par.total_rtp_at_min < 1
    for prize in par.prizes:
        assert prize.probability >= RAREST, prize
    jackpot = game.definition.jackpot
    assert jackpot is not None and Fraction(1, jackpot.odds) >= RAREST


def test_volatilities_are_clearly_different() -> None:
    game_sds = sorted(float(sheet(i)[1].game_variance) ** 0.5 for i in SLOT_IDS)
    total_sds = sorted(float(sheet(i)[1].variance) ** 0.5 for i in SLOT_IDS)
    for low, high in itertools.pairwise(game_sds):
        assert high >= 1.5 * low, game_sds
    for low, high in itertools.pairwise(total_sds):
        assert high >= 1.5 * low, total_sds
