"""``croupier rtp european-roulette``: exact enumeration and the optional simulation."""

from __future__ import annotations

import json
from fractions import Fraction

from typer.testing import CliRunner

from croupier.analysis.roulette import exact_returns, simulated_returns
from croupier.cli import app
from croupier.domain.games.roulette import BetType

runner = CliRunner()


def test_exact_rtp_is_36_over_37_for_every_bet_type() -> None:
    rows = exact_returns()
    assert [row.bet_type for row in rows] == list(BetType)
    for row in rows:
        assert row.rtp == Fraction(36, 37)
        assert row.house_edge == Fraction(1, 37)
        assert row.hit_frequency == Fraction(row.pockets_covered, 37)


def test_exact_json_output() -> None:
    result = runner.invoke(app, ["rtp", "european-roulette", "--exact", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    by_type = {row["bet_type"]: row for row in report["exact"]["bet_types"]}
    assert by_type["straight"]["rtp"] == "36/37"
    assert by_type["straight"]["hit_frequency"] == "1/37"
    assert by_type["red"]["hit_frequency"] == "18/37"
    assert abs(by_type["dozen"]["rtp_decimal"] - 0.972972972972973) < 1e-15
    assert report["exact"]["house_edge_max"] == "1/37"


def test_exact_text_table() -> None:
    result = runner.invoke(app, ["rtp", "european-roulette", "--exact"])
    assert result.exit_code == 0
    assert "first_four" in result.stdout
    assert "36/37" in result.stdout and "97.297297%" in result.stdout


def test_simulation_is_repeatable_with_a_seed_and_close_to_exact() -> None:
    first, seed = simulated_returns(200_000, 11)
    again, _ = simulated_returns(200_000, 11)
    assert seed == 11
    assert first == again
    for row in first:
        # 200k spins: even the straight-up average sits well within 1.5 points of 97.30 %.
        assert abs(float(row.rtp) - 36 / 37) < 0.015, row.bet_type


def test_simulation_cli_reports_seed() -> None:
    args = ["rtp", "european-roulette", "--spins", "1000", "--seed", "5", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["simulation"]["seed"] == 5
    assert report["simulation"]["spins"] == 1000
    assert "exact" not in report


def test_unsupported_options_exit_2() -> None:
    result = runner.invoke(app, ["rtp", "european-roulette", "--hands", "10"])
    assert result.exit_code == 2
    assert "roulette supports" in result.stderr
    result = runner.invoke(app, ["rtp", "european-roulette", "--spins", "10", "--seed", "-1"])
    assert result.exit_code == 2
