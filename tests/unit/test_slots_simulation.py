"""The simulation agrees with the exact PAR sheet, and the CLI reports both."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from croupier.adapters.game_files import load_game_data
from croupier.analysis.slots import Z_99, simulation_json
from croupier.analysis.slots_par import par_sheet
from croupier.analysis.slots_sim import simulate
from croupier.analysis.slots_tables import build_evaluator
from croupier.cli import app
from croupier.domain.errors import InvalidBet
from croupier.domain.games.slots import SlotGame

TINY = Path(__file__).parents[1] / "golden" / "slots-tiny.toml"


def test_simulated_rtp_interval_contains_the_exact_rtp() -> None:
    game = SlotGame.from_data(tomllib.loads(TINY.read_text()))
    evaluator = build_evaluator(game)
    par = par_sheet(game, evaluator)
    run = simulate(game, evaluator, 400_000, seed=2024, stake_minor=10)
    report = simulation_json(par, run)
    assert report["contains_exact"] and report["game_contains_exact"]
    # Jackpot odds 1 in 4: the pool is exercised, hundreds of thousands of times.
    assert run.jackpot_hits > 50_000
    assert run.features > 50_000
    # The interval is tight enough to mean something: well under 1% of the RTP here.
    assert Z_99 * float(par.variance) ** 0.5 / run.spins**0.5 < 0.02


def test_the_twenty_line_game_simulates_to_its_exact_rtp() -> None:
    game = SlotGame.from_data(load_game_data("lotus-20"))
    evaluator = build_evaluator(game)
    par = par_sheet(game, evaluator)
    run = simulate(game, evaluator, 600_000, seed=7, stake_minor=game.definition.stake.max_minor)
    report = simulation_json(par, run)
    assert report["game_contains_exact"] and report["contains_exact"]


def test_a_seed_repeats_exactly() -> None:
    game = SlotGame.from_data(tomllib.loads(TINY.read_text()))
    evaluator = build_evaluator(game)
    first, second = (simulate(game, evaluator, 50_000, 9, 10) for _ in range(2))
    assert (first.rtp, first.checkpoints) == (second.rtp, second.checkpoints)


def test_simulating_an_invalid_stake_is_refused() -> None:
    game = SlotGame.from_data(tomllib.loads(TINY.read_text()))
    with pytest.raises(InvalidBet):
        simulate(game, build_evaluator(game), 10, 1, 11)


@pytest.fixture
def games_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(TINY, tmp_path / "slots-tiny.toml")
    monkeypatch.setenv("CROUPIER_GAMES_DIR", str(tmp_path))
    return tmp_path


def test_cli_prints_the_exact_par_as_json(games_dir: Path) -> None:
    result = CliRunner().invoke(app, ["rtp", "slots-tiny", "--exact", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rtp"]["total"]["exact"] == "223/80"
    assert data["rtp"]["game"]["exact"] == "39/16"


def test_cli_simulates_and_plots(games_dir: Path) -> None:
    plot = games_dir / "rtp.png"
    args = ["rtp", "slots-tiny", "--spins", "20000", "--seed", "3", "--json", "--plot", str(plot)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ci99"][0] <= data["exact_rtp"] <= data["ci99"][1]
    assert data["spins_per_s"] > 0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("game", "broken"),
    [("no-such-game", None), ("slots-tiny", "rows = 1\n"), ("slots-tiny", "kind")],
)
def test_cli_refuses_bad_games(games_dir: Path, game: str, broken: str | None) -> None:
    path = games_dir / "slots-tiny.toml"
    if broken == "kind":
        path.write_text(path.read_text().replace('kind = "slots"', 'kind = "dice"'))
    elif broken:
        path.write_text(path.read_text().replace(broken, "rows = -1\n"))
    result = CliRunner().invoke(app, ["rtp", game, "--exact"])
    assert result.exit_code == 2
