"""The PAR sheet of a tiny slot, computed by hand (the derivation is in the comments).

Reels: r1 ∈ {A, W}, r2 ∈ {A, B}, r3 ∈ {A, S}, r4 ∈ {A, S}, r5 ∈ {A, B}, each 1/2.
One line, so a line bet is the stake. A pays 2/4/8 for 3/4/5, B pays 1 for 2, W is wild
(no pays of its own), two S pay 1 stake and award 1 free spin (×2, cap 2 in all).
"""

from __future__ import annotations

import tomllib
from fractions import Fraction
from pathlib import Path

import pytest

from croupier.analysis.slots_par import ParSheet, par_sheet
from croupier.analysis.slots_tables import build_evaluator
from croupier.domain.games.slots import SlotGame

TINY = Path(__file__).with_name("slots-tiny.toml")


@pytest.fixture(scope="module")
def par() -> ParSheet:
    game = SlotGame.from_data(tomllib.loads(TINY.read_text()))
    return par_sheet(game, build_evaluator(game))


def test_base_game(par: ParSheet) -> None:
    # Line: r2=B pays 1 when r1=W (1/4). r2=A: A-run of 3/4/5 with prob 1/8, 1/16, 1/16
    # (paying 2, 4, 8). E = 1/4 + 2/8 + 4/16 + 8/16 = 5/4.
    assert par.cycle == 32
    assert par.base_line_rtp == Fraction(5, 4)
    # Two scatters need r3=S and r4=S: 1/4, paying 1 stake.
    assert par.base_scatter_rtp == Fraction(1, 4)
    # A win (r1=W,r2=B or r2=A,r3=A: 1/2) or a trigger without a line win (1/4 · 3/4).
    assert par.hit_frequency == Fraction(11, 16)


def test_feature(par: ParSheet) -> None:
    # A free spin pays 2·B with E[B] = 3/2, so 3. One spin is awarded; it retriggers with
    # 1/4, and the cap of 2 stops any third: E[N] = 5/4, E[F] = 15/4 (Wald), RTP = 1/4·15/4.
    assert par.feature_frequency == Fraction(1, 4)
    assert par.free_spins_per_feature == Fraction(5, 4)
    assert par.feature_rtp == Fraction(15, 16)
    assert par.game_rtp == Fraction(39, 16)


def test_variance(par: ParSheet) -> None:
    # E[B²] = 1/2·(1 + 45/4) = 49/8; with T the trigger, E[B·T] = 1/4·5/4 = 5/16.
    # F = W1 + T1·W2, W = 2B: E[F²] = 49/2 + 2·(5/8)·3 + 1/4·49/2 = 275/8.
    # E[X²] = 49/8 + 2·(5/16)·(15/4) + 1/4·275/8 = 273/16; Var = 273/16 − (39/16)².
    assert par.game_variance == Fraction(2847, 256)


def test_jackpot(par: ParSheet) -> None:
    # At the max stake 10: contribution floor(10·10%) = 1, pool = 10 + K with K geometric,
    # mean 4, E[K²] = 28. RTP = (10/4 + 1)/10 = 7/20; E[J²] = (100 + 80 + 28)/(4·100).
    jackpot = par.jackpot_at_max
    assert jackpot is not None
    assert (jackpot.seed_rtp, jackpot.contribution_rtp) == (Fraction(1, 4), Fraction(1, 10))
    assert jackpot.variance == Fraction(13, 25) - Fraction(7, 20) ** 2
    assert par.total_rtp == Fraction(39, 16) + Fraction(7, 20)
    assert par.variance == Fraction(2847, 256) + Fraction(159, 400)
    # At the min stake 1 the contribution floors to 0 and the seed is worth 10/4 stakes.
    assert par.total_rtp_at_min == Fraction(39, 16) + Fraction(5, 2)


def test_prize_odds(par: ParSheet) -> None:
    odds = {(p.symbol, p.count): p.probability for p in par.prizes}
    assert odds == {
        ("A", 3): Fraction(1, 8),
        ("A", 4): Fraction(1, 16),
        ("A", 5): Fraction(1, 16),
        ("B", 2): Fraction(1, 4),
        ("S", 2): Fraction(1, 4),
    }
    assert (par.top_line_prize.symbol, par.top_line_prize.count) == ("A", 5)
