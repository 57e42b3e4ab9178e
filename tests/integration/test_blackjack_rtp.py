"""The blackjack simulator runs end to end; its numbers are plausible and reproducible.

The precise check of the house edge is the recorded large run in docs/blackjack.md; here a
small fixed-seed run only has to land in a very wide band.
"""

from __future__ import annotations

import json
import statistics

import pytest

from croupier.adapters.game_files import load_game_data
from croupier.analysis import blackjack as analysis
from croupier.analysis import blackjack_sim as sim
from croupier.domain.games.blackjack import parse_rules

S17 = parse_rules(load_game_data("blackjack-6d-s17"))


def test_small_simulation_lands_in_a_plausible_band() -> None:
    total = sim.simulate(S17, 20_000, seed=2024, stake_minor=100, workers=1)
    summary = sim.summarize(total, 100)

    assert summary.hands == 20_000
    assert -0.03 < summary.house_edge < 0.04  # published ≈ 0.004; 99% half-width here ≈ 0.02
    assert 1.05 < summary.std_dev_per_hand < 1.25  # published ≈ 1.15
    assert summary.house_edge_low_99 < summary.house_edge < summary.house_edge_high_99


def test_a_run_is_reproducible_and_independent_of_the_worker_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sim, "CHUNK_HANDS_MAX", 1_500)
    one = sim.simulate(S17, 4_000, seed=9, stake_minor=100, workers=1)
    two = sim.simulate(S17, 4_000, seed=9, stake_minor=100, workers=2)
    other_seed = sim.simulate(S17, 4_000, seed=10, stake_minor=100, workers=1)

    assert one == two
    assert one.hands == 4_000
    assert other_seed != one


def test_summary_statistics_follow_from_the_exact_sums() -> None:
    # Four hands of stake 100 that net +100, -100, +150, -100.
    total = sim.ChunkResult(4, 50, 100**2 + 100**2 + 150**2 + 100**2)
    summary = sim.summarize(total, 100)

    assert summary.house_edge == pytest.approx(-0.125)
    assert summary.std_dev_per_hand == pytest.approx(statistics.stdev([1, -1, 1.5, -1]))


def test_rtp_command_prints_a_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    code = analysis.rtp_command(
        "blackjack-6d-h17", exact=False, spins=None, hands=3_000, as_json=True, plot=None, seed=5
    )
    report = json.loads(capsys.readouterr().out)

    assert code == 0
    assert report["game"] == "blackjack-6d-h17"
    assert report["hands"] == 3_000
    assert report["seed"] == 5
    low, high = report["house_edge_99_percent"]
    assert low < report["house_edge_percent"] < high
    assert report["hands_per_s"] > 0


def test_rtp_command_refuses_options_it_does_not_support(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = analysis.rtp_command(
        "blackjack-6d-s17", exact=True, spins=None, hands=None, as_json=False, plot=None, seed=1
    )

    assert code == 2
    assert "--hands" in capsys.readouterr().err
